"""团费留存: the manual's formula on hand-computed trees, the path-sum rule, and the reconciliation."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.models import AuditLog
from services.dues import billing, offline, retention
from services.dues.models import DuesBill

from ...factories import actor_of, make_child, make_member

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DEC, JAN, FEB = date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)


def _set(org, retains, ratio, valid):
    Organization.objects.filter(pk=org.pk).update(retains_dues=retains, retention_ratio=ratio, sub_account_valid=valid)


def _pay_all(branch, when, month=None):
    """The branch records every unpaid bill it owns (of ``month`` if given) as paid offline on ``when``."""
    bills = DuesBill.objects.filter(branch=branch, paid_at__isnull=True)
    if month:
        bills = bills.filter(month=month)
    for member_id in set(bills.values_list("member_id", flat=True)):
        from services.members.models import Member

        offline.offline_record(actor=actor_of(branch), member=Member.objects.get(pk=member_id),
                               bill_ids=list(bills.filter(member_id=member_id).values_list("pk", flat=True)),
                               note="现金收取", now=when)


@pytest.fixture
def paid_tree(tree, b_branch):
    """甲's branch collects 5 × 20.00 = 100.00 in January, 乙's branch 1 × 10.00 = 10.00."""
    for _ in range(5):
        make_member(tree.branch, income=5)
    make_member(b_branch, income=3)
    billing.bills_make(month=JAN)
    _pay_all(tree.branch, datetime(2026, 1, 10, 9, tzinfo=SH))
    _pay_all(b_branch, datetime(2026, 1, 31, 23, 59, tzinfo=SH))
    tree.b_branch = b_branch
    return tree


def _rows(org, month=JAN):
    return {r.org.pk: (r.collected, r.own, r.for_children, r.retained)
            for r in retention.retention_view(Organization.objects.get(pk=org.pk), month)}


def test_child_with_invalid_sub_account_is_held_by_its_parent(paid_tree):
    t = paid_tree
    _set(t.province, True, 10, True)
    _set(t.city_a, True, 20, True)
    _set(t.district, True, 30, False)  # may retain, no valid sub-account: 天河区's share is held by 广州市
    rows = _rows(t.province)
    assert rows[t.province.pk] == (Decimal("110.00"), Decimal("11.00"), Decimal("0.00"), Decimal("11.00"))
    assert rows[t.city_a.pk] == (Decimal("100.00"), Decimal("20.00"), Decimal("30.00"), Decimal("50.00"))
    assert rows[t.city_b.pk] == (Decimal("10.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    rows_a = _rows(t.city_a)
    assert rows_a[t.city_a.pk][3] == Decimal("50.00")
    assert rows_a[t.district.pk] == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    total, retained, remainder = retention.reconciliation(JAN)
    assert (total, retained, remainder) == (Decimal("110.00"), Decimal("61.00"), Decimal("49.00"))


def test_every_org_retains_with_valid_accounts(paid_tree):
    t = paid_tree
    for org, ratio in ((t.city_a, 10), (t.district, 15), (t.committee, 20), (t.general, 25), (t.branch, 30),
                       (t.city_b, 40)):
        _set(org, True, ratio, True)
    rows = _rows(t.province)
    assert rows[t.province.pk][3] == Decimal("0.00")  # the province does not retain: everything else reaches it
    assert rows[t.city_a.pk][3] == Decimal("10.00") and rows[t.city_b.pk][3] == Decimal("4.00")
    assert _rows(t.general)[t.branch.pk][3] == Decimal("30.00")
    total, retained, remainder = retention.reconciliation(JAN)
    assert retained == Decimal("10.00") + Decimal("15.00") + Decimal("20.00") + Decimal("25.00") + Decimal("30.00") + Decimal("4.00")
    assert remainder == Decimal("6.00") and total == retained + remainder


def test_rounding_is_half_up_once_per_share_and_reconciles_to_the_fen(tree):
    make_member(tree.branch, income=7)  # 0.50
    billing.bills_make(month=JAN)
    _pay_all(tree.branch, datetime(2026, 1, 5, tzinfo=SH))
    _set(tree.city_a, True, 25, False)  # 0.50 × 25 % = 0.125 → 0.13, held by the province
    _set(tree.district, True, 15, True)  # 0.075 → 0.08
    rows = _rows(tree.province)
    assert rows[tree.province.pk] == (Decimal("0.50"), Decimal("0.00"), Decimal("0.13"), Decimal("0.13"))
    total, retained, remainder = retention.reconciliation(JAN)
    assert (total, retained, remainder) == (Decimal("0.50"), Decimal("0.21"), Decimal("0.29"))
    assert total == retained + remainder


def test_collected_is_by_payment_month_not_bill_month(tree):
    make_member(tree.branch, income=2)
    billing.bills_make(month=DEC)
    billing.bills_make(month=JAN)
    _pay_all(tree.branch, datetime(2026, 1, 31, 23, 0, tzinfo=SH))  # December's and January's, paid in January
    _set(tree.city_a, True, 50, True)
    assert _rows(tree.province)[tree.city_a.pk][:2] == (Decimal("10.00"), Decimal("5.00"))
    assert _rows(tree.province, DEC)[tree.city_a.pk][0] == Decimal("0.00")
    assert _rows(tree.province, FEB)[tree.city_a.pk][0] == Decimal("0.00")


def test_donations_and_unpaid_bills_are_not_collected(tree):
    make_member(tree.branch, income=5)
    billing.bills_make(month=JAN)
    assert retention.reconciliation(JAN) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


# --- settings by the parent -------------------------------------------------------------------------------

def test_parent_sets_a_direct_child_with_an_audit_row(tree):
    retention.retention_set(actor=actor_of(tree.city_a), org=tree.district, retains_dues=True, retention_ratio=30,
                            sub_account_valid=False)
    d = Organization.objects.get(pk=tree.district.pk)
    assert (d.retains_dues, d.retention_ratio, d.sub_account_valid) == (True, 30, False)
    log = AuditLog.objects.get(action="dues.retention_set")
    assert log.organization_id == tree.city_a.pk and log.after["留存比例(%)"] == 30


def test_only_the_direct_parent_sets_retention(tree):
    for actor_org in (tree.province, tree.district, tree.city_b):
        with pytest.raises(ValidationError) as exc:
            retention.retention_set(actor=actor_of(actor_org), org=tree.district, retains_dues=True,
                                    retention_ratio=10, sub_account_valid=True)
        assert retention.ERR_NOT_CHILD in exc.value.messages
    assert Organization.objects.get(pk=tree.district.pk).retention_ratio == 0


@pytest.mark.parametrize("ratio", [-1, 101, "abc", "", None, 12.5])
def test_bad_ratio_is_refused(tree, ratio):
    with pytest.raises(ValidationError) as exc:
        retention.retention_set(actor=actor_of(tree.city_a), org=tree.district, retains_dues=True,
                                retention_ratio=ratio, sub_account_valid=True)
    assert exc.value.message_dict == {"retention_ratio": [retention.ERR_RATIO]}
    assert Organization.objects.get(pk=tree.district.pk).retention_ratio == 0


def test_ratios_along_a_path_sum_to_at_most_100(tree, b_branch):
    _set(tree.province, True, 10, True)
    _set(tree.city_a, True, 20, True)
    _set(tree.committee, True, 30, True)
    # 10 + 20 + 30 + 40 = 100 is allowed on 团总支 …
    retention.retention_set(actor=actor_of(tree.committee), org=tree.general, retains_dues=True, retention_ratio=40,
                            sub_account_valid=True)
    # … but then the branch below may add nothing, and 天河区 (between them) nothing either.
    with pytest.raises(ValidationError) as exc:
        retention.retention_set(actor=actor_of(tree.general), org=tree.branch, retains_dues=True,
                                retention_ratio=1, sub_account_valid=True)
    assert exc.value.message_dict == {"retention_ratio": [retention.ERR_PATH_SUM]}
    with pytest.raises(ValidationError):
        retention.retention_set(actor=actor_of(tree.city_a), org=tree.district, retains_dues=True,
                                retention_ratio=1, sub_account_valid=True)
    # raising 广州市 to 21 would break the deepest path below it
    with pytest.raises(ValidationError):
        retention.retention_set(actor=actor_of(tree.province), org=tree.city_a, retains_dues=True,
                                retention_ratio=21, sub_account_valid=True)
    # a ratio without retention permission does not count; the sibling subtree is independent
    retention.retention_set(actor=actor_of(tree.general), org=tree.branch, retains_dues=False, retention_ratio=50,
                            sub_account_valid=False)
    retention.retention_set(actor=actor_of(tree.province), org=tree.city_b, retains_dues=True, retention_ratio=90,
                            sub_account_valid=True)
    assert Organization.objects.get(pk=tree.city_a.pk).retention_ratio == 20
