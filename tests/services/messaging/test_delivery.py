"""WeChat delivery through wechatpy against the fake WeChat server on 127.0.0.1."""

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ, Task

from orgtree.services import org_update
from portal.models import User
from services.messaging import delivery
from services.messaging.models import Delivery, Message
from services.messaging.services import notify

from ...factories import actor_of, make_operator, make_person, refresh


@pytest.fixture
def member(tree):
    return make_person(User.Kind.MEMBER, tree.branch, name="李小明", wechat_id="openid-li")


def _notify(capture, **kwargs):
    with capture(execute=True):
        return notify(**kwargs)


@pytest.mark.django_db
def test_member_gets_a_template_message_exactly_as_specified(member, tree, fake_wechat,
                                                             django_capture_on_commit_callbacks):
    message = _notify(django_capture_on_commit_callbacks, recipient=member, title="报到审核通过",
                      body="您的报到申请已通过研发一部团支部审核。", sender_org=tree.branch, link="/m/")
    sent = fake_wechat.received("/mp/cgi-bin/message/template/send")
    assert len(sent) == 1
    when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")
    assert sent[0]["json"] == {
        "touser": "openid-li",
        "template_id": "tmpl-notice",
        "url": f"http://127.0.0.1:8000/m/messages/{message.pk}/",
        "data": {
            "first": {"value": "报到审核通过"},
            "keyword1": {"value": tree.branch.short_name},
            "keyword2": {"value": when},
            "remark": {"value": "您的报到申请已通过研发一部团支部审核。"},
        },
    }
    assert sent[0]["query"]["access_token"].startswith("mp-token-")
    row = Delivery.objects.get()
    assert (row.status, row.channel, row.target, row.attempts) == ("sent", "mp", "openid-li", 1)
    assert row.sent_at is not None


@pytest.mark.django_db
def test_cadre_gets_a_wechat_work_text_card(tree, fake_wechat, django_capture_on_commit_callbacks):
    cadre = make_person(User.Kind.CADRE, tree.district, wechat_id="wang")
    message = _notify(django_capture_on_commit_callbacks, recipient=cadre, title="请完善职务", body="<b>职务</b>信息")
    sent = fake_wechat.received("/work/cgi-bin/message/send")[0]["json"]
    assert sent["touser"] == "wang" and sent["agentid"] == 1000002 and sent["msgtype"] == "textcard"
    assert sent["textcard"]["title"] == "请完善职务"
    assert sent["textcard"]["url"] == f"http://127.0.0.1:8000/m/cadre/messages/{message.pk}/"
    assert "&lt;b&gt;职务&lt;/b&gt;信息" in sent["textcard"]["description"]  # escaped, not markup
    assert Delivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_org_message_goes_to_its_operators_in_wechat_work(tree, fake_wechat, django_capture_on_commit_callbacks):
    make_operator(tree.branch, work_userid="op-1")
    make_operator(tree.general, work_userid="op-parent")
    _notify(django_capture_on_commit_callbacks, recipient=tree.branch, title="团员报到申请", body="请审核")
    assert [c["json"]["touser"] for c in fake_wechat.received("/work/cgi-bin/message/send")] == ["op-1"]


@pytest.mark.django_db
def test_transient_error_is_retried_with_backoff_then_sent(member, fake_wechat, django_capture_on_commit_callbacks):
    fake_wechat.script("/mp/cgi-bin/message/template/send", {"errcode": -1, "errmsg": "system error"})
    before = timezone.now()
    _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.errcode) == ("retrying", 1, -1)
    assert before + timedelta(seconds=60) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=60)

    assert delivery.retry_due(now=row.next_attempt_at - timedelta(seconds=1)) == 0  # not yet
    assert delivery.retry_due(now=row.next_attempt_at) == 1  # due: queued (run at once, sync cluster)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.errcode, row.errmsg) == ("sent", 2, None, "")
    assert len(fake_wechat.received("/mp/cgi-bin/message/template/send")) == 2


@pytest.mark.django_db
def test_transient_errors_give_up_after_the_last_delay(member, fake_wechat, settings,
                                                       django_capture_on_commit_callbacks):
    settings.WECHAT = {**settings.WECHAT, "RETRY_DELAYS": [60, 300]}
    fake_wechat.script("/mp/cgi-bin/message/template/send", *[{"errcode": 45011, "errmsg": "freq"}] * 3)
    _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    now = timezone.now()
    for _ in range(2):
        now += timedelta(hours=1)
        delivery.retry_due(now=now)
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.errcode) == ("failed", 3, 45011)
    assert delivery.retry_due(now=now + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_permanent_error_is_logged_as_failed_and_the_workflow_stands(member, tree, fake_wechat, caplog,
                                                                     django_capture_on_commit_callbacks):
    fake_wechat.script("/mp/cgi-bin/message/template/send", {"errcode": 43004, "errmsg": "require subscribe"})
    with caplog.at_level(logging.WARNING, logger="services.messaging.delivery"):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():  # a workflow that changes something and tells the member
                org_update(actor=actor_of(tree.general), org=tree.branch, data={"secretary_name": "陈书记"})
                notify(recipient=member, title="组织信息已更新", body="x")
    row = Delivery.objects.get()
    assert (row.status, row.errcode, row.errmsg, row.next_attempt_at) == ("failed", 43004, "require subscribe", None)
    assert refresh(tree.branch).secretary_name == "陈书记"
    assert Message.objects.filter(title="组织信息已更新").exists()
    assert "43004" in caplog.text
    assert delivery.retry_due(now=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_expired_access_token_is_refreshed(member, fake_wechat, django_capture_on_commit_callbacks):
    _notify(django_capture_on_commit_callbacks, recipient=member, title="一", body="b")
    _notify(django_capture_on_commit_callbacks, recipient=member, title="二", body="b")
    assert len(fake_wechat.received("/mp/cgi-bin/token")) == 1  # the token is cached and reused
    fake_wechat.expire_tokens()
    _notify(django_capture_on_commit_callbacks, recipient=member, title="三", body="b")
    assert len(fake_wechat.received("/mp/cgi-bin/token")) == 2
    sends = fake_wechat.received("/mp/cgi-bin/message/template/send")
    assert len(sends) == 4  # the third was refused once (42001) and repeated with the new token
    assert sends[2]["query"]["access_token"] != sends[3]["query"]["access_token"]
    assert list(Delivery.objects.values_list("status", "attempts")) == [("sent", 1)] * 3


@pytest.mark.django_db
def test_network_failure_is_transient(member, fake_wechat, settings, django_capture_on_commit_callbacks):
    settings.WECHAT = {**settings.WECHAT, "MP_API_BASE_URL": "http://127.0.0.1:9/mp/"}  # nothing listens
    _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    row = Delivery.objects.get()
    assert row.status == "retrying" and row.errmsg.startswith("网络错误")


@pytest.mark.django_db
def test_http_error_status_is_transient(member, fake_wechat, django_capture_on_commit_callbacks):
    fake_wechat.script("/mp/cgi-bin/message/template/send", 502)
    _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    assert Delivery.objects.get().status == "retrying"


@pytest.mark.django_db
def test_no_credentials_means_no_delivery_and_site_messages_still_work(member, settings,
                                                                       django_capture_on_commit_callbacks):
    assert not settings.WECHAT["MP_APP_ID"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = notify(recipient=member, title="站内信照常", body="b")
    assert callbacks == [] and Delivery.objects.count() == 0
    assert Task.objects.count() == 0 and OrmQ.objects.count() == 0
    assert Message.objects.get(pk=message.pk).recipient_user == member


@pytest.mark.django_db
def test_a_channel_switched_off_after_queueing_fails_cleanly(member, fake_wechat, settings,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=member, title="t", body="b")
    settings.WECHAT = {**settings.WECHAT, "MP_APP_ID": ""}
    for callback in callbacks:
        callback()
    row = Delivery.objects.get()
    assert row.status == "failed" and row.errmsg == delivery.ERRMSG_OFF and fake_wechat.calls == []


@pytest.mark.django_db
def test_delivery_runs_once_however_often_it_is_queued(member, fake_wechat, django_capture_on_commit_callbacks):
    _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    row = Delivery.objects.get()
    assert delivery.deliver(row.pk) is None
    assert len(fake_wechat.received("/mp/cgi-bin/message/template/send")) == 1


@pytest.mark.django_db
def test_sweeper_rescues_lost_and_stuck_deliveries(member, fake_wechat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost these tasks
        notify(recipient=member, title="丢失的任务", body="b")
        notify(recipient=member, title="卡住的任务", body="b")
    lost, stuck = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=stuck.pk).update(status="sending", attempts=1)  # its worker died mid-send
    now = timezone.now()
    assert delivery.retry_due(now=now + timedelta(minutes=5)) == 0  # give them time first
    assert delivery.retry_due(now=now + timedelta(minutes=11)) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert delivery.retry_due(now=now + timedelta(minutes=30)) == 0


@pytest.mark.django_db
def test_a_dead_broker_does_not_break_the_workflow(member, fake_wechat, monkeypatch, caplog,
                                                   django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(delivery, "async_task", broken)
    with caplog.at_level(logging.ERROR, logger="services.messaging.delivery"):
        message = _notify(django_capture_on_commit_callbacks, recipient=member, title="t", body="b")
    assert Message.objects.filter(pk=message.pk).exists()
    assert Delivery.objects.get().status == "queued"  # the sweeper will send it
    assert "could not queue" in caplog.text


@pytest.mark.django_db
def test_wechat_work_reports_an_invalid_user(tree, fake_wechat, django_capture_on_commit_callbacks):
    cadre = make_person(User.Kind.CADRE, tree.district, wechat_id="gone")
    fake_wechat.script("/work/cgi-bin/message/send", {"errcode": 0, "errmsg": "ok", "invaliduser": "gone"})
    _notify(django_capture_on_commit_callbacks, recipient=cadre, title="t", body="b")
    row = Delivery.objects.get()
    assert row.status == "failed" and row.errmsg == delivery.ERRMSG_INVALID_USER


@pytest.mark.django_db
def test_the_retry_sweep_is_a_schedule():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="messaging.retry_due")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "services.messaging.tasks.retry_due", Schedule.MINUTES, 1)
