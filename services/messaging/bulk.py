"""The SQL of the bulk path (``services.notify_many``): messages and deliveries for a whole set of recipients.

Two statements' worth of work, whatever the number of recipients:

1. ``INSERT INTO messaging_message … SELECT … FROM (<the recipients queryset>) r`` — one message per row;
2. ``INSERT INTO messaging_delivery … SELECT … FROM <the new messages> JOIN <WeChat identities>`` — one
   delivery per message and switched-on channel.

On PostgreSQL both are one statement (a data-modifying ``WITH``: the deliveries join exactly the rows
the message insert returned). On SQLite, which has one writer at a time and ``AUTOINCREMENT`` keys,
the new messages are the id range the insert just wrote. Either way the new deliveries' ids span one
range, which is queued after commit as ``deliver_batch`` tasks of ``delivery.BATCH_SIZE``.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from . import delivery
from .models import Delivery, Message

# Message columns a recipients row may carry instead of the call's constant.
ROW_KEYS = ("sender_org", "title", "body", "link", "subject_id")


@dataclass(frozen=True)
class BulkResult:
    messages: int = 0
    deliveries: int = 0
    batches: int = 0


def source(qs):
    """The recipients queryset as a ``values()`` queryset and the set of its keys.

    A queryset of model instances (``User``, ``Organization``) gives its primary keys; a ``values()``
    queryset must name its recipient column ``recipient`` and may carry any of ``ROW_KEYS``.
    """
    if qs._fields is None:
        qs = qs.values(recipient=F("pk"))
    if not qs.query.is_sliced:
        qs = qs.order_by()  # a subquery of an INSERT needs no order (and DISTINCT must not see one)
    keys = set(qs.query.values_select) | set(qs.query.annotation_select)
    if "recipient" not in keys:
        raise ValueError("the recipients queryset needs a 'recipient' column (values(recipient=…))")
    return qs, keys


def _col(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


def insert(*, qs, to_users, constants, once, now, size=None):
    """Write the messages and deliveries; return a :class:`BulkResult`. Must run inside a transaction.

    ``constants`` holds every message column not taken from the rows (``level``, ``broadcast``,
    ``subject_type`` and those of ``ROW_KEYS`` the rows lack). ``once``: skip a row when its recipient
    already has a message about the same subject (from an earlier call: the rows of one call should
    not repeat a recipient and subject).
    """
    qs, keys = source(qs)
    q = connection.ops.quote_name
    msg_table = q(Message._meta.db_table)
    recipient_col = _col(Message, "recipient_user" if to_users else "recipient_org")

    columns, exprs, params = [recipient_col], ["r.recipient"], []
    for name in ("level", "broadcast", "subject_type", *ROW_KEYS, "created_at"):
        columns.append(_col(Message, name))
        if name in keys and name in ROW_KEYS:
            exprs.append(f"r.{q(name)}")
        else:
            exprs.append("%s")
            params.append(now if name == "created_at" else constants.get(name))
    src_sql, src_params = qs.query.sql_with_params()
    sql = (f"INSERT INTO {msg_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
           f"FROM ({src_sql}) r")
    params += src_params
    if once:
        subject = f"r.{q('subject_id')}" if "subject_id" in keys else "%s"
        sql += (f" WHERE NOT EXISTS (SELECT 1 FROM {msg_table} x WHERE x.{_col(Message, 'subject_type')} = %s "
                f"AND x.{_col(Message, 'subject_id')} = {subject} AND x.{recipient_col} = r.recipient)")
        params += [constants["subject_type"], *([] if "subject_id" in keys else [constants.get("subject_id")])]

    kinds = delivery.channels_on()
    if not kinds:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return BulkResult(messages=cursor.rowcount)

    if to_users:
        targets, key = delivery.user_targets(kinds), "recipient"
    else:
        targets, key = delivery.org_targets(qs.values("recipient"), kinds), "for_org"
    t_sql, t_params = targets.query.sql_with_params()
    d_table = q(Delivery._meta.db_table)
    d_columns = ", ".join(_col(Delivery, n) for n in (
        "message", "channel", "target", "status", "attempts", "errmsg", "created_at", "updated_at"))
    distinct = "" if to_users else "DISTINCT "  # a login has one identity per kind; a hook's join may repeat one
    d_select = (f"SELECT {distinct}m.id, t.kind, t.external_id, %s, 0, '', %s, %s "
                f"FROM {{messages}} JOIN ({t_sql}) t ON t.{q(key)} = m.rcp")
    d_params = [Delivery.Status.QUEUED, now, now, *t_params]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH m AS ({sql} RETURNING id, {recipient_col} AS rcp), "
                f"d AS (INSERT INTO {d_table} ({d_columns}) {d_select.format(messages='m')} RETURNING id) "
                f"SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM d), (SELECT min(id) FROM d), "
                f"(SELECT max(id) FROM d)", params + d_params)
            messages, deliveries, low, high = cursor.fetchone()
        elif connection.vendor == "sqlite":  # one writer at a time: the new rows are the last ids written
            cursor.execute(sql, params)
            messages = cursor.rowcount
            if not messages:
                return BulkResult()
            last = cursor.lastrowid
            cursor.execute(
                f"INSERT INTO {d_table} ({d_columns}) "
                + d_select.format(messages=f"(SELECT id, {recipient_col} AS rcp FROM {msg_table} "
                                           f"WHERE id BETWEEN %s AND %s) m"),
                d_params[:3] + [last - messages + 1, last] + d_params[3:])
            deliveries = cursor.rowcount
            high = cursor.lastrowid if deliveries else None
            low = high - deliveries + 1 if deliveries else None
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(connection.vendor)
    batches = delivery.queue_range(low, high, size) if deliveries else 0
    return BulkResult(messages=messages, deliveries=deliveries, batches=batches)
