"""Reads of home articles: the member feed (cached per branch); the service pages' scoped lists."""

import logging

from django.core.cache import cache
from django.db.models import Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orgtree.models import Organization

from .models import ArticleKind, HomeArticle
from .permissions import DEFAULT_LOCAL_DEPTH, require_provincial

log = logging.getLogger(__name__)

FEED_PAGE_SIZE = 10
FEED_MAX_PAGE = 50  # bounded pagination (DESIGN §7)
FEED_TTL = 600  # seconds; a safety net only — changes bump the version at once
COVER_SPEC = "fill-370x165"
KIND_LABELS = dict(ArticleKind.choices)
TABS = {"all": None, "featured": ArticleKind.FEATURED, "local": ArticleKind.LOCAL}


def ancestor_paths(org):
    """The org's own path and every ancestor's: the prefixes of its materialised path."""
    step = Organization.steplen
    return [org.path[:end] for end in range(step, len(org.path) + 1, step)]


def feed_queryset(*, branch, kind=None, now=None):
    """Live articles of the branch and its ancestors (精华 come from the root, itself an ancestor).

    One query: the ancestors are found by exact path (unique index); their live articles through
    the partial feed index once the table is large (at 5,000 rows PostgreSQL rightly prefers a scan).
    """
    qs = HomeArticle.objects.filter(live=True, publisher__path__in=ancestor_paths(branch),
                                    published_at__lte=now or timezone.now())
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.order_by("-pinned", "-published_at", "-id")


def _cover_urls(ids):
    from wagtail.images import get_image_model

    urls = {}
    for image in get_image_model().objects.filter(pk__in=ids):
        try:
            urls[image.pk] = image.get_rendition(COVER_SPEC).url
        except Exception:  # a missing or unreadable source file must not break the members' home page
            log.warning("home article cover %s has no rendition", image.pk, exc_info=True)
    return urls


def _page_urls(ids):
    from wagtail.models import Page

    from pages.selectors import member_url_for_page

    return {page.pk: member_url_for_page(page) for page in Page.objects.filter(pk__in=ids)}


FEED_COLUMNS = ("id", "title", "link_url", "link_page_id", "cover_id", "kind", "published_at", "pinned",
                "publisher__short_name")


def next_scheduled(*, version, now):
    """When the earliest scheduled (future) article falls due, over all articles: cached once per
    feed version, so a cache miss for one branch costs only that branch's feed query."""
    key = f"home_articles:feed:{version}:next_due"
    entry = cache.get(key)
    if entry is None or (entry["at"] is not None and now >= entry["at"]):
        entry = {"at": HomeArticle.objects.filter(live=True, published_at__gt=now)
                 .aggregate(at=Min("published_at"))["at"]}
        cache.set(key, entry, FEED_TTL)
    return entry["at"]


def cached_service_links(*, version):
    """其他服务, cached apart from the articles: publishing an article leaves it cached."""
    from pages.selectors import service_links

    key = f"home_articles:links:{version}"
    links = cache.get(key)
    if links is None:
        links = service_links()
        cache.set(key, links, FEED_TTL)
    return links


def feed_page(*, branch, tab="all", page=1, now=None):
    """One page of a branch's feed as plain dicts. Covers and internal links, which few articles
    have, are looked up only for the rows that have them."""
    tab = tab if tab in TABS else "all"
    page = min(max(int(page), 1), FEED_MAX_PAGE)
    start = (page - 1) * FEED_PAGE_SIZE
    rows = list(feed_queryset(branch=branch, kind=TABS[tab], now=now or timezone.now())
                .values(*FEED_COLUMNS)[start:start + FEED_PAGE_SIZE + 1])
    has_next = len(rows) > FEED_PAGE_SIZE
    rows = rows[:FEED_PAGE_SIZE]
    covers = _cover_urls({r["cover_id"] for r in rows if r["cover_id"]}) if any(r["cover_id"] for r in rows) else {}
    pages = _page_urls({r["link_page_id"] for r in rows if r["link_page_id"]}) \
        if any(r["link_page_id"] for r in rows) else {}
    items = [{
        "id": r["id"],
        "title": r["title"],
        "url": r["link_url"] or pages.get(r["link_page_id"], ""),
        "cover_url": covers.get(r["cover_id"], ""),
        "kind": r["kind"],
        "kind_label": KIND_LABELS[r["kind"]],
        "publisher": r["publisher__short_name"],
        "published_at": r["published_at"],
        "pinned": r["pinned"],
    } for r in rows]
    return {"items": items, "tab": tab, "page": page, "has_previous": page > 1,
            "has_next": has_next and page < FEED_MAX_PAGE}


# --- the service pages (/manage/) ----------------------------------------------------------------

def org_articles(*, actor):
    """首页文章管理: the articles the actor's org published (an org sees and manages its own only)."""
    actor.require_org_actor()
    return HomeArticle.objects.filter(publisher=actor.org).select_related("cover", "link_page") \
        .order_by("-pinned", "-published_at", "-id")


def org_article_get(*, actor, pk):
    """One of the org's own articles; any other org's is a 404 (DESIGN §4)."""
    return get_object_or_404(org_articles(actor=actor), pk=pk)


def local_right_orgs(*, actor):
    """The orgs whose 本地 right is worth showing: the default holders (the provincial committee's
    direct children, found through the path index) and every org with a setting of its own.
    Provincial account only."""
    require_provincial(actor)
    root = Organization.get_first_root_node()
    defaults = root.get_children().values("pk") if root is not None else Organization.objects.none()
    return (Organization.objects.filter(Q(pk__in=defaults) | Q(local_publishing_right__isnull=False))
            .select_related("local_publishing_right").order_by("path"))


def effective_local_right(org):
    """The right as :func:`permissions.can_publish_local` sees it, from an org loaded by
    :func:`local_right_orgs` (no query)."""
    right = getattr(org, "local_publishing_right", None)
    if right is not None:
        return right.allowed
    return org.depth <= DEFAULT_LOCAL_DEPTH


def cms_accounts(*, actor):
    """CMS logins bound to an org (superusers are not listed). Provincial account only.

    Found from the CMS editors' groups (their membership table is small and indexed by group), not by
    scanning the millions of member logins for ``kind``.
    """
    from django.contrib.auth.models import Group

    from portal.models import User

    from .services import CMS_ROLES

    require_provincial(actor)
    groups = Group.objects.filter(name__in=[name for name, _ in CMS_ROLES])
    editors = User.objects.filter(groups__in=groups).values("pk")
    return (User.objects.filter(pk__in=editors, kind=User.Kind.STAFF, organization__isnull=False, is_superuser=False)
            .select_related("organization").prefetch_related("groups").order_by("organization__path", "username"))


def cms_account_get(*, actor, pk):
    return get_object_or_404(cms_accounts(actor=actor), pk=pk)
