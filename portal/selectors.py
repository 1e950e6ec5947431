from django.shortcuts import get_object_or_404

from .models import AuditLog, AuditTally
from .pagination import page_of, prepared_page_of
from .prepared import prepared

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


#: What a row of the log's list shows (not the entry's before/after JSON, decoded for nothing).
AUDIT_LIST_FIELDS = ("pk", "actor_label", "action", "object_repr", "created_at", "ip")


@prepared
def _audit_rows(org_id, *values, lookups, start, stop):
    return AuditLog.objects.filter(organization_id=org_id, **dict(zip(lookups, values))).order_by(
        "-created_at", "-id").values(*AUDIT_LIST_FIELDS)[start:stop]


def audit_page(*, actor, number, date_from=None, date_to=None, action=None):
    """A page of :func:`audit_log_for` as dicts of :data:`AUDIT_LIST_FIELDS`: without a date filter, two
    prepared statements (count and rows); without any filter the count is the org's :class:`AuditTally`."""
    if date_from or date_to:
        entries = audit_log_for(actor=actor, date_from=date_from, date_to=date_to, action=action)
        return page_of(entries.values(*AUDIT_LIST_FIELDS), AUDIT_PAGE_SIZE, number)
    actor.require_org_actor()
    values = [actor.org.pk, *([action] if action else [])]
    return prepared_page_of(_audit_rows, values, AUDIT_PAGE_SIZE, number, lookups=("action",) if action else (),
                            known_count=None if action else next(iter(_tally_entries(actor.org.pk)), 0))


@prepared
def _tally_entries(org_id):
    return AuditTally.objects.filter(pk=org_id).values_list("entries", flat=True)


def audit_entry(*, actor, pk):
    actor.require_org_actor()
    return get_object_or_404(AuditLog, pk=pk, organization=actor.org)
