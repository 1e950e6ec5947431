from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from services.members import aging, profile, registration
from services.members import status as status_flow
from services.members.choices import DeletionState, LeagueStatus, RegistrationStatus, RequestKind
from services.members.models import Member
from services.messaging.models import Message

from ...factories import actor_of
from .conftest import make_member

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100
LONG = "经团支部大会讨论通过，该团员连续六个月以上未参加团的组织生活，也未交纳团费，特此申请。"


def _png(name="proof.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_reviewed_change_waits_with_old_values_in_force(tree):
    m = make_member(tree.branch)
    profile.member_profile_update(member=m, group="reviewed", data={"income": 3, "political_status": 2,
                                                                    "is_cadre": False})
    m.refresh_from_db()
    assert m.registration_status == RegistrationStatus.CHANGE_PENDING and m.income == 1
    diff = profile.pending_diff(m)
    assert ("收入", "2000元以下", "5000–8000元") in diff and ("政治面貌", "共青团员", "中共党员") in diff
    with pytest.raises(ValidationError) as exc:
        profile.member_profile_update(member=m, group="reviewed", data={"income": 2, "political_status": 1})
    assert exc.value.messages == [profile.ERR_CHANGE_PENDING]
    profile.change_approve(actor=actor_of(tree.branch), member=m)
    m.refresh_from_db()
    assert (m.income, m.political_status, m.registration_status) == (3, 2, RegistrationStatus.APPROVED)
    assert m.pending_changes is None


def test_returned_change_keeps_old_values(tree):
    m = make_member(tree.branch)
    profile.member_profile_update(member=m, group="reviewed", data={"income": 5, "political_status": 1})
    profile.change_return(actor=actor_of(tree.branch), member=m, reason="收入与实际不符")
    m.refresh_from_db()
    assert (m.income, m.registration_status, m.return_reason) == (1, RegistrationStatus.CHANGE_RETURNED, "收入与实际不符")
    with pytest.raises(ValidationError) as exc:
        profile.change_approve(actor=actor_of(tree.branch), member=m)
    assert exc.value.messages == [profile.ERR_CHANGE_RETURNED]


def test_cadre_data_requires_its_fields(tree):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        profile.member_profile_update(member=m, group="reviewed", data={"income": 1, "political_status": 1,
                                                                        "is_cadre": True})
    assert "担任团干职务的" in str(exc.value)


def test_basic_group_applies_at_once_and_no_change_is_refused(tree):
    m = make_member(tree.branch)
    data = profile.current_values(m, registration.BASIC_FIELDS)
    with pytest.raises(ValidationError) as exc:
        profile.member_profile_update(member=m, group="basic", data=data)
    assert exc.value.messages == [profile.ERR_NO_CHANGE]
    data["phone"] = "13711112222"
    profile.member_profile_update(member=m, group="basic", data=data)
    m.refresh_from_db()
    assert m.phone == "13711112222" and m.registration_status == RegistrationStatus.APPROVED


def test_locked_fields_are_not_in_any_edit_group():
    editable = set(registration.REVIEWED_FIELDS + registration.BASIC_FIELDS + registration.EXTRA_FIELDS)
    assert not editable & {"name", "id_number", "joined_league", "branch", "birth_date"}


def test_left_or_pending_members_cannot_modify(tree):
    pending = make_member(tree.branch, approved=False)
    assert profile.modify_problem(pending) == registration.ERR_NOT_APPROVED
    m = make_member(tree.branch)
    Member.objects.filter(pk=m.pk).update(league_status=LeagueStatus.AGED_OUT, left_on=date(2024, 1, 1))
    m.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        profile.member_profile_update(member=m, group="basic", data={"phone": "13711112222"})
    assert exc.value.messages == [profile.ERR_LEFT.format(status="满28周岁离团")]


def test_status_apply_validation_and_parent_approval(tree):
    m = make_member(tree.branch)
    branch = actor_of(tree.branch)
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.LAPSED, description=LONG, files=[_png()])
    assert exc.value.message_dict["reasons"] == [status_flow.ERR_STATUS_REASONS]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description="太短", files=[_png()])
    assert exc.value.message_dict["description"] == [status_flow.ERR_DESCRIPTION_30]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description=LONG, files=[])
    assert exc.value.message_dict["attachments"] == [status_flow.ERR_ATTACHMENTS]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description=LONG,
                              files=[_png("a.exe", b"MZ....")])
    assert exc.value.message_dict["attachments"] == [status_flow.ERR_ATTACHMENT_TYPE]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description=LONG,
                              files=[_png(f"{i}.png") for i in range(9)])
    assert exc.value.message_dict["attachments"] == [status_flow.ERR_ATTACHMENT_COUNT]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description=LONG,
                              files=[_png(content=PNG + b"0" * status_flow.MAX_BYTES)])
    assert exc.value.message_dict["attachments"] == [status_flow.ERR_ATTACHMENT_SIZE]
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.AGED_OUT, description="已满", files=[_png()])
    assert exc.value.message_dict["kind"] == [status_flow.ERR_NOT_28]
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.NORMAL

    req = status_flow.status_apply(actor=branch, member=m, kind=RequestKind.LAPSED, reasons=[1, 2], description=LONG,
                                files=[_png()])
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.LAPSED_PENDING and req.reviewer == tree.general
    assert Message.objects.filter(recipient_org=tree.general, title="自行脱团审核通知").exists()
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=branch, member=m, kind=RequestKind.RESIGNED, description=LONG, files=[_png()])
    assert exc.value.messages == [status_flow.ERR_STATUS_PENDING.format(status="自行脱团待审核")]
    # only the direct parent reviews
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        status_flow.request_approve(actor=actor_of(tree.committee), request=req)
    status_flow.request_approve(actor=actor_of(tree.general), request=req)
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.LAPSED and m.left_on is not None


def test_returned_status_request_restores_normal(tree):
    m = make_member(tree.branch)
    req = status_flow.status_apply(actor=actor_of(tree.branch), member=m, kind=RequestKind.EXPELLED, description=LONG,
                                files=[_png()])
    status_flow.request_return(actor=actor_of(tree.general), request=req, reason="材料不全")
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.NORMAL
    with pytest.raises(ValidationError) as exc:
        status_flow.request_approve(actor=actor_of(tree.general), request=req)
    assert exc.value.messages == [status_flow.ERR_REQUEST_DONE]


def test_deletion_flow(tree):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        status_flow.deletion_apply(actor=actor_of(tree.branch), member=m, reason=1, description="报错了")
    assert exc.value.message_dict["description"] == [status_flow.ERR_DELETE_DESCRIPTION]
    req = status_flow.deletion_apply(actor=actor_of(tree.branch), member=m, reason=1,
                                  description="该团员报错团支部且被误审核通过")
    with pytest.raises(ValidationError) as exc:
        status_flow.deletion_apply(actor=actor_of(tree.branch), member=m, reason=1,
                                description="该团员报错团支部且被误审核通过")
    assert exc.value.messages == [status_flow.ERR_DELETE_PENDING]
    user = m.user
    status_flow.request_approve(actor=actor_of(tree.general), request=req)
    m.refresh_from_db()
    assert m.deleted_at is not None and m.user is None
    # the ID is free again: the same login registers into the right branch
    from .conftest import member_data

    again = registration.member_register(data=member_data(tree.branch, id_number=m.id_number), user=user)
    assert again.pk != m.pk and again.user == user


def test_deletion_returned_sets_state(tree):
    m = make_member(tree.branch)
    req = status_flow.deletion_apply(actor=actor_of(tree.branch), member=m, reason=2,
                                  description="入团时间填错且被审核通过了")
    status_flow.request_return(actor=actor_of(tree.general), request=req, reason="请核实")
    m.refresh_from_db()
    assert m.deletion_state == DeletionState.RETURNED and m.deleted_at is None


def test_restore_into_a_branch_in_scope(tree, branch2):
    m = make_member(tree.branch, birth="19900101")
    aging.age_out(as_of=date(2024, 6, 1))
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.AGED_OUT
    with pytest.raises(ValidationError):
        status_flow.member_restore(actor=actor_of(tree.general), member=m, branch=tree.city_b)
    status_flow.member_restore(actor=actor_of(tree.general), member=m, branch=branch2)
    m.refresh_from_db()
    assert (m.league_status, m.branch, m.left_on, m.user.organization) == (LeagueStatus.NORMAL, branch2, None, branch2)
    assert Message.objects.filter(recipient_user=m.user, title="恢复团籍通知").exists()
    with pytest.raises(ValidationError) as exc:
        status_flow.member_restore(actor=actor_of(tree.general), member=m, branch=branch2)
    assert exc.value.messages == [status_flow.ERR_RESTORE_STATE]


def test_nightly_age_out_is_set_based_idempotent_and_respects_hooks(tree):
    as_of = date(2024, 6, 1)
    due = make_member(tree.branch, birth="19960601")  # 28 exactly on as_of
    young = make_member(tree.branch, birth="19960602")  # 28 tomorrow
    cadre = make_member(tree.branch, birth="19900101", is_cadre=True, cadre_post=1, cadre_since=date(2020, 1, 1),
                        cadre_nature=2, party_committee_member=False)
    exempt = make_member(tree.branch, birth="19900101")
    owes = make_member(tree.branch, birth="19900101")
    pending = make_member(tree.branch, birth="19900101", approved=False)
    from django.db.models import Q

    saved = list(aging._exemptions), list(aging._arrears)  # the cadres app registers its own
    aging.register_exemption(lambda: Q(pk=exempt.pk))
    aging.register_arrears(lambda: Q(pk=owes.pk))
    try:
        run = aging.age_out(as_of=as_of)
        assert (run.aged_out, run.held_back) == (1, 1)
        status = dict(Member.objects.values_list("pk", "league_status"))
        assert status[due.pk] == LeagueStatus.AGED_OUT
        assert {status[x.pk] for x in (young, cadre, exempt, owes, pending)} == {LeagueStatus.NORMAL}
        assert Message.objects.filter(recipient_user=due.user, title=aging.NOTICE_TITLE).count() == 1
        assert Message.objects.filter(recipient_org=tree.branch, title="团员满28周岁自动离团").count() == 1
        before = list(Member.objects.order_by("pk").values_list("pk", "league_status", "left_on", "updated_at"))
        messages = Message.objects.count()
        second = aging.age_out(as_of=as_of)
        assert second.aged_out == 0
        assert list(Member.objects.order_by("pk").values_list("pk", "league_status", "left_on",
                                                              "updated_at")) == before
        assert Message.objects.count() == messages
        assert list(aging.held_back(as_of)) == [owes]
    finally:
        aging._exemptions[:], aging._arrears[:] = saved


def test_birthday_cutoff_on_29_february():
    assert aging.birthday_cutoff(date(2025, 3, 1)) == date(1997, 3, 1)
    assert aging.birthday_cutoff(date(2024, 2, 29)) == date(1996, 2, 29)
    assert aging.birthday_cutoff(date(2029, 2, 28)) == date(2001, 2, 28)


def test_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="members.age_out_nightly")
    assert schedule.func == "services.members.tasks.age_out_nightly" and schedule.schedule_type == "D"


def test_stopped_membership_is_applied_approved_listed_guarded_and_restorable(client, tree):
    """停止团籍 (manual 团籍管理): the branch applies with evidence, its direct parent approves."""
    from django.urls import reverse

    from ...factories import login

    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        status_flow.status_apply(actor=actor_of(tree.branch), member=m, kind=RequestKind.STOPPED, description="太短",
                              files=[_png()])
    assert exc.value.message_dict["description"] == [status_flow.ERR_DESCRIPTION_30]
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.NORMAL
    req = status_flow.status_apply(actor=actor_of(tree.branch), member=m, kind=RequestKind.STOPPED, description=LONG,
                                files=[_png()])
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.STOPPED_PENDING
    assert Message.objects.filter(recipient_org=tree.general, title="停止团籍审核通知").exists()
    status_flow.request_approve(actor=actor_of(tree.general), request=req)
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.STOPPED and m.left_on is not None
    # a member whose membership is stopped is guarded like the others who left
    with pytest.raises(ValidationError) as exc:
        status_flow.deletion_apply(actor=actor_of(tree.branch), member=m, reason=1, description="该团员报错团支部且被误审核通过")
    assert "停止团籍" in exc.value.messages[0]
    # the branch finds them in the list of those who left, and the form offers the kind
    login(client, tree.branch)
    assert m.name in client.get(reverse("members:left")).content.decode()
    assert "停止团籍" in client.get(reverse("members:status_apply", args=[make_member(tree.branch).pk])).content.decode()
    status_flow.member_restore(actor=actor_of(tree.branch), member=m, branch=tree.branch)
    m.refresh_from_db()
    assert m.league_status == LeagueStatus.NORMAL and m.left_on is None
