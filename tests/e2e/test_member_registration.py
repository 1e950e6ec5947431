"""A new member registers by the branch's QR link (development login standing in for WeChat), the
branch approves in the service pages, and the member sees 审核通过 and the home page."""

import re

import pytest

from orgtree.rules import OrgType
from portal.models import User

from ..factories import make_child, make_id_number, make_root

BRANCH_PASSWORD = "Branch2024ok"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _submit(page, label):
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_registers_by_qr_link_and_branch_approves(page, live_server, settings):
    settings.DEV_LOGIN_ENABLED = True
    base = live_server.url
    root = make_root()
    branch = make_child(make_child(root, OrgType.LEADING, "广州市"), OrgType.BRANCH, "研发一部")
    account = User.objects.get(organization=branch, kind=User.Kind.ORG)
    account.set_password(BRANCH_PASSWORD)
    account.must_change_password = False
    account.save()
    id_number = make_id_number(birth="20000315")

    # The QR link → WeChat login (the development stand-in) → the wizard, branch already chosen.
    page.goto(f"{base}/m/register/org/{branch.code}/")
    assert _path(page) == "/m/dev-login/"
    page.fill("#external_id", "openid-e2e-new")
    _submit(page, "模拟登录")
    assert _path(page) == "/m/register/"
    assert page.locator("#chosen-branch").inner_text() == branch.full_name
    with page.expect_navigation():
        page.get_by_role("link", name="点击报到认证").click()
    page.fill("#id_name", "周小青")
    page.fill("#id_id_number", id_number)
    page.fill("#id_joined_league", "2015-05")
    _submit(page, "下一步")
    page.select_option("#id_income", label="学生（无收入）")
    page.select_option("#id_political_status", label="共青团员")
    page.select_option("#id_is_cadre", label="否")
    _submit(page, "下一步")
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_nation", label="汉族")
    page.select_option("#id_education", label="本科在读")
    page.select_option("#id_highest_education", label="本科在读")
    page.fill("#id_hukou_province", "广东省")
    page.fill("#id_hukou_city", "广州市")
    page.fill("#id_hukou_county", "天河区")
    page.fill("#id_join_unit", "广州市第一中学")
    _submit(page, "下一步")
    _submit(page, "提交")
    assert _path(page) == "/m/register/status/"
    assert "报到待审核" in page.locator("#register-status").inner_text()
    member_context = page.context

    # The branch approves in the service pages (a second browser context).
    admin = page.context.browser.new_context(locale="zh-CN")
    desk = admin.new_page()
    desk.goto(f"{base}/manage/login/")
    desk.fill("#id_username", branch.code)
    desk.fill("#id_password", BRANCH_PASSWORD)
    with desk.expect_navigation():
        desk.get_by_role("button", name="登录").click()
    assert "团员报到审核" in desk.content()
    desk.goto(f"{base}/manage/members/?registration_status=1")
    with desk.expect_navigation():
        desk.locator("#member-table").get_by_role("link", name="审核").click()
    with desk.expect_navigation():
        desk.get_by_role("button", name="审核通过").click()
    assert "审核通过" in desk.locator(".messages").inner_text()
    admin.close()

    # The member sees 审核通过 and reaches the home page.
    assert member_context is page.context
    page.reload()
    assert "审核通过" in page.locator("#register-status").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="进入首页").click()
    assert _path(page) == "/m/"
    assert page.locator("#member-tiles").get_by_text("认证资料").is_visible()
