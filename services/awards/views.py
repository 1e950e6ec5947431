"""奖惩管理 on /manage/awards/ (thin: parse, call one service or selector, render).

奖惩录入 follows the manual's two steps: build the member list (session: ids only, re-read through the
scoped queryset every time), then enter the award or punishment for it.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal import uploads
from portal.decorators import org_actor_required
from portal.exports import Sheet, xlsx_response
from portal.forms import add_service_errors
from portal.params import int_list
from portal.scope import scoped
from services.members.models import IN_GOOD_STANDING, Member
from services.members.views import error_text

from . import punishments as punishment_flow
from . import selectors, services
from .forms import AwardForm, PickSearchForm, PunishmentForm, ReturnForm, SheetForm
from .models import AwardSource

SESSION_PICK = "awards_pick"  # member ids of step 1
SEARCH_LIMIT = 50


def _picked_ids(request):
    return [i for i in request.session.get(SESSION_PICK, []) if isinstance(i, int)]


def _picked(request):
    ids = _picked_ids(request)
    qs = scoped(request.actor, Member.objects.filter(IN_GOOD_STANDING, pk__in=ids), org_field="branch")
    return list(qs.select_related("branch").only("pk", "name", "id_number", "branch__full_name").order_by("pk"))


def _set_picked(request, ids):
    request.session[SESSION_PICK] = list(dict.fromkeys(ids))[: services.MAX_BATCH]


def _search(request, form):
    if not form.is_valid() or not (form.cleaned_data["name"] or form.cleaned_data["branch"]):
        return []
    qs = scoped(request.actor, Member.objects.filter(IN_GOOD_STANDING), org_field="branch")
    if name := form.cleaned_data["name"].strip():
        qs = qs.filter(name=name)
    if branch := form.cleaned_data["branch"].strip():
        qs = qs.filter(branch__code=branch) if branch.isdigit() else qs.filter(branch__full_name__contains=branch)
    return list(qs.select_related("branch").order_by("pk")[:SEARCH_LIMIT])


@org_actor_required
def pick(request):
    """第一步: 添加/删除/批量导入奖/惩团员名单."""
    search = PickSearchForm(request.GET or None)
    sheet_form = SheetForm()
    sheet_errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        current = [m.pk for m in _picked(request)]
        if action == "add":
            chosen = int_list(request.POST.getlist("ids"))
            allowed = set(scoped(request.actor, Member.objects.filter(IN_GOOD_STANDING, pk__in=chosen),
                                 org_field="branch").values_list("pk", flat=True))
            _set_picked(request, current + [i for i in chosen if i in allowed])
            messages.success(request, f"已添加{len(allowed)}名团员")
        elif action == "remove":
            gone = set(int_list(request.POST.getlist("ids")))
            _set_picked(request, [i for i in current if i not in gone])
            messages.success(request, "已从名单中删减")
        elif action == "clear":
            _set_picked(request, [])
        elif action == "import":
            sheet_form = SheetForm(request.POST, request.FILES)
            upload = request.FILES.get("sheet")
            try:
                if upload is None:
                    raise ValidationError("请选择要导入的团员名单文件")
                ids = services.members_from_sheet(actor=request.actor, upload=upload)
            except ValidationError as exc:
                sheet_errors = exc.messages
            else:
                _set_picked(request, current + ids)
                messages.success(request, "批量导入团员成功")
        if not sheet_errors:
            return redirect(request.get_full_path())
    return render(request, "awards/pick.html", {
        "picked": _picked(request), "search": search, "results": _search(request, search),
        "sheet_form": sheet_form, "sheet_errors": sheet_errors})


@require_GET
@org_actor_required
def sheet_template(request):
    return xlsx_response("奖惩团员名单模板.xlsx", [Sheet("团员名单", services.SHEET_HEADERS, [])])


def _enter(request, form_class, template_title, run, ok):
    picked = _picked(request)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data, [m.pk for m in picked], request.FILES.getlist("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _set_picked(request, [])
            messages.success(request, ok)
            return redirect("awards:records")
    return render(request, "awards/enter.html", {"form": form, "picked": picked, "title": template_title})


@org_actor_required
def enter_award(request):
    """第二步: 录入奖励 (团内, certified on entry)."""
    def run(data, ids, files):
        services.awards_enter(actor=request.actor, member_ids=ids, data=data, files=files)
    return _enter(request, AwardForm, "录入奖励", run, "奖励已录入并认证，已记入团员成长档案")


@org_actor_required
def enter_punishment(request):
    def run(data, ids, files):
        punishment_flow.punishments_enter(actor=request.actor, member_ids=ids, kind=data["kind"],
                                          punished_on=data["punished_on"], relieve_on=data["relieve_on"],
                                          description=data["description"], files=files)
    return _enter(request, PunishmentForm, "录入处罚", run, "处罚已录入")


@org_actor_required
def records(request):
    """奖惩记录: what this org entered, with 修改/删除."""
    return render(request, "awards/records.html", {
        "awards": selectors.entered_by_org(request.actor)[:200],
        "punishments": selectors.entered_by_org(request.actor, kind="punishment")[:200]})


def _entered_award(request, pk):
    award = selectors.award_get(actor=request.actor, pk=pk)
    if award.source != AwardSource.ORG or award.reviewer_id != request.actor.org.pk:
        raise Http404("未找到该记录")
    return award


@org_actor_required
def award_edit(request, pk):
    award = _entered_award(request, pk)
    initial = {"name": award.name, "has_level": "1" if award.has_level else "", "level": award.level,
               "awarded_on": award.awarded_on, "awarding_org_name": award.awarding_org_name}
    form = AwardForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_update(actor=request.actor, award=award, data=form.cleaned_data,
                                  files=request.FILES.getlist("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "奖励已修改")
            return redirect("awards:records")
    return render(request, "awards/edit.html", {"form": form, "title": f"修改奖励 · {award.member.name}",
                                                "files_note": "不上传新的获奖证明时保留原证明"})


@org_actor_required
def award_delete(request, pk):
    award = _entered_award(request, pk)
    if request.method == "POST":
        services.award_delete(actor=request.actor, award=award)
        messages.success(request, "奖励已删除")
        return redirect("awards:records")
    return render(request, "manage/confirm.html", {
        "title": "删除奖励", "text": f"确定删除{award.member.name}的奖励“{award.name}”吗？删除后不可恢复。",
        "action_label": "删除", "danger": True, "cancel_url": reverse("awards:records")})


def _entered_punishment(request, pk):
    punishment = selectors.punishment_get(actor=request.actor, pk=pk)
    if punishment.org_id != request.actor.org.pk:
        raise Http404("未找到该记录")
    return punishment


@org_actor_required
def punishment_edit(request, pk):
    punishment = _entered_punishment(request, pk)
    initial = {"kind": punishment.kind, "punished_on": punishment.punished_on, "relieve_on": punishment.relieve_on,
               "description": punishment.description}
    form = PunishmentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            punishment_flow.punishment_update(actor=request.actor, punishment=punishment, **{
                k: form.cleaned_data[k] for k in ("kind", "punished_on", "relieve_on", "description")},
                files=request.FILES.getlist("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "处罚已修改")
            return redirect("awards:records")
    return render(request, "awards/edit.html", {"form": form, "title": f"修改处罚 · {punishment.member.name}",
                                                "files_note": "不上传新的处罚证明时保留原证明"})


@org_actor_required
def punishment_delete(request, pk):
    punishment = _entered_punishment(request, pk)
    if request.method == "POST":
        try:
            punishment_flow.punishment_delete(actor=request.actor, punishment=punishment)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "处罚已删除")
        return redirect("awards:records")
    return render(request, "manage/confirm.html", {
        "title": "删除处罚", "text": f"确定删除{punishment.member.name}的“{punishment.get_kind_display()}”处罚吗？",
        "action_label": "删除", "danger": True, "cancel_url": reverse("awards:records")})


# --- 奖励审核 -----------------------------------------------------------------------------------------

def _review(request, ids, redirect_to):
    decision = request.POST.get("decision")
    reason = services.RETURN_NOT_GRANTED if decision == "not_granted" else request.POST.get("reason", "")
    try:
        n = services.awards_review(actor=request.actor, award_ids=ids, approve=decision == "approve", reason=reason)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"已{'同意' if decision == 'approve' else '退回'}{n}条奖励申报")
        return redirect("awards:review_list")
    return redirect(redirect_to)


@org_actor_required
def review_list(request):
    """奖励审核: declarations awaiting this org; 同意/退回 one or many."""
    if request.method == "POST":
        return _review(request, int_list(request.POST.getlist("ids")), "awards:review_list")
    rows = selectors.to_review(request.actor)[:200]
    return render(request, "awards/review_list.html", {"rows": rows, "form": ReturnForm(),
                                                       "not_granted": services.RETURN_NOT_GRANTED})


@org_actor_required
def review_detail(request, pk):
    award = selectors.review_get(actor=request.actor, pk=pk)
    if request.method == "POST":
        return _review(request, [award.pk], reverse("awards:review_detail", args=[award.pk]))
    return render(request, "awards/review_detail.html", {"a": award, "form": ReturnForm(),
                                                         "not_granted": services.RETURN_NOT_GRANTED})


@require_GET
@org_actor_required
def award_file(request, pk, file_pk):
    """A proof: for the orgs above the member, and for the reviewer of a pending declaration."""
    try:
        award = selectors.award_get(actor=request.actor, pk=pk)
    except Http404:
        award = selectors.review_get(actor=request.actor, pk=pk)
    att = award.attachments.filter(pk=file_pk).first()
    if att is None:
        raise Http404("未找到该文件")
    return uploads.file_response(att.file, att.name)


@require_GET
@org_actor_required
def punishment_file(request, pk, file_pk):
    punishment = selectors.punishment_get(actor=request.actor, pk=pk)
    att = punishment.attachments.filter(pk=file_pk).first()
    if att is None:
        raise Http404("未找到该文件")
    return uploads.file_response(att.file, att.name)

