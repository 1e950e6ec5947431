"""Whether what a message asks for (请及时审核) still awaits action.

A message may name its subject: ``notify(..., subject=("members.registration", member.pk))``. The
app that owns the subject registers how to tell which of a set of messages still await action::

    register_subject("members.registration", pending)

``pending(messages)`` gets a list of messages of that subject type (``subject_id``, ``created_at``,
``id`` loaded) and returns the ids of those still awaiting action, in a query or two for the whole
list. A subject type nobody registered is informational: it is neither pending nor handled.
"""

from collections import defaultdict

from django.db.models import Max

_PENDING = {}


def register_subject(subject_type, pending):
    _PENDING[subject_type] = pending
    return pending


def handled_ids(messages):
    """The ids of those ``messages`` whose subject has been handled since they were sent."""
    by_type = defaultdict(list)
    for message in messages:
        if message.subject_type in _PENDING and message.subject_id is not None:
            by_type[message.subject_type].append(message)
    handled = set()
    for subject_type, group in by_type.items():
        still = set(_PENDING[subject_type](group))
        handled.update(m.pk for m in group if m.pk not in still)
    return handled


def latest_ids(messages):
    """Of ``messages``, those that are the latest message about their subject (a helper for subjects
    that may be asked for again, e.g. a registration returned and submitted anew: only the newest
    request's message can still be pending)."""
    from .models import Message

    subject_type = {m.subject_type for m in messages}
    latest = set(Message.objects.filter(subject_type__in=subject_type, subject_id__in={m.subject_id for m in messages})
                 .values("subject_type", "subject_id").annotate(last=Max("id")).values_list("last", flat=True))
    return {m.pk for m in messages if m.pk in latest}
