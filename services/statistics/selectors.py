"""Reads of 数据统计 (reference §5.1–5.3): the month's figures from the statistics tables, and the
drill-down lists behind each figure. Every read is scoped (an org outside the actor's subtree is a 404)
and costs a fixed number of queries whatever the page size (DESIGN §7: no COUNT(*) over millions per
view — the figures come from :class:`OrgStat`, the lists count at most a bounded number of rows).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from orgtree.models import Organization
from orgtree.rules import Industry, OrgType
from portal.people import CadreNature
from orgtree.selectors import org_children_rows, org_get, org_parents_for
from portal.pagination import BoundedPaginator, PreparedRows
from portal.prepared import prepared
from portal.scope import scoped
from services.members.choices import Education, Income

from . import definitions
from .categories import branch_counts
from .models import CategoryStat, Dimension, OrgStat, RefreshRun

PAGE_SIZES = (20, 50, 100, 200, 500)
LAST_REFRESH_CACHE_S = 60
ERR_MONTH = f"只能查询最近{definitions.MONTHS_SHOWN}个月的数据，已显示本月数据"
ERR_KIND = "不支持的统计项"


def today():
    return timezone.localdate()


def months_offered():
    return definitions.recent_months(today())


def parse_month(value):
    """(month, error): ``YYYY-MM`` among the last six months; anything else is this month plus a message."""
    months = months_offered()
    if not value:
        return months[0], ""
    chosen = definitions.offered_month(value, months)
    return (chosen, "") if chosen else (months[0], ERR_MONTH)


def page_size(value):
    try:
        size = int(value)
    except (TypeError, ValueError):
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def org_in_scope(actor, org_id):
    """The org whose figures to show: the actor's own by default, else one of its subtree (404 outside)."""
    if org_id in (None, ""):
        return actor.org
    return org_get(actor=actor, pk=org_id)


def last_refresh_key(month):
    return f"statistics:last_refresh:{month:%Y%m}"


def last_refresh(month):
    """The as-of time of the month's last refresh (kept a minute in the cache: every page shows it)."""
    key = last_refresh_key(month)
    run = cache.get(key)
    if run is None:
        run = RefreshRun.objects.filter(month=month).order_by("-as_of").values_list("as_of", flat=True).first()
        if run is not None:
            cache.set(key, run, LAST_REFRESH_CACHE_S)
    return run


def updated_at(month, rows=()):
    """数据更新时间: the month's last refresh, else the newest row shown."""
    return last_refresh(month) or newest_computed(rows)


def newest_computed(rows):
    """When the newest of these statistics rows (None for an org without one) was computed."""
    times = [r.computed_at for r in rows if r is not None]
    return max(times) if times else None


def children_paginator(org, size):
    """The org's direct children by pages (the statistics tables' rows below the org's own), prepared."""
    return BoundedPaginator(PreparedRows(org_children_rows, [org.path, org.depth + 1], {}), size,
                            known_count=org.numchild)


def children_page(org, size, number):
    return children_paginator(org, size).get_page(number)


@prepared
def _stats(month, *org_ids, n):
    return OrgStat.objects.filter(month=month, org_id__in=org_ids)


def stats_for(orgs, month):
    """{org pk: OrgStat} of these orgs for the month, one prepared statement per number of orgs."""
    ids = [o.pk for o in orgs]
    return {s.org_id: s for s in _stats(month, *ids, n=len(ids))} if ids else {}


def overview_rows(org, month, children_page):
    """Row 1 = the org itself, then the page of its direct children, each with its month's OrgStat (or None)."""
    orgs = [org, *children_page]
    stats = stats_for(orgs, month)
    return [(o, stats.get(o.pk)) for o in orgs]


def latest_stat(org):
    """The org detail page's figures: the org's newest statistics row."""
    return OrgStat.objects.filter(org=org).order_by("-month").first()


# --- drill-down lists ----------------------------------------------------------------------------

EMPTY_KINDS = {
    "committee": ("empty_committees", "空心团委"),
    "branch": ("empty_branches", "空心团支部"),
    "cadreless": ("cadreless_branches", "无团干团支部"),
}


def empty_orgs(actor, org, month, kind):
    """空心组织: the month's statistics rows of ``org``'s subtree flagged as this kind (a branch's or a
    leaf committee's own row has the flag 1 iff it is one), with their org."""
    field, _ = EMPTY_KINDS[kind]
    qs = OrgStat.objects.filter(month=month, org__path__startswith=org.path, **{field: 1})
    # a row covers its subtree: only a leaf's own row says whether that org itself is empty
    qs = qs.filter(org__org_type=OrgType.BRANCH) if kind != "committee" else qs.filter(
        org__numchild=0).exclude(org__org_type=OrgType.BRANCH)
    return scoped(actor, qs, "org").select_related("org").order_by("org__path")


ORG_KINDS = {"all": "已建立组织", "branch": "已建立支部"}


def subtree_orgs(actor, org, kind="all", industry=None, org_type=None):
    """The orgs of ``org``'s subtree (itself included), or its branches; 查看团组织明细 narrows by
    industry (0 = 未填写) and org type."""
    qs = scoped(actor, Organization.objects.filter(path__startswith=org.path))
    if kind == "branch":
        qs = qs.filter(org_type=OrgType.BRANCH)
    if industry is not None:
        qs = qs.filter(industry__isnull=True) if industry == 0 else qs.filter(industry=industry)
    if org_type is not None:
        qs = qs.filter(org_type=org_type)
    return qs.order_by("path")


MEMBER_KINDS = {"registered": (definitions.REGISTERED, "已报到团员"), "members": (definitions.MEMBERS, "团员")}


def members(actor, org, kind):
    from services.members.models import Member

    predicate, _ = MEMBER_KINDS[kind]
    qs = Member.objects.filter(predicate, branch__path__startswith=org.path)
    return scoped(actor, qs, "branch").select_related("branch").order_by("pk")


CADRE_KINDS = {"all": "已录入团干", "joined": "已入驻企业号团干"}


def cadres(actor, org, kind):
    from services.cadres.models import CadrePost

    qs = CadrePost.objects.filter(org__path__startswith=org.path)
    if kind == "joined":
        qs = qs.filter(person__joined_work_at__isnull=False)
    return scoped(actor, qs, "org").select_related("person", "org").order_by("pk")


TRANSFER_KINDS = {
    "out_pending": "转出中团员", "out_done": "已转出团员", "in_pending": "待确认接收团员", "in_done": "已接收团员",
}


def transfers(actor, org, kind):
    """组织关系转接统计 (§5.1): transfers out of a branch of the subtree still open (member's confirmation or a stage) /
    done (in or out of the province), and into a branch of it pending at 转入团支部/其上级 / done."""
    from services.transfers.choices import DONE_STATES, OPEN_STATES, TransferStatus as S
    from services.transfers.models import Transfer

    # the states refresh counts (its _transfer_bases)
    side, states = {
        "out_pending": ("from_branch", OPEN_STATES),
        "out_done": ("from_branch", DONE_STATES),
        "in_pending": ("to_branch", (S.IN_BRANCH, S.IN_PARENT)),
        "in_done": ("to_branch", (S.COMPLETED,)),
    }[kind]
    qs = Transfer.objects.filter(status__in=states, **{f"{side}__path__startswith": org.path})
    return scoped(actor, qs, side).select_related("member", "from_branch", "to_branch").order_by("-pk")


@dataclass
class OrgRow:
    org: Organization
    parent_name: str
    members: int


def org_rows(orgs, month, stats=None):
    """A page of orgs as list rows: parent's name and the month's 团员人数 (two queries for the page)."""
    orgs = list(orgs)
    parents = org_parents_for(orgs)
    if stats is None:
        stats = stats_for(orgs, month)
    rows = []
    for o in orgs:
        parent = parents.get(o.parent_path)
        stat = stats.get(o.pk)
        rows.append(OrgRow(o, parent.full_name if parent else "", stat.members if stat else 0))
    return rows


def empty_rows(stat_rows):
    stat_rows = list(stat_rows)
    return org_rows([s.org for s in stat_rows], None, stats={s.org_id: s for s in stat_rows})


# --- 查看分类统计 (§5.2) ---------------------------------------------------------------------------

CATEGORY_TYPES = [(OrgType.COMMITTEE, "基层团委数"), (OrgType.WORKING, "基层团工委数"),
                  (OrgType.GENERAL_BRANCH, "团总支数"), (OrgType.BRANCH, "团支部数")]
CATEGORY_TYPE_VALUES = {t.value for t, _ in CATEGORY_TYPES}
CATEGORY_HEADERS = ["行业类别", *(label for _, label in CATEGORY_TYPES), "团员数", "上年新发展团员数",
                    *(f"{n.label}团干部数" for n in CadreNature)]
INDUSTRY_ROWS = [*((i.value, i.label) for i in Industry), (0, "未填写")]


def category_counts(org, month):
    """{dimension: {key: n}} of the org's month: one query of the nightly rows, or a branch's own
    records read live (the refresh keeps no rows for branches, :mod:`.categories`)."""
    if org.is_branch:
        return {dim: branch_counts(org, dim) for dim in Dimension}
    counts = {}
    for dim, key, n in CategoryStat.objects.filter(org=org, month=month).values_list("dimension", "key", "n"):
        counts.setdefault(dim, {})[key] = n
    return counts


@dataclass
class CategoryRow:
    industry: int
    label: str
    orgs: list  # [(org_type, n)] in CATEGORY_TYPES order
    members: int
    new_members: int
    cadres: list  # [n] in CadreNature order

    def cells(self):
        return [self.label, *(n for _, n in self.orgs), self.members, self.new_members, *self.cadres]


def _by_industry(counts, industry):
    return sum(n for key, n in counts.items() if key // 100 == industry)


def category_table(counts):
    orgs, cadre_counts = counts.get(Dimension.ORGS, {}), counts.get(Dimension.CADRES, {})
    rows = []
    for industry, label in INDUSTRY_ROWS:
        rows.append(CategoryRow(
            industry, label,
            [(t.value, orgs.get(industry * 100 + t.value, 0)) for t, _ in CATEGORY_TYPES],
            _by_industry(counts.get(Dimension.MEMBERS, {}), industry),
            _by_industry(counts.get(Dimension.NEW_MEMBERS, {}), industry),
            [cadre_counts.get(industry * 100 + n.value, 0) for n in CadreNature]))
    return rows


def _by_value(counts, choices):
    totals = {}
    for key, n in counts.items():
        totals[key % 100] = totals.get(key % 100, 0) + n
    return [{"name": label, "value": totals.get(value, 0)} for value, label in choices]


CHARTS = [
    ("industry", "团组织行业类别统计图"),
    ("education", "团员学历统计图"),
    ("income", "团员收入档次统计图"),
    ("nature", "团干部性质统计图"),
]


def chart_data(counts):
    """The four pie charts' data: [{key, title, data: [{name, value}]}] (zero slices kept for the tables)."""
    # the orgs of the table's four type columns (a 领导机关 has no 行业类别)
    orgs = {key: n for key, n in counts.get(Dimension.ORGS, {}).items() if key % 100 in CATEGORY_TYPE_VALUES}
    industries = [{"name": label, "value": _by_industry(orgs, value)} for value, label in INDUSTRY_ROWS]
    data = {
        "industry": industries,
        "education": _by_value(counts.get(Dimension.EDUCATION, {}), Education.choices),
        "income": _by_value(counts.get(Dimension.INCOME, {}), Income.choices),
        "nature": _by_value(counts.get(Dimension.CADRES, {}), CadreNature.choices),
    }
    return [{"key": key, "title": title, "data": data[key]} for key, title in CHARTS]
