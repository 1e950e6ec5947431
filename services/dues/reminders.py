"""Monthly reminders (manual 团费管理 tip 2; reference §2.2.5, §4.10): after the 1st's bills, a
template message to every member with arrears through ``notify_many`` (so it reaches WeChat), a
stronger one above 3 months (and, at ≥ 6, that online payment is closed), and to each branch the
list of its members who owe. Once per member/branch and month (``once`` on the month as subject)."""

from django.db import transaction
from django.db.models import CharField, Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from .billing import ONLINE_CLOSED_MONTHS, STRONG_REMINDER_MONTHS, first_of, unpaid_bills
from .models import BillingRun

SUBJECT = "dues.reminder"
SUBJECT_BRANCH = "dues.reminder_branch"
TITLE = "团费交纳提醒"
BODY = "您有未交纳的团费，请在团员移动端“团费交纳”中及时交纳。"
STRONG_TITLE = "欠交团费提醒"
STRONG_BODY = "您已欠团费超过3个月，请尽快交纳。"
CLOSED_BODY = ("您已欠交团费6个月及以上，系统已暂停您在线交纳的权限，请线下联系所在的团支部交纳。")
BRANCH_TITLE = "本支部团员欠交团费"


def _owing():
    from services.members.models import IN_GOOD_STANDING, Member

    months = Subquery(unpaid_bills().filter(member=OuterRef("pk")).values("member")
                      .annotate(n=Count("pk")).values("n")[:1])
    return Member.objects.filter(IN_GOOD_STANDING).annotate(owed=Coalesce(months, 0)).filter(owed__gt=0)


@transaction.atomic
def remind(*, month):
    """Send ``month``'s reminders; returns how many members were told. A rerun tells nobody twice."""
    from services.messaging.services import notify_many

    month = first_of(month)
    key = month.year * 100 + month.month
    link = reverse("dues:member_home")
    owing = _owing()
    told = 0
    for qs, title, body in (
        (owing.filter(owed__lte=STRONG_REMINDER_MONTHS), TITLE, BODY),
        (owing.filter(owed__gt=STRONG_REMINDER_MONTHS, owed__lt=ONLINE_CLOSED_MONTHS), STRONG_TITLE, STRONG_BODY),
        (owing.filter(owed__gte=ONLINE_CLOSED_MONTHS), STRONG_TITLE, CLOSED_BODY),
    ):
        told += notify_many(users=qs.filter(user__isnull=False).values(recipient=F("user_id"), sender_org=F("branch_id")),
                            title=title, body=body, link=link, subject_type=SUBJECT, subject_id=key, once=True).messages
    # The branch: one message listing how many of its members owe (bills it owns, so arrears left
    # behind by a transfer are chased by the old branch: manual tip 3).
    branches = (unpaid_bills().values("branch_id").annotate(n=Count("member_id", distinct=True))
                .values(recipient=F("branch_id"), sender_org=F("branch_id"),
                        body=Concat(Value("本支部有"), F("n"), Value("名团员欠交团费，请查看未交团员名单（含累计未交团费）并督促交纳。"),
                                    output_field=CharField())))
    notify_many(orgs=branches.order_by(), title=BRANCH_TITLE,
                link=f"{reverse('dues:members')}?month={month:%Y-%m}&paid=0",
                subject_type=SUBJECT_BRANCH, subject_id=key, once=True)
    BillingRun.objects.filter(month=month).update(reminded=told, reminded_at=timezone.now())
    return told
