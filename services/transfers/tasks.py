"""django-q2 jobs of the transfers app: thin calls into the services (DESIGN §6)."""

from datetime import datetime

from django.utils import timezone

from . import timers


def transfers_hourly(as_of=None):
    """The hourly auto-approval; ``as_of`` (ISO date-time) defaults to now."""
    when = datetime.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or timezone.now())
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    run = timers.transfers_auto_approve(as_of=when)
    return {"as_of": when.isoformat(), "in_branch": run.in_branch, "in_parent": run.in_parent,
            "completed": run.completed}
