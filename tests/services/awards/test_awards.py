"""奖励: org entry (certified), the Excel member list, member declarations and their review."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from portal import uploads
from portal.models import AuditLog
from services.awards import selectors, services
from services.awards.models import Award, AwardAttachment, AwardKind, AwardSource, AwardStatus
from services.messaging.models import Message

from ...factories import actor_of, make_member
from .conftest import member_actor, png

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
AWARD = {"name": "优秀共青团员", "has_level": False, "level": "", "awarded_on": date(2026, 5, 4),
         "awarding_org_name": "共青团天河区委员会"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +0800", tick=False):
        yield


def _enter(actor, members, **overrides):
    return services.awards_enter(actor=actor, member_ids=[m.pk for m in members], data={**AWARD, **overrides},
                                 files=[png()], today=TODAY)


def test_org_entry_is_certified_for_every_member_and_tells_them(tree, branch2):
    a, b = make_member(tree.branch), make_member(branch2)
    awards = _enter(actor_of(tree.general), [a, b])
    assert {(x.member_id, x.status, x.kind, x.source) for x in Award.objects.all()} == {
        (a.pk, AwardStatus.APPROVED, AwardKind.INTERNAL, AwardSource.ORG),
        (b.pk, AwardStatus.APPROVED, AwardKind.INTERNAL, AwardSource.ORG)}
    assert all(x.certified for x in awards)
    assert AwardAttachment.objects.count() == 2
    assert AuditLog.objects.filter(action="award.enter").count() == 1
    told = Message.objects.filter(title="奖励录入通知")
    assert {m.recipient_user_id for m in told} == {a.user_id, b.user_id}
    assert [x.name for x in selectors.member_awards(a, approved_only=True)] == ["优秀共青团员"]


def test_org_entry_refuses_a_member_of_the_sibling_subtree(tree, b_branch):
    a, outsider = make_member(tree.branch), make_member(b_branch)
    with pytest.raises(ValidationError) as exc:
        _enter(actor_of(tree.city_a), [a, outsider])
    assert exc.value.messages == [services.ERR_MEMBERS_OUT]
    assert not Award.objects.exists() and not Message.objects.filter(title="奖励录入通知").exists()


@pytest.mark.parametrize("overrides, files, field, message", [
    ({"name": ""}, None, "name", services.ERR_NAME),
    ({"name": "优秀@@团员"}, None, "name", "奖励名称" + services.ERR_SEPARATOR),
    ({"has_level": True, "level": ""}, None, "level", services.ERR_LEVEL),
    ({"awarding_org_name": ""}, None, "awarding_org_name", services.ERR_AWARDING_ORG),
    ({"awarded_on": None}, None, "awarded_on", services.ERR_DATE),
    ({"awarded_on": TODAY + timedelta(days=1)}, None, "awarded_on", services.ERR_DATE_FUTURE),
    ({}, [], "attachments", uploads.ERR_REQUIRED),
    ({}, [SimpleUploadedFile("proof.png", b"<html>not a picture</html>")], "attachments", uploads.ERR_TYPE),
])
def test_org_entry_bad_input_changes_nothing(tree, overrides, files, field, message):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        services.awards_enter(actor=actor_of(tree.branch), member_ids=[m.pk], data={**AWARD, **overrides},
                              files=[png()] if files is None else files, today=TODAY)
    assert exc.value.message_dict[field] == [message]
    assert not Award.objects.exists()


def test_org_entry_needs_a_member_list(tree):
    with pytest.raises(ValidationError) as exc:
        services.awards_enter(actor=actor_of(tree.branch), member_ids=[], data=AWARD, files=[png()], today=TODAY)
    assert exc.value.messages == [services.ERR_NO_MEMBERS]


def test_only_the_entering_org_edits_or_deletes(tree):
    m = make_member(tree.branch)
    award = _enter(actor_of(tree.general), [m])[0]
    for other in (actor_of(tree.branch), actor_of(tree.committee)):
        with pytest.raises(PermissionDenied):
            services.award_update(actor=other, award=award, data={**AWARD, "name": "改"}, today=TODAY)
        with pytest.raises(PermissionDenied):
            services.award_delete(actor=other, award=award)
    with pytest.raises(PermissionDenied):
        services.award_delete(actor=member_actor(m), award=award)
    services.award_update(actor=actor_of(tree.general), award=award,
                          data={**AWARD, "name": "优秀团干部", "has_level": True, "level": "一等"}, today=TODAY)
    award.refresh_from_db()
    assert (award.name, award.level_label, award.status) == ("优秀团干部", "一等", AwardStatus.APPROVED)
    services.award_delete(actor=actor_of(tree.general), award=award)
    assert not Award.objects.exists()
    assert AuditLog.objects.filter(action__in=["award.update", "award.delete"]).count() == 2


# --- the Excel member list ---------------------------------------------------------------------------

def _sheet(rows, header=("身份证号码", "姓名")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


def test_sheet_names_members_of_the_subtree(tree, branch2):
    a, b = make_member(tree.branch, name="甲"), make_member(branch2, name="乙")
    ids = services.members_from_sheet(actor=actor_of(tree.general),
                                      upload=_sheet([(a.id_number, "甲"), (b.id_number, "")]))
    assert ids == [a.pk, b.pk]


def test_one_bad_row_refuses_the_whole_sheet_with_every_reason(tree, b_branch):
    a, outsider = make_member(tree.branch, name="甲"), make_member(b_branch)
    upload = _sheet([(a.id_number, "甲"), (outsider.id_number, ""), ("", "无名"), (a.id_number, ""),
                     (make_member(tree.branch, name="丙").id_number, "丁")])
    with pytest.raises(ValidationError) as exc:
        services.members_from_sheet(actor=actor_of(tree.city_a), upload=upload)
    assert exc.value.messages == [f"第3行：{services.ERR_ROW_NOT_FOUND}", f"第4行：{services.ERR_ROW_ID}",
                                  "第5行：与第2行重复", f"第6行：{services.ERR_ROW_NAME}"]


def test_sheet_with_the_wrong_header_or_no_rows(tree):
    with pytest.raises(ValidationError) as exc:
        services.members_from_sheet(actor=actor_of(tree.branch), upload=_sheet([], header=("姓名",)))
    assert exc.value.messages == [services.ERR_SHEET_HEADERS]
    with pytest.raises(ValidationError) as exc:
        services.members_from_sheet(actor=actor_of(tree.branch), upload=_sheet([]))
    assert exc.value.messages == [services.ERR_SHEET_EMPTY]


# --- member declarations -------------------------------------------------------------------------------

def test_external_award_is_reviewed_not_certified_by_the_branch(tree):
    m = make_member(tree.branch)
    award = services.award_declare(member=m, kind=AwardKind.EXTERNAL, today=TODAY, files=[png()],
                                   data={**AWARD, "name": "校级三好学生", "awarding_org_name": "广州市第一中学"})
    assert (award.reviewer_id, award.status) == (tree.branch.pk, AwardStatus.PENDING)
    asked = Message.objects.get(recipient_org=tree.branch, subject_type=services.SUBJECT_REVIEW)
    assert asked.subject_id == award.pk
    assert selectors.to_review(actor_of(tree.branch)).count() == 1
    assert selectors.to_review(actor_of(tree.general)).count() == 0
    services.awards_review(actor=actor_of(tree.branch), award_ids=[award.pk], approve=True)
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED and not award.certified
    assert Message.objects.filter(recipient_user=m.user, title="奖励审核结果", body__contains="已审核通过").exists()
    assert selectors.to_review(actor_of(tree.branch)).count() == 0


def _claim(m, reviewer, awarded_on, **extra):
    return services.award_declare(member=m, kind=AwardKind.INTERNAL, reviewer=reviewer, files=[png()], today=TODAY,
                                  data={**AWARD, "awarded_on": awarded_on, **extra})


def test_internal_claim_only_for_awards_more_than_a_year_old(tree):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        _claim(m, tree.district, date(2025, 6, 15))  # exactly one year: not yet "超过一年"
    assert exc.value.message_dict == {"awarded_on": [services.ERR_NOT_A_YEAR]}
    assert not Award.objects.exists()
    award = _claim(m, tree.district, date(2025, 6, 14))
    assert (award.reviewer_id, award.status, award.kind) == (tree.district.pk, AwardStatus.PENDING, AwardKind.INTERNAL)


def test_internal_claim_needs_a_reviewing_org(tree):
    with pytest.raises(ValidationError) as exc:
        _claim(make_member(tree.branch), None, date(2024, 5, 4))
    assert exc.value.message_dict == {"reviewer": [services.ERR_REVIEWER]}


def test_no_claim_for_an_award_the_org_entered(tree):
    m = make_member(tree.branch)
    _enter(actor_of(tree.district), [m], awarded_on=date(2024, 5, 4))
    with pytest.raises(ValidationError) as exc:
        _claim(m, tree.district, date(2024, 5, 4))
    assert exc.value.message_dict == {"name": [services.ERR_ALREADY_ENTERED]}


def test_only_the_awarding_org_reviews_and_it_returns_what_it_did_not_grant(tree):
    m = make_member(tree.branch)
    award = _claim(m, tree.district, date(2024, 5, 4))
    for other in (actor_of(tree.branch), actor_of(tree.city_a), actor_of(tree.province)):
        with pytest.raises(PermissionDenied) as exc:
            services.awards_review(actor=other, award_ids=[award.pk], approve=True)
        assert str(exc.value) == services.ERR_NOT_AWARDING_ORG
    services.awards_review(actor=actor_of(tree.district), award_ids=[award.pk], approve=False,
                           reason=services.RETURN_NOT_GRANTED)
    award.refresh_from_db()
    assert (award.status, award.return_reason) == (AwardStatus.RETURNED, services.RETURN_NOT_GRANTED)
    assert Message.objects.filter(recipient_user=m.user, body__contains=services.RETURN_NOT_GRANTED).exists()
    # the member names the right awarding org and sends it again
    services.award_update(actor=member_actor(m), award=award, data={**AWARD, "awarded_on": date(2024, 5, 4)},
                          reviewer=tree.city_a, today=TODAY)
    award.refresh_from_db()
    assert (award.status, award.reviewer_id, award.return_reason) == (AwardStatus.PENDING, tree.city_a.pk, "")
    assert selectors.to_review(actor_of(tree.city_a)).count() == 1


def test_return_needs_a_reason(tree):
    m = make_member(tree.branch)
    award = services.award_declare(member=m, kind=AwardKind.EXTERNAL, data=AWARD, files=[png()], today=TODAY)
    for reason in ("", "理由@@二"):
        with pytest.raises(ValidationError):
            services.awards_review(actor=actor_of(tree.branch), award_ids=[award.pk], approve=False, reason=reason)
    award.refresh_from_db()
    assert award.status == AwardStatus.PENDING


def test_batch_review_is_all_or_nothing(tree):
    m = make_member(tree.branch)
    first, second = (services.award_declare(member=m, kind=AwardKind.EXTERNAL, data={**AWARD, "name": n},
                                            files=[png()], today=TODAY) for n in ("一", "二"))
    services.awards_review(actor=actor_of(tree.branch), award_ids=[first.pk], approve=True)
    with pytest.raises(ValidationError) as exc:
        services.awards_review(actor=actor_of(tree.branch), award_ids=[first.pk, second.pk], approve=False,
                               reason="材料不清晰")
    assert exc.value.messages == [services.ERR_REVIEWED]
    second.refresh_from_db()
    assert second.status == AwardStatus.PENDING
    third = services.award_declare(member=m, kind=AwardKind.EXTERNAL, data={**AWARD, "name": "三"},
                                   files=[png()], today=TODAY)
    assert services.awards_review(actor=actor_of(tree.branch), award_ids=[second.pk, third.pk], approve=False,
                                  reason="材料不清晰") == 2
    assert set(Award.objects.filter(status=AwardStatus.RETURNED).values_list("pk", flat=True)) == {second.pk, third.pk}
    with pytest.raises(ValidationError) as exc:
        services.awards_review(actor=actor_of(tree.branch), award_ids=[], approve=True)
    assert exc.value.messages == [services.ERR_NONE_CHOSEN]


def test_member_edits_and_deletes_only_own_pending_declarations(tree):
    m, other = make_member(tree.branch), make_member(tree.branch)
    award = services.award_declare(member=m, kind=AwardKind.EXTERNAL, data=AWARD, files=[png()], today=TODAY)
    with pytest.raises(PermissionDenied):
        services.award_delete(actor=member_actor(other), award=award)
    services.award_update(actor=member_actor(m), award=award, data={**AWARD, "name": "市级三好学生"}, today=TODAY)
    award.refresh_from_db()
    assert award.name == "市级三好学生"
    services.awards_review(actor=actor_of(tree.branch), award_ids=[award.pk], approve=True)
    with pytest.raises(ValidationError) as exc:
        services.award_delete(actor=member_actor(m), award=award)
    assert exc.value.messages == [services.ERR_NOT_PENDING]
    pending = services.award_declare(member=m, kind=AwardKind.EXTERNAL, data=AWARD, files=[png()], today=TODAY)
    services.award_delete(actor=member_actor(m), award=pending)
    assert list(Award.objects.values_list("pk", flat=True)) == [award.pk]


def test_a_member_not_in_good_standing_cannot_declare(tree):
    m = make_member(tree.branch, approved=False)
    with pytest.raises(ValidationError) as exc:
        services.award_declare(member=m, kind=AwardKind.EXTERNAL, data=AWARD, files=[png()], today=TODAY)
    assert exc.value.messages == [services.ERR_MEMBER_STATE]
