"""The member end's 组织关系转接 (/m/transfers/...) and the cadre end's review (/m/cadre/transfers/...)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.forms import add_service_errors
from portal.params import int_list
from portal.views.mobile import cadre_required, member_required
from services.members.views import error_text

from . import appeal as appeal_flow
from . import selectors, start
from .choices import STAGE_OF, WITHDRAWABLE_STATES, Applicant, TransferStatus, display_group
from .forms import AppealForm, ApplyForm, ReasonForm
from .models import Appeal
from .rules import appeal_deadline
from .views import review_post, withdraw_page

ERR_VIEW_ONLY = "普通团干只能查看，没有审核权限；请由本组织运营者审核。"
TRANSFERRED_OUT_TEXT = ("您的组织关系已转出至省外（或非共青团广东省委所辖的团组织），本系统中的团员信息不能再修改，"
                        "也不能代交团费；今后如回到广东，可申请将组织关系转回省内的团支部。")


def _member(request):
    member = request.actor.extra.get("member")
    if member is None or member.registration_status not in (3, 4, 5):
        return None
    return member


def _no_member(request):
    return redirect("members:register_status" if request.actor.extra.get("member") else "mobile:member_register")


@member_required
def m_list(request):
    """组织关系转接 / 转接记录: the member's records, newest first, and the way to apply."""
    member = _member(request)
    if member is None:
        return _no_member(request)
    rows = list(selectors.member_transfers(member))
    return render(request, "transfers/m_list.html", {
        "m": member, "rows": rows, "blocked": start.start_problem(member),
        "out_text": TRANSFERRED_OUT_TEXT if member.transferred_out else ""})


@member_required
def m_apply(request):
    member = _member(request)
    if member is None:
        return _no_member(request)
    blocked = start.start_problem(member)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            transfer = start.transfer_apply(member=member, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "转接申请已提交，请等待转出团支部审核")
            return redirect("transfers:m_detail", transfer.pk)
    return render(request, "transfers/m_apply.html", {"form": form, "blocked": blocked, "m": member})


def _member_context(member, transfer):
    now = timezone.now()
    appeal = Appeal.objects.filter(transfer=transfer).first()
    problem = appeal_flow.appeal_problem(member, transfer, now) if appeal is None else None
    return {
        "t": transfer, "steps": selectors.timeline(transfer), "group": display_group(transfer.status),
        "appeal": appeal, "can_appeal": appeal is None and problem is None,
        "appeal_problem": problem if transfer.status in (8, 9) else None,
        "appeal_until": appeal_deadline(transfer.closed_at) if transfer.status in (8, 9) else None,
        "can_withdraw": transfer.applicant == Applicant.MEMBER and transfer.status in WITHDRAWABLE_STATES,
        "can_confirm": transfer.status == TransferStatus.AWAITING_MEMBER,
    }


@member_required
def m_detail(request, pk):
    member = _member(request)
    if member is None:
        return _no_member(request)
    transfer = selectors.member_transfer_get(member, pk)
    return render(request, "transfers/m_detail.html", _member_context(member, transfer))


@require_POST
@member_required
def m_confirm(request, pk):
    member = _member(request)
    if member is None:
        return _no_member(request)
    transfer = selectors.member_transfer_get(member, pk)
    try:
        start.transfer_confirm(member=member, transfer=transfer)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "已确认，转接申请将由转出团支部的上级审核")
    return redirect("transfers:m_detail", transfer.pk)


@member_required
def m_withdraw(request, pk):
    member = _member(request)
    if member is None:
        return _no_member(request)
    transfer = selectors.member_transfer_get(member, pk)
    return withdraw_page(request, transfer, done="transfers:m_detail", template="transfers/m_withdraw.html")


@member_required
def m_appeal(request, pk):
    """我要申诉 (manual: 转接记录 → 最近一次被退回的申请 → 我要申诉)."""
    member = _member(request)
    if member is None:
        return _no_member(request)
    transfer = selectors.member_transfer_get(member, pk)
    problem = appeal_flow.appeal_problem(member, transfer, timezone.now())
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            appeal_flow.appeal_submit(member=member, transfer=transfer, reason=form.cleaned_data.get("reason", ""),
                                      files=request.FILES.getlist("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "申诉已提交，请等待审核")
            return redirect("transfers:m_detail", transfer.pk)
    return render(request, "transfers/m_appeal.html", {"t": transfer, "form": form, "problem": problem})


# --- the cadre end: operators review their org's stage; ordinary cadres only read ------------------------

def _refuse(request, message):
    return render(request, "members/m_message.html", {"title": "转接审核", "message": message}, status=403)


@cadre_required
def cadre_list(request):
    actor = request.actor
    if not actor.acts_for_org:
        return _refuse(request, ERR_VIEW_ONLY)
    rows, cursor = selectors.transfer_page(actor=actor, filters={"side": "todo"}, after=request.GET.get("after"))
    return render(request, "transfers/m_cadre_list.html", {"rows": rows, "cursor": cursor})


@cadre_required
def cadre_start(request):
    """发起转接 on the cadre end: a branch's operator applies for one member or a batch (in-province)."""
    from services.members.models import IN_GOOD_STANDING, Member

    from .forms import StartForm

    actor = request.actor
    if not actor.acts_for_org:
        return _refuse(request, ERR_VIEW_ONLY)
    if not actor.org.is_branch:
        return _refuse(request, start.ERR_BRANCH_ONLY)
    form = StartForm(request.POST or None)
    chosen = int_list(request.POST.getlist("members")) if request.method == "POST" else []
    members = Member.objects.filter(IN_GOOD_STANDING, branch=actor.org).order_by("name", "pk").only(
        "pk", "name", "id_number")[:500]
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            created = start.transfer_start_batch(actor=actor, member_ids=chosen, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            errors = exc.message_dict.get("members", []) if hasattr(exc, "error_dict") else exc.messages
        else:
            messages.success(request, f"已为{len(created)}名团员发起组织关系转接，团员确认后流转到上级组织审核")
            return redirect("transfers:cadre_list")
    return render(request, "transfers/m_cadre_start.html", {"form": form, "members": members, "chosen": set(chosen),
                                                            "member_errors": errors})


@cadre_required
def cadre_detail(request, pk):
    actor = request.actor
    if not actor.acts_for_org:
        return _refuse(request, ERR_VIEW_ONLY)
    transfer = selectors.transfer_get(actor=actor, pk=pk)
    stage = STAGE_OF.get(transfer.status)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and (response := review_post(request, transfer, reverse("transfers:cadre_list"))):
        return response
    return render(request, "transfers/m_cadre_detail.html", {
        "t": transfer, "steps": selectors.timeline(transfer), "form": form, "stage": stage,
        "can_review": stage is not None and transfer.reviewer_id == actor.org.pk})
