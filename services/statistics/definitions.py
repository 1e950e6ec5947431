"""What each figure counts (reference §5.1), in one place: the refresh computes the figures from these
predicates and the drill-down lists filter with the same ones, so a list has as many rows as its number.
"""

from datetime import date, timedelta

from django.db.models import Q

from services.members.choices import LeagueStatus, RegistrationStatus
from services.members.models import IN_GOOD_STANDING

#: 已报到团员数: registrations submitted, pending included, returned and withdrawn not; a member who has
#: left the league, was deleted or transferred out of the province is no longer counted.
REGISTERED = Q(registration_status__in=(RegistrationStatus.PENDING, RegistrationStatus.APPROVED,
                                        RegistrationStatus.CHANGE_PENDING, RegistrationStatus.CHANGE_RETURNED),
               league_status=LeagueStatus.NORMAL, deleted_at__isnull=True, transferred_out_at__isnull=True)

#: 团员数 (a branch's size for 空心团支部, the classification charts): approved members in good standing.
MEMBERS = IN_GOOD_STANDING

#: 空心团支部: a branch with fewer than this many members (the constitution's minimum for a basic unit).
MIN_BRANCH_MEMBERS = 3

#: 及时响应: handled within this long of receipt.
TIMELY = timedelta(hours=48)

#: 数据统计 offers this many months, the current one included.
MONTHS_SHOWN = 6


def month_start(day):
    return day.replace(day=1)


def next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def offered_month(value, months):
    """The first day of ``value`` (``YYYY-MM``) when it is one of ``months``, else None."""
    try:
        year, month = (int(part) for part in str(value).split("-"))
        chosen = date(year, month, 1)
    except (TypeError, ValueError):
        return None
    return chosen if chosen in months else None


def recent_months(today, count=MONTHS_SHOWN):
    """The first days of the last ``count`` months, newest first."""
    months, month = [], month_start(today)
    for _ in range(count):
        months.append(month)
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return months
