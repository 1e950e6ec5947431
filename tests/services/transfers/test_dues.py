"""Transfers and dues together: unpaid bills refuse a transfer, and a completed transfer leaves the old
bills with the old branch while the next month's bill belongs to the new one (DESIGN §5)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from services.dues import billing, offline
from services.dues.models import DuesBill
from services.transfers import review, start
from services.transfers.models import Transfer

from ...factories import actor_of
from .conftest import application

pytestmark = pytest.mark.django_db
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_unpaid_dues_refuse_the_transfer_until_paid_and_old_bills_stay_with_the_old_branch(w):
    billing.bills_make(month=JAN)
    january = DuesBill.objects.get(member=w.member, month=JAN)
    with pytest.raises(ValidationError) as refused:
        start.transfer_apply(member=w.member, data=application(w.bing1))
    assert start.ERR_ARREARS.format(name=w.member.name) in refused.value.messages
    assert not Transfer.objects.exists()

    offline.offline_record(actor=actor_of(w.jia1), member=w.member, bill_ids=[january.pk], note="现金交纳")
    transfer = start.transfer_apply(member=w.member, data=application(w.bing1))
    for org, stage in ((w.jia1, 1), (w.p_jia, 2), (w.bing1, 3), (w.p_bing, 4)):
        transfer = review.transfer_approve(actor=actor_of(org), transfer=transfer, stage=stage)
    w.member.refresh_from_db()
    assert w.member.branch == w.bing1

    billing.bills_make(month=FEB)
    owners = dict(DuesBill.objects.filter(member=w.member).values_list("month", "branch_id"))
    assert owners == {JAN: w.jia1.pk, FEB: w.bing1.pk}
    january.refresh_from_db()
    assert january.paid_at is not None  # what was paid stays paid, with the branch that collected it
