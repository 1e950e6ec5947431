"""Writes of site messages: ``notify`` for every workflow, read marks, broadcasts.

``notify`` is the one way a workflow tells somebody something. It records the site message in the
caller's transaction (so it exists exactly when the workflow's change does) and, after commit,
queues the WeChat delivery as a django-q2 task. Delivery can fail, retry or be switched off; none
of that reaches back into the workflow.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from orgtree.models import Organization
from portal.audit import audit_record, register_actions
from portal.models import User

from . import audiences, delivery
from .models import ERR_NO_AUDIENCE, Broadcast, BroadcastQuota, Message
from .selectors import broadcast_quota_status, visible_q

logger = logging.getLogger(__name__)

register_actions({"messaging.broadcast": "群发站内消息"})

ERR_LINK = "链接必须是本系统内以 / 开头的地址"
ERR_QUOTA = "本月群发次数已用完（每月可群发 {allowance} 次，本月已群发 {sent} 次），请下月再发送。"
ERR_TITLE = "请输入标题（不超过100字）"
ERR_BODY = "请输入内容（不超过2000字）"


def _validate_text(title, body, link):
    errors = {}
    if not title or not title.strip() or len(title) > 100:
        errors["title"] = ERR_TITLE
    if not body or not body.strip() or len(body) > 2000:
        errors["body"] = ERR_BODY
    if link and (not link.startswith("/") or link.startswith("//")):
        errors["link"] = ERR_LINK
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notify(*, recipient, title, body, link="", level=Message.Level.SYSTEM, sender_org=None):
    """Send a site message to an org or a person, and on commit push it to their WeChat.

    ``recipient`` is an :class:`Organization` (its admin and operators share the message) or a
    :class:`User` (a member or cadre). ``link`` is a local URL opening the right filtered list.
    """
    _validate_text(title, body, link)
    message = Message(title=title.strip(), body=body.strip(), link=link, level=level, sender_org=sender_org)
    if isinstance(recipient, Organization):
        message.recipient_org = recipient
    elif isinstance(recipient, User):
        message.recipient_user = recipient
    else:
        raise TypeError(f"cannot send a message to {recipient!r}")
    message.save()
    delivery.queue_for(message)
    return message


def message_mark_read(*, actor, message, now=None):
    """Opening a message marks it read (for the whole org when it was sent to the org)."""
    if message.read_at is None:
        now = now or timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
    return message


def messages_mark_read(*, actor, ids=None, now=None):
    """标识为已读: the chosen messages, or all of them when ``ids`` is None. Returns how many changed."""
    qs = Message.objects.filter(visible_q(actor), read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())


@transaction.atomic
def broadcast_send(*, actor, title, body, link="", to_members=False, to_cadres=False, now=None):
    """群发: an org's site message to every member and/or cadre of its subtree, within its monthly quota.

    The quota row is locked, so two sends at once cannot both take the month's last one. The
    fan-out runs after commit as a task (one ``INSERT … SELECT``), so the page answers at once.
    """
    actor.require_org_actor()
    org = actor.org
    errors = {}
    try:
        _validate_text(title, body, link)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (to_members or to_cadres):
        errors["audience"] = ERR_NO_AUDIENCE
    if errors:
        raise ValidationError(errors)
    BroadcastQuota.objects.get_or_create(org=org)
    BroadcastQuota.objects.select_for_update().get(org=org)
    allowance, sent = broadcast_quota_status(org, now)
    if sent >= allowance:
        raise ValidationError(ERR_QUOTA.format(allowance=allowance, sent=sent), code="quota")
    broadcast = Broadcast.objects.create(
        org=org, sender_label=actor.label[:200], title=title.strip(), body=body.strip(), link=link,
        to_members=to_members, to_cadres=to_cadres, created_at=now or timezone.now(),
    )
    audit_record(actor=actor, action="messaging.broadcast", obj=broadcast,
                 after={"标题": broadcast.title, "接收对象": broadcast.audience_label})
    transaction.on_commit(lambda: delivery.enqueue("services.messaging.tasks.fan_out", broadcast.pk))
    return broadcast


def broadcast_recipients(broadcast):
    """The ``User`` queryset a broadcast reaches (its org's subtree, its audiences)."""
    keys = [key for key, flag in ((audiences.MEMBERS, broadcast.to_members), (audiences.CADRES, broadcast.to_cadres))
            if flag]
    qs = audiences.audience_users(keys[0], broadcast.org)
    for key in keys[1:]:
        qs = qs | audiences.audience_users(key, broadcast.org)
    return qs


@transaction.atomic
def broadcast_fan_out(*, broadcast_id, now=None):
    """Write one site message per recipient with a single ``INSERT … SELECT``. Idempotent.

    The status flip and the insert commit together: a second run finds the broadcast sent and
    does nothing, and the unique (broadcast, recipient) constraint backs that up.
    """
    now = now or timezone.now()
    if not Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.QUEUED).update(
            status=Broadcast.Status.SENT, sent_at=now):
        return 0
    broadcast = Broadcast.objects.select_related("org").get(pk=broadcast_id)
    select_sql, select_params = broadcast_recipients(broadcast).values(rid=F("pk")).query.sql_with_params()
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Message._meta.get_field(name).column) for name in (
        "level", "recipient_user", "sender_org", "title", "body", "link", "broadcast", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT %s, r.rid, %s, %s, %s, %s, %s, %s FROM ({select_sql}) r",
            [Message.Level.ORG, broadcast.org_id, broadcast.title, broadcast.body, broadcast.link, broadcast.pk,
             now, *select_params],
        )
        count = cursor.rowcount
    Broadcast.objects.filter(pk=broadcast_id).update(recipients=count)
    logger.info("broadcast %s fanned out to %s recipients", broadcast_id, count)
    return count

