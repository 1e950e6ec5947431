"""团干管理 service pages: 本组织团干, 所有下级团干, operators, batch import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import idcard
from orgtree.capabilities import SUBORDINATES, capability_required
from portal.decorators import org_actor_required
from portal.filters import bind_filter_form
from portal.forms import add_service_errors
from portal.pagination import page_of

from . import selectors, services
from services.messaging.delivery import enqueue

from . import imports
from .forms import ENTRY_RANGE_HELP, AliasForm, CadreFilterForm, CadreForm, ImportForm, OperatorForm

PAGE_SIZE = 20
CREDENTIALS_KEY = "cadres_one_time_credentials"


def _filters(request):
    form, moved = bind_filter_form(request, CadreFilterForm)  # 身份证号 never in the address
    return form, (form.cleaned_data if form is not None and form.is_bound and form.is_valid() else {}), moved


@org_actor_required
def cadre_list(request):
    form, filters, moved = _filters(request)
    if moved:
        return moved
    qs = selectors.cadres_of_own_org(request.actor, **{k: v for k, v in filters.items() if v})
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "cadres/list.html", {"form": form, "page": page, "own": True,
                                                "entry_help": ENTRY_RANGE_HELP})


@org_actor_required
@capability_required(SUBORDINATES)
def cadre_below_list(request):
    form, filters, moved = _filters(request)
    if moved:
        return moved
    qs = selectors.cadres_below(request.actor, **{k: v for k, v in filters.items() if v})
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "cadres/list.html", {"form": form, "page": page, "own": False})


@org_actor_required
def cadre_create(request):
    actor = request.actor
    initial, member = {}, None
    if request.GET.get("member"):  # 转为团干: pre-filled from a member in scope (404 otherwise)
        from services.members.selectors import member_get

        member = member_get(actor=actor, pk=request.GET["member"])
        initial = selectors.cadre_initial_from_member(member)
    form = CadreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            post, existing = services.cadre_create(actor=actor, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if existing:
                messages.success(request, f"{post.person.name}已是其他团组织的团干，已添加本组织的职务信息")
            else:
                messages.success(request, f"已新增团干{post.person.name}")
            return redirect("cadres:detail", post.pk)
    return render(request, "cadres/form.html", {"form": form, "title": "团员转为团干" if member else "新增团干",
                                                "entry_help": ENTRY_RANGE_HELP, "from_member": member})


@org_actor_required
def cadre_edit(request, pk):
    actor = request.actor
    post = selectors.own_post(actor, pk)
    person = post.person
    locked = person.first_org_id != actor.org.pk
    initial = {**{f: getattr(person, f) for f in services.PERSON_FIELDS},
               **{f: getattr(post, f) for f in services.POST_FIELDS}}
    form = CadreForm(request.POST or None, initial=initial, person_locked=locked, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.cadre_update(actor=actor, post=post, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "团干信息已保存")
            return redirect("cadres:detail", post.pk)
    return render(request, "cadres/form.html", {
        "form": form, "title": f"编辑团干：{person.name}", "post": post, "locked": locked,
        "first_org": person.first_org,
    })


@org_actor_required
def cadre_detail(request, pk):
    actor = request.actor
    post = selectors.post_in_scope(actor, pk)
    return render(request, "cadres/detail.html", {
        "post": post, "person": post.person, "masked_id": idcard.mask(post.person.id_number),
        "others": selectors.other_posts(post), "own": post.org_id == actor.org.pk,
    })


def _post_action(request, pk, action, success):
    post = selectors.own_post(request.actor, pk)
    try:
        action(post)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, success)
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return HttpResponseRedirect(target)  # a path, never a view name (redirect() would try to reverse it)
    return redirect("cadres:list")


@require_POST
@org_actor_required
def cadre_enable(request, pk):
    return _post_action(request, pk, lambda post: services.cadre_set_enabled(
        actor=request.actor, post=post, enabled=True), "已启用")


@require_POST
@org_actor_required
def cadre_disable(request, pk):
    return _post_action(request, pk, lambda post: services.cadre_set_enabled(
        actor=request.actor, post=post, enabled=False), "已禁用")


@org_actor_required
def cadre_delete(request, pk):
    post = selectors.own_post(request.actor, pk)
    if request.method == "POST":
        services.cadre_delete(actor=request.actor, post=post)
        messages.success(request, f"已删除团干{post.person.name}在本组织的信息")
        return redirect("cadres:list")
    others = selectors.other_posts(post)
    text = (f"确定删除{post.person.name}在本组织的团干信息？" +
            (f"TA 在其他 {len(others)} 个组织的团干信息将保留。" if others else "TA 的团干基本信息将一并删除。") +
            ("TA 同时是本组织的运营者，删除后将不能再登录管理后台。" if post.is_operator else ""))
    return render(request, "manage/confirm.html", {"title": "删除团干", "text": text, "action_label": "确定删除",
                                                   "danger": True, "cancel_url": reverse("cadres:list")})


def _show_credentials_once(request, post, password, reason):
    request.session[CREDENTIALS_KEY] = {"post_id": post.pk, "name": post.person.name, "username": post.person.phone,
                                        "password": password, "reason": reason}
    return redirect("cadres:credentials")


@org_actor_required
def credentials(request):
    return render(request, "cadres/credentials.html", {"credentials": request.session.pop(CREDENTIALS_KEY, None)})


@org_actor_required
def operator_set(request, pk):
    post = selectors.own_post(request.actor, pk)
    form = OperatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password = services.operator_set(actor=request.actor, post=post, label=form.cleaned_data["label"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _show_credentials_once(request, post, password, "设置运营者成功")
    return render(request, "cadres/operator_form.html", {"form": form, "post": post,
                                                         "masked_id": idcard.mask(post.person.id_number)})


@require_POST
@org_actor_required
def operator_cancel(request, pk):
    return _post_action(request, pk, lambda post: services.operator_cancel(actor=request.actor, post=post),
                        "已取消运营者")


@require_POST
@org_actor_required
def operator_reset_password(request, pk):
    post = selectors.own_post(request.actor, pk)
    try:
        password = services.operator_reset_password(actor=request.actor, post=post)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("cadres:list")
    return _show_credentials_once(request, post, password, "重置运营者密码成功")


@org_actor_required
def import_template(request):
    response = HttpResponse(imports.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%9B%A2%E5%B9%B2%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@org_actor_required
def import_upload(request):
    actor = request.actor
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.import_create(actor=actor, upload=upload)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if upload.size <= imports.INLINE_BYTES:
                imports.import_run(job.pk)
            else:
                transaction.on_commit(lambda: enqueue("services.cadres.tasks.run_import", job.pk))
            return redirect("cadres:import_detail", job.pk)
    recent = selectors.imports_of(actor)[:10]
    return render(request, "cadres/import.html", {"form": form, "recent": recent, "entry_help": ENTRY_RANGE_HELP})


@org_actor_required
def import_detail(request, pk):
    job = selectors.import_get(request.actor, pk)
    return render(request, "cadres/import_detail.html", {"job": job, "failed": len(job.errors)})


@org_actor_required
def work_alias(request):
    """系统管理 › 修改企业号名称 (reference §2.1.12): the org's 企业号代称, set first in WeChat Work."""
    from orgtree.services import org_set_work_alias

    org = request.actor.org
    form = AliasForm(request.POST or None)
    form.fields["alias"].label = "新企业号名称"
    if request.method == "POST" and form.is_valid():
        try:
            org_set_work_alias(actor=request.actor, alias=form.cleaned_data["alias"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "企业号名称已修改")
            return redirect("cadres:work_alias")
    return render(request, "cadres/work_alias.html", {"form": form, "org": org})
