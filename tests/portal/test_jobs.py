"""No background job is lost or stuck (DESIGN §6, portal.jobs): queued or running past its timeout →
re-queued with an attempt count, failed for good after N attempts with the org told."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from portal import jobs
from services.cadres import imports
from services.cadres.models import CadreImport, CadrePost
from services.messaging import delivery, services
from services.messaging.models import Broadcast, Message
from services.messaging.selectors import broadcast_quota_status

from ..factories import actor_of, login, make_member
from ..services.cadres.test_import import row, xlsx

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=SH)
TIMEOUT = jobs.DEFAULT_TIMEOUT
AFTER = TIMEOUT + timedelta(seconds=1)


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses every task (delivery.enqueue logs it and the request goes on)."""
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(delivery, "async_task", refuse)


def _send(tree, capture, **extra):
    with capture(execute=True):
        return services.broadcast_send(actor=actor_of(tree.city_a), title="主题团日通知", body="请按时参加。",
                                       to_members=True, now=T0, **extra)


def _sweep(capture, now):
    with capture(execute=True):  # the re-queued tasks run (in-process, Q sync) after the sweep commits
        return jobs.sweep(now=now)


def _failed_notices(org, subject_type):
    return list(Message.objects.filter(recipient_org=org, subject_type=subject_type).values_list("title", "body"))


@pytest.mark.django_db
def test_a_broadcast_sent_while_the_broker_was_down_is_sent_by_the_sweep_once(
        tree, monkeypatch, broker_down, django_capture_on_commit_callbacks):
    member = make_member(tree.branch).user
    broadcast = _send(tree, django_capture_on_commit_callbacks)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts, broadcast.queued_at) == ("queued", 1, T0)

    monkeypatch.undo()  # the broker is back
    assert _sweep(django_capture_on_commit_callbacks, T0 + TIMEOUT)["messaging.Broadcast"] == (0, 0)  # not yet
    assert _sweep(django_capture_on_commit_callbacks, T0 + AFTER)["messaging.Broadcast"] == (1, 0)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts, broadcast.recipients) == ("sent", 2, 1)
    assert list(Message.objects.filter(broadcast=broadcast).values_list("recipient_user", flat=True)) == [member.pk]
    # idempotent: the next sweeps find nothing, and a stray old task does nothing either
    assert _sweep(django_capture_on_commit_callbacks, T0 + 3 * AFTER)["messaging.Broadcast"] == (0, 0)
    assert services.broadcast_fan_out(broadcast_id=broadcast.pk, now=T0 + 3 * AFTER) == 0
    assert Message.objects.filter(broadcast=broadcast).count() == 1


@pytest.mark.django_db
def test_a_broadcast_whose_task_is_always_lost_fails_for_good_after_n_attempts_and_the_org_is_told(
        tree, client, broker_down, django_capture_on_commit_callbacks):
    make_member(tree.branch)
    broadcast = _send(tree, django_capture_on_commit_callbacks)
    assert broadcast_quota_status(tree.city_a, T0) == (services_allowance(), 1)
    now = T0
    for attempt in range(2, services.FAN_OUT_ATTEMPTS + 1):
        now += AFTER
        _sweep(django_capture_on_commit_callbacks, now)
        broadcast.refresh_from_db()
        assert (broadcast.status, broadcast.attempts, broadcast.queued_at) == ("queued", attempt, now)
    login(client, tree.city_a)
    assert f"发送中（第{services.FAN_OUT_ATTEMPTS}次尝试）" in client.get(
        reverse("messaging:broadcast_list")).content.decode()
    assert _failed_notices(tree.city_a, "messaging.broadcast_failed") == []

    now += AFTER
    assert _sweep(django_capture_on_commit_callbacks, now)["messaging.Broadcast"] == (0, 1)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts) == ("failed", services.FAN_OUT_ATTEMPTS)
    assert not Message.objects.filter(broadcast=broadcast).exists()
    notices = _failed_notices(tree.city_a, "messaging.broadcast_failed")
    assert notices == [(services.BROADCAST_FAILED_TITLE, services.BROADCAST_FAILED_BODY)]
    assert f"经 {services.FAN_OUT_ATTEMPTS} 次尝试仍未发出" in services.BROADCAST_FAILED_BODY
    # failed for good: swept no more, told once, and the month's quota is given back
    assert _sweep(django_capture_on_commit_callbacks, now + 5 * AFTER)["messaging.Broadcast"] == (0, 0)
    assert len(_failed_notices(tree.city_a, "messaging.broadcast_failed")) == 1
    assert broadcast_quota_status(tree.city_a, now) == (services_allowance(), 0)
    page = client.get(reverse("messaging:broadcast_list")).content.decode()
    assert f"发送失败（已尝试{services.FAN_OUT_ATTEMPTS}次，不计入本月群发次数，请重新发送）" in page


def services_allowance():
    from django.conf import settings

    return settings.BROADCAST_MONTHLY_QUOTA


@pytest.mark.django_db
def test_finished_jobs_are_never_swept(tree, django_capture_on_commit_callbacks):
    make_member(tree.branch)
    broadcast = _send(tree, django_capture_on_commit_callbacks)  # broker up: sent at once
    job = imports.import_create(actor=actor_of(tree.district), upload=xlsx([row(1)]))
    imports.import_run(job.pk, now=T0)
    far = T0 + 100 * AFTER
    assert _sweep(django_capture_on_commit_callbacks, far) == {"messaging.Broadcast": (0, 0),
                                                               "cadres.CadreImport": (0, 0),
                                                               "evaluation.ArchiveJob": (0, 0),
                                                               "statistics.StatExport": (0, 0)}
    assert Broadcast.objects.get(pk=broadcast.pk).attempts == 1
    assert CadreImport.objects.get(pk=job.pk).status == CadreImport.Status.DONE


@pytest.mark.django_db
def test_an_import_stuck_checking_is_run_again_and_its_dead_attempt_cannot_write(
        tree, client, django_capture_on_commit_callbacks):
    job = imports.import_create(actor=actor_of(tree.district), upload=xlsx([row(1), row(2)]))
    # a worker claimed it (校验中) and was killed: nothing else happens
    assert jobs.claim(CadreImport, job.pk, now=T0) == 1
    login(client, tree.district)
    assert "校验中" in client.get(reverse("cadres:import_detail", args=[job.pk])).content.decode()
    assert _sweep(django_capture_on_commit_callbacks, T0 + TIMEOUT)["cadres.CadreImport"] == (0, 0)

    with django_capture_on_commit_callbacks(execute=False) as queued:  # re-queued, not yet run
        assert jobs.sweep(now=T0 + AFTER)["cadres.CadreImport"] == (1, 0)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.started_at) == (CadreImport.Status.QUEUED, 2, None)
    assert "第2次尝试" in client.get(reverse("cadres:import_detail", args=[job.pk])).content.decode()
    for callback in queued:
        callback()  # the task runs
    job.refresh_from_db()
    assert (job.status, job.imported, job.attempts) == (CadreImport.Status.DONE, 2, 2)
    assert CadrePost.objects.filter(org=tree.district).count() == 2


@pytest.mark.django_db
def test_an_attempt_the_sweeper_gave_away_writes_nothing(tree, monkeypatch):
    job = imports.import_create(actor=actor_of(tree.district), upload=xlsx([row(1)]))
    validate = imports._validate

    def slow_validate(job, rows):  # the worker was so slow that the sweeper re-queued the job meanwhile
        CadreImport.objects.filter(pk=job.pk).update(status=CadreImport.Status.QUEUED, attempts=2, started_at=None)
        return validate(job, rows)

    monkeypatch.setattr(imports, "_validate", slow_validate)
    assert imports.import_run(job.pk, now=T0) is None
    job.refresh_from_db()
    assert (job.status, job.attempts, job.imported) == (CadreImport.Status.QUEUED, 2, 0)
    assert not CadrePost.objects.filter(org=tree.district).exists()
    monkeypatch.undo()
    assert imports.import_run(job.pk, now=T0) == CadreImport.Status.DONE  # attempt 2 imports, once
    assert CadrePost.objects.filter(org=tree.district).count() == 1


@pytest.mark.django_db
def test_an_import_that_never_finishes_fails_for_good_and_the_org_is_told(
        tree, client, django_capture_on_commit_callbacks):
    job = imports.import_create(actor=actor_of(tree.district), upload=xlsx([row(1)]))
    CadreImport.objects.filter(pk=job.pk).update(attempts=imports.IMPORT_ATTEMPTS)
    jobs.claim(CadreImport, job.pk, now=T0)  # the last attempt's worker dies too
    assert _sweep(django_capture_on_commit_callbacks, T0 + AFTER)["cadres.CadreImport"] == (0, 1)
    job.refresh_from_db()
    assert (job.status, job.content, job.finished_at) == (CadreImport.Status.FAILED, None, T0 + AFTER)
    assert job.errors == [[0, imports.ERR_GAVE_UP]]
    assert _failed_notices(tree.district, "cadres.import_failed") == [(
        imports.IMPORT_FAILED_TITLE,
        f"您上传的团干导入文件“{job.filename}”经 {imports.IMPORT_ATTEMPTS} 次尝试仍未完成校验，未导入任何数据，请重新上传。")]
    assert _sweep(django_capture_on_commit_callbacks, T0 + 9 * AFTER)["cadres.CadreImport"] == (0, 0)
    assert len(_failed_notices(tree.district, "cadres.import_failed")) == 1
    login(client, tree.district)
    page = client.get(reverse("cadres:import_detail", args=[job.pk])).content.decode()
    assert f"导入失败（已尝试{imports.IMPORT_ATTEMPTS}次），未导入任何数据，请重新上传。" in page
    assert imports.ERR_GAVE_UP in page


def test_every_job_model_is_registered_with_a_timeout_beyond_the_task_timeout():
    from django.apps import apps
    from django.conf import settings

    registered = jobs.registered()
    assert {"messaging.Broadcast", "cadres.CadreImport"} <= set(registered)
    for model in apps.get_models():  # every background job record is swept
        if issubclass(model, jobs.BackgroundJob):
            assert model._meta.label in registered, model
    for job in registered.values():
        assert job.timeout.total_seconds() > settings.Q_CLUSTER["timeout"]
        assert job.max_attempts >= 2


@pytest.mark.django_db
def test_the_sweep_is_a_per_minute_schedule():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="portal.sweep_jobs")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == ("portal.tasks.sweep_jobs", "I", 1)
