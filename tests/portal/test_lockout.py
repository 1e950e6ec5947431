"""Lockout that cannot be turned into a denial of service (portal.lockout, README "Security rules").

(username, IP) pair locked after AXES_FAILURE_LIMIT failures; a CAPTCHA for the username everywhere from
LOGIN_CAPTCHA_AFTER failures (wrong answers not counted); a username-wide lock only at
LOGIN_USERNAME_LOCK_AFTER failures.
"""

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from orgtree import services as org_services
from portal import captcha, lockout
from portal.forms import CAPTCHA_USERNAME_KEY
from portal.views import auth

from ..factories import actor_of, login, login_attempt

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
GUESSER, OWNER = "203.0.113.9", "198.51.100.20"
PASSWORD = "Start2026x"


def failures(username):
    return AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


@pytest.fixture
def account(client, tree):
    login(client, tree.district, PASSWORD)
    client.logout()
    return tree.district.code


def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_guesser_is_locked_the_owner_elsewhere_is_not(client, account, settings):
    guesser = client
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_attempt(guesser, account, "bad-guess", ip=GUESSER)
    # the guesser's address is locked, even with the right password and the CAPTCHA answered
    response = login_attempt(guesser, account, PASSWORD, ip=GUESSER)
    assert response.status_code == 429 and auth.LOCKOUT_MESSAGE in response.content.decode()
    assert not logged_in(guesser)
    # the owner, in another browser at another address: asked for a CAPTCHA, then let in
    owner = Client()
    response = login_attempt(owner, account, PASSWORD, ip=OWNER, answer=False)
    assert response.status_code == 200 and captcha.ERR_CAPTCHA_REQUIRED in response.content.decode()
    assert 'alt="验证码"' in response.content.decode() and not logged_in(owner)
    response = login_attempt(owner, account, PASSWORD, ip=OWNER)
    assert response.status_code == 302 and logged_in(owner)
    assert owner.get(reverse("portal:home")).status_code in (200, 302)
    # the owner's success does not unlock the guesser
    assert login_attempt(guesser, account, PASSWORD, ip=GUESSER).status_code == 429


def test_below_the_captcha_count_no_captcha_is_asked(client, account, settings):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER - 1):
        response = login_attempt(client, account, "bad-guess", ip=GUESSER, answer=False)
        assert "用户名或密码错误" in response.content.decode() and 'alt="验证码"' not in response.content.decode()
    response = login_attempt(Client(), account, PASSWORD, ip=OWNER, answer=False)
    assert response.status_code == 302


def test_the_failure_that_reaches_the_count_shows_the_captcha_and_reopening_the_page_keeps_it(client, account,
                                                                                              settings):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER - 1):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    page = login_attempt(client, account, "bad-guess", ip=GUESSER).content.decode()
    assert "用户名或密码错误" in page and 'alt="验证码"' in page
    assert 'alt="验证码"' in client.get(LOGIN, REMOTE_ADDR=GUESSER).content.decode()


def test_missing_or_wrong_captcha_answers_are_refused_and_not_counted(client, account, settings):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    assert failures(account) == settings.LOGIN_CAPTCHA_AFTER
    for _ in range(3 * settings.LOGIN_USERNAME_LOCK_AFTER // 10):
        page = login_attempt(client, account, "bad-guess", ip=GUESSER, answer=False).content.decode()
        assert captcha.ERR_CAPTCHA_REQUIRED in page
        client.get(reverse("portal:login_captcha"), REMOTE_ADDR=GUESSER)
        page = login_attempt(client, account, PASSWORD, ip=GUESSER, answer="999").content.decode()
        assert captcha.ERR_CAPTCHA_WRONG in page and not logged_in(client)
    assert failures(account) == settings.LOGIN_CAPTCHA_AFTER  # nothing counted, nothing locked
    assert login_attempt(client, account, PASSWORD, ip=GUESSER).status_code == 302


def test_a_captcha_answer_is_good_once(client, account, settings):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    client.get(reverse("portal:login_captcha"), REMOTE_ADDR=OWNER)
    answer = client.session[captcha.SESSION_KEY]["answer"]
    assert "用户名或密码错误" in login_attempt(client, account, "bad-guess", ip=OWNER,
                                         answer=answer.lower()).content.decode()  # not case-sensitive
    page = login_attempt(client, account, PASSWORD, ip=OWNER, answer=answer).content.decode()
    assert captcha.ERR_CAPTCHA_WRONG in page and not logged_in(client)


def test_an_expired_captcha_is_refused(client, account, settings):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    client.get(reverse("portal:login_captcha"), REMOTE_ADDR=OWNER)
    session = client.session
    session[captcha.SESSION_KEY]["expires"] = 0
    answer = session[captcha.SESSION_KEY]["answer"]
    session.save()
    page = login_attempt(client, account, PASSWORD, ip=OWNER, answer=answer).content.decode()
    assert captcha.ERR_CAPTCHA_WRONG in page and not logged_in(client)


def test_attempts_while_locked_are_not_counted(client, account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    for _ in range(10):
        assert login_attempt(client, account, "bad-guess", ip=GUESSER).status_code == 429
    assert failures(account) == settings.AXES_FAILURE_LIMIT


def test_username_wide_lock_only_at_the_much_higher_count(client, account, settings, tree):
    settings.LOGIN_USERNAME_LOCK_AFTER = 12  # 50 in production; smaller here to keep the test short
    addresses = [f"192.0.2.{n}" for n in range(1, 4)]
    for ip in addresses:  # 5 + 5 + 2 failures from three addresses, each past the CAPTCHA
        for _ in range(settings.AXES_FAILURE_LIMIT):
            if failures(account) < settings.LOGIN_USERNAME_LOCK_AFTER:
                login_attempt(client, account, "bad-guess", ip=ip)
    assert failures(account) == 12
    owner = Client()
    response = login_attempt(owner, account, PASSWORD, ip=OWNER)
    assert response.status_code == 429 and auth.LOCKOUT_USERNAME_MESSAGE in response.content.decode()
    assert not logged_in(owner)
    # the direct parent's reset lifts every lock on the account
    password = org_services.org_reset_password(actor=actor_of(tree.city_a), org=tree.district)
    assert login_attempt(owner, account, password, ip=OWNER, answer=False).status_code == 302


def test_below_the_username_wide_count_another_address_still_logs_in(client, account, settings):
    for ip in ("192.0.2.1", "192.0.2.2"):  # two locked addresses: 10 failures, well below 50
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login_attempt(client, account, "bad-guess", ip=ip)
    assert failures(account) == 2 * settings.AXES_FAILURE_LIMIT < settings.LOGIN_USERNAME_LOCK_AFTER
    assert login_attempt(Client(), account, PASSWORD, ip=OWNER).status_code == 302


def test_spaces_around_the_username_count_for_the_same_account(client, account, settings):
    for name in (account, f" {account}", f"{account} ", f"  {account}  ", account):
        login_attempt(client, name, "bad-guess", ip=GUESSER)
    assert login_attempt(client, account, PASSWORD, ip=GUESSER).status_code == 429


@pytest.mark.parametrize("url", ["/cms/login/", "/django-admin/login/"])
def test_logins_without_a_captcha_cannot_add_failures(client, account, settings, url):
    for _ in range(settings.LOGIN_CAPTCHA_AFTER):
        login_attempt(client, account, "bad-guess", ip=GUESSER)
    for _ in range(10):
        response = client.post(url, {"username": account, "password": "bad-guess"}, REMOTE_ADDR="192.0.2.77")
        assert response.status_code == 429 and auth.LOCKOUT_CAPTCHA_MESSAGE in response.content.decode()
    assert failures(account) == settings.LOGIN_CAPTCHA_AFTER


def test_captcha_image_is_a_fresh_png_each_time_and_only_when_asked_for(client, account):
    assert client.get(reverse("portal:login_captcha")).status_code == 404  # never what creates a session
    session = client.session
    session[CAPTCHA_USERNAME_KEY] = account
    session.save()
    response = client.get(reverse("portal:login_captcha"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG") and response["Cache-Control"] == "no-store"
    first = client.session[captcha.SESSION_KEY]["answer"]
    assert len(first) == captcha.LENGTH and set(first) <= set(captcha.ALPHABET)
    answers = {first}
    for _ in range(15):
        client.get(reverse("portal:login_captcha"))
        answers.add(client.session[captcha.SESSION_KEY]["answer"])
    assert len(answers) > 1
    assert client.post(reverse("portal:login_captcha")).status_code == 405


def test_lock_state_names_the_rule(rf, account, settings):
    request = rf.post(LOGIN, {"username": account}, REMOTE_ADDR=GUESSER)
    assert lockout.lock_state(request) is None
    AccessAttempt.objects.create(username=account, ip_address=GUESSER, user_agent="x", failures_since_start=5,
                                 get_data="", post_data="", http_accept="", path_info="/")
    assert lockout.lock_state(request) == lockout.LOCKED_PAIR
    other = rf.post(LOGIN, {"username": account}, REMOTE_ADDR=OWNER)
    assert lockout.lock_state(other) == lockout.NEEDS_CAPTCHA
    other.login_captcha_passed = True
    assert lockout.lock_state(other) is None
    AccessAttempt.objects.filter(username=account).update(failures_since_start=settings.LOGIN_USERNAME_LOCK_AFTER)
    assert lockout.lock_state(other) == lockout.LOCKED_USERNAME
