"""Every write of the members app (DESIGN §3): keyword-only, atomic, audited when an org acts,
and telling the other side through ``notify`` inside the same transaction.

Errors are module constants (reference §8's short messages where it has one); tests assert on them.
"""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal import idcard, text, uploads
from portal.audit import audit_record, register_actions
from portal.models import User, WeChatIdentity
from portal.people import life_date_problem
from services.messaging.models import Message
from services.messaging.services import notify

from . import rules, verification
from .choices import (
    APPROVED_STATES,
    LEFT_STATES,
    PENDING_OF,
    DeletionState,
    LeagueStatus,
    RealNameStatus,
    RegistrationStatus,
    RequestKind,
    RequestState,
)
from .models import LIVE, Member, MemberRequest, RequestAttachment

register_actions({
    "member.approve": "团员报到审核通过",
    "member.return": "团员报到退回",
    "member.verify_offline": "团员线下实名验证通过",
    "member.change_approve": "团员资料修改审核通过",
    "member.change_return": "团员资料修改退回",
    "member.status_apply": "申请团籍变更",
    "member.delete_apply": "申请删除团员",
    "member.request_approve": "审核通过团籍变更/删除申请",
    "member.request_return": "退回团籍变更/删除申请",
    "member.restore": "恢复团籍",
})

# --- messages -------------------------------------------------------------------------------
ERR_ID_REGISTERED = ("身份证已注册：该身份证号码已在智慧团建报到，不能重复报到。"
                     "如需转到新的团支部，请联系原团支部办理组织关系转接。")
ERR_MEMBER_NUMBER_TAKEN = "该团员编号已被其他团员使用，请核对入团志愿书"
ERR_BRANCH_NOT_ELIGIBLE = "只能选择共青团广东省委所辖的团支部"
ERR_ALREADY_REGISTERED = "您已提交报到资料，不能重复报到"
ERR_NO_IDENTITY = "微信授权已失效，请从公众号菜单重新进入"
ERR_REAL_NAME_MISMATCH = "实名认证失败,姓名与身份证不匹配,请修改"
ERR_WITHDRAW_CONFIRM = "请输入“撤回报到”四个字以确认撤回"
ERR_WITHDRAW_STATE = "只有报到待审核时才能撤回报到"
WITHDRAW_WORDS = "撤回报到"
ERR_NOT_BRANCH = "只有团员所在团支部才能进行此操作"
ERR_NOT_REVIEWER = "只有申请组织的直接上级组织才能审核"
ERR_REAL_NAME_CHECKING = "该团员的实名认证状态为校验中，暂时无法审核！"
ERR_REAL_NAME_FAILED = "该团员实名校验不通过，请组织对团员身份证号进行核实，核实后可标记为线下验证通过"
ERR_ALREADY_RETURNED = "该团员的报到申请已被退回，您无需再次审核！"
ERR_ALREADY_APPROVED = "该团员状态为审核通过，您无需再次审核！"
ERR_CHANGE_RETURNED = "该团员的修改资料申请已被退回，您无需再次审核！"
ERR_WITHDRAWN = "该团员已撤回报到，无需审核"
ERR_RETURN_REASON = "请输入退回原因（不超过249字）"
ERR_OFFLINE_REASON = "请输入身份证实名通过的理由"
ERR_REAL_NAME_DONE = "该团员已通过实名认证，无需再次验证"
ERR_NOT_APPROVED = "报到资料状态为审核通过才能编辑"
ERR_NOT_PROVINCE = "您所在的团支部不属于共青团广东省委所辖的团组织，不能修改团员信息"
ERR_LEFT = "您已处于“{status}”状态，不能修改团员信息"
ERR_CHANGE_PENDING = "修改资料待审核"
ERR_NO_CHANGE = "请修改信息"
ERR_NO_CHANGE_PENDING = "该团员没有待审核的资料修改"
ERR_MEMBER_LEFT_GUARD = ("团员<身份证号：{id}>已被组织设置为{status}状态，不能再对其进行该项操作。"
                         "您可以查看团员资料，或者对团员进行“恢复团籍”后操作。")
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
ERR_NOT_ORG_ACTOR = "只有组织管理员或运营者可以进行此操作"

MAX_BYTES = uploads.MAX_BYTES

REVIEWED_FIELDS = ["income", "political_status", "is_cadre", "cadre_post", "cadre_post_name", "cadre_since",
                   "cadre_nature", "party_committee_member"]
BASIC_FIELDS = ["phone", "nation", "nation_name", "education", "highest_education", "hukou_province", "hukou_city",
                "hukou_county", "join_unit"]
EXTRA_FIELDS = ["member_number", "occupation", "work_unit", "email", "qq", "wechat", "weibo", "joined_party",
                "volunteer_since"]
LOCKED_FIELDS = ["name", "id_type", "id_number", "birth_date", "joined_league", "branch"]
REGISTRATION_FIELDS = LOCKED_FIELDS + REVIEWED_FIELDS + BASIC_FIELDS + EXTRA_FIELDS
DATE_FIELDS = {"birth_date", "joined_league", "cadre_since", "joined_party", "volunteer_since"}
EDIT_GROUPS = {"reviewed": REVIEWED_FIELDS, "basic": BASIC_FIELDS, "extra": EXTRA_FIELDS}


# --- where members can be -----------------------------------------------------------------------

def provincial_root():
    return Organization.get_root_nodes().filter(is_system=True).only("path").first()


def eligible_branches():
    """团支部s of the provincial committee's tree: the only ones a member can register into."""
    root = provincial_root()
    if root is None:
        return Organization.objects.none()
    return Organization.objects.filter(org_type=OrgType.BRANCH, path__startswith=root.path)


def is_eligible_branch(org):
    root = provincial_root()
    return bool(org and root and org.org_type == OrgType.BRANCH and org.path.startswith(root.path))


# What review requests' messages are about (``services.messaging.subjects``; registered in apps.py).
SUBJECT_REGISTRATION = "members.registration"  # a 报到 awaiting its branch (the member's id)
SUBJECT_CHANGE = "members.change"  # a profile change awaiting its branch (the member's id)
SUBJECT_REQUEST = "members.request"  # a 团籍 change / deletion awaiting the parent (the request's id)


def _list_link(**params):
    from urllib.parse import urlencode

    return f"{reverse('members:manage_list')}?{urlencode(params)}" if params else reverse("members:manage_list")


# --- validation of a whole record ------------------------------------------------------------

def validate_record(data, *, member=None, today=None):
    """Validate registration data (reference §7); returns the normalised data or raises ValidationError."""
    today = today or rules.today()
    data = dict(data)
    errors = text.clean_fields(data, text.model_text_labels(Member, REGISTRATION_FIELDS))

    def problem(field, message):
        if message and field not in errors:
            errors[field] = message

    problem("name", rules.name_problem(data.get("name")))
    data["name"] = (data.get("name") or "").strip()
    id_type = int(data.get("id_type") or idcard.IdType.RESIDENT)
    data["id_type"] = id_type
    try:
        data["id_number"] = idcard.validate_id_number(data.get("id_number"), id_type)
    except ValidationError as exc:
        problem("id_number", exc.messages[0])
    if rules.is_resident(id_type) and "id_number" not in errors:
        data["birth_date"] = idcard.birth_date(data["id_number"])
        data["sex"] = idcard.sex(data["id_number"])
    elif not data.get("birth_date"):
        problem("birth_date", rules.ERR_BIRTH_REQUIRED)
    problem("birth_date", life_date_problem("birth", data.get("birth_date"), birth=None, today=today))
    data["joined_league"] = rules.month_start(data.get("joined_league"))
    problem("joined_league", rules.join_date_problem(data.get("joined_league"), data.get("birth_date"), today))
    branch = data.get("branch")
    if not is_eligible_branch(branch):
        problem("branch", ERR_BRANCH_NOT_ELIGIBLE)
    for field in ("income", "political_status", "nation", "education", "highest_education"):
        if data.get(field) in (None, ""):
            problem(field, rules.ERR_REQUIRED)
    for field in ("hukou_province", "hukou_city", "hukou_county"):
        if not (data.get(field) or "").strip():
            problem(field, rules.ERR_HUKOU)
    if not (data.get("join_unit") or "").strip():
        problem("join_unit", rules.ERR_REQUIRED)
    if data.get("nation") and int(data["nation"]) == 57 and not (data.get("nation_name") or "").strip():
        problem("nation_name", rules.ERR_NATION_NAME)
    problem("phone", rules.mobile_problem(data.get("phone")))
    problem("email", rules.email_problem(data.get("email")))
    problem("qq", rules.qq_problem(data.get("qq")))
    for field, message in rules.cadre_problems(data).items():
        problem(field, message)
    for field, kind in (("cadre_since", "office"), ("joined_party", "party"), ("volunteer_since", "volunteer")):
        problem(field, life_date_problem(kind, data.get(field), birth=data.get("birth_date"), today=today))
        data[field] = rules.month_start(data.get(field)) if field != "volunteer_since" else data.get(field)
    data["member_number"] = (data.get("member_number") or "").strip()
    problem("member_number", rules.member_number_problem(data["member_number"], data.get("joined_league")))
    rules.clear_cadre_fields(data)
    for field in ("nation_name", "cadre_post_name", "work_unit", "email", "qq", "wechat", "weibo", "join_unit",
                  "hukou_province", "hukou_city", "hukou_county", "phone"):
        data[field] = (data.get(field) or "").strip()
    if errors:
        raise ValidationError(errors)
    _check_unique(data, member)
    return data


def _check_unique(data, member):
    others = Member.objects.filter(LIVE)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if "id_number" in data and others.filter(id_type=data["id_type"], id_number=data["id_number"]).exists():
        raise ValidationError({"id_number": ERR_ID_REGISTERED})
    if data.get("member_number") and others.filter(member_number=data["member_number"]).exists():
        raise ValidationError({"member_number": ERR_MEMBER_NUMBER_TAKEN})


def _save(member, message_for_integrity):
    """Save inside a savepoint; a lost race on a unique constraint becomes the same Chinese message."""
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(message_for_integrity) from None


# --- 报到 (member end) ------------------------------------------------------------------------

@transaction.atomic
def member_register(*, data, user=None, openid=None, now=None):
    """Submit 报到: a new login (from a pending WeChat openid) or a withdrawn/returned member again."""
    now = now or timezone.now()
    member = getattr(user, "member", None) if user is not None else None
    if member is not None:
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.deleted_at is None and member.registration_status not in (
                RegistrationStatus.WITHDRAWN, RegistrationStatus.RETURNED):
            raise ValidationError(ERR_ALREADY_REGISTERED)
    data = validate_record({k: data.get(k) for k in REGISTRATION_FIELDS + ["sex"]}, member=member)
    if problem := rules.registration_age_problem(data.get("birth_date"), data.get("is_cadre"), rules.today()):
        raise ValidationError({"is_cadre": problem})
    status = verification.check(name=data["name"], id_type=data["id_type"], id_number=data["id_number"])
    if status == RealNameStatus.FAILED:
        raise ValidationError({"name": ERR_REAL_NAME_MISMATCH})
    if user is None:
        if not openid:
            raise ValidationError(ERR_NO_IDENTITY)
        if WeChatIdentity.objects.filter(kind=WeChatIdentity.Kind.MP, external_id=openid).exists():
            raise ValidationError(ERR_ALREADY_REGISTERED)
        user = User(username=f"member-{uuid.uuid4().hex[:20]}", kind=User.Kind.MEMBER)
        user.set_unusable_password()
    user.first_name = data["name"][:150]
    user.organization = data["branch"]
    user.save()
    if openid:
        WeChatIdentity.objects.create(user=user, kind=WeChatIdentity.Kind.MP, external_id=openid)
    if member is None or member.deleted_at is not None:
        if member is not None:  # a deleted record stays deleted; its login starts afresh
            Member.objects.filter(pk=member.pk).update(user=None)
        member = Member(user=user)
    for field, value in data.items():
        setattr(member, field, value)
    member.registration_status = RegistrationStatus.PENDING
    member.return_reason = ""
    member.real_name_status = status
    member.real_name_reason = ""
    member.league_status = LeagueStatus.NORMAL
    member.deletion_state = DeletionState.NORMAL
    member.pending_changes = None
    member.submitted_at = now
    member.reviewed_at = None
    _save(member, ERR_ID_REGISTERED)
    notify(recipient=member.branch, title="团员报到申请", level=Message.Level.USER,
           body=f"{member.name}申请报到加入本团支部，请及时审核。", link=_list_link(registration_status=1),
           subject=(SUBJECT_REGISTRATION, member.pk))
    return member


@transaction.atomic
def member_withdraw(*, member, confirm):
    """撤回报到 while pending; the member must type the words 撤回报到."""
    if (confirm or "").strip() != WITHDRAW_WORDS:
        raise ValidationError({"confirm": ERR_WITHDRAW_CONFIRM})
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.registration_status != RegistrationStatus.PENDING or member.deleted_at:
        raise ValidationError(ERR_WITHDRAW_STATE)
    member.registration_status = RegistrationStatus.WITHDRAWN
    member.save(update_fields=["registration_status", "updated_at"])
    notify(recipient=member.branch, title="团员撤回报到", level=Message.Level.USER,
           body=f"{member.name}已撤回报到申请，无需审核。", link=_list_link())
    return member


# --- review by the branch -----------------------------------------------------------------------

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


def _text_on(field, value, label):
    """Free text of one form field through the one text rule, refused on that field."""
    try:
        return text.clean_text(value, label=label, multiline=True)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _reason(reason, message=ERR_RETURN_REASON, label="退回原因"):
    reason = _text_on("reason", reason, label)
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


# --- 资料修改 ------------------------------------------------------------------------------------

def modify_problem(member):
    """Why this member cannot modify their data now, or None (manual 信息修改 tip)."""
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
        member.save(update_fields=["pending_changes", "registration_status", "return_reason", "updated_at"])
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
    member.reviewed_at = now or timezone.now()
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
    member.reviewed_at = now or timezone.now()
    member.save(update_fields=["pending_changes", "registration_status", "return_reason", "reviewed_at",
                               "updated_at"])
    audit_record(actor=actor, action="member.change_return", obj=member, after={"退回原因": reason})
    _tell_member(member, "资料修改被退回", f"您提交的资料修改已被团支部退回（原资料保持不变），退回原因：{reason}。",
                 link=reverse("members:profile"))
    return member


# --- 团籍 changes and deletion (branch applies, direct parent approves) --------------------------

def validate_attachments(files):
    """Reference §7 uploads: mandatory, ≤ 8 images + ≤ 2 PDF, ≤ 5 MB each, by content (portal.uploads)."""
    uploads.validate_evidence(files)


def _parent_of(org):
    parent = Organization.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    if parent is None:
        raise ValidationError(ERR_NO_PARENT)
    return parent


def _check_can_apply(member):
    if member.registration_status not in APPROVED_STATES or member.deleted_at:
        raise ValidationError(ERR_NOT_APPROVED)
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
    description = _text_on("description", description, "申请说明")
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
    description = _text_on("description", description, "申请说明")
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
