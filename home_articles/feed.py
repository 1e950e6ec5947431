"""The member home's feed section: read by the selectors, rendered, and cached per branch.

What is cached is the rendered HTML of one (branch, tab, page): every member of a branch gets the
same section, so a warm request costs two cache round trips and renders nothing. The keys carry
two version numbers (home_articles/cache.py): the articles' and the 其他服务 links'. Any change to
either bumps its number after commit, which makes every branch's entries unreachable at once; an
entry also stops being served when a scheduled article falls due.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal.actors import MEMBER

from .cache import versions
from .selectors import FEED_MAX_PAGE, FEED_TTL, TABS, cached_service_links, feed_page, next_scheduled

TAB_LABELS = [("all", "全部"), ("featured", "精华"), ("local", "本地")]


def render_member_feed(*, branch, tab="all", page=1):
    tab = tab if tab in TABS else "all"
    page = min(max(int(page), 1), FEED_MAX_PAGE)
    feed_version, links_version = versions()
    key = f"home_articles:feed-html:{feed_version}:{links_version}:{branch.pk}:{branch.path}:{tab}:{page}"
    now = timezone.now()
    entry = cache.get(key)
    if entry is None or (entry["valid_until"] is not None and now >= entry["valid_until"]):
        feed = {**feed_page(branch=branch, tab=tab, page=page, now=now),
                "service_links": cached_service_links(version=links_version)}
        html = render_to_string("home_articles/feed.html", {"feed": feed, "tabs": TAB_LABELS})
        entry = {"html": html, "valid_until": next_scheduled(version=feed_version, now=now)}
        cache.set(key, entry, FEED_TTL)
    return mark_safe(entry["html"])


def render_feed(request):
    """The feed section for the request's member (nothing for anyone else), by ``?tab=`` and ``?page=``."""
    actor = getattr(request, "actor", None)
    if actor is None or actor.kind != MEMBER or actor.org is None:
        return ""
    page = request.GET.get("page", "1")
    return render_member_feed(branch=actor.org, tab=request.GET.get("tab", "all"),
                              page=int(page) if page.isdigit() else 1)
