"""Every write to the org tree (DESIGN §3): keyword-only, atomic, one audit row each."""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_record, changed_only, register_actions, snapshot
from portal import text
from portal.models import User
from portal.passwords import generate_password
from portal.services import account_issue_one_time_password
from services.messaging.services import notify, notify_many
from services.transfers import ancestry as transfer_ancestry

from .emptiness import reasons_not_empty
from .models import IssuedOrgCode, Organization
from .rules import (
    OrgType,
    allowed_child_types,
    has_headcount_fields,
    has_industry,
    school_code_problem,
    type_allowed_under,
)

ERR_NOT_DIRECT_PARENT = "只有直接上级组织才能进行此操作"
ERR_BRANCH_IS_LEAF = "团支部是组织树的末端，不能建立下级组织"
ERR_TYPE_NOT_ALLOWED = "“{parent}”下不能建立“{child}”"
ERR_BRANCH_HAS_CHILDREN = "该组织存在下级组织，不能改为团支部"
ERR_CHILD_TYPE_CONFLICT = "该组织现有的下级组织类型不能隶属于“{child}”"
ERR_SYSTEM_ORG = "系统内置组织不能删除"
ERR_NOT_EMPTY = "只能删除空组织（无下级组织、团员和团干）：{reasons}"
ERR_HEADCOUNT_REQUIRED = "请填写此项"
ERR_INDUSTRY_REQUIRED = "请选择单位所属行业类别"
ERR_GRADUATION_YEAR_REQUIRED = "学校团支部须选择毕业年份"
ERR_GRADUATION_YEAR_RANGE = "毕业年份不正确"
ERR_MOVE_NONE = "请选择待迁出组织"
ERR_MOVE_NO_TARGET = "请选择迁入组织"
ERR_MOVE_SAME_PARENT = "待迁出的组织必须隶属同一个上级组织"
ERR_MOVE_CONTAINS_TARGET = "迁出组织不能包含迁入组织"
ERR_MOVE_ALREADY_THERE = "所选组织已隶属于该迁入组织"
ERR_MOVE_OWN_ORG = "不能迁移本组织"

register_actions(
    {
        "org.create": "新增下级组织",
        "org.update": "编辑下级组织",
        "org.delete": "删除下级组织",
        "org.reset_password": "重置下级组织密码",
        "org.move": "组织迁移",
        "org.change_phone": "修改团组织联系电话",
        "org.work_alias": "设置企业号代称",
    }
)

#: Fields a parent fills in for its child (the org form).
EDITABLE_FIELDS = [
    "org_type", "full_name", "short_name", "phone", "email", "industry",
    "admin_quota", "admin_staffed", "career_quota", "career_staffed",
    "secretary_name", "institution_code", "wechat_account", "weibo_account",
    "is_school", "school_code", "graduation_year",
]
HEADCOUNT_FIELDS = ["admin_quota", "admin_staffed", "career_quota", "career_staffed"]
AUDIT_FIELDS = ["code", *EDITABLE_FIELDS]


def is_direct_parent(actor, org):
    """Only the direct parent creates, edits, deletes or resets an org (reference §1.2a)."""
    return actor.acts_for_org and org.parent_path == actor.org.path


def require_direct_parent(actor, org):
    actor.require_org_actor()
    if not is_direct_parent(actor, org):
        raise PermissionDenied(ERR_NOT_DIRECT_PARENT)


def _check_type_under(child_type, parent):
    if child_type not in OrgType.values:
        raise ValidationError({"org_type": "请选择组织类型"})
    if parent.org_type == OrgType.BRANCH:
        raise ValidationError({"org_type": ERR_BRANCH_IS_LEAF})
    if not type_allowed_under(child_type, parent.org_type):
        raise ValidationError(
            {"org_type": ERR_TYPE_NOT_ALLOWED.format(parent=parent.type_label, child=OrgType(child_type).label)}
        )


def _normalise_and_validate(org):
    """Field formats plus the type-dependent rules; clears fields the type does not have."""
    values = {name: getattr(org, name) for name in EDITABLE_FIELDS}
    errors = text.clean_fields(values, text.model_text_labels(Organization, EDITABLE_FIELDS))
    for name, value in values.items():
        if name not in errors:
            setattr(org, name, value)
    if has_headcount_fields(org.org_type):
        for name in HEADCOUNT_FIELDS:
            if getattr(org, name) is None:
                errors[name] = ERR_HEADCOUNT_REQUIRED
    else:
        for name in HEADCOUNT_FIELDS:
            setattr(org, name, None)
    if has_industry(org.org_type):
        if not org.industry:
            errors["industry"] = ERR_INDUSTRY_REQUIRED
    else:
        org.industry = None
    if org.is_school:
        org.school_code = (org.school_code or "").strip()
        if problem := school_code_problem(org.school_code):
            errors["school_code"] = problem
        if org.org_type == OrgType.BRANCH:
            this_year = timezone.localdate().year
            if org.graduation_year is None:
                errors["graduation_year"] = ERR_GRADUATION_YEAR_REQUIRED
            elif not 1950 <= org.graduation_year <= this_year + 10:
                errors["graduation_year"] = ERR_GRADUATION_YEAR_RANGE
        else:
            org.graduation_year = None
    else:
        org.school_code = ""
        org.graduation_year = None
    try:
        org.full_clean(exclude=["path", "depth", "numchild", "code"], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)


def _issue_code():
    return IssuedOrgCode.objects.create().code


@transaction.atomic
def org_create(*, actor, data):
    """Create a direct child of the actor's org and its login account.

    Returns ``(org, password)``: the random initial password is shown once to the
    creating parent and stored only hashed; the child must change it at first login.
    """
    actor.require_org_actor()
    parent = Organization.objects.select_for_update().get(pk=actor.org.pk)
    _check_type_under(data.get("org_type"), parent)
    org = Organization(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _normalise_and_validate(org)
    org.code = _issue_code()
    org = parent.add_child(instance=org)
    password = generate_password()
    User.objects.create_user(
        username=org.code, password=password, kind=User.Kind.ORG, organization=org,
        must_change_password=True, first_name=org.short_name[:150],
    )
    audit_record(actor=actor, action="org.create", obj=org, after=snapshot(org, AUDIT_FIELDS))
    return org, password


@transaction.atomic
def org_update(*, actor, org, data):
    require_direct_parent(actor, org)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org, AUDIT_FIELDS)
    new_type = data.get("org_type", org.org_type)
    if new_type != org.org_type:
        _check_type_under(new_type, actor.org)
        if new_type == OrgType.BRANCH and org.numchild:
            raise ValidationError({"org_type": ERR_BRANCH_HAS_CHILDREN})
        child_types = set(org.get_children().values_list("org_type", flat=True).distinct())
        if not child_types <= set(allowed_child_types(new_type)):
            raise ValidationError({"org_type": ERR_CHILD_TYPE_CONFLICT.format(child=OrgType(new_type).label)})
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(org, name, data[name])
    _normalise_and_validate(org)
    org.save()
    old, new = changed_only(before, snapshot(org, AUDIT_FIELDS))
    audit_record(actor=actor, action="org.update", obj=org, before=old, after=new)
    if (before["团组织全称"], before["团组织简称"]) != (org.full_name, org.short_name):
        for hook in _renamed_hooks:
            hook(org)
    return org


_renamed_hooks = []


def register_org_renamed(func):
    """Apps that keep an org's name alongside their own rows (search text) refresh it here."""
    if func not in _renamed_hooks:
        _renamed_hooks.append(func)
    return func


@transaction.atomic
def org_delete(*, actor, org):
    require_direct_parent(actor, org)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if org.is_system:
        raise ValidationError(ERR_SYSTEM_ORG)
    if reasons := reasons_not_empty(org):
        raise ValidationError(ERR_NOT_EMPTY.format(reasons="；".join(reasons)))
    audit_record(actor=actor, action="org.delete", obj=org, before=snapshot(org, AUDIT_FIELDS))
    User.objects.filter(organization=org).delete()
    org.delete()


@transaction.atomic
def org_reset_password(*, actor, org):
    """A new random password for a direct child's account, shown once; forced change at next login."""
    require_direct_parent(actor, org)
    account = User.objects.select_for_update().get(organization=org, kind=User.Kind.ORG)
    password = account_issue_one_time_password(user=account, login=account.username)
    audit_record(actor=actor, action="org.reset_password", obj=org)
    return password


@transaction.atomic
def org_change_own_phone(*, actor, phone):
    """An org keeps its own 联系电话 current (the rest of its record is its parent's to edit)."""
    actor.require_org_actor()
    org = Organization.objects.select_for_update().get(pk=actor.org.pk)
    old = org.phone
    org.phone = (phone or "").strip()
    try:
        org.clean_fields(exclude=[f.name for f in Organization._meta.fields if f.name != "phone"])
    except ValidationError as exc:
        raise ValidationError({"phone": exc.message_dict["phone"][0]}) from None
    org.save(update_fields=["phone", "updated_at"])
    audit_record(actor=actor, action="org.change_phone", obj=org,
                 before={"团组织联系电话": old}, after={"团组织联系电话": org.phone})
    return org


ERR_ALIAS_REQUIRED = "请输入企业号代称"
ERR_ALIAS_TAKEN = "该代称已被同一上级组织下的其他组织使用，请换一个"


@transaction.atomic
def org_set_work_alias(*, actor, alias):
    """企业号代称 (reference §2.1.12): ≤16 characters, no special characters, unique among siblings."""
    actor.require_org_actor()
    org = Organization.objects.select_for_update().get(pk=actor.org.pk)
    old, alias = org.wechat_work_alias, (alias or "").strip()
    if not alias:
        raise ValidationError({"alias": ERR_ALIAS_REQUIRED})
    org.wechat_work_alias = alias
    try:
        org.clean_fields(exclude=[f.name for f in Organization._meta.fields if f.name != "wechat_work_alias"])
    except ValidationError as exc:
        raise ValidationError({"alias": exc.message_dict["wechat_work_alias"]}) from None
    siblings = Organization.objects.filter(path__startswith=org.parent_path, depth=org.depth).exclude(pk=org.pk) \
        if org.depth > 1 else Organization.objects.none()
    if siblings.filter(wechat_work_alias=alias).exists():
        raise ValidationError({"alias": ERR_ALIAS_TAKEN})
    org.save(update_fields=["wechat_work_alias", "updated_at"])
    audit_record(actor=actor, action="org.work_alias", obj=org, before={"企业号代称": old}, after={"企业号代称": alias})
    return org


@transaction.atomic
def org_move(*, actor, orgs, new_parent):
    """组织迁移: move sibling subtrees under ``new_parent`` in one UPDATE of paths.

    Every moved org and the new parent must lie in the actor's scope; the actor's own
    org cannot move; the new parent must not lie inside a moved subtree.
    """
    actor.require_org_actor()
    if not orgs:
        raise ValidationError(ERR_MOVE_NONE)
    if new_parent is None:
        raise ValidationError(ERR_MOVE_NO_TARGET)
    scope_path = actor.org.path
    pks = [o.pk for o in orgs]
    orgs = list(Organization.objects.filter(pk__in=pks, path__startswith=scope_path).order_by("path"))
    new_parent = Organization.objects.select_for_update().filter(pk=new_parent.pk, path__startswith=scope_path).first()
    if len(orgs) != len(set(pks)) or new_parent is None:
        raise PermissionDenied("所选组织不在本组织管理范围内")
    if any(o.pk == actor.org.pk for o in orgs):
        raise ValidationError(ERR_MOVE_OWN_ORG)
    old_parent_path = orgs[0].parent_path
    if any(o.parent_path != old_parent_path for o in orgs):
        raise ValidationError(ERR_MOVE_SAME_PARENT)
    if any(new_parent.path.startswith(o.path) for o in orgs):
        raise ValidationError(ERR_MOVE_CONTAINS_TARGET)
    if new_parent.path == old_parent_path:
        raise ValidationError(ERR_MOVE_ALREADY_THERE)
    for o in orgs:
        _check_type_under(o.org_type, new_parent)
    old_parent = Organization.objects.select_for_update().get(path=old_parent_path)

    last_child = new_parent.get_last_child()
    next_step = last_child._get_lastpos_in_path() + 1 if last_child else 1
    new_depth = new_parent.depth + 1
    mapping = [
        (o.path, Organization._get_path(new_parent.path, new_depth, next_step + i)) for i, o in enumerate(orgs)
    ]
    whens = [
        When(path__startswith=old, then=Concat(Value(new), Substr("path", len(old) + 1), output_field=CharField()))
        for old, new in mapping
    ]
    Organization.objects.filter(reduce(or_, [Q(path__startswith=old) for old, _ in mapping])).update(
        path=Case(*whens, output_field=CharField()), depth=F("depth") + (new_depth - orgs[0].depth)
    )
    Organization.objects.filter(pk=old_parent.pk).update(numchild=F("numchild") - len(orgs))
    Organization.objects.filter(pk=new_parent.pk).update(numchild=F("numchild") + len(orgs))
    transfer_ancestry.relink_under(orgs)
    for o in orgs:
        audit_record(
            actor=actor, action="org.move", obj=o,
            before={"上级组织": old_parent.full_name}, after={"上级组织": new_parent.full_name},
        )
    notify_many(orgs=Organization.objects.filter(pk__in=pks), title="组织迁移通知", sender_org=actor.org,
                link=reverse("orgtree:own"),
                body=f"本组织已由“{old_parent.full_name}”迁移至“{new_parent.full_name}”管理，上级组织随之变更。")
    names = "、".join(o.full_name for o in orgs)
    notify(recipient=new_parent, title="新增直属下级组织", sender_org=actor.org, link=reverse("orgtree:list"),
           body=f"{actor.org.full_name}已将{names}迁移为本组织的直属下级组织。")
    return Organization.objects.filter(pk__in=pks).order_by("path")


def org_create_root(*, full_name, short_name, phone, email):
    """The provincial committee: the one built-in root, created by `create_root_org`."""
    with transaction.atomic():
        org = Organization.add_root(
            code=_issue_code(), org_type=OrgType.LEADING, full_name=full_name, short_name=short_name,
            phone=phone, email=email, is_system=True, admin_quota=0, admin_staffed=0,
            career_quota=0, career_staffed=0,
        )
        password = generate_password()
        User.objects.create_user(
            username=org.code, password=password, kind=User.Kind.ORG, organization=org,
            must_change_password=True, first_name=short_name[:150],
        )
    return org, password
