"""django-q2 jobs of 数据统计 (DESIGN §6): thin calls into :mod:`.refresh`, each with an explicit as-of."""

import logging
from datetime import datetime

from django.utils import timezone

from . import refresh
from .models import RefreshRun

logger = logging.getLogger(__name__)


def _moment(as_of):
    return datetime.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or timezone.now())


def refresh_delta(as_of=None):
    """Every 15 minutes: the month's figures (rows rewritten only where a figure changed)."""
    run = refresh.refresh(kind=RefreshRun.Kind.DELTA, as_of=_moment(as_of))
    logger.info("statistics delta %s: %s rows in %.1f s", run.as_of, run.rows_written, run.seconds)
    return {"as_of": run.as_of.isoformat(), "rows": run.rows_written, "seconds": run.seconds}


def refresh_full(as_of=None):
    """Nightly: the figures and the classification counts of 查看分类统计."""
    run = refresh.refresh(kind=RefreshRun.Kind.FULL, as_of=_moment(as_of))
    logger.info("statistics full %s: %s rows in %.1f s", run.as_of, run.rows_written, run.seconds)
    return {"as_of": run.as_of.isoformat(), "rows": run.rows_written, "seconds": run.seconds}
