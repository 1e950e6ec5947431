"""The cadre end inside WeChat Work (reference §2.3, §2.4): 入驻, 工作身份, 企业号代称, 团干查询, 通讯录."""

import logging

from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from wechatpy.exceptions import WeChatException

from orgtree.services import org_set_work_alias
from orgtree.validators import is_mobile
from portal import wechat
from portal.forms import add_service_errors
from portal.models import WeChatIdentity
from portal.views.mobile import BACKEND, SESSION_PENDING, cadre_required, pending_identity

from . import groups, selectors, services
from .forms import AliasForm
from .models import CadrePost

logger = logging.getLogger(__name__)
DIRECTORY_LIMIT = 50


def _phone_for(userid):
    """Synced cadres have their phone as userid; others' phone comes from the contact list."""
    if is_mobile(userid) or not wechat.work_enabled():
        return userid
    try:
        return wechat.work_client().user.get(userid).get("mobile", "")
    except (WeChatException, OSError) as exc:
        logger.warning("WeChat Work user.get failed: %s", exc)
        return ""


def _next_step(request):
    actor = request.actor
    person = actor.extra.get("person")
    if person is not None and person.working_post_id is None:
        return redirect("cadres:m_identity")
    if actor.acts_for_org and not actor.org.wechat_work_alias:
        return redirect("cadres:m_alias")  # the first operator entering names the org in WeChat Work
    return redirect("mobile:cadre_home")


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
    return _next_step(request)


@cadre_required
def identity(request):
    """选择工作身份: a cadre serving several orgs works as one of them at a time."""
    person = request.actor.extra.get("person")
    if person is None:
        return redirect("mobile:cadre_home")
    if request.method == "POST":
        try:
            services.cadre_choose_identity(person=person, post_id=request.POST.get("post"))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            return redirect("cadres:m_after_identity")
    posts = person.posts.filter(enabled=True).select_related("org").order_by("id")
    return render(request, "cadres/m_identity.html", {"posts": posts, "current": person.working_post_id})


@cadre_required
def after_identity(request):
    return _next_step(request)


@cadre_required
def alias(request):
    actor = request.actor
    if not actor.acts_for_org:
        return redirect("mobile:cadre_home")
    form = AliasForm(request.POST or None, initial={"alias": actor.org.wechat_work_alias})
    if request.method == "POST" and form.is_valid():
        try:
            org_set_work_alias(actor=actor, alias=form.cleaned_data["alias"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "企业号代称已保存")
            return redirect("mobile:cadre_home")
    return render(request, "cadres/m_alias.html", {"form": form, "org": actor.org})


@cadre_required
def cadre_search(request):
    """团干查询: cadres of the working org and its subordinates (view only)."""
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.cadres_readable(request.actor, q), 20).get_page(request.GET.get("page"))
    return render(request, "cadres/m_cadres.html", {"page": page, "q": q})


@cadre_required
def directory(request):
    """通讯录: any enabled cadre in the province by name, org or post, with a tap-to-call phone."""
    q = request.GET.get("q", "").strip()
    results = selectors.directory_search(q, limit=DIRECTORY_LIMIT)
    return render(request, "cadres/m_directory.html", {"q": q, "results": results, "limit": DIRECTORY_LIMIT})


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
    chosen = [int(i) for i in request.POST.getlist("members") if i.isdigit()]
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
