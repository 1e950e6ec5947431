"""WeChat delivery of site messages: template messages to members, app messages to cadres.

Each delivery is a row (queued → sending → sent | retrying | failed, with WeChat's errcode), sent
by a django-q2 task. Transient errors (WeChat busy, rate limits, network) are retried with the
backoff in ``settings.WECHAT["RETRY_DELAYS"]`` by the per-minute sweeper; an expired access token
is refreshed by wechatpy itself (it re-fetches on 40001/40014/42001 and repeats the call). A
failure is logged on the row and never raised into the workflow that sent the message.
"""

import logging
import time
from collections import Counter
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_q.tasks import async_task
from wechatpy.exceptions import WeChatClientException

from portal import wechat
from portal.models import WeChatIdentity

from .models import Delivery

logger = logging.getLogger(__name__)

# WeChat errcodes worth another try later: system busy, frequency/concurrency limits, daily quota.
TRANSIENT_ERRCODES = frozenset({-1, 45009, 45011, 45033, 45047})
STUCK_AFTER = timedelta(minutes=10)  # a queued/sending row untouched this long lost its task
SWEEP_BATCH = 500
ERRMSG_OFF = "微信渠道未配置"
ERRMSG_INVALID_USER = "接收人不在企业微信应用可见范围内"


def enqueue(func, *args):
    """Queue a task; a broker that is down must not break the request that asked for it.

    Deliveries left queued are picked up by the sweeper, so nothing is lost.
    """
    try:
        async_task(func, *args, group="messaging")
    except Exception:  # noqa: BLE001 - the broker's failure modes are many; the sweeper recovers
        logger.exception("could not queue %s%r", func, args)


def channels_on():
    """The WeChat identity kinds whose channel is switched on (configured)."""
    allowed = []
    if wechat.mp_notice_enabled():
        allowed.append(WeChatIdentity.Kind.MP)
    if wechat.work_enabled():
        allowed.append(WeChatIdentity.Kind.WORK)
    return allowed


def user_targets(kinds):
    """Rows (``recipient`` user id, ``kind``, ``external_id``) of active logins' identities of ``kinds``."""
    return WeChatIdentity.objects.filter(user__is_active=True, kind__in=kinds).values(
        "kind", "external_id", recipient=F("user_id"))


def org_targets(orgs, kinds):
    """Rows (``for_org``, ``kind``, ``external_id``) of the identities an org's messages go to.

    ``orgs`` is a list of org ids or a queryset of them (a subquery: one statement for a whole batch).
    """
    return _org_recipients(orgs).filter(kind__in=kinds)


def _targets(message):
    """(channel, openid/userid) pairs a message goes to, for the channels that are switched on."""
    kinds = channels_on()
    if not kinds:
        return []
    if message.recipient_user_id:
        rows = user_targets(kinds).filter(user_id=message.recipient_user_id)
    else:
        rows = org_targets([message.recipient_org_id], kinds)
    return list(rows.values_list("kind", "external_id"))


def _nobody(orgs):
    """Until the cadres app says who an org's operators are in WeChat Work (operator logins
    themselves log in by phone and have no WeChat identity)."""
    return WeChatIdentity.objects.none().values("kind", "external_id", for_org=F("user_id"))


_org_recipients = _nobody


def register_org_recipients(func):
    """An org's message reaches its operators in WeChat Work; the cadres app knows who they are.

    ``func(orgs)`` takes a list or queryset of org ids and returns a ``values()`` queryset with the
    keys ``for_org`` (the org id), ``kind`` and ``external_id`` of the active logins to reach; it must
    stay one SQL query (``notify_many`` joins it to a whole batch of messages).
    """
    global _org_recipients
    _org_recipients = func


def queue_for(message):
    """Record the deliveries of a new message and queue them once the caller's transaction commits."""
    rows = Delivery.objects.bulk_create(
        [Delivery(message=message, channel=channel, target=target) for channel, target in _targets(message)])
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: enqueue("services.messaging.tasks.deliver", pk))
    return rows


# --- batches (``notify_many``) ----------------------------------------------------------------------

BATCH_SIZE = 200  # deliveries per task: one task sends them one after another, each claimed by attempt()
BATCH_SECONDS = 120  # well inside the cluster's task timeout (300 s), however slow WeChat answers


def queue_range(low, high, size=None):
    """After commit, queue one ``deliver_batch`` task per ``size`` ids of ``low``…``high`` (inclusive)."""
    size = size or BATCH_SIZE
    batches = [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]
    for start, end in batches:
        transaction.on_commit(lambda start=start, end=end: enqueue("services.messaging.tasks.deliver_batch",
                                                                   start, end))
    return len(batches)


def deliver_batch(low, high, now=None):
    """Send the queued deliveries with ids ``low``…``high``, one ``attempt`` each (so one that is
    claimed elsewhere, or already sent, is skipped; a transient error schedules that row's retry).
    A batch cut short (the worker died) leaves its rows queued for the sweeper."""
    pks = list(Delivery.objects.filter(pk__range=(low, high), status=Delivery.Status.QUEUED)
               .order_by("pk").values_list("pk", flat=True))
    outcomes, started = Counter(), time.monotonic()
    for pk in pks:
        if time.monotonic() - started > BATCH_SECONDS:  # WeChat is slow: leave the rest to the sweeper
            logger.warning("deliver_batch %s-%s: %s left for the sweeper", low, high, len(pks) - outcomes.total())
            break
        outcomes[str(deliver(pk, now=now))] += 1
    return dict(outcomes)


def _absolute(path):
    return settings.PORTAL_BASE_URL + path


def _sender(message):
    return message.sender_org.short_name if message.sender_org_id else "智慧团建"


def _when(message):
    return timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")


def mp_template_payload(message):
    """The template message for a member: its data fields and the link that opens the message."""
    data = {
        "first": {"value": message.title},
        "keyword1": {"value": _sender(message)},
        "keyword2": {"value": _when(message)},
        "remark": {"value": message.body[:200]},
    }
    return data, _absolute(reverse("messaging:member_open", args=[message.pk]))


def work_textcard(message):
    description = (f'<div class="gray">{escape(_when(message))}</div>'
                   f'<div class="normal">{escape(message.body[:500])}</div>')
    return message.title, description, _absolute(reverse("messaging:cadre_open", args=[message.pk]))


def _send(row):
    message = row.message
    if row.channel == Delivery.Channel.MP:
        if not wechat.mp_notice_enabled():
            raise Permanent(None, ERRMSG_OFF)
        data, url = mp_template_payload(message)
        result = wechat.mp_client().message.send_template(
            row.target, wechat.conf("MP_NOTICE_TEMPLATE_ID"), data, url=url)
        return result
    if not wechat.work_enabled():
        raise Permanent(None, ERRMSG_OFF)
    client = wechat.work_client()
    title, description, url = work_textcard(message)
    result = client.message.send_text_card(client.agent_id, [row.target], title, description, url)
    if row.target in (result.get("invaliduser") or "").split("|"):
        raise Permanent(81013, ERRMSG_INVALID_USER)
    return result


class Permanent(Exception):
    """An error no retry will cure (raised by a ``send``)."""

    def __init__(self, errcode, errmsg):
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


def deliver(delivery_id, now=None):
    """Send one delivery. Safe to run twice: only a queued or retrying row is claimed."""
    now = now or timezone.now()
    return attempt(Delivery, delivery_id, _send, now=now, select_related=("message", "message__sender_org"),
                   on_success={"status": Delivery.Status.SENT, "sent_at": now})


def retry_due(now=None):
    """The per-minute sweep: queue retries that are due and rescue deliveries whose task was lost."""
    return sweep(Delivery, "services.messaging.tasks.deliver", now=now)


def attempt(model, pk, send, *, now=None, select_related=(), on_success):
    """One attempt at an :class:`~services.messaging.models.Outbox` row (a Delivery, a contact sync …):
    claim it, ``send(row)``, record the outcome. Transient errors are retried
    after ``settings.WECHAT["RETRY_DELAYS"]``; the rest fail for good. Never raises WeChat's errors.
    """
    now = now or timezone.now()
    claimed = model.objects.filter(pk=pk, status__in=["queued", "retrying"]).update(
        status="sending", attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    row = model.objects.select_related(*select_related).get(pk=pk)
    name = f"{model._meta.model_name} {row.pk}"
    transient = False
    try:
        send(row)
    except Permanent as exc:
        errcode, errmsg = exc.errcode, exc.errmsg
    except WeChatClientException as exc:
        errcode, errmsg = exc.errcode, str(exc.errmsg or exc)
        transient = errcode is None or errcode in TRANSIENT_ERRCODES  # None: HTTP error status
    except (requests.RequestException, OSError) as exc:
        errcode, errmsg, transient = None, f"网络错误：{exc.__class__.__name__}", True
    else:
        model.objects.filter(pk=row.pk).update(
            updated_at=now, errcode=None, errmsg="", next_attempt_at=None, **on_success)
        logger.info("%s done (attempt %s)", name, row.attempts)
        return on_success["status"]
    delays = settings.WECHAT["RETRY_DELAYS"]
    if transient and row.attempts <= len(delays):
        status, next_at = "retrying", now + timedelta(seconds=delays[row.attempts - 1])
    else:
        status, next_at = "failed", None
    model.objects.filter(pk=row.pk).update(
        status=status, errcode=errcode, errmsg=(errmsg or "")[:300], next_attempt_at=next_at, updated_at=now)
    log = logger.warning if status == "failed" else logger.info
    log("%s %s (attempt %s): errcode=%s %s", name, status, row.attempts, errcode, errmsg)
    return status


def sweep(model, task, now=None):
    """Queue the outbox rows whose retry is due, and rescue rows whose task was lost."""
    now = now or timezone.now()
    stuck = now - STUCK_AFTER
    # A worker that died mid-send leaves the row 'sending'; send again (WeChat may then show it twice,
    # which beats never).
    model.objects.filter(status="sending", updated_at__lt=stuck).update(
        status="retrying", next_attempt_at=now, updated_at=now)
    due = list(model.objects.filter(
        Q(status="retrying", next_attempt_at__lte=now) | Q(status="queued", updated_at__lt=stuck)
    ).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])
    # Not again next minute while the cluster works through a backlog; attempt() claims each once.
    model.objects.filter(pk__in=due).update(updated_at=now, next_attempt_at=now + STUCK_AFTER)
    for pk in due:
        enqueue(task, pk)
    return len(due)
