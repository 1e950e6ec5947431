"""Demo dues for ``seed_demo`` (DEBUG only; idempotent): last month's and this month's bills for the demo
members, as the monthly job makes them, so 团费交纳 and 团费查询 have something to show."""

from datetime import timedelta

from django.utils import timezone

from . import billing, stats
from .models import BillingRun


def seed_dues_demo():
    this = billing.first_of(timezone.localdate())
    last = billing.first_of(this - timedelta(days=1))
    for month in (last, this):
        if not BillingRun.objects.filter(month=month).exists():
            billing.bills_make(month=month)
            stats.stats_build(month=month)
