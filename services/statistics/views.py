"""Service pages of 数据统计 (/manage/statistics/…, reference §5.1–5.3): thin — parse, read, render.

Every page takes ``?org=<pk>`` (an org of the actor's subtree, else 404) and ``?month=YYYY-MM`` (one
of the last six months; anything else shows this month with a Chinese message); ``?download=xlsx``
gives the table or list as .xlsx (a big list becomes a background export, :mod:`.downloads`).
"""

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from orgtree.rules import Industry, OrgType
from portal.audit import audit_record
from portal.decorators import org_actor_required
from portal.exports import Sheet, xlsx_response
from portal.html import esc
from portal.pagination import page_number, page_of

from . import downloads, selectors
from .models import StatExport


def _int(value, allowed=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if allowed is None or number in allowed else None


def _common(request):
    """(org, month, size): the org in scope (404 outside), the month (a refused one noted), the page size."""
    org_id = None
    if request.GET.get("org"):
        org_id = _int(request.GET["org"])
        if org_id is None or not 0 < org_id < 2**62:
            raise Http404("未找到该组织")
    org = selectors.org_in_scope(request.actor, org_id)
    month, error = selectors.parse_month(request.GET.get("month"))
    if error:
        messages.warning(request, error)
    return org, month, selectors.page_size(request.GET.get("size"))


def _query(org, month, **extra):
    """``org=…&month=YYYY-MM`` (what urlencode gives for a pk and a month: nothing to quote), then ``extra``."""
    query = f"org={org.pk}&month={month:%Y-%m}"
    return f"{query}&{urlencode(extra)}" if extra else query


def _cell(value, url=""):
    """One table cell; numbers need no escaping (a 500-row page has ~15,000 cells: portal.html.esc, not
    Django's lazy-aware escape)."""
    text = str(value) if type(value) is int else esc("" if value is None else str(value))
    return f'<td><a href="{esc(url)}">{text}</a></td>' if url else f"<td>{text}</td>"


def _name_cell(org, own, url):
    if own:
        return f'<td class="wrap">{esc(org.full_name)}（本级及下级）</td>'
    return f'<td class="wrap"><a href="{esc(url)}">{esc(org.full_name)}</a></td>'


OWN = ' class="own"'


def rows_html(rows):
    """A table body built in Python (as the shell's sidebar is): the template engine took most of a
    500-row page's time over its ~15,000 cells (DESIGN §7: pages ≤ 2× a trivial view)."""
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped by _cell/_name_cell


def _wants_xlsx(request):
    return request.GET.get("download") == "xlsx"


def _export_table(request, org, title, sheets):
    audit_record(actor=request.actor, action="statistics.export", obj=org, after={"列表": title})
    return xlsx_response(f"{title}.xlsx", sheets)


# --- 数据统计 (§5.1) -------------------------------------------------------------------------------

OVERVIEW_GROUPS = [
    ("团务数据统计", [("orgs", "已建立组织总数"), ("branches", "已建立支部数"), ("empty_committees", "空心团委数"),
                ("empty_branches", "空心团支部数"), ("cadreless_branches", "无团干团支部数"),
                ("members_registered", "已报到团员数"), ("members", "团员数"), ("cadres", "已录入团干数"),
                ("cadres_joined", "已入驻企业号团干数")]),
    ("组织关系转接统计", [("out_pending", "转出中团员数"), ("out_done", "已转出团员数"),
                  ("in_pending", "待确认接收团员数"), ("in_done", "已接收团员数")]),
    ("团费交纳", [("dues_billed", "应交团费人数"), ("dues_paid", "已交团费人数"), ("dues_unpaid", "未交团费人数")]),
    ("年度注册", [("registration_members", "应注册团员数"), ("registration_done", "已注册团员数"),
              ("registration_rate", "注册进度")]),
    ("月度业务响应统计", [("respond_due_own", "本级累计需响应申请数"), ("respond_timely_own", "本级及时响应数"),
                  ("respond_rate_own", "本级及时响应率"), ("respond_due", "累计需响应申请数"),
                  ("respond_timely", "及时响应数"), ("respond_rate", "及时响应率")]),
]
RATES = {"registration_rate", "respond_rate_own", "respond_rate"}


DRILL_LISTS = {
    "orgs": ("statistics:orgs", "kind=all"), "branches": ("statistics:orgs", "kind=branch"),
    "empty_committees": ("statistics:empty", "kind=committee"), "empty_branches": ("statistics:empty", "kind=branch"),
    "cadreless_branches": ("statistics:empty", "kind=cadreless"),
    "members_registered": ("statistics:members", "kind=registered"), "members": ("statistics:members", "kind=members"),
    "cadres": ("statistics:cadres", "kind=all"), "cadres_joined": ("statistics:cadres", "kind=joined"),
    **{field: ("statistics:transfer_list", f"kind={field}") for field in selectors.TRANSFER_KINDS},
    "dues_paid": ("dues:members", "paid=1"), "dues_unpaid": ("dues:members", "paid=0"),
}


@functools.cache
def _drill_bases():
    """figure -> its list's address up to the row's org and month (reversed once per process)."""
    return {field: f"{reverse(name)}?{extra}&" for field, (name, extra) in DRILL_LISTS.items()}


def _drill_links(org, month, q=None):
    """figure -> the address of its drill-down list for this row's org (``q``: the row's _query)."""
    q = q or _query(org, month)
    return {field: base + q for field, base in _drill_bases().items()}


def _value(stat, field):
    if stat is None:
        return None if field in RATES else 0
    if field == "registration_rate":
        return round(100 * stat.registration_done / stat.registration_members, 1) if stat.registration_members else None
    return getattr(stat, field)


def overview_cells(org, stat, month, with_links=True, q=None):
    links = _drill_links(org, month, q) if with_links else {}
    cells = []
    for _, columns in OVERVIEW_GROUPS:
        for field, _ in columns:
            value = _value(stat, field)
            if field in RATES:
                cells.append({"text": "—" if value is None else f"{value}%", "url": ""})
            else:
                cells.append({"text": value, "url": links.get(field, "") if value else ""})
    return cells


OVERVIEW_HEADERS = ["组织名称", *(label for _, cols in OVERVIEW_GROUPS for _, label in cols)]
#: The table's two header rows (the same for every page: built once).
OVERVIEW_THEAD = mark_safe(  # noqa: S308 - fixed labels, escaped
    '<tr><th rowspan="2">组织名称</th>'
    + "".join(f'<th colspan="{len(cols)}">{esc(title)}</th>' for title, cols in OVERVIEW_GROUPS)
    + '<th rowspan="2">操作</th></tr>\n<tr>'
    + "".join(f"<th>{esc(label)}</th>" for _, cols in OVERVIEW_GROUPS for _, label in cols) + "</tr>")


def _overview_row(i, o, s, month, categories_url):
    q = _query(o, month)
    return (f'<tr{OWN if i == 0 else ""} data-org="{o.pk}">{_name_cell(o, i == 0, "?" + q)}'
            + "".join(_cell(c["text"], c["url"]) for c in overview_cells(o, s, month, q=q))
            + _cell("查看分类统计", f"{categories_url}?{q}") + "</tr>")


@require_GET
@org_actor_required
def overview(request):
    """数据统计: row 1 the org (本级及所有下级), then a page of its direct children, for a month."""
    org, month, size = _common(request)
    if _wants_xlsx(request):
        rows = selectors.overview_rows(org, month, selectors.children_page(org, size, request.GET.get("page")).object_list)
        title = f"数据统计_{org.short_name}_{month:%Y%m}"
        table = ([o.full_name, *(c["text"] for c in overview_cells(o, s, month, with_links=False))] for o, s in rows)
        return _export_table(request, org, title, [Sheet("数据统计", OVERVIEW_HEADERS, table)])
    page, shown, updated = _overview_table(org, month, size, request.GET.get("page"))
    return render(request, "statistics/overview.html", {
        "org": org, "month": month, "months": selectors.months_offered(), "size": size,
        "sizes": selectors.PAGE_SIZES, "page": page, "rows": shown, "thead": OVERVIEW_THEAD,
        "updated_at": updated,
        "download": f"?{_query(org, month, size=size, page=page.number, download='xlsx')}",
        "report_url": _report_url(org, month),
    })


#: How long a page of the table is kept: until the next refresh replaces its run, at most this long.
OVERVIEW_KEPT_S = 15 * 60


def overview_key(org, month, size, number, run):
    """Where a page of the table made from the refresh run at ``run`` is kept."""
    return f"statistics:overview:{org.pk}:{month:%Y%m}:{size}:{number}:{run.timestamp()}"


def _overview_table(org, month, size, number):
    """(page, table body, 数据更新时间) of the overview.

    The figures change only when a refresh runs (every 15 minutes, and the page says so), so a page of
    the table is kept in the cache under the month's last run: the next run's table has another key,
    and an org renamed or added meanwhile shows with that run, as its figures do. Reading the orgs
    and their figures and building ~600 cells was twice the page's budget (issue 16)."""
    paginator = selectors.children_paginator(org, size)
    number = page_number(paginator, number)
    run = selectors.last_refresh(month)
    key = overview_key(org, month, size, number, run) if run else None
    kept = cache.get(key) if key else None
    if kept is not None:
        return Page([], number, paginator), kept, run
    page = paginator.page(number)
    rows = selectors.overview_rows(org, month, page.object_list)
    categories_url = reverse("statistics:categories")
    shown = rows_html(_overview_row(i, o, s, month, categories_url) for i, (o, s) in enumerate(rows))
    if key:
        cache.set(key, shown, OVERVIEW_KEPT_S)
    return page, shown, run or selectors.newest_computed(s for _, s in rows)  # updated_at, its run read above


def _report_url(org, month):
    return f"{reverse('statistics_report:monthly')}?{_query(org, month)}"


# --- drill-down lists ----------------------------------------------------------------------------

def _list(request, *, kind, params, org, month, size, heading):
    """A drill-down list page (or its download): the same cells on the page and in the .xlsx."""
    spec = downloads.LISTS[kind]
    if _wants_xlsx(request):
        try:
            result = downloads.download(actor=request.actor, org=org, kind=kind,
                                        params={**params, "month": f"{month:%Y-%m}"})
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            query = request.GET.copy()
            query.pop("download", None)
            return redirect(f"{request.path}?{query.urlencode()}")
        if isinstance(result, StatExport):
            messages.success(request, f"数据较多（超过{downloads.BACKGROUND_ROWS}条），已转为后台导出，完成后将通过站内信通知")
            return redirect("statistics:export_job", result.pk)
        return result
    page = page_of(spec.query(request.actor, org, {**params, "month": f"{month:%Y-%m}"}), size, request.GET.get("page"))
    rows = rows_html("<tr>" + "".join(_cell(c) for c in cells) + "</tr>"
                     for cells in spec.rows(list(page.object_list), {**params, "month": f"{month:%Y-%m}"}))
    query = request.GET.copy()
    query.pop("page", None)
    query["download"] = "xlsx"
    return render(request, "statistics/list.html", {
        "org": org, "month": month, "heading": heading, "headers": spec.headers, "rows": rows, "page": page,
        "size": size, "sizes": selectors.PAGE_SIZES, "download": f"?{query.urlencode()}",
        "back": f"{reverse('statistics:overview')}?{_query(org, month)}",
        "live_note": kind != "empty" and month != selectors.months_offered()[0],
    })


def _kind(request, choices):
    kind = request.GET.get("kind", "")
    if kind not in choices:
        raise Http404(selectors.ERR_KIND)
    return kind


@require_GET
@org_actor_required
def empty_list(request):
    """空心组织: 空心团委 / 空心团支部 / 无团干团支部 of the org's subtree in the month."""
    org, month, size = _common(request)
    kind = _kind(request, selectors.EMPTY_KINDS)
    return _list(request, kind="empty", params={"kind": kind}, org=org, month=month, size=size,
                 heading=f"{selectors.EMPTY_KINDS[kind][1]}列表")


@require_GET
@org_actor_required
def org_list(request):
    """已建立组织 / 已建立支部, and 查看团组织明细 (one industry × org type of 查看分类统计)."""
    org, month, size = _common(request)
    kind = request.GET.get("kind", "all")
    if kind not in selectors.ORG_KINDS:
        raise Http404(selectors.ERR_KIND)
    params = {"kind": kind}
    industry = _int(request.GET.get("industry"), {0, *Industry.values})
    org_type = _int(request.GET.get("org_type"), set(OrgType.values))
    heading = selectors.ORG_KINDS[kind]
    if industry is not None:
        params["industry"] = industry
        heading = "团组织明细 · " + (Industry(industry).label if industry else "未填写")
    if org_type is not None:
        params["org_type"] = org_type
        heading += " · " + OrgType(org_type).label
    return _list(request, kind="orgs", params=params, org=org, month=month, size=size, heading=heading)


@require_GET
@org_actor_required
def member_list(request):
    org, month, size = _common(request)
    kind = _kind(request, selectors.MEMBER_KINDS)
    return _list(request, kind="members", params={"kind": kind}, org=org, month=month, size=size,
                 heading=f"{selectors.MEMBER_KINDS[kind][1]}名单")


@require_GET
@org_actor_required
def cadre_list(request):
    org, month, size = _common(request)
    kind = _kind(request, selectors.CADRE_KINDS)
    return _list(request, kind="cadres", params={"kind": kind}, org=org, month=month, size=size,
                 heading=f"{selectors.CADRE_KINDS[kind]}名单")


@require_GET
@org_actor_required
def transfer_list(request):
    """The transfers behind 转出中/已转出/待确认接收/已接收 of the org's subtree."""
    org, month, size = _common(request)
    kind = _kind(request, selectors.TRANSFER_KINDS)
    return _list(request, kind="transfers", params={"kind": kind}, org=org, month=month, size=size,
                 heading=f"{selectors.TRANSFER_KINDS[kind]}名单")


# --- 查看分类统计 (§5.2) ---------------------------------------------------------------------------

@require_GET
@org_actor_required
def categories(request):
    org, month, _ = _common(request)
    table = selectors.category_table(selectors.category_counts(org, month))
    if _wants_xlsx(request):
        return _export_table(request, org, f"组织数据统计表_{org.short_name}_{month:%Y%m}",
                             [Sheet("组织数据统计表", selectors.CATEGORY_HEADERS, (r.cells() for r in table))])
    orgs_url = reverse("statistics:orgs")
    rows = [{"label": r.label, "orgs": [(n, f"{orgs_url}?{_query(org, month, industry=r.industry, org_type=t)}")
                                        for t, n in r.orgs],
             "rest": [r.members, r.new_members, *r.cadres]} for r in table]
    return render(request, "statistics/categories.html", {
        "org": org, "month": month, "months": selectors.months_offered(), "rows": rows,
        "headers": selectors.CATEGORY_HEADERS, "charts": selectors.CHARTS,
        "charts_url": f"{reverse('statistics:charts')}?{_query(org, month)}",
        "download": f"?{_query(org, month, download='xlsx')}",
        "back": f"{reverse('statistics:overview')}?{_query(org, month)}",
        "updated_at": selectors.updated_at(month),
    })


@require_GET
@org_actor_required
def charts(request):
    """The four pie charts' data (JSON, scoped) drawn by static/statistics/charts.js."""
    org, month, _ = _common(request)
    return JsonResponse({"org": org.full_name, "month": f"{month:%Y-%m}",
                         "charts": selectors.chart_data(selectors.category_counts(org, month))})


# --- 组织关系转接数据统计 (§5.3) ---------------------------------------------------------------------

TRANSFER_GROUPS = [
    ("转出数据统计", [("out_branch_approved", "转出支部审核通过人数"), ("out_parent_approved", "转出支部上级审核通过人数"),
                ("out_done", "已成功转出人数"), ("out_returned", "被接收方拒收（退回）人数"),
                ("out_total", "已发起转出申请总人数"), ("out_school", "已发起校内转接申请总团员数")]),
    ("转入数据统计", [("in_branch_approved", "转入支部审核通过人数"), ("in_done", "已成功转入人数"),
                ("in_returned", "被接收方拒收（退回）人数"), ("in_total", "申请转入总人数（转出方已审核通过）")]),
]
TRANSFER_FIELDS = [field for _, cols in TRANSFER_GROUPS for field, _ in cols]
TRANSFER_HEADERS = ["组织名称", *(label for _, cols in TRANSFER_GROUPS for _, label in cols)]


@require_GET
@org_actor_required
def transfers(request):
    org, month, size = _common(request)
    page = selectors.children_page(org, size, request.GET.get("page"))
    rows = selectors.overview_rows(org, month, page.object_list)
    table = [(o, [getattr(s, f) if s else 0 for f in TRANSFER_FIELDS]) for o, s in rows]
    if _wants_xlsx(request):
        return _export_table(request, org, f"组织关系转接数据统计_{org.short_name}_{month:%Y%m}",
                             [Sheet("组织关系转接数据统计", TRANSFER_HEADERS, ([o.full_name, *v] for o, v in table))])
    return render(request, "statistics/transfers.html", {
        "org": org, "month": month, "months": selectors.months_offered(), "size": size, "sizes": selectors.PAGE_SIZES,
        "page": page, "groups": TRANSFER_GROUPS,
        "rows": rows_html(f'<tr{OWN if i == 0 else ""}>{_name_cell(o, i == 0, "?" + _query(o, month))}'
                          + "".join(_cell(n) for n in v) + "</tr>" for i, (o, v) in enumerate(table)),
        "updated_at": selectors.updated_at(month, [s for _, s in rows]),
        "download": f"?{_query(org, month, size=size, page=page.number, download='xlsx')}",
    })


# --- background exports --------------------------------------------------------------------------

@require_GET
@org_actor_required
def export_job(request, pk):
    job = downloads.job_for(request.actor, pk)
    return render(request, "statistics/export_job.html", {"job": job})


@require_GET
@org_actor_required
def export_file(request, pk):
    job = downloads.job_for(request.actor, pk)
    if job.status != StatExport.Status.DONE or not job.file:
        raise Http404("文件尚未生成")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"{job.title}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
