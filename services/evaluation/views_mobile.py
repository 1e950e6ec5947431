"""年度注册 and 成长档案 on the member end (/m/registration/, /m/archive/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.views.mobile import member_required
from services.awards.views_mobile import ERR_NOT_APPROVED
from services.members.views import error_text

from . import selectors, services


def _member(request):
    member = request.actor.extra.get("member")
    return member if member is not None and member.is_approved else None


def _refuse(request, title):
    return render(request, "members/m_message.html", {"title": title, "message": ERR_NOT_APPROVED}, status=403)


@member_required
def m_register(request):
    """年度注册: confirm the data and the grade of the open year; the history by year below."""
    member = _member(request)
    if member is None:
        return _refuse(request, "年度注册")
    return render(request, "evaluation/m_register.html", {
        "m": member, "row": services.open_registration(member), "history": selectors.member_history(member)})


@require_POST
@member_required
def m_register_confirm(request):
    member = _member(request)
    if member is None:
        return _refuse(request, "年度注册")
    row = services.open_registration(member)
    try:
        if row is None:
            raise ValidationError(services.ERR_NO_REGISTRATION)
        services.registration_confirm(member=member, year=row.year, confirmed=request.POST.get("confirmed") == "1")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{row.year}年度注册成功")
    return redirect("evaluation:m_register")


@member_required
def m_archive(request):
    member = _member(request)
    if member is None:
        return _refuse(request, "成长档案")
    return render(request, "evaluation/m_archive.html", {"a": selectors.growth_archive(member)})
