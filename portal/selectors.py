from django.shortcuts import get_object_or_404

from .models import AuditLog

AUDIT_PAGE_SIZE = 50


def audit_log_for(*, actor, date_from=None, date_to=None, action=None):
    """The log of the actor's own org: what its admin and operators did."""
    actor.require_org_actor()
    qs = AuditLog.objects.filter(organization=actor.org)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if action:
        qs = qs.filter(action=action)
    return qs.order_by("-created_at", "-id")


def audit_entry(*, actor, pk):
    actor.require_org_actor()
    return get_object_or_404(AuditLog, pk=pk, organization=actor.org)
