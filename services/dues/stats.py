"""团费查询's figures (:class:`MonthStat`): built set-based per month, bumped by every payment."""

from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Value
from django.db.models.functions import Substr
from django.utils import timezone

from orgtree.models import Organization
from orgtree.selectors import tree_depth

from .models import DuesBill, MonthStat
from .money import ZERO


def good_standing():
    from services.members.models import IN_GOOD_STANDING, Member

    return Member.objects.filter(IN_GOOD_STANDING)


@transaction.atomic
def stats_build(*, month, now=None):
    """Rebuild ``month``'s rows for every org: one INSERT … SELECT per tree depth, grouping the month's
    bills by their owner's path prefix and the members in good standing by their branch's. Idempotent
    (the month's rows are replaced)."""
    now = now or timezone.now()
    MonthStat.objects.filter(month=month).delete()
    q = connection.ops.quote_name
    bills, orgs, stat = DuesBill._meta.db_table, Organization._meta.db_table, MonthStat._meta.db_table
    steplen = Organization.steplen
    max_depth = tree_depth()
    substr = "SUBSTR" if connection.vendor == "sqlite" else "SUBSTRING"
    for depth in range(1, max_depth + 1):
        width = depth * steplen
        # 组织团员总数: the members in good standing that day (the members app's one predicate, compiled
        # by the ORM), by the same prefixes as the bills.
        members_sql, members_params = (
            good_standing().annotate(prefix=Substr("branch__path", 1, Value(width, output_field=IntegerField())))
            .values("prefix").annotate(n=Count("pk")).order_by().query.sql_with_params())
        sql = (f"INSERT INTO {q(stat)} (org_id, month, members, billed, billed_amount, paid, paid_amount, updated_at) "
               f"SELECT o.id, %s, COALESCE(mm.n, 0), COALESCE(s.billed, 0), COALESCE(s.billed_amount, 0), "
               f"COALESCE(s.paid, 0), COALESCE(s.paid_amount, 0), %s FROM {q(orgs)} o LEFT JOIN ("
               f"  SELECT {substr}(br.path, 1, {width}) AS prefix, COUNT(*) AS billed, SUM(b.amount) AS billed_amount,"
               f"         SUM(CASE WHEN b.paid_at IS NULL THEN 0 ELSE 1 END) AS paid,"
               f"         SUM(CASE WHEN b.paid_at IS NULL THEN 0 ELSE b.amount END) AS paid_amount"
               f"  FROM {q(bills)} b JOIN {q(orgs)} br ON br.id = b.branch_id"
               f"  WHERE b.month = %s AND LENGTH(br.path) >= {width}"
               f"  GROUP BY {substr}(br.path, 1, {width})) s ON s.prefix = o.path"
               f" LEFT JOIN ({members_sql}) mm ON mm.prefix = o.path"
               f" WHERE o.depth = %s AND (s.prefix IS NOT NULL OR mm.prefix IS NOT NULL)")
        with connection.cursor() as cursor:
            cursor.execute(sql, (month, now, month, *members_params, depth))


def bills_paid(bill_ids, now=None):
    """Add freshly paid bills to their owners' and the owners' ancestors' rows (same transaction)."""
    now = now or timezone.now()
    rows = DuesBill.objects.filter(pk__in=bill_ids).values_list("branch__path", "month", "amount")
    count, amount = Counter(), defaultdict(lambda: ZERO)
    for path, month, value in rows:
        for end in range(Organization.steplen, len(path) + 1, Organization.steplen):
            count[(path[:end], month)] += 1
            amount[(path[:end], month)] += value
    if not count:
        return
    ids = dict(Organization.objects.filter(path__in={p for p, _ in count}).values_list("path", "pk"))
    for (path, month), n in count.items():
        MonthStat.objects.filter(org_id=ids[path], month=month).update(
            paid=F("paid") + n, paid_amount=F("paid_amount") + amount[(path, month)], updated_at=now)
