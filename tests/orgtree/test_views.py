import pytest
from django.urls import reverse

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.models import AuditLog, User

from ..factories import login, make_child, refresh

pytestmark = pytest.mark.django_db


def org_urls(org):
    return [
        reverse("orgtree:detail", args=[org.pk]),
        reverse("orgtree:edit", args=[org.pk]),
        reverse("orgtree:delete", args=[org.pk]),
        reverse("orgtree:reset_password", args=[org.pk]),
        reverse("orgtree:tree_children") + f"?node={org.pk}",
    ]


def test_sibling_gets_404_for_every_org_url(client, tree):
    login(client, tree.city_b)
    for org in (tree.city_a, tree.district, tree.committee, tree.branch):
        for url in org_urls(org):
            assert client.get(url).status_code == 404, url
        for url in org_urls(org)[1:4]:
            assert client.post(url, {}).status_code == 404, url
    assert refresh(tree.branch).full_name == tree.branch.full_name


def test_grandparent_views_but_cannot_edit_delete_or_reset(client, tree):
    login(client, tree.city_a)
    assert client.get(reverse("orgtree:detail", args=[tree.committee.pk])).status_code == 200
    for url in org_urls(tree.committee)[1:4]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"short_name": "x"}).status_code == 403, url
    assert refresh(tree.committee).short_name == "某公司"
    assert not AuditLog.objects.filter(action__in=["org.update", "org.delete", "org.reset_password"]).exists()


def test_children_list_shows_direct_children_with_filters(client, tree):
    make_child(tree.city_a, OrgType.COMMITTEE, "广州地铁")
    login(client, tree.city_a)
    page = client.get(reverse("orgtree:list")).content.decode()
    assert "天河区" in page and "广州地铁" in page and "某公司" not in page
    page = client.get(reverse("orgtree:list"), {"org_type": OrgType.COMMITTEE}).content.decode()
    assert "广州地铁" in page and "天河区" not in page
    page = client.get(reverse("orgtree:list"), {"name": "天河"}).content.decode()
    assert "天河区" in page and "广州地铁" not in page


def create_payload(**overrides):
    data = {"org_type": OrgType.LEADING, "full_name": "共青团广州市海珠区委员会", "short_name": "团海珠区委",
            "phone": "020-84440000", "email": "haizhu@example.com", "admin_quota": 5, "admin_staffed": 4,
            "career_quota": 2, "career_staffed": 2}
    data.update(overrides)
    return data


def test_create_shows_the_password_once(client, tree):
    login(client, tree.city_a)
    response = client.post(reverse("orgtree:create"), create_payload())
    assert response.status_code == 302 and response["Location"] == reverse("orgtree:credentials")
    org = Organization.objects.get(full_name="共青团广州市海珠区委员会")
    page = client.get(reverse("orgtree:credentials")).content.decode()
    assert org.code in page
    password = page.split('id="cred-password">')[1].split("<")[0]
    assert User.objects.get(username=org.code).check_password(password)
    again = client.get(reverse("orgtree:credentials")).content.decode()
    assert password not in again and "已不能再次查看" in again


def test_create_bad_input_shows_chinese_errors_and_changes_nothing(client, tree):
    login(client, tree.city_a)
    before = Organization.objects.count()
    response = client.post(reverse("orgtree:create"), create_payload(phone="123", email="x", is_school="on",
                                                                   school_code="123"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "联系电话不正确" in page and "电子邮箱不正确" in page
    assert Organization.objects.count() == before
    response = client.post(reverse("orgtree:create"), create_payload(is_school="on", school_code="9944010558"))
    assert "学校标识码前两位不是有效的学校类别代码" in response.content.decode()
    response = client.post(reverse("orgtree:create"), create_payload(org_type=OrgType.WORKING, full_name=""))
    assert "请填写团组织全称" in response.content.decode()
    assert Organization.objects.count() == before


def test_create_offers_only_the_types_allowed_under_the_actor(client, tree):
    login(client, tree.general)
    page = client.get(reverse("orgtree:create")).content.decode()
    assert '<option value="5">团支部</option>' in page and "团工委" not in page
    response = client.post(reverse("orgtree:create"), create_payload(org_type=OrgType.COMMITTEE))
    assert "选择一个有效的选项" in response.content.decode()


def test_branch_has_no_create(client, tree):
    login(client, tree.branch)
    response = client.get(reverse("orgtree:create"))
    assert response.status_code == 403 and "团支部没有下级组织" in response.content.decode()
    response = client.post(reverse("orgtree:create"), create_payload())
    assert response.status_code == 403
    assert not Organization.objects.filter(path__startswith=tree.branch.path).exclude(pk=tree.branch.pk).exists()


def test_edit_delete_reset_by_direct_parent(client, tree):
    login(client, tree.district)
    url = reverse("orgtree:edit", args=[tree.committee.pk])
    data = create_payload(org_type=OrgType.COMMITTEE, full_name="共青团某公司委员会（改）", short_name="某公司",
                          industry=10)
    assert client.post(url, data).status_code == 302
    assert refresh(tree.committee).full_name == "共青团某公司委员会（改）"
    response = client.post(reverse("orgtree:reset_password", args=[tree.committee.pk]))
    assert response["Location"] == reverse("orgtree:credentials")
    # not empty: deletion refused with the reason
    response = client.post(reverse("orgtree:delete", args=[tree.committee.pk]), follow=True)
    assert "该组织存在下级组织" in response.content.decode()
    assert Organization.objects.filter(pk=tree.committee.pk).exists()


def test_detail_counts_children_and_descendants(client, tree):
    login(client, tree.city_a)
    page = client.get(reverse("orgtree:detail", args=[tree.district.pk])).content.decode()
    assert 'id="count-children">1<' in page and 'id="count-descendants">3<' in page


def test_tree_children_and_search_stay_in_scope(client, tree):
    login(client, tree.city_a)
    data = client.get(reverse("orgtree:tree_children")).json()
    assert [c["name"] for c in data["children"]] == [tree.district.full_name]
    data = client.get(reverse("orgtree:tree_children"), {"node": tree.committee.pk}).json()
    assert [c["id"] for c in data["children"]] == [tree.general.pk]
    assert data["children"][0]["has_children"] is True
    hits = client.get(reverse("orgtree:tree_search"), {"q": "区委员"}).json()["results"]
    assert {h["id"] for h in hits} == {tree.district.pk}  # 南山区 is the sibling city's
    assert hits[0]["parent"] == tree.city_a.full_name
    hits = client.get(reverse("orgtree:tree_search"), {"q": "研发"}).json()["results"]
    assert [h["id"] for h in hits] == [tree.general.pk, tree.branch.pk]  # shallowest first
    assert client.get(reverse("orgtree:tree_search"), {"q": "南山"}).json()["results"] == []


def test_tree_search_names_each_hits_parent_and_none_above_the_top(client, tree):
    login(client, tree.province)
    hits = {h["id"]: h for h in client.get(reverse("orgtree:tree_search"), {"q": tree.province.full_name}).json()["results"]}
    assert hits[tree.province.pk]["parent"] == ""
    hits = client.get(reverse("orgtree:tree_search"), {"q": "深圳市"}).json()["results"]
    assert [(h["id"], h["parent"], h["type"]) for h in hits][0] == (tree.city_b.pk, tree.province.full_name, "领导机关团组织")


def test_tree_search_refuses_vague_queries(client, tree):
    login(client, tree.city_a)
    for query in ("", "区", "共青团", "委员会", "共青团委员会", "团委"):
        data = client.get(reverse("orgtree:tree_search"), {"q": query}).json()
        assert data == {"results": [], "error": "请输入更具体的组织名称（至少两个字，“共青团”“委员会”等通用词除外）"}


def test_move_view(client, tree):
    new_parent = make_child(tree.city_a, OrgType.LEADING, "白云区")
    login(client, tree.city_a)
    url = reverse("orgtree:move")
    page = client.get(url, {"source_parent": tree.district.code}).content.decode()
    assert tree.committee.full_name in page
    response = client.post(url, {"source_parent": tree.district.code, "orgs": [tree.committee.pk],
                                 "target": new_parent.code})
    assert "请确认已知晓组织迁移的影响" in response.content.decode()
    assert refresh(tree.committee).parent_path == tree.district.path
    response = client.post(url, {"source_parent": tree.district.code, "orgs": [tree.committee.pk],
                                 "target": tree.b_district.code, "confirm": "on"})
    assert "本组织管理范围内没有该组织ID" in response.content.decode()
    response = client.post(url, {"source_parent": tree.district.code, "orgs": [tree.committee.pk],
                                 "target": new_parent.code, "confirm": "on"})
    assert response.status_code == 302
    assert refresh(tree.committee).parent_path == new_parent.path
    assert Organization.find_problems() == ([], [], [], [], [])
    # a refusal from the service shows on the page
    branch = make_child(tree.district, OrgType.BRANCH, "区直机关")
    response = client.post(url, {"source_parent": new_parent.code, "orgs": [tree.committee.pk],
                                 "target": branch.code, "confirm": "on"})
    assert "团支部是组织树的末端，不能建立下级组织" in response.content.decode()
    assert refresh(tree.committee).parent_path == new_parent.path
    # the sibling city's orgs cannot even be listed as a source
    page = client.get(url, {"source_parent": tree.city_b.code}).content.decode()
    assert "本组织管理范围内没有该组织ID" in page and tree.b_district.full_name not in page


def test_own_org_page(client, tree):
    login(client, tree.district)
    page = client.get(reverse("orgtree:own")).content.decode()
    assert tree.district.full_name in page and tree.city_a.full_name in page


def test_org_changes_its_own_phone(client, tree):
    login(client, tree.district)
    url = reverse("orgtree:own_phone")
    page = client.post(url, {"phone": "020-38881234", "phone_confirm": "020-38881235"}).content.decode()
    assert "新团组织联系电话与确认新团组织联系电话不一致" in page
    page = client.post(url, {"phone": "12345", "phone_confirm": "12345"}).content.decode()
    assert "联系电话不正确" in page
    assert refresh(tree.district).phone == "13800138000"
    assert client.post(url, {"phone": "020-38881234", "phone_confirm": "020-38881234"}).status_code == 302
    assert refresh(tree.district).phone == "020-38881234"
    entry = AuditLog.objects.get(action="org.change_phone")
    assert entry.before == {"团组织联系电话": "13800138000"} and entry.after == {"团组织联系电话": "020-38881234"}
