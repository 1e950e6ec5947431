"""Announcements, help and search for the three ends. Thin: parse, call one selector, render.

The desktop end (/manage/) serves org accounts and operators; the mobile ends serve members
(/m/) and cadres (/m/cadre/). Each view takes ``end`` from its URL pattern.
"""

from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse

from portal.decorators import org_actor_required
from portal.pagination import page_of
from portal.views.mobile import cadre_required, member_required

from . import selectors
from .models import AnnouncementPage, TipsPage

LIST_PAGE_SIZE = 20


def end_required(view):
    """Desktop: org actors. Mobile: the end's own decorator (members / cadres, WeChat login)."""
    guarded = {"manage": org_actor_required(view), "member": member_required(view), "cadre": cadre_required(view)}

    @wraps(view)
    def wrapper(request, *args, end, **kwargs):
        return guarded[end](request, *args, end=end, **kwargs)

    return wrapper


def _template(end, name):
    return f"pages/{'manage' if end == 'manage' else 'mobile'}/{name}.html"


def _reader_url(end, page):
    if isinstance(page, AnnouncementPage):
        return reverse(f"pages:{end}_announcement", args=[page.pk])
    if isinstance(page, TipsPage):
        return reverse(f"pages:{end}_tips")
    return reverse(f"pages:{end}_help_article", args=[page.pk])


def _context(end, **extra):
    return {"end": end, **extra}


@end_required
def announcement_list(request, *, end):
    page = page_of(selectors.announcements().only("id", "title", "date", "source"), LIST_PAGE_SIZE,
                   request.GET.get("page"))
    return render(request, _template(end, "announcement_list"), _context(end, page_obj=page))


@end_required
def announcement_detail(request, pk, *, end):
    announcement = selectors.announcement_get(pk)
    return render(request, _template(end, "article"), _context(
        end, item=announcement, kind="announcement", attachments=list(announcement.attachments.all())))


@end_required
def help_index(request, *, end):
    return render(request, _template(end, "help_index"), _context(
        end, center=selectors.help_center(), groups=selectors.help_articles(end=end), tips=selectors.tips()))


@end_required
def help_article(request, pk, *, end):
    return render(request, _template(end, "article"), _context(
        end, item=selectors.help_article_get(end=end, pk=pk), kind="help"))


@end_required
def tips(request, *, end):
    page = selectors.tips()
    if page is None:
        return redirect(f"pages:{end}_help")
    return render(request, _template(end, "article"), _context(end, item=page, kind="tips"))


@end_required
def search(request, *, end):
    query = request.GET.get("q", "").strip()[:50]
    results = selectors.search(end=end, query=query) if query else []
    for result in results:
        result["url"] = _reader_url(end, result["page"])
    return render(request, _template(end, "search"), _context(end, query=query, results=results))
