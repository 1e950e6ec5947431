"""django-q2 jobs of the members app: thin calls into the services (DESIGN §6)."""

from django.utils import timezone

from . import aging


def age_out_nightly(as_of=None):
    """The nightly 满28 leaving; ``as_of`` (ISO date) defaults to today in Asia/Shanghai."""
    from datetime import date

    day = date.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or timezone.localdate())
    run = aging.age_out(as_of=day)
    return {"as_of": day.isoformat(), "aged_out": run.aged_out, "held_back": run.held_back, "told_in_advance": run.noticed}
