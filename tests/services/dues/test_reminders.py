"""Monthly reminders through the bulk path: every member with arrears, stronger above 3 months, the branch's list."""

from datetime import date

import pytest

from services.dues import billing, reminders
from services.messaging.models import Delivery, Message

from ...factories import make_member

pytestmark = pytest.mark.django_db


def _months(n, start=date(2025, 8, 1)):
    out, m = [], start
    for _ in range(n):
        out.append(m)
        m = billing.next_month(m)
    return out


def test_reminders_by_months_owed_and_once_per_month(tree, settings, fake_wechat):
    one = make_member(tree.branch, name="欠一月")
    four = make_member(tree.branch, name="欠四月")
    six = make_member(tree.branch, name="欠六月")
    party = make_member(tree.branch, name="党员", political_status=2)
    months = _months(6)
    for i, month in enumerate(months):
        billing.bills_make(month=month)
        if i < 5:  # "one" owes only the last month, "four" the last four
            billing.unpaid_bills().filter(member=one, month=month).update(paid_at="2026-01-02T00:00:00Z", paid_via=2)
        if i < 2:
            billing.unpaid_bills().filter(member=four, month=month).update(paid_at="2026-01-02T00:00:00Z", paid_via=2)
    told = reminders.remind(month=months[-1])
    assert told == 3
    by_user = {m.recipient_user_id: m for m in Message.objects.filter(subject_type=reminders.SUBJECT)}
    assert by_user[one.user_id].title == reminders.TITLE
    assert by_user[four.user_id].title == reminders.STRONG_TITLE and by_user[four.user_id].body == reminders.STRONG_BODY
    assert by_user[six.user_id].body == reminders.CLOSED_BODY
    assert party.user_id not in by_user
    branch_msg = Message.objects.get(subject_type=reminders.SUBJECT_BRANCH, recipient_org=tree.branch)
    assert "3名团员欠交团费" in branch_msg.body and branch_msg.link.endswith(f"?month={months[-1]:%Y-%m}&paid=0")
    # the template message reaches WeChat: one delivery per member message
    assert Delivery.objects.filter(message__subject_type=reminders.SUBJECT, channel=Delivery.Channel.MP).count() == 3
    assert reminders.remind(month=months[-1]) == 0  # a rerun tells nobody twice
    assert Message.objects.filter(subject_type__startswith="dues.").count() == 4
