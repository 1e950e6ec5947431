"""The service pages' shell — header, side menu, pager — built in Python (issue 16: pages ≤ 2× a trivial view).

Every ``/manage/`` page shows it, and the template engine spent about a millisecond a page on it: the
side menu's ~30 links, the header's four addresses and its form. ``manage/base.html`` prints the two
pieces the context processor (``portal.context_processors.shell``) hands it; the side menu for one
menu (an org type's) and one highlighted entry is built once per process.
"""

from functools import cache, lru_cache
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import actors
from .html import esc
from .prepared import keep
from .registry import BADGE_LIMIT


def badge(count):
    """A count on a badge or a to-do tile: 99 at most, then "99+" (the unread count stops counting there)."""
    return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else count


@cache
def _addresses():
    """The header's links and the stylesheet: fixed while the process runs (one script prefix)."""
    return {
        "own": esc(reverse("orgtree:own")), "messages": esc(reverse("messaging:manage_list")),
        "help": esc(reverse("pages:manage_help")), "logout": esc(reverse("portal:logout")),
        "css": esc(static("manage/manage.css")), "icon": esc(static("favicon.ico")),
        "name": esc(settings.WAGTAIL_SITE_NAME),
    }


@cache
def mobile_head():
    """The member and cadre ends' stylesheet and icons, and their two help centres' addresses."""
    links = (f'<link rel="stylesheet" href="{esc(static("mobile/mobile.css"))}">\n'
             f'<link rel="icon" href="{esc(static("favicon.ico"))}">\n'
             f'<link rel="apple-touch-icon" href="{esc(static("apple-touch-icon.png"))}">')
    return mark_safe(links), reverse("pages:cadre_help"), reverse("pages:member_help")  # noqa: S308


@cache
def head_links():
    a = _addresses()
    return mark_safe(f'<link rel="stylesheet" href="{a["css"]}">\n<link rel="icon" href="{a["icon"]}">')  # noqa: S308


def header_html(request, actor, unread):
    """The top bar; with no one signed in (an error page before login) only the portal's name."""
    a = _addresses()
    if actor is None:
        return mark_safe(f'<header class="top">\n  <span class="brand">{a["name"]}</span>\n</header>')  # noqa: S308
    org = actor.org
    org_link = f'<a href="{a["own"]}" title="组织资料">{esc(org.full_name)}</a>' if org else ""
    shown = ""
    if unread:
        shown = f'<span class="badge" title="{badge(unread)} 条新站内信，点击查看">{badge(unread)}</span>'
    return mark_safe(  # noqa: S308 - every value below is escaped
        f'<header class="top">\n  <span class="brand">{a["name"]}</span>\n'
        f'  <span class="org">{org_link}</span>\n'
        f'  <a href="{a["messages"]}" id="header-messages">消息{shown}</a>\n'
        f'  <a href="{a["help"]}">帮助中心</a>\n'
        f'  <form method="post" action="{a["logout"]}" onsubmit="return confirm(\'确定退出？\');">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(get_token(request))}">'
        f'<button type="submit">安全退出</button></form>\n</header>')


def nav_html(actor, menu, path):
    """The side menu with who is signed in above it."""
    who = esc(actor.label if actor.kind == actors.OPERATOR else actor.kind_label)
    org_type = esc(actor.org.type_label) if actor.org else ""
    return mark_safe(f'<div class="who">{who}<br>{org_type}</div>\n    {sidebar_html(menu, path)}')  # noqa: S308


def sidebar_html(menu, path):
    items = tuple((section, tuple(items)) for section, items in menu)
    urls = {item.url() for _, entries in items for item in entries}
    return _sidebar(items, path if path in urls else None)


@lru_cache(maxsize=512)
def _sidebar(menu, active_url):
    parts = []
    for section, items in menu:
        if section != "首页":
            parts.append(f"<h4>{esc(section)}</h4>")
        for item in items:
            url = item.url()
            active = ' class="active"' if url == active_url else ""
            parts.append(f'<a href="{esc(url)}"{active}>{esc(item.label)}</a>')
    return "".join(parts)


def filter_fields_html(form):
    """A list's filter fields in Python: the template loop cost four lookups a field on every list page.

    A filter form declared on its class alone (no ``__init__``, prefix or initial values) shows the
    same HTML for the same values, so it is kept per form class, language and values: each widget
    went through the template engine, 0.3 ms a list page (issue 16)."""
    key = _fields_key(form)
    html = _FIELDS_HTML.get(key) if key is not None else None
    if html is None:
        html = mark_safe("".join(  # noqa: S308 - labels escaped; widgets and errors are Django's safe HTML
            f'<div><label for="{esc(field.id_for_label)}">{esc(field.label)}</label>{field}{field.errors or ""}</div>'
            for field in form))
        if key is not None:
            keep(_FIELDS_HTML, key, html, FIELDS_HTML_KEPT)
    return html


#: Filter forms' HTML by (form class, language, values): the most recent ones.
_FIELDS_HTML = {}
FIELDS_HTML_KEPT = 512


def _fields_key(form):
    """What a declared filter form's HTML depends on, or None when something else may change it."""
    cls = type(form)
    if cls.__init__ is not forms.BaseForm.__init__ or form.prefix or form.initial or form.files \
            or not hasattr(form.data, "getlist") or any(field.initial is not None for field in form.fields.values()):
        return None
    values = tuple(tuple(form.data.getlist(name)) for name in form.fields) if form.is_bound else None
    return cls, get_language(), form.auto_id, values


def pagination_html(page, query):
    """上一页 / 第 n / m 页，共 N 条 / 下一页 under a numbered list; the links keep the query's other parameters."""
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return ""
    keep = "".join(f"{esc(k)}={esc(quote(str(v), safe='/'))}&" for k, v in query.items() if k != "page")
    capped = getattr(paginator, "capped", False)
    parts = ['<div class="pagination">\n']
    if page.has_previous():
        parts.append(f'<a class="btn" href="?{keep}page={page.previous_page_number()}">上一页</a>')
    parts.append(f'\n<span>第 {page.number} / {paginator.num_pages} 页，共 {paginator.count}{"+" if capped else ""} 条</span>')
    if capped and not page.has_next():
        parts.append('<span class="muted">更早的记录请按条件查询</span>')
    parts.append("\n")
    if page.has_next():
        parts.append(f'<a class="btn" href="?{keep}page={page.next_page_number()}">下一页</a>')
    parts.append("\n</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped or a number
