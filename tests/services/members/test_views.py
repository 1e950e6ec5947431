import io
from datetime import date

import pytest
from django.urls import reverse

from orgtree.emptiness import reasons_not_empty
from portal.actors import actor_for_user
from portal.registry import todos_for
from services.members.choices import RegistrationStatus
from services.members.models import Member
from services.messaging.audiences import MEMBERS, audience_users

from ...factories import actor_of, login, login_person, make_id_number, make_operator
from .conftest import make_member, member_data

pytestmark = pytest.mark.django_db


def _operator(client, org):
    user = make_operator(org)
    client.force_login(user, backend="portal.backends.AccountBackend")
    return user


def test_sibling_branch_members_are_404_for_the_branch_and_its_operator(client, tree, branch2):
    m = make_member(branch2)
    login(client, tree.branch)
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 404
    assert f'href="/manage/members/{m.pk}/"' not in client.get(reverse("members:manage_list")).content.decode()
    client.logout()
    _operator(client, tree.branch)
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 404
    assert client.post(reverse("members:review", args=[m.pk]), {"decision": "approve"}).status_code == 404


def test_an_ancestor_sees_a_non_ancestor_does_not(client, tree):
    m = make_member(tree.branch)
    login(client, tree.city_a)
    page = client.get(reverse("members:manage_list")).content.decode()
    assert f'href="/manage/members/{m.pk}/"' in page
    assert m.masked_id in page and m.id_number not in page
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 200
    client.logout()
    login(client, tree.city_b)
    assert f'href="/manage/members/{m.pk}/"' not in client.get(reverse("members:manage_list")).content.decode()
    assert client.get(reverse("members:detail", args=[m.pk])).status_code == 404


def test_list_filters_and_keyset_pages(client, tree):
    members = [make_member(tree.branch, approved=i % 2 == 0, birth="19900101" if i == 0 else "20000101")
               for i in range(25)]
    login(client, tree.district)
    page1 = client.get(reverse("members:manage_list"))
    assert len(page1.context["rows"]) == 20 and page1.context["cursor"] == page1.context["rows"][-1].pk
    page2 = client.get(reverse("members:manage_list"), {"after": page1.context["cursor"]})
    assert len(page2.context["rows"]) == 5 and page2.context["cursor"] is None
    pending = client.get(reverse("members:manage_list"), {"registration_status": 1}).context["rows"]
    assert {m.pk for m in pending} == {m.pk for m in members if m.registration_status == 1}
    aged = client.get(reverse("members:manage_list"), {"aged_28": "on"}).context["rows"]
    assert [m.pk for m in aged] == [members[0].pk]
    posted = client.post(reverse("members:manage_list"), {"id_number": members[3].id_number.lower()}, follow=True)
    assert [m.pk for m in posted.context["rows"]] == [members[3].pk]


def test_a_branch_pages_through_its_own_members_only(client, tree, branch2):
    """A branch has no children: its list reads its own members by branch id (member_branch_list), the
    same rows and pages its subtree gives."""
    mine = [make_member(tree.branch, approved=i % 3 != 0, name="李同名" if i in (4, 9) else "团员" + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天"[i])
            for i in range(23)]
    make_member(branch2, name="李同名")
    login(client, tree.branch)
    url = reverse("members:manage_list")
    page1 = client.get(url).context
    page2 = client.get(url, {"after": page1["cursor"]}).context
    assert page2["cursor"] is None
    assert [m.pk for m in [*page1["rows"], *page2["rows"]]] == sorted((m.pk for m in mine), reverse=True)
    pending = client.get(url, {"registration_status": 1}).context["rows"]
    assert {m.pk for m in pending} == {m.pk for m in mine if m.registration_status == 1}
    assert [m.pk for m in client.get(url, {"name": "李同名"}).context["rows"]] == [mine[9].pk, mine[4].pk]


def test_an_id_number_filter_never_reaches_an_address(client, tree):
    """身份证号 filters are posted; the address carries only a session token (portal.filters)."""
    target = make_member(tree.branch)
    other = make_member(tree.branch)
    login(client, tree.branch)
    response = client.post(reverse("members:manage_list"), {"id_number": target.id_number, "name": "",
                                                            "registration_status": "3"})
    assert response.status_code == 302
    address = response["Location"]
    assert target.id_number not in address and target.id_number[6:14] not in address
    assert "sq=" in address and "registration_status=3" in address and "name=" not in address
    page = client.get(address)
    assert [m.pk for m in page.context["rows"]] == [target.pk]
    assert target.id_number not in page.context["query"]
    # the export link carries the same token and exports the same rows
    from openpyxl import load_workbook
    import io

    export = client.get(reverse("members:export") + "?" + page.context["query"])
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [target.name]
    # a number typed straight into the address is not searched (and so not encouraged)
    typed = client.get(reverse("members:manage_list"), {"id_number": other.id_number})
    assert {m.pk for m in typed.context["rows"]} == {target.pk, other.pk}
    # another session cannot use the token
    client.logout()
    login(client, tree.branch)
    assert {m.pk for m in client.get(address).context["rows"]} == {target.pk, other.pk}


def test_cadre_id_number_filter_is_posted(client, tree):
    from ..cadres.test_cadres import add_cadre

    post = add_cadre(tree.district, id_number=make_id_number("19900101"), name="王志强", phone="13800138001")
    add_cadre(tree.district, id_number=make_id_number("19910101"), name="李娜", phone="13800138002")
    login(client, tree.district)
    response = client.post(reverse("cadres:list"), {"id_number": post.person.id_number})
    assert response.status_code == 302 and post.person.id_number not in response["Location"]
    assert [p.pk for p in client.get(response["Location"]).context["page"]] == [post.pk]


def test_export_masks_ids(client, tree):
    from openpyxl import load_workbook

    m = make_member(tree.branch)
    login(client, tree.branch)
    response = client.get(reverse("members:export"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.values)
    assert rows[1][3] == m.masked_id and m.id_number not in str(rows)


def test_branch_reviews_in_service_pages_and_the_todo_counts(client, tree):
    m = make_member(tree.branch, approved=False)
    assert [t["label"] for t in todos_for(actor_of(tree.branch))].count("团员报到审核") == 1
    login(client, tree.branch)
    response = client.post(reverse("members:review", args=[m.pk]), {"decision": "return", "reason": ""})
    m.refresh_from_db()
    assert m.registration_status == RegistrationStatus.PENDING
    response = client.post(reverse("members:review", args=[m.pk]), {"decision": "approve"}, follow=True)
    assert "审核通过" in response.content.decode()
    m.refresh_from_db()
    assert m.registration_status == RegistrationStatus.APPROVED
    assert "团员报到审核" not in [t["label"] for t in todos_for(actor_of(tree.branch))]


def test_operator_reviews_on_the_cadre_end(client, tree):
    m = make_member(tree.branch, approved=False)
    _operator(client, tree.branch)
    assert m.name in client.get(reverse("members:cadre_members")).content.decode()
    client.post(reverse("members:cadre_member", args=[m.pk]), {"decision": "approve"})
    m.refresh_from_db()
    assert m.registration_status == RegistrationStatus.APPROVED


def test_qr_code_page_and_download(client, tree):
    login(client, tree.branch)
    page = client.get(reverse("members:qr"))
    assert f"/m/register/org/{tree.branch.code}/" in page.content.decode() and "<svg" in page.content.decode()
    png = client.get(reverse("members:qr"), {"download": 1})
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    login(client, tree.general)
    assert client.get(reverse("members:qr")).status_code == 404


def test_member_registers_by_qr_link_after_wechat_login(client, tree):
    from portal.views.mobile import SESSION_PENDING

    response = client.get(reverse("members:register_branch", args=[tree.branch.code]))
    assert response["Location"].startswith(reverse("mobile:member_login"))
    session = client.session
    session[SESSION_PENDING] = {"kind": "mp", "id": "openid-qr"}
    session.save()
    assert client.get(reverse("mobile:member_register")).status_code == 200
    data = member_data(tree.branch, joined=date(2015, 5, 1))
    steps = {
        1: {"name": data["name"], "id_type": 1, "id_number": data["id_number"], "joined_league": "2015-05"},
        2: {"income": 1, "political_status": 1, "is_cadre": "0"},
        3: {k: data[k] for k in ("phone", "nation", "education", "highest_education", "hukou_province",
                                 "hukou_city", "hukou_county", "join_unit")},
        4: {"member_number": ""},
    }
    for step, post in steps.items():
        response = client.post(reverse("members:register_step", args=[step]), post)
        assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("members:register_status")
    member = Member.objects.get(id_number=data["id_number"])
    assert member.branch == tree.branch and member.registration_status == RegistrationStatus.PENDING
    page = client.get(reverse("members:register_status")).content.decode()
    assert "报到待审核" in page and "撤回报到" in page
    client.post(reverse("members:withdraw"), {"confirm": "撤回报到"})
    member.refresh_from_db()
    assert member.registration_status == RegistrationStatus.WITHDRAWN


def test_step_form_shows_the_reference_message(client, tree):
    from portal.views.mobile import SESSION_PENDING

    client.get(reverse("members:register_branch", args=[tree.branch.code]))
    session = client.session
    session[SESSION_PENDING] = {"kind": "mp", "id": "openid-s"}
    session.save()
    response = client.post(reverse("members:register_step", args=[1]), {
        "name": "王五", "id_type": 1, "id_number": "440106200003150000", "joined_league": "2015-05"})
    assert "身份证号码校验错误" in response.content.decode()


def test_branch_search_finds_only_province_branches(client, tree):
    from portal.views.mobile import SESSION_PENDING

    session = client.session
    session[SESSION_PENDING] = {"kind": "mp", "id": "openid-s"}
    session.save()
    page = client.get(reverse("members:branch_search"), {"q": "研发一部"}).content.decode()
    assert tree.branch.full_name in page
    page = client.get(reverse("members:branch_search"), {"q": tree.branch.code}).content.decode()
    assert tree.branch.full_name in page
    page = client.get(reverse("members:branch_search"), {"q": "研发中心"}).content.decode()
    assert tree.general.full_name not in page.split("branch-results")[-1] or "branch-results" not in page


def test_member_profile_and_edit_pages(client, tree):
    m = make_member(tree.branch)
    login_person(client, m.user)
    actor = actor_for_user(m.user)
    assert actor.extra["member"] == m and actor.org == tree.branch
    page = client.get(reverse("members:profile")).content.decode()
    assert m.id_number in page  # the member's own page shows the full number
    client.post(reverse("members:profile_edit", args=["reviewed"]), {"income": 2, "political_status": 1,
                                                                    "is_cadre": "0"})
    page = client.get(reverse("members:profile")).content.decode()
    assert "收入由2000元以下改为2000–5000元 — 待审核" in page
    assert "我的组织" in client.get(reverse("mobile:member_home")).content.decode()
    assert tree.branch.full_name in client.get(reverse("members:my_org")).content.decode()


def test_audience_and_emptiness(tree):
    m = make_member(tree.branch)
    pending = make_member(tree.branch, approved=False)
    assert list(audience_users(MEMBERS, tree.city_a)) == [m.user]
    assert pending.user not in audience_users(MEMBERS, tree.city_a)
    assert "该组织存在团员" in reasons_not_empty(tree.branch)


def test_status_apply_page_uploads(client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = make_member(tree.branch)
    login(client, tree.branch)
    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")
    response = client.post(reverse("members:status_apply", args=[m.pk]), {
        "kind": 6, "description": "该团员本人提交书面申请，经支部大会讨论通过，同意其自愿退团，报上级组织审批。",
        "attachments": [png]})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.league_status == 7
    login(client, tree.general)
    req = m.requests.get()
    page = client.get(reverse("members:request_detail", args=[req.pk])).content.decode()
    assert "p.png" in page
    assert client.get(reverse("members:attachment", args=[req.pk, req.attachments.get().pk])).status_code == 200
    login(client, tree.city_b)
    assert client.get(reverse("members:request_detail", args=[req.pk])).status_code == 404


def test_export_writes_formulas_as_text_and_survives_illegal_characters(client, tree):
    """A registered name =HYPERLINK(...) is text in the export; a name with \\x01 no longer fails it (500)."""
    from openpyxl import load_workbook

    evil = make_member(tree.branch)
    odd = make_member(tree.branch)
    Member.objects.filter(pk=evil.pk).update(name='=HYPERLINK("http://evil.example","点我")')
    Member.objects.filter(pk=odd.pk).update(name="王\x01强")
    login(client, tree.province)  # the province: every export above the branch
    response = client.get(reverse("members:export"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0].value: row[0] for row in ws.iter_rows(min_row=2)}
    cell = names['=HYPERLINK("http://evil.example","点我")']
    assert cell.data_type == "s" and cell.quotePrefix
    assert "王强" in names
