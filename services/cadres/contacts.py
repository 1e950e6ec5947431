"""The WeChat Work contact list follows the cadre records (cadres must be in it to join).

Entering, changing, disabling or deleting a cadre queues a :class:`ContactSync` row, sent after
commit by a django-q2 task through wechatpy (``user.update``/``create``/``delete``) and retried by
the per-minute sweep like message deliveries. The WeChat Work userid of a synced cadre is their
phone number, so the join flow matches a WeChat Work identity to the cadre records by phone.
With WeChat Work not configured, nothing is queued.
"""

from django.db import transaction
from wechatpy.exceptions import WeChatClientException

from portal import wechat
from services.messaging.delivery import attempt, enqueue, sweep

from .models import ContactSync

USER_NOT_FOUND = 60111  # WeChat Work: userid not found
DEPARTMENT_ROOT = 1


def queue_sync(person, action):
    """Record the change and send it once the caller's transaction commits."""
    if not wechat.work_enabled():
        return None
    row = ContactSync.objects.create(userid=person.phone, action=action, name=person.name)
    transaction.on_commit(lambda: enqueue("services.cadres.tasks.sync_contact", row.pk))
    return row


def queue_for_person(person):
    """Upsert while any org keeps an enabled post for the person; otherwise disable them."""
    enabled = person.posts.filter(enabled=True).exists()
    return queue_sync(person, ContactSync.Action.UPSERT if enabled else ContactSync.Action.DISABLE)


def _send(row):
    client = wechat.work_client()
    if row.action == ContactSync.Action.DELETE:
        try:
            client.user.delete(row.userid)
        except WeChatClientException as exc:
            if exc.errcode != USER_NOT_FOUND:  # already gone is what we wanted
                raise
        return
    if row.action == ContactSync.Action.DISABLE:
        client.user.update(row.userid, enable=0)
        return
    try:
        client.user.update(row.userid, name=row.name, mobile=row.userid, enable=1)
    except WeChatClientException as exc:
        if exc.errcode != USER_NOT_FOUND:
            raise
        client.user.create(row.userid, row.name, department=[DEPARTMENT_ROOT], mobile=row.userid)


def sync(sync_id, now=None):
    return attempt(ContactSync, sync_id, _send, now=now, on_success={"status": ContactSync.Status.DONE})


def retry_due(now=None):
    return sweep(ContactSync, "services.cadres.tasks.sync_contact", now=now)
