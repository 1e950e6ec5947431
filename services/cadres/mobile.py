"""The cadre end inside WeChat Work (reference §2.3, §2.4): 入驻, 工作身份, 企业号代称, 团干查询, 通讯录."""

import logging
from urllib.parse import urlencode

from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from wechatpy.exceptions import WeChatException

from orgtree.selectors import org_parent
from orgtree.services import org_set_work_alias
from orgtree.validators import is_mobile
from portal import wechat
from portal.forms import add_service_errors
from portal.html import esc
from portal.models import WeChatIdentity
from portal.pagination import page_of
from portal.params import int_list
from portal.views.mobile import BACKEND, SESSION_PENDING, cadre_required, pending_identity

from . import groups, selectors, services
from .forms import AliasForm, DutyForm
from .models import CadrePost

logger = logging.getLogger(__name__)
DIRECTORY_LIMIT = 50
ERR_ALIAS_SET = "本组织已设置企业号代称，如需修改请在管理后台“系统管理 › 修改企业号名称”中修改"
SESSION_ALIAS_LATER = "cadre_alias_later"  # the login (its last_login) for which the alias was put off


def _phone_for(userid):
    """Synced cadres have their phone as userid; others' phone comes from the contact list."""
    if is_mobile(userid) or not wechat.work_enabled():
        return userid
    try:
        return wechat.work_client().user.get(userid).get("mobile", "")
    except (WeChatException, OSError) as exc:
        logger.warning("WeChat Work user.get failed: %s", exc)
        return ""


def _next_url(request):
    """Where the cadre was going when the login steps interrupted (a path on this site), or ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure())
    return candidate if candidate and ok and candidate.startswith("/") else ""


def _with_next(url_name, next_url):
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _this_login(request):
    return str(request.user.last_login)


def _next_step(request, next_url=""):
    """The steps of every entry into WeChat Work, in order, each until it is done (reference §2.3
    identity): choose the working identity; fill in one's own 职务 there; an operator whose org has
    no 企业号代称 yet is asked for it (at every login until it is set, unless put off for this one)."""
    actor = request.actor
    person = actor.extra.get("person")
    post = actor.extra.get("post")
    if person is not None and (post is None or not post.enabled):
        return redirect(_with_next("cadres:m_identity", next_url))
    if person is not None and post.duty is None:
        return redirect(_with_next("cadres:m_duty", next_url))
    if actor.acts_for_org and not actor.org.wechat_work_alias \
            and request.session.get(SESSION_ALIAS_LATER) != _this_login(request):
        return redirect(_with_next("cadres:m_alias", next_url))
    return redirect(next_url or reverse("mobile:cadre_home"))


def join(request):
    """入驻: a WeChat Work identity not yet tied to a login, matched to the cadre records by phone."""
    userid = pending_identity(request, WeChatIdentity.Kind.WORK)
    if userid is None:
        return redirect("mobile:cadre_login")
    person = services.cadre_person_for_phone(_phone_for(userid))
    if person is None:
        return render(request, "cadres/m_join.html", {"error": services.ERR_NOT_FOUND})
    try:
        services.cadre_join(person=person, userid=userid)
    except ValidationError as exc:
        return render(request, "cadres/m_join.html", {"error": exc.messages[0]})
    request.session.pop(SESSION_PENDING, None)
    person.refresh_from_db()
    auth.login(request, person.user, backend=BACKEND)
    messages.success(request, "入驻成功，欢迎使用智慧团建企业号")
    return redirect("mobile:cadre_start")


@cadre_required
def start(request):
    """Where every WeChat Work login lands: the entry steps still to do, then where it was going."""
    return _next_step(request, _next_url(request))


@cadre_required
def identity(request):
    """选择工作身份: a cadre serving several orgs works as one of them at a time."""
    person = request.actor.extra.get("person")
    if person is None:
        return redirect("mobile:cadre_home")
    next_url = _next_url(request)
    if request.method == "POST":
        try:
            services.cadre_choose_identity(person=person, post_id=request.POST.get("post"))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            return redirect(_with_next("mobile:cadre_start", next_url))
    posts = person.posts.filter(enabled=True).select_related("org").order_by("id")
    return render(request, "cadres/m_identity.html", {"posts": posts, "current": person.working_post_id,
                                                      "next": next_url})


@cadre_required
def after_identity(request):
    return _next_step(request, _next_url(request))


@cadre_required
def duty(request):
    """填写职务: the cadre's own 团干职务 in the working org (reference §2.3 cadre_position)."""
    actor = request.actor
    post = actor.extra.get("post")
    if post is None or not post.enabled:
        return redirect("mobile:cadre_start")
    next_url = _next_url(request)
    form = DutyForm(request.POST or None, org=post.org,
                    initial={"duty": post.duty, "duty_name": post.duty_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_set_duty(actor=actor, post=post, duty=form.cleaned_data["duty"],
                                    duty_name=form.cleaned_data["duty_name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "职务已保存")
            return redirect(_with_next("mobile:cadre_start", next_url))
    return render(request, "cadres/m_duty.html", {"form": form, "post": post, "next": next_url,
                                                  "named": [int(v) for v in form.named_values]})


@cadre_required
def alias(request):
    """设置企业号代称: asked of an operator whose org has none; changed later on the service pages."""
    actor = request.actor
    if not actor.acts_for_org:
        return redirect("mobile:cadre_home")
    next_url = _next_url(request)
    if actor.org.wechat_work_alias:
        messages.info(request, ERR_ALIAS_SET)
        return redirect(next_url or "mobile:cadre_home")
    if request.method == "POST" and request.POST.get("later"):
        request.session[SESSION_ALIAS_LATER] = _this_login(request)
        return redirect(_with_next("mobile:cadre_start", next_url))
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_set_work_alias(actor=actor, alias=form.cleaned_data["alias"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "企业号代称已保存")
            return redirect(_with_next("mobile:cadre_start", next_url))
    return render(request, "cadres/m_alias.html", {"form": form, "org": actor.org, "next": next_url})


# --- 组织查询 / 团干查询: the working org's subtree, read only ---------------------------------------

@cadre_required
def org_info(request, pk=None):
    """组织查询: the working org (or one of its subtree): its information, cadres and direct children."""
    actor = request.actor
    root = selectors.viewing_root(actor)
    if root is None:
        return redirect("mobile:cadre_start")
    org = root if pk is None else selectors.org_viewable(actor, pk)
    children, cursor = selectors.org_children_page(org, after=request.GET.get("after"))
    return render(request, "cadres/m_org.html", {
        "org": org, "root": root, "trail": selectors.org_trail(org, root), "parent": org_parent(org),
        "children": children, "cursor": cursor,
        "cadres": selectors.cadres_readable(actor, org=org)[:DIRECTORY_LIMIT],
    })


@cadre_required
def cadre_search(request):
    """团干查询: cadres of the working org and its subordinates (view only)."""
    q = request.GET.get("q", "").strip()
    org = selectors.org_viewable(request.actor, request.GET["org"]) if request.GET.get("org") else None
    page = page_of(selectors.cadres_readable(request.actor, q, org=org), 20, request.GET.get("page"))
    return render(request, "cadres/m_cadres.html", {"page": page, "q": q, "org": org})


@cadre_required
def directory(request):
    """通讯录: any enabled cadre in the province by name, org or post, with a tap-to-call phone."""
    q = request.GET.get("q", "").strip()
    results = selectors.directory_search(q, limit=DIRECTORY_LIMIT)
    return render(request, "cadres/m_directory.html", {
        "q": q, "results": results, "limit": DIRECTORY_LIMIT, "items": _directory_items(results)})


def _directory_items(rows):
    """The hits' ``<li>`` s built in Python: 50 of them through the template engine cost more than the
    search's two queries (bench_cadre_import, 通讯录)."""
    return mark_safe("".join(  # noqa: S308 - every value is escaped
        f'<li><span class="row"><strong>{esc(r["name"])}</strong> · {esc(r["title"])}<div class="muted">'
        f'{esc(r["org_name"])}</div>\n    <a class="btn" href="tel:{esc(r["phone"])}">拨打 {esc(r["phone"])}</a></span></li>\n'
        for r in rows))


@cadre_required
def directory_org(request, pk=None):
    """通讯录 by the org tree (reference §2.4): an org's cadres and its children, down from the top.
    The directory is the province's (manual: 查看并联系各级团组织的团干), so any org may be opened."""
    org = selectors.directory_org(pk)
    if org is None:  # several tops (a bench tree beside the province): list them
        return render(request, "cadres/m_directory_org.html", {"org": None, "children": selectors.directory_tops()})
    children, cursor = selectors.org_children_page(org, after=request.GET.get("after"))
    return render(request, "cadres/m_directory_org.html", {
        "org": org, "trail": selectors.org_trail(org), "children": children, "cursor": cursor,
        "cadres": selectors.directory_org_cadres(org, limit=DIRECTORY_LIMIT), "limit": DIRECTORY_LIMIT})


def _person(request):
    person = request.actor.extra.get("person")
    if person is None:
        raise PermissionDenied("请先入驻企业号")
    return person


@cadre_required
def group_list(request):
    """专项工作群 I am in."""
    return render(request, "cadres/m_groups.html", {"groups": selectors.groups_of(_person(request))})


@cadre_required
def group_new(request):
    """Pick colleagues from the directory (search, tick) and create the group in WeChat Work."""
    person = _person(request)
    q = request.GET.get("q", "").strip()
    chosen = int_list(request.POST.getlist("members"))
    error = ""
    if request.method == "POST":
        try:
            group = groups.group_create(owner=person, name=request.POST.get("name", ""), member_ids=chosen)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, f"已在企业微信创建工作群“{group.name}”")
            return redirect("cadres:m_group", group.pk)
    results = selectors.directory_search(q, limit=DIRECTORY_LIMIT)
    people = dict(CadrePost.objects.filter(pk__in=[r["id"] for r in results]).values_list("id", "person_id"))
    for row in results:
        row["person_id"] = people[row["id"]]
    return render(request, "cadres/m_group_new.html", {
        "q": q, "results": results, "error": error, "name": request.POST.get("name", ""), "chosen": chosen})


@cadre_required
def group_detail(request, pk):
    person = _person(request)
    group = selectors.group_of(person, pk)
    error = ""
    if request.method == "POST":
        try:
            groups.group_send(sender=person, group=group, text=request.POST.get("text", ""))
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, "消息已发送到企业微信群聊")
            return redirect("cadres:m_group", group.pk)
    return render(request, "cadres/m_group.html", {"group": group, "members": group.members.order_by("name"),
                                                   "error": error})
