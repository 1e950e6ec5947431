from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgtree.rules import OrgType
from portal.models import User, WeChatIdentity
from services.members import registration, review, rules, verification
from services.members.choices import RealNameStatus, RegistrationStatus
from services.members.models import Member
from services.messaging.models import Message

from ...factories import actor_of, make_child, make_id_number, make_root
from .conftest import make_member, member_data

pytestmark = pytest.mark.django_db


def _errors(exc):
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"__all__": exc.value.messages}


def test_register_creates_login_identity_pending_member_and_tells_the_branch(tree):
    member = registration.member_register(data=member_data(tree.branch), openid="openid-x")
    assert member.registration_status == RegistrationStatus.PENDING
    assert member.real_name_status == RealNameStatus.UNCHECKED
    assert member.birth_date == date(2000, 3, 15) and member.sex is not None
    assert member.user.kind == User.Kind.MEMBER and member.user.organization == tree.branch
    assert not member.user.has_usable_password()
    assert WeChatIdentity.objects.get(external_id="openid-x").user == member.user
    assert Message.objects.filter(recipient_org=tree.branch, title="团员报到申请").count() == 1


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "440106200003150000", "身份证号码校验错误"),
    ("id_number", "", "请输入身份证号码"),
    ("name", "李1明", rules.ERR_NAME_DIGIT),
    ("phone", "1390000", rules.ERR_MOBILE),
    ("joined_league", date(2099, 1, 1), rules.ERR_FUTURE),
    ("hukou_county", "", rules.ERR_HUKOU),
    ("join_unit", "", rules.ERR_REQUIRED),
    ("nation", 57, rules.ERR_NATION_NAME),  # checked on nation_name, below
    ("email", "bad@", rules.ERR_EMAIL),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(tree, field, value, message):
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch, **{field: value}), openid="openid-bad")
    assert _errors(exc)["nation_name" if field == "nation" else field] == [message]
    assert not Member.objects.exists() and not User.objects.filter(kind=User.Kind.MEMBER).exists()
    assert not WeChatIdentity.objects.exists()


def test_member_number_rules_from_2017(tree):
    joined = date(2018, 6, 1)
    for number, ok in (("", False), ("12345", False), ("201712345678", False), ("201812345678", True)):
        data = member_data(tree.branch, joined=joined, member_number=number)
        if ok:
            registration.member_register(data=data, openid="openid-ok")
        else:
            with pytest.raises(ValidationError) as exc:
                registration.member_register(data=data, openid=f"openid-{number}")
            assert "member_number" in _errors(exc)
    # unique among live members
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch, joined=joined, member_number="201812345678"),
                                 openid="openid-dup")
    assert _errors(exc)["member_number"] == [registration.ERR_MEMBER_NUMBER_TAKEN]


def test_joining_age_is_13_full_years_by_month_from_2017(tree):
    # born 2005-03: May 2018 is 13 years 2 months → ok; Feb 2018 is 12 years 11 months → refused
    ok = member_data(tree.branch, birth="20050315", joined=date(2018, 3, 1), member_number="201800000001")
    registration.member_register(data=ok, openid="openid-a")
    young = member_data(tree.branch, birth="20050315", joined=date(2018, 2, 1), member_number="201800000002")
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=young, openid="openid-b")
    assert _errors(exc)["joined_league"] == [rules.ERR_JOIN_AGE]
    # before 2017 the reference system did not check the age
    old = member_data(tree.branch, birth="20050315", joined=date(2016, 1, 1))
    registration.member_register(data=old, openid="openid-c")


def test_same_id_cannot_register_twice_and_is_told_to_transfer(tree, branch2):
    first = make_member(tree.branch)
    data = member_data(branch2, id_number=first.id_number)
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=data, openid="openid-second")
    assert _errors(exc)["id_number"] == [registration.ERR_ID_REGISTERED]
    assert "组织关系转接" in registration.ERR_ID_REGISTERED
    assert Member.objects.count() == 1


def test_only_branches_of_the_provincial_tree_can_be_chosen(tree):
    other_root = make_root("外省")
    other_root.is_system = False
    other_root.save(update_fields=["is_system"])
    foreign_branch = make_child(other_root, OrgType.BRANCH, "外省支部")
    for org in (tree.general, foreign_branch):
        with pytest.raises(ValidationError) as exc:
            registration.member_register(data=member_data(org), openid="openid-z")
        assert _errors(exc)["branch"] == [registration.ERR_BRANCH_NOT_ELIGIBLE]


def test_withdraw_needs_the_typed_words_and_only_while_pending(tree):
    member = registration.member_register(data=member_data(tree.branch), openid="openid-w")
    with pytest.raises(ValidationError) as exc:
        registration.member_withdraw(member=member, confirm="撤回")
    assert _errors(exc)["confirm"] == [registration.ERR_WITHDRAW_CONFIRM]
    registration.member_withdraw(member=member, confirm="撤回报到")
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        registration.member_withdraw(member=member, confirm="撤回报到")
    # a withdrawn record no longer holds the ID: the same login registers again (another branch is fine)
    again = registration.member_register(data=member_data(tree.branch, id_number=member.id_number), user=member.user)
    assert again.pk == member.pk and again.registration_status == RegistrationStatus.PENDING


def test_branch_approves_and_member_is_told(tree):
    member = make_member(tree.branch, approved=False)
    review.member_approve(actor=actor_of(tree.branch), member=member)
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.APPROVED and member.reviewed_at
    assert Message.objects.filter(recipient_user=member.user, title="团员报到审核通过").exists()
    with pytest.raises(ValidationError) as exc:
        review.member_approve(actor=actor_of(tree.branch), member=member)
    assert exc.value.messages == [review.ERR_ALREADY_APPROVED]


def test_return_needs_reason_then_member_resubmits(tree):
    member = make_member(tree.branch, approved=False)
    with pytest.raises(ValidationError) as exc:
        review.member_return(actor=actor_of(tree.branch), member=member, reason="  ")
    assert _errors(exc)["reason"] == [review.ERR_RETURN_REASON]
    review.member_return(actor=actor_of(tree.branch), member=member, reason="入团年月有误")
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.RETURNED and member.return_reason == "入团年月有误"
    assert Message.objects.filter(recipient_user=member.user, title="团员报到被退回").exists()
    with pytest.raises(ValidationError) as exc:
        review.member_approve(actor=actor_of(tree.branch), member=member)
    assert exc.value.messages == [review.ERR_ALREADY_RETURNED]
    data = member_data(tree.branch, id_number=member.id_number, joined=date(2014, 9, 1))
    registration.member_register(data=data, user=member.user)
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.PENDING and member.joined_league == date(2014, 9, 1)


def test_only_the_members_own_branch_reviews(tree, branch2):
    member = make_member(tree.branch, approved=False)
    for org in (branch2, tree.general):
        with pytest.raises(PermissionDenied):
            review.member_approve(actor=actor_of(org), member=member)
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.PENDING


class _Verifier:
    def __init__(self, result):
        self.result = result

    def verify(self, **kwargs):
        return self.result


@pytest.fixture
def verifier():
    previous = verification.set_verifier(None)
    yield lambda result: verification.set_verifier(_Verifier(result))
    verification.set_verifier(previous)


def test_real_name_mismatch_refuses_the_submission(tree, verifier):
    verifier(RealNameStatus.FAILED)
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch), openid="openid-rn")
    assert _errors(exc)["name"] == [registration.ERR_REAL_NAME_MISMATCH]
    assert not Member.objects.exists()


def test_checking_blocks_approval_until_marked_offline(tree, verifier):
    verifier(RealNameStatus.CHECKING)
    member = registration.member_register(data=member_data(tree.branch), openid="openid-ck")
    with pytest.raises(ValidationError) as exc:
        review.member_approve(actor=actor_of(tree.branch), member=member)
    assert exc.value.messages == [review.ERR_REAL_NAME_CHECKING]
    with pytest.raises(ValidationError) as exc:
        review.member_verify_offline(actor=actor_of(tree.branch), member=member, reason="")
    assert _errors(exc)["reason"] == [review.ERR_OFFLINE_REASON]
    review.member_verify_offline(actor=actor_of(tree.branch), member=member, reason="已核对身份证原件")
    review.member_approve(actor=actor_of(tree.branch), member=member)
    member.refresh_from_db()
    assert member.real_name_status == RealNameStatus.OFFLINE and member.registration_status == 3


def test_passed_verifier_sets_status(tree, verifier):
    verifier(RealNameStatus.PASSED)
    member = registration.member_register(data=member_data(tree.branch), openid="openid-p")
    assert member.real_name_status == RealNameStatus.PASSED


def test_database_refuses_a_second_live_record_with_the_same_id(tree):
    from django.db import IntegrityError, transaction

    first = make_member(tree.branch)
    clone = Member(**{f.name: getattr(first, f.name) for f in Member._meta.concrete_fields
                      if f.name not in ("id", "user", "member_number")})
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_foreign_id_needs_a_birth_date(tree):
    data = member_data(tree.branch, id_type=2, id_number="H12345678")
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=data, openid="openid-f")
    assert _errors(exc)["birth_date"] == [rules.ERR_BIRTH_REQUIRED]
    data["birth_date"] = date(1999, 1, 1)
    member = registration.member_register(data=data, openid="openid-f")
    assert member.birth_date == date(1999, 1, 1)


def test_make_id_number_birth_is_used(tree):
    assert make_id_number(birth="19990101")[6:14] == "19990101"
