"""Starting a transfer (by the member on /m/, or by the member's branch for one member or a batch), the
member's confirmation of a branch-initiated one, and withdrawal by the initiator (reference §4.6)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from orgtree.models import Organization
from orgtree.selectors import org_parent
from portal import text
from portal.audit import audit_record, register_actions
from services.members.aging import arrears_q
from services.members.choices import APPROVED_STATES, LeagueStatus
from services.members.models import IN_GOOD_STANDING, Member
from services.members.registration import is_eligible_branch
from services.messaging.models import Message
from services.messaging.services import notify

from . import ancestry, flow
from .choices import (
    CHINESE_PROVINCES,
    OPEN_STATES,
    WITHDRAWABLE_STATES,
    AppealStatus,
    Applicant,
    StepKind,
    TransferReason,
    TransferStatus,
    TransferType,
)
from .models import Appeal, Transfer
from .rules import OTHER_REASON_MIN_CHARS, confirmation_exempt

register_actions({
    "transfer.start": "发起组织关系转接",
    "transfer.withdraw": "撤回组织关系转接",
    "transfer.approve": "组织关系转接审核同意",
    "transfer.return": "组织关系转接审核退回",
    "transfer.appeal_uphold": "转接申诉审核通过",
    "transfer.appeal_reject": "转接申诉审核拒绝",
})

ERR_NOT_APPROVED = "{name}的报到资料尚未审核通过，不能办理组织关系转接"
ERR_NOT_NORMAL = "{name}的团籍状态为“{status}”，只有团籍状态正常的团员才能办理组织关系转接"
ERR_TRANSFERRED_OUT = "{name}的组织关系已转出至省外（或非共青团广东省委所辖的团组织），不能在本系统办理转接"
ERR_OPEN = "{name}已有正在办理的组织关系转接，请等待办理结果，或撤回后重新发起"
ERR_APPEAL_PENDING = "{name}的转接申诉正在审核中，申诉期间不能再次发起转接"
ERR_ARREARS = "{name}尚有欠交的团费：须交清当月及所有历史欠交团费，方可进行组织关系转接"
ERR_SAME_BRANCH = "转入团支部不能是团员当前所在的团支部"
ERR_TARGET_NOT_FOUND = "未找到该团支部，请输入转入团支部的全称或组织ID"
ERR_TARGET_NOT_BRANCH = "转入组织须为共青团广东省委所辖的团支部"
ERR_TARGET_REQUIRED = "请输入转入团支部的全称或组织ID"
ERR_DESTINATION = "请填写学习/工作去向（不超过99字）"
ERR_REASON = "请选择转出原因"
ERR_REASON_OTHER = f"请填写其他原因（{OTHER_REASON_MIN_CHARS}至249字）"
ERR_PROVINCE = "请选择转入省份"
ERR_OUT_ORG = "请填写转入团组织名称（不超过99字）"
ERR_OUT_MEMBER_ONLY = "转至非共青团广东省委所辖的团组织只能由团员本人申请"
ERR_NOT_OWN_BRANCH = "只能为本支部的团员发起组织关系转出申请"
ERR_BRANCH_ONLY = "只有团支部才能代团员发起组织关系转接"
ERR_NO_MEMBERS = "请选择要转出的团员"
ERR_BATCH_LIMIT = "一次最多为100名团员发起转接"
ERR_NOT_AWAITING = "该转接申请不在待团员确认状态"
ERR_WITHDRAW_REASON = "请输入撤回原因（不超过249字）"
ERR_WITHDRAW_STATE = "转入团支部的上级已审核通过或转接已结束，不能撤回"
ERR_WITHDRAW_MEMBER_ONLY = "该转接由团员本人发起，只能由团员本人撤回"
ERR_WITHDRAW_ORG_ONLY = "该转接由团组织代为发起，只能由发起的团支部（或其运营者）撤回"
BATCH_LIMIT = 100


def start_problem(member):
    """Why ``member`` cannot start a transfer now, or None (read under the member's row lock)."""
    name = member.name
    if member.transferred_out:
        return ERR_TRANSFERRED_OUT.format(name=name)
    if member.deleted_at or member.registration_status not in APPROVED_STATES:
        return ERR_NOT_APPROVED.format(name=name)
    if member.league_status != LeagueStatus.NORMAL:
        return ERR_NOT_NORMAL.format(name=name, status=member.get_league_status_display())
    if not Member.objects.filter(IN_GOOD_STANDING, pk=member.pk).exists():  # the one predicate decides
        return ERR_NOT_APPROVED.format(name=name)
    if Transfer.objects.filter(member=member, status__in=OPEN_STATES).exists():
        return ERR_OPEN.format(name=name)
    if Appeal.objects.filter(member=member, status=AppealStatus.PENDING).exists():
        return ERR_APPEAL_PENDING.format(name=name)
    arrears = arrears_q()
    if arrears is not None and Member.objects.filter(arrears, pk=member.pk).exists():
        return ERR_ARREARS.format(name=name)
    return None


def find_target(query):
    """The incoming branch named by its 组织ID or full name; ValidationError on ``target`` otherwise."""
    query = (query or "").strip()
    if not query:
        raise ValidationError({"target": ERR_TARGET_REQUIRED})
    org = Organization.objects.filter(Q(code=query) | Q(full_name=query)).order_by("-org_type", "pk").first()
    if org is None:
        raise ValidationError({"target": ERR_TARGET_NOT_FOUND})
    if not is_eligible_branch(org):
        raise ValidationError({"target": ERR_TARGET_NOT_BRANCH})
    return org


def _clean(data, *, out_of_province):
    """The fields of an application, normalised; ValidationError naming each bad field."""
    errors, out = {}, {}
    for field, label, limit, message in (("destination", "学习/工作去向", 99, ERR_DESTINATION),):
        try:
            value = text.clean_text(data.get(field) or "", label=label, field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if not value or len(value) > limit:
            errors[field] = message
        out[field] = value
    reason = data.get("reason")
    try:
        reason = TransferReason(int(reason))
    except (TypeError, ValueError):
        errors["reason"] = ERR_REASON
        reason = None
    out["reason"] = reason
    out["reason_other"] = ""
    if reason == TransferReason.OTHER:
        try:
            other = text.clean_text(data.get("reason_other") or "", label="其他原因", field="reason_other")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if not OTHER_REASON_MIN_CHARS <= len(other.replace(" ", "")) or len(other) > 249:
                errors["reason_other"] = ERR_REASON_OTHER
            out["reason_other"] = other
    if out_of_province:
        if data.get("out_province") not in CHINESE_PROVINCES:
            errors["out_province"] = ERR_PROVINCE
        out["out_province"] = data.get("out_province") or ""
        try:
            org = text.clean_text(data.get("out_org") or "", label="转入团组织", field="out_org")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if not org or len(org) > 99:
                errors["out_org"] = ERR_OUT_ORG
            out["out_org"] = org
    if errors:
        raise ValidationError(errors)
    return out


def _new(member, *, applicant, transfer_type, to_branch, fields, applied_by, now):
    from_branch = member.branch
    transfer = Transfer(member=member, applicant=applicant, transfer_type=transfer_type, from_branch=from_branch,
                        from_parent=org_parent(from_branch), to_branch=to_branch,
                        to_parent=org_parent(to_branch) if to_branch else None, applied_by=applied_by[:200],
                        applied_at=now, stage_since=now, **fields)
    return transfer


def _save(transfer, name):
    try:
        with transaction.atomic():
            transfer.save()
            ancestry.link(transfer)
    except IntegrityError:  # a start racing another: the one-open constraint keeps one
        raise ValidationError(ERR_OPEN.format(name=name)) from None
    return transfer


@transaction.atomic
def transfer_apply(*, member, data, now=None):
    """The member's own application (reference §2.2.7): in-province by target branch, or out of province
    with the province and the receiving org named. Starts at ① 转出团支部."""
    now = now or timezone.now()
    member = Member.objects.select_for_update(of=("self",)).select_related("branch", "user").get(pk=member.pk)
    out = int(data.get("transfer_type") or TransferType.IN_PROVINCE) == TransferType.OUT_OF_PROVINCE
    if problem := start_problem(member):
        raise ValidationError(problem)
    to_branch = None
    if not out:
        to_branch = find_target(data.get("target"))
        if to_branch.pk == member.branch_id:
            raise ValidationError({"target": ERR_SAME_BRANCH})
    fields = _clean(data, out_of_province=out)
    transfer = _new(member, applicant=Applicant.MEMBER, to_branch=to_branch, fields=fields, now=now,
                    transfer_type=TransferType.OUT_OF_PROVINCE if out else TransferType.IN_PROVINCE,
                    applied_by=f"团员 {member.name}")
    flow.enter_stage(transfer, 1, now)
    _save(transfer, member.name)
    flow.log(transfer, kind=StepKind.APPLIED, now=now, actor_label=f"团员 {member.name}")
    one = Transfer.objects.filter(pk=transfer.pk)
    flow.tell_next_reviewer(one, 1, now=now)
    flow.tell_member(one, title="组织关系转接申请已提交",
                     body="您的组织关系转接申请已提交，转出团支部审核后将依次流转，可在“组织关系转接记录”中查看进度。", now=now)
    return transfer


@transaction.atomic
def transfer_start_batch(*, actor, member_ids, data, now=None):
    """The branch applies for one or more of its members (reference §2.1.6, in-province only). Each waits
    for the member's confirmation (site message + WeChat) unless the branch is a 中小学 org. All or none:
    a refused member names themselves in the error."""
    now = now or timezone.now()
    actor.require_org_actor()
    if not actor.org.is_branch:
        raise PermissionDenied(ERR_BRANCH_ONLY)
    if int(data.get("transfer_type") or TransferType.IN_PROVINCE) != TransferType.IN_PROVINCE:
        raise ValidationError({"transfer_type": ERR_OUT_MEMBER_ONLY})
    ids = list(dict.fromkeys(member_ids or ()))
    if not ids:
        raise ValidationError({"members": ERR_NO_MEMBERS})
    if len(ids) > BATCH_LIMIT:
        raise ValidationError({"members": ERR_BATCH_LIMIT})
    members = list(Member.objects.select_for_update(of=("self",)).select_related("branch").filter(pk__in=ids).order_by("pk"))
    if len(members) != len(ids) or any(m.branch_id != actor.org.pk for m in members):
        raise PermissionDenied(ERR_NOT_OWN_BRANCH)
    to_branch = find_target(data.get("target"))
    if to_branch.pk == actor.org.pk:
        raise ValidationError({"target": ERR_SAME_BRANCH})
    fields = _clean(data, out_of_province=False)
    problems = [p for m in members if (p := start_problem(m))]
    if problems:
        raise ValidationError({"members": problems})
    exempt = confirmation_exempt(actor.org)
    created = []
    for member in members:  # bounded by BATCH_LIMIT
        transfer = _new(member, applicant=Applicant.ORG, transfer_type=TransferType.IN_PROVINCE, to_branch=to_branch,
                        fields=fields, applied_by=actor.label, now=now)
        if exempt:
            flow.enter_stage(transfer, 2, now)
        else:
            transfer.status, transfer.reviewer_id, transfer.due_at = TransferStatus.AWAITING_MEMBER, None, None
        _save(transfer, member.name)
        created.append(transfer)
        audit_record(actor=actor, action="transfer.start", obj=transfer,
                     after={"转入团支部": to_branch.full_name, "状态": transfer.get_status_display()})
    pks = [t.pk for t in created]
    batch = Transfer.objects.filter(pk__in=pks)
    flow.log_set(batch, kind=StepKind.APPLIED, stage=1, org_field="from_branch_id", now=now,
                 actor_label=actor.label, reason="转出团支部代团员发起（视为转出团支部同意）")
    if exempt:
        flow.tell_next_reviewer(batch, 2, now=now)
        flow.tell_member(batch, title="组织关系转接通知",
                         body=flow.name_body("", f"同学，团支部已为你发起组织关系转接，转入{to_branch.full_name}，"
                                                 "可在“组织关系转接记录”中查看进度。"), now=now)
    else:
        flow.tell_member(batch, title="请确认组织关系转接",
                         body=f"您所在的团支部已为您发起组织关系转接，转入{to_branch.full_name}。请点击确认后，"
                              "转接申请才会流转到上级组织审核。", now=now)
    return created


@transaction.atomic
def transfer_confirm(*, member, transfer, now=None):
    """The member agrees to a branch-initiated transfer: it goes on to ② 转出团支部的上级."""
    now = now or timezone.now()
    transfer = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    if transfer.member_id != member.pk:
        raise PermissionDenied(ERR_NOT_AWAITING)
    if transfer.status != TransferStatus.AWAITING_MEMBER:
        raise ValidationError(ERR_NOT_AWAITING)
    flow.enter_stage(transfer, 2, now)
    transfer.save()
    flow.log(transfer, kind=StepKind.CONFIRMED, now=now, actor_label=f"团员 {member.name}")
    flow.tell_next_reviewer(Transfer.objects.filter(pk=transfer.pk), 2, now=now)
    return transfer


@transaction.atomic
def transfer_withdraw(*, actor, transfer, reason, now=None):
    """撤回 (reason required) by the initiator only — the member for theirs, the initiating branch or its
    operator for a branch's — until the incoming branch's parent approves (reference §4.6; manual tip 2)."""
    from portal.actors import MEMBER

    now = now or timezone.now()
    transfer = Transfer.objects.select_for_update(of=("self",)).select_related("member").get(pk=transfer.pk)
    if transfer.applicant == Applicant.MEMBER:
        member = actor.extra.get("member") if actor.kind == MEMBER else None
        if member is None or member.pk != transfer.member_id:
            raise PermissionDenied(ERR_WITHDRAW_MEMBER_ONLY)
    elif not (actor.acts_for_org and actor.org.pk == transfer.from_branch_id):
        raise PermissionDenied(ERR_WITHDRAW_ORG_ONLY)
    if transfer.status not in WITHDRAWABLE_STATES:
        raise ValidationError(ERR_WITHDRAW_STATE)
    reason = text.clean_text(reason or "", label="撤回原因", multiline=True, field="reason")
    if not reason or len(reason) > 249:
        raise ValidationError({"reason": ERR_WITHDRAW_REASON})
    was_reviewer = transfer.reviewer_id
    flow.close(transfer, TransferStatus.WITHDRAWN, now)
    transfer.withdraw_reason = reason
    transfer.save()
    who = "团员自行撤回" if transfer.applicant == Applicant.MEMBER else "组织撤回"
    flow.log(transfer, kind=StepKind.WITHDRAWN, now=now, actor_label=actor.label, reason=reason,
             org=actor.org if actor.acts_for_org else None)
    if actor.acts_for_org:
        audit_record(actor=actor, action="transfer.withdraw", obj=transfer, after={"撤回原因": reason})
    one = Transfer.objects.filter(pk=transfer.pk)
    flow.tell_member(one, title="组织关系转接已撤回", body=f"您的组织关系转接申请已撤回（{who}）：{reason}", now=now)
    if was_reviewer:
        notify(recipient=Organization.objects.get(pk=was_reviewer), title="组织关系转接已撤回",
               body=f"团员{transfer.member.name}的组织关系转接申请已撤回，无需再审核。", link=flow.manage_link(transfer.pk),
               level=Message.Level.USER, sender_org=transfer.from_branch)
    return transfer

