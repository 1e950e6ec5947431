"""The audit log: every write by an org account or operator (DESIGN §4).

Services call :func:`audit_record` inside their transaction, so the row and the
change commit together. ID numbers never go into a snapshot unmasked.
"""

from django.db import models
from django.db.models import F

from .models import AuditLog, AuditTally

_ACTION_LABELS = {}


def register_actions(labels):
    """Apps register their action codes with Chinese labels (for the log's filter)."""
    _ACTION_LABELS.update(labels)


def action_label(code):
    return _ACTION_LABELS.get(code, code)


def action_choices():
    return sorted(_ACTION_LABELS.items(), key=lambda item: item[1])


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(obj, fields):
    """A {verbose name: value} summary of the given fields, choices shown by label."""
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display and getattr(obj, name) is not None else getattr(obj, name)
        result[str(field.verbose_name)] = _jsonable(value)
    return result


def changed_only(before, after):
    """Keep only the keys whose values differ, for an edit's before/after summary."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_record(*, actor, action, obj=None, before=None, after=None, org=None):
    if action not in _ACTION_LABELS:
        raise ValueError(f"unregistered audit action {action!r}")
    entry = AuditLog.objects.create(
        user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_kind=actor.kind,
        actor_label=actor.label[:200],
        organization=org or actor.org,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        ip=actor.ip,
    )
    if entry.organization_id is not None:
        _tally(entry.organization_id)
    return entry


def audit_recount(*orgs):
    """Set the orgs' :class:`AuditTally` to what their log holds: for entries loaded without
    :func:`audit_record` (the benchmarks' bulk loads)."""
    for org in orgs:
        AuditTally.objects.update_or_create(
            organization=org, defaults={"entries": AuditLog.objects.filter(organization=org).count()})


def _tally(org_id):
    """One more entry in the org's :class:`AuditTally`. The first entry of an org creates the row; when
    two first entries race, the loser's insert fails on the key, finds the winner's row and adds to it."""
    if AuditTally.objects.filter(pk=org_id).update(entries=F("entries") + 1):
        return
    _, created = AuditTally.objects.get_or_create(pk=org_id, defaults={"entries": 1})
    if not created:
        AuditTally.objects.filter(pk=org_id).update(entries=F("entries") + 1)
