"""Site-message pages of the three ends: the service pages, the member end and the cadre end.

Each end has the same three actions (list with 全部/未读/已读, open, 标识为已读); the ends differ only
in who may enter and which layout they render in. Opening a message shows it in full; its link, if
any, is a button on that page (WeChat notices open this page too), and a message about a request
that has since been handled says so (``subjects``).
"""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.timezone import localtime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.decorators import org_actor_required
from portal import registry
from portal.pagination import page_of
from portal.params import int_list
from portal.text import clip
from portal.html import esc
from portal.tables import Row, pk_url, tbody
from portal.forms import add_service_errors
from portal.views.mobile import cadre_required, member_required

from . import selectors, services, subjects
from .forms import BroadcastForm
from .selectors import CADRE, MANAGE, MEMBER

PAGE_SIZE = {MANAGE: 20, MEMBER: 6, CADRE: 6}  # the reference's mobile list shows 6 per page
LAYOUT = {MANAGE: "manage/base.html", MEMBER: "mobile/base.html", CADRE: "mobile/base.html"}


def _list(request, end):
    status = request.GET.get("status", "all")
    if status not in selectors.STATUS_FILTERS:
        status = "all"
    size = PAGE_SIZE[end]
    page = selectors.messages_page(request.actor, status, size, request.GET.get("page"))
    handled = subjects.handled_ids(page.object_list)
    if end != MANAGE:
        return render(request, "messaging/mobile_list.html", {
            "page": page, "status": status, "filters": selectors.STATUS_FILTERS, "end": end, "layout": LAYOUT[end],
            "handled": handled,
        })
    detail = pk_url("messaging:manage_open")
    rows = [Row(pk=m.pk, url=detail(m.pk), title=m.title, body=clip(m.body, 80), read=m.is_read,
                handled=m.pk in handled, created_at=localtime(m.created_at).strftime("%Y-%m-%d %H:%M"))
            for m in page]
    return render(request, "messaging/manage_list.html", {
        "page": page, "rows": rows, "status": status, "filters": selectors.STATUS_FILTERS, "end": end,
        "layout": LAYOUT[end], "body": tbody(rows, _row_html, empty="暂无消息", colspan=5),
    })


def _row_html(m):
    url = esc(m["url"])
    title = f'<a href="{url}">{esc(m["title"])}</a>'
    if not m["read"]:
        title = f"<strong>{title}</strong>"
    handled = ' <span class="muted">（已处理）</span>' if m["handled"] else ""
    return (f'<tr class="{"" if m["read"] else "unread"}"><td><input type="checkbox" name="ids" value="{m["pk"]}" '
            f'aria-label="选择"></td>\n  <td>{title}{handled}</td>\n  <td>{esc(m["body"])} <a href="{url}">点击查看</a></td>\n'
            f'  <td>{"已读" if m["read"] else "未读"}</td><td>{m["created_at"]}</td></tr>')


def _open(request, end, pk):
    message = selectors.message_get(request.actor, pk)
    services.message_mark_read(actor=request.actor, message=message)
    link = message.link if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None) else ""
    desktop_only = False
    if end != MANAGE and link.startswith("/manage/"):  # inside WeChat: never a desktop page
        link = registry.mobile_link_for(link) if end == CADRE else ""
        desktop_only = not link
    return render(request, "messaging/detail.html", {
        "message": message, "end": end, "layout": LAYOUT[end], "link": link, "desktop_only": desktop_only,
        "handled": message.pk in subjects.handled_ids([message]),
    })


def _mark_read(request, end):
    if request.POST.get("all"):
        count = services.messages_mark_read(actor=request.actor)
    else:
        ids = int_list(request.POST.getlist("ids"))
        if not ids:
            flash.error(request, "请选择需要操作的记录")
            return redirect(selectors.list_url_for(request.actor, end=end))
        count = services.messages_mark_read(actor=request.actor, ids=ids)
    flash.success(request, f"已将 {count} 条消息标识为已读")
    return redirect(selectors.list_url_for(request.actor, end=end))


@org_actor_required
def manage_list(request):
    return _list(request, MANAGE)


@org_actor_required
def manage_open(request, pk):
    return _open(request, MANAGE, pk)


@require_POST
@org_actor_required
def manage_mark_read(request):
    return _mark_read(request, MANAGE)


@member_required
def member_list(request):
    return _list(request, MEMBER)


@member_required
def member_open(request, pk):
    return _open(request, MEMBER, pk)


@require_POST
@member_required
def member_mark_read(request):
    return _mark_read(request, MEMBER)


@cadre_required
def cadre_list(request):
    return _list(request, CADRE)


@cadre_required
def cadre_open(request, pk):
    return _open(request, CADRE, pk)


@require_POST
@cadre_required
def cadre_mark_read(request):
    return _mark_read(request, CADRE)


@org_actor_required
def broadcast_list(request):
    actor = request.actor
    allowance, sent = selectors.broadcast_quota_status(actor.org)
    page = page_of(selectors.broadcasts_for(actor), 20, request.GET.get("page"))
    return render(request, "messaging/broadcast_list.html", {"page": page, "allowance": allowance, "sent": sent})


@org_actor_required
def broadcast_new(request):
    actor = request.actor
    form = BroadcastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.broadcast_send(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            flash.success(request, "群发消息已提交，正在发送给接收人")
            return redirect("messaging:broadcast_list")
    allowance, sent = selectors.broadcast_quota_status(actor.org)
    return render(request, "messaging/broadcast_form.html", {"form": form, "allowance": allowance, "sent": sent})
