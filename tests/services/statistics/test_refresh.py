"""数据统计's figures equal a hand-counted province (reference §5.1, §5.3; issue 15).

The province (``tree`` plus one branch)::

    团广东省委 ─┬─ 广州市 ── 天河区 ── 某公司团委 ─┬─ 研发中心团总支 ── 研发一部 (2 approved + 2 pending: 空心, 无团干)
                │                                  └─ 研发二部 (3 approved, a cadre who joined 企业号)
                └─ 深圳市 ── 南山区 (a 领导机关 with no children: 空心团委)

November 2026: 研发一部 reviews one 报到 at 47 h (timely) and one at 49 h (late) and still has one pending;
研发二部 approves a transfer's ① within 10 h, which leaves ② pending at 某公司团委; a member's award
declaration waits at 研发二部.
"""

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgtree.rules import OrgType
from services.statistics import refresh
from services.statistics.models import OrgStat, RefreshRun

from ...factories import actor_of, make_cadre, make_child, make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def at(*args):
    return timezone.make_aware(datetime(*args))


def stat(org, month=(2026, 11)):
    return OrgStat.objects.get(org=org, month=datetime(*month, 1).date())


@pytest.fixture
def province(tree):
    from services.awards.models import AwardKind
    from services.awards.services import award_declare
    from services.members import review
    from services.transfers.review import transfer_approve
    from services.transfers.start import transfer_apply

    s = tree
    s.branch2 = make_child(s.committee, OrgType.BRANCH, "研发二部")
    with time_machine.travel(at(2026, 10, 20, 9), tick=False):
        s.b2 = [make_member(s.branch2, name=f"二部团员{n}") for n in "甲乙丙"]
        make_cadre(s.branch2, join=True)
        make_cadre(s.committee, name="孙团干")
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        s.timely = make_member(s.branch, approved=False, name="及时")
        s.late = make_member(s.branch, approved=False, name="迟到")
    review.member_approve(actor=actor_of(s.branch), member=s.timely, now=at(2026, 11, 4, 8))  # 47 h
    review.member_approve(actor=actor_of(s.branch), member=s.late, now=at(2026, 11, 4, 10))  # 49 h
    with time_machine.travel(at(2026, 11, 10, 9), tick=False):
        s.pending = make_member(s.branch, approved=False, name="待审")
        s.pending2 = make_member(s.branch, approved=False, name="待审二")
        s.transfer = transfer_apply(member=s.b2[0], data={
            "transfer_type": 1, "target": s.branch.code, "destination": "广州某科技有限公司", "reason": 1})
        award_declare(member=s.b2[1], kind=AwardKind.EXTERNAL, today=timezone.localdate(), data={
            "name": "校级三好学生", "has_level": False, "level": "", "awarded_on": datetime(2026, 5, 4).date(),
            "awarding_org_name": "广州市第一中学"}, files=[SimpleUploadedFile("p.png", PNG, content_type="image/png")])
    transfer_approve(actor=actor_of(s.branch2), transfer=s.transfer, now=at(2026, 11, 10, 19))
    return s


def figures(row, names):
    return {n: getattr(row, n) for n in names}


TREE_FIGURES = ("orgs", "branches", "empty_committees", "empty_branches", "cadreless_branches",
                "members_registered", "members", "cadres", "cadres_joined")


def test_figures_equal_the_hand_count(province):
    s = province
    run = refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=at(2026, 11, 20, 12))
    assert run.month == datetime(2026, 11, 1).date() and run.rows_written > 0
    assert figures(stat(s.province), TREE_FIGURES) == {
        "orgs": 9, "branches": 2, "empty_committees": 1, "empty_branches": 1, "cadreless_branches": 1,
        "members_registered": 7, "members": 5, "cadres": 2, "cadres_joined": 1}
    assert figures(stat(s.city_b), TREE_FIGURES) == {
        "orgs": 2, "branches": 0, "empty_committees": 1, "empty_branches": 0, "cadreless_branches": 0,
        "members_registered": 0, "members": 0, "cadres": 0, "cadres_joined": 0}
    assert figures(stat(s.branch), TREE_FIGURES) == {
        "orgs": 1, "branches": 1, "empty_committees": 0, "empty_branches": 1, "cadreless_branches": 1,
        "members_registered": 4, "members": 2, "cadres": 0, "cadres_joined": 0}
    assert figures(stat(s.committee), ("cadres", "cadres_joined", "empty_branches")) == {
        "cadres": 2, "cadres_joined": 1, "empty_branches": 1}


def test_the_timely_response_rate_counts_47_hours_and_not_49(province):
    s = province
    refresh.refresh(as_of=at(2026, 11, 20, 12))
    names = ("respond_due_own", "respond_timely_own", "respond_due", "respond_timely")
    # 研发一部: 报到 at 47 h (timely), 49 h (late), two still pending
    assert figures(stat(s.branch), names) == {"respond_due_own": 4, "respond_timely_own": 1,
                                              "respond_due": 4, "respond_timely": 1}
    assert stat(s.branch).respond_rate_own == 25.0
    # 研发二部: the transfer's ① after 10 h (timely) and the award declaration still pending
    assert figures(stat(s.branch2), names) == {"respond_due_own": 2, "respond_timely_own": 1,
                                               "respond_due": 2, "respond_timely": 1}
    # 某公司团委: ② of the transfer pending; its subtree adds both branches
    assert figures(stat(s.committee), names) == {"respond_due_own": 1, "respond_timely_own": 0,
                                                 "respond_due": 7, "respond_timely": 2}
    assert figures(stat(s.province), names) == {"respond_due_own": 0, "respond_timely_own": 0,
                                                "respond_due": 7, "respond_timely": 2}
    assert stat(s.province).respond_rate_own is None
    assert stat(s.city_b).respond_due == 0


def test_transfer_figures(province):
    s = province
    refresh.refresh(as_of=at(2026, 11, 20, 12))
    out = ("out_pending", "out_done", "out_total", "out_branch_approved", "out_parent_approved", "out_returned")
    assert figures(stat(s.branch2), out) == {"out_pending": 1, "out_done": 0, "out_total": 1,
                                             "out_branch_approved": 1, "out_parent_approved": 0, "out_returned": 0}
    assert figures(stat(s.province), out) == figures(stat(s.branch2), out)
    assert (stat(s.branch).in_pending, stat(s.branch).in_total) == (0, 0)  # ② has not approved yet
    assert stat(s.city_b).out_total == 0


def test_a_new_month_starts_from_what_is_still_pending_and_keeps_the_old_month(province):
    s = province
    refresh.refresh(as_of=at(2026, 11, 30, 23, 50))
    november = figures(stat(s.branch), ("respond_due_own", "respond_timely_own"))
    assert november == {"respond_due_own": 4, "respond_timely_own": 1}
    refresh.refresh(as_of=at(2026, 12, 1, 0, 15))
    assert figures(stat(s.branch, (2026, 12)), ("respond_due_own", "respond_timely_own")) == {
        "respond_due_own": 2, "respond_timely_own": 0}  # only the two still pending
    assert figures(stat(s.branch), ("respond_due_own", "respond_timely_own")) == november
    assert figures(stat(s.committee, (2026, 12)), ("respond_due", "respond_timely")) == {
        "respond_due": 4, "respond_timely": 0}


def test_the_fifteen_minute_refresh_picks_up_a_new_registration_and_is_idempotent(province):
    s = province
    refresh.refresh(as_of=at(2026, 11, 20, 12))
    assert refresh.refresh(as_of=at(2026, 11, 20, 12, 15)).rows_written == 0  # nothing changed
    before = stat(s.province).members_registered
    with time_machine.travel(at(2026, 11, 20, 12, 20), tick=False):
        make_member(s.branch2, approved=False, name="新报到")
    run = refresh.refresh(as_of=at(2026, 11, 20, 12, 30))
    # branch2, committee, district, 广州市 and the province changed; 研发一部 and 深圳市 did not
    assert run.rows_written == 5
    assert stat(s.province).members_registered == before + 1
    assert stat(s.branch2).respond_due_own == 3


def test_a_change_review_is_timed_from_its_own_submission(province):
    from services.members.profile import change_approve, member_profile_update

    s = province
    member = s.timely
    member.refresh_from_db()
    with time_machine.travel(at(2026, 11, 15, 9), tick=False):
        member_profile_update(member=member, group="reviewed", data={
            "income": 2, "political_status": member.political_status, "is_cadre": False})
    change_approve(actor=actor_of(s.branch), member=member, now=at(2026, 11, 16, 9))
    member.refresh_from_db()
    assert member.reviewed_at == at(2026, 11, 4, 8)  # the 报到 review keeps its own time
    refresh.refresh(as_of=at(2026, 11, 20, 12))
    assert figures(stat(s.branch), ("respond_due_own", "respond_timely_own")) == {
        "respond_due_own": 5, "respond_timely_own": 2}


def test_dues_and_registration_are_copied_from_their_apps_tables(province):
    from services.dues.models import MonthStat
    from services.evaluation.models import RegistrationTally

    s = province
    MonthStat.objects.create(org=s.district, month=datetime(2026, 11, 1).date(), members=7, billed=7, paid=3,
                             billed_amount=7, paid_amount=3, updated_at=timezone.now())
    RegistrationTally.objects.create(org=s.district, year=2026, members=7, registered=5)
    refresh.refresh(as_of=at(2026, 11, 20, 12))
    row = stat(s.district)
    assert (row.dues_billed, row.dues_paid, row.dues_unpaid) == (7, 3, 4)
    assert (row.registration_members, row.registration_done) == (7, 5)
    assert stat(s.city_b).dues_billed == 0


def test_the_nightly_refresh_counts_the_classifications_of_every_subtree(province):
    from collections import Counter

    from orgtree.models import Organization
    from services.statistics.selectors import category_counts
    from services.statistics.models import CategoryStat, Dimension

    s = province
    refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=at(2026, 11, 20, 12))

    def counts(org, dimension):
        return category_counts(org, datetime(2026, 11, 1).date()).get(dimension, {})

    expected = Counter((o.industry or 0) * 100 + o.org_type
                       for o in Organization.objects.filter(path__startswith=s.province.path))
    assert counts(s.province, Dimension.ORGS) == dict(expected) and sum(expected.values()) == 9
    assert counts(s.province, Dimension.EDUCATION) == {4: 5}  # every approved member: 本科
    assert counts(s.province, Dimension.INCOME) == {1: 5}
    assert counts(s.branch, Dimension.MEMBERS) == {(s.branch.industry or 0) * 100: 2}
    # the two cadre records (性质 2), each under its own org's industry
    assert counts(s.committee, Dimension.CADRES) == dict(Counter(
        [(s.committee.industry or 0) * 100 + 2, (s.branch2.industry or 0) * 100 + 2]))
    assert counts(s.city_b, Dimension.EDUCATION) == {}
    assert counts(s.province, Dimension.NEW_MEMBERS) == {}  # everyone joined in 2015
    # a second full refresh replaces the month's rows rather than adding to them
    refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=at(2026, 11, 20, 13))
    assert counts(s.province, Dimension.EDUCATION) == {4: 5}
    # a branch's own counts are read live, not stored
    assert not CategoryStat.objects.filter(org__in=[s.branch, s.branch2]).exists()
    assert counts(s.branch2, Dimension.CADRES) == {(s.branch2.industry or 0) * 100 + 2: 1}
    assert counts(s.branch, Dimension.INCOME) == {1: 2}


def test_the_nightly_run_keeps_24_months_and_90_days_of_run_records(tree):
    from services.statistics.models import CategoryStat, Dimension

    old, kept = datetime(2024, 11, 1).date(), datetime(2024, 12, 1).date()
    for month in (old, kept):
        OrgStat.objects.create(org=tree.province, month=month, computed_at=at(2024, 12, 1))
        CategoryStat.objects.create(org=tree.province, month=month, dimension=Dimension.INCOME, key=1, n=1)
    RefreshRun.objects.create(kind="delta", as_of=at(2026, 8, 21, 12), month=datetime(2026, 8, 1).date())
    RefreshRun.objects.create(kind="delta", as_of=at(2026, 8, 22, 12), month=datetime(2026, 8, 1).date())
    refresh.refresh(kind=RefreshRun.Kind.DELTA, as_of=at(2026, 11, 20, 12))
    assert OrgStat.objects.filter(month=old).exists()  # only the nightly run prunes
    refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=at(2026, 11, 20, 12))
    assert set(OrgStat.objects.filter(month__lt=datetime(2025, 1, 1).date()).values_list("month", flat=True)) == {kept}
    assert set(CategoryStat.objects.values_list("month", flat=True).distinct()) >= {kept}
    assert not CategoryStat.objects.filter(month=old).exists()
    assert not RefreshRun.objects.filter(as_of=at(2026, 8, 21, 12)).exists()
    assert RefreshRun.objects.filter(as_of=at(2026, 8, 22, 12)).exists()
