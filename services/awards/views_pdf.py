"""奖励记录 downloads (全部记录 / 近6个月): the org from the member detail on /manage/ (the member's branch
and its ancestors; anyone else 404), the member from 奖惩信息 on /m/."""

from django.core.exceptions import BadRequest, ValidationError

from portal.decorators import org_actor_required
from portal.pdf import pdf_response
from portal.views.mobile import member_required
from services.members import selectors as member_selectors
from services.members.views_pdf import member_own_pdf

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
    def build(member):
        period = pdf.period_or_error(request.GET.get("period"))  # a bad period: 400 with its message
        return pdf.record_filename(member, period), pdf.awards_record_pdf(member, period=period)

    return member_own_pdf(request, "奖励记录", build, refused_status=400, not_approved=ERR_NOT_APPROVED)
