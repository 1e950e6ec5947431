"""Reads of the CMS content for the three ends: announcements, help, tips, 其他服务, search."""

from django.http import Http404
from django.urls import reverse

from portal.prepared import prepared

from .cjk import index_grams, query_grams
from .models import AnnouncementPage, Audience, HelpArticlePage, HelpCenterPage, ServiceLink, TipsPage

HOME_ANNOUNCEMENTS = 6
SEARCH_LIMIT = 20

#: Which help articles each end reads. Org accounts support their cadres and members, so the
#: desktop help center shows every audience; cadres also see what their members are told.
END_AUDIENCES = {
    "manage": [Audience.ORG, Audience.CADRE, Audience.MEMBER],
    "cadre": [Audience.CADRE, Audience.MEMBER],
    "member": [Audience.MEMBER],
}


def announcements():
    return AnnouncementPage.objects.live().order_by("-date", "-first_published_at", "-id")


def latest_announcements(limit=HOME_ANNOUNCEMENTS):
    """The service pages' home shows them on every visit: prepared (compiling the page tree's join
    took longer than running it)."""
    return _latest_announcements(limit=limit)


@prepared
def _latest_announcements(*, limit):
    return announcements().only("id", "title", "date")[:limit]


def announcement_get(pk):
    try:
        return announcements().prefetch_related("attachments__document").get(pk=pk)
    except AnnouncementPage.DoesNotExist:
        raise Http404("未找到该公告") from None


def help_center():
    return HelpCenterPage.objects.live().first()


def help_articles(*, end):
    """Live help articles for an end, in the editors' order, grouped by audience."""
    audiences = END_AUDIENCES[end]
    articles = HelpArticlePage.objects.live().filter(audience__in=audiences).order_by("path")
    groups = {a: [] for a in audiences}
    for article in articles.only("id", "title", "audience", "summary"):
        groups[article.audience].append(article)
    return [(Audience(a).label, items) for a, items in groups.items() if items]


def help_article_get(*, end, pk):
    try:
        return HelpArticlePage.objects.live().filter(audience__in=END_AUDIENCES[end]).get(pk=pk)
    except HelpArticlePage.DoesNotExist:
        raise Http404("未找到该帮助文章") from None


def tips():
    return TipsPage.objects.live().first()


def service_links():
    return [{"title": s.title, "url": s.url, "description": s.description}
            for s in ServiceLink.objects.filter(enabled=True)]


def member_url_for_page(page):
    """Where a member reads a page that a home article links to."""
    cls = page.specific_class
    if cls is AnnouncementPage:
        return reverse("pages:member_announcement", args=[page.pk])
    if cls is HelpArticlePage:
        return reverse("pages:member_help_article", args=[page.pk])
    if cls is TipsPage:
        return reverse("pages:member_tips")
    return page.url or ""


def search(*, end, query, limit=SEARCH_LIMIT):
    """企业小助手 / 帮助搜索: help articles, tips and announcements matching Chinese keywords.

    The query becomes CJK bigrams (pages/cjk.py) that must all occur; when nothing has them all,
    any of them will do, best matches first.
    """
    grams = query_grams(query)
    if not grams:
        return []
    terms = " ".join(grams)
    sources = [
        ("帮助", HelpArticlePage.objects.live().filter(audience__in=END_AUDIENCES[end])),
        ("团务小常识", TipsPage.objects.live()),
        ("公告", AnnouncementPage.objects.live()),
    ]
    for operator in ("and", "or"):
        hits = []
        for label, queryset in sources:
            for page in queryset.search(terms, operator=operator).annotate_score("_score")[:limit]:
                hits.append((page._score or 0, label, page))
        if hits:
            # A keyword in the title beats any number of mentions in the text.
            hits.sort(key=lambda h: (not set(grams) <= set(index_grams(h[2].title).split()), -h[0]))
            return [{"label": label, "page": page} for _, label, page in hits[:limit]]
    return []
