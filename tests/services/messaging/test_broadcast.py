"""群发: a site message to every member and/or cadre of an org's subtree, within a monthly quota."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AuditLog, User
from services.messaging import services
from services.messaging.models import Broadcast, BroadcastQuota, Message

from ...factories import actor_of, login, make_child, make_member, make_operator, make_person

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(tree):
    from orgtree.rules import OrgType

    sibling_branch = make_child(make_child(tree.b_district, OrgType.COMMITTEE, "南山某公司"), OrgType.BRANCH, "一部")
    inactive = make_member(tree.branch).user
    inactive.is_active = False
    inactive.save()
    return {
        "branch_member": make_member(tree.branch).user,
        "pending_member": make_member(tree.branch, approved=False).user,  # not yet a member: not reached
        "district_cadre": make_person(User.Kind.CADRE, tree.district),
        "sibling_member": make_member(sibling_branch).user,
        "inactive_member": inactive,
        "operator": make_operator(tree.branch),
    }


def _send(actor, capture, **kwargs):
    data = {"title": "关于开展主题团日活动的通知", "body": "请各团支部于本月底前完成。", "to_members": True}
    data.update(kwargs)
    with capture(execute=True):
        return services.broadcast_send(actor=actor, **data)


def _recipients(broadcast):
    return set(Message.objects.filter(broadcast=broadcast).values_list("recipient_user", flat=True))


@pytest.mark.django_db
def test_broadcast_reaches_the_chosen_audiences_of_the_subtree_only(tree, people, django_capture_on_commit_callbacks):
    broadcast = _send(actor_of(tree.city_a), django_capture_on_commit_callbacks)
    broadcast.refresh_from_db()
    assert _recipients(broadcast) == {people["branch_member"].pk}
    assert (broadcast.status, broadcast.recipients) == ("sent", 1)
    message = Message.objects.get(broadcast=broadcast)
    assert (message.level, message.sender_org, message.read_at) == (Message.Level.ORG, tree.city_a, None)

    both = _send(actor_of(tree.city_a), django_capture_on_commit_callbacks, to_cadres=True)
    assert _recipients(both) == {people["branch_member"].pk, people["district_cadre"].pk}
    cadres = _send(actor_of(tree.district), django_capture_on_commit_callbacks, to_members=False, to_cadres=True)
    assert _recipients(cadres) == {people["district_cadre"].pk}
    audit = AuditLog.objects.filter(action="messaging.broadcast").order_by("id")
    assert [a.organization for a in audit] == [tree.city_a, tree.city_a, tree.district]


@pytest.mark.django_db
def test_fan_out_is_idempotent(tree, people, django_capture_on_commit_callbacks):
    broadcast = _send(actor_of(tree.province), django_capture_on_commit_callbacks)
    assert Message.objects.filter(broadcast=broadcast).count() == 2  # the two approved, active members
    assert services.broadcast_fan_out(broadcast_id=broadcast.pk) == 0
    assert Message.objects.filter(broadcast=broadcast).count() == 2


@pytest.mark.django_db
def test_monthly_quota_refuses_in_chinese_and_writes_nothing(tree, people, settings,
                                                             django_capture_on_commit_callbacks):
    settings.BROADCAST_MONTHLY_QUOTA = 2
    actor = actor_of(tree.city_a)
    november = datetime(2026, 11, 3, 9, 0, tzinfo=SH)
    for _ in range(2):
        _send(actor, django_capture_on_commit_callbacks, now=november)
    with pytest.raises(ValidationError) as exc:
        _send(actor, django_capture_on_commit_callbacks, now=datetime(2026, 11, 30, 23, 59, tzinfo=SH))
    assert exc.value.messages == ["本月群发次数已用完（每月可群发 2 次，本月已群发 2 次），请下月再发送。"]
    assert Broadcast.objects.count() == 2 and Message.objects.filter(broadcast__isnull=False).count() == 2
    # Another org's quota is its own; and the month turns over at midnight Beijing time.
    _send(actor_of(tree.city_b), django_capture_on_commit_callbacks, now=november)
    _send(actor, django_capture_on_commit_callbacks, now=datetime(2026, 12, 1, 0, 0, tzinfo=SH))


@pytest.mark.django_db
def test_an_org_may_have_its_own_allowance(tree, settings, django_capture_on_commit_callbacks):
    settings.BROADCAST_MONTHLY_QUOTA = 4
    BroadcastQuota.objects.create(org=tree.district, monthly_allowance=0)
    with pytest.raises(ValidationError, match="每月可群发 0 次"):
        _send(actor_of(tree.district), django_capture_on_commit_callbacks)


@pytest.mark.django_db
def test_broadcast_needs_an_audience_and_a_text(tree, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as exc:
        _send(actor_of(tree.city_a), django_capture_on_commit_callbacks, to_members=False, title="")
    assert exc.value.message_dict["audience"] == [services.ERR_NO_AUDIENCE]
    assert exc.value.message_dict["title"] == [services.ERR_TITLE]
    assert Broadcast.objects.count() == 0


@pytest.mark.django_db
def test_broadcast_pages(client, tree, people, settings, django_capture_on_commit_callbacks):
    settings.BROADCAST_MONTHLY_QUOTA = 1
    login(client, tree.general)
    page = client.get(reverse("messaging:broadcast_list")).content.decode()
    assert "本月已群发 <strong>0</strong> 次，每月可群发 <strong>1</strong> 次" in page
    form = {"title": "支部书记培训", "body": "周六上午九点", "to_members": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("messaging:broadcast_new"), form, follow=True)
    assert "群发消息已提交" in response.content.decode()
    assert "支部书记培训" in response.content.decode() and "本月群发次数已用完" in response.content.decode()
    response = client.post(reverse("messaging:broadcast_new"), form)
    assert response.status_code == 200 and "本月群发次数已用完（每月可群发 1 次" in response.content.decode()
    response = client.post(reverse("messaging:broadcast_new"), {"title": "x", "body": "y"})
    assert services.ERR_NO_AUDIENCE in response.content.decode()
    assert Broadcast.objects.count() == 1
    # the branch member reads it on the member end
    client.force_login(people["branch_member"], backend="portal.backends.WeChatBackend")
    assert "支部书记培训" in client.get(reverse("messaging:member_list")).content.decode()
    # another org does not see the general branch's broadcast history
    login(client, tree.b_district)
    assert "支部书记培训" not in client.get(reverse("messaging:broadcast_list")).content.decode()


@pytest.mark.django_db
def test_members_and_cadres_cannot_broadcast(client, tree, people):
    client.force_login(people["district_cadre"], backend="portal.backends.WeChatBackend")
    assert client.post(reverse("messaging:broadcast_new"), {"title": "x", "body": "y", "to_members": "on"}
                       ).status_code == 403
    assert Broadcast.objects.count() == 0
