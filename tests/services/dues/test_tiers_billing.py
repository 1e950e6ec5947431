"""Tiers as data, the monthly bills, and the arrears hook the 满28 job reads."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from services.dues import billing, tiers
from services.dues.models import BillingRun, DuesBill, DuesTier
from services.members import aging, profile
from services.members.models import Member

from ...factories import actor_of, make_member

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.mark.parametrize("income, amount", [(6, "0.20"), (7, "0.50"), (1, "3.00"), (2, "5.00"), (3, "10.00"),
                                            (4, "15.00"), (5, "20.00")])
def test_every_default_tier_is_billed_at_its_amount(tree, income, amount):
    m = make_member(tree.branch, income=income)
    billing.bills_make(month=JAN)
    bill = DuesBill.objects.get(member=m)
    assert bill.amount == Decimal(amount) and isinstance(bill.amount, Decimal)
    assert bill.tier_name == tiers.DEFAULTS[income][0]
    assert DuesTier.objects.get(income=income).amount == Decimal(amount)


@pytest.mark.parametrize("political", [2, 3])
def test_party_members_owe_nothing(tree, political):
    m = make_member(tree.branch, income=5, political_status=political)
    billing.bills_make(month=JAN)
    assert not DuesBill.objects.filter(member=m).exists()
    assert billing.arrears_of(m) == (0, Decimal("0.00"))
    assert tiers.amount_for(m) == Decimal("0.00")


def test_billing_is_idempotent_and_one_bill_per_member_and_month(tree):
    a, b = make_member(tree.branch), make_member(tree.branch, income=3)
    run = billing.bills_make(month=date(2026, 1, 15))
    assert run.month == JAN and run.bills == 2
    again = billing.bills_make(month=JAN)
    assert again.pk == run.pk and DuesBill.objects.count() == 2
    assert BillingRun.objects.count() == 1
    assert {bill.member_id: bill.branch_id for bill in DuesBill.objects.all()} == {a.pk: tree.branch.pk,
                                                                                    b.pk: tree.branch.pk}


def test_member_approved_mid_month_is_billed_from_next_month(tree):
    early = make_member(tree.branch)
    with time_machine.travel(datetime(2026, 1, 1, 0, 30, tzinfo=SH)):
        billing.bills_make(month=JAN)
    with time_machine.travel(datetime(2026, 1, 15, 10, tzinfo=SH)):
        late = make_member(tree.branch)
        billing.bills_make(month=JAN)  # a rerun of January bills nobody new
    assert list(DuesBill.objects.filter(month=JAN).values_list("member_id", flat=True)) == [early.pk]
    billing.bills_make(month=FEB)
    assert set(DuesBill.objects.filter(month=FEB).values_list("member_id", flat=True)) == {early.pk, late.pk}


def test_pending_and_unapproved_and_left_members_are_not_billed(tree):
    pending = make_member(tree.branch, approved=False)
    gone = make_member(tree.branch)
    Member.objects.filter(pk=gone.pk).update(transferred_out_at=datetime(2025, 12, 1, tzinfo=SH))
    billing.bills_make(month=JAN)
    assert not DuesBill.objects.filter(member__in=[pending, gone]).exists()


def test_a_pending_profile_change_does_not_count_until_approved(tree):
    m = make_member(tree.branch, income=1)
    profile.member_profile_update(member=m, group="reviewed", data={"income": 5, "political_status": 1, "is_cadre": False})
    m.refresh_from_db()
    assert m.registration_status == 4 and m.income == 1
    billing.bills_make(month=JAN)
    assert DuesBill.objects.get(member=m, month=JAN).amount == Decimal("3.00")
    profile.change_approve(actor=actor_of(tree.branch), member=m)
    billing.bills_make(month=FEB)
    assert DuesBill.objects.get(member=m, month=FEB).amount == Decimal("20.00")


def test_tier_update_by_the_province_applies_to_the_next_bill(tree):
    m = make_member(tree.branch, income=6)
    billing.bills_make(month=JAN)
    tier = DuesTier.objects.get(income=6)
    tiers.tier_update(actor=actor_of(tree.province), tier=tier, amount="0.30")
    billing.bills_make(month=FEB)
    assert [b.amount for b in DuesBill.objects.filter(member=m).order_by("month")] == [Decimal("0.20"), Decimal("0.30")]


@pytest.mark.parametrize("amount", ["1000", "-1", "abc", "0.123", "NaN", "1e5"])
def test_tier_update_refuses_bad_amounts(tree, amount):
    tier = DuesTier.objects.get(income=1)
    with pytest.raises(ValidationError) as exc:
        tiers.tier_update(actor=actor_of(tree.province), tier=tier, amount=amount)
    assert tiers.ERR_AMOUNT in str(exc.value)
    assert DuesTier.objects.get(income=1).amount == Decimal("3.00")


def test_only_the_province_edits_tiers(tree):
    with pytest.raises(ValidationError) as exc:
        tiers.tier_update(actor=actor_of(tree.city_a), tier=DuesTier.objects.get(income=1), amount="4")
    assert tiers.ERR_PROVINCE_ONLY in exc.value.messages
    assert DuesTier.objects.get(income=1).amount == Decimal("3.00")


def test_bill_stays_with_the_old_branch_across_a_transfer(tree, branch2):
    m = make_member(tree.branch)
    billing.bills_make(month=JAN)
    # Transfers are built in parallel (services.transfers); moving the member's branch directly is
    # what their completion does to the record.
    Member.objects.filter(pk=m.pk).update(branch=branch2)
    billing.bills_make(month=FEB)
    owners = dict(DuesBill.objects.filter(member=m).values_list("month", "branch_id"))
    assert owners == {JAN: tree.branch.pk, FEB: branch2.pk}
    assert billing.arrears_of(m) == (2, Decimal("6.00"))  # arrears follow the member; January's stays with the old branch


def test_arrears_hook_is_registered_once_and_reads_unpaid_bills(tree):
    assert aging._arrears.count(billing.arrears_q) == 1
    owes, paid = make_member(tree.branch), make_member(tree.branch)
    billing.bills_make(month=JAN)
    DuesBill.objects.filter(member=paid).update(paid_at=datetime(2026, 1, 2, tzinfo=SH), paid_via=2)
    assert set(Member.objects.filter(aging.arrears_q()).values_list("pk", flat=True)) == {owes.pk}


def test_age_out_holds_back_a_member_with_one_unpaid_bill(tree):
    owes = make_member(tree.branch, birth="19980110")
    clear = make_member(tree.branch, birth="19980110")
    billing.bills_make(month=JAN)
    DuesBill.objects.filter(member=clear).update(paid_at=datetime(2026, 1, 2, tzinfo=SH), paid_via=2)
    run = aging.age_out(as_of=date(2026, 2, 1))
    owes.refresh_from_db()
    clear.refresh_from_db()
    assert owes.league_status == 0 and clear.league_status == 2
    assert run.held_back == 1 and run.aged_out == 1


def test_billing_job_is_a_django_q_schedule():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="dues.bills_monthly")
    assert schedule.func == "services.dues.tasks.bills_monthly" and schedule.schedule_type == "M"
    assert Schedule.objects.filter(name="dues.orders_sync", func="services.dues.tasks.orders_sync").exists()


def test_monthly_task_makes_bills_statistics_and_reminders(tree):
    from services.dues import tasks
    from services.dues.models import MonthStat

    make_member(tree.branch)
    make_member(tree.branch, political_status=2)  # counted among the members, owes nothing
    make_member(tree.branch, approved=False)  # not yet a member
    result = tasks.bills_monthly("2026-01-01")
    assert result == {"month": "2026-01-01", "bills": 1, "reminded": 1}
    stat = MonthStat.objects.get(org=tree.province, month=JAN)
    assert (stat.members, stat.billed, stat.paid, stat.billed_amount) == (2, 1, 0, Decimal("3.00"))
    assert MonthStat.objects.get(org=tree.branch, month=JAN).members == 2
    assert not MonthStat.objects.filter(org=tree.city_b, month=JAN).exists()
    assert tasks.bills_monthly("2026-01-01")["bills"] == 1  # the run of January, unchanged


def test_demo_dues_are_this_and_last_months_bills_once(tree):
    from services.dues.demo import seed_dues_demo

    m = make_member(tree.branch)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=SH)):
        seed_dues_demo()
        seed_dues_demo()
    assert sorted(DuesBill.objects.filter(member=m).values_list("month", flat=True)) == [FEB, MAR]


def test_with_every_tier_at_zero_the_month_bills_nobody_without_failing(tree):
    make_member(tree.branch, income=2)
    DuesTier.objects.update(amount=0)
    run = billing.bills_make(month=JAN)
    assert run.bills == 0 and not DuesBill.objects.exists()
