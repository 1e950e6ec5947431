"""No background job is lost or stuck (DESIGN §6).

Every record of a background job (a broadcast's fan-out, a cadre import, and every export, archive or
other job to come) inherits :class:`BackgroundJob` and is registered here with :func:`register`. One
per-minute django-q2 schedule (``portal.sweep_jobs``) runs :func:`sweep`, which, set-based, per
registered model:

* finds the rows left ``queued`` past the job's timeout (the broker was down, or the task was lost:
  a worker killed mid-job rolls back its claim, or Redis dropped the popped task), and the rows left
  ``running`` past it (the worker died after a visible claim);
* re-queues those with fewer than ``max_attempts`` attempts: status back to queued, ``attempts + 1``,
  ``queued_at = now``, and the task queued again after commit;
* fails the others for good and calls the job's ``give_up(pks, now)`` to tell the person.

``attempts`` counts dispatches: 1 when the job is first queued, one more per re-queue. The job's own
task must stay idempotent (claim only a queued row with a conditional UPDATE), since the broker may
still deliver the old task too (the ORM broker re-delivers an unacknowledged task after
``Q_CLUSTER["retry"]``). A job's timeout must exceed the cluster's task timeout, so that a row still
``running`` at its timeout belongs to a worker that is gone.

The WeChat outbox rows (``Delivery``, ``ContactSync``) keep their own sweeper (``delivery.sweep``):
they are calls retried with a per-row backoff and WeChat's error codes, not jobs with a timeout.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500  # rows per model and sweep; the rest wait for the next minute
DEFAULT_TIMEOUT = timedelta(minutes=10)  # > Q_CLUSTER["timeout"] (300 s)
DEFAULT_MAX_ATTEMPTS = 3


class BackgroundJob(models.Model):
    """The fields the sweeper needs on a job record (its model adds its own ``status``)."""

    attempts = models.PositiveSmallIntegerField("尝试次数", default=1)
    queued_at = models.DateTimeField("排队时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Job:
    """A registered kind of background job.

    ``model``: "app_label.ModelName", a :class:`BackgroundJob`. ``task``: the dotted task taking the
    row's pk. ``queued``/``running``/``failed``: its status values (``running`` None when the task's
    claim commits with its work, so a job is never seen running). ``give_up(pks, now)`` runs in the
    sweep's transaction after the rows were marked failed; it tells the person (``notify``).
    """

    model: str
    task: str
    give_up: Callable
    queued: str = "queued"
    running: str | None = "running"
    failed: str = "failed"
    timeout: timedelta = DEFAULT_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    failed_fields: Callable | None = None  # now -> extra fields set when failing for good

    def stale_q(self, now):
        cutoff = now - self.timeout
        q = Q(status=self.queued, queued_at__lt=cutoff)
        if self.running:
            q |= Q(status=self.running, started_at__lt=cutoff)
        return q


_registry: dict[str, Job] = {}


def register(job):
    """Have the sweeper watch a job model (call from an AppConfig's ``ready``)."""
    _registry[job.model] = job
    return job


def registered():
    return dict(_registry)


def enqueue(task, *args):
    from services.messaging.delivery import enqueue as queue  # lazily: messaging's models import this module

    queue(task, *args)


def claim(model, pk, *, queued="queued", running="running", now=None):
    """A task's start: queued → running, ``started_at = now``. Returns the attempt number or None."""
    now = now or timezone.now()
    with transaction.atomic():
        if not model.objects.filter(pk=pk, status=queued).update(status=running, started_at=now):
            return None
        return model.objects.filter(pk=pk).values_list("attempts", flat=True).get()


def sweep(now=None):
    """The per-minute sweep of every registered job model. Returns {model: (re-queued, failed)}."""
    now = now or timezone.now()
    counts = {}
    for label, job in _registry.items():
        counts[label] = sweep_one(job, now=now)
    if any(sum(c) for c in counts.values()):
        logger.info("job sweep: %s", counts)
    return counts


@transaction.atomic
def sweep_one(job, *, now):
    """Re-queue or fail one model's stale rows; the tasks are queued after commit. Idempotent: a
    re-queued row is fresh again (``queued_at = now``), a failed one is no longer queued or running."""
    model = apps.get_model(job.model)
    stale = model.objects.filter(job.stale_q(now))
    lock = stale.select_for_update(skip_locked=True) if _locks() else stale

    dead = list(lock.filter(attempts__gte=job.max_attempts).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    if dead:
        extra = job.failed_fields(now) if job.failed_fields else {}
        model.objects.filter(job.stale_q(now), pk__in=dead).update(status=job.failed, **extra)
        job.give_up(dead, now)
        logger.warning("%s failed for good after %s attempts: %s", job.model, job.max_attempts, dead)

    again = list(lock.filter(attempts__lt=job.max_attempts).order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    if again:
        model.objects.filter(job.stale_q(now), pk__in=again).update(
            status=job.queued, attempts=F("attempts") + 1, queued_at=now, started_at=None)
        transaction.on_commit(lambda: [enqueue(job.task, pk) for pk in again])
        logger.warning("%s re-queued: %s", job.model, again)
    return len(again), len(dead)


def _locks():
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def pause_for_tests(name):
    """A test-only checkpoint: with ``settings.JOBS_TEST_PAUSE == name`` the task writes the file
    ``settings.JOBS_TEST_PAUSE_FILE`` and sleeps, so a test can kill the worker mid-job."""
    from django.conf import settings

    if not name or getattr(settings, "JOBS_TEST_PAUSE", "") != name:
        return
    import pathlib
    import time

    pathlib.Path(settings.JOBS_TEST_PAUSE_FILE).write_text(name)
    time.sleep(600)
