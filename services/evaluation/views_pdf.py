"""成长档案 PDF downloads, beside the 成长档案 pages: the org's (a member of its subtree) and the member's own."""

from portal.decorators import org_actor_required
from portal.pdf import pdf_response
from portal.views.mobile import member_required

from . import pdf, selectors
from .views_mobile import _member, _refuse


@org_actor_required
def member_archive_pdf(request, pk):
    archive = selectors.member_archive_get(actor=request.actor, pk=pk)
    return pdf_response(pdf.archive_filename(archive.member), pdf.archive_pdf(archive))


@member_required
def m_archive_pdf(request):
    member = _member(request)
    if member is None:
        return _refuse(request, "成长档案")
    return pdf_response(pdf.archive_filename(member), pdf.archive_pdf(selectors.growth_archive(member)))
