"""Chinese error pages in each end's own layout, with DEBUG off (the test settings), showing the
refusal the code raised and a way back to the end's home."""

import re

import pytest
from django.conf import settings
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from orgtree.services import ERR_NOT_DIRECT_PARENT
from portal.models import User
from portal.views import errors
from portal.views.mobile import ERR_CADRE_ONLY, ERR_MEMBER_ONLY

from ..factories import login, login_person, make_person
from ..services.members.conftest import make_member

pytestmark = pytest.mark.django_db

ENGLISH = ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF", "Constraint")


def message(page):
    return re.search(r'<p id="error-message">([^<]*)</p>', page).group(1)


def assert_chinese_page(response, status, text, end_home):
    assert response.status_code == status
    page = response.content.decode()
    assert message(page) == text
    assert f'href="{end_home}"' in page and "返回首页" in page
    assert not any(word in page for word in ENGLISH), page
    assert "favicon.ico" in page
    return page


def is_manage_layout(page):
    return '<nav class="side">' in page and "manage/manage.css" in page


def is_mobile_layout(page):
    return '<header class="bar">' in page and "mobile/mobile.css" in page


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


# --- desktop /manage/ ------------------------------------------------------------------------------

def test_manage_403_shows_the_refusal_in_the_manage_layout(client, tree):
    login(client, tree.city_a)  # a grandparent, not the direct parent
    response = client.get(reverse("orgtree:edit", args=[tree.committee.pk]))
    page = assert_chinese_page(response, 403, ERR_NOT_DIRECT_PARENT, reverse("portal:home"))
    assert is_manage_layout(page) and tree.city_a.full_name in page and "组织管理" in page  # the menu


def test_manage_404_out_of_scope_and_unknown_url(client, tree):
    login(client, tree.city_b)
    page = assert_chinese_page(client.get(reverse("orgtree:detail", args=[tree.branch.pk])), 404, "未找到该记录",
                               reverse("portal:home"))
    assert is_manage_layout(page)
    page = assert_chinese_page(client.get("/manage/no-such-page/"), 404, errors.DEFAULT_MESSAGES[404],
                               reverse("portal:home"))
    assert is_manage_layout(page)


def test_manage_403_for_a_member_login(client, tree):
    member = make_member(tree.branch)
    login_person(client, member.user)
    assert_chinese_page(client.get(reverse("orgtree:list")), 403, "管理后台仅供组织管理员和运营者使用",
                        reverse("portal:home"))


# --- member mobile /m/ ------------------------------------------------------------------------------

def test_member_end_403_and_404_in_the_mobile_layout(client, tree):
    cadre = make_person(User.Kind.CADRE, tree.district)
    login_person(client, cadre)
    page = assert_chinese_page(client.get(reverse("members:profile")), 403, ERR_MEMBER_ONLY,
                               reverse("mobile:member_home"))
    assert is_mobile_layout(page) and "<h1>无权访问</h1>" in page

    member = make_member(tree.branch)
    login_person(client, member.user)
    page = assert_chinese_page(client.get(reverse("messaging:member_open", args=[999999])), 404, "未找到该消息",
                               reverse("mobile:member_home"))
    assert is_mobile_layout(page) and "<h1>页面不存在</h1>" in page
    page = assert_chinese_page(client.get("/m/no-such-page/"), 404, errors.DEFAULT_MESSAGES[404],
                               reverse("mobile:member_home"))
    assert is_mobile_layout(page)


# --- cadre mobile /m/cadre/ -------------------------------------------------------------------------

def test_cadre_end_403_and_404_in_the_mobile_layout_with_the_cadre_home(client, tree):
    member = make_member(tree.branch)
    login_person(client, member.user)
    page = assert_chinese_page(client.get(reverse("mobile:cadre_home")), 403, ERR_CADRE_ONLY,
                               reverse("mobile:cadre_home"))
    assert is_mobile_layout(page) and reverse("pages:cadre_help") in page
    page = assert_chinese_page(client.get("/m/cadre/no-such-page/"), 404, errors.DEFAULT_MESSAGES[404],
                               reverse("mobile:cadre_home"))
    assert is_mobile_layout(page)


# --- 500 ------------------------------------------------------------------------------------------------

@pytest.mark.urls("tests.portal.urls_errors")
@pytest.mark.parametrize("path, home, layout", [
    ("/manage/boom/", "/manage/", '<header class="top">'),
    ("/m/boom/", "/m/", '<header class="bar">'),
    ("/m/cadre/boom/", "/m/cadre/", '<header class="bar">'),
    ("/boom/", "/", '<header class="top">'),
])
def test_500_is_chinese_in_each_ends_layout_without_the_database(django_assert_num_queries, path, home, layout):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get(path)
    page = assert_chinese_page(response, 500, errors.DEFAULT_MESSAGES[500], home)
    assert layout in page and "<title>系统繁忙 - 智慧团建</title>" in page


@pytest.mark.urls("tests.portal.urls_errors")
def test_500_for_a_logged_in_org_account(client, tree):
    login(client, tree.district)
    client.raise_request_exception = False
    assert_chinese_page(client.get("/manage/boom/"), 500, errors.DEFAULT_MESSAGES[500], "/manage/")


def test_500_touches_neither_the_user_nor_the_context_processors(django_assert_num_queries):
    def unavailable():
        raise RuntimeError("the database is down")

    request = RequestFactory().get("/manage/orgs/")
    request.user = request.actor = SimpleLazyObject(unavailable)
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert response.status_code == 500 and errors.DEFAULT_MESSAGES[500] in response.content.decode()


def test_a_failing_context_processor_still_shows_the_refusal(client, tree, monkeypatch):
    from portal import registry

    login(client, tree.city_a)

    def broken(actor):
        raise RuntimeError("menu unavailable")

    monkeypatch.setattr(registry, "menu_for", broken)
    response = client.get(reverse("orgtree:edit", args=[tree.committee.pk]))
    page = assert_chinese_page(response, 403, ERR_NOT_DIRECT_PARENT, "/manage/")
    assert '<nav class="side">' not in page  # the plain layout


# --- refusal texts, CSRF, favicon -------------------------------------------------------------------

@pytest.mark.parametrize("exception, status, text", [
    (Http404("No Organization matches the given query."), 404, errors.DEFAULT_MESSAGES[404]),
    (Http404({"path": "x", "tried": []}), 404, errors.DEFAULT_MESSAGES[404]),
    (Http404(), 404, errors.DEFAULT_MESSAGES[404]),
    (Http404("未找到该公告"), 404, "未找到该公告"),
])
def test_only_chinese_reasons_are_shown(exception, status, text):
    assert errors.refusal_text(exception, status) == text


@pytest.mark.parametrize("path, home, layout", [
    ("/manage/login/", "/manage/", lambda page: '<header class="top">' in page and "<nav" not in page),
    ("/m/cadre/dev-login/", "/m/cadre/", is_mobile_layout),
])
def test_csrf_failure_is_explained_in_chinese(tree, path, home, layout):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"username": "x", "password": "y"})
    page = assert_chinese_page(response, 403, errors.CSRF_MESSAGE, home)
    assert layout(page) and errors.CSRF_TITLE in page


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get(reverse("portal:login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.ico">' in page
