"""The four stages' review (reference §4.6): ① 转出团支部 → ② 其上级 → ③ 转入团支部 → ④ 其上级, approve or
return with a reason, one or a batch. When ② and ④ are the same org it reviews once (at ②, DESIGN §5).
An out-of-province transfer closes as 已转出 after ②.

Two reviewers acting on one stage at once: the transfer's row is locked and the stage the reviewer saw is
checked under the lock, so one wins and the other is told 已被处理; completion happens exactly once.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal import text
from portal.audit import audit_record
from services.members.models import Member

from . import flow
from .choices import RETURNED_AT, REVIEW_STATES, STAGE_LABELS, STAGE_OF, StepKind, TransferStatus
from .models import Transfer

ERR_HANDLED = flow.ERR_HANDLED
ERR_NOT_REVIEWER = "当前环节不由本组织审核"
ERR_RETURN_REASON = "请输入退回原因（不超过249字）"
ERR_MEMBER_MOVED = "该团员已不在转出团支部（或团籍状态已变化），不能完成转接，请退回该申请"
ERR_NO_SELECTION = "请选择要审核的转接申请"
BATCH_LIMIT = 100


def _lock(actor, transfer, stage):
    """The transfer locked for ``actor``'s review of ``stage`` (the stage the reviewer saw)."""
    actor.require_org_actor()
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("member").get(pk=transfer.pk)
    current = STAGE_OF.get(transfer.status)
    if current is None or (stage is not None and current != int(stage)):
        raise ValidationError(ERR_HANDLED)
    if transfer.reviewer_id != actor.org.pk:
        if stage is not None:
            raise ValidationError(ERR_HANDLED)
        raise PermissionDenied(ERR_NOT_REVIEWER)
    return transfer, current


def _still_movable(transfer):
    """The member is still in the outgoing branch and in good standing (else completion must not move them)."""
    from services.members.models import IN_GOOD_STANDING

    return Member.objects.filter(IN_GOOD_STANDING, pk=transfer.member_id, branch_id=transfer.from_branch_id).exists()


def advance(transfer, stage, *, now, kind, actor_label, org_id):
    """After ``stage`` was approved (by a reviewer or the timer): the next stage, 已转出 or 接转成功."""
    flow.log(transfer, stage=stage, kind=kind, now=now, actor_label=actor_label, org_id=org_id)
    one = Transfer.objects.filter(pk=transfer.pk)
    if stage == 2 and transfer.out_of_province:
        _transfer_out(transfer, now=now)
        return transfer
    if (stage == 3 and transfer.collapsed) or stage == 4:
        if not _still_movable(transfer):
            raise ValidationError(ERR_MEMBER_MOVED)
        flow.complete_set(one, now=now, actor_label="系统")
        transfer.refresh_from_db()
        return transfer
    flow.enter_stage(transfer, stage + 1, now)
    transfer.save()
    flow.tell_next_reviewer(one, stage + 1, now=now)
    flow.tell_member(one, title="组织关系转接进度",
                     body=f"您的组织关系转接申请已通过{STAGE_LABELS[stage]}审核，"
                          f"现由{STAGE_LABELS[stage + 1]}审核。", now=now)
    return transfer


def _transfer_out(transfer, *, now):
    """Out of province after ②: the record closes as 已转出 and the member becomes read-only here."""
    flow.close(transfer, TransferStatus.TRANSFERRED_OUT, now)
    transfer.save()
    Member.objects.filter(pk=transfer.member_id).update(transferred_out_at=now, updated_at=now)
    flow.log(transfer, kind=StepKind.TRANSFERRED_OUT, now=now, actor_label="系统",
             reason=f"{transfer.out_province} {transfer.out_org}")
    one = Transfer.objects.filter(pk=transfer.pk)
    flow.tell_member(one, title="组织关系已转出", now=now,
                     body=f"您的组织关系已转出至{transfer.out_province}{transfer.out_org}，请联系转入团组织在当地系统办理接收。"
                          "转出后本系统中的团员信息不能再修改；今后如回到广东，可申请将组织关系转回省内。")
    flow.tell_orgs(one, org_field="from_branch", title="团员组织关系已转出", now=now,
                   body=flow.name_body("团员", f"的组织关系已转出至{transfer.out_province}{transfer.out_org}。"))


@transaction.atomic
def transfer_approve(*, actor, transfer, stage=None, now=None):
    """同意 at the actor's stage. ``stage`` is the stage the reviewer saw (views always pass it)."""
    now = now or timezone.now()
    transfer, current = _lock(actor, transfer, stage)
    audit_record(actor=actor, action="transfer.approve", obj=transfer, after={"环节": STAGE_LABELS[current]})
    return advance(transfer, current, now=now, kind=StepKind.APPROVED, actor_label=actor.label, org_id=actor.org.pk)


@transaction.atomic
def transfer_return(*, actor, transfer, reason, stage=None, now=None):
    """退回 with a reason: the process ends (the member may start again, or appeal a return at ③ / ④)."""
    now = now or timezone.now()
    transfer, current = _lock(actor, transfer, stage)
    reason = text.clean_text(reason or "", label="退回原因", multiline=True, field="reason")
    if not reason or len(reason) > 249:
        raise ValidationError({"reason": ERR_RETURN_REASON})
    flow.close(transfer, RETURNED_AT[current], now)
    transfer.return_reason = reason
    transfer.save()
    flow.log(transfer, stage=current, kind=StepKind.RETURNED, now=now, actor_label=actor.label, reason=reason,
             org=actor.org)
    audit_record(actor=actor, action="transfer.return", obj=transfer,
                 after={"环节": STAGE_LABELS[current], "退回原因": reason})
    one = Transfer.objects.filter(pk=transfer.pk)
    appeal = "如认为退回不当，可在30个自然日内在转接记录中提出申诉。" if current >= 3 else "您可以重新发起组织关系转接。"
    flow.tell_member(one, title="组织关系转接被退回", now=now,
                     body=f"您的组织关系转接申请被{STAGE_LABELS[current]}退回，退回原因：{reason}。{appeal}")
    if transfer.applicant == 1 and current > 1:
        flow.tell_orgs(one, org_field="from_branch", title="组织关系转接被退回", now=now,
                       body=flow.name_body("本支部为团员", f"发起的组织关系转接被{STAGE_LABELS[current]}退回：{reason}"))
    return transfer


def transfer_review_batch(*, actor, ids, approve, reason="", now=None):
    """批量同意 / 批量退回 of the transfers awaiting the actor: each in its own transaction, so one that
    another reviewer handled meanwhile is reported (已被处理) and the others go through.
    Returns ``(done, [(transfer, message)])``."""
    actor.require_org_actor()
    ids = list(dict.fromkeys(ids or ()))
    if not ids:
        raise ValidationError(ERR_NO_SELECTION)
    if len(ids) > BATCH_LIMIT:
        raise ValidationError(f"一次最多审核{BATCH_LIMIT}条")
    if not approve:
        reason = text.clean_text(reason or "", label="退回原因", multiline=True, field="reason")
        if not reason or len(reason) > 249:
            raise ValidationError({"reason": ERR_RETURN_REASON})
    rows = list(Transfer.objects.filter(pk__in=ids, reviewer=actor.org, status__in=REVIEW_STATES)
                .select_related("member"))
    done, failed = 0, []
    for t in rows:  # bounded by BATCH_LIMIT
        try:
            if approve:
                transfer_approve(actor=actor, transfer=t, stage=STAGE_OF[t.status], now=now)
            else:
                transfer_return(actor=actor, transfer=t, stage=STAGE_OF[t.status], reason=reason, now=now)
        except ValidationError as exc:
            failed.append((t, "；".join(exc.messages)))
        else:
            done += 1
    missing = len(ids) - len(rows)
    if missing:
        failed.append((None, f"{missing}条申请{ERR_HANDLED.removeprefix('该转接申请')}或不由本组织审核"))
    return done, failed
