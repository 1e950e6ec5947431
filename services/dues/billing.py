"""Monthly bills (DESIGN §5 Dues, §6): on the 1st, one bill per approved, 正常 member.

One ``INSERT … SELECT`` over ``IN_GOOD_STANDING`` members (the members app's one predicate), the
amount from the tier in force that day as a ``CASE`` over the reviewed 收入, the owner the member's
branch that day. The month's :class:`BillingRun` row makes a rerun a no-op; the unique (member,
month) key makes a concurrent second writer harmless. A member approved after the month's run is
billed from the next month.
"""

import logging
import time
from datetime import date

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, DecimalField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from .models import BillingRun, DuesBill, DuesTier
from .tiers import EXEMPT_POLITICAL

logger = logging.getLogger(__name__)

ONLINE_CLOSED_MONTHS = 6  # ≥ 6 unpaid months: online payment closes, the branch records offline
STRONG_REMINDER_MONTHS = 3  # > 3 unpaid months: the stronger reminder


def first_of(day):
    return date(day.year, day.month, 1)


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def billable(month=None):
    """The SELECT of the monthly insert: (member, month, branch, amount, tier name) for every member
    in good standing who owes more than 0 by the tiers in force now."""
    from services.members.models import IN_GOOD_STANDING, Member

    tiers = [t for t in DuesTier.objects.order_by("income") if t.amount > 0]
    amount = Case(*[When(income=t.income, then=Value(t.amount)) for t in tiers],
                  output_field=DecimalField(max_digits=8, decimal_places=2))
    name = Case(*[When(income=t.income, then=Value(t.name)) for t in tiers], output_field=CharField())
    return (Member.objects.filter(IN_GOOD_STANDING, income__in=[t.income for t in tiers])
            .exclude(political_status__in=EXEMPT_POLITICAL)
            .annotate(bill_amount=amount, bill_tier=name)
            .order_by())


@transaction.atomic
def bills_make(*, month, now=None):
    """Make ``month``'s bills (``month`` is any day of it). Returns the month's :class:`BillingRun`;
    when the month was billed already, that run, unchanged."""
    month = first_of(month)
    run, created = BillingRun.objects.get_or_create(month=month)
    if not created:
        logger.info("dues bills for %s already made (%s bills)", month, run.bills)
        return run
    started = time.monotonic()
    select = billable().values_list("pk", "branch_id", "bill_amount", "bill_tier")
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:  # no tier asks more than 0 (the province set every amount to 0): nobody owes
        logger.warning("dues bills for %s: no tier above 0, no bills made", month)
        run.seconds = time.monotonic() - started
        run.save(update_fields=["seconds"])
        return run
    table = DuesBill._meta.db_table
    q = connection.ops.quote_name
    insert = (f"INSERT INTO {q(table)} ({q('member_id')}, {q('branch_id')}, {q('amount')}, {q('tier_name')}, "
              f"{q('month')}, {q('created_at')}, {q('recorded_by')}, {q('note')}) "
              f"SELECT s.*, %s, %s, '', '' FROM ({sql}) s WHERE 1=1 "
              f"ON CONFLICT ({q('member_id')}, {q('month')}) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(insert, (month, now or timezone.now(), *params))
        made = cursor.rowcount
    run.bills, run.seconds = made, time.monotonic() - started
    run.save(update_fields=["bills", "seconds"])
    logger.info("dues bills for %s: %s made in %.1fs", month, made, run.seconds)
    return run


# --- arrears -------------------------------------------------------------------------------------

def unpaid_bills():
    return DuesBill.objects.filter(paid_at__isnull=True)


def arrears_q():
    """Members who owe: any unpaid bill (the hook the 满28 job and transfers read via
    ``services.members.aging.arrears_q``)."""
    return Q(Exists(unpaid_bills().filter(member=OuterRef("pk"))))


def arrears_of(member):
    """(months, total) the member owes."""
    from django.db.models import Count, Sum

    agg = unpaid_bills().filter(member=member).aggregate(n=Count("pk"), total=Sum("amount"))
    from .money import ZERO, yuan

    return agg["n"], yuan(agg["total"] or ZERO)


def online_closed(months_owed):
    return months_owed >= ONLINE_CLOSED_MONTHS
