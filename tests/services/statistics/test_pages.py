import re
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from services.statistics import selectors
from services.statistics.definitions import recent_months

from ...factories import login

pytestmark = pytest.mark.django_db

OVERVIEW = "statistics:overview"


def rows_of(response, table_id):
    html = response.content.decode()
    body = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [r for r in re.findall(r"<tr.*?</tr>", body, re.S) if "暂无数据" not in r]


def links_of(response):
    html = response.content.decode()
    body = re.search(r'<table[^>]*id="stat-overview".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [(m.group(1).replace("&amp;", "&"), int(m.group(2)))
            for m in re.finditer(r'<a href="(/manage/statistics/(?:empty|orgs|members|cadres|transfer-records)/[^"]+)">(\d+)</a>', body)]


def test_page_shows_own_row_then_children_with_links(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse(OVERVIEW))
    assert r.status_code == 200
    rows = rows_of(r, "stat-overview")
    assert len(rows) == 2  # 广州市 (本级及下级), then its one child 天河区
    assert "广州市" in rows[0] and "本级及下级" in rows[0] and "天河区" in rows[1]
    html = r.content.decode()
    assert "数据更新时间" in html and "数据每15分钟更新" in html
    assert "75.0%" in html  # 3 timely of 4 due
    links = links_of(r)
    assert (f"/manage/statistics/empty/?kind=branch&org={t.city_a.pk}&month={province.month:%Y-%m}", 1) in links
    assert not any("kind=committee" in u and f"org={t.city_a.pk}&" in u and n == 0 for u, n in links)
    assert "查看分类统计" in html


def test_zero_figure_is_not_a_link_and_no_rate_shows_a_dash(client, province):
    t = province.tree
    login(client, t.branch)
    r = client.get(reverse(OVERVIEW))
    rows = rows_of(r, "stat-overview")
    assert len(rows) == 1  # a branch: its own row, no children
    assert "kind=committee" not in rows[0]  # 空心团委数 0 → plain text
    assert "—" in rows[0]  # nothing was due: no rate
    assert "kind=branch" in rows[0]  # 空心团支部数 1 of its own row


def test_every_drill_down_has_as_many_rows_as_its_figure(client, province):
    t = province.tree
    login(client, t.city_a)
    checked = 0
    for org in (t.city_a, t.district):
        page = client.get(reverse(OVERVIEW), {"org": org.pk} if org != t.city_a else {})
        for url, figure in links_of(page):
            listed = client.get(url + "&size=500")
            assert listed.status_code == 200, url
            assert len(rows_of(listed, "stat-list")) == figure, url
            checked += 1
    assert checked >= 18
    assert any("transfer-records" in u for u, _ in links_of(page))


def test_empty_org_list_columns(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:empty"), {"org": t.city_a.pk, "kind": "committee"})
    html = r.content.decode()
    for header in ("团组织全称", "上级组织全称", "组织类型", "组织建立时间", "团员人数"):
        assert header in html
    (row,) = rows_of(r, "stat-list")
    assert "空壳公司" in row and "天河区" in row and "基层团委" in row


def test_member_list_masks_ids(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:members"), {"org": t.branch.pk, "kind": "members"})
    member = t.branch.members.first() if hasattr(t.branch, "members") else None
    from services.members.models import Member

    member = Member.objects.filter(branch=t.branch).first()
    html = r.content.decode()
    assert member.masked_id in html and member.id_number not in html


def test_month_filter_offers_six_months_and_refuses_the_seventh(client, province):
    t = province.tree
    login(client, t.city_a)
    months = recent_months(timezone.localdate())
    r = client.get(reverse(OVERVIEW), {"month": f"{months[-1]:%Y-%m}"})
    assert r.status_code == 200 and "只能查询最近6个月" not in r.content.decode()
    assert r.content.decode().count("<option value=\"20") >= 6
    seventh = date(months[-1].year - (months[-1].month == 1), (months[-1].month - 2) % 12 + 1, 1)
    r = client.get(reverse(OVERVIEW), {"month": f"{seventh:%Y-%m}"})
    html = r.content.decode()
    assert "只能查询最近6个月的数据" in html
    assert f"{province.month:%Y年%m月}" in html  # shown: this month
    r = client.get(reverse(OVERVIEW), {"month": "2026-13"})
    assert "只能查询最近6个月的数据" in r.content.decode()


def test_page_size_is_bounded(client, province):
    login(client, province.tree.city_a)
    r = client.get(reverse(OVERVIEW), {"size": "100000"})
    assert r.status_code == 200 and r.context["size"] == 20
    r = client.get(reverse(OVERVIEW), {"size": "500"})
    assert r.context["size"] == 500


def test_opening_another_org_from_the_tree_shows_its_table(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse(OVERVIEW), {"org": t.general.pk})
    rows = rows_of(r, "stat-overview")
    assert len(rows) == 3 and "研发中心" in rows[0] and "研发一部" in rows[1] and "研发二部" in rows[2]


SCOPED = ["statistics:overview", "statistics:transfers", "statistics:categories", "statistics:charts"]


@pytest.mark.parametrize("name", SCOPED)
def test_sibling_subtree_is_404(client, province, name):
    t = province.tree
    login(client, t.city_a)
    assert client.get(reverse(name), {"org": t.city_b.pk}).status_code == 404
    assert client.get(reverse(name), {"org": t.b_district.pk, "download": "xlsx"}).status_code == 404


@pytest.mark.parametrize("name,kind", [("statistics:empty", "committee"), ("statistics:orgs", "all"),
                                       ("statistics:transfer_list", "out_pending"),
                                       ("statistics:members", "members"), ("statistics:cadres", "all")])
def test_sibling_drill_downs_and_downloads_are_404(client, province, name, kind):
    t = province.tree
    login(client, t.city_a)
    for extra in ({}, {"download": "xlsx"}):
        assert client.get(reverse(name), {"org": t.city_b.pk, "kind": kind, **extra}).status_code == 404
    login(client, t.district)  # a child cannot look up at its parent either
    assert client.get(reverse(name), {"org": t.city_a.pk, "kind": kind}).status_code == 404


def test_unknown_kind_is_404(client, province):
    login(client, province.tree.city_a)
    assert client.get(reverse("statistics:empty"), {"kind": "nope"}).status_code == 404


def test_categories_table_links_to_org_detail_lists(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:categories"))
    html = r.content.decode()
    assert len(rows_of(r, "stat-categories")) == 17  # 16 industries + 未填写
    for header in ("基层团委数", "基层团工委数", "团总支数", "团支部数", "团员数", "上年新发展团员数", "专职团干部数", "兼职团干部数", "挂职团干部数"):
        assert header in html
    assert "vendor/echarts/echarts.min.js" in html and "statistics/charts.js" in html
    links = re.findall(r'<a href="(/manage/statistics/orgs/\?[^"]+)">(\d+)</a>', html)
    assert len(links) == 3
    for url, n in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert len(rows_of(listed, "stat-list")) == int(n), url
        assert "行业类别" in listed.content.decode()


def test_chart_json(client, province):
    login(client, province.tree.city_a)
    data = client.get(reverse("statistics:charts")).json()
    charts = {c["key"]: c for c in data["charts"]}
    assert set(charts) == {"industry", "education", "income", "nature"}
    assert {"name": "其他", "value": 5} in charts["industry"]["data"]
    assert {"name": "兼职", "value": 2} in charts["nature"]["data"]
    assert {"name": "本科", "value": 5} in charts["education"]["data"]
    assert len(charts["industry"]["data"]) == 17


def test_transfer_statistics_page(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:transfers"))
    html = r.content.decode()
    assert "转出数据统计" in html and "已发起校内转接申请总团员数" in html and "申请转入总人数（转出方已审核通过）" in html
    assert len(rows_of(r, "stat-transfers")) == 2
    wb = load_workbook(BytesIO(b"".join(client.get(reverse("statistics:transfers"), {"download": "xlsx"}).streaming_content)))
    ws = wb.active
    assert ws.cell(1, 1).value == "组织名称" and ws.max_row == 3


def test_overview_download_is_the_page(client, province):
    login(client, province.tree.city_a)
    r = client.get(reverse(OVERVIEW), {"download": "xlsx"})
    ws = load_workbook(BytesIO(b"".join(r.streaming_content))).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["组织名称", "已建立组织总数", "已建立支部数"] and "及时响应率" in header
    assert ws.max_row == 3 and ws.cell(2, 2).value == 7


def test_member_xlsx_masks_ids_and_is_audited(client, province):
    from portal.models import AuditLog
    from services.members.models import Member

    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:members"), {"org": t.city_a.pk, "kind": "registered", "download": "xlsx"})
    ws = load_workbook(BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.values)
    assert list(rows[0]) == ["姓名", "身份证号码", "所在团支部", "报到状态", "团籍状态", "入团年月"]
    assert len(rows) - 1 == province.figures[t.city_a]["members_registered"]
    ids = {m.id_number for m in Member.objects.all()}
    masked = {row[1] for row in rows[1:]}
    assert not masked & ids and all("********" in m for m in masked)
    assert AuditLog.objects.filter(action="statistics.export", organization=t.city_a).exists()


def test_org_detail_page_shows_the_figures_and_dues(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("orgtree:detail", args=[t.district.pk]))
    html = r.content.decode()
    assert 'id="org-stat-card"' in html and "已报到团员数" in html and "75.0%" in html
    assert "团费" in html


def test_the_org_card_dates_its_figures_by_the_last_refresh_not_the_last_change(client, tree):
    """A refresh rewrites only changed rows: an unchanged row is as fresh as the month's last refresh."""
    from datetime import datetime

    import time_machine
    from django.utils import timezone

    from services.statistics import refresh

    first, second = (timezone.make_aware(datetime(2026, 11, 20, h)) for h in (10, 12))
    with time_machine.travel(first, tick=False):
        refresh.refresh(as_of=first)
    with time_machine.travel(second, tick=False):
        assert refresh.refresh(as_of=second).rows_written == 0
        login(client, tree.city_a)
        html = client.get(reverse("orgtree:detail", args=[tree.district.pk])).content.decode()
    assert "数据更新时间 2026-11-20 12:00" in html


def test_menus_for_an_org_and_a_branch(client, province):
    t = province.tree
    for org in (t.city_a, t.branch):
        login(client, org)
        html = client.get(reverse("portal:home")).content.decode()
        assert reverse(OVERVIEW) in html and reverse("statistics:transfers") in html


def test_selectors_parse_month():
    months = selectors.months_offered()
    assert selectors.parse_month(f"{months[2]:%Y-%m}") == (months[2], "")
    assert selectors.parse_month("abc")[1] == selectors.ERR_MONTH
    assert selectors.parse_month("")[0] == months[0]


def test_after_a_real_refresh_every_list_matches_its_figure(client, province):
    """The lead's refresh computes the figures from the live tables: each drill-down lists as many rows."""
    from services.statistics.models import CategoryStat, OrgStat
    from services.statistics.refresh import refresh

    OrgStat.objects.all().delete()
    CategoryStat.objects.all().delete()
    refresh(kind="full")
    t = province.tree
    login(client, t.city_a)
    checked = 0
    for org in (t.city_a, t.district, t.general):
        page = client.get(reverse(OVERVIEW), {"org": org.pk})
        for url, figure in links_of(page):
            assert len(rows_of(client.get(url + "&size=500"), "stat-list")) == figure, url
            checked += 1
    assert checked >= 20
    html = client.get(reverse("statistics:categories")).content.decode()
    for url, n in re.findall(r'<a href="(/manage/statistics/orgs/\?[^"]+)">(\d+)</a>', html):
        assert len(rows_of(client.get(url.replace("&amp;", "&") + "&size=500"), "stat-list")) == int(n), url


def test_a_past_month_list_says_it_lists_todays_data(client, province):
    t = province.tree
    login(client, t.city_a)
    past = recent_months(timezone.localdate())[1]
    r = client.get(reverse("statistics:members"), {"kind": "members", "month": f"{past:%Y-%m}"})
    assert "名单按当前数据列出" in r.content.decode()
    r = client.get(reverse("statistics:members"), {"kind": "members"})
    assert "名单按当前数据列出" not in r.content.decode()


def test_a_branchs_categories_are_read_live(client, province):
    t = province.tree
    login(client, t.city_a)
    data = client.get(reverse("statistics:charts"), {"org": province.branch2.pk}).json()
    charts = {c["key"]: c for c in data["charts"]}
    assert {"name": "其他", "value": 1} in charts["industry"]["data"]  # the branch itself
    assert sum(d["value"] for d in charts["education"]["data"]) == 3  # its three members in good standing
    r = client.get(reverse("statistics:categories"), {"org": province.branch2.pk})
    assert r.status_code == 200


@pytest.mark.parametrize("bad", ["abc", "-1", "9" * 40, "1.5"])
def test_a_malformed_org_is_404(client, province, bad):
    login(client, province.tree.city_a)
    assert client.get(reverse(OVERVIEW), {"org": bad}).status_code == 404


def test_the_page_links_the_monthly_pdf_report_of_its_org_and_month(client, province):
    t = province.tree
    login(client, t.city_a)
    html = client.get(reverse(OVERVIEW), {"org": t.district.pk}).content.decode()
    report = f'{reverse("statistics_report:monthly")}?org={t.district.pk}&amp;month={province.month:%Y-%m}'
    assert f'id="stat-report" href="{report}"' in html


def test_a_page_of_the_table_is_kept_until_the_next_refresh_replaces_its_run(client, province):
    """The figures change only when a refresh runs: a page of the table is kept under the month's last run
    (an out-of-range page number is the page get_page gives), and the next run shows the new figures."""
    from datetime import timedelta

    from services.statistics import refresh
    from services.statistics.models import OrgStat

    from .factories import make_run

    t = province.tree
    login(client, t.city_a)
    first = rows_of(client.get(reverse(OVERVIEW)), "stat-overview")
    assert ">4321<" not in first[1]
    OrgStat.objects.filter(org=t.district, month=province.month).update(members=4321)
    assert rows_of(client.get(reverse(OVERVIEW)), "stat-overview") == first
    assert rows_of(client.get(reverse(OVERVIEW), {"page": "999"}), "stat-overview") == first
    assert rows_of(client.get(reverse(OVERVIEW), {"page": "x"}), "stat-overview") == first
    make_run(province.month, as_of=timezone.now() + timedelta(minutes=15))
    refresh.forget_last_refresh(province.month)  # as refresh() does once it has run
    again = rows_of(client.get(reverse(OVERVIEW)), "stat-overview")
    assert ">4321<" in again[1] and again[0] == first[0]
    # a download reads the figures, never a kept page
    OrgStat.objects.filter(org=t.district, month=province.month).update(members=4322)
    r = client.get(reverse(OVERVIEW), {"download": "xlsx"})
    sheet = load_workbook(BytesIO(b"".join(r.streaming_content))).active
    assert any(4322 in row for row in sheet.iter_rows(values_only=True))


def test_without_a_refresh_run_the_table_is_read_each_time(client, tree, month):
    from services.statistics.models import OrgStat

    from .factories import make_stat

    make_stat(tree.city_a, month, members=11)
    login(client, tree.city_a)
    assert ">11<" in rows_of(client.get(reverse(OVERVIEW)), "stat-overview")[0]
    OrgStat.objects.filter(org=tree.city_a).update(members=12)
    assert ">12<" in rows_of(client.get(reverse(OVERVIEW)), "stat-overview")[0]
