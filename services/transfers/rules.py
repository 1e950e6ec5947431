"""Pure rules of 组织关系转接: no database access (DESIGN §5 Transfers)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from orgtree.rules import is_primary_or_secondary_school

#: Auto-approval (manual tips): the incoming branch after 30 natural days, its parent after 72 hours.
DUE_AFTER = {3: timedelta(days=30), 4: timedelta(hours=72)}
#: An appeal is possible within 30 natural days of the return by the incoming side (manual; DESIGN §5).
APPEAL_DAYS = 30
APPEAL_MIN_CHARS = 100
APPEAL_MAX_CHARS = 2000
OTHER_REASON_MIN_CHARS = 10  # reference §2.2.7: 其他原因 ≥ 10 real-length characters


def common_ancestor_path(path_a, path_b, steplen=4):
    """The materialised path of the lowest common ancestor of two nodes: their longest common prefix,
    cut back to whole steps. Two branches of the same tree always share at least the root."""
    n = 0
    for a, b in zip(path_a, path_b):
        if a != b:
            break
        n += 1
    n -= n % steplen
    return path_a[:n]


def confirmation_exempt(branch):
    """中小学 orgs need no member confirmation of a branch-initiated transfer (manual tip; DESIGN §5):
    a school org whose 学校标识码's type is 21–37."""
    return bool(branch.is_school) and is_primary_or_secondary_school(branch.school_code)


def appeal_deadline(returned_at):
    """The last moment an appeal may be filed: the end of the 30th natural day after the return (local)."""
    day = timezone.localtime(returned_at).date() + timedelta(days=APPEAL_DAYS)
    return timezone.make_aware(datetime.combine(day, time.max))


def appeal_open(returned_at, now):
    return returned_at is not None and now <= appeal_deadline(returned_at)
