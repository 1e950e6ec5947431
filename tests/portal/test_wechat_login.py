"""The WeChat login ends: member OAuth (official account), cadre OAuth (WeChat Work), dev login."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from portal import actors
from portal.models import User
from portal.views import mobile

from ..factories import login, make_person


def _start(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    return target, {k: v[0] for k, v in parse_qs(target.query).items()}


def _whoami(client):
    return client.get(reverse("mobile:member_home")).wsgi_request.actor


@pytest.mark.django_db
def test_member_oauth_logs_a_known_member_in_and_follows_next(client, tree, fake_wechat):
    member = make_person(User.Kind.MEMBER, tree.branch, name="李小明", wechat_id="openid-li")
    target, query = _start(client, reverse("mobile:member_login"), next="/m/messages/")
    assert target.path == "/connect/oauth2/authorize"
    assert query["appid"] == "wx-test-app" and query["scope"] == "snsapi_base"
    assert query["redirect_uri"] == "http://testserver/m/oauth/callback/"

    code = fake_wechat.issue_code("openid-li")
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"]})
    assert response.status_code == 302 and response["Location"] == "/m/messages/"
    exchange = fake_wechat.received("/mp/sns/oauth2/access_token")[0]["query"]
    assert exchange == {"appid": "wx-test-app", "secret": "mp-secret", "code": code,
                        "grant_type": "authorization_code"}
    actor = _whoami(client)
    assert actor.kind == actors.MEMBER and actor.user == member and actor.org == tree.branch
    assert "李小明" in client.get(reverse("mobile:member_home")).content.decode()


@pytest.mark.django_db
def test_wrong_or_replayed_state_is_refused(client, tree, fake_wechat):
    make_person(User.Kind.MEMBER, tree.branch, wechat_id="openid-li")
    _, query = _start(client, reverse("mobile:member_login"))
    code = fake_wechat.issue_code("openid-li")
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"] + "x"})
    assert response.status_code == 400 and mobile.ERR_STATE in response.content.decode()
    assert not fake_wechat.received("/mp/sns/oauth2/access_token")  # the code was never spent
    # The state was single-use: even the right one is refused now.
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"]})
    assert response.status_code == 400
    assert not _whoami(client).is_authenticated


@pytest.mark.django_db
def test_callback_without_a_login_in_progress_is_refused(client, fake_wechat):
    response = client.get(reverse("mobile:member_callback"), {"code": "c", "state": "s"})
    assert response.status_code == 400 and mobile.ERR_STATE in response.content.decode()


@pytest.mark.django_db
def test_unknown_openid_goes_to_registration(client, tree, fake_wechat):
    _, query = _start(client, reverse("mobile:member_login"))
    code = fake_wechat.issue_code("openid-new")
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"]})
    assert response["Location"] == reverse("mobile:member_register")
    assert client.session[mobile.SESSION_PENDING] == {"kind": "mp", "id": "openid-new"}
    page = client.get(reverse("mobile:member_register"))
    assert "您还没有完成团员报到" in page.content.decode()
    assert not page.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_registration_page_needs_a_wechat_identity(client, db):
    assert client.get(reverse("mobile:member_register"))["Location"] == reverse("mobile:member_login")


@pytest.mark.django_db
def test_wechat_refusing_the_code_is_a_clear_error(client, fake_wechat):
    _, query = _start(client, reverse("mobile:member_login"))
    response = client.get(reverse("mobile:member_callback"), {"code": "forged", "state": query["state"]})
    assert response.status_code == 502 and mobile.ERR_WECHAT in response.content.decode()


@pytest.mark.django_db
def test_cadre_oauth_through_wechat_work(client, tree, fake_wechat):
    cadre = make_person(User.Kind.CADRE, tree.district, name="王团干", wechat_id="wang")
    target, query = _start(client, reverse("mobile:cadre_login"))
    assert target.path == "/connect/oauth2/authorize" and query["appid"] == "ww-test-corp"
    code = fake_wechat.issue_code("wang")
    response = client.get(reverse("mobile:cadre_callback"), {"code": code, "state": query["state"]})
    assert response["Location"] == reverse("mobile:cadre_start")  # the cadre end's entry steps, then home
    assert client.get(response["Location"])["Location"] == reverse("mobile:cadre_home")
    call = fake_wechat.received("/work/cgi-bin/user/getuserinfo")[0]
    assert call["query"]["code"] == code
    home = client.get(reverse("mobile:cadre_home"))
    assert home.wsgi_request.actor.kind == actors.CADRE and home.wsgi_request.actor.user == cadre
    assert "王团干" in home.content.decode()


@pytest.mark.django_db
def test_unknown_wechat_work_user_goes_to_the_join_page(client, fake_wechat):
    _, query = _start(client, reverse("mobile:cadre_login"))
    code = fake_wechat.issue_code("stranger")
    response = client.get(reverse("mobile:cadre_callback"), {"code": code, "state": query["state"]})
    assert response["Location"] == reverse("mobile:cadre_join")
    assert "尚未找到您的团干信息" in client.get(reverse("mobile:cadre_join")).content.decode()


@pytest.mark.django_db
def test_member_state_cannot_complete_a_cadre_login(client, tree, fake_wechat):
    make_person(User.Kind.CADRE, tree.district, wechat_id="wang")
    _, query = _start(client, reverse("mobile:member_login"))
    code = fake_wechat.issue_code("wang")
    response = client.get(reverse("mobile:cadre_callback"), {"code": code, "state": query["state"]})
    assert response.status_code == 400


@pytest.mark.django_db
def test_disabled_login_is_refused(client, tree, fake_wechat):
    user = make_person(User.Kind.MEMBER, tree.branch, wechat_id="openid-li", is_active=False)
    _, query = _start(client, reverse("mobile:member_login"))
    code = fake_wechat.issue_code("openid-li")
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"]})
    assert response.status_code == 403 and mobile.ERR_INACTIVE in response.content.decode()
    assert "_auth_user_id" not in client.session and user.pk


@pytest.mark.django_db
def test_next_must_stay_on_this_site(client, tree, fake_wechat):
    make_person(User.Kind.MEMBER, tree.branch, wechat_id="openid-li")
    _, query = _start(client, reverse("mobile:member_login"), next="https://evil.example/")
    code = fake_wechat.issue_code("openid-li")
    response = client.get(reverse("mobile:member_callback"), {"code": code, "state": query["state"]})
    assert response["Location"] == reverse("mobile:member_home")


@pytest.mark.django_db
def test_without_credentials_or_dev_login_wechat_login_is_switched_off(client, settings):
    settings.DEV_LOGIN_ENABLED = False
    response = client.get(reverse("mobile:member_login"))
    assert response.status_code == 503 and mobile.ERR_DISABLED in response.content.decode()
    assert client.get(reverse("mobile:member_dev_login")).status_code == 404
    assert client.post(reverse("mobile:member_dev_login"), {"external_id": "x"}).status_code == 404


@pytest.mark.django_db
def test_dev_login_stands_in_for_oauth_only_when_enabled(client, tree, settings):
    settings.DEV_LOGIN_ENABLED = True
    member = make_person(User.Kind.MEMBER, tree.branch, wechat_id="openid-li")
    assert client.get(reverse("mobile:member_login"))["Location"].startswith(reverse("mobile:member_dev_login"))
    response = client.post(reverse("mobile:member_dev_login"), {"external_id": "openid-li", "next": "/m/messages/"})
    assert response["Location"] == "/m/messages/"
    assert _whoami(client).user == member
    # an unknown identity takes the same road as a real one
    client.logout()
    response = client.post(reverse("mobile:member_dev_login"), {"external_id": "openid-new"})
    assert response["Location"] == reverse("mobile:member_register")


def test_production_refuses_dev_login(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SECRET_KEY", "q7Vd-3kLx9_PzR2mWc8TnB4yHs6JfUe1aG5oKiN0tXbQwErYuM")
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org")
    monkeypatch.setenv("DEV_LOGIN", "1")
    for name in ("portal.settings.production", "portal.settings.base"):
        sys.modules.pop(name, None)
    try:
        with pytest.raises(ImproperlyConfigured, match="DEV_LOGIN"):
            importlib.import_module("portal.settings.production")
    finally:
        for name in ("portal.settings.production", "portal.settings.base"):
            sys.modules.pop(name, None)
        importlib.import_module("portal.settings.base")


@pytest.mark.django_db
def test_each_end_admits_only_its_own_people(client, tree):
    member = make_person(User.Kind.MEMBER, tree.branch)
    cadre = make_person(User.Kind.CADRE, tree.district)
    anonymous = client.get(reverse("messaging:member_list"))
    assert anonymous["Location"] == f"{reverse('mobile:member_login')}?next=%2Fm%2Fmessages%2F"
    assert client.get(reverse("messaging:cadre_list"))["Location"].startswith(reverse("mobile:cadre_login"))

    client.force_login(cadre, backend="portal.backends.WeChatBackend")
    assert client.get(reverse("mobile:member_home")).status_code == 403
    assert client.get(reverse("mobile:cadre_home")).status_code == 200
    assert client.get(reverse("portal:home")).status_code == 403  # cadres read only, on their own end

    client.force_login(member, backend="portal.backends.WeChatBackend")
    assert client.get(reverse("mobile:cadre_home")).status_code == 403
    assert client.get(reverse("portal:home")).status_code == 403

    login(client, tree.branch)
    assert client.get(reverse("mobile:member_home")).status_code == 403


@pytest.mark.django_db
def test_mobile_logout(client, tree):
    member = make_person(User.Kind.MEMBER, tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    assert client.get(reverse("mobile:logout")).status_code == 405
    response = client.post(reverse("mobile:logout"))
    assert response.status_code == 200 and "您已安全退出" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_cadre_dev_login_tells_a_new_cadre_to_use_the_phone_entered_for_them(client, db, settings):
    settings.DEV_LOGIN_ENABLED = True
    page = client.get(reverse("mobile:cadre_dev_login")).content.decode()
    assert 'id="new-cadre-hint"' in page and "手机号码" in page
    assert 'id="new-cadre-hint"' not in client.get(reverse("mobile:member_dev_login")).content.decode()
