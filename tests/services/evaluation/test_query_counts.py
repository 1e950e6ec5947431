"""N+1 guards of 教育评议 and 年度注册进度 (the helpers of tests/test_query_counts.py): as many queries for
one row as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.rules import OrgType
from services.evaluation import selectors
from services.evaluation import services as evaluation

from ...factories import actor_of, login, make_child, make_member
from ...test_query_counts import FULL, _same_for_one_and_many

pytestmark = pytest.mark.django_db


def test_progress_children(client, tree):
    """年度注册进度 of a committee: one row per direct child with its tally, built without a query per row."""
    year = selectors.year_choices()[1]

    def add(n):
        for _ in range(n):
            branch = make_child(tree.committee, OrgType.BRANCH)
            member = make_member(branch)
            evaluation.grades_save(actor=actor_of(branch), year=year, grades={member.pk: 2})
            evaluation.evaluation_submit(actor=actor_of(branch), year=year)

    login(client, tree.committee)
    _same_for_one_and_many(client, f"{reverse('evaluation:progress')}?year={year}", add)


def test_grade_save(client, tree):
    """The batch entry's save: the same queries for two changed grades as for a branch's worth (one
    UPDATE per grade given, not per row)."""
    year = selectors.year_choices()[1]
    members = [make_member(tree.branch) for _ in range(FULL)]
    login(client, tree.branch)
    url = reverse("evaluation:grades")

    def save(grades):
        client.post(url, {"year": year, **{f"grade_{m.pk}": 2 for m in members}})  # all 合格 first
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"year": year, **{f"grade_{m.pk}": g for m, g in zip(members, grades)}})
        assert response.status_code == 302
        return len(ctx.captured_queries)

    two = save([3, 4] + [2] * (FULL - 2))
    many = save([3 + i % 2 for i in range(FULL)])
    assert many == two, f"{two} queries for two changed grades, {many} for {FULL}"
