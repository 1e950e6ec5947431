"""转接申诉 (manual; DESIGN §5): after a return by the incoming side (③ or ④) the member may appeal, within
30 natural days, only against their latest transfer, once; the lowest common ancestor of the two branches
decides. Upheld → the transfer completes into the target branch; rejected → closed, the member may start again.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgtree.models import Organization
from portal import text, uploads
from portal.audit import audit_record
from services.members.models import IN_GOOD_STANDING, Member
from services.members.registration import is_eligible_branch
from services.messaging.models import Message
from services.messaging.services import notify

from . import flow
from .choices import APPEALABLE_STATES, AppealStatus, StepKind
from .models import Appeal, AppealAttachment, Transfer
from .rules import APPEAL_DAYS, APPEAL_MAX_CHARS, APPEAL_MIN_CHARS, appeal_open, common_ancestor_path

ERR_NOT_APPEALABLE = "只有被转入团支部或其上级退回的转接申请才能申诉"
ERR_NOT_LATEST = "只能对最近一次被转入团组织退回的转接申请进行申诉"
ERR_ALREADY = "该转接申请已申诉过，每次退回只能申诉一次"
ERR_WINDOW = f"已超过申诉期限：须在被退回后{APPEAL_DAYS}个自然日内申诉"
ERR_PENDING = "您已有待审核的转接申诉，请等待审核结果"
ERR_REASON = f"请输入申诉理由（{APPEAL_MIN_CHARS}至{APPEAL_MAX_CHARS}字）"
ERR_NOT_MEMBER = "只能对本人的转接申请进行申诉"
ERR_NOT_STANDING = "团籍状态正常的团员才能申诉"
ERR_HANDLED = "该申诉已被处理"
ERR_NOT_REVIEWER = "该申诉由转出、转入团组织的共同上级审核"
ERR_REJECT_REASON = "请输入拒绝理由（不超过249字）"
ERR_CANNOT_COMPLETE = "该团员已不在原团支部、团籍状态已变化或转入团支部已不存在，不能通过申诉完成转接，请拒绝并说明理由"


def common_superior(transfer):
    """The lowest common ancestor of the outgoing and incoming branches, from their tree paths."""
    return Organization.objects.get(path=common_ancestor_path(transfer.from_branch.path, transfer.to_branch.path))


def appeal_problem(member, transfer, now):
    """Why ``member`` cannot appeal ``transfer`` now, or None (the 我要申诉 button and the service agree)."""
    if transfer.member_id != member.pk:
        return ERR_NOT_MEMBER
    if transfer.status not in APPEALABLE_STATES:
        return ERR_NOT_APPEALABLE
    if Appeal.objects.filter(transfer=transfer).exists():
        return ERR_ALREADY
    if Transfer.objects.filter(member_id=member.pk, pk__gt=transfer.pk).exists():
        return ERR_NOT_LATEST
    if not appeal_open(transfer.closed_at, now):
        return ERR_WINDOW
    if Appeal.objects.filter(member_id=member.pk, status=AppealStatus.PENDING).exists():
        return ERR_PENDING
    if not Member.objects.filter(IN_GOOD_STANDING, pk=member.pk).exists():
        return ERR_NOT_STANDING
    return None


@transaction.atomic
def appeal_submit(*, member, transfer, reason, files=(), now=None):
    now = now or timezone.now()
    member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("from_branch", "to_branch").get(pk=transfer.pk)
    if transfer.member_id != member.pk:
        raise PermissionDenied(ERR_NOT_MEMBER)
    if problem := appeal_problem(member, transfer, now):
        raise ValidationError(problem)
    reason = text.clean_text(reason or "", label="申诉理由", multiline=True, field="reason")
    if not APPEAL_MIN_CHARS <= len(reason) <= APPEAL_MAX_CHARS:
        raise ValidationError({"reason": ERR_REASON})
    uploads.validate_evidence(list(files), required=False)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(transfer=transfer, member=member, reviewer=common_superior(transfer),
                                           reason=reason, submitted_at=now)
    except IntegrityError:
        raise ValidationError(ERR_ALREADY) from None
    for f in files:
        AppealAttachment.objects.create(appeal=appeal, file=f, name=f.name[:200])
    flow.log(transfer, kind=StepKind.APPEALED, now=now, actor_label=f"团员 {member.name}", org=appeal.reviewer)
    notify(recipient=appeal.reviewer, title="组织关系接转申诉", level=Message.Level.USER, sender_org=transfer.from_branch,
           body=f"团员{member.name}对其组织关系转接被{transfer.get_status_display()}提出申诉，请在“申诉处理”中审核。",
           link=reverse_appeal(appeal.pk), subject=(flow.SUBJECT_APPEAL, appeal.pk))
    flow.tell_member(Transfer.objects.filter(pk=transfer.pk), title="转接申诉已提交", now=now,
                     body=f"您的转接申诉已提交，由{appeal.reviewer.full_name}审核。申诉期间不能再次发起转接。")
    return appeal


def reverse_appeal(pk):
    from django.urls import reverse

    return reverse("transfers:appeal_detail", args=[pk])


@transaction.atomic
def appeal_decide(*, actor, appeal, upheld, reason="", now=None):
    """The common superior's decision: 通过 completes the transfer into the target branch; 拒绝 (reason
    required) closes the appeal and the member may start again."""
    now = now or timezone.now()
    actor.require_org_actor()
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    if appeal.reviewer_id != actor.org.pk:
        raise PermissionDenied(ERR_NOT_REVIEWER)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError(ERR_HANDLED)
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("member", "to_branch").get(pk=appeal.transfer_id)
    one = Transfer.objects.filter(pk=transfer.pk)
    if upheld:
        movable = Member.objects.filter(IN_GOOD_STANDING, pk=transfer.member_id, branch_id=transfer.from_branch_id)
        if not movable.exists() or not is_eligible_branch(transfer.to_branch):
            raise ValidationError(ERR_CANNOT_COMPLETE)
        appeal.status, reason = AppealStatus.UPHELD, ""
    else:
        reason = text.clean_text(reason or "", label="拒绝理由", multiline=True, field="reason")
        if not reason or len(reason) > 249:
            raise ValidationError({"reason": ERR_REJECT_REASON})
        appeal.status = AppealStatus.REJECTED
    appeal.result_reason, appeal.decided_by, appeal.decided_at = reason, actor.label[:200], now
    appeal.save()
    flow.log(transfer, kind=StepKind.APPEAL_UPHELD if upheld else StepKind.APPEAL_REJECTED, now=now,
             actor_label=actor.label, org=actor.org, reason=reason)
    audit_record(actor=actor, action="transfer.appeal_uphold" if upheld else "transfer.appeal_reject", obj=appeal,
                 after={"申诉结果": appeal.get_status_display(), **({"拒绝理由": reason} if reason else {})})
    if upheld:
        flow.complete_set(one, now=now, actor_label=actor.label)
    else:
        flow.tell_member(one, title="转接申诉未通过", now=now,
                         body=f"您的转接申诉未通过，理由：{reason}。您可以重新发起组织关系转接。")
    return appeal
