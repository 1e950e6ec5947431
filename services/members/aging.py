"""Hooks of the nightly 满28 leaving (DESIGN §5, §6).

- ``register_exemption(fn)``: ``fn()`` returns a ``Q`` over :class:`Member` of members who keep their
  membership (the cadres app: members holding a cadre post). The member's own 是否团干部 is built in.
- ``register_arrears(fn)``: ``fn()`` returns a ``Q`` over :class:`Member` of members who owe dues (the
  dues app). Those are not aged out but listed for their branch. Until the dues app registers one,
  nobody owes anything.
"""

from functools import reduce
from operator import or_

from django.db.models import Q

_exemptions = []
_arrears = []


def register_exemption(fn):
    if fn not in _exemptions:
        _exemptions.append(fn)
    return fn


def register_arrears(fn):
    if fn not in _arrears:
        _arrears.append(fn)
    return fn


def _any(fns):
    qs = [fn() for fn in fns]
    return reduce(or_, qs) if qs else None


def exemption_q():
    own = Q(is_cadre=True)
    extra = _any(_exemptions)
    return own | extra if extra is not None else own


def arrears_q():
    """A Q of members with arrears, or None when nobody can have any."""
    return _any(_arrears)


# --- the nightly job ------------------------------------------------------------------------------

import logging  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

logger = logging.getLogger(__name__)
AGE_OUT_YEARS = 28
NOTICE_TITLE = "满28周岁离团通知"
NOTICE_BODY = ("根据团章，团员年满28周岁，没有在团内担任职务，不再保留团籍。系统已根据您的出生日期将您的团籍状态"
               "设为“满28周岁离团”。如有疑问请联系所在团支部。")


def birthday_cutoff(as_of, years=AGE_OUT_YEARS):
    """Born on or before this day ⇒ aged ``years`` or more on ``as_of`` (29 Feb counts from 1 Mar)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # as_of is 29 Feb and that year is not leap
        return date(as_of.year - years, 2, 28)


def candidates(as_of):
    """Approved, normal members aged ≥ 28 on ``as_of`` who hold no cadre post (before arrears)."""
    from .choices import APPROVED_STATES, LeagueStatus
    from .models import Member

    return (Member.objects.filter(league_status=LeagueStatus.NORMAL, registration_status__in=APPROVED_STATES,
                                  deleted_at__isnull=True, birth_date__lte=birthday_cutoff(as_of))
            .exclude(exemption_q()))


def held_back(as_of):
    """Those the job leaves alone because they owe dues: listed for their branch instead."""
    arrears = arrears_q()
    return candidates(as_of).filter(arrears) if arrears is not None else candidates(as_of).none()


@transaction.atomic
def age_out(*, as_of):
    """满28周岁离团 for everyone due on ``as_of``: one UPDATE, one INSERT … SELECT of notices. Idempotent:
    a second run finds nobody normal and due, so it changes nothing and notifies nobody."""
    from services.messaging.models import Message

    from .choices import LeagueStatus
    from .models import AgeOutRun, Member

    started = time.monotonic()
    run = AgeOutRun.objects.create(as_of=as_of)
    due = candidates(as_of)
    arrears = arrears_q()
    if arrears is not None:
        due = due.exclude(arrears)
    aged_out = Member.objects.filter(pk__in=due.values("pk")).update(
        league_status=LeagueStatus.AGED_OUT, left_on=as_of, age_out_run=run, updated_at=timezone.now())
    if aged_out:
        now = timezone.now()
        changed = Member.objects.filter(age_out_run=run)
        _insert_messages(Message, changed.filter(user__isnull=False).values(
            a=F("user_id"), b=F("branch_id")), recipient="recipient_user", sender="sender_org",
            title=NOTICE_TITLE, body=NOTICE_BODY, link="/m/profile/", now=now)
        # One notice per branch, not one per member.
        _insert_messages(Message, changed.values(a=F("branch_id"), b=F("branch_id")).distinct(), recipient="recipient_org",
                         sender="sender_org", title="团员满28周岁自动离团",
                         body=f"系统已于{as_of:%Y年%m月%d日}将本支部年满28周岁且未担任团干职务、未欠交团费的团员设为"
                              "“满28周岁离团”，可在“满28周岁已离团”中查看。", link="/manage/members/aged-out/", now=now)
    held = held_back(as_of).count() if arrears is not None else 0
    run.aged_out, run.held_back, run.seconds = aged_out, held, time.monotonic() - started
    run.save(update_fields=["aged_out", "held_back", "seconds"])
    logger.info("age_out as of %s: %s aged out, %s held back for arrears, %.1fs", as_of, aged_out, held, run.seconds)
    return run


def _insert_messages(Message, pairs_qs, *, recipient, sender, title, body, link, now):
    """INSERT … SELECT site messages from a queryset of (a=recipient id, b=sender org id) rows."""
    select_sql, params = pairs_qs.query.sql_with_params()
    table = connection.ops.quote_name(Message._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(Message._meta.get_field(n).column) for n in (
        recipient, sender, "level", "title", "body", "link", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) SELECT r.a, r.b, %s, %s, %s, %s, %s FROM ({select_sql}) r",
                       [Message.Level.SYSTEM, title, body, link, now, *params])
        return cursor.rowcount
