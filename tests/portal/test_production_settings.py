"""Production settings refuse to start with a weak SECRET_KEY, DEBUG on or DEV_LOGIN on (checked in a subprocess)."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from portal.settings import checks

STRONG_KEY = "q7Vd-3kLx9_PzR2mWc8TnB4yHs6JfUe1aG5oKiN0tXbQwErYuM"  # 50 characters, fixed for the test
GOOD_ENV = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "tuan.example.cn", "PATH": "/usr/bin:/bin"}
IMPORT = "import portal.settings.production as s; print('started', s.DEBUG)"


def start(**env):
    merged = {**GOOD_ENV, **env}
    merged = {k: v for k, v in merged.items() if v is not None}
    return subprocess.run([sys.executable, "-c", IMPORT], cwd=django_settings.BASE_DIR, env=merged,
                          capture_output=True, text=True, timeout=60)


def test_production_starts_with_a_strong_key_and_nothing_on():
    result = start()
    assert result.returncode == 0, result.stderr
    assert "started False" in result.stdout


@pytest.mark.parametrize("key", [
    "a" * 64,  # one repeated character
    "ab" * 40,
    "abcdefgh" * 8,  # a repeated pattern: 192 Shannon bits, but it deflates to nothing
    "django-insecure-" + STRONG_KEY,
    "x" * 40 + "Kq3Lp9Zr2Mw",
])
def test_production_refuses_a_low_entropy_key(key):
    result = start(SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and checks.ERR_SECRET_KEY_WEAK in result.stderr


@pytest.mark.parametrize("key", [None, "", "short-but-random-3kLx9_PzR2"])
def test_production_refuses_a_missing_or_short_key(key):
    result = start(SECRET_KEY=key)
    assert result.returncode != 0 and checks.ERR_SECRET_KEY_MISSING in result.stderr


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_production_refuses_debug_on(value):
    result = start(DEBUG=value)
    assert result.returncode != 0 and checks.ERR_DEBUG in result.stderr


def test_production_refuses_dev_login_on():
    result = start(DEV_LOGIN="1")
    assert result.returncode != 0 and checks.ERR_DEV_LOGIN in result.stderr


def test_every_problem_is_named_at_once():
    result = start(SECRET_KEY="a" * 60, DEBUG="1", DEV_LOGIN="yes")
    assert result.returncode != 0
    for message in (checks.ERR_SECRET_KEY_WEAK, checks.ERR_DEBUG, checks.ERR_DEV_LOGIN):
        assert message in result.stderr


def test_generated_keys_pass():
    import secrets

    from django.core.management.utils import get_random_secret_key

    for _ in range(50):
        for key in (get_random_secret_key(), secrets.token_urlsafe(50), secrets.token_hex(32)):
            assert checks.secret_key_problem(key) is None, key
