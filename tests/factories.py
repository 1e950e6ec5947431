"""Minimal builders for tests: orgs are created through the real services."""

import itertools

from portal.actors import actor_for_user
from portal.models import User

from orgtree.models import Organization
from orgtree.rules import Industry, OrgType
from orgtree.services import org_create, org_create_root

_seq = itertools.count(1)
HEADCOUNT = {"admin_quota": 3, "admin_staffed": 2, "career_quota": 1, "career_staffed": 1}


def make_root(name="团广东省委"):
    org, _ = org_create_root(full_name=f"中国共产主义青年团{name}", short_name=name,
                             phone="020-87195512", email="gd@12355.net")
    return org


def actor_of(org, ip="127.0.0.1"):
    return actor_for_user(User.objects.get(organization=org, kind=User.Kind.ORG), ip)


def org_data(org_type=OrgType.LEADING, name=None, **extra):
    n = next(_seq)
    name = name or f"测试组织{n}"
    data = {"org_type": org_type, "full_name": f"共青团{name}委员会", "short_name": name,
            "phone": "13800138000", "email": f"org{n}@example.com"}
    if org_type != OrgType.BRANCH:
        data.update(HEADCOUNT)
    if org_type != OrgType.LEADING:
        data["industry"] = Industry.OTHER
    data.update(extra)
    return data


def make_child(parent, org_type=OrgType.LEADING, name=None, **extra):
    org, _password = org_create(actor=actor_of(parent), data=org_data(org_type, name, **extra))
    return org


def refresh(org):
    return Organization.objects.get(pk=org.pk)


def login(client, org, password="Passw0rd123"):
    """Log the org account in (sets a known password directly; the flows that matter are tested separately)."""
    account = User.objects.get(organization=org, kind=User.Kind.ORG)
    account.set_password(password)
    account.must_change_password = False
    account.save()
    client.force_login(account, backend="portal.backends.AccountBackend")
    return account


def make_person(kind, org, name="张三", wechat_id=None, **extra):
    """A member or cadre login (their own apps give them records later), optionally with a WeChat identity."""
    from portal.models import WeChatIdentity

    n = next(_seq)
    user = User.objects.create(username=f"{kind}-{n}", kind=kind, organization=org, first_name=name, **extra)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if wechat_id:
        channel = WeChatIdentity.Kind.MP if kind == User.Kind.MEMBER else WeChatIdentity.Kind.WORK
        WeChatIdentity.objects.create(user=user, kind=channel, external_id=wechat_id)
    return user


def login_person(client, user):
    client.force_login(user, backend="portal.backends.WeChatBackend")
    return user


def make_id_number(birth="20000101", region="440106", seq=None, female=False):
    """A valid 18-digit resident ID (correct check digit) for the given birth date (YYYYMMDD)."""
    from stdnum.cn import ric

    seq = (seq if seq is not None else next(_seq)) % 500
    order = seq * 2 + (0 if female else 1)  # odd = male
    body = f"{region}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_operator(org, name="赵运营", phone=None, label="组织委员", work_userid=None, password="Operat0r2026"):
    """An operator the real way: a cadre post of the org made operator; optionally joined to WeChat Work."""
    from portal.models import WeChatIdentity
    from services.cadres.services import cadre_create, operator_set

    n = next(_seq)
    phone = phone or f"139{n:08d}"
    post, _ = cadre_create(actor=actor_of(org), data={
        "id_type": 1, "id_number": make_id_number("19950101"), "name": name, "phone": phone, "nation": 1,
        "political_status": 1, "education": 5, "title": "委员", "nature": 2})
    operator_set(actor=actor_of(org), post=post, label=label)
    user = User.objects.get(phone=phone)
    user.set_password(password)
    user.must_change_password = False
    user.save()
    if work_userid:
        person = post.person
        person.user = User.objects.create(username=f"cadre-{n}", kind=User.Kind.CADRE, first_name=name,
                                          organization=org)
        person.save(update_fields=["user"])
        WeChatIdentity.objects.create(user=person.user, kind=WeChatIdentity.Kind.WORK, external_id=work_userid)
    return user


def member_data(branch, *, birth="20000315", joined=None, **overrides):
    """A complete 报到 form for a member of ``branch``."""
    from datetime import date

    n = next(_seq)
    data = {
        "name": "李小明", "id_type": 1, "id_number": make_id_number(birth=birth, seq=n),
        "joined_league": joined or date(2015, 5, 1), "branch": branch, "income": 1, "political_status": 1,
        "is_cadre": False, "phone": f"139{n:08d}", "nation": 1, "education": 4, "highest_education": 4,
        "hukou_province": "广东省", "hukou_city": "广州市", "hukou_county": "天河区", "join_unit": "广州市第一中学",
        "member_number": "",
    }
    data.update(overrides)
    return data


def make_member(branch, *, approved=True, **overrides):
    """A member registered through the real 报到 service (and approved by the branch unless told not to)."""
    from services.members import registration, review
    from services.members.choices import RegistrationStatus

    data = member_data(branch, **overrides)
    with _registered_while_under_28(data):
        member = registration.member_register(data=data, openid=f"openid-{next(_seq)}")
        if approved:
            review.member_approve(actor=actor_of(branch), member=member)
    if approved:
        member.refresh_from_db()
        assert member.registration_status == RegistrationStatus.APPROVED
    return member


def _registered_while_under_28(data):
    """A member aged 28 or more today who holds no post registered years ago, at 27 (报到 refuses them
    today): travel there, but never before the join month."""
    import contextlib
    from datetime import date, datetime, time

    import time_machine
    from django.utils import timezone

    from portal import idcard
    from portal.people import full_years

    birth = data.get("birth_date") or idcard.birth_date(data["id_number"])
    today = timezone.localdate()
    if data.get("is_cadre") or full_years(birth, today) < 28:
        return contextlib.nullcontext()
    joined = data["joined_league"]
    when = max(date(birth.year + 27, birth.month, 1), date(joined.year + (joined.month == 12), joined.month % 12 + 1, 1))
    return time_machine.travel(timezone.make_aware(datetime.combine(when, time(10))), tick=False)


def make_cadre(org, *, name="钱团干", phone=None, title="副书记", join=False):
    """A cadre post of ``org`` through the real service; ``join=True`` also joins WeChat Work (入驻) with the
    phone as userid, as synced cadres do, so the post is the working identity of a WeChat Work login."""
    from services.cadres.services import cadre_create, cadre_join

    n = next(_seq)
    phone = phone or f"137{n:08d}"
    post, _ = cadre_create(actor=actor_of(org), data={
        "id_type": 1, "id_number": make_id_number("19960101", seq=n), "name": name, "phone": phone, "nation": 1,
        "political_status": 1, "education": 5, "title": title, "nature": 2})
    if join:
        cadre_join(person=post.person, userid=phone)
        post.refresh_from_db()
        post.person.refresh_from_db()
    return post


def make_cms_editor(org, *, username=None, name="宣传干部", password="Xuanchuan2024"):
    """A publicity officer (宣传干部) working for ``org``: a staff login in both CMS editors' groups
    (首页文章编辑 and 公告与帮助编辑, made by the migrations)."""
    from django.contrib.auth.models import Group

    from home_articles.images import org_collection

    user = User.objects.create(username=username or f"xc-{next(_seq)}", kind=User.Kind.STAFF, organization=org,
                               first_name=name)
    user.set_password(password)
    user.save()
    user.groups.add(*Group.objects.filter(name__in=["首页文章编辑", "公告与帮助编辑"]))
    org_collection(org)  # as cms_account_create does
    return user


def png_upload(name="proof.png"):
    """A small file that passes the attachment checks (PNG by content)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")


def login_attempt(client, username, password, ip="10.0.0.1", answer=True):
    """One POST of the management login page from ``ip``, answering the CAPTCHA when the username needs one
    (``answer=False`` leaves it empty; a string is sent as the answer)."""
    from django.urls import reverse

    from portal import captcha, lockout
    from portal.forms import CAPTCHA_USERNAME_KEY

    data = {"username": username, "password": password}
    if answer is True and lockout.captcha_required(username.strip()):
        if client.session.get(CAPTCHA_USERNAME_KEY) != username.strip():  # as a browser: the form asks first
            client.post(reverse("portal:login"), data, REMOTE_ADDR=ip)
        client.get(reverse("portal:login_captcha"), REMOTE_ADDR=ip)
        data["captcha"] = client.session[captcha.SESSION_KEY]["answer"]
    elif isinstance(answer, str):
        data["captcha"] = answer
    return client.post(reverse("portal:login"), data, REMOTE_ADDR=ip)
