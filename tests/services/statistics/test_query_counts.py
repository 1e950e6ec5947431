"""The statistics pages and lists make the same number of queries for one row as for a full page, and
for any page size (DESIGN §7: one query for the page's rows, none per row)."""

import itertools

import pytest
from django.urls import reverse

from orgtree.rules import OrgType

from ...factories import login, make_cadre, make_child, make_member
from ...test_query_counts import _queries, _same_for_one_and_many
from .factories import make_stat

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    from django.utils import timezone

    from services.statistics.definitions import recent_months

    return recent_months(timezone.localdate())[0]


def _children(parent, month, org_type=OrgType.BRANCH):
    n = itertools.count()

    def add(k):
        for _ in range(k):
            child = make_child(parent, org_type, f"子组织{next(n)}")
            make_stat(child, month, orgs=1, branches=1, empty_branches=1, cadreless_branches=1, members=1,
                      members_registered=1)
    return add


def test_overview_and_transfer_pages(client, tree, month):
    login(client, tree.general)
    make_stat(tree.general, month, orgs=2)
    add = _children(tree.general, month)
    _same_for_one_and_many(client, reverse("statistics:overview"), add)
    assert _queries(client, reverse("statistics:transfers")) == _queries(client, reverse("statistics:transfers") + "?size=500")
    assert _queries(client, reverse("statistics:overview") + "?size=500") == _queries(client, reverse("statistics:overview"))


def test_empty_and_org_lists(client, tree, month):
    login(client, tree.general)
    _same_for_one_and_many(client, f"{reverse('statistics:empty')}?kind=branch", _children(tree.general, month))
    for url in (f"{reverse('statistics:orgs')}?kind=all", f"{reverse('statistics:orgs')}?kind=branch&industry=16"):
        assert _queries(client, url) == _queries(client, url + "&size=500")


def test_member_list(client, tree, month):
    login(client, tree.general)

    def add(k):
        for _ in range(k):
            make_member(tree.branch)
    _same_for_one_and_many(client, f"{reverse('statistics:members')}?kind=registered", add)
    url = f"{reverse('statistics:members')}?kind=members"
    assert _queries(client, url) == _queries(client, url + "&size=500")


def test_cadre_list(client, tree, month):
    login(client, tree.district)
    n = itertools.count()

    def add(k):
        for _ in range(k):
            make_cadre(tree.committee if next(n) % 2 else tree.general, name="王团干")
    _same_for_one_and_many(client, f"{reverse('statistics:cadres')}?kind=all", add)


def test_categories_and_charts_are_cheap(client, tree, month):
    login(client, tree.general)
    assert _queries(client, reverse("statistics:categories")) <= _queries(client, reverse("orgtree:own")) + 3
    assert _queries(client, reverse("statistics:charts")) <= 6


def test_transfer_record_list(client, tree, month):
    from services.transfers.start import transfer_apply

    target = make_child(tree.b_district, OrgType.BRANCH, "乙支部")
    login(client, tree.general)

    def add(k):
        for _ in range(k):
            transfer_apply(member=make_member(tree.branch), data={"transfer_type": 1, "target": target.code,
                                                                   "destination": "深圳某公司", "reason": 1})
    _same_for_one_and_many(client, f"{reverse('statistics:transfer_list')}?kind=out_pending", add)
