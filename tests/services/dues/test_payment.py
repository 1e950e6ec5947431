"""WeChat Pay APIv3 through wechatpayv3 against the fake server (real RSA signatures, AES-GCM resources)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from services.dues import billing, offline, payment, stats
from services.dues.models import DuesBill, MonthStat, Payment
from services.members.models import Member

from ...factories import actor_of, make_member

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOTIFY = "/pay/wechat/notify/"


def months(n, start=date(2025, 7, 1)):
    out, m = [], start
    for _ in range(n):
        out.append(m)
        m = billing.next_month(m)
    return out


@pytest.fixture
def owing(tree):
    """A member owing three months (Jan–Mar 2026, 3.00 each) and the month statistics built."""
    m = make_member(tree.branch, income=1)
    for month in months(3, date(2026, 1, 1)):
        billing.bills_make(month=month)
        stats.stats_build(month=month)
    return m


def post_notify(client, meta, body):
    return client.post(NOTIFY, data=body, content_type="application/json", **meta)


def test_member_pays_all_arrears_oldest_first(client, fake_pay, owing, tree):
    pay, params = payment.order_create(payer=owing)
    assert pay.total == Decimal("9.00") and pay.kind == Payment.Kind.DUES
    sent = fake_pay.received("POST", "/v3/pay/transactions/jsapi")[0]
    assert '"total": 900' in sent["body"] and f'"openid": "{payment.openid_of(owing)}"' in sent["body"]
    assert params["package"] == f"prepay_id={pay.prepay_id}" and params["signType"] == "RSA" and params["paySign"]
    assert list(pay.lines.order_by("bill__month").values_list("bill__month", flat=True)) == months(3, date(2026, 1, 1))
    assert DuesBill.objects.filter(order=pay).count() == 3
    meta, body = fake_pay.pay(pay.out_trade_no)
    response = post_notify(client, meta, body)
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    pay.refresh_from_db()
    assert pay.state == Payment.State.PAID and pay.transaction_id
    bills = DuesBill.objects.filter(member=owing)
    assert all(b.paid_at and b.paid_via == DuesBill.Via.ONLINE and b.paid_by_id == owing.pk and b.order_id is None
               for b in bills)
    assert billing.arrears_of(owing) == (0, Decimal("0.00"))
    stat = MonthStat.objects.get(org=tree.province, month=date(2026, 2, 1))
    assert (stat.paid, stat.paid_amount) == (1, Decimal("3.00"))


def test_member_pays_chosen_bills_only(client, fake_pay, owing):
    first = DuesBill.objects.get(member=owing, month=date(2026, 1, 1))
    pay, _ = payment.order_create(payer=owing, bill_ids=[first.pk])
    assert pay.total == Decimal("3.00")
    post_notify(client, *fake_pay.pay(pay.out_trade_no))
    assert billing.arrears_of(owing) == (2, Decimal("6.00"))


def test_duplicate_notifications_change_nothing(client, fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    meta, body = fake_pay.pay(pay.out_trade_no)
    assert post_notify(client, meta, body).status_code == 200
    paid_at = list(DuesBill.objects.filter(member=owing).values_list("paid_at", flat=True))
    for _ in range(3):
        assert post_notify(client, *fake_pay.notification(pay.out_trade_no)).status_code == 200
    assert list(DuesBill.objects.filter(member=owing).values_list("paid_at", flat=True)) == paid_at
    assert MonthStat.objects.get(org=owing.branch, month=date(2026, 1, 1)).paid == 1  # counted once


def test_a_forged_signature_is_refused(client, fake_pay, owing):
    from tests.fake_wechatpay import _key

    pay, _ = payment.order_create(payer=owing)
    fake_pay.pay(pay.out_trade_no)
    meta, body = fake_pay.notification(pay.out_trade_no, signing_key=_key())
    assert post_notify(client, meta, body).status_code == 401
    meta, body = fake_pay.notification(pay.out_trade_no, tamper=lambda b: b.replace("支付成功", "支付成功 "))
    assert post_notify(client, meta, body).status_code == 401
    meta, body = fake_pay.notification(pay.out_trade_no)
    meta["HTTP_WECHATPAY_SIGNATURE_TYPE"] = "HMAC-SHA256"
    assert post_notify(client, meta, body).status_code == 401
    assert billing.arrears_of(owing)[0] == 3 and Payment.objects.get(pk=pay.pk).state == Payment.State.PENDING


def test_a_resource_encrypted_with_another_key_is_refused(client, fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    fake_pay.pay(pay.out_trade_no)
    meta, body = fake_pay.notification(pay.out_trade_no, apiv3_key="0" * 32)
    assert post_notify(client, meta, body).status_code == 401
    assert billing.arrears_of(owing)[0] == 3


def test_the_amount_and_the_order_are_checked(client, fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    fake_pay.pay(pay.out_trade_no)
    trade = fake_pay.trade(pay.out_trade_no)
    for changed, reason in (({"amount": {**trade["amount"], "total": 1}}, "amount"),
                            ({"out_trade_no": "TF-NOT-OURS"}, "unknown_order"),
                            ({"mchid": "1900009999"}, "merchant"), ({"appid": "wx-other"}, "merchant")):
        meta, body = fake_pay.notification(pay.out_trade_no, resource={**trade, **changed})
        response = post_notify(client, meta, body)
        assert response.status_code == 400 and response.json()["message"] == reason
    assert billing.arrears_of(owing)[0] == 3


def test_success_after_a_cancel_still_pays_the_bills(client, fake_pay, owing):
    """Out of order: the page's cancel reached us first (the order closed locally), then WeChat Pay's success."""
    pay, _ = payment.order_create(payer=owing)
    fake_pay.orders[pay.out_trade_no]["trade_state"] = "CLOSED"
    assert payment.order_cancel(payer=owing, payment=pay).state == Payment.State.CLOSED
    assert DuesBill.objects.filter(order__isnull=False).count() == 0
    fake_pay.orders[pay.out_trade_no]["trade_state"] = "NOTPAY"
    meta, body = fake_pay.pay(pay.out_trade_no)
    assert post_notify(client, meta, body).status_code == 200
    pay.refresh_from_db()
    assert pay.state == Payment.State.PAID and not pay.problem
    assert billing.arrears_of(owing)[0] == 0


def test_a_late_success_for_bills_paid_meanwhile_is_flagged_not_applied_twice(client, fake_pay, owing, tree):
    pay, _ = payment.order_create(payer=owing)
    fake_pay.orders[pay.out_trade_no]["trade_state"] = "CLOSED"
    payment.order_cancel(payer=owing, payment=pay)
    bills = list(DuesBill.objects.filter(member=owing).values_list("pk", flat=True))
    offline.offline_record(actor=actor_of(tree.branch), member=owing, bill_ids=bills[:1], note="现金")
    fake_pay.orders[pay.out_trade_no]["trade_state"] = "NOTPAY"
    post_notify(client, *fake_pay.pay(pay.out_trade_no))
    pay.refresh_from_db()
    assert pay.state == Payment.State.PAID and "需退款" in pay.problem
    assert DuesBill.objects.get(pk=bills[0]).paid_via == DuesBill.Via.OFFLINE


def test_a_failure_notice_after_success_keeps_the_order_paid(client, fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    post_notify(client, *fake_pay.pay(pay.out_trade_no))
    trade = {**fake_pay.trade(pay.out_trade_no), "trade_state": "PAYERROR"}
    assert post_notify(client, *fake_pay.notification(pay.out_trade_no, resource=trade)).status_code == 200
    assert Payment.objects.get(pk=pay.pk).state == Payment.State.PAID and billing.arrears_of(owing)[0] == 0


def test_order_query_applies_a_payment_whose_notify_never_came(fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    fake_pay.pay(pay.out_trade_no)  # paid, but the notification is lost
    assert payment.sync_pending(as_of=timezone.now()) == 0  # not yet expired: left alone
    assert payment.sync_pending(as_of=timezone.now() + timedelta(minutes=20)) == 1
    assert Payment.objects.get(pk=pay.pk).state == Payment.State.PAID and billing.arrears_of(owing)[0] == 0


def test_an_expired_unpaid_order_is_closed_and_its_bills_unlocked(fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    payment.sync_pending(as_of=timezone.now() + timedelta(minutes=20))
    assert Payment.objects.get(pk=pay.pk).state == Payment.State.CLOSED
    assert fake_pay.orders[pay.out_trade_no]["trade_state"] == "CLOSED"
    assert not DuesBill.objects.filter(order__isnull=False).exists()
    assert payment.sync_pending(as_of=timezone.now() + timedelta(minutes=40)) == 0  # idempotent


def test_cancel_unlocks_and_a_new_order_can_be_made(fake_pay, owing):
    pay, _ = payment.order_create(payer=owing)
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=owing)
    assert payment.ERR_LOCKED in exc.value.messages
    assert payment.order_cancel(payer=owing, payment=pay).state == Payment.State.CLOSED
    again, _ = payment.order_create(payer=owing)
    assert again.total == Decimal("9.00")


def test_a_failed_gateway_leaves_nothing_locked(fake_pay, owing):
    fake_pay.scripted["/v3/pay/transactions/jsapi"] = 500
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=owing)
    assert payment.ERR_GATEWAY in exc.value.messages
    assert not Payment.objects.exists() and not DuesBill.objects.filter(order__isnull=False).exists()


def test_payment_is_off_without_configuration(owing, settings):
    settings.WECHATPAY = {**settings.WECHATPAY, "MCH_ID": ""}
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=owing)
    assert payment.ERR_DISABLED in exc.value.messages


def test_six_months_owed_closes_online_payment_and_the_branch_records_offline(fake_pay, tree):
    m = make_member(tree.branch, income=1)
    for month in months(5):
        billing.bills_make(month=month)
    payment.order_create(payer=m)[0]  # five months: still online
    Payment.objects.update(state=Payment.State.CLOSED)
    DuesBill.objects.update(order=None)
    billing.bills_make(month=months(6)[-1])
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=m)
    assert payment.ERR_OVERDUE in exc.value.messages
    ids = list(DuesBill.objects.filter(member=m).values_list("pk", flat=True))
    n, total = offline.offline_record(actor=actor_of(tree.branch), member=m, bill_ids=ids, note="团支部书记现金收取")
    assert (n, total) == (6, Decimal("18.00"))
    bill = DuesBill.objects.filter(member=m).first()
    assert bill.paid_via == DuesBill.Via.OFFLINE and bill.note == "团支部书记现金收取" and "管理员" in bill.recorded_by


def test_pay_for_branch_mates_only(fake_pay, tree, branch2):
    payer = make_member(tree.branch, income=2)
    mate = make_member(tree.branch, income=1)
    stranger = make_member(branch2, income=1)
    billing.bills_make(month=date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=payer, member_ids=[mate.pk, stranger.pk])
    assert payment.ERR_NOT_BRANCH_MATE in exc.value.messages
    pay, _ = payment.order_create(payer=payer, member_ids=[mate.pk])
    assert pay.total == Decimal("3.00")
    payment.payment_confirm(out_trade_no=pay.out_trade_no, transaction_id="4200", total_fen=300, trade_state="SUCCESS")
    bill = DuesBill.objects.get(member=mate)
    assert bill.paid_by_id == payer.pk and bill.payer_label == payer.name
    assert billing.arrears_of(payer)[0] == 1  # the payer's own bill is untouched


def test_transferred_out_members_are_read_only(fake_pay, tree):
    payer, gone = make_member(tree.branch), make_member(tree.branch)
    billing.bills_make(month=date(2026, 1, 1))
    Member.objects.filter(pk=gone.pk).update(transferred_out_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=payer, member_ids=[gone.pk])
    assert payment.ERR_TARGET_TRANSFERRED_OUT in exc.value.messages
    gone.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=gone)
    assert payment.ERR_TRANSFERRED_OUT in exc.value.messages


@pytest.mark.parametrize("amount, error", [("1000.01", payment.ERR_DONATION_MAX), ("0", payment.ERR_DONATION_AMOUNT),
                                           ("1.234", payment.ERR_DONATION_AMOUNT), ("-5", payment.ERR_DONATION_AMOUNT),
                                           ("abc", payment.ERR_DONATION_AMOUNT)])
def test_donation_amount_is_checked(fake_pay, tree, amount, error):
    m = make_member(tree.branch)
    with pytest.raises(ValidationError) as exc:
        payment.order_create(payer=m, donation=amount)
    assert exc.value.message_dict == {"amount": [error]}
    assert not Payment.objects.exists()


def test_donation_is_kept_apart_and_never_offsets_dues(client, fake_pay, tree):
    m = make_member(tree.branch)
    billing.bills_make(month=date(2026, 1, 1))
    pay, _ = payment.order_create(payer=m, donation="1000")
    assert pay.kind == Payment.Kind.DONATION and pay.total == Decimal("1000.00") and not pay.lines.exists()
    post_notify(client, *fake_pay.pay(pay.out_trade_no))
    assert payment.donated_total(m) == Decimal("1000.00")
    assert billing.arrears_of(m) == (1, Decimal("3.00"))


def test_offline_record_refusals(fake_pay, tree, branch2):
    m = make_member(tree.branch)
    billing.bills_make(month=date(2026, 1, 1))
    bill = DuesBill.objects.get(member=m)
    with pytest.raises(ValidationError) as exc:
        offline.offline_record(actor=actor_of(tree.branch), member=m, bill_ids=[bill.pk], note="  ")
    assert exc.value.message_dict == {"note": [offline.ERR_NOTE]}
    with pytest.raises(ValidationError) as exc:
        offline.offline_record(actor=actor_of(branch2), member=m, bill_ids=[bill.pk], note="现金")
    assert offline.ERR_NOT_OWNER in exc.value.messages
    payment.order_create(payer=m)
    with pytest.raises(ValidationError) as exc:
        offline.offline_record(actor=actor_of(tree.branch), member=m, bill_ids=[bill.pk], note="现金")
    assert offline.ERR_LOCKED in exc.value.messages
    assert DuesBill.objects.get(pk=bill.pk).paid_at is None


def test_bill_amounts_reach_wechat_pay_in_fen():
    from services.dues.money import from_fen, to_fen, yuan

    assert to_fen(Decimal("0.20")) == 20 and to_fen(Decimal("20.00")) == 2000 and from_fen(2001) == Decimal("20.01")
    assert yuan(Decimal("0.125")) == Decimal("0.13") and yuan(Decimal("0.135")) == Decimal("0.14")
    with pytest.raises(TypeError):
        yuan(0.1)


def test_the_member_paid_for_and_the_member_recorded_offline_are_told(fake_pay, tree):
    from services.messaging.models import Message

    payer, mate = make_member(tree.branch, name="代交人"), make_member(tree.branch, name="被代交")
    billing.bills_make(month=date(2026, 1, 1))
    pay, _ = payment.order_create(payer=payer, member_ids=[mate.pk])
    payment.payment_confirm(out_trade_no=pay.out_trade_no, transaction_id="4200", total_fen=300, trade_state="SUCCESS")
    told = Message.objects.get(recipient_user=mate.user, title="团员帮您交纳了团费")
    assert "代交人" in told.body and not Message.objects.filter(recipient_user=payer.user, title__contains="帮您").exists()
    offline.offline_record(actor=actor_of(tree.branch), member=payer,
                           bill_ids=list(DuesBill.objects.filter(member=payer).values_list("pk", flat=True)), note="现金")
    assert Message.objects.filter(recipient_user=payer.user, title="团费线下交纳已登记").count() == 1


def test_the_sync_task_closes_orders_only_once_they_expire(fake_pay, owing):
    import time_machine

    from services.dues import tasks

    with time_machine.travel(datetime(2026, 3, 5, 10, 0, tzinfo=SH), tick=False):
        pay, _ = payment.order_create(payer=owing)
    with time_machine.travel(datetime(2026, 3, 5, 10, 10, tzinfo=SH), tick=False):
        assert tasks.orders_sync() == {"synced": 0}
        assert Payment.objects.get(pk=pay.pk).state == Payment.State.PENDING
    with time_machine.travel(datetime(2026, 3, 5, 10, 17, tzinfo=SH), tick=False):
        assert tasks.orders_sync() == {"synced": 1}
    assert Payment.objects.get(pk=pay.pk).state == Payment.State.CLOSED
    assert billing.arrears_of(owing)[0] == 3 and not DuesBill.objects.filter(order__isnull=False).exists()


def test_the_sync_task_does_nothing_without_wechat_pay(settings):
    from services.dues import tasks

    settings.WECHATPAY = {**settings.WECHATPAY, "MCH_ID": ""}
    assert tasks.orders_sync("2026-03-05T10:00:00+08:00") == {"synced": 0}


def test_the_members_page_totals_only_paid_donations_and_shows_the_waiting_payment(client, fake_pay, tree):
    from services.dues import selectors

    m, other = make_member(tree.branch), make_member(tree.branch)
    paid, _ = payment.order_create(payer=m, donation="30")
    post_notify(client, *fake_pay.pay(paid.out_trade_no))
    waiting, _ = payment.order_create(payer=m, donation="50")
    theirs, _ = payment.order_create(payer=other, donation="70")
    post_notify(client, *fake_pay.pay(theirs.out_trade_no))
    assert selectors.member_summary(m)["donated"] == payment.donated_total(m) == Decimal("30.00")
    assert selectors.pending_payment(m) == waiting and selectors.pending_payment(other) is None
    assert payment.donated_total(make_member(tree.branch)) == Decimal("0.00")
