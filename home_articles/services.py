"""Every write to home articles: keyword-only, atomic, one audit row each (DESIGN §3, §4)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal.audit import audit_record, changed_only, register_actions, snapshot

from .models import HomeArticle
from .permissions import ERR_NOT_OWN, check_can_publish

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


@transaction.atomic
def article_create(*, actor, article):
    """Publish (or save unpublished) a new article for the actor's org."""
    check_can_publish(actor.org, article.kind)
    article.publisher = actor.org
    if getattr(actor.user, "pk", None):
        article.created_by = actor.user
    article.save()
    audit_record(actor=actor, action="home_article.create", obj=article, after=article_snapshot(article),
                 org=article.publisher)
    return article


@transaction.atomic
def article_update(*, actor, article, before):
    """Save an edited article; ``before`` is its snapshot as loaded. Unpublishing is an edit (live off)."""
    _check_own(actor, article)
    if article.live:  # taking an article down is always allowed, even after the right is withdrawn
        check_can_publish(article.publisher, article.kind)
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


@transaction.atomic
def publishing_right_set(*, actor, right):
    """Grant or withdraw an org's right to publish 本地 articles (the provincial staff's call)."""
    before = None
    if right.pk:
        old = type(right).objects.get(pk=right.pk)
        before = {"组织": str(old.organization), "可发布本地文章": old.allowed}
    right.save()
    audit_record(actor=actor, action="home_article.right", obj=right, before=before,
                 after={"组织": str(right.organization), "可发布本地文章": right.allowed}, org=right.organization)
    return right
