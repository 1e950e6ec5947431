"""Who may publish which home articles, and the CMS permission policy that enforces it.

Wagtail groups say *what kind* of editor a login is (one group per role, e.g. 首页文章编辑);
the login's ``organization`` says *for which org* it works. The policy combines the two: an
editor holds a permission on an article only when the article's publisher is the editor's org.
Every snippet view that loads an article by id goes through :func:`editable_articles`, so an
article of another org is a 404 there (DESIGN §4), and the policy's per-instance answer is the
second line of defence.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from wagtail.permission_policies import ModelPermissionPolicy

from portal.actors import STAFF, Actor

from .models import ArticleKind, HomeArticle, LocalPublishingRight

EDITOR_GROUP = "首页文章编辑"

ERR_NO_ORG = "您的账号未关联团组织，不能发布首页文章"
ERR_FEATURED = "只有团省委可以发布“精华”文章"
ERR_LOCAL = "本组织没有发布“本地”文章的权限"
ERR_NOT_OWN = "只能管理本组织发布的文章"
ERR_NOT_PROVINCIAL = "只有团省委账号可以进行此操作"

#: Depth of the orgs that publish 本地 by default: the provincial committee's direct children.
DEFAULT_LOCAL_DEPTH = 2


def is_provincial(org):
    return org is not None and org.depth == 1


def require_provincial(actor):
    """Granting the 本地 right and creating CMS logins are the provincial account's (or its
    operators') alone; a Django superuser in the CMS may too."""
    if getattr(actor.user, "is_superuser", False):
        return
    if not (actor.acts_for_org and is_provincial(actor.org)):
        raise PermissionDenied(ERR_NOT_PROVINCIAL)


def can_publish_featured(org):
    """精华 is the provincial committee's alone (DESIGN §5)."""
    return is_provincial(org)


def can_publish_local(org):
    if org is None:
        return False
    right = LocalPublishingRight.objects.filter(organization=org).values_list("allowed", flat=True).first()
    if right is not None:
        return right
    return org.depth <= DEFAULT_LOCAL_DEPTH


MENU_RIGHT_KEY = "home_articles:local_right:{}"
MENU_RIGHT_SECONDS = 300


def may_publish_cached(org):
    """For the side menu on every service page: whether the org may publish any article, from the cache
    (one query saved per page; a change of the right clears it, and the pages themselves check live)."""
    if org is None:
        return False
    if is_provincial(org):
        return True
    key = MENU_RIGHT_KEY.format(org.pk)
    allowed = cache.get(key)
    if allowed is None:
        allowed = can_publish_local(org)
        cache.set(key, allowed, MENU_RIGHT_SECONDS)
    return allowed


def forget_menu_right(org):
    cache.delete(MENU_RIGHT_KEY.format(org.pk))


def allowed_kinds(org):
    kinds = []
    if can_publish_featured(org):
        kinds.append(ArticleKind.FEATURED)
    if can_publish_local(org):
        kinds.append(ArticleKind.LOCAL)
    return kinds


def check_can_publish(org, kind):
    if org is None:
        raise PermissionDenied(ERR_NO_ORG)
    if kind == ArticleKind.FEATURED and not can_publish_featured(org):
        raise PermissionDenied(ERR_FEATURED)
    if kind == ArticleKind.LOCAL and not can_publish_local(org):
        raise PermissionDenied(ERR_LOCAL)


def editor_org(user):
    """The org a CMS login works for (None for superusers without one)."""
    if user is None or not user.is_authenticated:
        return None
    return user.organization


def editor_actor(user, ip=None):
    """The audit log's actor for a CMS editor: the login, acting for its org."""
    org = editor_org(user)
    name = user.get_full_name() or user.get_username()
    label = f"{org.full_name} 宣传干部 {name}" if org is not None else f"系统管理员 {name}"
    return Actor(kind=STAFF, user=user, org=org, label=label, ip=ip)


def editable_articles(user):
    """The articles a CMS login may see at all: its org's only (every article for superusers)."""
    qs = HomeArticle.objects.all()
    if user.is_superuser:
        return qs
    org = editor_org(user)
    if org is None:
        return qs.none()
    return qs.filter(publisher=org)


class HomeArticlePermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the editor's group, narrowed to the editor's own org."""

    def user_has_permission(self, user, action):
        if not super().user_has_permission(user, action):
            return False
        if user.is_superuser:
            return True
        org = editor_org(user)
        if org is None:
            return False
        if action == "add":
            return bool(allowed_kinds(org))
        return True

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or (instance.publisher_id is not None
                                     and instance.publisher_id == getattr(editor_org(user), "pk", None))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return HomeArticle.objects.none()
        return editable_articles(user)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

