"""Reads of the dues app, always through the actor's scope (DESIGN §4)."""

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from orgtree.selectors import org_children_rows, org_get
from portal.prepared import prepared
from portal.scope import scoped

from .billing import ONLINE_CLOSED_MONTHS, unpaid_bills
from .models import DuesBill, MonthStat, Payment
from .money import ZERO, yuan
from .payment import donated_total

EXPORT_MAX_ROWS = 10_000
ERR_EXPORT_TOO_MANY = "仅支持10000行以内的表格下载，请缩小查询范围（如按交纳状态或下级组织筛选）后再导出。"
PAGE_SIZE = 50
MONEY = DecimalField(max_digits=14, decimal_places=2)  # sums come back from SQLite without their places


def org_in_scope(actor, org_id):
    """The org to show: the actor's own by default, else one of its subtree (404 outside)."""
    if org_id is None:
        return actor.org
    return org_get(actor=actor, pk=org_id)


@prepared
def _month_stats(month, *org_ids, n):
    return MonthStat.objects.filter(month=month, org_id__in=org_ids)


def month_overview(*, actor, org, month):
    """团费查询: the org's own row and one per direct child, from the month's statistics rows."""
    orgs = [org, *org_children_rows(org.path, org.depth + 1)]
    stats = {s.org_id: s for s in _month_stats(month, *(o.pk for o in orgs), n=len(orgs))}
    return [(o, stats.get(o.pk)) for o in orgs]


def _bills_in(actor, org, month):
    return scoped(actor, DuesBill.objects.filter(month=month, branch__path__startswith=org.path), "branch")


def month_members(*, actor, org, month, paid=None, phone="", after=None, limit=PAGE_SIZE):
    """团费详情: the month's bills of ``org``'s subtree with their member, keyset-paged by id.
    Each row carries 累计未交 (months, amount) and the member's paid 自愿多交 total."""
    qs = _bills_in(actor, org, month).select_related("member", "branch", "member__branch", "paid_by")
    if paid is True:
        qs = qs.filter(paid_at__isnull=False)
    elif paid is False:
        qs = qs.filter(paid_at__isnull=True)
    if phone:
        qs = qs.filter(member__phone=phone)
    owed = unpaid_bills().filter(member=OuterRef("member_id")).values("member_id")
    donated = (Payment.objects.filter(payer=OuterRef("member_id"), kind=Payment.Kind.DONATION, state=Payment.State.PAID)
               .values("payer_id"))
    qs = qs.annotate(
        owed_months=Coalesce(Subquery(owed.annotate(n=Count("pk")).values("n")[:1]), 0),
        owed_amount=Coalesce(Subquery(owed.annotate(t=Sum("amount")).values("t")[:1]), ZERO, output_field=MONEY),
        donated=Coalesce(Subquery(donated.annotate(t=Sum("total")).values("t")[:1]), ZERO, output_field=MONEY),
    )
    if after:
        qs = qs.filter(pk__lt=after)
    if limit is None:
        return qs.order_by("-pk")
    rows = [with_places(b) for b in qs.order_by("-pk")[: limit + 1]]
    cursor = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], cursor


def with_places(bill):
    """SQLite hands computed sums back without their two places (only plain columns are quantized)."""
    bill.owed_amount, bill.donated = yuan(bill.owed_amount), yuan(bill.donated)
    return bill


def member_in_scope(actor, pk):
    """A member the actor may see dues of: in its subtree now, or owing/paid bills its subtree owns
    (arrears left behind by a transfer stay with the old branch)."""
    from services.members.models import Member

    qs = Member.objects.filter(Q(branch__path__startswith=actor.org.path)
                               | Q(Exists(DuesBill.objects.filter(member=OuterRef("pk"),
                                                                  branch__path__startswith=actor.org.path))))
    if not actor.acts_for_org:
        raise Http404("未找到该记录")
    try:
        return qs.select_related("branch").get(pk=pk, deleted_at__isnull=True)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该记录") from None


def bill_history(member):
    return DuesBill.objects.filter(member=member).select_related("branch", "paid_by").order_by("-month")


@prepared
def _unpaid(member_id):
    return unpaid_bills().filter(member_id=member_id).select_related("branch").order_by("month")


def unpaid_of(member):
    """The member's unpaid bills, oldest first (prepared: the member's 团费交纳 page opens on them)."""
    return _unpaid(member.pk)


@prepared
def _pending_payments(member_id):
    return Payment.objects.filter(payer_id=member_id, state=Payment.State.PENDING).order_by("-pk")[:1]


def pending_payment(member):
    """The member's latest payment still waiting for WeChat Pay's answer, or None."""
    return next(iter(_pending_payments(member.pk)), None)


def member_summary(member, unpaid=None):
    """累计未交 (months, amount), 自愿交费 total, and whether online payment is closed. ``unpaid``: the
    member's unpaid bills when the caller has them already (one query fewer)."""
    if unpaid is not None:
        agg = {"n": len(unpaid), "total": sum((b.amount for b in unpaid), ZERO)}
    else:
        agg = unpaid_bills().filter(member=member).aggregate(n=Count("pk"), total=Sum("amount"))
    return {"owed_months": agg["n"], "owed_amount": yuan(agg["total"] or ZERO), "donated": donated_total(member),
            "online_closed": agg["n"] >= ONLINE_CLOSED_MONTHS}


def branch_mates_owing(member):
    """帮TA交费: the branch's other members with arrears (name and amount), not transferred out."""
    from services.members.models import IN_GOOD_STANDING, Member

    owed = unpaid_bills().filter(member=OuterRef("pk")).values("member_id")
    return (Member.objects.filter(IN_GOOD_STANDING, branch_id=member.branch_id).exclude(pk=member.pk)
            .annotate(owed_months=Subquery(owed.annotate(n=Count("pk")).values("n")[:1]),
                      owed_amount=Subquery(owed.annotate(t=Sum("amount")).values("t")[:1], output_field=MONEY))
            .filter(owed_months__gt=0).order_by("name", "pk"))


def mates_with_places(member):
    mates = list(branch_mates_owing(member))
    for m in mates:
        m.owed_amount = yuan(m.owed_amount)
    return mates


def paid_for_others(member):
    """帮TA交费清单: bills the member paid for others."""
    return (DuesBill.objects.filter(paid_by=member, paid_via=DuesBill.Via.ONLINE).exclude(member=member)
            .select_related("member").order_by("-paid_at"))


def overdue(actor):
    """The branch's members owing ≥ 6 months on bills it owns (online payment closed for them), one
    row each; None above the branches."""
    if not actor.acts_for_org or not actor.org.is_branch:
        return None
    return (DuesBill.objects.filter(branch=actor.org, paid_at__isnull=True).values("member_id")
            .annotate(n=Count("pk")).filter(n__gte=ONLINE_CLOSED_MONTHS))


@prepared
def _overdue_members(branch_id):
    from services.members.models import Member

    ids = (DuesBill.objects.filter(branch_id=branch_id, paid_at__isnull=True).values("member_id")
           .annotate(n=Count("pk")).filter(n__gte=ONLINE_CLOSED_MONTHS).values("member_id"))
    return Member.objects.filter(pk__in=ids).order_by("name")


def overdue_members(actor):
    """The branch's members owing ≥ 6 months on its bills (团费查询 lists them for offline payment)."""
    return _overdue_members(actor.org.pk)


def org_dues_card(org, month):
    """The org detail page's 团费交纳情况 (manual 查看组织树 tip): this month's statistics row."""
    return MonthStat.objects.filter(org=org, month=month).first()
