"""Writes of cadre records and operators (reference §2.1.4, §4.11; manual 团干管理).

An org records its own cadres: the person's base information is entered once (by the first org),
and each org keeps its own post data. Operators are cadres an org lets log in to its service
pages with their phone number; they act with the org's full powers and every action is audited
as "组织名称 职位标签 姓名".
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import idcard, text
from portal.audit import audit_record, changed_only, register_actions, snapshot
from portal.models import User, WeChatIdentity
from portal.params import int_or_none
from portal.passwords import generate_password
from portal.services import account_issue_one_time_password
from portal.people import ERR_NAME_DIGITS, cadre_age_problem, life_date_problems, name_has_digits

from . import contacts, directory
from .models import CadrePerson, CadrePost, ContactSync, duty_choices

register_actions({
    "cadre.create": "新增团干",
    "cadre.update": "编辑团干",
    "cadre.enable": "启用团干",
    "cadre.disable": "禁用团干",
    "cadre.delete": "删除团干",
    "cadre.import": "批量导入团干",
    "operator.set": "设置运营者",
    "operator.cancel": "取消运营者",
    "operator.reset_password": "重置运营者密码",
    "cadre.duty": "团干填写职务",
})

ERR_ALREADY_HERE = "本组织已存在该记录，不能重复添加"
ERR_PHONE_TAKEN = "该手机号码已存在"
ERR_NATION_NAME = "民族为“其他”时请填写民族名称"
ERR_ALREADY_ENABLED = "该记录已经处于启用，不能启用"
ERR_ALREADY_DISABLED = "该记录已经处于禁用，不能禁用"
ERR_ALREADY_OPERATOR_HERE = "该团干已是本组织的运营者啦。"
ERR_OPERATOR_ELSEWHERE = "该团干已是{org}的运营者，一个团干只能在一个组织担任运营者，请先取消其在该组织的运营者身份。"
ERR_NOT_OPERATOR_HERE = "该团干没有在本组织担任运营者，此操作无效"
ERR_NOT_OPERATOR = "该记录不是运营者，无法重置运营者密码"
ERR_LABEL = "请输入职位标签（不超过99字）"
ERR_DISABLED_OPERATOR = "该团干已被禁用，不能设置为运营者"

PERSON_FIELDS = ["id_type", "id_number", "name", "phone", "nation", "nation_name", "political_status", "education",
                 "joined_league"]
POST_FIELDS = ["title", "nature", "took_office", "party_committee_member", "work_unit", "email", "qq", "wechat",
               "weibo", "member_number", "joined_party", "volunteer_since"]
AUDIT_FIELDS = ["name", "phone", "nation", "political_status", "education"]


def _clean_person(data, *, exclude_pk=None):
    errors = {}
    try:
        data["id_number"] = idcard.validate_id_number(data.get("id_number"), data.get("id_type") or 1)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    else:
        if problem := person_age_problem(data):
            errors["id_number"] = [problem]
    name = (data.get("name") or "").strip()
    if name_has_digits(name):
        errors["name"] = [ERR_NAME_DIGITS]
    data["name"] = name
    if data.get("nation") == 57 and not (data.get("nation_name") or "").strip():
        errors["nation_name"] = [ERR_NATION_NAME]
    phone = data.get("phone")
    if phone and CadrePerson.objects.filter(phone=phone).exclude(pk=exclude_pk).exclude(
            id_number=data.get("id_number")).exists():
        errors["phone"] = [ERR_PHONE_TAKEN]
    if errors:
        raise ValidationError(errors)
    return data


def _clean_text(data, *, birth=None):
    """The one text rule over the person's and the post's free-text fields (portal.text), and the
    range each date of the record allows (portal.people)."""
    data = dict(data)
    labels = {**text.model_text_labels(CadrePerson, PERSON_FIELDS), **text.model_text_labels(CadrePost, POST_FIELDS)}
    errors = text.clean_fields(data, labels)
    if birth is None and int(data.get("id_type") or 1) == idcard.IdType.RESIDENT:
        try:
            birth = idcard.birth_date(idcard.validate_id_number(data.get("id_number")))
        except (ValidationError, TypeError, ValueError):
            birth = None  # the ID's own error is reported by _clean_person
    for field, problem in life_date_problems(data, birth=birth, today=timezone.localdate()).items():
        errors.setdefault(field, problem)
    if errors:
        raise ValidationError(errors)
    return data


def person_age_problem(data):
    """A resident ID's birth date against the cadre age rule (the import applies the same rule)."""
    if int(data.get("id_type") or idcard.IdType.RESIDENT) != idcard.IdType.RESIDENT:
        return None
    return cadre_age_problem(idcard.birth_date(data["id_number"]), timezone.localdate())


def _derived(person):
    if person.id_type == idcard.IdType.RESIDENT:
        person.birth_date = idcard.birth_date(person.id_number)
        person.sex = idcard.sex(person.id_number)


@transaction.atomic
def cadre_create(*, actor, data):
    """新增团干. A person already a cadre of another org keeps their base information; only this
    org's post data is added. Returns (post, added_to_existing_person)."""
    actor.require_org_actor()
    data = _clean_text(data)
    number = idcard.normalize(data.get("id_number"))
    person = CadrePerson.objects.select_for_update().filter(id_number=number).first() if number else None
    if person is not None:
        if person.posts.filter(org=actor.org).exists():
            raise ValidationError(ERR_ALREADY_HERE)
    else:
        data = _clean_person(data)
        person = CadrePerson(first_org=actor.org, **{f: data.get(f) for f in PERSON_FIELDS if f in data})
        _derived(person)
        person.full_clean(exclude=["user", "working_post", "first_org"])
        person.save()
    post = CadrePost(person=person, org=actor.org, **{f: data[f] for f in POST_FIELDS if f in data})
    post.search_text = post.build_search_text(person, actor.org)
    post.full_clean(exclude=["person", "org", "operator_user"])
    try:
        with transaction.atomic():
            post.save()
    except IntegrityError:
        raise ValidationError(ERR_ALREADY_HERE) from None
    directory.index_posts([post], person)
    contacts.queue_for_person(person)
    audit_record(actor=actor, action="cadre.create", obj=post,
                 after={"姓名": person.name, "身份证号码": idcard.mask(person.id_number), "团内现任职务": post.title})
    return post, person.first_org_id != actor.org.pk


@transaction.atomic
def cadre_update(*, actor, post, data):
    """编辑团干: this org's post data; the base information only by the org that entered it first."""
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().select_related("person").get(pk=post.pk, org=actor.org)
    person = post.person
    data = _clean_text(data, birth=person.birth_date)
    before = {**snapshot(person, AUDIT_FIELDS), **snapshot(post, POST_FIELDS[:4])}
    if person.first_org_id == actor.org.pk:
        person_data = {f: data[f] for f in PERSON_FIELDS if f in data and f not in ("id_type", "id_number")}
        merged = {**{f: getattr(person, f) for f in PERSON_FIELDS}, **person_data}
        merged = _clean_person(merged, exclude_pk=person.pk)
        for field in person_data:
            setattr(person, field, merged[field])
        person.full_clean(exclude=["user", "working_post", "first_org"], validate_unique=False)
        person.save()
    for field in POST_FIELDS:
        if field in data:
            setattr(post, field, data[field])
    post.full_clean(exclude=["person", "org", "operator_user"], validate_unique=False)
    post.save()
    refresh_search_text(person.posts.select_related("org"), person=person)
    directory.index_posts(person.posts.select_related("org"), person)
    after = {**snapshot(person, AUDIT_FIELDS), **snapshot(post, POST_FIELDS[:4])}
    before, after = changed_only(before, after)
    audit_record(actor=actor, action="cadre.update", obj=post, before=before, after=after)
    if "姓名" in after or "手机号码" in after:
        if "手机号码" in before:  # the old WeChat Work member goes; the new phone is the new userid
            contacts.queue_sync(CadrePerson(phone=before["手机号码"], name=person.name), ContactSync.Action.DELETE)
        contacts.queue_for_person(person)
    if post.operator_user_id and ("手机号码" in after or "姓名" in after):  # the operator logs in with it
        User.objects.filter(pk=post.operator_user_id).update(phone=person.phone, first_name=person.name[:150])
    return post


@transaction.atomic
def cadre_set_enabled(*, actor, post, enabled):
    """启用/禁用: an enabled cadre may enter WeChat Work for this org; a disabled one may not."""
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().get(pk=post.pk, org=actor.org)
    if post.enabled == enabled:
        raise ValidationError(ERR_ALREADY_ENABLED if enabled else ERR_ALREADY_DISABLED)
    post.enabled = enabled
    post.save(update_fields=["enabled"])
    directory.index_posts([post])  # only enabled cadres are in the directory's word index
    if not enabled and post.operator_user_id:  # a disabled cadre cannot stay operator
        _operator_off(post)
    audit_record(actor=actor, action="cadre.enable" if enabled else "cadre.disable", obj=post)
    contacts.queue_for_person(post.person)
    return post


@transaction.atomic
def cadre_delete(*, actor, post):
    """删除: removes only this org's post; the person goes when no org keeps a post for them."""
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().select_related("person").get(pk=post.pk, org=actor.org)
    person = post.person
    if post.operator_user_id:
        _operator_off(post)
    audit_record(actor=actor, action="cadre.delete", obj=post,
                 before={"姓名": person.name, "身份证号码": idcard.mask(person.id_number), "团内现任职务": post.title})
    post.delete()
    if not person.posts.exists():
        if person.user_id:  # the WeChat Work login goes with the last post
            User.objects.filter(pk=person.user_id).update(is_active=False)
            WeChatIdentity.objects.filter(user_id=person.user_id).delete()
        contacts.queue_sync(person, ContactSync.Action.DELETE)
        person.delete()
    else:
        contacts.queue_for_person(person)


def refresh_search_text(posts, person=None):
    """Rebuild the 通讯录 search text of some posts (a person's or an org's: a handful of rows)."""
    for post in posts:
        search_text = post.build_search_text(person=person)
        if search_text != post.search_text:
            CadrePost.objects.filter(pk=post.pk).update(search_text=search_text)


def _operator_off(post):
    User.objects.filter(pk=post.operator_user_id).update(is_active=False)
    post.operator_user = None
    post.operator_label = ""
    post.save(update_fields=["operator_user", "operator_label"])


@transaction.atomic
def operator_set(*, actor, post, label):
    """设置运营者: returns the one-time password to hand over (must be changed at first login)."""
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().select_related("person").get(pk=post.pk, org=actor.org)
    person = post.person
    label = text.clean_text(label, label="职位标签", field="label")
    if not label or len(label) > 99:
        raise ValidationError({"label": ERR_LABEL})
    if post.operator_user_id:
        raise ValidationError(ERR_ALREADY_OPERATOR_HERE)
    if not post.enabled:
        raise ValidationError(ERR_DISABLED_OPERATOR)
    elsewhere = person.posts.filter(operator_user__isnull=False).exclude(pk=post.pk).select_related("org").first()
    if elsewhere is not None:
        raise ValidationError(ERR_OPERATOR_ELSEWHERE.format(org=elsewhere.org.full_name))
    password = generate_password()
    # One operator login per phone: an earlier, cancelled one is reused for the new org.
    user = User.objects.filter(phone=person.phone).first()
    if user is not None and user.kind != User.Kind.OPERATOR:
        raise ValidationError({"phone": ERR_PHONE_TAKEN})
    if user is None:
        user = User(username=f"op-{person.phone}", phone=person.phone, kind=User.Kind.OPERATOR)
    user.organization = actor.org
    user.first_name = person.name[:150]
    user.is_active = True
    user.must_change_password = True
    user.set_password(password)
    user.save()
    post.operator_user = user
    post.operator_label = label
    try:
        with transaction.atomic():
            post.save(update_fields=["operator_user", "operator_label"])
    except IntegrityError:  # a concurrent request made them operator elsewhere
        raise ValidationError(ERR_OPERATOR_ELSEWHERE.format(org="其他组织")) from None
    audit_record(actor=actor, action="operator.set", obj=post, after={"姓名": person.name, "职位标签": label})
    return password


@transaction.atomic
def operator_cancel(*, actor, post):
    """取消运营者: the cadre can no longer log in to the service pages or review in WeChat Work."""
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().select_related("person").get(pk=post.pk, org=actor.org)
    if not post.operator_user_id:
        raise ValidationError(ERR_NOT_OPERATOR_HERE)
    label = post.operator_label
    _operator_off(post)
    audit_record(actor=actor, action="operator.cancel", obj=post, before={"姓名": post.person.name, "职位标签": label})
    return post


@transaction.atomic
def operator_reset_password(*, actor, post):
    actor.require_org_actor()
    post = CadrePost.objects.select_for_update().get(pk=post.pk, org=actor.org)
    if not post.operator_user_id:
        raise ValidationError(ERR_NOT_OPERATOR)
    user = post.operator_user
    password = account_issue_one_time_password(user=user, login=user.phone)
    audit_record(actor=actor, action="operator.reset_password", obj=post)
    return password


# --- 企业号: join (入驻) and the working identity ---------------------------------------------------

ERR_NOT_FOUND = "尚未找到您的团干信息，请联系所在组织在“团干管理”中录入（手机号码须与企业微信一致）。"
ERR_ALL_DISABLED = "您的团干信息已被所在组织禁用，暂不能入驻企业号，请联系所在组织。"
ERR_IDENTITY_TAKEN = "该企业微信账号已绑定其他团干，请联系管理员。"
ERR_POST_NOT_AVAILABLE = "该工作身份不可用，请重新选择"


def cadre_person_for_phone(phone):
    return CadrePerson.objects.filter(phone=phone).first()


@transaction.atomic
def cadre_join(*, person, userid, now=None):
    """入驻: tie the WeChat Work identity to the cadre's login (made on first entry) and record it.

    Returns the enabled posts the cadre may work as; with one, it becomes the working identity.
    """
    from django.utils import timezone

    person = CadrePerson.objects.select_for_update().get(pk=person.pk)
    posts = list(person.posts.filter(enabled=True).select_related("org").order_by("id"))
    if not posts:
        raise ValidationError(ERR_ALL_DISABLED)
    if person.user_id is None:
        person.user = User.objects.create(username=f"cadre-{person.pk}", kind=User.Kind.CADRE,
                                          first_name=person.name[:150], organization=posts[0].org)
        person.user.set_unusable_password()
        person.user.save(update_fields=["password"])
    elif not person.user.is_active:
        User.objects.filter(pk=person.user_id).update(is_active=True)
    identity = WeChatIdentity.objects.filter(kind=WeChatIdentity.Kind.WORK, external_id=userid).first()
    if identity is not None and identity.user_id != person.user_id:
        if CadrePerson.objects.filter(user_id=identity.user_id).exists():
            raise ValidationError(ERR_IDENTITY_TAKEN)
        identity.delete()  # left over from a deleted cadre record with this phone: theirs again
        identity = None
    if identity is None:
        WeChatIdentity.objects.filter(user=person.user, kind=WeChatIdentity.Kind.WORK).delete()
        WeChatIdentity.objects.create(user=person.user, kind=WeChatIdentity.Kind.WORK, external_id=userid)
    if person.joined_work_at is None:
        person.joined_work_at = now or timezone.now()
    if person.working_post_id not in {p.pk for p in posts}:
        person.working_post = posts[0] if len(posts) == 1 else None
    person.save(update_fields=["user", "joined_work_at", "working_post"])
    return posts


@transaction.atomic
def cadre_choose_identity(*, person, post_id):
    """选择工作身份: one of the person's enabled posts."""
    post = person.posts.filter(pk=int_or_none(post_id) or 0, enabled=True).select_related("org").first()
    if post is None:
        raise ValidationError(ERR_POST_NOT_AVAILABLE)
    CadrePerson.objects.filter(pk=person.pk).update(working_post=post)
    User.objects.filter(pk=person.user_id).update(organization=post.org)
    return post


ERR_DUTY_REQUIRED = "请选择团干职务"
ERR_DUTY_NAME_REQUIRED = "请填写职务名称"
ERR_DUTY_NAME_LONG = "职务名称不能超过99个字"


def duty_name_needed(org, duty):
    """领导机关: a 职务名称 unless 书记/副书记; other orgs: only for 其他 (reference §2.1.4 编辑)."""
    from .models import LeadingDuty, OtherDuty

    if duty_choices(org) is LeadingDuty:
        return duty not in (LeadingDuty.SECRETARY, LeadingDuty.DEPUTY)
    return duty == OtherDuty.OTHER


@transaction.atomic
def cadre_set_duty(*, actor, post, duty, duty_name=""):
    """填写职务 on entering WeChat Work: the cadre's own duty in the org they work for now."""
    person = actor.extra.get("person")
    post = CadrePost.objects.select_for_update().select_related("org", "person").filter(
        pk=post.pk, person=person, enabled=True).first() if person is not None else None
    if post is None:
        raise ValidationError(ERR_POST_NOT_AVAILABLE)
    try:
        duty = int(duty)
    except (TypeError, ValueError):
        duty = None
    if duty not in duty_choices(post.org).values:
        raise ValidationError({"duty": ERR_DUTY_REQUIRED})
    duty_name = text.clean_text(duty_name, label="职务名称", field="duty_name")
    if duty_name_needed(post.org, duty) and not duty_name:
        raise ValidationError({"duty_name": ERR_DUTY_NAME_REQUIRED})
    if len(duty_name) > 99:
        raise ValidationError({"duty_name": ERR_DUTY_NAME_LONG})
    before = post.duty_label
    post.duty, post.duty_name = duty, duty_name
    post.search_text = post.build_search_text()
    post.save(update_fields=["duty", "duty_name", "search_text"])
    directory.index_posts([post])
    audit_record(actor=actor, action="cadre.duty", obj=post, org=post.org,
                 before={"团干职务": before} if before else None, after={"团干职务": post.duty_label})
    return post
