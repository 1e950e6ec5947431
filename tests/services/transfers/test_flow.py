"""Start, the four stages, the same-parent collapse, returns, withdrawals, the 中小学 exemption, out of province."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditLog
from services.members.models import IN_GOOD_STANDING, Member
from services.messaging.models import Message
from services.transfers import review, start
from services.transfers.choices import StepKind, TransferStatus
from services.transfers.models import Transfer

from ...factories import actor_of, make_child, make_member
from .conftest import application


def _four_stages(w, target):
    t = start.transfer_apply(member=w.member, data=application(target))
    assert (t.status, t.reviewer_id) == (TransferStatus.OUT_BRANCH, w.jia1.pk)
    t = review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
    assert (t.status, t.reviewer_id) == (TransferStatus.OUT_PARENT, w.p_jia.pk)
    t = review.transfer_approve(actor=actor_of(w.p_jia), transfer=t, stage=2)
    assert (t.status, t.reviewer_id) == (TransferStatus.IN_BRANCH, target.pk)
    assert t.due_at is not None
    return t


def test_member_applies_and_four_orgs_approve(w):
    t = _four_stages(w, w.bing1)
    t = review.transfer_approve(actor=actor_of(w.bing1), transfer=t, stage=3)
    assert (t.status, t.reviewer_id) == (TransferStatus.IN_PARENT, w.p_bing.pk)
    t = review.transfer_approve(actor=actor_of(w.p_bing), transfer=t, stage=4)
    assert t.status == TransferStatus.COMPLETED and t.reviewer_id is None and t.closed_at
    member = Member.objects.get(pk=w.member.pk)
    assert member.branch_id == w.bing1.pk
    member.user.refresh_from_db()
    assert member.user.organization_id == w.bing1.pk  # the login follows, as 恢复团籍 keeps it
    kinds = list(t.steps.values_list("stage", "kind"))
    assert kinds == [(0, StepKind.APPLIED), (1, StepKind.APPROVED), (2, StepKind.APPROVED), (3, StepKind.APPROVED),
                     (4, StepKind.APPROVED), (0, StepKind.COMPLETED)]
    # both branches and the member are told; each reviewer was asked
    assert Message.objects.filter(recipient_org=w.jia1, title="团员组织关系已转出").count() == 1
    assert Message.objects.filter(recipient_org=w.bing1, title="新转入团员").count() == 1
    assert Message.objects.filter(recipient_user=member.user, title="组织关系转接成功").count() == 1
    for org in (w.jia1, w.p_jia, w.bing1, w.p_bing):
        assert Message.objects.filter(recipient_org=org, title="组织关系转接审核").count() == 1
    assert AuditLog.objects.filter(action="transfer.approve").count() == 4


def test_same_parent_reviews_once(w):
    t = start.transfer_apply(member=w.member, data=application(w.jia2))
    assert t.collapsed
    t = review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
    t = review.transfer_approve(actor=actor_of(w.p_jia), transfer=t, stage=2)
    t = review.transfer_approve(actor=actor_of(w.jia2), transfer=t, stage=3)
    assert t.status == TransferStatus.COMPLETED
    assert Member.objects.get(pk=w.member.pk).branch_id == w.jia2.pk
    assert not t.steps.filter(stage=4).exists()
    assert Message.objects.filter(recipient_org=w.p_jia, title="组织关系转接审核").count() == 1


def test_wrong_reviewer_and_stale_stage(w):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    with pytest.raises(PermissionDenied, match=review.ERR_NOT_REVIEWER):
        review.transfer_approve(actor=actor_of(w.p_jia), transfer=t)
    review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
    with pytest.raises(ValidationError, match=review.ERR_HANDLED):
        review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
    assert t.steps.filter(kind=StepKind.APPROVED).count() == 1


@pytest.mark.parametrize("stage", [1, 2, 3, 4])
def test_return_at_each_stage_ends_the_process(w, stage):
    t = start.transfer_apply(member=w.member, data=application(w.bing1))
    orgs = [w.jia1, w.p_jia, w.bing1, w.p_bing]
    for s in range(1, stage):
        t = review.transfer_approve(actor=actor_of(orgs[s - 1]), transfer=t, stage=s)
    with pytest.raises(ValidationError) as exc:
        review.transfer_return(actor=actor_of(orgs[stage - 1]), transfer=t, stage=stage, reason="  ")
    assert exc.value.message_dict == {"reason": [review.ERR_RETURN_REASON]}
    t = review.transfer_return(actor=actor_of(orgs[stage - 1]), transfer=t, stage=stage, reason="去向不符")
    assert t.status == 5 + stage and t.reviewer_id is None
    assert Member.objects.get(pk=w.member.pk).branch_id == w.jia1.pk
    # the member may start again at once
    assert start.transfer_apply(member=w.member, data=application(w.bing1)).status == TransferStatus.OUT_BRANCH


# --- refusals of a start --------------------------------------------------------------------------

def _refused(w, data, message, member=None):
    before = Transfer.objects.count()
    with pytest.raises(ValidationError) as exc:
        start.transfer_apply(member=member or w.member, data=data)
    assert message in str(exc.value)
    assert Transfer.objects.count() == before


def test_refused_not_approved(w):
    pending = make_member(w.jia1, approved=False, name="王待审")
    _refused(w, application(w.bing1), start.ERR_NOT_APPROVED.format(name="王待审"), member=pending)


def test_refused_not_normal(w):
    Member.objects.filter(pk=w.member.pk).update(league_status=4, left_on="2025-01-01")
    _refused(w, application(w.bing1), start.ERR_NOT_NORMAL.format(name="张转接", status="自行脱团"))


def test_refused_open_transfer(w):
    start.transfer_apply(member=w.member, data=application(w.bing1))
    _refused(w, application(w.ding1), start.ERR_OPEN.format(name="张转接"))


def test_refused_unpaid_dues(w):
    from django.db.models import Q

    from services.members import aging

    owes = lambda: Q(pk=w.member.pk)  # noqa: E731
    aging.register_arrears(owes)
    try:
        _refused(w, application(w.bing1), start.ERR_ARREARS.format(name="张转接"))
    finally:
        aging._arrears.remove(owes)
    assert start.transfer_apply(member=w.member, data=application(w.bing1))


def test_refused_same_branch_and_bad_targets(w):
    _refused(w, application(w.jia1), start.ERR_SAME_BRANCH)
    _refused(w, application(w.p_bing), start.ERR_TARGET_NOT_BRANCH)
    _refused(w, {**application(w.bing1), "target": "不存在的支部"}, start.ERR_TARGET_NOT_FOUND)
    # by full name works
    t = start.transfer_apply(member=w.member, data={**application(w.bing1), "target": w.bing1.full_name})
    assert t.to_branch_id == w.bing1.pk


def test_refused_target_outside_the_province(w):
    from orgtree.rules import OrgType

    from ...factories import make_root

    other = make_root("外省团委")
    foreign = make_child(make_child(other, OrgType.COMMITTEE, "外省公司"), OrgType.BRANCH, "外省支部")
    _refused(w, application(foreign), start.ERR_TARGET_NOT_BRANCH)


def test_refused_bad_fields(w):
    _refused(w, {**application(w.bing1), "destination": ""}, start.ERR_DESTINATION)
    _refused(w, {**application(w.bing1), "reason": 3, "reason_other": "太短"}, start.ERR_REASON_OTHER)
    _refused(w, {**application(w.bing1), "destination": "某\u202e单位"}, "不可见字符")


# --- branch-initiated -------------------------------------------------------------------------------

def test_branch_initiated_waits_for_the_member(w, member_actor):
    second = make_member(w.jia1, name="李二")
    created = start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk, second.pk],
                                         data=application(w.bing1))
    assert {t.status for t in created} == {TransferStatus.AWAITING_MEMBER}
    msg = Message.objects.get(recipient_user=w.member.user, title="请确认组织关系转接")
    assert msg.link == f"/m/transfers/{created[0].pk}/"
    assert created[0].steps.get().stage == 1  # the branch's own start counts as ①
    t = start.transfer_confirm(member=w.member, transfer=created[0])
    assert (t.status, t.reviewer_id) == (TransferStatus.OUT_PARENT, w.p_jia.pk)
    with pytest.raises(ValidationError, match=start.ERR_NOT_AWAITING):
        start.transfer_confirm(member=w.member, transfer=created[0])
    assert AuditLog.objects.filter(action="transfer.start").count() == 2


def test_branch_batch_is_all_or_none(w):
    left = make_member(w.jia1, name="赵离团")
    Member.objects.filter(pk=left.pk).update(league_status=6, left_on="2025-01-01")
    with pytest.raises(ValidationError) as exc:
        start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk, left.pk], data=application(w.bing1))
    assert "赵离团" in str(exc.value)
    assert not Transfer.objects.exists()
    with pytest.raises(PermissionDenied):
        start.transfer_start_batch(actor=actor_of(w.jia2), member_ids=[w.member.pk], data=application(w.bing1))
    with pytest.raises(PermissionDenied):
        start.transfer_start_batch(actor=actor_of(w.p_jia), member_ids=[w.member.pk], data=application(w.bing1))
    with pytest.raises(ValidationError, match=start.ERR_OUT_MEMBER_ONLY):
        start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk],
                                   data={**application(w.bing1), "transfer_type": 2})


def test_primary_secondary_school_needs_no_confirmation(w):
    from orgtree.rules import OrgType

    school = make_child(w.p_jia, OrgType.BRANCH, "某中学初三1班", is_school=True, school_code="3144012345",
                        graduation_year=2027)
    pupil = make_member(school, name="陈学生", birth="20100315")
    t = start.transfer_start_batch(actor=actor_of(school), member_ids=[pupil.pk], data=application(w.bing1))[0]
    assert (t.status, t.reviewer_id) == (TransferStatus.OUT_PARENT, w.p_jia.pk)
    university = make_child(w.p_jia, OrgType.BRANCH, "某大学2025级1班", is_school=True, school_code="4144012345",
                            graduation_year=2029)
    student = make_member(university, name="周大学")
    t = start.transfer_start_batch(actor=actor_of(university), member_ids=[student.pk], data=application(w.bing1))[0]
    assert t.status == TransferStatus.AWAITING_MEMBER


# --- withdraw -------------------------------------------------------------------------------------

def test_member_withdraws_their_own_until_stage_four_approves(w, member_actor):
    t = _four_stages(w, w.bing1)
    with pytest.raises(PermissionDenied, match=start.ERR_WITHDRAW_MEMBER_ONLY):
        start.transfer_withdraw(actor=actor_of(w.jia1), transfer=t, reason="错了")
    with pytest.raises(ValidationError):
        start.transfer_withdraw(actor=member_actor(w.member), transfer=t, reason="")
    t = review.transfer_approve(actor=actor_of(w.bing1), transfer=t, stage=3)
    t = start.transfer_withdraw(actor=member_actor(w.member), transfer=t, reason="去向有变")
    assert t.status == TransferStatus.WITHDRAWN and t.withdraw_reason == "去向有变"
    assert Message.objects.filter(recipient_org=w.p_bing, title="组织关系转接已撤回").count() == 1
    # after completion no one can
    t = _four_stages(w, w.bing1)
    review.transfer_approve(actor=actor_of(w.bing1), transfer=t, stage=3)
    review.transfer_approve(actor=actor_of(w.p_bing), transfer=t, stage=4)
    with pytest.raises(ValidationError, match=start.ERR_WITHDRAW_STATE):
        start.transfer_withdraw(actor=member_actor(w.member), transfer=t, reason="晚了")


def test_branch_withdraws_what_it_started(w, member_actor):

    t = start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk], data=application(w.bing1))[0]
    with pytest.raises(PermissionDenied, match=start.ERR_WITHDRAW_ORG_ONLY):
        start.transfer_withdraw(actor=member_actor(w.member), transfer=t, reason="不想转")
    with pytest.raises(PermissionDenied, match=start.ERR_WITHDRAW_ORG_ONLY):
        start.transfer_withdraw(actor=actor_of(w.p_jia), transfer=t, reason="不想转")
    t = start.transfer_withdraw(actor=actor_of(w.jia1), transfer=t, reason="选错了转入团支部")
    assert t.status == TransferStatus.WITHDRAWN
    assert AuditLog.objects.filter(action="transfer.withdraw").count() == 1


def test_operator_withdraws_for_the_branch(w):
    from portal.actors import actor_for_user

    from ...factories import make_operator

    t = start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk], data=application(w.bing1))[0]
    operator = actor_for_user(make_operator(w.jia1))
    assert start.transfer_withdraw(actor=operator, transfer=t, reason="选错了").status == TransferStatus.WITHDRAWN


# --- out of province --------------------------------------------------------------------------------

def test_out_of_province_closes_after_stage_two_and_freezes_the_record(w):
    from services.members import profile

    data = {"transfer_type": 2, "out_province": "湖南省", "out_org": "共青团长沙市某公司委员会",
            "destination": "长沙某公司", "reason": 1}
    t = start.transfer_apply(member=w.member, data=data)
    assert t.to_branch_id is None and t.status == TransferStatus.OUT_BRANCH
    t = review.transfer_approve(actor=actor_of(w.jia1), transfer=t, stage=1)
    t = review.transfer_approve(actor=actor_of(w.p_jia), transfer=t, stage=2)
    assert t.status == TransferStatus.TRANSFERRED_OUT
    member = Member.objects.get(pk=w.member.pk)
    assert member.transferred_out_at is not None and member.branch_id == w.jia1.pk
    assert not Member.objects.filter(IN_GOOD_STANDING, pk=member.pk).exists()
    assert profile.modify_problem(member) == profile.ERR_TRANSFERRED_OUT
    with pytest.raises(ValidationError, match="转出"):
        profile.member_profile_update(member=member, group="basic", data={"phone": "13900000000"})
    _refused(w, application(w.bing1), start.ERR_TRANSFERRED_OUT.format(name="张转接"), member=member)
    # the old branch cannot change the record either
    from services.members import status

    with pytest.raises(ValidationError, match=status.ERR_TRANSFERRED_OUT):
        status.status_apply(actor=actor_of(w.jia1), member=member, kind=6, description="该团员自愿申请退团，" * 5)


def test_out_of_province_is_for_members_only_and_needs_a_province(w):
    _refused(w, {"transfer_type": 2, "out_province": "火星", "out_org": "某团委", "destination": "某地", "reason": 1},
             start.ERR_PROVINCE)


def test_the_confirmation_request_reaches_wechat(w, fake_wechat, django_capture_on_commit_callbacks):
    from services.messaging.models import Delivery

    Delivery.objects.all().delete()  # the setup's 报到 notices
    with django_capture_on_commit_callbacks(execute=True):
        t = start.transfer_start_batch(actor=actor_of(w.jia1), member_ids=[w.member.pk], data=application(w.bing1))[0]
    openid = w.member.user.wechat_identities.get().external_id
    sent = [c["json"] for c in fake_wechat.received("/mp/cgi-bin/message/template/send")]
    assert [(s["touser"], s["data"]["first"]["value"]) for s in sent] == [(openid, "请确认组织关系转接")]
    message = Message.objects.get(recipient_user=w.member.user, title="请确认组织关系转接")
    assert sent[0]["url"].endswith(f"/m/messages/{message.pk}/") and message.link == f"/m/transfers/{t.pk}/"


def test_completion_ends_the_old_branch_post_and_moves_open_requests(w):
    from datetime import date

    from services.members import status
    from services.members.models import MemberRequest

    cadre = make_member(w.jia1, name="周支书", is_cadre=True, cadre_post=1, cadre_since=date(2024, 1, 1),
                        cadre_nature=1, party_committee_member=False)
    t = start.transfer_apply(member=cadre, data=application(w.bing1))
    request = status.deletion_apply(actor=actor_of(w.jia1), member=cadre, reason=1,
                                    description="该团员报错了团支部，被误审核通过，申请删除其报到资料。")
    for org, stage in ((w.jia1, 1), (w.p_jia, 2), (w.bing1, 3), (w.p_bing, 4)):
        t = review.transfer_approve(actor=actor_of(org), transfer=t, stage=stage)
    cadre = Member.objects.get(pk=cadre.pk)
    assert (cadre.branch_id, cadre.is_cadre, cadre.cadre_post) == (w.bing1.pk, False, None)
    request = MemberRequest.objects.get(pk=request.pk)
    assert (request.branch_id, request.reviewer_id) == (w.bing1.pk, w.p_bing.pk)
