"""Every write to home articles: keyword-only, atomic, one audit row each (DESIGN §3, §4)."""

import re

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal import text
from portal.audit import audit_record, changed_only, register_actions, snapshot
from portal.models import User
from portal.passwords import generate_password
from portal.services import account_issue_one_time_password

from .images import ERR_COVER_SCOPE, org_collection, org_may_use_image
from .models import HomeArticle, LocalPublishingRight
from .permissions import (
    EDITOR_GROUP,
    ERR_NOT_OWN,
    allowed_kinds,
    check_can_publish,
    forget_menu_right,
    is_provincial,
    require_provincial,
)

register_actions({
    "home_article.create": "发布首页文章",
    "home_article.update": "修改首页文章",
    "home_article.delete": "删除首页文章",
})

AUDIT_FIELDS = ["title", "kind", "link_url", "link_page", "published_at", "pinned", "live"]


def article_snapshot(article):
    return snapshot(article, AUDIT_FIELDS)


def _check_own(actor, article):
    if getattr(actor.user, "is_superuser", False):
        return
    if actor.org is None or article.publisher_id != actor.org.pk:
        raise PermissionDenied(ERR_NOT_OWN)


def _attach_cover(actor, article, cover_file):
    """A cover uploaded on the service pages becomes a CMS image in the org's collection (the CMS chooses
    from the same images)."""
    if cover_file is None:
        return
    from wagtail.images import get_image_model

    image = get_image_model()(title=article.title[:255], file=cover_file,
                              uploaded_by_user=actor.user if getattr(actor.user, "pk", None) else None)
    if article.publisher_id is not None:
        image.collection = org_collection(article.publisher)
    image.save()
    article.cover = image


def _check_cover(actor, article):
    """A chosen cover must be the publisher's own image or a shared one; a cover the article already had
    stays allowed (it was checked when chosen)."""
    if article.cover_id is None or getattr(actor.user, "is_superuser", False):
        return
    if article.pk and HomeArticle.objects.filter(pk=article.pk, cover_id=article.cover_id).exists():
        return
    if not org_may_use_image(article.publisher, article.cover):
        raise ValidationError({"cover": ERR_COVER_SCOPE})


def _check_title(article):
    """The one text rule (portal.text) for the title members read in their feed."""
    article.title = text.clean_text(article.title, label="标题", required=True, field="title")


@transaction.atomic
def article_create(*, actor, article, cover_file=None):
    """Publish (or save unpublished) a new article for the actor's org.

    ``cover_file``: an uploaded image (already checked by the form), stored as a CMS image.
    """
    check_can_publish(actor.org, article.kind)
    article.publisher = actor.org
    if getattr(actor.user, "pk", None):
        article.created_by = actor.user
    _check_title(article)
    _check_cover(actor, article)
    _attach_cover(actor, article, cover_file)
    article.save()
    audit_record(actor=actor, action="home_article.create", obj=article, after=article_snapshot(article),
                 org=article.publisher)
    return article


@transaction.atomic
def article_update(*, actor, article, before, cover_file=None):
    """Save an edited article; ``before`` is its snapshot as loaded. Unpublishing is an edit (live off)."""
    _check_own(actor, article)
    if article.live:  # taking an article down is always allowed, even after the right is withdrawn
        check_can_publish(article.publisher, article.kind)
    _check_title(article)
    _check_cover(actor, article)
    _attach_cover(actor, article, cover_file)
    article.save()
    old, new = changed_only(before, article_snapshot(article))
    audit_record(actor=actor, action="home_article.update", obj=article, before=old, after=new,
                 org=article.publisher)
    return article


@transaction.atomic
def article_delete(*, actor, article):
    _check_own(actor, article)
    audit_record(actor=actor, action="home_article.delete", obj=article, before=article_snapshot(article),
                 org=article.publisher)
    HomeArticle.objects.filter(pk=article.pk).delete()


register_actions({"home_article.right": "设置本地文章发布权限"})

ERR_RIGHT_ROOT = "团省委始终可以发布首页文章，无需设置"


def _right_summary(right):
    return {"组织": str(right.organization), "可发布本地文章": right.allowed, "备注": right.note}


@transaction.atomic
def publishing_right_set(*, actor, right):
    """Grant or withdraw an org's right to publish 本地 articles: the provincial account's call
    (on /manage/ through :func:`local_right_set`; in the CMS, a superuser's)."""
    require_provincial(actor)
    if right.organization.depth <= 1:
        raise ValidationError({"organization": ERR_RIGHT_ROOT})
    before = None
    if right.pk:
        old = LocalPublishingRight.objects.select_related("organization").get(pk=right.pk)
        before = _right_summary(old)
    right.save()
    transaction.on_commit(lambda: forget_menu_right(right.organization))
    audit_record(actor=actor, action="home_article.right", obj=right, before=before,
                 after=_right_summary(right), org=right.organization)
    return right


@transaction.atomic
def local_right_set(*, actor, org, allowed, note=""):
    """Set ``org``'s 本地 right to ``allowed`` (one row per org; the default needs none)."""
    right = (LocalPublishingRight.objects.select_for_update().filter(organization=org).first()
             or LocalPublishingRight(organization=org))
    right.allowed, right.note = allowed, note
    return publishing_right_set(actor=actor, right=right)


# --- CMS logins bound to an org ----------------------------------------------------------------

register_actions({
    "cms_account.create": "新建CMS宣传干部账号",
    "cms_account.reset_password": "重置CMS宣传干部账号密码",
    "cms_account.active": "停用/启用CMS宣传干部账号",
})

#: The CMS roles a provincial account may give, by their Wagtail group (made by the migrations).
CONTENT_GROUP = "公告与帮助编辑"
CMS_ROLES = [(EDITOR_GROUP, "首页文章编辑（发布本组织的首页文章）"),
             (CONTENT_GROUP, "公告与帮助编辑（系统公告、帮助中心等全省共用内容，仅限团省委）")]
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,29}$")

ERR_USERNAME_FORMAT = "登录账号须以字母开头，由4至30位字母、数字或下划线组成"
ERR_USERNAME_TAKEN = "该登录账号已被使用，请换一个"
ERR_ROLES_REQUIRED = "请至少选择一个角色"
ERR_CONTENT_ROLE_PROVINCE = "公告与帮助编辑只能授予团省委的账号"
ERR_ORG_NO_RIGHT = "该组织没有发布首页文章的权限，请先授予“本地”文章发布权限"
ERR_NOT_CMS_ACCOUNT = "该账号不是CMS宣传干部账号"


def is_cms_account(user):
    return user.kind == User.Kind.STAFF and user.organization_id is not None and not user.is_superuser


def _require_cms_account(user):
    if not is_cms_account(user):
        raise PermissionDenied(ERR_NOT_CMS_ACCOUNT)


def _roles_of(user):
    return "、".join(sorted(user.groups.values_list("name", flat=True)))


@transaction.atomic
def cms_account_create(*, actor, org, username, name, roles):
    """A CMS login working for ``org``, with a random one-time password (returned, shown once, changed
    at the first login; DESIGN §4). Returns ``(user, password)``."""
    require_provincial(actor)
    username = (username or "").strip()
    errors = {}
    if not USERNAME_RE.match(username):
        errors["username"] = ERR_USERNAME_FORMAT
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ERR_USERNAME_TAKEN
    roles = [r for r in roles if r in dict(CMS_ROLES)]
    if not roles:
        errors["roles"] = ERR_ROLES_REQUIRED
    elif CONTENT_GROUP in roles and not is_provincial(org):
        errors["roles"] = ERR_CONTENT_ROLE_PROVINCE
    elif EDITOR_GROUP in roles and not allowed_kinds(org):
        errors["roles"] = ERR_ORG_NO_RIGHT
    if errors:
        raise ValidationError(errors)
    password = generate_password()
    user = User(username=username, kind=User.Kind.STAFF, organization=org, first_name=name.strip()[:150],
                must_change_password=True)
    user.set_password(password)
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    org_collection(org)  # where its images go (home_articles/images.py)
    audit_record(actor=actor, action="cms_account.create", obj=user, org=org, after={
        "登录账号": username, "姓名": user.first_name, "所属组织": org.full_name, "角色": _roles_of(user)})
    return user, password


@transaction.atomic
def cms_account_reset_password(*, actor, user):
    """A new one-time password for a CMS login, shown once; changed at its next login."""
    require_provincial(actor)
    _require_cms_account(user)
    password = account_issue_one_time_password(user=user, login=user.username)
    audit_record(actor=actor, action="cms_account.reset_password", obj=user, org=user.organization)
    return password


@transaction.atomic
def cms_account_set_active(*, actor, user, active):
    """停用 (the login can no longer sign in) or 启用 a CMS login; its articles stay."""
    require_provincial(actor)
    _require_cms_account(user)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="cms_account.active", obj=user, org=user.organization,
                 before={"状态": "停用" if active else "启用"}, after={"状态": "启用" if active else "停用"})
    return user
