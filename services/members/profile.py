"""资料修改 (reference §4.2): the member proposes, the old values stay in force until the branch approves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_record, register_actions
from services.messaging.models import Message
from services.messaging.services import notify

from .choices import (
    APPROVED_STATES,
    LeagueStatus,
    RegistrationStatus,
)
from .models import Member
from .registration import (
    DATE_FIELDS,
    EDIT_GROUPS,
    ERR_MEMBER_NUMBER_TAKEN,
    ERR_NOT_APPROVED,
    ERR_NOT_PROVINCE,
    REGISTRATION_FIELDS,
    REVIEWED_FIELDS,
    SUBJECT_CHANGE,
    _list_link,
    _save,
    is_eligible_branch,
    validate_record,
)
from .review import (
    _guard_left,
    _lock_for_branch,
    _reason,
    _tell_member,
)

register_actions({
    "member.change_approve": "团员资料修改审核通过",
    "member.change_return": "团员资料修改退回",
})


ERR_CHANGE_RETURNED = "该团员的修改资料申请已被退回，您无需再次审核！"


ERR_LEFT = "您已处于“{status}”状态，不能修改团员信息"


ERR_CHANGE_PENDING = "修改资料待审核"


ERR_NO_CHANGE = "请修改信息"


ERR_NO_CHANGE_PENDING = "该团员没有待审核的资料修改"


ERR_TRANSFERRED_OUT = ("您的组织关系已转出至省外（或非共青团广东省委所辖的团组织），团员信息不能在本系统修改；"
                       "今后如回到广东，可申请将组织关系转回省内的团支部。")


def modify_problem(member):
    """Why this member cannot modify their data now, or None (manual 信息修改 tip)."""
    if member.transferred_out:  # read-only here after a transfer out (DESIGN §5 Transfers)
        return ERR_TRANSFERRED_OUT
    if member.deleted_at or member.registration_status not in APPROVED_STATES:
        return ERR_NOT_APPROVED
    if member.league_status != LeagueStatus.NORMAL:
        return ERR_LEFT.format(status=member.get_league_status_display())
    if not is_eligible_branch(member.branch):
        return ERR_NOT_PROVINCE
    return None


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _from_json(field, value):
    return date.fromisoformat(value) if field in DATE_FIELDS and value else value


def current_values(member, fields):
    return {f: getattr(member, f) for f in fields}


@transaction.atomic
def member_profile_update(*, member, group, data, today=None):
    """A member edits one group: ``reviewed`` waits for the branch, ``basic``/``extra`` apply at once."""
    member = Member.objects.select_for_update(of=("self",)).select_related("branch").get(pk=member.pk)
    if problem := modify_problem(member):
        raise ValidationError(problem)
    fields = EDIT_GROUPS[group]
    if group == "reviewed" and member.registration_status == RegistrationStatus.CHANGE_PENDING:
        raise ValidationError(ERR_CHANGE_PENDING)
    proposed = {f: getattr(member, f) for f in REGISTRATION_FIELDS}
    proposed.update({f: data.get(f) for f in fields})
    proposed = validate_record(proposed, member=member, today=today)
    # Members who joined before 2017 may keep an old-format number; only non-empty is checked later.
    new = {f: proposed[f] for f in fields}
    changed = {f: v for f, v in new.items() if getattr(member, f) != v}
    if not changed:
        raise ValidationError(ERR_NO_CHANGE)
    if group == "reviewed":
        member.pending_changes = {f: _jsonable(v) for f, v in new.items()}
        member.registration_status = RegistrationStatus.CHANGE_PENDING
        member.return_reason = ""
        member.change_submitted_at, member.change_reviewed_at = timezone.now(), None
        member.save(update_fields=["pending_changes", "registration_status", "return_reason", "change_submitted_at",
                                   "change_reviewed_at", "updated_at"])
        notify(recipient=member.branch, title="团员资料修改申请", level=Message.Level.USER,
               body=f"{member.name}申请修改收入、政治面貌或团干信息，请及时审核。", link=_list_link(registration_status=4),
               subject=(SUBJECT_CHANGE, member.pk))
        return member
    for field, value in changed.items():
        setattr(member, field, value)
    _save(member, ERR_MEMBER_NUMBER_TAKEN)
    return member


def pending_diff(member):
    """[(label, 修改前, 修改后)] of a pending profile change, for the review page."""
    if not member.pending_changes:
        return []
    rows = []
    probe = Member(**{f: _from_json(f, v) for f, v in member.pending_changes.items()})
    for field in REVIEWED_FIELDS:
        old, new = _display(member, field), _display(probe, field)
        if old != new:
            rows.append((str(Member._meta.get_field(field).verbose_name), old, new))
    return rows


def _display(obj, field):
    value = getattr(obj, field)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    getter = getattr(obj, f"get_{field}_display", None)
    if getter and not isinstance(value, date):
        return str(getter())
    if isinstance(value, date):
        return value.strftime("%Y年%m月")
    return str(value)


@transaction.atomic
def change_approve(*, actor, member, now=None):
    member = _lock_for_branch(actor, member)
    _guard_left(member)
    if member.registration_status == RegistrationStatus.CHANGE_RETURNED:
        raise ValidationError(ERR_CHANGE_RETURNED)
    if member.registration_status != RegistrationStatus.CHANGE_PENDING:
        raise ValidationError(ERR_NO_CHANGE_PENDING)
    rows = pending_diff(member)
    for field, value in member.pending_changes.items():
        setattr(member, field, _from_json(field, value))
    member.pending_changes = None
    member.registration_status = RegistrationStatus.APPROVED
    member.change_reviewed_at = now or timezone.now()
    member.save()
    audit_record(actor=actor, action="member.change_approve", obj=member,
                 before={label: old for label, old, _ in rows}, after={label: new for label, _, new in rows})
    _tell_member(member, "资料修改审核通过", "您提交的资料修改已由团支部审核通过。", link=reverse("members:profile"))
    return member


@transaction.atomic
def change_return(*, actor, member, reason, now=None):
    reason = _reason(reason)
    member = _lock_for_branch(actor, member)
    if member.registration_status == RegistrationStatus.CHANGE_RETURNED:
        raise ValidationError(ERR_CHANGE_RETURNED)
    if member.registration_status != RegistrationStatus.CHANGE_PENDING:
        raise ValidationError(ERR_NO_CHANGE_PENDING)
    member.pending_changes = None
    member.registration_status = RegistrationStatus.CHANGE_RETURNED
    member.return_reason = reason
    member.change_reviewed_at = now or timezone.now()
    member.save(update_fields=["pending_changes", "registration_status", "return_reason", "change_reviewed_at",
                               "updated_at"])
    audit_record(actor=actor, action="member.change_return", obj=member, after={"退回原因": reason})
    _tell_member(member, "资料修改被退回", f"您提交的资料修改已被团支部退回（原资料保持不变），退回原因：{reason}。",
                 link=reverse("members:profile"))
    return member
