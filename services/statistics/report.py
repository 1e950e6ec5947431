"""The org's monthly statistics report (月度统计报表) as a PDF with its charts drawn server-side as SVG.

Reads only the statistics tables (DESIGN §7: counts from the statistics tables, never a COUNT(*) over
members): the org's :class:`OrgStat` row and its direct children's rows for the month, and the org's
:class:`CategoryStat` rows (read live for a branch: :func:`.selectors.category_counts`) for the four
distributions of 查看分类统计 (reference §5.2):

- 行业类别: ``Dimension.ORGS`` summed per industry (``key // 100``);
- 学历: ``Dimension.EDUCATION``; 收入档次: ``Dimension.INCOME``;
- 团干部性质: ``Dimension.CADRES`` summed per nature (``key % 100``).

Three queries whatever the size of the subtree (children, their rows, the categories). A month whose
rows the refresh has not written yet gives a report that says so (:data:`NOT_READY`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import Industry
from portal.people import CadreNature
from portal.pdf import render_pdf
from services.members.choices import Education, Income

from . import charts_svg
from .definitions import month_start, offered_month, recent_months
from .models import Dimension, OrgStat
from .selectors import category_counts

NOT_READY = "本月统计数据尚未生成"
ERR_MONTH = "只能查看最近6个月的统计报表，请重新选择月份"
CHILDREN_MAX = 500  # a province's widest org has a few hundred direct children; the page lists them all

#: The org's own figures, in the report's order (OrgStat field, printed with its verbose name).
OWN_FIELDS = ("orgs", "branches", "empty_committees", "empty_branches", "cadreless_branches",
              "members_registered", "members", "cadres", "cadres_joined", "out_pending", "out_done", "in_pending",
              "in_done", "dues_billed", "dues_paid", "registration_members", "registration_done")
#: The direct children's table.
CHILD_FIELDS = ("branches", "empty_branches", "members_registered", "members", "cadres", "dues_paid")


def parse_month(value, today=None):
    """``YYYY-MM`` within the last six months (the current one included) → its first day; empty → the
    current month; anything else raises ValueError with :data:`ERR_MONTH`."""
    months = recent_months(today or timezone.localdate())
    if not value:
        return months[0]
    chosen = offered_month(value, months)
    if chosen is None:
        raise ValueError(ERR_MONTH)
    return chosen


def _label(choices, key, default="未填写"):
    try:
        return choices(key).label
    except ValueError:
        return default


def _fields(stat, names):
    return [(OrgStat._meta.get_field(name).verbose_name, getattr(stat, name)) for name in names]


@dataclass
class MonthlyReport:
    org: Organization
    month: date
    own: OrgStat | None
    children: list = field(default_factory=list)  # (org, OrgStat or None)
    distributions: list = field(default_factory=list)  # (title, [(label, n)])

    @property
    def ready(self):
        return self.own is not None

    @property
    def own_figures(self):
        return _fields(self.own, OWN_FIELDS) if self.own else []

    @property
    def child_headers(self):
        return [OrgStat._meta.get_field(name).verbose_name for name in CHILD_FIELDS]

    @property
    def child_rows(self):
        return [(org, [getattr(stat, name) for name in CHILD_FIELDS] if stat else None) for org, stat in self.children]


def distributions(org, month):
    """The four distributions from the same counts 查看分类统计 reads (a branch's live, a committee's stored)."""
    sums = defaultdict(lambda: defaultdict(int))
    counts = category_counts(org, month)
    rows = ((dimension, key, n) for dimension in (Dimension.ORGS, Dimension.EDUCATION, Dimension.INCOME,
                                                  Dimension.CADRES) for key, n in counts.get(dimension, {}).items())
    for dimension, key, n in rows:
        if dimension == Dimension.ORGS:
            sums["industry"][_label(Industry, key // 100)] += n
        elif dimension == Dimension.EDUCATION:
            sums["education"][_label(Education, key % 100)] += n
        elif dimension == Dimension.INCOME:
            sums["income"][_label(Income, key % 100)] += n
        else:
            sums["cadres"][_label(CadreNature, key % 100)] += n

    def ordered(name):
        return sorted(sums[name].items(), key=lambda item: (-item[1], item[0]))

    return [("行业类别（团组织数）", ordered("industry")), ("团员学历", ordered("education")),
            ("团员收入档次", ordered("income")), ("团干部性质", ordered("cadres"))]


def monthly_report(*, org, month):
    """The report of ``org`` (already resolved through the actor's scope) for ``month`` (its 1st)."""
    month = month_start(month)
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
                    .only("pk", "full_name", "short_name", "path", "depth").order_by("path")[:CHILDREN_MAX])
    stats = {s.org_id: s for s in OrgStat.objects.filter(month=month, org_id__in=[org.pk, *(c.pk for c in children)])}
    return MonthlyReport(org=org, month=month, own=stats.get(org.pk),
                         children=[(c, stats.get(c.pk)) for c in children], distributions=distributions(org, month))


def report_filename(report):
    return f"月度统计报表-{report.org.short_name or report.org.full_name}-{report.month:%Y年%m月}.pdf"


def report_pdf(report, *, now=None):
    charts = []
    if report.ready:
        charts = [(title, charts_svg.pie(items, title=title), items) for title, items in report.distributions]
        bars = [(org.short_name or org.full_name, stat.members if stat else 0) for org, stat in report.children]
        children_chart = charts_svg.hbar(bars, title="直属下级组织团员数") if bars else None
    else:
        children_chart = None
    return render_pdf("statistics/print_monthly.html", {
        "r": report, "charts": charts, "children_chart": children_chart, "not_ready": NOT_READY,
        "printed_at": now or timezone.now()})
