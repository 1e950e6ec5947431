from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from portal.decorators import org_actor_required

from .capabilities import SUBORDINATES, capability_required
from portal.forms import add_service_errors
from portal.pagination import page_of
from portal.tables import pk_url

from . import selectors, services
from .forms import MoveForm, OrganizationForm, OrgFilterForm, PhoneChangeForm
from .rules import OrgType

CREDENTIALS_KEY = "orgtree_one_time_credentials"
PAGE_SIZE = 20




def _show_credentials_once(request, org, password, reason):
    request.session[CREDENTIALS_KEY] = {
        "org_id": org.pk, "full_name": org.full_name, "username": org.code, "password": password, "reason": reason,
    }
    return redirect("orgtree:credentials")


@org_actor_required
@capability_required(SUBORDINATES)
def children_list(request):
    actor = request.actor
    form = OrgFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.org_children(actor=actor, parent=actor.org, org_type=filters.get("org_type"),
                                name=filters.get("name"))
    page = page_of(qs, PAGE_SIZE, request.GET.get("page"))
    return render(request, "orgtree/list.html", {"form": form, "page": page, "parent": actor.org,
                                                 "can_create": not actor.org.is_branch})


@org_actor_required
@capability_required(SUBORDINATES)
def org_create_view(request):
    actor = request.actor
    form = OrganizationForm(request.POST or None, parent=actor.org)
    if request.method == "POST" and form.is_valid():
        try:
            org, password = services.org_create(actor=actor, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _show_credentials_once(request, org, password, "新增组织成功")
    return render(request, "orgtree/form.html", {"form": form, "parent": actor.org, "title": "新增下级组织"})


@org_actor_required
def credentials(request):
    """The one-time display of an initial or reset password. Gone after one view."""
    data = request.session.pop(CREDENTIALS_KEY, None)
    return render(request, "orgtree/credentials.html", {"credentials": data})


def _render_detail(request, org, own=False):
    return render(request, "orgtree/detail.html", {
        "org": org,
        "parent": selectors.org_parent(org),
        "counts": selectors.org_counts(org),
        "can_manage": services.is_direct_parent(request.actor, org),
        "own": own,
    })


@org_actor_required
def org_detail(request, pk):
    return _render_detail(request, selectors.org_get(actor=request.actor, pk=pk))


@org_actor_required
def own_org(request):
    return _render_detail(request, request.actor.org, own=True)


@org_actor_required
def own_phone(request):
    actor = request.actor
    form = PhoneChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_change_own_phone(actor=actor, phone=form.cleaned_data["phone"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "团组织联系电话已修改")
            return redirect("orgtree:own")
    return render(request, "orgtree/phone.html", {"form": form, "org": actor.org})


@org_actor_required
def org_edit(request, pk):
    actor = request.actor
    org = selectors.org_get(actor=actor, pk=pk)
    services.require_direct_parent(actor, org)
    form = OrganizationForm(request.POST or None, instance=org, parent=actor.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=actor, org=org, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "保存成功")
            return redirect("orgtree:detail", pk=org.pk)
    return render(request, "orgtree/form.html", {"form": form, "parent": actor.org, "org": org,
                                                 "title": f"编辑：{org.full_name}"})


@org_actor_required
def org_delete_view(request, pk):
    actor = request.actor
    org = selectors.org_get(actor=actor, pk=pk)
    services.require_direct_parent(actor, org)
    if request.method == "POST":
        try:
            services.org_delete(actor=actor, org=org)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("orgtree:detail", pk=org.pk)
        messages.success(request, f"已删除组织“{org.full_name}”")
        return redirect("orgtree:list")
    return render(request, "manage/confirm.html", {
        "cancel_url": reverse("orgtree:detail", args=[org.pk]), "title": "删除组织", "action_label": "确认删除",
        "text": f"确定删除“{org.full_name}”？只能删除没有下级组织、团员和团干的空组织，删除后组织ID不再使用。",
    })


@org_actor_required
def org_reset_password_view(request, pk):
    actor = request.actor
    org = selectors.org_get(actor=actor, pk=pk)
    services.require_direct_parent(actor, org)
    if request.method == "POST":
        password = services.org_reset_password(actor=actor, org=org)
        return _show_credentials_once(request, org, password, "重置密码成功")
    return render(request, "manage/confirm.html", {
        "cancel_url": reverse("orgtree:detail", args=[org.pk]), "title": "重置密码", "action_label": "确认重置",
        "text": f"将为“{org.full_name}”生成新的随机密码（仅显示一次），该组织下次登录时须修改密码。确认重置？",
    })


@org_actor_required
def tree(request):
    return render(request, "orgtree/tree.html", {"root": request.actor.org})


_TYPE_LABELS = dict(OrgType.choices)


def _node(detail, pk, code, full_name, org_type, numchild, **extra):
    """One node of the lazy tree; ``detail`` is the table's pk -> address (reversed once, not per node)."""
    return {"id": pk, "code": code, "name": full_name, "type": _TYPE_LABELS[org_type],
            "has_children": numchild > 0, "url": detail(pk), **extra}


@org_actor_required
def tree_children(request):
    """Lazy tree: the children of one node in scope (JSON)."""
    actor = request.actor
    parent = selectors.org_get(actor=actor, pk=request.GET.get("node") or actor.org.pk)
    children = selectors.children_page(actor=actor, parent=parent, limit=selectors.TREE_PAGE + 1)
    detail = pk_url("orgtree:detail")
    return JsonResponse({
        "node": parent.pk,
        "children": [_node(detail, c.pk, c.code, c.full_name, c.org_type, c.numchild)
                     for c in children[: selectors.TREE_PAGE]],
        "truncated": len(children) > selectors.TREE_PAGE,
    })


@org_actor_required
def tree_search(request):
    """Name search within scope (JSON), each hit with its parent's name."""
    query = request.GET.get("q", "")
    if problem := selectors.search_query_problem(query):
        return JsonResponse({"results": [], "error": problem})
    detail = pk_url("orgtree:detail")
    return JsonResponse({"results": [
        _node(detail, row["pk"], row["code"], row["full_name"], row["org_type"], row["numchild"],
              parent=row["parent_name"] or "")
        for row in selectors.org_search(actor=request.actor, query=query)]})


@org_actor_required
@capability_required(SUBORDINATES)
def move(request):
    """组织迁移: pick siblings under one parent, then the new parent (both by 组织ID)."""
    actor = request.actor
    data = request.POST if request.method == "POST" else request.GET
    form = MoveForm(data or None)
    source_parent, children = None, []
    if form.is_bound and data.get("source_parent"):
        try:
            source_parent = selectors.org_get_by_code(actor=actor, code=data.get("source_parent"))
        except Http404:
            form.add_error("source_parent", "本组织管理范围内没有该组织ID")
        else:
            children = list(selectors.org_children(actor=actor, parent=source_parent)[: selectors.TREE_PAGE])
            form.fields["orgs"].choices = [(str(c.pk), f"{c.full_name}（{c.code}）") for c in children]
    if request.method == "POST" and source_parent is not None and form.is_valid():
        chosen = [c for c in children if str(c.pk) in form.cleaned_data["orgs"]]
        target = None
        if form.cleaned_data["target"]:
            try:
                target = selectors.org_get_by_code(actor=actor, code=form.cleaned_data["target"])
            except Http404:
                form.add_error("target", "本组织管理范围内没有该组织ID")
        if not form.errors:
            if not form.cleaned_data["confirm"]:
                form.add_error("confirm", "请确认已知晓组织迁移的影响")
            else:
                try:
                    services.org_move(actor=actor, orgs=chosen, new_parent=target)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, f"已将{len(chosen)}个组织迁移至“{target.full_name}”")
                    return redirect("orgtree:detail", pk=target.pk)
    return render(request, "orgtree/move.html", {"form": form, "source_parent": source_parent,
                                                 "children": children})
