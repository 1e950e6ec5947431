"""N+1 guards of the dues lists (the helper of tests/test_query_counts.py): as many queries for one row as for a page."""

from datetime import date
from itertools import count

import pytest
from django.urls import reverse

from orgtree.rules import OrgType
from services.dues import billing, offline, stats
from services.dues.models import BillingRun, DuesBill

from ...factories import actor_of, login, login_person, make_child, make_member
from ...test_query_counts import _same_for_one_and_many

pytestmark = pytest.mark.django_db
JAN = date(2026, 1, 1)


def _rebill():
    BillingRun.objects.all().delete()
    billing.bills_make(month=JAN)
    stats.stats_build(month=JAN)


def test_dues_member_list_and_help_pay(client, tree, branch2):
    payer = make_member(tree.branch)
    n = count()

    def add(k):
        for _ in range(k):
            m = make_member(tree.branch if next(n) % 2 else branch2, name="团员")
            _rebill()
            if next(n) % 3 == 0 and m.branch_id == tree.branch.pk:
                offline.offline_record(actor=actor_of(tree.branch), member=m,
                                       bill_ids=list(DuesBill.objects.filter(member=m).values_list("pk", flat=True)),
                                       note="现金")

    login(client, tree.general)
    _same_for_one_and_many(client, reverse("dues:members") + "?month=2026-01", add)
    login_person(client, payer.user)
    DuesBill.objects.all().delete()
    BillingRun.objects.all().delete()
    _same_for_one_and_many(client, reverse("dues:help"), add)


def test_dues_overview_children_and_member_bills(client, tree):
    def add_children(k):
        for _ in range(k):
            make_child(tree.committee, OrgType.GENERAL_BRANCH)
        _rebill()

    login(client, tree.committee)
    _same_for_one_and_many(client, reverse("dues:query") + "?month=2026-01", add_children)
    m = make_member(tree.branch)
    months = iter(range(1, 200))

    def add_bills(k):
        for _ in range(k):
            i = next(months)
            billing.bills_make(month=date(2010 + i // 12, 1 + i % 12, 1))

    login(client, tree.branch)
    _same_for_one_and_many(client, reverse("dues:member_bills", args=[m.pk]), add_bills)
    login_person(client, m.user)
    _same_for_one_and_many(client, reverse("dues:member_home"), add_bills)
