"""奖惩 pages on /manage/, /m/ and /m/cadre/: the two-step entry, the Excel list, review, the member's
declarations, downloads; refusals in Chinese on the page; 乙's objects are 404."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from portal.actors import actor_for_user
from portal.registry import menu_for, todos_for
from services.awards import services
from services.awards.models import Award, AwardKind, AwardStatus, Punishment

from ...factories import actor_of, login, login_person, make_cadre, make_member, make_operator
from .conftest import png

pytestmark = pytest.mark.django_db
AWARD = {"name": "优秀共青团员", "has_level": "", "level": "", "awarded_on": "2024-05-04",
         "awarding_org_name": "共青团天河区委员会"}


def _add(client, *members):
    return client.post(reverse("awards:pick"), {"action": "add", "ids": [m.pk for m in members]})


def test_two_step_entry_of_an_award(client, tree):
    a, b = make_member(tree.branch, name="甲甲"), make_member(tree.branch, name="乙乙")
    login(client, tree.general)
    page = client.get(reverse("awards:pick"), {"branch": tree.branch.code}).content.decode()
    assert "甲甲" in page and "乙乙" in page
    _add(client, a, b)
    client.post(reverse("awards:pick"), {"action": "remove", "ids": [b.pk]})
    page = client.get(reverse("awards:enter_award")).content.decode()
    assert "甲甲" in page and "乙乙" not in page and "默认通过" in page
    response = client.post(reverse("awards:enter_award"), {**AWARD, "attachments": [png()]})
    assert response.status_code == 302
    assert list(Award.objects.values_list("member_id", "status")) == [(a.pk, AwardStatus.APPROVED)]
    records = client.get(reverse("awards:records")).content.decode()
    assert "优秀共青团员" in records and "甲甲" in records
    award = Award.objects.get()
    download = client.get(reverse("awards:award_file", args=[award.pk, award.attachments.get().pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    # edit, then delete through the confirmation page
    client.post(reverse("awards:award_edit", args=[award.pk]), {**AWARD, "name": "优秀团干部"})
    award.refresh_from_db()
    assert award.name == "优秀团干部"
    assert "确定删除" in client.get(reverse("awards:award_delete", args=[award.pk])).content.decode()
    client.post(reverse("awards:award_delete", args=[award.pk]))
    assert not Award.objects.exists()


def test_entry_errors_show_on_the_fields(client, tree):
    m = make_member(tree.branch)
    login(client, tree.branch)
    _add(client, m)
    page = client.post(reverse("awards:enter_award"), {**AWARD, "name": "", "awarded_on": "2099-01-01"}).content.decode()
    assert services.ERR_NAME in page
    assert not Award.objects.exists()
    page = client.post(reverse("awards:enter_award"), {**AWARD}).content.decode()
    assert "请上传证明材料" in page


def test_a_picked_member_who_left_the_scope_is_not_entered(client, tree, b_branch):
    outsider = make_member(b_branch)
    login(client, tree.city_a)
    _add(client, outsider)
    page = client.get(reverse("awards:enter_award")).content.decode()
    assert outsider.name not in page
    page = client.post(reverse("awards:enter_award"), {**AWARD, "attachments": [png()]}).content.decode()
    assert services.ERR_NO_MEMBERS in page and not Award.objects.exists()


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号码", "姓名"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名单.xlsx", out.getvalue())


def test_excel_list_import_all_or_nothing_with_row_errors(client, tree):
    m = make_member(tree.branch, name="张三")
    login(client, tree.branch)
    page = client.post(reverse("awards:pick"), {"action": "import",
                                                "sheet": _xlsx([[m.id_number, "张三"], ["110101200001011234", ""]])})
    assert f"第3行：{services.ERR_ROW_NOT_FOUND}" in page.content.decode()
    assert client.session.get("awards_pick", []) == []
    client.post(reverse("awards:pick"), {"action": "import", "sheet": _xlsx([[m.id_number, "张三"]])})
    assert client.session["awards_pick"] == [m.pk]
    template = client.get(reverse("awards:sheet_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_punishment_entry_page_with_relieve_date_error(client, tree):
    m = make_member(tree.branch)
    login(client, tree.branch)
    _add(client, m)
    data = {"kind": 1, "punished_on": "2024-01-01", "relieve_on": "2024-01-01", "attachments": [png()]}
    page = client.post(reverse("awards:enter_punishment"), data).content.decode()
    assert "解除时间必须晚于处罚时间" in page and not Punishment.objects.exists()
    data.update(relieve_on="2099-01-01", attachments=[png()])
    assert client.post(reverse("awards:enter_punishment"), data).status_code == 302
    assert Punishment.objects.count() == 1


def _declare(member, kind=AwardKind.EXTERNAL, reviewer=None, **extra):
    return services.award_declare(member=member, kind=kind, reviewer=reviewer, files=[png()],
                                  data={"name": "校级三好学生", "has_level": False, "awarded_on": date(2024, 5, 4),
                                        "awarding_org_name": "广州市第一中学", **extra})


def test_batch_review_and_the_todo_tile(client, tree):
    m = make_member(tree.branch)
    first, second = _declare(m), _declare(m, name="优秀学生干部")
    tiles = todos_for(actor_of(tree.branch))
    assert {"key": "awards.review", "label": "团员奖励审核", "count": 2, "url": reverse("awards:review_list")} in tiles
    mobile = todos_for(actor_of(tree.branch), mobile=True)
    assert any(t["url"] == reverse("awards:cadre_review") for t in mobile)
    login(client, tree.branch)
    page = client.post(reverse("awards:review_list"), {"decision": "return", "ids": [first.pk]}, follow=True)
    assert services.ERR_RETURN_REASON in page.content.decode()
    client.post(reverse("awards:review_list"), {"decision": "approve", "ids": [first.pk, second.pk]})
    assert set(Award.objects.values_list("status", flat=True)) == {AwardStatus.APPROVED}
    assert not any(t["key"] == "awards.review" for t in todos_for(actor_of(tree.branch)))


def test_awarding_org_returns_from_the_detail_page(client, tree, b_branch):
    m = make_member(tree.branch)
    award = _declare(m, kind=AwardKind.INTERNAL, reviewer=tree.district, awarded_on=date(2020, 5, 4))
    login(client, tree.city_b)  # not the awarding org: the declaration is not there
    assert client.get(reverse("awards:review_detail", args=[award.pk])).status_code == 404
    assert client.get(reverse("awards:award_file", args=[award.pk, award.attachments.get().pk])).status_code == 404
    login(client, tree.district)
    assert client.get(reverse("awards:award_file", args=[award.pk, award.attachments.get().pk])).status_code == 200
    client.post(reverse("awards:review_detail", args=[award.pk]), {"decision": "not_granted"})
    award.refresh_from_db()
    assert (award.status, award.return_reason) == (AwardStatus.RETURNED, services.RETURN_NOT_GRANTED)


def test_menu_entries(tree):
    sections = dict(menu_for(actor_of(tree.branch)))
    assert [i.label for i in sections["奖惩管理"]][:3] == ["奖惩录入", "奖惩记录", "奖励审核"]
    assert "教育评议" in [i.label for i in sections["奖惩管理"]]
    assert "教育评议" not in [i.label for i in dict(menu_for(actor_of(tree.district)))["奖惩管理"]]


# --- the member end --------------------------------------------------------------------------------------

def test_member_declares_edits_and_deletes_on_mobile(client, tree):
    m = make_member(tree.branch)
    login_person(client, m.user)
    home = client.get(reverse("mobile:member_home")).content.decode()
    assert reverse("awards:m_list") in home and reverse("evaluation:m_register") in home
    page = client.get(reverse("awards:m_declare") + "?kind=1").content.decode()
    assert tree.branch.full_name in page and tree.district.full_name in page  # the awarding-org choices
    # a 团内 补录 less than a year old is refused on its field
    response = client.post(reverse("awards:m_declare"), {**AWARD, "kind": 1, "awarded_on": str(date.today()),
                                                         "reviewer": tree.district.pk, "attachments": [png()]})
    assert services.ERR_NOT_A_YEAR in response.content.decode() and not Award.objects.exists()
    client.post(reverse("awards:m_declare"), {**AWARD, "kind": 1, "reviewer_code": tree.city_a.code,
                                              "attachments": [png()]})
    award = Award.objects.get()
    assert (award.reviewer_id, award.status) == (tree.city_a.pk, AwardStatus.PENDING)
    listing = client.get(reverse("awards:m_list")).content.decode()
    assert "优秀共青团员" in listing and "待审核" in listing
    client.post(reverse("awards:m_edit", args=[award.pk]), {**AWARD, "kind": 1, "name": "优秀团员",
                                                            "reviewer": tree.district.pk})
    award.refresh_from_db()
    assert (award.name, award.reviewer_id) == ("优秀团员", tree.district.pk)
    assert client.get(reverse("awards:m_file", args=[award.pk, award.attachments.get().pk])).status_code == 200
    client.post(reverse("awards:m_delete", args=[award.pk]))
    assert not Award.objects.exists()


def test_member_cannot_touch_another_members_declaration(client, tree):
    mine, theirs = make_member(tree.branch), make_member(tree.branch)
    award = _declare(theirs)
    login_person(client, mine.user)
    assert client.get(reverse("awards:m_edit", args=[award.pk])).status_code == 404
    assert client.post(reverse("awards:m_delete", args=[award.pk])).status_code == 404
    assert client.get(reverse("awards:m_file", args=[award.pk, award.attachments.get().pk])).status_code == 404
    assert Award.objects.filter(pk=award.pk).exists()


def test_member_sees_a_punishment_in_force(client, tree):
    from services.awards import punishments

    m = make_member(tree.branch)
    punishments.punishments_enter(actor=actor_of(tree.branch), member_ids=[m.pk], kind=2,
                                  punished_on=date(2024, 1, 1), relieve_on=date(2099, 1, 1), files=[png()])
    login_person(client, m.user)
    assert "严重警告" in client.get(reverse("awards:m_list")).content.decode()


# --- the cadre end ---------------------------------------------------------------------------------------

def test_operator_reviews_on_the_cadre_end_and_an_ordinary_cadre_cannot(client, tree):
    from services.cadres.services import cadre_choose_identity

    m = make_member(tree.branch)
    award = _declare(m)
    operator = make_operator(tree.branch, work_userid="op-1")
    person = operator.operator_post.person
    cadre_choose_identity(person=person, post_id=operator.operator_post.pk)
    person.refresh_from_db()
    login_person(client, person.user)
    assert "奖励审核" in client.get(reverse("mobile:cadre_home")).content.decode()
    assert m.name in client.get(reverse("awards:cadre_review")).content.decode()
    client.post(reverse("awards:cadre_review_detail", args=[award.pk]), {"decision": "approve"})
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    cadre = make_cadre(tree.branch, join=True)
    login_person(client, cadre.person.user)
    response = client.get(reverse("awards:cadre_review"))
    assert response.status_code == 403 and "普通团干只能查看" in response.content.decode()
    assert actor_for_user(cadre.person.user).kind == "cadre"


def test_edit_page_shows_the_level(client, tree):
    m = make_member(tree.branch)
    award = services.awards_enter(actor=actor_of(tree.branch), member_ids=[m.pk], files=[png()], data={
        "name": "挑战杯", "has_level": True, "level": "一等奖", "awarded_on": date(2024, 5, 4),
        "awarding_org_name": "团省委"})[0]
    login(client, tree.branch)
    page = client.get(reverse("awards:award_edit", args=[award.pk])).content.decode()
    assert '<option value="1" selected>奖励有等次</option>' in page and 'value="一等奖"' in page


def test_every_page_opens_on_its_own_objects(client, tree):
    from services.awards import punishments

    m, n = make_member(tree.branch), make_member(tree.branch)
    award = services.awards_enter(actor=actor_of(tree.branch), member_ids=[m.pk], files=[png()], data={
        "name": "优秀团员", "awarded_on": date(2024, 5, 4), "awarding_org_name": "团区委"})[0]
    declaration = _declare(m)
    p = punishments.punishments_enter(actor=actor_of(tree.branch), member_ids=[m.pk], kind=4,
                                      punished_on=date(2024, 1, 1), relieve_on=date(2099, 1, 1), files=[png()])[0]
    punishments.punishments_enter(actor=actor_of(tree.branch), member_ids=[n.pk], kind=5, punished_on=date(2024, 1, 1),
                                  description="该团员严重违反团的纪律，经团支部大会讨论决定开除团籍，特此申请上级组织审核批准。",
                                  files=[png()])
    login(client, tree.branch)
    _add(client, m)
    for name, args in (("records", []), ("pick", []), ("enter_award", []), ("enter_punishment", []),
                       ("award_edit", [award.pk]), ("award_delete", [award.pk]), ("punishment_edit", [p.pk]),
                       ("punishment_delete", [p.pk]), ("review_list", []), ("review_detail", [declaration.pk]),
                       ("punishment_file", [p.pk, p.attachments.get().pk])):
        response = client.get(reverse(f"awards:{name}", args=args))
        assert response.status_code == 200, name
    records = client.get(reverse("awards:records")).content.decode()
    assert "留团察看" in records and "经团籍变更审核办理" in records
    login_person(client, m.user)
    for name, args in (("m_list", []), ("m_declare", []), ("m_edit", [declaration.pk])):
        assert client.get(reverse(f"awards:{name}", args=args)).status_code == 200, name
