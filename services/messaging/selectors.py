"""Reads of site messages, always through the actor's own scope (DESIGN §4)."""

from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from portal import actors
from portal.pagination import PreparedRows, page_of, rows_counted
from portal.prepared import count_sql, prepared, prepared_statement
from portal.registry import BADGE_LIMIT
from .models import Broadcast, BroadcastQuota, Message

STATUS_FILTERS = {"all": "全部", "unread": "未读", "read": "已读"}

MANAGE, MEMBER, CADRE = "manage", "member", "cadre"


def _recipients(actor):
    """(column, id) of what the actor receives: a person what was sent to them; an org actor also what was
    sent to the org. The list's filter and the unread count both read this."""
    sides = []
    if actor.is_authenticated and getattr(actor.user, "pk", None):
        sides.append(("recipient_user_id", actor.user.pk))
    if actor.acts_for_org:
        sides.append(("recipient_org_id", actor.org.pk))
    return sides


def visible_q(actor):
    q = Q(pk__in=[])
    for column, value in _recipients(actor):
        q |= Q(**{column: value})
    return q


def _side(column, value, status):
    qs = Message.objects.filter(**{column: value})
    if status == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif status == "read":
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by()


def _messages(columns, values, status, newest=None):
    sides = [_side(column, value, status) for column, value in zip(columns, values)]
    if not sides:
        return Message.objects.none()
    if len(sides) == 1:
        return sides[0].order_by("-id")
    if newest and connection.features.supports_slicing_ordering_in_compound:
        sides = [side.order_by("-id")[:newest] for side in sides]
    return sides[0].union(*sides[1:], all=True).order_by("-id")


def messages_for(actor, status="all", newest=None):
    """The actor's messages newest first, for the list.

    Each side (the person's, the org's) is read on its own ``(recipient, id)`` index and the two are
    merged (``UNION ALL``): one ``OR`` across both columns was planned as a walk back along the whole
    id index, past everybody else's newer messages — 57 ms for the province root once a broadcast to
    200,000 members had been sent after its own (bench_pages, issue 16). ``newest``: the most rows a
    list can page through; on PostgreSQL each side stops there and the two are merged lazily, so a page
    reads only the rows up to itself (57 ms → under 1 ms)."""
    sides = _recipients(actor)
    return _messages([c for c, _ in sides], [v for _, v in sides], status, newest)


@prepared
def _message_rows(*values, columns, status, newest, start, stop):
    return _messages(columns, values, status, newest)[start:stop]


@prepared_statement
def _message_count(*values, columns, status, most):
    """How many messages the list has, up to ``most``: each side counted on its own index, ids only.
    Each side's newest ``most`` (the rows its pages can show), in the list's order: without it, where one
    recipient holds most of the table the planner chose a sequential scan, which reads every page of a
    table that deletions have left sparse (12 ms for the bench root's 10,000 messages)."""
    parts, params = [], []
    for column, value in zip(columns, values):
        sql, side_params = count_sql(_side(column, value, status).order_by("-id").values_list("pk")[:most])
        parts.append(sql)
        params.extend(side_params)
    return "SELECT " + (" + ".join(parts) or "0"), params


def messages_page(actor, status, per_page, number):
    """A page of :func:`messages_for`: a prepared statement for the bounded count, one for the rows."""
    sides = _recipients(actor)
    values, shape = [v for _, v in sides], {"columns": tuple(c for c, _ in sides), "status": status}
    most = rows_counted(per_page)
    counted = min(_message_count(*values, **shape, most=most)[0], most)
    return page_of(PreparedRows(_message_rows, values, {**shape, "newest": most}), per_page, number,
                   known_count=counted)


def message_get(actor, pk):
    """The actor's message, or 404 — another org's or person's message does not exist for them."""
    try:
        return Message.objects.filter(visible_q(actor)).select_related("sender_org").get(pk=pk)
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该消息") from None


#: The header's badge counts this far and shows "99+" beyond (every page shows it: DESIGN §7).
UNREAD_SHOWN = BADGE_LIMIT


def unread_count(actor):
    """Unread messages, counted up to ``UNREAD_SHOWN + 1``: the person's and, for an org actor, the org's.

    Every page of every end shows it, so it is one prepared statement rather than an ORM query (whose
    compilation cost more than the count), each side counted on its own partial index
    (``message_user_unread``, ``message_org_unread``) and stopped at the limit."""
    sides = _recipients(actor)
    if not sides:
        return 0
    table = connection.ops.quote_name(Message._meta.db_table)
    counts = [f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {column} = %s AND read_at IS NULL LIMIT %s) s)"
              for column, _ in sides]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(counts), [p for _, value in sides for p in (value, UNREAD_SHOWN + 1)])
        return min(cursor.fetchone()[0], UNREAD_SHOWN + 1)


def end_of(actor):
    """Which end's message list an actor's links open."""
    if actor.kind == actors.MEMBER:
        return MEMBER
    if actor.kind == actors.CADRE:
        return CADRE
    return MANAGE


def list_url_for(actor, status="all", end=None):
    url = reverse(f"messaging:{end or end_of(actor)}_list")
    return f"{url}?status={status}" if status != "all" else url


def month_start(now=None):
    local = timezone.localtime(now or timezone.now())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def broadcast_quota_status(org, now=None):
    """(allowance, sent this month) for the org (reference §6 totalMsg / countMsgSend)."""
    quota = BroadcastQuota.objects.filter(org=org).first() or BroadcastQuota(org=org)
    # a broadcast that failed for good gave nobody anything: it does not spend the quota
    sent = Broadcast.objects.filter(org=org, created_at__gte=month_start(now)).exclude(
        status=Broadcast.Status.FAILED).count()
    return quota.allowance, sent


def broadcasts_for(actor):
    if not actor.acts_for_org:
        return Broadcast.objects.none()
    return Broadcast.objects.filter(org=actor.org).order_by("-created_at", "-id")
