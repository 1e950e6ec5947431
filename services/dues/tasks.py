"""django-q2 jobs of the dues app: thin calls into the flows, each with an explicit as-of (DESIGN §6)."""

from datetime import date, datetime

from django.utils import timezone

from . import billing, payment, reminders, stats


def _day(value):
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value or timezone.localdate()


def bills_monthly(month=None):
    """The 1st: the month's bills, then the reminders. ``month`` (ISO date) defaults to this month."""
    month = billing.first_of(_day(month))
    run = billing.bills_make(month=month)
    stats.stats_build(month=month)
    told = reminders.remind(month=month)
    return {"month": month.isoformat(), "bills": run.bills, "reminded": told}


def orders_sync(as_of=None):
    """Every 10 minutes: orders whose payment notify never came are queried, and closed when expired."""
    if not payment.enabled():
        return {"synced": 0}
    moment = datetime.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or timezone.now())
    return {"synced": payment.sync_pending(as_of=moment)}
