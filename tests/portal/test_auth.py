import pytest
from django.urls import reverse

from orgtree import services as org_services
from portal.models import AuditLog, User

from ..factories import actor_of, login, login_attempt, make_operator, org_data

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
HOME = reverse("portal:home")
CHANGE = reverse("portal:password_change")


def new_child(parent, name="海珠区"):
    """A child made the real way: returns (org, one-time password)."""
    return org_services.org_create(actor=actor_of(parent), data=org_data(name=name))


def test_org_logs_in_with_its_code_and_must_change_the_one_time_password(client, tree):
    org, password = new_child(tree.city_a)
    response = client.post(LOGIN, {"username": org.code, "password": password})
    assert response.status_code == 302
    # every service page leads to the change form until the password is changed
    for url in (HOME, reverse("orgtree:list"), reverse("portal:audit_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == CHANGE
    page = client.get(CHANGE).content.decode()
    assert "一次性密码" in page
    response = client.post(CHANGE, {"old_password": password, "new_password1": "Haizhu2026",
                                     "new_password2": "Haizhu2026"})
    assert response.status_code == 302 and response["Location"] == HOME
    account = User.objects.get(username=org.code)
    assert account.must_change_password is False and account.check_password("Haizhu2026")
    assert client.get(HOME).status_code == 200
    assert AuditLog.objects.filter(action="account.password_change", organization=org).count() == 1


@pytest.mark.parametrize(
    "new,message",
    [("abc123", "密码长度太短，至少需要8个字符"), ("abcdefgh", "密码必须同时包含字母和数字"), ("12345678", "密码必须同时包含字母和数字"),
     ("abcd1234!", "密码只能包含字母和数字"), ("密码abcd1234", "密码只能包含字母和数字")],
)
def test_password_rules(client, tree, new, message):
    account = login(client, tree.district, "Start2026x")
    response = client.post(CHANGE, {"old_password": "Start2026x", "new_password1": new, "new_password2": new})
    assert response.status_code == 200
    assert message in response.content.decode()
    account.refresh_from_db()
    assert account.check_password("Start2026x")


def test_password_change_refusals(client, tree):
    login(client, tree.district, "Start2026x")
    page = client.post(CHANGE, {"old_password": "wrong", "new_password1": "Good2026x",
                                "new_password2": "Good2026x"}).content.decode()
    assert "原密码不正确" in page
    page = client.post(CHANGE, {"old_password": "Start2026x", "new_password1": "Good2026x",
                                "new_password2": "Good2026y"}).content.decode()
    assert "两次输入的新密码不一致" in page


def test_wrong_password_is_refused_in_chinese(client, tree):
    login(client, tree.district, "Start2026x")
    client.logout()
    page = client.post(LOGIN, {"username": tree.district.code, "password": "nope"}).content.decode()
    assert "用户名或密码错误" in page
    page = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "请输入用户名" in page and "请输入密码" in page


def test_lockout_after_repeated_failures_and_parent_reset_lifts_it(client, tree, settings):
    login(client, tree.district, "Start2026x")
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # the CAPTCHA answered from the third failure on
        login_attempt(client, tree.district.code, "bad-guess")
    response = login_attempt(client, tree.district.code, "Start2026x")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # the direct parent resets the password: the lock is lifted and the new one-time password works
    password = org_services.org_reset_password(actor=actor_of(tree.city_a), org=tree.district)
    response = login_attempt(client, tree.district.code, password)
    assert response.status_code == 302 and client.get(HOME)["Location"] == CHANGE


def test_operator_logs_in_with_phone_and_acts_for_the_org(client, tree):
    operator = make_operator(tree.city_a, name="李明", phone="13900000001", password="Operat0r2026")
    response = client.post(LOGIN, {"username": "13900000001", "password": "Operat0r2026"})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    data = org_data(name="从化区")
    form = {k: v for k, v in data.items()}
    response = client.post(reverse("orgtree:create"), form)
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="org.create", object_repr=data["full_name"])
    assert entry.user == operator and entry.actor_kind == "operator"
    assert entry.organization == tree.city_a and "李明" in entry.actor_label
    assert tree.city_a.full_name in entry.actor_label


def test_logout_requires_post_and_ends_the_session(client, tree):
    login(client, tree.district)
    assert client.post(reverse("portal:logout")).status_code == 302
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_non_org_logins_cannot_use_service_pages(client, tree):
    member = User.objects.create_user(username="m1", password="Member2026x", kind=User.Kind.MEMBER)
    client.force_login(member, backend="portal.backends.AccountBackend")
    assert client.get(HOME).status_code == 403
    assert client.get(reverse("orgtree:list")).status_code == 403


def test_csrf_is_enforced_on_login(tree):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, {"username": tree.district.code, "password": "x"}).status_code == 403
