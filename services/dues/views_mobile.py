"""The member end's 团费交纳 (/m/dues/...), and the WeChat Pay notify endpoint (reference §2.2.6)."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.actors import client_ip
from portal.params import int_list
from portal.views.mobile import cadre_required, member_required

from . import payment, selectors
from .forms import DonationForm
from .models import DuesTier, Payment

logger = logging.getLogger(__name__)
ERR_NOT_APPROVED = "报到审核通过后才能交纳团费。"


def _member(request):
    member = request.actor.extra.get("member")
    if member is None or not member.is_approved:
        return None
    return member


def _refuse(request, message, status=403):
    return render(request, "dues/m_message.html", {"title": "团费交纳", "message": message}, status=status)


@member_required
def member_home(request):
    """团费交纳: 应交团费, N 个月未交, the unpaid list, and the ways to pay."""
    member = _member(request)
    if member is None:
        return _refuse(request, ERR_NOT_APPROVED)
    unpaid = selectors.unpaid_of(member)
    summary = selectors.member_summary(member, unpaid=unpaid)
    pending = selectors.pending_payment(member)
    return render(request, "dues/m_home.html", {
        "member": member, "summary": summary, "unpaid": unpaid,
        "enabled": payment.enabled(), "pending": pending, "err_disabled": payment.ERR_DISABLED,
        "err_overdue": payment.ERR_OVERDUE, "transferred_out": member.transferred_out,
        "err_transferred_out": payment.ERR_TRANSFERRED_OUT})


@member_required
def paid_list(request):
    """已交清单 and 帮TA交费清单 and 自愿多交 records."""
    member = _member(request)
    if member is None:
        return _refuse(request, ERR_NOT_APPROVED)
    bills = [b for b in selectors.bill_history(member) if b.paid_at]
    return render(request, "dues/m_paid.html", {"bills": bills, "helped": selectors.paid_for_others(member)[:200],
                                                "donations": payment.donations_of(member).order_by("-paid_at")[:200]})


def standard(request):
    """团费标准说明 (reference §3.9), from the tiers in force."""
    return render(request, "dues/m_standard.html", {"tiers": DuesTier.objects.all()})


def _order(request, member, **kwargs):
    try:
        pay, _params = payment.order_create(payer=member, client_ip=client_ip(request), **kwargs)
    except ValidationError as exc:
        return None, exc
    return pay, None


@require_POST
@member_required
def pay(request):
    """立即交费: all arrears oldest first, or the bills ticked on the unpaid list."""
    member = _member(request)
    if member is None:
        return _refuse(request, ERR_NOT_APPROVED)
    chosen = int_list(request.POST.getlist("bills"))
    pay, error = _order(request, member, bill_ids=chosen or None)
    if error:
        messages.error(request, "；".join(error.messages))
        return redirect("dues:member_home")
    return redirect("dues:order", pay.pk)


@member_required
def help_pay(request):
    """帮TA交费: branch mates with arrears; tick any → one order."""
    member = _member(request)
    if member is None:
        return _refuse(request, ERR_NOT_APPROVED)
    if member.transferred_out:
        return _refuse(request, payment.ERR_TRANSFERRED_OUT)
    mates = selectors.mates_with_places(member)
    error = ""
    if request.method == "POST":
        ids = int_list(request.POST.getlist("members"))
        if not ids:
            error = "请选择要帮其交费的团员"
        else:
            pay, exc = _order(request, member, member_ids=ids)
            if exc is None:
                return redirect("dues:order", pay.pk)
            error = "；".join(exc.messages)
    return render(request, "dues/m_help.html", {"mates": mates, "error": error, "enabled": payment.enabled()},
                  status=400 if error else 200)


@member_required
def donate(request):
    """自愿多交: any amount > 0, ≤ 1000 online, two decimals; kept apart from dues."""
    member = _member(request)
    if member is None:
        return _refuse(request, ERR_NOT_APPROVED)
    if member.transferred_out:
        return _refuse(request, payment.ERR_TRANSFERRED_OUT)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pay, exc = _order(request, member, donation=form.cleaned_data["amount"])
        if exc is None:
            return redirect("dues:order", pay.pk)
        from portal.forms import add_service_errors

        add_service_errors(form, exc)
    return render(request, "dues/m_donate.html", {"form": form, "enabled": payment.enabled()},
                  status=400 if request.method == "POST" else 200)


def _own_order(request, pk):
    member = _member(request)
    pay = Payment.objects.filter(pk=pk, payer=member).first() if member else None
    if pay is None:
        raise Http404("未找到该订单")
    return member, pay


@member_required
def order(request, pk):
    """交纳确认 / 支付结果: the order, the JSAPI call inside WeChat, then the result."""
    member, pay = _own_order(request, pk)
    if request.method == "POST" and pay.state == Payment.State.PENDING:  # 我已完成支付: ask WeChat Pay
        try:
            pay = payment.order_sync(pay)
        except Exception as exc:  # the gateway is down: the sync job will ask again
            logger.warning("order query %s: %s", pay.out_trade_no, exc)
            messages.error(request, "暂时无法查询支付结果，请稍后刷新。")
        return redirect("dues:order", pay.pk)
    # Signed afresh on every view (the prepay_id stays valid for two hours; the order expires sooner).
    params = (payment.jsapi_params(pay) if pay.state == Payment.State.PENDING and pay.prepay_id
              and payment.enabled() else None)
    return render(request, "dues/m_order.html", {"pay": pay, "lines": pay.lines.select_related("bill", "bill__member"),
                                                 "jsapi": params or None})


@require_POST
@member_required
def order_cancel(request, pk):
    """The page's 取消 / 支付失败: release the bills (after asking WeChat Pay whether it was paid)."""
    member, pay = _own_order(request, pk)
    if pay.state == Payment.State.PENDING:
        try:
            pay = payment.order_cancel(payer=member, payment=pay)
        except Exception as exc:
            logger.warning("order cancel %s: %s", pay.out_trade_no, exc)
            messages.error(request, "暂时无法取消订单，请稍后再试；未支付的订单将在15分钟后自动关闭。")
            return redirect("dues:order", pay.pk)
    messages.info(request, "支付已取消" if pay.state == Payment.State.CLOSED else pay.get_state_display())
    return redirect("dues:member_home" if pay.kind == Payment.Kind.DUES else "dues:donate")


@csrf_exempt
@require_POST
def notify(request):
    """WeChat Pay's payment notification (APIv3): 200 once applied, 4xx so WeChat Pay retries otherwise."""
    if not payment.enabled():  # nobody can have paid: nothing to tell us
        return JsonResponse({"code": "FAIL", "message": "未开通"}, status=404)
    try:
        payment.callback(headers=request.META, body=request.body.decode("utf-8", "replace"))
    except payment.CallbackRefused as exc:
        logger.warning("WeChat Pay notify refused: %s", exc.reason)
        return JsonResponse({"code": "FAIL", "message": exc.reason}, status=400 if exc.reason != "signature" else 401)
    return JsonResponse({"code": "SUCCESS", "message": "成功"})


@cadre_required
def cadre_query(request):
    """团干端 团费查询 (reference §2.3 直属下级团费收交): the working org's (or one of its subtree's) month
    figures and each direct child's, read only."""
    from services.cadres.selectors import org_viewable, viewing_root

    from .forms import QueryForm

    form = QueryForm(request.GET or None)
    month = form.month_or_now()
    org_id = form.cleaned_data.get("org") if form.is_valid() else None
    org = org_viewable(request.actor, org_id) if org_id else viewing_root(request.actor)
    if org is None:
        return _refuse(request, "请先选择工作组织")
    rows = selectors.month_overview(actor=request.actor, org=org, month=month)
    return render(request, "dues/m_cadre_query.html", {"form": form, "month": month, "org": org, "rows": rows})
