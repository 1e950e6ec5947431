"""Paying dues through WeChat Pay APIv3 (JSAPI) with ``wechatpayv3`` (DESIGN §2; reference §2.2.6, §4.10).

Flow: ``order_create`` locks the chosen bills (the member's own, or 帮TA交费 for branch mates) or
makes a 自愿多交 order, asks WeChat Pay for a ``prepay_id`` and returns the JSAPI parameters the page
hands to ``WeixinJSBridge``. WeChat Pay then posts the result to ``callback``: the library verifies
the signature with the platform public key and decrypts the resource (AEAD_AES_256_GCM); we check the
merchant, app, order and amount, and mark the bills paid — once, whatever the number of notifications.
``order_sync`` asks WeChat Pay about an order whose notify never came; ``order_cancel`` (the page's
cancel/fail) closes it and unlocks its bills. Fen appear only here, at the boundary.
"""

import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal.models import WeChatIdentity
from portal.prepared import prepared

from . import billing, stats
from .models import MAX_ONLINE_DONATION, DuesBill, OrderLine, Payment
from .money import ZERO, parse_yuan, yuan

logger = logging.getLogger(__name__)

ERR_DISABLED = "在线交纳团费尚未开通，请联系所在团支部线下交纳。"
ERR_TRANSFERRED_OUT = "您的组织关系已转出本省，不能在本系统交纳团费。"
ERR_TARGET_TRANSFERRED_OUT = "所选团员的组织关系已转出本省，不能为其交纳团费。"
ERR_NOT_MEMBER = "只有已报到并审核通过的团员可以交纳团费。"
ERR_NOTHING = "没有需要交纳的团费。"
ERR_BILLS = "所选账单不存在或已交纳，请刷新后重试。"
ERR_NOT_BRANCH_MATE = "只能为本支部的团员交纳团费。"
ERR_LOCKED = "所选团费正在支付中，请完成或取消该订单后再试。"
ERR_OVERDUE = "你因超过6个月未交团费，系统已暂停你在线交纳的权限，请线下联系所在的团支部。"
ERR_TARGET_OVERDUE = "所选团员已超过6个月未交团费，在线交纳已暂停，请联系团支部线下交纳。"
ERR_NO_OPENID = "未获取到您的微信身份，请从公众号菜单重新进入后再交费。"
ERR_GATEWAY = "微信支付下单失败，请稍后重试。"
ERR_DONATION_AMOUNT = "请输入大于0、最多两位小数的金额"
ERR_DONATION_MAX = "为了您的资金安全，团员自愿多交的团费超出1000元时，请线下联系您所在的基层团委。"
ERR_NOT_PENDING = "该订单已支付或已关闭。"

# The callback's refusals (logged; WeChat Pay retries until it gets a 2xx).
CB_SIGNATURE = "signature"
CB_MERCHANT = "merchant"
CB_UNKNOWN_ORDER = "unknown_order"
CB_AMOUNT = "amount"


class CallbackRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def config():
    return settings.WECHATPAY


def enabled():
    c = config()
    return all(c.get(k) for k in ("MCH_ID", "APP_ID", "CERT_SERIAL_NO", "PRIVATE_KEY_FILE", "APIV3_KEY",
                                  "PUBLIC_KEY_FILE", "PUBLIC_KEY_ID", "NOTIFY_URL"))


def _read(path):
    with open(path, encoding="ascii") as fh:
        return fh.read()


_clients = {}


def client():
    """The wechatpayv3 client for the configured merchant (cached per configuration)."""
    from wechatpayv3 import WeChatPay, WeChatPayType

    c = config()
    key = tuple(sorted((k, str(v)) for k, v in c.items()))
    if key not in _clients:
        pay = WeChatPay(wechatpay_type=WeChatPayType.JSAPI, mchid=c["MCH_ID"], private_key=_read(c["PRIVATE_KEY_FILE"]),
                        cert_serial_no=c["CERT_SERIAL_NO"], appid=c["APP_ID"], apiv3_key=c["APIV3_KEY"],
                        notify_url=c["NOTIFY_URL"], public_key=_read(c["PUBLIC_KEY_FILE"]),
                        public_key_id=c["PUBLIC_KEY_ID"], timeout=(c.get("TIMEOUT", 10), c.get("TIMEOUT", 10)),
                        logger=None)
        # The library hard-codes the gateway; tests and development point it at the fake server.
        pay._core._gate_way = c["API_BASE_URL"].rstrip("/")
        _clients.clear()
        _clients[key] = pay
    return _clients[key]


def new_trade_no():
    return f"TF{timezone.localtime():%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"  # 28 characters


def openid_of(member):
    if member.user_id is None:
        return None
    return (WeChatIdentity.objects.filter(user_id=member.user_id, kind=WeChatIdentity.Kind.MP)
            .values_list("external_id", flat=True).first())


def _check_payer(payer):
    if payer.transferred_out:
        raise ValidationError(ERR_TRANSFERRED_OUT, code="transferred_out")
    if not payer.is_approved or payer.deleted_at is not None:
        raise ValidationError(ERR_NOT_MEMBER, code="not_member")


def _months_owed(member_ids):
    from django.db.models import Count

    rows = (billing.unpaid_bills().filter(member_id__in=member_ids).values("member_id")
            .annotate(n=Count("pk")).order_by())
    return {r["member_id"]: r["n"] for r in rows}


def bills_to_pay(*, payer, bill_ids=None, member_ids=None):
    """The unpaid bills an order would cover, oldest first, after every refusal.

    - ``bill_ids``: the payer's own chosen bills;
    - ``member_ids``: 帮TA交费, every unpaid bill of those branch mates (the payer may include themself);
    - neither: all the payer's own arrears.
    """
    from services.members.models import Member

    _check_payer(payer)
    if member_ids:
        ids = set(member_ids)
        mates = Member.objects.filter(pk__in=ids, branch_id=payer.branch_id, deleted_at__isnull=True)
        found = {m.pk: m for m in mates}
        if len(found) != len(ids):
            raise ValidationError(ERR_NOT_BRANCH_MATE, code="not_branch_mate")
        if any(m.transferred_out for m in found.values()):
            raise ValidationError(ERR_TARGET_TRANSFERRED_OUT, code="transferred_out")
        qs = billing.unpaid_bills().filter(member_id__in=ids)
    else:
        ids = {payer.pk}
        qs = billing.unpaid_bills().filter(member=payer)
        if bill_ids is not None:
            qs = qs.filter(pk__in=list(bill_ids))
    owed = _months_owed(ids)
    if any(billing.online_closed(n) for n in owed.values()):
        raise ValidationError(ERR_OVERDUE if ids == {payer.pk} else ERR_TARGET_OVERDUE, code="overdue")
    bills = list(qs.select_for_update().order_by("month", "member_id"))
    if bill_ids is not None and len(bills) != len(set(bill_ids)):
        raise ValidationError(ERR_BILLS, code="bills")
    if not bills:
        raise ValidationError(ERR_NOTHING, code="nothing")
    locked = [b for b in bills if b.order_id is not None]
    if locked and Payment.objects.filter(pk__in={b.order_id for b in locked}, state=Payment.State.PENDING).exists():
        raise ValidationError(ERR_LOCKED, code="locked")
    return bills


@transaction.atomic
def order_create(*, payer, bill_ids=None, member_ids=None, donation=None, client_ip="127.0.0.1"):
    """Create and lock an order; returns ``(payment, jsapi_params)``. ``donation``: 自愿多交 amount."""
    if not enabled():
        raise ValidationError(ERR_DISABLED, code="disabled")
    _check_payer(payer)
    openid = openid_of(payer)
    if not openid:
        raise ValidationError(ERR_NO_OPENID, code="openid")
    payment = Payment(out_trade_no=new_trade_no(), payer=payer, branch_id=payer.branch_id)
    if donation is not None:
        amount = parse_yuan(donation)
        if amount is None or amount <= 0:
            raise ValidationError({"amount": ValidationError(ERR_DONATION_AMOUNT, code="amount")})
        if amount > MAX_ONLINE_DONATION:
            raise ValidationError({"amount": ValidationError(ERR_DONATION_MAX, code="donation_max")})
        payment.kind, payment.total, description = Payment.Kind.DONATION, amount, "自愿多交团费"
        payment.save()
    else:
        bills = bills_to_pay(payer=payer, bill_ids=bill_ids, member_ids=member_ids)
        payment.kind, payment.total = Payment.Kind.DUES, sum((b.amount for b in bills), ZERO)
        helped = {b.member_id for b in bills} - {payer.pk}
        description = f"团费（{len(bills)}个月）" if not helped else f"帮本支部的{len({b.member_id for b in bills})}位成员交纳团费"
        payment.save()
        OrderLine.objects.bulk_create([OrderLine(payment=payment, bill=b, amount=b.amount) for b in bills])
        DuesBill.objects.filter(pk__in=[b.pk for b in bills]).update(order=payment)
    expire = timezone.now() + timedelta(minutes=config().get("ORDER_MINUTES", 15))
    try:
        code, body = client().pay(description=description, out_trade_no=payment.out_trade_no,
                                  amount={"total": payment.total_fen, "currency": "CNY"}, payer={"openid": openid},
                                  time_expire=expire.astimezone().isoformat(timespec="seconds"),
                                  scene_info={"payer_client_ip": client_ip or "127.0.0.1"})
        prepay_id = json.loads(body).get("prepay_id") if code == 200 else None
    except Exception as exc:  # network, signature of the answer, JSON — the order is not created
        logger.warning("WeChat Pay JSAPI order %s failed: %s", payment.out_trade_no, exc)
        prepay_id = None
    if not prepay_id:
        raise ValidationError(ERR_GATEWAY, code="gateway")
    payment.prepay_id = prepay_id
    payment.save(update_fields=["prepay_id"])
    return payment, jsapi_params(payment)


def jsapi_params(payment):
    """What ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)`` needs, signed with the merchant key."""
    c = config()
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    package = f"prepay_id={payment.prepay_id}"
    return {"appId": c["APP_ID"], "timeStamp": timestamp, "nonceStr": nonce, "package": package,
            "signType": "RSA", "paySign": client().sign([c["APP_ID"], timestamp, nonce, package])}


# --- results ------------------------------------------------------------------------------------

@transaction.atomic
def payment_confirm(*, out_trade_no, transaction_id, total_fen, trade_state, success_time=None,
                    mchid=None, appid=None):
    """Apply a trade result from the callback or a query. Idempotent: a paid order stays paid, a
    duplicate changes nothing. Returns the payment. Raises :class:`CallbackRefused` on a mismatch."""
    c = config()
    if (mchid is not None and mchid != c["MCH_ID"]) or (appid is not None and appid != c["APP_ID"]):
        raise CallbackRefused(CB_MERCHANT)
    payment = Payment.objects.select_for_update().filter(out_trade_no=out_trade_no).first()
    if payment is None:
        raise CallbackRefused(CB_UNKNOWN_ORDER)
    if trade_state == "SUCCESS" and int(total_fen) != payment.total_fen:
        logger.error("WeChat Pay %s: amount %s fen, order %s fen — refused", out_trade_no, total_fen, payment.total_fen)
        raise CallbackRefused(CB_AMOUNT)
    if payment.state == Payment.State.PAID:
        return payment  # a duplicate notification, or the query after the notify: nothing to do
    if trade_state == "SUCCESS":
        paid_at = (parse_datetime(success_time) if success_time else None) or timezone.now()
        payment.state, payment.paid_at, payment.transaction_id = Payment.State.PAID, paid_at, transaction_id or ""
        bill_ids = list(payment.lines.values_list("bill_id", flat=True))
        # A late success after a cancel: its bills may have been paid meanwhile (offline, another order).
        unpaid = list(DuesBill.objects.filter(pk__in=bill_ids, paid_at__isnull=True).values_list("pk", flat=True))
        paid = DuesBill.objects.filter(pk__in=unpaid, paid_at__isnull=True).update(
            paid_at=paid_at, paid_via=DuesBill.Via.ONLINE, payment=payment, paid_by=payment.payer, order=None)
        stats.bills_paid(unpaid)
        _tell_helped(payment, unpaid)
        if paid != len(bill_ids):
            payment.problem = f"{len(bill_ids) - paid}笔账单在本订单支付前已交纳，需退款处理"
            logger.error("WeChat Pay %s: %s", out_trade_no, payment.problem)
        payment.save(update_fields=["state", "paid_at", "transaction_id", "problem"])
    elif trade_state in ("CLOSED", "REVOKED", "PAYERROR") and payment.state == Payment.State.PENDING:
        _release(payment, Payment.State.FAILED if trade_state == "PAYERROR" else Payment.State.CLOSED)
    return payment


def _tell_helped(payment, bill_ids):
    """帮TA交费: each member paid for is told who paid (through the bulk path: one order may cover many)."""
    from django.db.models import F

    from services.members.models import Member
    from services.messaging.services import notify_many

    if not bill_ids:  # a donation, or every bill paid meanwhile
        return
    helped = (Member.objects.filter(pk__in=DuesBill.objects.filter(pk__in=bill_ids).exclude(member=payment.payer_id)
                                    .values("member_id"), user__isnull=False)
              .values(recipient=F("user_id"), sender_org=F("branch_id")))
    notify_many(users=helped, title="团员帮您交纳了团费", link="/m/dues/paid/",
                body=f"本支部团员{payment.payer.name}帮您交纳了团费，可在“已交记录”中查看。")


def _release(payment, state):
    payment.state, payment.closed_at = state, timezone.now()
    payment.save(update_fields=["state", "closed_at"])
    DuesBill.objects.filter(order=payment, paid_at__isnull=True).update(order=None)


def callback(*, headers, body):
    """The notify endpoint's work: verify, decrypt, check, apply. Returns the payment."""
    try:
        data = client().callback(headers, body)
    except Exception as exc:  # unsupported algorithm, malformed body
        logger.warning("WeChat Pay notify refused: %s", exc)
        data = None
    if not data:
        raise CallbackRefused(CB_SIGNATURE)
    resource = data.get("resource") or {}
    amount = resource.get("amount") or {}
    return payment_confirm(out_trade_no=resource.get("out_trade_no", ""), transaction_id=resource.get("transaction_id"),
                           total_fen=amount.get("total", -1), trade_state=resource.get("trade_state", ""),
                           success_time=resource.get("success_time"), mchid=resource.get("mchid"),
                           appid=resource.get("appid"))


def order_sync(payment):
    """Ask WeChat Pay about an order (its notify never came, or the page asks)."""
    code, body = client().query(out_trade_no=payment.out_trade_no)
    if code != 200:
        logger.warning("WeChat Pay query %s: %s %s", payment.out_trade_no, code, body)
        return payment
    data = json.loads(body)
    return payment_confirm(out_trade_no=payment.out_trade_no, transaction_id=data.get("transaction_id"),
                           total_fen=(data.get("amount") or {}).get("total", -1), trade_state=data.get("trade_state"),
                           success_time=data.get("success_time"), mchid=data.get("mchid"), appid=data.get("appid"))


def order_cancel(*, payer, payment):
    """The page's 取消/失败: ask first (it may have been paid after all), else close and unlock."""
    if payment.payer_id != payer.pk:
        raise ValidationError(ERR_NOT_PENDING, code="not_pending")
    payment = order_sync(payment)
    if payment.state != Payment.State.PENDING:
        return payment
    code, _ = client().close(out_trade_no=payment.out_trade_no)
    if code not in (200, 204):
        return order_sync(payment)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.state == Payment.State.PENDING:
            _release(locked, Payment.State.CLOSED)
        return locked


def sync_pending(*, as_of):
    """The job for orders whose notify never came: every pending order older than its expiry as of
    ``as_of`` is queried and, unless paid, closed and unlocked. Idempotent."""
    limit = as_of - timedelta(minutes=config().get("ORDER_MINUTES", 15) + 1)
    done = 0
    for payment in Payment.objects.filter(state=Payment.State.PENDING, created_at__lt=limit).order_by("pk")[:500]:
        try:
            payment = order_sync(payment)
            if payment.state == Payment.State.PENDING:
                order_cancel(payer=payment.payer, payment=payment)
            done += 1
        except Exception as exc:  # one bad order must not stop the others
            logger.warning("WeChat Pay sync %s failed: %s", payment.out_trade_no, exc)
    return done


def donations_of(member):
    return Payment.objects.filter(payer=member, kind=Payment.Kind.DONATION, state=Payment.State.PAID)


@prepared
def _donated(member_id):
    return (Payment.objects.filter(payer_id=member_id, kind=Payment.Kind.DONATION, state=Payment.State.PAID)
            .order_by().values("payer_id").annotate(t=Sum("total")).values_list("t", flat=True))


def donated_total(member):
    """The member's paid 自愿多交, in yuan (prepared: the member's 团费交纳 page shows it)."""
    return yuan(next(iter(_donated(member.pk)), None) or ZERO)

