"""A branch enters its members' 教育评议 grades (the 30 % cap refused on the page), submits them, and a
member registers for the year on /m/ (development login standing in for WeChat)."""

import re

import pytest

from orgtree.rules import OrgType
from portal.models import User, WeChatIdentity
from services.evaluation.models import AnnualRegistration, RegistrationStatus
from services.evaluation.selectors import default_year
from services.messaging.models import Message

from ..factories import make_child, make_member, make_root
from .test_org_onboarding import _login

PASSWORD = "Branch2025ok"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _submit(page, label):
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_branch_enters_grades_and_member_registers(page, live_server, settings):
    settings.DEV_LOGIN_ENABLED = True
    base = live_server.url
    branch = make_child(make_child(make_root(), OrgType.LEADING, "广州市"), OrgType.BRANCH, "研发一部")
    members = [make_member(branch, name=name) for name in ("周小青", "吴大海", "郑一鸣", "王二小")]
    party = make_member(branch, name="陈党员", political_status=2)
    account = User.objects.get(organization=branch, kind=User.Kind.ORG)
    account.set_password(PASSWORD)
    account.must_change_password = False
    account.save()
    year = default_year()

    _login(page, base, account.username, PASSWORD)
    page.get_by_role("link", name="教育评议").first.click()
    page.wait_for_url(re.compile(r"/manage/evaluation/grades/"))
    assert page.locator(f"select[name=grade_{party.pk}]").count() == 0  # Party members are not evaluated
    # two of four as 优秀 is over 30 %: refused on the page, nothing saved
    for m, label in zip(members, ("优秀", "优秀", "合格", "不合格")):
        page.get_by_label(f"{m.name}的评议结果").select_option(label=label)
    _submit(page, "保存评议结果")
    assert "评为优秀的团员不能超过参加评议团员的30%" in page.locator("#grade-errors").inner_text()
    page.get_by_label("吴大海的评议结果").select_option(label="基本合格")
    _submit(page, "保存评议结果")
    assert "评议结果已保存" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="提交并开启年度注册").click()
    _submit(page, "提交并开启年度注册")
    assert _path(page) == "/manage/evaluation/progress/"
    assert "应注册 5 人" in page.locator("#progress-summary").inner_text()

    # 周小青 registers on /m/: the message, the 年度注册 tile, confirm, done.
    member = members[0]
    assert Message.objects.filter(recipient_user=member.user, title=f"{year}年度团员注册提醒").exists()
    mobile = page.context.browser.new_context(locale="zh-CN").new_page()
    mobile.goto(f"{base}/m/dev-login/")
    mobile.fill("#external_id", WeChatIdentity.objects.get(user=member.user).external_id)
    _submit(mobile, "模拟登录")
    with mobile.expect_navigation():
        mobile.locator("#tile-registration").click()
    assert mobile.locator("#my-grade").inner_text() == "优秀"
    _submit(mobile, "确认注册")
    assert "核对个人信息" in mobile.content()  # the box was not ticked: refused, nothing changed
    assert AnnualRegistration.objects.get(member=member).status == RegistrationStatus.UNREGISTERED
    mobile.check("#confirm-box")
    _submit(mobile, "确认注册")
    assert f"{year}年度注册成功" in mobile.content()
    assert AnnualRegistration.objects.get(member=member).status == RegistrationStatus.REGISTERED
    assert "已注册" in mobile.locator(".history").first.inner_text()
    mobile.context.close()

    page.reload()
    assert "已注册 1 人" in page.locator("#progress-summary").inner_text()
