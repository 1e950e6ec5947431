"""报到 (reference §2.2.2, §4.1): where a member can register, the record's validation, submit and
withdraw. Errors are module constants (reference §8's short messages where it has one); tests assert on them.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal import idcard, text
from portal.models import User, WeChatIdentity
from portal.people import life_date_problem
from services.messaging.models import Message
from services.messaging.services import notify

from . import rules, verification
from .choices import (
    DeletionState,
    LeagueStatus,
    RealNameStatus,
    RegistrationStatus,
)
from .models import LIVE, Member

ERR_ID_REGISTERED = ("身份证已注册：该身份证号码已在智慧团建报到，不能重复报到。"
                     "如需转到新的团支部，请用报到时的微信进入团员移动端首页“组织关系转接”（/m/transfers/）申请转接，"
                     "或请原团支部代为发起转接。")


ERR_MEMBER_NUMBER_TAKEN = "该团员编号已被其他团员使用，请核对入团志愿书"


ERR_BRANCH_NOT_ELIGIBLE = "只能选择共青团广东省委所辖的团支部"


ERR_ALREADY_REGISTERED = "您已提交报到资料，不能重复报到"


ERR_NO_IDENTITY = "微信授权已失效，请从公众号菜单重新进入"


ERR_REAL_NAME_MISMATCH = "实名认证失败,姓名与身份证不匹配,请修改"


ERR_WITHDRAW_CONFIRM = "请输入“撤回报到”四个字以确认撤回"


ERR_WITHDRAW_STATE = "只有报到待审核时才能撤回报到"


WITHDRAW_WORDS = "撤回报到"


ERR_NOT_APPROVED = "报到资料状态为审核通过才能编辑"


ERR_NOT_PROVINCE = "您所在的团支部不属于共青团广东省委所辖的团组织，不能修改团员信息"


ERR_NOT_ORG_ACTOR = "只有组织管理员或运营者可以进行此操作"


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
