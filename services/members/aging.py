"""Hooks of the nightly 满28 leaving (DESIGN §5, §6).

- ``register_exemption(fn)``: ``fn()`` returns a ``Q`` over :class:`Member` of members who keep their
  membership (the cadres app: members holding a cadre post). The member's own 是否团干部 is built in.
- ``register_arrears(fn)``: ``fn()`` returns a ``Q`` over :class:`Member` of members who owe dues (the
  dues app). Those are not aged out but listed for their branch. Until the dues app registers one,
  nobody owes anything.

The nightly job (``age_out``) also tells each member 30 days before they come due, and their branch
(``advance_notice``: the same rules one month on, so the exempt are never told; once per member).
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
from datetime import date, timedelta  # noqa: E402

from django.db import transaction  # noqa: E402
from django.db.models import F, Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402
from django.utils import timezone  # noqa: E402

logger = logging.getLogger(__name__)
AGE_OUT_YEARS = 28
NOTICE_TITLE = "满28周岁离团通知"
NOTICE_BODY = ("根据团章，团员年满28周岁，没有在团内担任职务，不再保留团籍。系统已根据您的出生日期将您的团籍状态"
               "设为“满28周岁离团”。如有疑问请联系所在团支部。")
ADVANCE_DAYS = 30  # the member and their branch are told this many days before the job ages the member out
ADVANCE_SUBJECT = "members.age_out_notice"  # once per member (and per branch told about them)
ADVANCE_TITLE = "即将满28周岁离团提醒"
ADVANCE_BODY = (f"根据团章，团员年满28周岁，没有在团内担任职务，不再保留团籍。您将在{ADVANCE_DAYS}天内年满28周岁，"
                "届时系统将自动把您的团籍状态设为“满28周岁离团”。如在团内担任职务或有疑问，请联系所在团支部。")
ADVANCE_BRANCH_TITLE = "团员即将满28周岁离团"


def birthday_cutoff(as_of, years=AGE_OUT_YEARS):
    """Born on or before this day ⇒ aged ``years`` or more on ``as_of`` (29 Feb counts from 1 Mar)."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # as_of is 29 Feb and that year is not leap
        return date(as_of.year - years, 2, 28)


def candidates(as_of):
    """Approved, normal members aged ≥ 28 on ``as_of`` who hold no cadre post (before arrears)."""
    from .models import IN_GOOD_STANDING, Member

    return Member.objects.filter(IN_GOOD_STANDING, birth_date__lte=birthday_cutoff(as_of)).exclude(exemption_q())


def held_back(as_of):
    """Those the job leaves alone because they owe dues: listed for their branch instead."""
    arrears = arrears_q()
    return candidates(as_of).filter(arrears) if arrears is not None else candidates(as_of).none()


def coming_due(as_of, days=ADVANCE_DAYS):
    """Members the job will age out within ``days`` after ``as_of`` (not yet due on ``as_of``): the same
    rules as :func:`candidates` on the later day, so the exempt (cadre posts) are not among them."""
    return candidates(as_of + timedelta(days=days)).filter(birth_date__gt=birthday_cutoff(as_of))


@transaction.atomic
def age_out(*, as_of):
    """满28周岁离团 for everyone due on ``as_of``: one UPDATE and the notices through the bulk path
    (``notify_many``), then the advance notice of those due within 30 days. Idempotent: a second
    run finds nobody normal and due, and everyone coming due already told, so it changes nothing."""
    from services.messaging.services import notify_many

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
        changed = Member.objects.filter(age_out_run=run)
        notify_many(users=changed.filter(user__isnull=False).values(recipient=F("user_id"), sender_org=F("branch_id")),
                    title=NOTICE_TITLE, body=NOTICE_BODY, link="/m/profile/")
        # One notice per branch, not one per member.
        notify_many(orgs=changed.values(recipient=F("branch_id"), sender_org=F("branch_id")).distinct(),
                    title="团员满28周岁自动离团",
                    body=f"系统已于{as_of:%Y年%m月%d日}将本支部年满28周岁且未担任团干职务、未欠交团费的团员设为"
                         "“满28周岁离团”，可在“满28周岁已离团”中查看。", link="/manage/members/aged-out/")
    held = held_back(as_of).count() if arrears is not None else 0
    run.noticed = advance_notice(as_of=as_of)
    run.aged_out, run.held_back, run.seconds = aged_out, held, time.monotonic() - started
    run.save(update_fields=["aged_out", "held_back", "seconds"])
    logger.info("age_out as of %s: %s aged out, %s held back for arrears, %s told in advance, %.1fs",
                as_of, aged_out, held, run.noticed, run.seconds)
    return run


@transaction.atomic
def advance_notice(*, as_of, days=ADVANCE_DAYS):
    """Tell each member coming due within ``days`` of ``as_of``, and their branch, once (``once=True``
    on the member's id as subject: a rerun, or the next night, tells nobody twice). Returns how many
    members were told (their branches are told about each, with a login or not; the member with one)."""
    from django.urls import reverse

    from services.messaging.models import Message
    from services.messaging.services import notify_many

    coming = coming_due(as_of, days)
    # The branch: one message per member, naming them; then the member's own.
    branch_body = Concat(Value("团员"), F("name"), Value(
        f"将在{days}天内年满28周岁，届时如未在团内担任职务、未欠交团费，系统将自动将其团籍状态设为“满28周岁离团”。"
        "如其担任团内职务，请及时在团干管理中录入。"))
    told = notify_many(
        orgs=coming.values(recipient=F("branch_id"), sender_org=F("branch_id"), subject_id=F("pk"), body=branch_body),
        title=ADVANCE_BRANCH_TITLE, level=Message.Level.SYSTEM, subject_type=ADVANCE_SUBJECT, once=True,
        link=reverse("members:manage_list"))
    notify_many(
        users=coming.filter(user__isnull=False).values(recipient=F("user_id"), sender_org=F("branch_id"),
                                                       subject_id=F("pk")),
        title=ADVANCE_TITLE, body=ADVANCE_BODY, link="/m/profile/", level=Message.Level.SYSTEM,
        subject_type=ADVANCE_SUBJECT, once=True)
    return told.messages
