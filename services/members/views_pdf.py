"""电子团员证 downloads: the org from the member detail on /manage/ (the member's branch and its
ancestors; anyone else 404), the member from 我的资料 on /m/."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from portal.decorators import org_actor_required
from portal.pdf import pdf_response
from portal.views.mobile import member_required

from . import pdf, selectors

ERR_NOT_APPROVED = "报到审核通过后才能下载电子团员证"


def _refusal(exc):
    return exc.messages[0]


@org_actor_required
def certificate(request, pk):
    member = selectors.member_get(actor=request.actor, pk=pk)
    try:
        data = pdf.certificate_pdf(member)
    except ValidationError as exc:
        raise PermissionDenied(_refusal(exc)) from None
    return pdf_response(pdf.certificate_filename(member), data)


def member_own_pdf(request, title, build, *, refused_status=403, not_approved=ERR_NOT_APPROVED):
    """A member's own PDF on /m/: ``build(member)`` gives (filename, bytes) or raises a ValidationError,
    shown on the member end's message page — only an approved member gets one."""
    member = request.actor.extra.get("member")
    if member is None or not member.is_approved:
        return render(request, "members/m_message.html", {"title": title, "message": not_approved}, status=403)
    try:
        filename, data = build(member)
    except ValidationError as exc:
        return render(request, "members/m_message.html", {"title": title, "message": _refusal(exc)},
                      status=refused_status)
    return pdf_response(filename, data)


@member_required
def m_certificate(request):
    return member_own_pdf(request, "电子团员证",
                          lambda member: (pdf.certificate_filename(member), pdf.certificate_pdf(member, own=True)))
