"""满28 through the bulk path: the nightly notices reach WeChat, and the 30-day advance notice."""

from datetime import date, timedelta

import pytest
from django.db.models import Q

from services.members import aging
from services.members.choices import LeagueStatus
from services.messaging.models import Delivery, Message

from ...factories import make_member

pytestmark = pytest.mark.django_db
AS_OF = date(2024, 6, 1)


def _told(member):
    return Message.objects.filter(recipient_user=member.user, title=aging.ADVANCE_TITLE).count()


def _branch_told(branch, member):
    return Message.objects.filter(recipient_org=branch, subject_type=aging.ADVANCE_SUBJECT,
                                  subject_id=member.pk).count()


@pytest.fixture
def people(tree):
    return {
        "due_today": make_member(tree.branch, birth="19960601"),
        "tomorrow": make_member(tree.branch, birth="19960602"),
        "in_30_days": make_member(tree.branch, birth="19960701"),  # 28 on 1 July = AS_OF + 30
        "in_31_days": make_member(tree.branch, birth="19960702"),  # later: not yet
        "cadre": make_member(tree.branch, birth="19960610", is_cadre=True, cadre_post=1,
                             cadre_since=date(2020, 1, 1), cadre_nature=2, party_committee_member=False),
        "post_holder": make_member(tree.branch, birth="19960615"),  # exempt by the cadres app's hook
        "pending": make_member(tree.branch, birth="19960615", approved=False),
        "young": make_member(tree.branch, birth="20000101"),
    }


@pytest.fixture
def exemption(people):
    saved = list(aging._exemptions)
    aging.register_exemption(lambda: Q(pk=people["post_holder"].pk))
    yield
    aging._exemptions[:] = saved


def test_advance_notice_30_days_ahead_once_per_member_and_their_branch(tree, people, exemption):
    run = aging.age_out(as_of=AS_OF)
    assert run.aged_out == 1 and run.noticed == 2
    told = {name for name, m in people.items() if _told(m)}
    assert told == {"tomorrow", "in_30_days"}
    assert {name for name, m in people.items() if _branch_told(tree.branch, m)} == {"tomorrow", "in_30_days"}
    branch_message = Message.objects.get(recipient_org=tree.branch, subject_id=people["in_30_days"].pk,
                                         subject_type=aging.ADVANCE_SUBJECT)
    assert people["in_30_days"].name in branch_message.body and "30天内年满28周岁" in branch_message.body
    own = Message.objects.get(recipient_user=people["tomorrow"].user, title=aging.ADVANCE_TITLE)
    assert (own.sender_org, own.subject_id) == (tree.branch, people["tomorrow"].pk)
    # the one aged out today gets the leaving notice, not an advance one
    assert Message.objects.filter(recipient_user=people["due_today"].user, title=aging.NOTICE_TITLE).count() == 1

    count = Message.objects.count()
    again = aging.age_out(as_of=AS_OF)  # the nightly job reruns
    assert (again.aged_out, again.noticed, Message.objects.count()) == (0, 0, count)

    # The next night the next member comes within 30 days; nobody is told twice.
    nxt = aging.age_out(as_of=AS_OF + timedelta(days=1))
    assert nxt.noticed == 1 and _told(people["in_31_days"]) == 1
    assert all(_told(m) <= 1 and _branch_told(tree.branch, m) <= 1 for m in people.values())
    assert _status(people["tomorrow"]) == LeagueStatus.AGED_OUT  # and its day came
    assert _told(people["cadre"]) == _told(people["post_holder"]) == _told(people["young"]) == 0


def _status(member):
    member.refresh_from_db()
    return member.league_status


def test_the_nightly_notices_go_to_wechat_too(tree, fake_wechat, django_capture_on_commit_callbacks):
    due = make_member(tree.branch, birth="19960601")
    soon = make_member(tree.branch, birth="19960620")
    Delivery.objects.all().delete()  # the setup's 报到 notices
    with django_capture_on_commit_callbacks(execute=True):
        aging.age_out(as_of=AS_OF)
    openids = {m.pk: m.user.wechat_identities.get().external_id for m in (due, soon)}
    sent = {(c["json"]["touser"], c["json"]["data"]["first"]["value"])
            for c in fake_wechat.received("/mp/cgi-bin/message/template/send")}
    assert sent == {(openids[due.pk], aging.NOTICE_TITLE), (openids[soon.pk], aging.ADVANCE_TITLE)}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
