"""Statistics rows for tests, written directly (the refresh that computes them is tested on its own)."""

from django.utils import timezone

from services.statistics.models import CategoryStat, OrgStat, RefreshRun


def make_stat(org, month, **figures):
    return OrgStat.objects.create(org=org, month=month, computed_at=figures.pop("computed_at", timezone.now()),
                                  **figures)


def make_category(org, month, dimension, key, n):
    return CategoryStat.objects.create(org=org, month=month, dimension=dimension, key=key, n=n)


def make_run(month, as_of=None, kind=RefreshRun.Kind.DELTA):
    return RefreshRun.objects.create(kind=kind, month=month, as_of=as_of or timezone.now())
