"""The whole road with real components: notify → on commit → django-q2 broker → a real qcluster
process → wechatpy → the fake WeChat server; and a broadcast fanned out by that cluster."""

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_q.conf import Conf

from services.messaging.models import Broadcast, Delivery, Message
from services.messaging.services import broadcast_send, notify

from ...factories import actor_of, make_child, make_member, make_root

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def cluster(fake_wechat, monkeypatch):
    """A real `manage.py qcluster` on the test database, talking to the fake WeChat server."""
    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue for the cluster instead of running in-process
    wechat = fake_wechat.settings
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "portal.settings.test",
           "Q_WORKERS": "1", "Q_SYNC": "0",
           "WECHAT_MP_APP_ID": wechat["MP_APP_ID"], "WECHAT_MP_SECRET": wechat["MP_SECRET"],
           "WECHAT_MP_NOTICE_TEMPLATE_ID": wechat["MP_NOTICE_TEMPLATE_ID"],
           "WECHAT_MP_API_BASE_URL": wechat["MP_API_BASE_URL"], "WECHAT_OAUTH_BASE_URL": wechat["OAUTH_BASE_URL"]}
    env.pop("REDIS_URL", None)
    # Output to a file, not a pipe: nobody reads a pipe while the test waits, and a chatty cluster
    # would block on a full one.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log
    yield proc
    proc.send_signal(signal.SIGTERM)  # the sentinel stops its own workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait_for(check, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    pytest.fail(f"the cluster did not finish in {timeout} s; its output:\n{_output(proc)}")


def _output(proc):
    proc.log.seek(0)
    return proc.log.read().decode(errors="replace")[-4000:]


def test_a_real_cluster_delivers_and_fans_out(cluster, fake_wechat):
    from orgtree.rules import OrgType
    from portal.models import WeChatIdentity

    province = make_root()
    city = make_child(province, name="广州市")
    branch = make_child(make_child(city, OrgType.COMMITTEE, "某公司"), OrgType.BRANCH, "一部")
    member = make_member(branch, name="陈小红").user
    openid = WeChatIdentity.objects.get(user=member).external_id

    with transaction.atomic():
        message = notify(recipient=member, title="集群送达测试", body="欢迎加入团组织", sender_org=city)
    _wait_for(lambda: Delivery.objects.filter(message=message, status="sent").exists(), cluster)
    sent = fake_wechat.received("/mp/cgi-bin/message/template/send")
    assert [call["json"]["touser"] for call in sent if call["json"]["data"]["first"]["value"] == "集群送达测试"] \
        == [openid]

    broadcast = broadcast_send(actor=actor_of(province), title="群发通知", body="内容", to_members=True)
    _wait_for(lambda: Broadcast.objects.filter(pk=broadcast.pk, status="sent").exists(), cluster)
    recipients = list(Message.objects.filter(broadcast=broadcast).values_list("recipient_user", flat=True))
    if recipients != [member.pk]:
        pytest.fail(f"broadcast reached {recipients}, not [{member.pk}]; the cluster said:\n{_output(cluster)}")
