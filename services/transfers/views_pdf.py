"""组织关系介绍信 downloads of a completed transfer: on /manage/ for the orgs of the transfer's scope
(either branch's subtree), on /m/ for the member's own transfer; refused while not 接转成功."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from portal.decorators import org_actor_required
from portal.pdf import pdf_response
from portal.views.mobile import member_required

from . import pdf, selectors
from .views_mobile import _member, _no_member


@org_actor_required
def letter(request, pk):
    transfer = selectors.transfer_get(actor=request.actor, pk=pk)
    if problem := pdf.letter_problem(transfer):
        raise PermissionDenied(problem)
    return pdf_response(pdf.letter_filename(transfer), pdf.introduction_letter_pdf(transfer))


@member_required
def m_letter(request, pk):
    member = _member(request)
    if member is None:
        return _no_member(request)
    transfer = selectors.member_transfer_get(member, pk)
    if problem := pdf.letter_problem(transfer):
        return render(request, "members/m_message.html", {"title": "组织关系介绍信", "message": problem}, status=403)
    return pdf_response(pdf.letter_filename(transfer), pdf.introduction_letter_pdf(transfer))
