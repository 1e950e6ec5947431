"""Offline payment recorded by the branch (reference §2.2.6 逾期页, §4.10): the branch that owns the
bills records that the member paid in person, with who recorded it and a note. Once ≥ 6 months are
owed this is the only way to pay."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit import audit_record, register_actions
from portal.text import clean_text

from . import stats
from .models import DuesBill, Payment
from .money import ZERO

register_actions({"dues.offline_record": "登记线下交纳团费"})

ERR_NOTE = "请填写备注（如收款人、收款方式）"
ERR_NO_BILLS = "请选择要登记的未交账单"
ERR_NOT_OWNER = "只能登记本支部的团费账单"
ERR_LOCKED = "所选账单正在在线支付中，请稍后再试"


@transaction.atomic
def offline_record(*, actor, member, bill_ids, note, now=None):
    """Mark the chosen unpaid bills of ``member`` owned by the actor's branch paid offline."""
    actor.require_org_actor()
    note = clean_text(note or "", label="备注", field="note").strip()
    if not note:
        raise ValidationError({"note": ValidationError(ERR_NOTE, code="note")})
    ids = [int(i) for i in bill_ids or ()]
    if not ids:
        raise ValidationError(ERR_NO_BILLS, code="no_bills")
    bills = list(DuesBill.objects.select_for_update().filter(pk__in=ids, member=member, paid_at__isnull=True))
    if len(bills) != len(set(ids)):
        raise ValidationError(ERR_NO_BILLS, code="no_bills")
    if any(b.branch_id != actor.org.pk for b in bills):
        raise ValidationError(ERR_NOT_OWNER, code="not_owner")
    if Payment.objects.filter(pk__in={b.order_id for b in bills if b.order_id}, state=Payment.State.PENDING).exists():
        raise ValidationError(ERR_LOCKED, code="locked")
    when = now or timezone.now()
    DuesBill.objects.filter(pk__in=ids).update(paid_at=when, paid_via=DuesBill.Via.OFFLINE, order=None,
                                               recorded_by=actor.label[:200], note=note[:200])
    stats.bills_paid(ids)
    total = sum((b.amount for b in bills), ZERO)
    if member.user_id:
        from services.messaging.services import notify

        notify(recipient=member.user, sender_org=actor.org, title="团费线下交纳已登记", link="/m/dues/paid/",
               body=f"{actor.org.full_name}已登记您线下交纳团费{len(bills)}个月，共{total}元。")
    audit_record(actor=actor, action="dues.offline_record", obj=member,
                 after={"月份": "、".join(f"{b.month:%Y-%m}" for b in sorted(bills, key=lambda b: b.month)),
                        "金额（元）": str(total), "备注": note})
    return len(bills), total
