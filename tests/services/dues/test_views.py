"""The dues pages on /manage/ and /m/: scope (a sibling subtree is 404), refusals in Chinese, exports."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orgtree.models import Organization
from services.dues import billing, offline, payment, retention, selectors, stats
from services.dues.models import DuesBill, DuesTier, Payment

from ...factories import actor_of, login, login_person, make_member

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
JAN = date(2026, 1, 1)


@pytest.fixture
def world(tree, b_branch):
    a = make_member(tree.branch, name="甲团员", income=1)
    a2 = make_member(tree.branch, name="甲同支部", income=2)
    b = make_member(b_branch, name="乙团员", income=3)
    billing.bills_make(month=JAN)
    stats.stats_build(month=JAN)
    offline.offline_record(actor=actor_of(tree.branch), member=a2,
                           bill_ids=list(DuesBill.objects.filter(member=a2).values_list("pk", flat=True)), note="现金",
                           now=datetime(2026, 1, 5, tzinfo=SH))
    return type("W", (), dict(t=tree, a=a, a2=a2, b=b, b_branch=b_branch))


def test_query_shows_own_and_children_rows(client, world):
    login(client, world.t.city_a)
    page = client.get(reverse("dues:query"), {"month": "2026-01"}).content.decode()
    assert "广州市" in page and "天河区" in page and "深圳市" not in page and "乙" not in page
    login(client, world.t.province)
    page = client.get(reverse("dues:query"), {"month": "2026-01"}).content.decode()
    assert "深圳市" in page
    stat = selectors.month_overview(actor=actor_of(world.t.province), org=world.t.province, month=JAN)[0][1]
    assert (stat.billed, stat.paid, stat.paid_amount) == (3, 1, Decimal("5.00"))


def test_sibling_subtree_is_404_everywhere(client, world):
    login(client, world.t.city_a)
    b_org = world.b_branch
    for url, params in ((reverse("dues:query"), {"org": b_org.pk}), (reverse("dues:members"), {"org": b_org.pk}),
                        (reverse("dues:export"), {"org": b_org.pk}),
                        (reverse("dues:member_bills", args=[world.b.pk]), {})):
        assert client.get(url, params).status_code == 404, url
    login(client, world.t.province)
    assert client.get(reverse("dues:member_bills", args=[world.b.pk])).status_code == 200
    login(client, world.t.province)  # the province edits only its direct children's retention
    assert client.get(reverse("dues:retention_edit", args=[world.t.district.pk])).status_code == 404
    login(client, world.t.city_a)
    assert client.get(reverse("dues:retention_edit", args=[world.t.city_b.pk])).status_code == 404


def test_members_list_drills_down_with_arrears_and_payer(client, world):
    login(client, world.t.district)
    page = client.get(reverse("dues:members"), {"org": world.t.branch.pk, "month": "2026-01"}).content.decode()
    assert "甲团员" in page and "甲同支部" in page and "乙团员" not in page
    assert "1个月 / 3.00元" in page and "线下交纳" in page
    unpaid = client.get(reverse("dues:members"), {"month": "2026-01", "paid": "0"}).content.decode()
    assert "甲团员" in unpaid and "甲同支部" not in unpaid


def test_member_bill_history_follows_old_branch_after_transfer(client, world, branch2):
    from services.members.models import Member

    Member.objects.filter(pk=world.a.pk).update(branch=branch2)  # what a completed transfer does to the record
    login(client, world.t.branch)  # the old branch still sees, and chases, the January bill
    page = client.get(reverse("dues:member_bills", args=[world.a.pk])).content.decode()
    assert "2026-01" in page and "登记线下交纳" in page
    login(client, branch2)  # the new branch sees the history but cannot record the old branch's bill
    page = client.get(reverse("dues:member_bills", args=[world.a.pk])).content.decode()
    assert "2026-01" in page and "登记线下交纳" not in page


def test_offline_record_through_the_page(client, world):
    login(client, world.t.branch)
    bill = DuesBill.objects.get(member=world.a)
    url = reverse("dues:member_bills", args=[world.a.pk])
    response = client.post(url, {"bills": [bill.pk], "note": ""})
    assert response.status_code == 400 and "请填写备注" in response.content.decode()
    assert DuesBill.objects.get(pk=bill.pk).paid_at is None
    response = client.post(url, {"bills": [bill.pk], "note": "书记收取现金"})
    assert response.status_code == 302 and DuesBill.objects.get(pk=bill.pk).paid_via == DuesBill.Via.OFFLINE


def test_export_is_an_xlsx_of_the_subtree_with_a_row_limit(client, world, monkeypatch):
    login(client, world.t.province)
    response = client.get(reverse("dues:export"), {"month": "2026-01"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.values)
    assert rows[0][0] == "团员姓名" and len(rows) == 4
    monkeypatch.setattr(selectors, "EXPORT_MAX_ROWS", 2)
    response = client.get(reverse("dues:export"), {"month": "2026-01"}, follow=True)
    assert selectors.ERR_EXPORT_TOO_MANY in response.content.decode()


def test_bad_month_is_a_chinese_error_not_a_500(client, world):
    login(client, world.t.branch)
    for value in ("2026-13", "abc", "99999-01", "2026-01-01"):
        response = client.get(reverse("dues:query"), {"month": value})
        assert response.status_code == 200 and "请选择正确的月份" in response.content.decode()


def test_retention_pages(client, world):
    login(client, world.t.city_a)
    response = client.post(reverse("dues:retention_edit", args=[world.t.district.pk]),
                           {"retains_dues": "on", "retention_ratio": "101"})
    assert response.status_code == 400 and "留存比例请输入0-100的整数" in response.content.decode()
    response = client.post(reverse("dues:retention_edit", args=[world.t.district.pk]),
                           {"retains_dues": "on", "retention_ratio": "30"})
    assert response.status_code == 302
    assert Organization.objects.get(pk=world.t.district.pk).retention_ratio == 30
    page = client.get(reverse("dues:retention"), {"month": "2026-01"}).content.decode()
    assert "广州市" in page and "本组织" in page
    login(client, world.t.branch)  # a branch has no children to set
    assert client.get(reverse("dues:retention_settings")).status_code == 403


def test_tiers_page_province_edits_others_read(client, world):
    tier = DuesTier.objects.get(income=1)
    login(client, world.t.city_a)
    assert "团费档位由团省委设置" in client.get(reverse("dues:tiers")).content.decode()
    assert client.post(reverse("dues:tier_edit", args=[tier.pk]), {"amount": "4"}).status_code == 403
    login(client, world.t.province)
    response = client.post(reverse("dues:tier_edit", args=[tier.pk]), {"amount": "1000"})
    assert response.status_code == 400 and "不含1000元" in response.content.decode()
    assert client.post(reverse("dues:tier_edit", args=[tier.pk]), {"amount": "4.5"}).status_code == 302
    assert DuesTier.objects.get(pk=tier.pk).amount == Decimal("4.50")


def test_menu_and_org_detail_card(client, world):
    login(client, world.t.province)
    home = client.get(reverse("portal:home")).content.decode()
    assert "团费查询" in home and "交费设置" in home
    login(client, world.t.branch)
    home = client.get(reverse("portal:home")).content.decode()
    assert "团费查询" in home and "团费留存设置" not in home and "交费设置" not in home


# --- the member end -----------------------------------------------------------------------------------------

def test_member_page_shows_arrears_and_is_reachable_from_home(client, world, fake_pay):
    login_person(client, world.a.user)
    assert reverse("dues:member_home") in client.get(reverse("mobile:member_home")).content.decode()
    page = client.get(reverse("dues:member_home")).content.decode()
    assert "3.00" in page and "共 1 个月团费未交清" in page and "立即交费" in page


def test_member_page_without_wechat_pay_says_so(client, world, settings):
    settings.WECHATPAY = {**settings.WECHATPAY, "MCH_ID": ""}
    login_person(client, world.a.user)
    page = client.get(reverse("dues:member_home")).content.decode()
    assert payment.ERR_DISABLED in page and "立即交费" not in page


def test_member_pays_through_the_pages(client, world, fake_pay):
    login_person(client, world.a.user)
    response = client.post(reverse("dues:pay"))
    pay = Payment.objects.get(payer=world.a)
    assert response.status_code == 302 and response.url == reverse("dues:order", args=[pay.pk])
    page = client.get(response.url).content.decode()
    assert pay.out_trade_no in page and "getBrandWCPayRequest" in page and pay.prepay_id in page
    fake_pay.pay(pay.out_trade_no)  # paid; the page's 我已完成支付 asks WeChat Pay
    client.post(reverse("dues:order", args=[pay.pk]))
    assert Payment.objects.get(pk=pay.pk).state == Payment.State.PAID
    assert "本人" in client.get(reverse("dues:paid")).content.decode()


def test_other_members_orders_are_404(client, world, fake_pay):
    pay, _ = payment.order_create(payer=world.b)
    login_person(client, world.a.user)
    assert client.get(reverse("dues:order", args=[pay.pk])).status_code == 404
    assert client.post(reverse("dues:order_cancel", args=[pay.pk])).status_code == 404


def test_help_pay_page_lists_branch_mates_only(client, world, fake_pay):
    DuesBill.objects.filter(member=world.a2).update(paid_at=None, paid_via=None, note="", recorded_by="")
    login_person(client, world.a.user)
    page = client.get(reverse("dues:help")).content.decode()
    assert "甲同支部" in page and "乙团员" not in page
    response = client.post(reverse("dues:help"), {"members": [world.b.pk]})
    assert response.status_code == 400 and payment.ERR_NOT_BRANCH_MATE in response.content.decode()
    response = client.post(reverse("dues:help"), {"members": [world.a2.pk]})
    assert response.status_code == 302


def test_donation_page_refuses_over_1000_in_chinese(client, world, fake_pay):
    login_person(client, world.a.user)
    response = client.post(reverse("dues:donate"), {"amount": "1000.01"})
    assert response.status_code == 400 and "请线下联系您所在的基层团委" in response.content.decode()
    assert not Payment.objects.exists()


def test_notify_endpoint_is_post_only_and_csrf_exempt(client, fake_pay):
    assert client.get("/pay/wechat/notify/").status_code == 405
    response = client.post("/pay/wechat/notify/", data="{}", content_type="application/json")
    assert response.status_code == 401


def test_org_accounts_cannot_use_member_pages(client, world):
    login(client, world.t.branch)
    assert client.get(reverse("dues:member_home")).status_code == 403


__all__ = ["retention"]


def test_org_detail_shows_its_dues_this_month(client, tree):
    import time_machine

    make_member(tree.branch, income=2)
    with time_machine.travel(datetime(2026, 1, 10, 10, tzinfo=SH)):
        billing.bills_make(month=JAN)
        stats.stats_build(month=JAN)
        login(client, tree.province)
        page = client.get(reverse("orgtree:detail", args=[tree.city_a.pk])).content.decode()
    assert "团费交纳情况（2026年01月" in page and f"?org={tree.city_a.pk}&month=2026-01" in page
    assert "<dt>应交费团员数</dt><dd>1</dd>" in page


def test_cadre_end_query_of_the_working_org_and_its_subtree_only(client, world):
    from ...factories import make_operator

    user = make_operator(world.t.city_a)
    client.force_login(user, backend="portal.backends.AccountBackend")
    assert reverse("dues:cadre_query") in client.get(reverse("mobile:cadre_home")).content.decode()
    page = client.get(reverse("dues:cadre_query"), {"month": "2026-01"}).content.decode()
    assert "广州市" in page and "天河区" in page and "深圳市" not in page
    assert client.get(reverse("dues:cadre_query"), {"org": world.t.district.pk}).status_code == 200
    assert client.get(reverse("dues:cadre_query"), {"org": world.t.city_b.pk}).status_code == 404
    login_person(client, world.a.user)  # members are refused the cadre end
    assert client.get(reverse("dues:cadre_query")).status_code == 403
