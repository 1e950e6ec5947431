"""The login CAPTCHA in a real browser: after repeated failures the image loads and its answer lets the owner in."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from orgtree.rules import OrgType
from portal import captcha
from portal.models import User

from ..factories import make_child, make_root

PASSWORD = "Guangzhou2024"


def _submit(page, base, username, password, answer=None):
    if "/manage/login/" not in page.url:
        page.goto(f"{base}/manage/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if answer is not None:
        page.fill("#id_captcha", answer)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_owner_answers_the_captcha_after_failures_and_logs_in(page, live_server):
    base = live_server.url
    city = make_child(make_root(), OrgType.LEADING, "广州市")
    account = User.objects.get(organization=city, kind=User.Kind.ORG)
    account.set_password(PASSWORD)
    account.must_change_password = False
    account.save()
    with override_settings(AXES_FAILURE_LIMIT=10):  # this browser is both guesser and owner (one address)
        for _ in range(3):
            _submit(page, base, city.code, "wrong-guess")
        assert "用户名或密码错误" in page.content()
        page.wait_for_function("document.querySelector('img.captcha')?.complete")
        assert page.evaluate("document.querySelector('img.captcha').naturalWidth") == captcha.WIDTH
        cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
        session = SessionStore(session_key=cookie)
        answer = session[captcha.SESSION_KEY]["answer"]
        _submit(page, base, city.code, PASSWORD, answer=answer.lower())
        assert page.url.rstrip("/").endswith("/manage")
