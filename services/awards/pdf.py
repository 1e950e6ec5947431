"""奖励记录 as a PDF (reference §2.1.5 奖励记录下载, §2.2.4): the member's certified 团内 and recorded 团外
awards, all of them or those of the last six months; the ID masked."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.pdf import render_pdf

from .models import AwardKind

PERIODS = {"all": "全部记录", "6m": "近6个月"}
ERR_PERIOD = "请选择下载“全部记录”或“近6个月”的奖励记录"
TITLE = "广东共青团团员奖励记录"


def period_or_error(value):
    value = value or "all"
    if value not in PERIODS:
        raise ValidationError(ERR_PERIOD, code="period")
    return value


def six_months_before(day):
    month = day.month - 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):  # 31 Aug → 28/29 Feb
        try:
            return date(year, month, d)
        except ValueError:
            continue


def record_filename(member, period):
    return f"奖励记录-{member.name}-{PERIODS[period]}.pdf"


def record_awards(member, *, period="all", today=None):
    """(团内, 团外) approved awards of the member, newest first, limited to the period."""
    from .selectors import member_awards

    awards = member_awards(member, approved_only=True)
    if period == "6m":
        awards = awards.filter(awarded_on__gte=six_months_before(today or timezone.localdate()))
    awards = list(awards)
    return ([a for a in awards if a.kind == AwardKind.INTERNAL], [a for a in awards if a.kind == AwardKind.EXTERNAL])


def awards_record_pdf(member, *, period="all", today=None):
    """The 奖励记录 of one member (already resolved through the asker's scope) as PDF bytes."""
    period = period_or_error(period)
    today = today or timezone.localdate()
    internal, external = record_awards(member, period=period, today=today)
    return render_pdf("awards/print_record.html", {
        "m": member, "masked_id": member.masked_id, "title": TITLE, "period_label": PERIODS[period],
        "since": six_months_before(today) if period == "6m" else None, "today": today,
        "groups": [("团内奖励", internal), ("团外奖励", external)]})
