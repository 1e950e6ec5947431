"""The hourly auto-approval (manual tips; DESIGN §6): stage ③ after 30 natural days, stage ④ after 72 hours.

One set-based sweep with an explicit as-of time: conditional ``UPDATE``s mark the due transfers with this
run, ``INSERT … SELECT`` writes their 系统自动通过 steps, completion moves the members in one statement,
and the notices go through the bulk path. Idempotent: a second run with the same as-of finds nothing due
(③ → ④ restarts the clock, completed transfers are closed). A transfer whose member can no longer move
(left, deleted, not in the outgoing branch any more) is left for its reviewer to return.
"""

import logging
import time

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from services.members.models import IN_GOOD_STANDING, Member

from . import flow
from .choices import STAGE_LABELS, StepKind, TransferStatus
from .models import SweepRun, Transfer
from .rules import DUE_AFTER

logger = logging.getLogger(__name__)
AUTO_LABEL = "系统自动通过"


def movable():
    """Transfers whose member is still in the outgoing branch and in good standing."""
    return Exists(Member.objects.filter(IN_GOOD_STANDING, pk=OuterRef("member_id"), branch_id=OuterRef("from_branch_id")))


@transaction.atomic
def transfers_auto_approve(*, as_of):
    started = time.monotonic()
    run = SweepRun.objects.create(as_of=as_of)
    # ④ 转入团支部的上级, 72 hours: completion.
    n4 = Transfer.objects.filter(movable(), status=TransferStatus.IN_PARENT, due_at__lte=as_of).update(sweep_run=run)
    if n4:
        rows4 = Transfer.objects.filter(sweep_run=run, status=TransferStatus.IN_PARENT)
        flow.log_set(rows4, stage=4, kind=StepKind.AUTO_APPROVED, now=as_of, org_field="to_parent_id",
                     actor_label=AUTO_LABEL, reason="转入团支部的上级72小时内未审核，系统自动通过")
        flow.complete_set(rows4, now=as_of, actor_label="系统")
    # ③ 转入团支部, 30 natural days: on to ④, or completion when ② already was the incoming parent.
    due3 = Transfer.objects.filter(status=TransferStatus.IN_BRANCH, due_at__lte=as_of)
    n3 = (due3.exclude(to_parent_id=F("from_parent_id")).update(sweep_run=run)
          + due3.filter(movable(), to_parent_id=F("from_parent_id")).update(sweep_run=run))
    completed = n4
    if n3:
        rows3 = Transfer.objects.filter(sweep_run=run, status=TransferStatus.IN_BRANCH)
        flow.log_set(rows3, stage=3, kind=StepKind.AUTO_APPROVED, now=as_of, org_field="to_branch_id",
                     actor_label=AUTO_LABEL, reason="转入团支部30个自然日内未审核，系统自动通过")
        same = rows3.filter(to_parent_id=F("from_parent_id"))
        completed += flow.complete_set(same, now=as_of, actor_label="系统")
        onward = Transfer.objects.filter(sweep_run=run, status=TransferStatus.IN_BRANCH)
        flow.tell_next_reviewer(onward, 4, now=as_of)
        flow.tell_member(onward, title="组织关系转接进度", now=as_of,
                         body=f"转入团支部30个自然日内未审核，系统已自动通过，现由{STAGE_LABELS[4]}审核。")
        onward.update(status=TransferStatus.IN_PARENT, reviewer_id=F("to_parent_id"), stage_since=as_of,
                      due_at=as_of + DUE_AFTER[4])
    run.in_parent, run.in_branch, run.completed = n4, n3, completed
    run.seconds = time.monotonic() - started
    run.save(update_fields=["in_parent", "in_branch", "completed", "seconds"])
    logger.info("transfers_auto_approve as of %s: %s at ③, %s at ④, %s completed, %.2fs",
                as_of, n3, n4, completed, run.seconds)
    return run
