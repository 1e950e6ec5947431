"""团籍 (reference §4.3–§4.5): the branch applies for a status change or a deletion with evidence, its
direct parent approves or returns; 恢复团籍 into a branch of the actor's subtree.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from portal import text, uploads
from portal.audit import audit_record, register_actions
from portal.models import User
from services.messaging.models import Message
from services.messaging.services import notify

from . import rules
from .choices import (
    APPROVED_STATES,
    LEFT_STATES,
    PENDING_OF,
    DeletionState,
    LeagueStatus,
    RequestKind,
    RequestState,
)
from .models import Member, MemberRequest, RequestAttachment
from .registration import (
    ERR_NOT_APPROVED,
    ERR_NOT_ORG_ACTOR,
    SUBJECT_REQUEST,
    _list_link,
    is_eligible_branch,
)
from .review import (
    ERR_NOT_BRANCH,
    _guard_left,
    _lock_for_branch,
    _reason,
    _tell_member,
)

register_actions({
    "member.status_apply": "申请团籍变更",
    "member.delete_apply": "申请删除团员",
    "member.request_approve": "审核通过团籍变更/删除申请",
    "member.request_return": "退回团籍变更/删除申请",
    "member.restore": "恢复团籍",
})


ERR_NOT_REVIEWER = "只有申请组织的直接上级组织才能审核"


ERR_STATUS_PENDING = "该团员处于{status}状态，请勿操作"


ERR_STATUS_KIND = "请选择团籍状态"


ERR_STATUS_REASONS = "请选择申请理由"


ERR_DESCRIPTION = "请输入申请说明"


ERR_DESCRIPTION_30 = "请输入申请说明(至少30字)"


ERR_NOT_28 = "该团员未满28周岁，不能申请满28周岁离团"


ERR_ATTACHMENTS = uploads.ERR_REQUIRED


ERR_ATTACHMENT_TYPE = uploads.ERR_TYPE


ERR_ATTACHMENT_SIZE = uploads.ERR_SIZE


ERR_ATTACHMENT_COUNT = uploads.ERR_COUNT


ERR_REQUEST_OPEN = "该团员已有待审核的申请，请勿重复操作"


ERR_DELETE_PENDING = "该团员已处于删除审核中，请勿重复操作"


ERR_DELETE_REASON = "请选择删除理由"


ERR_DELETE_DESCRIPTION = "文字说明不能少于10个汉字"


ERR_REQUEST_DONE = "该申请已审核，无需再次审核"


ERR_NO_PARENT = "该组织没有上级组织，无法提交申请"


ERR_RESTORE_STATE = "只有已离团、脱团、退团、停止团籍或被开除团籍的团员才能恢复团籍"


ERR_RESTORE_BRANCH = "请选择要恢复到的团支部（本组织管辖范围内的团支部）"


MAX_BYTES = uploads.MAX_BYTES


def validate_attachments(files):
    """Reference §7 uploads: mandatory, ≤ 8 images + ≤ 2 PDF, ≤ 5 MB each, by content (portal.uploads)."""
    uploads.validate_evidence(files)


def _parent_of(org):
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    if parent is None:
        raise ValidationError(ERR_NO_PARENT)
    return parent


ERR_TRANSFERRED_OUT = "该团员的组织关系已转出至省外（或非共青团广东省委所辖的团组织），其团员资料在本系统中只读"


def _check_can_apply(member):
    if member.registration_status not in APPROVED_STATES or member.deleted_at:
        raise ValidationError(ERR_NOT_APPROVED)
    if member.transferred_out:  # read-only here after a transfer out (DESIGN §5 Transfers)
        raise ValidationError(ERR_TRANSFERRED_OUT)
    if member.league_status != LeagueStatus.NORMAL:
        raise ValidationError(ERR_STATUS_PENDING.format(status=member.get_league_status_display()))
    if member.deletion_state == DeletionState.PENDING or MemberRequest.objects.filter(
            member=member, state=RequestState.PENDING).exists():
        raise ValidationError(ERR_REQUEST_OPEN)


def _create_request(member, **fields):
    try:
        with transaction.atomic():
            return MemberRequest.objects.create(member=member, **fields)
    except IntegrityError:
        raise ValidationError(ERR_REQUEST_OPEN) from None


@transaction.atomic
def status_apply(*, actor, member, kind, reasons=(), description="", files=(), today=None):
    """The branch applies for 满28周岁离团 / 自行脱团 / 自愿退团 / 开除团籍 (reference §4.4)."""
    today = today or rules.today()
    try:
        kind = RequestKind(int(kind))
    except (TypeError, ValueError):
        raise ValidationError({"kind": ERR_STATUS_KIND}) from None
    if kind == RequestKind.DELETE:
        raise ValidationError({"kind": ERR_STATUS_KIND})
    member = _lock_for_branch(actor, member)
    _check_can_apply(member)
    description = text.clean_text(description, label="申请说明", multiline=True, field="description")
    reasons = sorted({int(r) for r in reasons or ()})
    if kind == RequestKind.AGED_OUT:
        if member.age_on(today) < 28:
            raise ValidationError({"kind": ERR_NOT_28})
        if not description:
            raise ValidationError({"description": ERR_DESCRIPTION})
        reasons = []
    else:
        if kind == RequestKind.LAPSED and not reasons:
            raise ValidationError({"reasons": ERR_STATUS_REASONS})
        if len(description) < 30:
            raise ValidationError({"description": ERR_DESCRIPTION_30})
        if kind != RequestKind.LAPSED:
            reasons = []
    validate_attachments(files)
    reviewer = _parent_of(member.branch)
    request = _create_request(member, kind=kind, branch=member.branch, reviewer=reviewer, reasons=reasons,
                              description=description, applied_by=actor.label[:200])
    for f in files:
        RequestAttachment.objects.create(request=request, file=f, name=f.name[:200])
    member.league_status = PENDING_OF[LeagueStatus(kind.value)]
    member.save(update_fields=["league_status", "updated_at"])
    audit_record(actor=actor, action="member.status_apply", obj=member,
                 after={"申请类型": kind.label, "申请说明": description[:200]})
    notify(recipient=reviewer, title=f"{kind.label}审核通知", level=Message.Level.ORG, sender_org=member.branch,
           body=f"{member.branch.full_name}申请将团员{member.name}设为“{kind.label}”，请审核。",
           link=reverse("members:request_list"), subject=(SUBJECT_REQUEST, request.pk))
    return request


@transaction.atomic
def deletion_apply(*, actor, member, reason, description):
    """申请删除 a wrongly registered member (reference §4.3)."""
    member = _lock_for_branch(actor, member)
    if member.deletion_state == DeletionState.PENDING:
        raise ValidationError(ERR_DELETE_PENDING)
    _guard_left(member)
    _check_can_apply(member)
    try:
        reason = int(reason)
        from .choices import DeletionReason
        DeletionReason(reason)
    except (TypeError, ValueError):
        raise ValidationError({"reason": ERR_DELETE_REASON}) from None
    description = text.clean_text(description, label="申请说明", multiline=True, field="description")
    if rules.real_len(description) < 20:
        raise ValidationError({"description": ERR_DELETE_DESCRIPTION})
    reviewer = _parent_of(member.branch)
    request = _create_request(member, kind=RequestKind.DELETE, branch=member.branch, reviewer=reviewer,
                              deletion_reason=reason, description=description, applied_by=actor.label[:200])
    member.deletion_state = DeletionState.PENDING
    member.save(update_fields=["deletion_state", "updated_at"])
    audit_record(actor=actor, action="member.delete_apply", obj=member,
                 after={"删除理由": request.get_deletion_reason_display(), "文字说明": description[:200]})
    notify(recipient=reviewer, title="删除团员审核通知", level=Message.Level.ORG, sender_org=member.branch,
           body=f"{member.branch.full_name}申请删除团员{member.name}（报到错误），请审核。",
           link=reverse("members:request_list"), subject=(SUBJECT_REQUEST, request.pk))
    return request


def _lock_request(actor, request):
    if not actor.acts_for_org:
        raise PermissionDenied(ERR_NOT_ORG_ACTOR)
    request = MemberRequest.objects.select_for_update(of=("self",)).select_related("member", "branch").get(pk=request.pk)
    if request.reviewer_id != actor.org.pk:
        raise PermissionDenied(ERR_NOT_REVIEWER)
    if request.state != RequestState.PENDING:
        raise ValidationError(ERR_REQUEST_DONE)
    return request


@transaction.atomic
def request_approve(*, actor, request, now=None):
    now = now or timezone.now()
    request = _lock_request(actor, request)
    member = Member.objects.select_for_update().get(pk=request.member_id)
    request.state, request.reviewed_at, request.reviewed_by = RequestState.APPROVED, now, actor.label[:200]
    request.save(update_fields=["state", "reviewed_at", "reviewed_by"])
    if request.kind == RequestKind.DELETE:
        user = member.user
        member.deleted_at, member.user = now, None
        member.save(update_fields=["deleted_at", "user", "updated_at"])
        if user is not None:
            notify(recipient=user, title="团员资料已删除", level=Message.Level.ORG, sender_org=request.branch,
                   body="您在原团支部的报到资料因报到错误已被删除，请重新报到到正确的团支部。",
                   link=reverse("mobile:member_register"))
    else:
        member.league_status = LeagueStatus(request.kind)
        member.left_on = timezone.localdate(now)
        member.save(update_fields=["league_status", "left_on", "updated_at"])
        _tell_member(member, f"{request.get_kind_display()}通知",
                     f"经上级组织审核，您的团籍状态已变更为“{request.get_kind_display()}”。", link="/m/")
    audit_record(actor=actor, action="member.request_approve", obj=member,
                 after={"申请类型": request.get_kind_display(), "审核结果": "通过"})
    notify(recipient=request.branch, title=f"{request.get_kind_display()}申请已通过", level=Message.Level.ORG,
           sender_org=actor.org, body=f"团员{member.name}的“{request.get_kind_display()}”申请已由上级组织审核通过。",
           link=_list_link())
    return request


@transaction.atomic
def request_return(*, actor, request, reason, now=None):
    reason = _reason(reason)
    request = _lock_request(actor, request)
    member = Member.objects.select_for_update().get(pk=request.member_id)
    request.state, request.return_reason = RequestState.RETURNED, reason
    request.reviewed_at, request.reviewed_by = now or timezone.now(), actor.label[:200]
    request.save(update_fields=["state", "return_reason", "reviewed_at", "reviewed_by"])
    if request.kind == RequestKind.DELETE:
        member.deletion_state = DeletionState.RETURNED
        member.save(update_fields=["deletion_state", "updated_at"])
    else:
        member.league_status = LeagueStatus.NORMAL
        member.save(update_fields=["league_status", "updated_at"])
    audit_record(actor=actor, action="member.request_return", obj=member,
                 after={"申请类型": request.get_kind_display(), "审核结果": "退回", "退回原因": reason})
    notify(recipient=request.branch, title=f"{request.get_kind_display()}申请被退回", level=Message.Level.ORG,
           sender_org=actor.org, body=f"团员{member.name}的“{request.get_kind_display()}”申请被上级组织退回：{reason}",
           link=_list_link())
    return request


@transaction.atomic
def member_restore(*, actor, member, branch):
    """恢复团籍 into a chosen branch of the actor's subtree (reference §4.5)."""
    if not actor.acts_for_org:
        raise PermissionDenied(ERR_NOT_ORG_ACTOR)
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    if not member.branch.path.startswith(actor.org.path):
        raise PermissionDenied(ERR_NOT_BRANCH)
    if member.league_status not in LEFT_STATES or member.deleted_at:
        raise ValidationError(ERR_RESTORE_STATE)
    if branch is None or not is_eligible_branch(branch) or not branch.path.startswith(actor.org.path):
        raise ValidationError({"branch": ERR_RESTORE_BRANCH})
    before = {"团籍状态": member.get_league_status_display(), "所在团支部": member.branch.full_name}
    member.league_status, member.left_on, member.age_out_run = LeagueStatus.NORMAL, None, None
    member.branch = branch
    member.save(update_fields=["league_status", "left_on", "age_out_run", "branch", "updated_at"])
    if member.user_id:
        User.objects.filter(pk=member.user_id).update(organization=branch)
    audit_record(actor=actor, action="member.restore", obj=member, before=before,
                 after={"团籍状态": "正常", "所在团支部": branch.full_name})
    _tell_member(member, "恢复团籍通知", f"您的团籍已恢复，所在团支部为{branch.full_name}。", link="/m/")
    if branch.pk != actor.org.pk:
        notify(recipient=branch, title="恢复团籍通知", level=Message.Level.ORG, sender_org=actor.org,
               body=f"{actor.org.full_name}已将团员{member.name}恢复团籍并转入本团支部。", link=_list_link())
    return member
