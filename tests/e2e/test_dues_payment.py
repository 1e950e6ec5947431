"""A member pays two months of dues through the fake WeChat Pay (APIv3, real signatures) and the branch's
团费查询 shows them paid."""

import re
from datetime import date

import pytest

from orgtree.rules import OrgType
from portal.models import User, WeChatIdentity

from ..factories import make_child, make_member, make_root

BRANCH_PASSWORD = "Branch2024ok"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


@pytest.fixture
def fake_pay_live(live_server, settings):
    from ..fake_wechatpay import FakeWeChatPay

    server = FakeWeChatPay().start()
    settings.WECHATPAY = server.settings(notify_url=f"{live_server.url}/pay/wechat/notify/")
    yield server
    server.stop()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_pays_two_months_and_the_branch_sees_them_paid(page, live_server, settings, fake_pay_live):
    from services.dues import billing, stats, tiers
    from services.dues.models import DuesBill, Payment

    # The tiers come from a migration; a transactional test before this one may have flushed them, and
    # pytest-django's serialized rollback does not always put them back (seen in the full suite).
    tiers.seed_defaults()
    settings.DEV_LOGIN_ENABLED = True
    base = live_server.url
    root = make_root()
    branch = make_child(make_child(root, OrgType.LEADING, "广州市"), OrgType.BRANCH, "研发一部")
    member = make_member(branch, name="周小青", income=2)  # 5.00 a month
    for month in (date(2026, 1, 1), date(2026, 2, 1)):
        billing.bills_make(month=month)
        stats.stats_build(month=month)
    openid = WeChatIdentity.objects.get(user=member.user).external_id

    page.goto(f"{base}/m/dev-login/")
    page.fill("#external_id", openid)
    with page.expect_navigation():
        page.get_by_role("button", name="模拟登录").click()
    with page.expect_navigation():
        page.locator("#dues-tile").click()
    assert _path(page) == "/m/dues/"
    assert page.locator("#owed-amount").inner_text() == "10.00"
    assert "共 2 个月团费未交清" in page.locator("#owed-months").inner_text()
    with page.expect_navigation():
        page.locator("#pay-now").click()
    assert re.fullmatch(r"/m/dues/orders/\d+/", _path(page))
    assert "10.00" in page.locator("#order-card").inner_text()
    order = Payment.objects.get(payer=member)
    assert fake_pay_live.orders[order.out_trade_no]["total"] == 1000

    # The payer pays in WeChat; WeChat Pay posts the signed, encrypted notification to the live server.
    fake_pay_live.pay(order.out_trade_no)
    assert fake_pay_live.deliver(order.out_trade_no) == 200
    page.reload()
    assert page.locator("#order-state").inner_text() == "已支付"
    page.goto(f"{base}/m/dues/")
    assert page.locator("#owed-amount").inner_text() == "0.00"
    assert DuesBill.objects.filter(member=member, paid_at__isnull=False).count() == 2

    # The branch's 团费查询: February's row and the member list show the payment.
    account = User.objects.get(organization=branch, kind=User.Kind.ORG)
    account.set_password(BRANCH_PASSWORD)
    account.must_change_password = False
    account.save()
    page.context.clear_cookies()
    page.goto(f"{base}/manage/login/")
    page.fill("#id_username", account.username)
    page.fill("#id_password", BRANCH_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/manage/dues/?month=2026-02")
    own = page.locator("#dues-overview tbody tr").first
    assert own.locator(".paid-count").inner_text() == "1" and own.locator(".paid-amount").inner_text() == "5.00"
    with page.expect_navigation():
        own.get_by_role("link", name="查看交费团员明细").click()
    row = page.locator("#dues-members tbody tr").first
    assert "周小青" in row.inner_text() and row.locator(".state").inner_text() == "已交"
