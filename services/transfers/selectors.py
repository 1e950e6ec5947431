"""Every read of transfers and appeals, always through the actor's scope (DESIGN §4).

A transfer belongs to two subtrees: the outgoing branch's and the incoming branch's. An org sees a
transfer when either branch is in its subtree (so its reviewers at all four stages and the common
superior do); anyone else gets a 404. Those orgs are stored per transfer (``TransferOrg``, written by
``ancestry``), so a 转接记录 page is one index range whatever the size of the subtree.
"""

from dataclasses import dataclass

from django.db.models import F, Func, OuterRef, Q, Subquery, prefetch_related_objects

from orgtree.models import Organization
from portal.idcard import mask
from portal.params import int_or_none
from portal.prepared import prepared
from portal.tables import labels_of

from .choices import (
    DONE_STATES,
    OPEN_STATES,
    RETURNED_STATES,
    REVIEW_STATES,
    AppealStatus,
    TransferStatus,
    TransferType,
)
from .models import Appeal, Transfer, TransferOrg, out_of_province_label

PAGE = 20
STATUS_GROUPS = {
    "open": ("待审核", OPEN_STATES),
    "done": ("已完成", DONE_STATES),
    "returned": ("已退回", RETURNED_STATES),
    "withdrawn": ("已撤回", (TransferStatus.WITHDRAWN,)),
}
SIDES = {"out": "转出", "in": "转入", "todo": "待本组织审核"}
SIDE_FLAGS = {"out": "outgoing", "in": "incoming"}


def transfer_scope_q(actor):
    """The transfers an org sees: its ``TransferOrg`` rows (``ancestry`` keeps them equal to the two
    branches' subtrees)."""
    if not actor.acts_for_org:
        return Q(pk__in=[])
    return Q(orgs__org=actor.org.pk)


def _base():
    return Transfer.objects.select_related("member", "from_branch", "to_branch", "from_parent", "to_parent",
                                           "reviewer")


def transfer_get(*, actor, pk):
    from django.http import Http404

    pk = int_or_none(pk)
    transfer = _base().filter(transfer_scope_q(actor), pk=pk or 0).first() if pk else None
    if transfer is None:
        raise Http404("未找到该记录")
    return transfer


def _ids(org_id, *, side, group, name=None, date_from=None, date_to=None, before=None):
    """The ids of the org's 转接记录 list, newest first: every transfer it sees (its ``TransferOrg``
    rows), one side of them, or those awaiting its review; ``before``: those older than that id."""
    if side == "todo":
        qs, field, prefix = Transfer.objects.filter(reviewer_id=org_id, status__in=REVIEW_STATES), "pk", ""
    else:
        qs = TransferOrg.objects.filter(org=org_id, **{SIDE_FLAGS[side]: True} if side else {})
        field, prefix = "transfer_id", "transfer__"
    if group:
        qs = qs.filter(**{f"{prefix}status__in": STATUS_GROUPS[group][1]})
    if name is not None:
        qs = qs.filter(**{f"{prefix}member__name": name})
    if date_from:
        qs = qs.filter(**{f"{prefix}applied_at__date__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{prefix}applied_at__date__lte": date_to})
    if before is not None:
        qs = qs.filter(**{f"{field}__lt": before})
    return qs.order_by(f"-{field}").values_list(field, flat=True)


def _shape(actor, filters):
    side = filters.get("side") or ""
    side = side if side in SIDES else ""
    group = filters.get("status") or ""
    return actor.org.pk, side, (group if group in STATUS_GROUPS else "")


def _filtered(actor, filters):
    org_id, side, group = _shape(actor, filters)
    return _ids(org_id, side=side, group=group, name=(filters.get("name") or "").strip() or None,
                date_from=filters.get("date_from"), date_to=filters.get("date_to"))


_LABELS = labels_of(Transfer, "status", "applicant")


@dataclass(frozen=True, slots=True)
class TransferRow:
    """A row of a 转接记录 list: read as a tuple (model instances for a page's transfers, members and
    branches cost as much again as the query) with three joins, not seven (the planner's time grew
    with each of them)."""

    pk: int
    member_name: str
    masked_id: str
    status: int
    status_label: str
    applicant_label: str
    from_branch_name: str
    target_label: str
    applied_at: object
    due_at: object
    reviewer_id: int | None

    FIELDS = ("pk", "member__name", "member__id_number", "status", "applicant", "from_branch__full_name",
              "transfer_type", "to_branch__full_name", "out_province", "out_org", "applied_at", "due_at",
              "reviewer_id")

    @classmethod
    def of(cls, pk, name, id_number, status, applicant, from_name, transfer_type, to_name, province, org,
           applied_at, due_at, reviewer_id):
        target = out_of_province_label(province, org) if transfer_type == TransferType.OUT_OF_PROVINCE else to_name
        return cls(pk, name, mask(id_number), status, _LABELS["status"].get(status, str(status)),
                   _LABELS["applicant"].get(applicant, str(applicant)), from_name, target, applied_at, due_at,
                   reviewer_id)


def _page_rows(ids, size):
    return Transfer.objects.filter(pk__in=ids[: size + 1]).order_by("-pk").values_list(*TransferRow.FIELDS)


@prepared
def _transfer_rows(org_id, *values, side, group, named, after, size):
    """A page without date filters, compiled once per side, status group and filter set."""
    return _page_rows(_ids(org_id, side=side, group=group, name=values[0] if named else None,
                           before=values[-1] if after else None), size)


def transfer_page(*, actor, filters, after=None, size=PAGE):
    """A page of :class:`TransferRow` in scope, newest first (keyset on id), and the next page's cursor."""
    after = int_or_none(after)
    org_id, side, group = _shape(actor, filters)
    name = (filters.get("name") or "").strip()
    if filters.get("date_from") or filters.get("date_to"):  # ``__date`` lookups: the ORM's path
        rows = list(_page_rows(_ids(org_id, side=side, group=group, name=name or None, before=after,
                                    date_from=filters.get("date_from"), date_to=filters.get("date_to")), size))
    else:
        rows = _transfer_rows(org_id, *([name] if name else []), *([after] if after else []), side=side,
                              group=group, named=bool(name), after=bool(after), size=size)
    rows = [TransferRow.of(*row) for row in rows]
    cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], cursor


def transfer_export_rows(*, actor, filters, limit=100_000):
    return _base().filter(pk__in=_filtered(actor, filters)[:limit]).order_by("-pk")


def member_transfers(member):
    """转接记录 of one member (their own end), newest first."""
    return _base().filter(member=member).prefetch_related("appeal").order_by("-pk")


def member_completed(member):
    """The member's completed transfers (接转成功, or 已转出 out of the province), oldest first: the
    组织关系转接记录 of the 电子团员证 and the 成长档案."""
    return list(Transfer.objects.filter(member=member, status__in=DONE_STATES)
                .select_related("from_branch", "to_branch").order_by("closed_at", "pk"))


def member_transfer_get(member, pk):
    from django.http import Http404

    transfer = _base().filter(member=member, pk=int_or_none(pk) or 0).first()
    if transfer is None:
        raise Http404("未找到该记录")
    return transfer


def awaiting_review(actor):
    """Transfers whose turn is the actor's org (the 待办 tile); None for other actors."""
    if not actor.acts_for_org:
        return None
    return Transfer.objects.filter(reviewer=actor.org, status__in=REVIEW_STATES)


def appeal_scope_q(actor):
    if not actor.acts_for_org:
        return Q(pk__in=[])
    return Q(reviewer__path__startswith=actor.org.path)


def appeals_awaiting(actor):
    if not actor.acts_for_org:
        return None
    return Appeal.objects.filter(reviewer=actor.org, status=AppealStatus.PENDING)


def appeal_page(*, actor, status=None, name="", phone="", month=None, after=None, size=PAGE):
    """申诉处理 (reference §2.1.6): filters 姓名, 手机号码 (whole values), 申诉状态, 提交月份 (a date in it)."""
    qs = Appeal.objects.filter(appeal_scope_q(actor))
    if status in ("0", "1", "2"):
        qs = qs.filter(status=int(status))
    if name := (name or "").strip():
        qs = qs.filter(member__name=name)
    if phone := (phone or "").strip():
        qs = qs.filter(member__phone=phone)
    if month is not None:
        qs = qs.filter(submitted_at__year=month.year, submitted_at__month=month.month)
    if after := int_or_none(after):
        qs = qs.filter(pk__lt=after)
    # The four orgs of each transfer come by prefetch: nine joins in one statement cost more to plan
    # than to run (28 ms for an empty page on PostgreSQL).
    rows = list(qs.select_related("member", "transfer").order_by("-pk")[: size + 1])
    prefetch_related_objects([r.transfer for r in rows], "from_branch", "to_branch", "from_parent", "to_parent")
    cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], cursor


def appeal_get(*, actor, pk):
    from django.http import Http404

    appeal = (Appeal.objects.filter(appeal_scope_q(actor), pk=int_or_none(pk) or 0)
              .select_related("member", "reviewer", "transfer__from_branch", "transfer__to_branch").first())
    if appeal is None:
        raise Http404("未找到该记录")
    return appeal


def _count(qs):
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def transfer_counts(orgs):
    """For the statistics issue (reference §5.3): per org, over its subtree by tree path, in one query —
    ``out_pending`` 转出中 (outgoing branch under the org, pending at any stage), ``out_done`` 已转出,
    ``in_pending`` 待确认接收 (incoming branch under the org, pending at ③ / ④), ``in_done`` 已接收.
    Returns ``{org_id: {...}}``."""
    ids = [o.pk for o in orgs]
    under = lambda side: {f"{side}__path__startswith": OuterRef("path")}  # noqa: E731
    rows = Organization.objects.filter(pk__in=ids).annotate(
        out_pending=_count(Transfer.objects.filter(status__in=OPEN_STATES, **under("from_branch"))),
        out_done=_count(Transfer.objects.filter(status__in=DONE_STATES, **under("from_branch"))),
        in_pending=_count(Transfer.objects.filter(status__in=(TransferStatus.IN_BRANCH, TransferStatus.IN_PARENT),
                                                  **under("to_branch"))),
        in_done=_count(Transfer.objects.filter(status=TransferStatus.COMPLETED, **under("to_branch"))),
    ).values("pk", "out_pending", "out_done", "in_pending", "in_done")
    return {r.pop("pk"): r for r in rows}


def timeline(transfer):
    """The steps shown to every side, oldest first (derived from the log)."""
    return list(transfer.steps.select_related("org").order_by("created_at", "pk"))

