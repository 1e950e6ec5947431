"""The keyword assistant finds Chinese keywords inside unspaced Chinese text, at all three ends."""

import pytest
from django.urls import reverse

from pages.cjk import index_grams, query_grams
from pages.models import HelpArticlePage
from pages.selectors import search
from portal.models import User

from ..factories import login

pytestmark = pytest.mark.django_db


def found(end, query):
    return [r["page"].title for r in search(end=end, query=query)]


def test_grams():
    assert query_grams("组织关系转接") == ["组织", "织关", "关系", "系转", "转接"]
    assert query_grams("团") == ["团"]
    assert query_grams(" 团费 tuan@12355 ") == ["团费", "tuan", "12355"]
    assert "转接" in index_grams("<p>组织关系转接</p>").split()


@pytest.mark.parametrize("query, expected", [
    ("报到", "如何报到"),
    ("修改", "修改个人信息"),
    ("身份证号码", "修改个人信息"),
])
def test_member_search_finds_chinese_keywords(content, query, expected):
    titles = found("member", query)
    assert expected in titles[:2], titles  # a title match ranks first (an announcement may share it)


def test_keyword_only_inside_a_sentence_is_found(content):
    # "恢复到" occurs only inside unspaced sentences of one org article; a whole-token index misses it.
    assert found("manage", "恢复到") == ["团籍管理"]
    assert found("member", "恢复到") == []  # that article is for orgs
    assert "企业号团务操作" in found("cadre", "运营者")


def test_search_pages_at_the_three_ends(client, tree, content):
    login(client, tree.city_a)
    html = client.get(reverse("pages:manage_search"), {"q": "报到"}).content.decode()
    assert "团员报到与资料修改审核" in html and "如何报到" in html
    assert "没有找到" in client.get(reverse("pages:manage_search"), {"q": "火星"}).content.decode()
    client.logout()
    member = User.objects.create(username="m1", kind=User.Kind.MEMBER, organization=tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    html = client.get(reverse("pages:member_search"), {"q": "团籍"}).content.decode()
    assert "修改个人信息" not in html and "团籍管理" not in html  # 团籍管理 is for orgs
    client.logout()
    cadre = User.objects.create(username="c1", kind=User.Kind.CADRE, organization=tree.committee)
    client.force_login(cadre, backend="portal.backends.WeChatBackend")
    html = client.get(reverse("pages:cadre_search"), {"q": "报到"}).content.decode()
    assert "企业小助手" in html and "如何报到" in html


def test_unpublished_help_is_not_found(content):
    page = HelpArticlePage.objects.get(slug="member-profile")
    assert "修改个人信息" in found("member", "修改")
    page.unpublish()
    assert "修改个人信息" not in found("member", "修改")
