"""Writes of site messages: ``notify`` and ``notify_many`` for every workflow, read marks, broadcasts.

``notify`` is the one way a workflow tells somebody something. It records the site message in the
caller's transaction (so it exists exactly when the workflow's change does) and, after commit,
queues the WeChat delivery as a django-q2 task. Delivery can fail, retry or be switched off; none
of that reaches back into the workflow.

``notify_many`` is the same for a whole set of recipients, and every fan-out uses it (群发, the
nightly 满28 notices and their advance notice; dues reminders, registration prompts and the like
must too — never ``notify`` in a loop). Give it a queryset instead of a recipient::

    notify_many(users=User.objects.filter(...), title=..., body=..., link=..., sender_org=org)
    notify_many(orgs=Member.objects.filter(...).values(recipient=F("branch_id")).distinct(), ...)
    notify_many(users=due.values(recipient=F("user_id"), sender_org=F("branch_id"), subject_id=F("pk")),
                subject_type="dues.reminder", once=True, title=..., body=...)

``users=`` / ``orgs=`` is a queryset of ``User`` / ``Organization`` rows, or a ``values()`` queryset
whose ``recipient`` column holds their ids and which may carry per-row ``sender_org``, ``title``,
``body``, ``link`` or ``subject_id`` (anything else comes from the keyword arguments). It writes
the site messages with one ``INSERT … SELECT``, their WeChat deliveries (for the channels switched
on, to the recipients' bound identities) with another, in the caller's transaction; after commit it
queues one ``deliver_batch`` task per ``delivery.BATCH_SIZE`` deliveries, which sends them with the
same claim/retry/backoff as single deliveries (rows a lost task leaves queued go to the per-minute
sweeper). With ``once=True`` a recipient who already has a message about the same
``subject_type``/``subject_id`` is skipped, so a nightly job may rerun. It returns the counts
(``BulkResult``). Works on PostgreSQL and SQLite.

A message may name its subject (``subject_type``, ``subject_id``): what it is about. An app that
sends 请审核 messages registers, in ``subjects``, how to tell whether the subject still awaits
action; the message's page then says when it has been handled.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from orgtree.models import Organization
from portal import jobs, text
from portal.audit import audit_record, register_actions
from portal.models import User

from . import audiences, bulk, delivery
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
    if problem := text.text_problem(title, label="标题"):
        errors["title"] = problem
    elif not title or not title.strip() or len(title) > 100:
        errors["title"] = ERR_TITLE
    if problem := text.text_problem(body, label="内容", multiline=True):
        errors["body"] = problem
    elif not body or not body.strip() or len(body) > 2000:
        errors["body"] = ERR_BODY
    if link and (not link.startswith("/") or link.startswith("//")):
        errors["link"] = ERR_LINK
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notify(*, recipient, title, body, link="", level=Message.Level.SYSTEM, sender_org=None, subject=None):
    """Send a site message to an org or a person, and on commit push it to their WeChat.

    ``recipient`` is an :class:`Organization` (its admin and operators share the message) or a
    :class:`User` (a member or cadre). ``link`` is a local URL opening the right filtered list.
    ``subject`` is ``(subject_type, id)`` of what the message is about (see ``subjects``).
    """
    _validate_text(title, body, link)
    message = Message(title=text.normalise(title), body=text.normalise(body, multiline=True), link=link, level=level,
                      sender_org=sender_org)
    if subject is not None:
        message.subject_type, message.subject_id = subject
    if isinstance(recipient, Organization):
        message.recipient_org = recipient
    elif isinstance(recipient, User):
        message.recipient_user = recipient
    else:
        raise TypeError(f"cannot send a message to {recipient!r}")
    message.save()
    delivery.queue_for(message)
    return message


@transaction.atomic
def notify_many(*, users=None, orgs=None, title=None, body=None, link="", level=Message.Level.SYSTEM,
                sender_org=None, subject_type="", subject_id=None, once=False, broadcast=None, now=None,
                batch_size=None):
    """The bulk ``notify``: a site message to every recipient of a queryset, and their WeChat
    deliveries, set-based (see the module docstring). Returns a :class:`bulk.BulkResult`."""
    if (users is None) == (orgs is None):
        raise TypeError("notify_many needs exactly one of users= or orgs=")
    qs, keys = bulk.source(users if users is not None else orgs)
    for name, value in (("title", title), ("body", body)):
        if name not in keys and value is None:
            raise TypeError(f"notify_many needs {name}= or a '{name}' column")
    # The constants are checked as notify's are; a text taken from the rows is the caller's to keep valid.
    _validate_text("-" if title is None else title, "-" if body is None else body, link)
    if once and not subject_type:
        raise TypeError("once=True needs a subject_type")
    constants = {
        "level": level, "broadcast": getattr(broadcast, "pk", broadcast), "subject_type": subject_type,
        "sender_org": getattr(sender_org, "pk", sender_org), "subject_id": subject_id,
        "title": title.strip() if title is not None else None, "body": body.strip() if body is not None else None,
        "link": link,
    }
    result = bulk.insert(qs=qs, to_users=users is not None, constants=constants, once=once,
                         now=now or timezone.now(), size=batch_size)
    logger.info("notify_many %r: %s messages, %s deliveries in %s batches",
                title or subject_type, result.messages, result.deliveries, result.batches)
    return result


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
    now = now or timezone.now()
    broadcast = Broadcast.objects.create(
        org=org, sender_label=actor.label[:200], title=text.normalise(title),
        body=text.normalise(body, multiline=True), link=link,
        to_members=to_members, to_cadres=to_cadres, created_at=now, queued_at=now,
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
    """Write one site message per recipient, and their WeChat deliveries, with ``notify_many``. Idempotent.

    The status flip and the insert commit together: a second run finds the broadcast sent and
    does nothing, and the unique (broadcast, recipient) constraint backs that up. A worker killed
    midway rolls both back: the broadcast stays queued and the job sweeper (``portal.jobs``)
    queues it again, or fails it for good after ``FAN_OUT_ATTEMPTS`` (``broadcast_give_up``).
    """
    now = now or timezone.now()
    if not Broadcast.objects.filter(pk=broadcast_id, status=Broadcast.Status.QUEUED).update(
            status=Broadcast.Status.SENT, sent_at=now, started_at=now):
        return 0
    broadcast = Broadcast.objects.select_related("org").get(pk=broadcast_id)
    result = notify_many(users=broadcast_recipients(broadcast), title=broadcast.title, body=broadcast.body,
                         link=broadcast.link, level=Message.Level.ORG, sender_org=broadcast.org_id,
                         broadcast=broadcast.pk, now=now)
    jobs.pause_for_tests("broadcast_fan_out")  # a test kills the worker here, before the commit
    Broadcast.objects.filter(pk=broadcast_id).update(recipients=result.messages)
    logger.info("broadcast %s fanned out to %s recipients (%s WeChat deliveries)", broadcast_id, result.messages,
                result.deliveries)
    return result.messages


FAN_OUT_ATTEMPTS = 3
BROADCAST_FAILED_TITLE = "群发消息发送失败"
BROADCAST_FAILED_BODY = (f"您提交的一条群发消息经 {FAN_OUT_ATTEMPTS} 次尝试仍未发出，已停止发送，不计入本月群发次数。"
                         "请在“群发消息”中查看，并重新发送。")


def broadcast_give_up(pks, now):
    """Tell each org whose broadcast failed for good (set-based; once per broadcast). Runs in the
    sweep's transaction, after the rows were marked failed; the link opens the list that shows it."""
    rows = Broadcast.objects.filter(pk__in=pks).values(recipient=F("org_id"), subject_id=F("pk"))
    return notify_many(orgs=rows, title=BROADCAST_FAILED_TITLE, body=BROADCAST_FAILED_BODY,
                       link=reverse("messaging:broadcast_list"), subject_type="messaging.broadcast_failed",
                       once=True, now=now)


jobs.register(jobs.Job(
    model="messaging.Broadcast", task="services.messaging.tasks.fan_out", give_up=broadcast_give_up,
    running=None, failed=Broadcast.Status.FAILED, max_attempts=FAN_OUT_ATTEMPTS,
))
