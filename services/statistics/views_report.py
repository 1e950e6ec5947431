"""月度统计报表 PDF on /manage/statistics/report/?org=<pk>&month=YYYY-MM (the statistics page links here):
the org defaults to the actor's own; an org outside the actor's subtree is a 404; a month outside the
last six is a Chinese error."""

from django.core.exceptions import BadRequest
from django.views.decorators.http import require_GET

from orgtree.models import Organization
from portal.decorators import org_actor_required
from portal.params import int_or_none
from portal.pdf import pdf_response
from portal.scope import get_in_scope

from . import report as monthly


@require_GET
@org_actor_required
def monthly_report(request):
    org_pk = request.GET.get("org")
    org = get_in_scope(request.actor, Organization.objects.all(), pk=int_or_none(org_pk)) if org_pk else request.actor.org
    try:
        month = monthly.parse_month(request.GET.get("month"))
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    data = monthly.monthly_report(org=org, month=month)
    return pdf_response(monthly.report_filename(data), monthly.report_pdf(data))
