"""The branch's review of 报到 (reference §4.1): approve (one or a batch), return, 线下实名验证.
The branch-only guards the other flows share live here too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal import text
from portal.audit import audit_record, register_actions
from services.messaging.models import Message
from services.messaging.services import notify

from .choices import (
    APPROVED_STATES,
    LEFT_STATES,
    RealNameStatus,
    RegistrationStatus,
)
from .models import Member
from .registration import (
    ERR_NOT_ORG_ACTOR,
)

register_actions({
    "member.approve": "团员报到审核通过",
    "member.return": "团员报到退回",
    "member.verify_offline": "团员线下实名验证通过",
})


ERR_NOT_BRANCH = "只有团员所在团支部才能进行此操作"


ERR_REAL_NAME_CHECKING = "该团员的实名认证状态为校验中，暂时无法审核！"


ERR_REAL_NAME_FAILED = "该团员实名校验不通过，请组织对团员身份证号进行核实，核实后可标记为线下验证通过"


ERR_ALREADY_RETURNED = "该团员的报到申请已被退回，您无需再次审核！"


ERR_ALREADY_APPROVED = "该团员状态为审核通过，您无需再次审核！"


ERR_WITHDRAWN = "该团员已撤回报到，无需审核"


ERR_RETURN_REASON = "请输入退回原因（不超过249字）"


ERR_OFFLINE_REASON = "请输入身份证实名通过的理由"


ERR_REAL_NAME_DONE = "该团员已通过实名认证，无需再次验证"


ERR_MEMBER_LEFT_GUARD = ("团员<身份证号：{id}>已被组织设置为{status}状态，不能再对其进行该项操作。"
                         "您可以查看团员资料，或者对团员进行“恢复团籍”后操作。")


def _lock_for_branch(actor, member):
    if not actor.acts_for_org:
        raise PermissionDenied(ERR_NOT_ORG_ACTOR)
    member = Member.objects.select_for_update(of=("self",)).select_related("branch", "user").get(pk=member.pk)
    if member.branch_id != actor.org.pk:
        raise PermissionDenied(ERR_NOT_BRANCH)
    return member


def _guard_left(member):
    if member.league_status in LEFT_STATES:
        raise ValidationError(ERR_MEMBER_LEFT_GUARD.format(id=member.masked_id,
                                                           status=member.get_league_status_display()))


def _check_pending_registration(member):
    if member.registration_status == RegistrationStatus.RETURNED:
        raise ValidationError(ERR_ALREADY_RETURNED)
    if member.registration_status in APPROVED_STATES:
        raise ValidationError(ERR_ALREADY_APPROVED)
    if member.registration_status == RegistrationStatus.WITHDRAWN or member.deleted_at:
        raise ValidationError(ERR_WITHDRAWN)


def _tell_member(member, title, body, link=""):
    if member.user_id:
        notify(recipient=member.user, title=title, body=body, link=link or reverse("members:register_status"),
               level=Message.Level.ORG, sender_org=member.branch)


@transaction.atomic
def member_approve(*, actor, member, now=None):
    member = _lock_for_branch(actor, member)
    _check_pending_registration(member)
    if member.real_name_status == RealNameStatus.CHECKING:
        raise ValidationError(ERR_REAL_NAME_CHECKING)
    if member.real_name_status == RealNameStatus.FAILED:
        raise ValidationError(ERR_REAL_NAME_FAILED)
    member.registration_status = RegistrationStatus.APPROVED
    member.return_reason = ""
    member.reviewed_at = now or timezone.now()
    member.save(update_fields=["registration_status", "return_reason", "reviewed_at", "updated_at"])
    audit_record(actor=actor, action="member.approve", obj=member, after={"报到资料状态": "审核通过"})
    _tell_member(member, "团员报到审核通过",
                 f"您在{member.branch.full_name}的报到申请已审核通过，欢迎使用智慧团建。", link="/m/")
    return member



def _reason(reason, message=ERR_RETURN_REASON, label="退回原因"):
    reason = text.clean_text(reason, label=label, multiline=True, field="reason")
    if not reason or len(reason) > 249:
        raise ValidationError({"reason": message})
    return reason


BATCH_APPROVE_LIMIT = 100


ERR_BATCH_EMPTY = "请选择要审核的团员"


ERR_BATCH_LIMIT = f"一次最多批量审核{BATCH_APPROVE_LIMIT}名团员"


ERR_BATCH_NOT_FOUND = "未找到该团员"


BATCH_OK = "审核通过"


def members_approve_batch(*, actor, member_ids, now=None):
    """批量审核通过 of 报到 (a class branch gets 40 at term start): each member goes through
    :func:`member_approve` in its own transaction, with the same checks, so one refusal does not hold
    back the others. Returns one ``(member or None, id, ok, message)`` line per chosen id, in order."""
    from .selectors import members_by_ids

    ids = list(dict.fromkeys(int(pk) for pk in member_ids))
    if not ids:
        raise ValidationError(ERR_BATCH_EMPTY)
    if len(ids) > BATCH_APPROVE_LIMIT:
        raise ValidationError(ERR_BATCH_LIMIT)
    members = members_by_ids(actor=actor, ids=ids)
    lines = []
    for pk in ids:
        member = members.get(pk)
        if member is None:
            lines.append((None, pk, False, ERR_BATCH_NOT_FOUND))
            continue
        try:
            member_approve(actor=actor, member=member, now=now)
        except (ValidationError, PermissionDenied) as exc:
            lines.append((member, pk, False, "；".join(exc.messages) if hasattr(exc, "messages") else str(exc)))
        else:
            lines.append((member, pk, True, BATCH_OK))
    return lines


@transaction.atomic
def member_return(*, actor, member, reason, now=None):
    reason = _reason(reason)
    member = _lock_for_branch(actor, member)
    _check_pending_registration(member)
    member.registration_status = RegistrationStatus.RETURNED
    member.return_reason = reason
    member.reviewed_at = now or timezone.now()
    member.save(update_fields=["registration_status", "return_reason", "reviewed_at", "updated_at"])
    audit_record(actor=actor, action="member.return", obj=member, after={"报到资料状态": "报到被退回", "退回原因": reason})
    _tell_member(member, "团员报到被退回", f"您的报到资料已被团支部退回，退回原因：{reason}。您可修改后重新提交。")
    return member


@transaction.atomic
def member_verify_offline(*, actor, member, reason):
    """The branch has seen the person's ID card: 线下验证通过 (when no verifier, or it failed)."""
    reason = _reason(reason, ERR_OFFLINE_REASON, label="实名通过理由")
    member = _lock_for_branch(actor, member)
    if member.real_name_status in (RealNameStatus.PASSED, RealNameStatus.OFFLINE):
        raise ValidationError(ERR_REAL_NAME_DONE)
    before = member.get_real_name_status_display()
    member.real_name_status = RealNameStatus.OFFLINE
    member.real_name_reason = reason
    member.save(update_fields=["real_name_status", "real_name_reason", "updated_at"])
    audit_record(actor=actor, action="member.verify_offline", obj=member, before={"实名认证状态": before},
                 after={"实名认证状态": "线下验证通过", "实名通过理由": reason})
    return member
