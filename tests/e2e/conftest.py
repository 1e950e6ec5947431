"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API keeps an asyncio loop on the main thread, which makes Django refuse ORM
calls there ("SynchronousOnlyOperation") unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It must be set
before Django opens a connection, hence at import time, and Playwright starts once per session.
"""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/lib/chromium/chromium") if os.path.exists(p)),
                "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def playwright_instance():
    # Imported here so that collecting the rest of the suite never needs Playwright.
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) per test, in Simplified Chinese."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
