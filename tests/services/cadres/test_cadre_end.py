"""The cadre end in WeChat Work: 入驻 by phone, working identity, 企业号代称, directory, contact sync."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgtree.services import ERR_ALIAS_TAKEN, org_set_work_alias
from portal.models import WeChatIdentity
from services.cadres import contacts, services
from services.cadres.models import CadreNature, CadrePerson, ContactSync, OtherDuty

from ...factories import actor_of, refresh
from .test_cadres import add_cadre


def wechat_work_login(client, fake_wechat, userid):
    response = client.get(reverse("mobile:cadre_login"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    code = fake_wechat.issue_code(userid)
    return client.get(reverse("mobile:cadre_callback"), {"code": code, "state": state})


def follow(client, response):
    while response.status_code == 302:
        response = client.get(response["Location"])
    return response


@pytest.mark.django_db
def test_a_cadre_joins_by_phone_and_is_recorded(client, tree, fake_wechat, django_capture_on_commit_callbacks):
    post = add_cadre(tree.committee, name="王志强", phone="13800138001")
    response = wechat_work_login(client, fake_wechat, "13800138001")
    assert response["Location"] == reverse("mobile:cadre_join")
    page = follow(client, response)
    assert page.wsgi_request.path == reverse("cadres:m_duty")  # 入驻 asks for the cadre's own 职务
    page = follow(client, client.post(reverse("cadres:m_duty"), {"duty": OtherDuty.SECRETARY}))
    assert page.wsgi_request.path == reverse("mobile:cadre_home")
    person = CadrePerson.objects.get()
    assert person.joined_work_at is not None and person.working_post == post
    assert WeChatIdentity.objects.get(user=person.user).external_id == "13800138001"
    actor = page.wsgi_request.actor
    assert actor.kind == "cadre" and actor.org == tree.committee and not actor.acts_for_org
    # next time the identity is known: straight in
    client.logout()
    response = wechat_work_login(client, fake_wechat, "13800138001")
    assert response["Location"] == reverse("mobile:cadre_start")
    assert follow(client, response).wsgi_request.path == reverse("mobile:cadre_home")
    login = client.get(reverse("cadres:list"))  # ordinary cadres cannot use the service pages
    assert login.status_code == 403
    assert "是" in refresh_list(tree)


def refresh_list(tree):
    from django.test import Client

    from ...factories import login

    c = Client()
    login(c, tree.committee)
    html = c.get(reverse("cadres:list")).content.decode()
    return html.split("王志强", 1)[1]


@pytest.mark.django_db
def test_unknown_or_disabled_cadres_cannot_join(client, tree, fake_wechat):
    page = follow(client, wechat_work_login(client, fake_wechat, "13999999999"))
    assert services.ERR_NOT_FOUND in page.content.decode()
    post = add_cadre(tree.committee, phone="13800138001")
    services.cadre_set_enabled(actor=actor_of(tree.committee), post=post, enabled=False)
    page = follow(client, wechat_work_login(client, fake_wechat, "13800138001"))
    assert services.ERR_ALL_DISABLED in page.content.decode()
    assert CadrePerson.objects.get().joined_work_at is None and not WeChatIdentity.objects.exists()


@pytest.mark.django_db
def test_a_cadre_of_several_orgs_chooses_the_working_identity(client, tree, fake_wechat):
    first = add_cadre(tree.district, phone="13800138001")
    second, _ = services.cadre_create(actor=actor_of(tree.committee), data={
        "id_number": first.person.id_number, "title": "副书记", "nature": CadreNature.PART_TIME})
    disabled, _ = services.cadre_create(actor=actor_of(tree.b_district), data={
        "id_number": first.person.id_number, "title": "委员", "nature": CadreNature.PART_TIME})
    services.cadre_set_enabled(actor=actor_of(tree.b_district), post=disabled, enabled=False)
    page = follow(client, wechat_work_login(client, fake_wechat, "13800138001"))
    assert page.wsgi_request.path == reverse("cadres:m_identity")
    html = page.content.decode()
    assert tree.district.full_name in html and tree.committee.full_name in html
    assert tree.b_district.full_name not in html  # disabled there
    assert client.post(reverse("cadres:m_identity"), {"post": disabled.pk}).status_code == 200
    page = follow(client, client.post(reverse("cadres:m_identity"), {"post": second.pk}))
    assert page.wsgi_request.actor.org == tree.committee


@pytest.mark.django_db
def test_the_first_operator_names_the_org_in_wechat_work(client, tree, fake_wechat):
    post = add_cadre(tree.committee, phone="13800138001")
    services.operator_set(actor=actor_of(tree.committee), post=post, label="组织委员")
    page = follow(client, wechat_work_login(client, fake_wechat, "13800138001"))
    assert page.wsgi_request.path == reverse("cadres:m_duty")
    page = follow(client, client.post(reverse("cadres:m_duty"), {"duty": OtherDuty.ORGANISATION}))
    assert page.wsgi_request.path == reverse("cadres:m_alias")
    assert page.wsgi_request.actor.kind == "operator"
    response = client.post(reverse("cadres:m_alias"), {"alias": "某公司 团委"})
    assert "企业代号不能含有特殊字符" in response.content.decode()
    response = client.post(reverse("cadres:m_alias"), {"alias": "某公司团委"})
    assert follow(client, response).wsgi_request.path == reverse("mobile:cadre_home")
    assert refresh(tree.committee).wechat_work_alias == "某公司团委"


@pytest.mark.django_db
def test_work_alias_is_unique_among_siblings(tree):
    from orgtree.rules import OrgType

    from ...factories import make_child

    sibling = make_child(tree.district, OrgType.COMMITTEE, "另一公司")
    org_set_work_alias(actor=actor_of(sibling), alias="科技团委")
    with pytest.raises(ValidationError) as exc:
        org_set_work_alias(actor=actor_of(tree.committee), alias="科技团委")
    assert exc.value.message_dict["alias"] == [ERR_ALIAS_TAKEN]
    org_set_work_alias(actor=actor_of(tree.b_district), alias="科技团委")  # not a sibling: allowed


@pytest.mark.django_db
def test_directory_searches_the_province_by_name_org_or_post(client, tree):
    add_cadre(tree.committee, name="王志强", phone="13800138001", title="书记")
    add_cadre(tree.b_district, id_number="11010519491231002X", name="李娜", phone="13800138002", title="组织委员")
    off = add_cadre(tree.district, id_number="440106200001010019", name="王停用", phone="13800138003")
    services.cadre_set_enabled(actor=actor_of(tree.district), post=off, enabled=False)
    me = add_cadre(tree.general, id_number="440106200801010017", name="张三", phone="13800138004")
    services.cadre_join(person=me.person, userid="13800138004")
    client.force_login(CadrePerson.objects.get(pk=me.person_id).user, backend="portal.backends.WeChatBackend")

    def names(q):
        html = client.get(reverse("cadres:m_directory"), {"q": q}).content.decode()
        return [n for n in ("王志强", "李娜", "王停用", "张三") if n in html]

    assert names("王") == ["王志强"]  # across the province, disabled ones left out
    assert names("南山区") == ["李娜"]  # by org
    assert names("组织委员") == ["李娜"]  # by post
    assert 'href="tel:13800138002"' in client.get(reverse("cadres:m_directory"), {"q": "李娜"}).content.decode()
    # 团干查询 is the working org's subtree only
    html = client.get(reverse("cadres:m_cadres")).content.decode()
    assert "张三" in html and "李娜" not in html and "王志强" not in html


@pytest.mark.django_db
def test_directory_is_for_cadres_only(client, tree):
    from ...factories import login

    login(client, tree.committee)
    assert client.get(reverse("cadres:m_directory"), {"q": "王"}).status_code == 403


@pytest.mark.django_db
def test_entering_changing_disabling_and_deleting_sync_the_contact_list(tree, fake_wechat,
                                                                       django_capture_on_commit_callbacks):
    actor = actor_of(tree.committee)
    def user_calls():
        return [c["path"].rsplit("/", 1)[1] for c in fake_wechat.calls if "/user/" in c["path"]]

    with django_capture_on_commit_callbacks(execute=True):
        post = add_cadre(tree.committee, name="王志强", phone="13800138001")
    assert user_calls() == ["update"]  # the fake answers ok: an existing member was updated
    # a member WeChat Work does not know yet is created
    fake_wechat.script("/work/cgi-bin/user/update", {"errcode": 60111, "errmsg": "userid not found"})
    with django_capture_on_commit_callbacks(execute=True):
        services.cadre_update(actor=actor, post=post, data={"name": "王志刚"})
    assert user_calls() == ["update", "update", "create"]
    created = fake_wechat.received("/work/cgi-bin/user/create")[0]["json"]
    assert created["userid"] == "13800138001" and created["name"] == "王志刚" and created["mobile"] == "13800138001"

    with django_capture_on_commit_callbacks(execute=True):
        services.cadre_set_enabled(actor=actor, post=post, enabled=False)
    assert fake_wechat.received("/work/cgi-bin/user/update")[-1]["json"]["enable"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.cadre_delete(actor=actor, post=post)
    assert fake_wechat.received("/work/cgi-bin/user/delete")[0]["query"]["userid"] == "13800138001"
    assert set(ContactSync.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
def test_contact_sync_retries_and_stays_off_without_credentials(tree, fake_wechat, settings,
                                                                django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    fake_wechat.script("/work/cgi-bin/user/update", {"errcode": -1, "errmsg": "busy"})
    with django_capture_on_commit_callbacks(execute=True):
        add_cadre(tree.committee, phone="13800138001")
    row = ContactSync.objects.get()
    assert (row.status, row.errcode) == ("retrying", -1)
    assert contacts.retry_due(now=row.next_attempt_at) == 1
    row.refresh_from_db()
    assert row.status == "done" and row.attempts == 2
    settings.WECHAT = {**settings.WECHAT, "WORK_CORP_ID": ""}
    add_cadre(tree.district, id_number="11010519491231002X", phone="13800138002")
    assert ContactSync.objects.count() == 1
    assert contacts.retry_due(now=timezone.now() + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_directory_follows_renames_and_orgs_with_cadres_cannot_be_deleted(tree):
    from orgtree.services import org_delete, org_update
    from services.cadres.selectors import directory_search

    post = add_cadre(tree.branch, name="王志强", phone="13800138001", title="书记")
    def found(q):
        return [row["id"] for row in directory_search(q)]

    assert found("研发一部") == [post.pk]
    org_update(actor=actor_of(tree.general), org=tree.branch, data={"full_name": "共青团某公司测试三部支部委员会", "short_name": "测试三部"})
    assert found("测试三部") == [post.pk] and not found("研发一部")
    services.cadre_update(actor=actor_of(tree.branch), post=post, data={"name": "王志刚"})
    assert found("王志刚") == [post.pk] and found("王志") == [post.pk]
    with pytest.raises(ValidationError, match="该组织存在团干信息"):
        org_delete(actor=actor_of(tree.general), org=tree.branch)


@pytest.mark.django_db
def test_a_deleted_and_re_entered_cadre_can_join_again(client, tree, fake_wechat):
    post = add_cadre(tree.committee, phone="13800138001")
    services.cadre_join(person=post.person, userid="13800138001")
    services.cadre_delete(actor=actor_of(tree.committee), post=post)
    assert not WeChatIdentity.objects.exists()
    again = add_cadre(tree.district, id_number="11010519491231002X", phone="13800138001")
    page = follow(client, wechat_work_login(client, fake_wechat, "13800138001"))
    assert page.wsgi_request.actor.org == tree.district
    assert CadrePerson.objects.get(pk=again.person_id).user.wechat_identities.get().external_id == "13800138001"


@pytest.mark.django_db
def test_a_new_phone_moves_the_contact_and_the_operator_login(tree, fake_wechat, django_capture_on_commit_callbacks):
    from portal.models import User

    actor = actor_of(tree.committee)
    post = add_cadre(tree.committee, name="王志强", phone="13800138001")
    services.operator_set(actor=actor, post=post, label="干事")
    with django_capture_on_commit_callbacks(execute=True):
        services.cadre_update(actor=actor, post=post, data={"phone": "13800138009"})
    assert fake_wechat.received("/work/cgi-bin/user/delete")[-1]["query"]["userid"] == "13800138001"
    assert fake_wechat.received("/work/cgi-bin/user/update")[-1]["json"]["userid"] == "13800138009"
    assert User.objects.get(kind=User.Kind.OPERATOR).phone == "13800138009"  # logs in with the new number
