"""Service pages of 组织关系转接 (/manage/transfers/...): thin — parse, call one service or selector, render."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST

from orgtree.capabilities import SUBORDINATES, capability_required
from portal import uploads
from portal.decorators import org_actor_required
from portal.exports import Sheet, xlsx_response
from portal.forms import add_service_errors
from portal.html import esc
from portal.params import int_list, int_or_none
from portal.tables import tbody
from services.members.choices import APPROVED_STATES
from services.members.models import IN_GOOD_STANDING, Member
from services.members.views import error_text

from . import appeal as appeal_flow
from . import review, selectors, start
from .choices import STAGE_OF, WITHDRAWABLE_STATES, Applicant, AppealStatus, display_group
from .forms import AppealFilterForm, FilterForm, ReasonForm, StartForm
from .models import Appeal


def _filters(request):
    form = FilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    return form, filters


def _list(request, *, side, title):
    form, filters = _filters(request)
    filters["side"] = side
    rows, cursor = selectors.transfer_page(actor=request.actor, filters=filters, after=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    batch = side == "todo" and bool(rows)
    row_html = partial(_row_html, batch, request.actor.org.pk, reverse("transfers:list"))
    return render(request, "transfers/list.html", {
        "form": form, "rows": rows, "cursor": cursor, "title": title, "side": side, "query": query.urlencode(),
        "first_page": not request.GET.get("after"), "sides": selectors.SIDES,
        "batch": batch, "reason_form": ReasonForm(),
        "body": tbody(rows, row_html, empty="暂无转接记录", colspan=10)})


def _minute(dt):
    return localtime(dt).strftime("%Y-%m-%d %H:%M")


def _row_html(batch, org_pk, list_url, t):
    """One row of the list (a ``selectors.TransferRow``; the table body is built in Python: issue 16).
    A row's 业务详情 is list_url + pk + "/" (no reverse per row)."""
    pick = (f'<td><input type="checkbox" name="ids" value="{t.pk}" form="batch-review" aria-label="选择{esc(t.member_name)}"></td>'
            if batch else "")
    due = _minute(t.due_at) if t.due_at else "—"
    return (
        f'<tr>{pick}<td class="name">{esc(t.member_name)}</td><td>{esc(t.masked_id)}</td>'
        f'<td>{esc(t.status_label)}</td>'
        f'<td class="wrap">{esc(t.from_branch_name)}</td><td class="wrap">{esc(t.target_label)}</td>'
        f'<td>{esc(t.applicant_label)}</td>'
        f'<td>{_minute(t.applied_at) if t.applied_at else ""}</td><td>{due}</td>'
        f'<td class="actions"><a href="{esc(list_url)}{t.pk}/">{"审核" if t.reviewer_id == org_pk else "查看"}</a></td></tr>')


@org_actor_required
def transfer_list(request):
    side = request.GET.get("side", "")
    side = side if side in ("out", "in") else ""
    return _list(request, side=side, title={"out": "转出记录", "in": "转入记录"}.get(side, "转接记录"))


@org_actor_required
def todo_list(request):
    return _list(request, side="todo", title="待审核的转接申请")


EXPORT_HEADERS = ["姓名", "身份证号码", "转接类型", "状态", "转出团支部", "转出团支部的上级", "转入团支部", "转入团支部的上级",
                  "学习/工作去向", "转出原因", "发起人", "申请时间", "结束时间"]


@require_GET
@org_actor_required
def export(request):
    _, filters = _filters(request)
    side = request.GET.get("side", "")
    filters["side"] = side if side in selectors.SIDES else ""
    fmt = lambda dt: timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""  # noqa: E731
    rows = ([t.member.name, t.member.masked_id, t.get_transfer_type_display(), t.get_status_display(),
             t.from_branch.full_name, t.from_parent.full_name, t.target_label,
             t.to_parent.full_name if t.to_parent_id else "", t.destination, t.reason_label,
             t.get_applicant_display(), fmt(t.applied_at), fmt(t.closed_at)]
            for t in selectors.transfer_export_rows(actor=request.actor, filters=filters).iterator(chunk_size=2000))
    return xlsx_response(f"组织关系转接-{timezone.localdate():%Y%m%d}.xlsx", [Sheet("转接记录", EXPORT_HEADERS, rows)])


def _detail_context(actor, transfer):
    stage = STAGE_OF.get(transfer.status)
    appeal = Appeal.objects.filter(transfer=transfer).select_related("reviewer").first()
    return {
        "t": transfer, "steps": selectors.timeline(transfer), "group": display_group(transfer.status),
        "can_review": stage is not None and transfer.reviewer_id == actor.org.pk, "stage": stage,
        "can_withdraw": (transfer.applicant == Applicant.ORG and transfer.from_branch_id == actor.org.pk
                         and transfer.status in WITHDRAWABLE_STATES),
        "appeal": appeal, "can_see_appeal": appeal is not None and appeal.reviewer.path.startswith(actor.org.path),
        "form": ReasonForm(),
    }


def review_post(request, transfer, done_url):
    """同意 or 退回 from a POST, on /manage/ and on the cadre end alike: the redirect, or None when refused."""
    form = ReasonForm(request.POST)
    form.is_valid()
    stage = int_or_none(request.POST.get("stage"))
    try:
        if request.POST.get("decision") == "approve":
            review.transfer_approve(actor=request.actor, transfer=transfer, stage=stage)
            messages.success(request, "已同意")
        else:
            review.transfer_return(actor=request.actor, transfer=transfer, stage=stage,
                                   reason=form.cleaned_data.get("reason", ""))
            messages.success(request, "已退回")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return None
    return redirect(done_url)


@org_actor_required
def detail(request, pk):
    transfer = selectors.transfer_get(actor=request.actor, pk=pk)
    if request.method == "POST":
        if response := review_post(request, transfer, reverse("transfers:todo")):
            return response
        return redirect("transfers:detail", transfer.pk)
    return render(request, "transfers/detail.html", _detail_context(request.actor, transfer))


def withdraw_page(request, transfer, *, done, template):
    """撤回 with its reason, on /manage/ and on /m/ alike: the form, the service, back to ``done``."""
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        try:
            start.transfer_withdraw(actor=request.actor, transfer=transfer, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已撤回转接申请")
            return redirect(done, transfer.pk)
    return render(request, template, {"t": transfer, "form": form})


@org_actor_required
def withdraw(request, pk):
    transfer = selectors.transfer_get(actor=request.actor, pk=pk)
    return withdraw_page(request, transfer, done="transfers:detail", template="transfers/withdraw.html")


@require_POST
@org_actor_required
def batch_review(request):
    approve = request.POST.get("decision") == "approve"
    try:
        done, failed = review.transfer_review_batch(actor=request.actor, ids=int_list(request.POST.getlist("ids")),
                                                    approve=approve, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if done:
            messages.success(request, f"已{'同意' if approve else '退回'}{done}条转接申请")
        for t, message in failed:
            messages.error(request, f"{t.member.name}：{message}" if t else message)
    return redirect("transfers:todo")


@org_actor_required
def start_view(request):
    """发起转接: the branch picks members (one or a batch) and the incoming branch (reference §2.1.6)."""
    actor = request.actor
    if not actor.org.is_branch:
        raise PermissionDenied(start.ERR_BRANCH_ONLY)
    form = StartForm(request.POST or None)
    chosen = int_list(request.POST.getlist("members") if request.method == "POST" else request.GET.getlist("member"))
    members = (Member.objects.filter(IN_GOOD_STANDING, branch=actor.org).order_by("name", "pk")
               .only("pk", "name", "id_number", "education", "occupation", "registration_status")[:500])
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = start.transfer_start_batch(actor=actor, member_ids=chosen, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            errors = exc.message_dict.get("members", []) if hasattr(exc, "error_dict") else []
        else:
            waiting = created[0].status == 14
            messages.success(request, f"已为{len(created)}名团员发起组织关系转接。" + (
                "团员须在微信消息中点击确认后，转接申请才会流转到上级组织审核。" if waiting else ""))
            return redirect(reverse("transfers:list") + "?side=out")
    return render(request, "transfers/start.html", {"form": form, "members": members, "chosen": set(chosen),
                                                    "member_errors": errors, "approved": APPROVED_STATES})


@org_actor_required
@capability_required(SUBORDINATES)
def appeals(request):
    form = AppealFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    rows, cursor = selectors.appeal_page(actor=request.actor, status=filters.get("status"),
                                         name=filters.get("name", ""), phone=filters.get("phone", ""),
                                         month=filters.get("month"), after=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "transfers/appeals.html", {"rows": rows, "cursor": cursor, "form": form,
                                                      "query": query.urlencode()})



@org_actor_required
def appeal_detail(request, pk):
    actor = request.actor
    appeal = selectors.appeal_get(actor=actor, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        try:
            appeal_flow.appeal_decide(actor=actor, appeal=appeal, upheld=request.POST.get("decision") == "uphold",
                                      reason=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            add_service_errors(form, exc)
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "申诉已审核")
            return redirect(reverse("transfers:appeals"))
    transfer = selectors.transfer_get(actor=actor, pk=appeal.transfer_id)
    return render(request, "transfers/appeal_detail.html", {
        "a": appeal, "t": transfer, "steps": selectors.timeline(transfer), "form": form,
        "can_decide": appeal.reviewer_id == actor.org.pk and appeal.status == AppealStatus.PENDING})


@require_GET
@org_actor_required
def appeal_file(request, pk, file_pk):
    appeal = selectors.appeal_get(actor=request.actor, pk=pk)
    att = appeal.attachments.filter(pk=file_pk).first()
    if att is None:
        raise Http404("未找到该文件")
    return uploads.file_response(att.file, att.name)

