"""奖励记录 downloads (全部记录 / 近6个月): the org from the member detail on /manage/ (the member's branch
and its ancestors; anyone else 404), the member from 奖惩信息 on /m/."""

from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import render

from portal.decorators import org_actor_required
from portal.pdf import pdf_response
from portal.views.mobile import member_required
from services.members import selectors as member_selectors

from . import pdf
from .views_mobile import ERR_NOT_APPROVED


@org_actor_required
def record(request, pk):
    member = member_selectors.member_get(actor=request.actor, pk=pk)
    try:
        period = pdf.period_or_error(request.GET.get("period"))
    except ValidationError as exc:
        raise BadRequest(exc.messages[0]) from None
    return pdf_response(pdf.record_filename(member, period), pdf.awards_record_pdf(member, period=period))


@member_required
def m_record(request):
    member = request.actor.extra.get("member")
    if member is None or not member.is_approved:
        return render(request, "members/m_message.html", {"title": "奖励记录", "message": ERR_NOT_APPROVED},
                      status=403)
    try:
        period = pdf.period_or_error(request.GET.get("period"))
    except ValidationError as exc:
        return render(request, "members/m_message.html", {"title": "奖励记录", "message": exc.messages[0]},
                      status=400)
    return pdf_response(pdf.record_filename(member, period), pdf.awards_record_pdf(member, period=period))
