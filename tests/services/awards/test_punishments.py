"""处罚: entry with proof, the relieve-date rules, in force until relieved, 开除团籍 through the 团籍 flow."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal import uploads
from portal.models import AuditLog
from services.awards import punishments, selectors
from services.awards.models import Punishment, PunishmentKind
from services.members.choices import LeagueStatus, RequestKind
from services.members.models import MemberRequest
from services.messaging.models import Message

from ...factories import actor_of, make_member
from .conftest import png

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
REASON = "该团员严重违反团章和团的纪律，经团支部大会讨论并表决通过，决定给予开除团籍处分，特此申请审核。"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        yield


def _enter(actor, members, kind=PunishmentKind.WARNING, punished_on=date(2026, 6, 1), relieve_on=date(2026, 12, 1),
           files=None, description=""):
    return punishments.punishments_enter(actor=actor, member_ids=[m.pk for m in members], kind=kind,
                                         punished_on=punished_on, relieve_on=relieve_on, description=description,
                                         files=[png()] if files is None else files, today=TODAY)


def test_entry_for_many_members_tells_them(tree):
    a, b = make_member(tree.branch), make_member(tree.branch)
    _enter(actor_of(tree.branch), [a, b], kind=PunishmentKind.PROBATION)
    assert Punishment.objects.filter(kind=PunishmentKind.PROBATION).count() == 2
    assert AuditLog.objects.filter(action="punishment.enter").count() == 1
    assert set(Message.objects.filter(title="处罚通知").values_list("recipient_user_id", flat=True)) == {
        a.user_id, b.user_id}


@pytest.mark.parametrize("punished_on, relieve_on, field, message", [
    (None, date(2026, 12, 1), "punished_on", punishments.ERR_DATE),
    (date(2026, 6, 16), date(2026, 12, 1), "punished_on", punishments.ERR_DATE_FUTURE),
    (date(2026, 6, 1), None, "relieve_on", punishments.ERR_RELIEVE),
    (date(2026, 6, 1), date(2026, 6, 1), "relieve_on", punishments.ERR_RELIEVE_BEFORE),
    (date(2026, 6, 1), date(2026, 5, 1), "relieve_on", punishments.ERR_RELIEVE_BEFORE),
    (date(2026, 1, 1), date(2026, 6, 15), "relieve_on", punishments.ERR_RELIEVE_PAST),  # today is not after today
    (date(2026, 1, 1), date(2026, 6, 10), "relieve_on", punishments.ERR_RELIEVE_PAST),
])
def test_relieve_date_after_the_date_and_after_today(tree, punished_on, relieve_on, field, message):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.branch), [m], punished_on=punished_on, relieve_on=relieve_on)
    assert exc.value.message_dict == {field: [message]}
    assert not Punishment.objects.exists()


def test_relieve_date_tomorrow_is_accepted(tree):
    m = make_member(tree.branch)
    _enter(actor_of(tree.branch), [m], punished_on=date(2026, 1, 1), relieve_on=date(2026, 6, 16))
    assert Punishment.objects.count() == 1


def test_proof_is_required(tree):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.branch), [m], files=[])
    assert exc.value.message_dict == {"attachments": [uploads.ERR_REQUIRED]}
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.branch), [m], kind=9)
    assert exc.value.message_dict == {"kind": [punishments.ERR_KIND]}


def test_member_sees_a_punishment_only_while_it_is_in_force(tree):
    m = make_member(tree.branch)
    _enter(actor_of(tree.branch), [m], punished_on=date(2026, 6, 1), relieve_on=date(2026, 9, 1))
    assert [p.kind for p in selectors.punishments_in_force(m)] == [PunishmentKind.WARNING]
    assert len(selectors.punishments_in_force(m, today=date(2026, 8, 31))) == 1
    with time_machine.travel("2026-09-01 00:01 +0800", tick=False):
        assert selectors.punishments_in_force(m) == []


def test_only_the_entering_org_edits_or_deletes(tree):
    m = make_member(tree.branch)
    p = _enter(actor_of(tree.general), [m])[0]
    with pytest.raises(PermissionDenied):
        punishments.punishment_delete(actor=actor_of(tree.branch), punishment=p)
    with pytest.raises(ValidationError) as exc:
        punishments.punishment_update(actor=actor_of(tree.general), punishment=p, kind=PunishmentKind.WARNING,
                                      punished_on=date(2026, 6, 1), relieve_on=date(2026, 6, 1), today=TODAY)
    assert exc.value.message_dict == {"relieve_on": [punishments.ERR_RELIEVE_BEFORE]}
    punishments.punishment_update(actor=actor_of(tree.general), punishment=p, kind=PunishmentKind.SERIOUS_WARNING,
                                  punished_on=date(2026, 6, 1), relieve_on=date(2027, 6, 1), today=TODAY)
    p.refresh_from_db()
    assert (p.kind, p.relieve_on) == (PunishmentKind.SERIOUS_WARNING, date(2027, 6, 1))
    punishments.punishment_delete(actor=actor_of(tree.general), punishment=p)
    assert not Punishment.objects.exists()


def test_expulsion_hands_over_to_the_membership_status_flow(tree):
    m = make_member(tree.branch)
    p = _enter(actor_of(tree.branch), [m], kind=PunishmentKind.EXPULSION, relieve_on=None, description=REASON)[0]
    request = MemberRequest.objects.get(member=m)
    assert (request.kind, request.reviewer_id, p.status_request_id) == (RequestKind.EXPELLED, tree.general.pk,
                                                                        request.pk)
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.EXPELLED_PENDING
    assert request.attachments.count() == 1 and p.attachments.count() == 1
    with pytest.raises(ValidationError) as exc:
        punishments.punishment_delete(actor=actor_of(tree.branch), punishment=p)
    assert exc.value.messages == [punishments.ERR_EXPEL_FLOW]


def test_expulsion_is_entered_by_the_members_branch_without_relieve_date(tree):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.general), [m], kind=PunishmentKind.EXPULSION, relieve_on=None, description=REASON)
    assert exc.value.messages == [punishments.ERR_EXPEL_BRANCH]
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.branch), [m], kind=PunishmentKind.EXPULSION, description=REASON)
    assert exc.value.message_dict == {"relieve_on": [punishments.ERR_EXPEL_RELIEVE]}
    with pytest.raises(ValidationError) as exc:  # the 团籍 flow's own rule: 说明 ≥ 30 字
        _enter(actor_of(tree.branch), [m], kind=PunishmentKind.EXPULSION, relieve_on=None, description="太短")
    assert "description" in exc.value.message_dict
    assert not Punishment.objects.exists() and not MemberRequest.objects.exists()
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.NORMAL

