"""An org opens 数据统计, drills into 空心团支部, downloads the list, opens 查看分类统计 and sees ECharts draw
the four pie charts (from the project's own static copy of ECharts, data from the JSON endpoint)."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from orgtree.rules import Industry, OrgType
from portal.models import User

from ..factories import make_cadre, make_child, make_member, make_root

CITY_PASSWORD = "Guangzhou2024"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def _figures(city, district, committee, branch, full):
    """This month's figures: the lead's refresh when it has landed, else the hand-counted rows."""
    from django.utils import timezone

    from services.statistics.definitions import recent_months
    from services.statistics.models import CategoryStat, Dimension, OrgStat, RefreshRun

    try:
        from services.statistics.refresh import refresh
    except ImportError:
        refresh = None
    if refresh is not None:
        refresh(kind="full")
        return
    month, now = recent_months(timezone.localdate())[0], timezone.now()
    for org, extra in ((city, {"orgs": 5}), (district, {"orgs": 4}), (committee, {"orgs": 2}), (branch, {"orgs": 1})):
        OrgStat.objects.create(org=org, month=month, computed_at=now, branches=1, empty_branches=1,
                               members=2, members_registered=2, cadres=1, **extra)
    OrgStat.objects.filter(org__in=[city, district]).update(empty_committees=1, cadres=2)
    OrgStat.objects.create(org=full, month=month, computed_at=now, orgs=1, empty_committees=1)
    for dim, key, n in ((Dimension.ORGS, Industry.OTHER * 100 + OrgType.COMMITTEE, 2),
                        (Dimension.ORGS, Industry.OTHER * 100 + OrgType.BRANCH, 1),
                        (Dimension.MEMBERS, Industry.OTHER * 100, 2), (Dimension.EDUCATION, 4, 2),
                        (Dimension.INCOME, 1, 2), (Dimension.CADRES, Industry.OTHER * 100 + 2, 2)):
        CategoryStat.objects.create(org=city, month=month, dimension=dim, key=key, n=n)
    RefreshRun.objects.create(kind=RefreshRun.Kind.FULL, month=month, as_of=now)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_org_drills_into_empty_branches_downloads_and_sees_charts(page, live_server):
    base = live_server.url
    root = make_root()
    city = make_child(root, OrgType.LEADING, "广州市")
    district = make_child(city, OrgType.LEADING, "天河区")
    committee = make_child(district, OrgType.COMMITTEE, "某公司")
    branch = make_child(committee, OrgType.BRANCH, "研发一部")
    shell = make_child(district, OrgType.COMMITTEE, "空壳公司")
    for _ in range(2):
        make_member(branch)
    make_cadre(district, name="孙团干")
    make_cadre(committee, name="周团干")
    _figures(city, district, committee, branch, shell)
    account = User.objects.get(organization=city, kind=User.Kind.ORG)
    account.set_password(CITY_PASSWORD)
    account.must_change_password = False
    account.save()

    page.goto(f"{base}/manage/login/")
    page.fill("#id_username", city.code)
    page.fill("#id_password", CITY_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()

    # 组织管理 → 数据统计: row 1 is the city, then 天河区; 空心团支部数 of the city is a link.
    with page.expect_navigation():
        page.locator("nav.side").get_by_role("link", name="数据统计", exact=True).click()
    assert _path(page) == "/manage/statistics/"
    assert "数据更新时间" in page.locator("#stat-updated").inner_text()
    rows = page.locator("#stat-overview tbody tr")
    assert rows.count() == 2
    first = rows.nth(0)
    headers = page.locator("#stat-overview thead tr").nth(1).locator("th").all_inner_texts()
    column = headers.index("空心团支部数") + 2  # + 组织名称, 1-based
    cell = first.locator(f"td:nth-child({column}) a")
    assert cell.inner_text() == "1"
    with page.expect_navigation():
        cell.click()
    assert _path(page) == "/manage/statistics/empty/"
    assert "空心团支部列表" in page.locator("h1").inner_text()
    listed = page.locator("#stat-list tbody tr")
    assert listed.count() == 1 and branch.full_name in listed.first.inner_text()

    # 下载全部: the .xlsx holds the same row.
    with page.expect_download() as info:
        page.locator("#list-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = list(load_workbook(BytesIO(open(download.path(), "rb").read())).active.values)
    assert rows[0][0] == "团组织全称" and [r[0] for r in rows[1:]] == [branch.full_name]

    # 查看分类统计 of the city: the table and four ECharts pies with data.
    page.goto(f"{base}/manage/statistics/")
    with page.expect_navigation():
        page.locator("#stat-overview tbody tr").first.get_by_role("link", name="查看分类统计").click()
    assert _path(page) == "/manage/statistics/categories/"
    page.wait_for_selector("#stat-charts[data-ready='1']")
    for key in ("industry", "education", "income", "nature"):
        assert page.locator(f"#chart-{key} canvas").count() >= 1
        n = page.evaluate(f"window.statCharts['{key}'].getOption().series[0].data.length")
        assert n >= 1, key
        assert page.locator(f"#chart-table-{key} tbody tr").count() >= 1
    assert page.evaluate("typeof window.echarts.init") == "function"
    assert page.evaluate("[...document.scripts].every(s => !s.src || s.src.startsWith(location.origin))")
