"""The bulk path: ``notify_many`` writes messages and deliveries set-based and sends them in batches."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgtree.models import Organization
from portal.models import User
from services.messaging import delivery, services
from services.messaging.models import Delivery, Message

from ...factories import actor_of, make_member, make_operator, make_person

pytestmark = pytest.mark.django_db


def _members(branch, n):
    members = [make_member(branch) for _ in range(n)]
    Delivery.objects.all().delete()  # the 报到 notices of the setup are not what these tests are about
    return members


def test_messages_and_deliveries_in_a_fixed_number_of_statements_then_sent_in_batches(
        tree, fake_wechat, django_capture_on_commit_callbacks):
    members = _members(tree.branch, 5)
    unbound = make_person(User.Kind.MEMBER, tree.branch)  # no WeChat identity: a site message only
    users = User.objects.filter(pk__in=[m.user_id for m in members] + [unbound.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with CaptureQueriesContext(connection) as queries:
            result = services.notify_many(users=users, title="团费缴纳提醒", body="请于月底前缴纳团费。",
                                          link="/m/", sender_org=tree.branch, batch_size=2)
    assert (result.messages, result.deliveries, result.batches) == (6, 5, 3)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "WITH"))]
    assert len(writes) <= 2  # however many recipients
    assert len(callbacks) == 3 and fake_wechat.calls == []  # nothing leaves before commit
    rows = Message.objects.filter(title="团费缴纳提醒")
    assert set(rows.values_list("recipient_user", flat=True)) == set(users.values_list("pk", flat=True))
    assert set(rows.values_list("sender_org", "link", "level", "read_at").distinct()) == {
        (tree.branch.pk, "/m/", Message.Level.SYSTEM, None)}
    ours = Delivery.objects.filter(message__title="团费缴纳提醒")
    assert set(ours.values_list("status", "channel")) == {("queued", "mp")}
    assert set(ours.values_list("target", flat=True)) == set(
        User.objects.filter(pk__in=[m.user_id for m in members]).values_list("wechat_identities__external_id",
                                                                            flat=True))

    for callback in callbacks:  # the batch tasks (the test cluster runs them at once)
        callback()
    sent = fake_wechat.received("/mp/cgi-bin/message/template/send")
    assert len(sent) == 5
    assert set(ours.values_list("status", "attempts")) == {("sent", 1)}
    message = Message.objects.get(recipient_user=members[0].user, title="团费缴纳提醒")
    assert {"touser": members[0].user.wechat_identities.get().external_id,
            "url": f"http://127.0.0.1:8000/m/messages/{message.pk}/"}.items() <= next(
        c["json"] for c in sent if c["json"]["touser"] == members[0].user.wechat_identities.get().external_id).items()
    low, high = min(ours.values_list("pk", flat=True)), max(ours.values_list("pk", flat=True))
    assert delivery.deliver_batch(low, high) == {}  # a batch run twice sends nothing again


def test_org_recipients_reach_their_operators_and_rows_may_carry_their_own_text(
        tree, fake_wechat, django_capture_on_commit_callbacks):
    make_operator(tree.branch, work_userid="op-branch")
    make_operator(tree.general, work_userid="op-general")
    make_operator(tree.district, work_userid="op-district")
    orgs = Organization.objects.filter(pk__in=[tree.branch.pk, tree.general.pk]).values(
        recipient=F("pk"), body=Concat(Value("致"), F("short_name"), Value("：请核对本组织信息。")))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify_many(orgs=orgs, title="请核对组织信息", sender_org=tree.province)
    assert (result.messages, result.deliveries) == (2, 2)
    assert Message.objects.get(recipient_org=tree.branch).body == f"致{tree.branch.short_name}：请核对本组织信息。"
    sent = fake_wechat.received("/work/cgi-bin/message/send")
    assert sorted(c["json"]["touser"] for c in sent) == ["op-branch", "op-general"]


def test_once_tells_each_recipient_about_a_subject_once(tree):
    members = _members(tree.branch, 3)
    def rows(ms):
        return User.objects.filter(member__in=ms).values(recipient=F("pk"), subject_id=F("member__pk"))

    kwargs = {"title": "提醒", "body": "b", "subject_type": "test.reminder", "once": True}
    assert services.notify_many(users=rows(members[:2]), **kwargs).messages == 2
    assert services.notify_many(users=rows(members), **kwargs).messages == 1  # only the third is new
    assert services.notify_many(users=rows(members), **kwargs).messages == 0
    assert Message.objects.filter(subject_type="test.reminder").count() == 3
    assert services.notify_many(users=rows(members), **{**kwargs, "subject_type": "test.other"}).messages == 3


def test_switched_off_channels_write_site_messages_only(tree, django_capture_on_commit_callbacks):
    _members(tree.branch, 2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.notify_many(users=User.objects.filter(kind=User.Kind.MEMBER), title="t", body="b")
    assert (result.messages, result.deliveries, callbacks) == (2, 0, [])
    assert Delivery.objects.count() == 0


def test_bad_calls_are_refused(tree):
    users = User.objects.all()
    with pytest.raises(TypeError):
        services.notify_many(users=users, orgs=Organization.objects.all(), title="t", body="b")
    with pytest.raises(TypeError):
        services.notify_many(users=users, title="t")  # no body, no body column
    with pytest.raises(TypeError):
        services.notify_many(users=users, title="t", body="b", once=True)  # once needs a subject
    with pytest.raises(ValueError):
        services.notify_many(users=users.values("pk"), title="t", body="b")  # no recipient column
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.notify_many(users=users, title="t", body="b", link="https://evil.example/")
    assert Message.objects.count() == 0


def test_a_lost_batch_is_sent_by_the_sweeper(tree, fake_wechat, monkeypatch, django_capture_on_commit_callbacks):
    _members(tree.branch, 3)
    monkeypatch.setattr(delivery, "async_task", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(users=User.objects.filter(kind=User.Kind.MEMBER), title="t", body="b")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    monkeypatch.undo()
    assert delivery.retry_due(now=timezone.now() + timedelta(minutes=11)) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_transient_error_in_a_batch_retries_that_row_only(tree, fake_wechat, django_capture_on_commit_callbacks):
    _members(tree.branch, 3)
    fake_wechat.script("/mp/cgi-bin/message/template/send", {"errcode": 45009, "errmsg": "freq"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(users=User.objects.filter(kind=User.Kind.MEMBER), title="t", body="b")
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["retrying", "sent", "sent"]
    row = Delivery.objects.get(status="retrying")
    assert delivery.retry_due(now=row.next_attempt_at) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_broadcast_fan_out_pushes_to_wechat(tree, fake_wechat, django_capture_on_commit_callbacks):
    members = _members(tree.branch, 2)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = services.broadcast_send(actor=actor_of(tree.city_a), title="主题团日", body="请参加。",
                                            to_members=True)
    broadcast.refresh_from_db()
    assert broadcast.recipients == 2
    assert Delivery.objects.filter(message__broadcast=broadcast, status="sent").count() == 2
    assert sorted(c["json"]["touser"] for c in fake_wechat.received("/mp/cgi-bin/message/template/send")) == sorted(
        m.user.wechat_identities.get().external_id for m in members)


def test_a_slow_batch_stops_in_time_and_leaves_the_rest_to_the_sweeper(tree, fake_wechat, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    _members(tree.branch, 2)
    monkeypatch.setattr(delivery, "BATCH_SECONDS", -1)  # as if WeChat had taken too long already
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(users=User.objects.filter(kind=User.Kind.MEMBER), title="t", body="b")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"} and fake_wechat.calls == []
    assert delivery.retry_due(now=timezone.now() + timedelta(minutes=11)) == 2
