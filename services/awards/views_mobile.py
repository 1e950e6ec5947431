"""奖惩 on the member end (/m/awards/: 认证资料 → 奖惩信息) and 奖励审核 on the cadre end (/m/cadre/awards/)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from portal import uploads
from portal.forms import add_service_errors
from portal.views.mobile import cadre_required, member_required
from services.members.views import error_text

from . import selectors, services
from .forms import DeclarationForm, ReturnForm
from .models import Award, AwardKind, AwardSource

ERR_NOT_APPROVED = "报到审核通过后才能查看和申报奖惩信息"


def _member(request):
    member = request.actor.extra.get("member")
    if member is None or not member.is_approved:
        return None
    return member


def _no_member(request):
    return render(request, "members/m_message.html", {"title": "奖惩信息", "message": ERR_NOT_APPROVED}, status=403)


@member_required
def m_list(request):
    member = _member(request)
    if member is None:
        return _no_member(request)
    return render(request, "awards/m_list.html", {
        "m": member, "awards": selectors.member_awards(member), "punishments": selectors.punishments_in_force(member)})


def _own(request, pk):
    member = _member(request)
    award = Award.objects.filter(pk=pk, member=member, source=AwardSource.MEMBER).first() if member else None
    if award is None:
        raise Http404("未找到该记录")
    return member, award


def _reviewer(form):
    chosen = form.cleaned_data.get("reviewer")
    valid = {int(value) for value, _ in form.fields["reviewer"].choices if value}
    if chosen in valid:
        from orgtree.models import Organization

        return Organization.objects.get(pk=chosen)
    return selectors.reviewer_by_code(form.cleaned_data.get("reviewer_code"))


@member_required
def m_declare(request, pk=None):
    """团内奖励补录 / 团外奖励录入, or 编辑 of an own pending or returned declaration."""
    member = _member(request)
    if member is None:
        return _no_member(request)
    award = _own(request, pk)[1] if pk else None
    initial = {"kind": request.GET.get("kind")}
    if award:
        initial = {"kind": award.kind, "name": award.name, "has_level": "1" if award.has_level else "",
                   "level": award.level, "awarded_on": award.awarded_on, "awarding_org_name": award.awarding_org_name,
                   "reviewer": award.reviewer_id}
    form = DeclarationForm(request.POST or None, request.FILES or None, initial=initial,
                           reviewer_choices=selectors.reviewer_choices(member))
    if request.method == "POST" and form.is_valid():
        data, files = form.cleaned_data, request.FILES.getlist("attachments")
        try:
            if award:
                services.award_update(actor=request.actor, award=award, data=data, files=files,
                                      reviewer=_reviewer(form) if award.kind == AwardKind.INTERNAL else None)
            else:
                services.award_declare(member=member, kind=data.get("kind"), data=data, files=files,
                                       reviewer=_reviewer(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已提交，等待审核")
            return redirect("awards:m_list")
    return render(request, "awards/m_declare.html", {"form": form, "award": award})


@require_POST
@member_required
def m_delete(request, pk):
    _member_, award = _own(request, pk)
    try:
        services.award_delete(actor=request.actor, award=award)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, "已删除")
    return redirect("awards:m_list")


@require_GET
@member_required
def m_file(request, pk, file_pk):
    member = _member(request)
    award = Award.objects.filter(pk=pk, member=member).first() if member else None
    att = award.attachments.filter(pk=file_pk).first() if award else None
    if att is None:
        raise Http404("未找到该文件")
    return uploads.file_response(att.file, att.name)


# --- the cadre end: 奖励审核 (operators; ordinary cadres only read) ----------------------------------

ERR_VIEW_ONLY = "普通团干只能查看，没有审核权限；请由本组织运营者审核。"


def _refuse(request, message):
    return render(request, "members/m_message.html", {"title": "奖励审核", "message": message}, status=403)


@cadre_required
def cadre_review(request):
    if not request.actor.acts_for_org:
        return _refuse(request, ERR_VIEW_ONLY)
    return render(request, "awards/m_cadre_review.html", {"rows": selectors.to_review(request.actor)[:100]})


@cadre_required
def cadre_review_detail(request, pk):
    if not request.actor.acts_for_org:
        return _refuse(request, ERR_VIEW_ONLY)
    award = selectors.review_get(actor=request.actor, pk=pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST":
        decision = request.POST.get("decision")
        reason = services.RETURN_NOT_GRANTED if decision == "not_granted" else request.POST.get("reason", "")
        try:
            services.awards_review(actor=request.actor, award_ids=[award.pk], approve=decision == "approve",
                                   reason=reason)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "审核完成")
            return redirect("awards:cadre_review")
    return render(request, "awards/m_cadre_review_detail.html", {"a": award, "form": form,
                                                                 "not_granted": services.RETURN_NOT_GRANTED})

