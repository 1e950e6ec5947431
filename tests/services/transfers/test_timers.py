"""The hourly auto-approval: ③ after 30 natural days, ④ after 72 hours, driven explicitly; idempotent."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from services.members.models import Member
from services.transfers import review, start, tasks, timers
from services.transfers.choices import StepKind, TransferStatus
from services.transfers.models import Transfer

from ...factories import actor_of
from .conftest import application


def _at_stage_three(w, target, when):
    with time_machine.travel(when, tick=False):
        t = start.transfer_apply(member=w.member, data=application(target))
        t = review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
        return review.transfer_approve(actor=actor_of(w.p_jia), transfer=t, stage=2)


def test_stage_three_after_thirty_days_then_stage_four_after_72_hours(w):
    t0 = timezone.now().replace(microsecond=0)
    t = _at_stage_three(w, w.bing1, t0)
    assert t.due_at == t0 + timedelta(days=30)
    run = timers.transfers_auto_approve(as_of=t0 + timedelta(days=29, hours=23))
    assert run.in_branch == 0
    assert Transfer.objects.get(pk=t.pk).status == TransferStatus.IN_BRANCH
    at30 = t0 + timedelta(days=30)
    run = timers.transfers_auto_approve(as_of=at30)
    assert (run.in_branch, run.in_parent, run.completed) == (1, 0, 0)
    t.refresh_from_db()
    assert (t.status, t.reviewer_id, t.due_at) == (TransferStatus.IN_PARENT, w.p_bing.pk, at30 + timedelta(hours=72))
    step = t.steps.get(kind=StepKind.AUTO_APPROVED)
    assert (step.stage, step.org_id, step.actor_label) == (3, w.bing1.pk, "系统自动通过")
    # a second sweep at the same time changes nothing
    again = timers.transfers_auto_approve(as_of=at30)
    assert (again.in_branch, again.in_parent, again.completed) == (0, 0, 0)
    assert t.steps.count() == 4
    # ④: 71 h not yet, 72 h yes
    assert timers.transfers_auto_approve(as_of=at30 + timedelta(hours=71)).in_parent == 0
    run = timers.transfers_auto_approve(as_of=at30 + timedelta(hours=72))
    assert (run.in_parent, run.completed) == (1, 1)
    t.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED
    assert Member.objects.get(pk=w.member.pk).branch_id == w.bing1.pk
    assert list(t.steps.values_list("stage", "kind"))[-2:] == [(4, StepKind.AUTO_APPROVED), (0, StepKind.COMPLETED)]
    assert timers.transfers_auto_approve(as_of=at30 + timedelta(hours=73)).completed == 0


def test_same_parent_completes_at_the_stage_three_timer(w):
    t0 = timezone.now().replace(microsecond=0)
    t = _at_stage_three(w, w.jia2, t0)
    run = timers.transfers_auto_approve(as_of=t0 + timedelta(days=30))
    assert (run.in_branch, run.completed) == (1, 1)
    assert Transfer.objects.get(pk=t.pk).status == TransferStatus.COMPLETED
    assert Member.objects.get(pk=w.member.pk).branch_id == w.jia2.pk


def test_a_member_who_left_is_not_moved_by_the_timer(w):
    t0 = timezone.now().replace(microsecond=0)
    t = _at_stage_three(w, w.jia2, t0)
    Member.objects.filter(pk=w.member.pk).update(league_status=6, left_on=t0.date())
    run = timers.transfers_auto_approve(as_of=t0 + timedelta(days=31))
    assert run.completed == 0
    assert Transfer.objects.get(pk=t.pk).status == TransferStatus.IN_BRANCH
    assert Member.objects.get(pk=w.member.pk).branch_id == w.jia1.pk


def test_the_task_and_its_hourly_schedule(w):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="transfers.auto_approve_hourly")
    assert (schedule.func, schedule.schedule_type) == ("services.transfers.tasks.transfers_hourly", Schedule.HOURLY)
    t0 = timezone.now().replace(microsecond=0)
    _at_stage_three(w, w.bing1, t0)
    result = tasks.transfers_hourly((t0 + timedelta(days=30)).isoformat())
    assert result["in_branch"] == 1


@pytest.mark.parametrize("hours", [0, 1])
def test_deadline_is_shown_on_the_record(w, client, hours):
    from ...factories import login

    t0 = timezone.now().replace(microsecond=0)
    t = _at_stage_three(w, w.bing1, t0 - timedelta(hours=hours))
    login(client, w.bing1)
    page = client.get(f"/manage/transfers/{t.pk}/").content.decode()
    assert timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M") in page
    assert "系统将自动审核通过" in page
