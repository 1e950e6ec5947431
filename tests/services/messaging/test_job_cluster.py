"""No job is lost: a real django-q2 cluster killed by SIGKILL in the middle of a broadcast's fan-out
(its messages inserted, not yet committed), on the ORM broker and on Redis. The sweep re-queues the
broadcast and a fresh cluster sends it: every message exactly once, the attempt recorded."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf

from portal import jobs
from services.messaging.models import Broadcast, Message
from services.messaging.services import broadcast_send

from ...factories import actor_of, make_child, make_member, make_root
from .test_cluster import _database_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS_URL = os.environ.get("JOBS_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _redis_up():
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - any failure means there is no Redis to test against
        return False


@pytest.fixture(params=["orm", pytest.param("redis", marks=pytest.mark.skipif(
    not _redis_up(), reason=f"no Redis at {REDIS_URL}"))])
def broker(request, monkeypatch):
    """The broker both this process and the clusters use; a queue name of this test's own."""
    name = f"jobs-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue for the cluster instead of running in-process
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    env = {"Q_CLUSTER_NAME": name}
    if request.param == "redis":
        monkeypatch.setattr(Conf, "ORM", None)
        monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
        env["REDIS_URL"] = REDIS_URL
    yield request.param, env
    if request.param == "redis":
        get_broker().delete_queue()  # only this test's own list


class Cluster:
    """`manage.py qcluster` on the test database, in a process group of its own."""

    def __init__(self, env, pause=""):
        self.pause_file = Path(tempfile.mkdtemp()) / "paused"
        full_env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                    "Q_WORKERS": "1", "Q_SYNC": "0", "JOBS_TEST_PAUSE": pause,
                    "JOBS_TEST_PAUSE_FILE": str(self.pause_file), **env}
        if "REDIS_URL" not in env:
            full_env.pop("REDIS_URL", None)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR,
                                     env=full_env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def wait_for(self, check, what, timeout=40):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"{what}: not within {timeout} s; the cluster said:\n{self.output()}")

    def kill(self):
        """SIGKILL this cluster's own process group (its sentinel and workers) and nothing else."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the sentinel stops its own workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def clusters():
    started = []

    def start(env, pause=""):
        started.append(Cluster(env, pause))
        return started[-1]

    yield start
    for cluster in started:
        cluster.stop()


def test_a_fan_out_killed_mid_job_is_re_queued_and_sent_exactly_once(broker, clusters):
    kind, env = broker
    from orgtree.rules import OrgType

    province = make_root()
    city = make_child(province, name="广州市")
    branch = make_child(make_child(city, OrgType.COMMITTEE, "某公司"), OrgType.BRANCH, "一部")
    members = {make_member(branch, name=name).user.pk for name in ("陈一", "李二", "王三")}

    first = clusters(env, pause="broadcast_fan_out")
    broadcast = broadcast_send(actor=actor_of(province), title="集群中断测试", body="内容", to_members=True)
    # The worker has inserted the messages and sleeps before its commit: kill the whole cluster.
    first.wait_for(first.pause_file.exists, f"the fan-out to start ({kind})")
    first.kill()
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts) == ("queued", 1)  # rolled back: stuck without the sweep
    assert not Message.objects.filter(broadcast=broadcast).exists()

    later = timezone.now() + jobs.DEFAULT_TIMEOUT + timedelta(seconds=1)
    deadline = time.monotonic() + 15
    while jobs.sweep(now=later)["messaging.Broadcast"] != (1, 0):  # the dead connection's lock may linger
        assert time.monotonic() < deadline, "the sweep never re-queued the killed broadcast"
        time.sleep(0.2)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts, broadcast.queued_at) == ("queued", 2, later)

    second = clusters(env)
    second.wait_for(lambda: Broadcast.objects.filter(pk=broadcast.pk, status="sent").exists(),
                    f"the re-queued fan-out to finish ({kind})")
    recipients = list(Message.objects.filter(broadcast=broadcast).values_list("recipient_user", flat=True))
    assert sorted(recipients) == sorted(members)  # each exactly once
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.attempts, broadcast.recipients) == ("sent", 2, 3)
    assert jobs.sweep(now=later + jobs.DEFAULT_TIMEOUT * 3)["messaging.Broadcast"] == (0, 0)


def test_an_import_killed_while_checking_is_re_queued_and_imported_exactly_once(broker, clusters):
    from services.cadres import imports
    from services.cadres.models import CadreImport, CadrePost
    from services.messaging.delivery import enqueue

    from ..cadres.test_import import row, xlsx

    kind, env = broker
    city = make_child(make_root(), name="广州市")
    first = clusters(env, pause="import_run")
    job = imports.import_create(actor=actor_of(city), upload=xlsx([row(n) for n in range(1, 4)]))
    enqueue("services.cadres.tasks.run_import", job.pk)
    first.wait_for(first.pause_file.exists, f"the import to be checking ({kind})")
    first.kill()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (CadreImport.Status.RUNNING, 1)  # 校验中 for ever without the sweep

    later = timezone.now() + jobs.DEFAULT_TIMEOUT + timedelta(seconds=1)
    assert jobs.sweep(now=later)["cadres.CadreImport"] == (1, 0)
    assert get_broker().queue_size() >= 1  # the re-queued task waits in this test's own queue
    second = clusters(env)
    second.wait_for(lambda: CadreImport.objects.filter(pk=job.pk, status="done").exists(),
                    f"the re-queued import to finish ({kind})")
    job.refresh_from_db()
    assert (job.imported, job.attempts) == (3, 2)
    assert CadrePost.objects.filter(org=city).count() == 3
