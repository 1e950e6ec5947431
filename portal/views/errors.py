"""Error pages in Chinese, each in the layout of the end it happens on (DESIGN §1, house rules).

Django calls these as ``handler400/403/404/500`` (portal.urls) and ``CSRF_FAILURE_VIEW``. The end is
told by the path: ``/manage/`` the desktop service pages, ``/m/cadre/`` the cadre end, ``/m/`` the
member end, ``/cms/`` the CMS, anything else the public site. A refusal shows the Chinese reason the
code raised (``PermissionDenied("只有直接上级组织才能进行此操作")``, ``Http404("未找到该消息")``);
an exception without one (Django's own English texts, the resolver's dict) gets the page's default.

403/404 render in the end's full layout, with its context processors (menu, unread count). The 500
page, and any page whose full layout fails to render, uses a plain layout that needs neither the
database nor a context processor; if even that fails, a fixed Chinese text is sent.
"""

import logging
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.template import loader
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

MANAGE, MEMBER, CADRE, CMS, SITE = "manage", "member", "cadre", "cms", "site"

TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 500: "系统繁忙"}
DEFAULT_MESSAGES = {
    400: "请求无法处理，请返回上一页重试。",
    403: "您没有权限访问该页面或进行此操作。",
    404: "您访问的页面不存在，或所查看的内容已被删除、不在您的查看范围内。",
    500: "系统暂时无法处理您的请求，请稍后再试。如果问题持续出现，请联系上级组织。",
}
CSRF_TITLE = "页面已过期"
CSRF_MESSAGE = "页面已过期或请求来源无法验证，您的操作没有提交。请返回上一页，刷新页面后重新操作。"
FALLBACK_HTML = ("<!doctype html><html lang=\"zh-hans\"><head><meta charset=\"utf-8\"><title>系统繁忙</title></head>"
                 "<body><h1>系统繁忙</h1><p>系统暂时无法处理您的请求，请稍后再试。</p><p><a href=\"/\">返回首页</a></p>"
                 "</body></html>")

_CJK = re.compile(r"[\u4e00-\u9fff]")
_HOME_URL_NAMES = {MANAGE: "portal:home", MEMBER: "mobile:member_home", CADRE: "mobile:cadre_home",
                   CMS: "wagtailadmin_home"}
_FULL_TEMPLATES = {MANAGE: "errors/manage.html", MEMBER: "errors/mobile.html", CADRE: "errors/mobile.html"}


def end_of(path):
    if path.startswith("/m/cadre/") or path == "/m/cadre":
        return CADRE
    if path.startswith("/m/") or path == "/m":
        return MEMBER
    if path.startswith("/manage/") or path == "/manage":
        return MANAGE
    if path.startswith("/cms/"):
        return CMS
    return SITE


def home_url(end):
    try:
        return reverse(_HOME_URL_NAMES[end]) if end in _HOME_URL_NAMES else "/"
    except NoReverseMatch:
        return "/"


def refusal_text(exception, status):
    """The Chinese reason an exception carries, else the page's default (never Django's English)."""
    args = getattr(exception, "args", None) or ()
    if args and isinstance(args[0], str) and _CJK.search(args[0]):
        return args[0]
    messages = getattr(exception, "messages", None)  # a ValidationError raised as a refusal
    if messages and isinstance(messages[0], str) and _CJK.search(messages[0]):
        return messages[0]
    return DEFAULT_MESSAGES[status]


def _context(request, status, title, message):
    end = end_of(request.path)
    return {"status": status, "title": title, "message": message, "end": end, "home_url": home_url(end),
            "portal_name": settings.WAGTAIL_SITE_NAME}


def _plain(context, status):
    """The layout that needs neither the database nor a context processor."""
    try:
        html = loader.render_to_string("errors/plain.html", context)
    except Exception:
        logger.exception("error page: the plain layout failed to render")
        html = FALLBACK_HTML
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _full_template(request, end):
    """The end's full layout, or None for the plain one (the public site, the CMS, and /manage/ for a
    visitor not logged in: no menu, no org, nothing to log out of)."""
    if end == MANAGE:
        user = getattr(request, "user", None)
        return _FULL_TEMPLATES[MANAGE] if user is not None and user.is_authenticated else None
    return _FULL_TEMPLATES.get(end)


def _page(request, status, title, message):
    context = _context(request, status, title, message)
    try:
        template = _full_template(request, context["end"])
        if template is not None:
            html = loader.render_to_string(template, context, request=request)
            return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    except Exception:
        # e.g. the session or the menu's database query failed: still tell the person, in the plain layout
        logger.exception("error page: the %s layout failed to render", context["end"])
    return _plain(context, status)


def bad_request(request, exception):
    return _page(request, 400, TITLES[400], refusal_text(exception, 400))


def permission_denied(request, exception):
    return _page(request, 403, TITLES[403], refusal_text(exception, 403))


def page_not_found(request, exception):
    return _page(request, 404, TITLES[404], refusal_text(exception, 404))


def server_error(request):
    return _plain(_context(request, 500, TITLES[500], DEFAULT_MESSAGES[500]), 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: most often a form left open past the session, or cookies switched off."""
    return _page(request, 403, CSRF_TITLE, CSRF_MESSAGE)


def favicon(request):
    """/favicon.ico for browsers that ask the root; pages link the static file themselves."""
    response = HttpResponseRedirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
