"""入驻 as the manual says: the cadre fills in their own 职务; an operator whose org has no 企业号代称
is asked for it at every login until it is set; the org changes it on /manage/ (修改企业号名称)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from orgtree.rules import OrgType
from orgtree.services import ERR_ALIAS_TAKEN
from portal.models import AuditLog
from services.cadres import services
from services.cadres.models import CadrePost, LeadingDuty, OtherDuty

from ...factories import actor_of, login, make_child, refresh
from .test_cadre_end import follow
from .test_cadres import add_cadre

pytestmark = pytest.mark.django_db


def enter(client, fake_wechat, userid, next_url=""):
    """Open the cadre end from WeChat Work (a login), optionally going to ``next_url``."""
    response = client.get(reverse("mobile:cadre_login"), {"next": next_url} if next_url else {})
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    return follow(client, client.get(reverse("mobile:cadre_callback"),
                                     {"code": fake_wechat.issue_code(userid), "state": state}))


def test_joining_asks_a_leading_body_cadre_for_their_duty_from_its_list(client, tree, fake_wechat):
    post = add_cadre(tree.district, phone="13800138001", title="副书记")
    page = enter(client, fake_wechat, "13800138001")
    assert page.wsgi_request.path == reverse("cadres:m_duty")
    html = page.content.decode()
    assert "常委" in html and "候补委员" in html and "组织委员" not in html  # §3.4a, not §3.4b
    # 委员 needs a 职务名称; the Chinese reason is on the field and nothing is stored
    page = client.post(reverse("cadres:m_duty"), {"duty": LeadingDuty.COMMITTEE, "duty_name": ""})
    assert services.ERR_DUTY_NAME_REQUIRED in page.content.decode()
    assert CadrePost.objects.get(pk=post.pk).duty is None
    page = client.post(reverse("cadres:m_duty"), {"duty": 9})  # not in this org's list
    assert page.status_code == 200 and CadrePost.objects.get(pk=post.pk).duty is None
    page = follow(client, client.post(reverse("cadres:m_duty"), {"duty": LeadingDuty.COMMITTEE,
                                                                 "duty_name": "组织部部长"}))
    assert page.wsgi_request.path == reverse("mobile:cadre_home")
    post.refresh_from_db()
    assert (post.duty, post.duty_name, post.duty_label) == (LeadingDuty.COMMITTEE, "组织部部长", "组织部部长")
    entry = AuditLog.objects.get(action="cadre.duty")
    assert entry.organization == tree.district and entry.after == {"团干职务": "组织部部长"}
    assert "组织部部长" in page.content.decode()  # shown on the identity card
    # detail on the service pages shows what the cadre entered
    login(client, tree.district)
    assert "组织部部长" in client.get(reverse("cadres:detail", args=[post.pk])).content.decode()


def test_other_orgs_use_their_list_and_a_name_only_for_other(client, tree, fake_wechat):
    post = add_cadre(tree.branch, phone="13800138001")
    enter(client, fake_wechat, "13800138001")
    page = client.post(reverse("cadres:m_duty"), {"duty": OtherDuty.OTHER})
    assert services.ERR_DUTY_NAME_REQUIRED in page.content.decode()
    follow(client, client.post(reverse("cadres:m_duty"), {"duty": OtherDuty.PUBLICITY}))
    post.refresh_from_db()
    assert post.duty == OtherDuty.PUBLICITY and post.duty_label == "宣传委员"
    assert "宣传委员" in post.search_text


def test_the_duty_is_asked_at_every_login_until_given_and_the_way_on_is_kept(client, tree, fake_wechat):
    add_cadre(tree.branch, phone="13800138001")
    directory = reverse("cadres:m_directory")
    page = enter(client, fake_wechat, "13800138001", next_url=directory)
    assert page.wsgi_request.path == reverse("cadres:m_duty")
    client.logout()
    page = enter(client, fake_wechat, "13800138001", next_url=directory)
    assert page.wsgi_request.path == reverse("cadres:m_duty")
    page = follow(client, client.post(reverse("cadres:m_duty") + f"?next={directory}",
                                      {"duty": OtherDuty.SECRETARY, "next": directory}))
    assert page.wsgi_request.path == directory  # where the login was going
    client.logout()
    assert enter(client, fake_wechat, "13800138001", next_url=directory).wsgi_request.path == directory
    # an address elsewhere is not followed
    client.logout()
    page = enter(client, fake_wechat, "13800138001", next_url="https://evil.example/")
    assert page.wsgi_request.path == reverse("mobile:cadre_home")


def test_an_operator_is_asked_for_the_alias_at_every_login_until_it_is_set(client, tree, fake_wechat):
    post = add_cadre(tree.committee, phone="13800138001")
    services.operator_set(actor=actor_of(tree.committee), post=post, label="组织委员")
    CadrePost.objects.filter(pk=post.pk).update(duty=OtherDuty.ORGANISATION)
    assert enter(client, fake_wechat, "13800138001").wsgi_request.path == reverse("cadres:m_alias")
    page = follow(client, client.post(reverse("cadres:m_alias"), {"later": "1"}))  # 暂不设置
    assert page.wsgi_request.path == reverse("mobile:cadre_home")
    assert follow(client, client.get(reverse("mobile:cadre_start"))).wsgi_request.path == reverse("mobile:cadre_home")
    client.logout()  # not only straight after joining: at the next login again
    assert enter(client, fake_wechat, "13800138001").wsgi_request.path == reverse("cadres:m_alias")
    follow(client, client.post(reverse("cadres:m_alias"), {"alias": "某公司团委"}))
    assert refresh(tree.committee).wechat_work_alias == "某公司团委"
    client.logout()
    assert enter(client, fake_wechat, "13800138001").wsgi_request.path == reverse("mobile:cadre_home")
    # set now: changed on the service pages, not here
    page = follow(client, client.get(reverse("cadres:m_alias")))
    assert page.wsgi_request.path == reverse("mobile:cadre_home") and "修改企业号名称" in page.content.decode()


def test_an_ordinary_cadre_is_never_asked_for_the_alias(client, tree, fake_wechat):
    post = add_cadre(tree.committee, phone="13800138001")
    CadrePost.objects.filter(pk=post.pk).update(duty=OtherDuty.ORGANISATION)
    assert enter(client, fake_wechat, "13800138001").wsgi_request.path == reverse("mobile:cadre_home")
    assert follow(client, client.get(reverse("cadres:m_alias"))).wsgi_request.path == reverse("mobile:cadre_home")


def test_the_org_changes_its_work_alias_on_the_service_pages(client, tree):
    sibling = make_child(tree.district, OrgType.COMMITTEE, "另一公司")
    from orgtree.services import org_set_work_alias

    org_set_work_alias(actor=actor_of(sibling), alias="科技团委")
    org_set_work_alias(actor=actor_of(tree.committee), alias="旧名团委")
    login(client, tree.committee)
    home = client.get(reverse("portal:home")).content.decode()
    assert "修改企业号名称" in home and reverse("cadres:work_alias") in home  # 系统管理 menu
    page = client.get(reverse("cadres:work_alias")).content.decode()
    assert "旧名团委" in page and "新企业号名称" in page
    for bad, message in (("一二三四五六七八九十一二三四五六七", "16"), ("某公司 团委", "企业代号不能含有特殊字符"),
                         ("某公司:团委", "企业代号不能含有特殊字符"), ("科技团委", ERR_ALIAS_TAKEN), ("", "必需")):
        response = client.post(reverse("cadres:work_alias"), {"alias": bad})
        assert response.status_code == 200 and message in response.content.decode(), bad
        assert refresh(tree.committee).wechat_work_alias == "旧名团委"
    response = client.post(reverse("cadres:work_alias"), {"alias": "某公司团委"})
    assert response["Location"] == reverse("cadres:work_alias")
    assert refresh(tree.committee).wechat_work_alias == "某公司团委"
    entry = AuditLog.objects.filter(action="org.work_alias").latest("id")
    assert entry.before == {"企业号代称": "旧名团委"} and entry.after == {"企业号代称": "某公司团委"}
    assert entry.organization == tree.committee


def test_work_alias_page_is_for_org_actors_only(client, tree):
    from .cadre_end import cadre_login

    cadre_login(client, tree.committee)
    assert client.get(reverse("cadres:work_alias")).status_code == 403
