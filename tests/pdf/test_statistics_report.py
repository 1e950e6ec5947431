"""月度统计报表 PDF: the org's row and its direct children's rows, the four distributions drawn as inline
SVG (pie charts read back as text, with a table beside each), the month that has no rows yet, the month
outside the last six, and scope (a sibling org → 404). The rows are made directly: the refresh that fills
them is another module."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgtree.rules import OrgType
from services.statistics import charts_svg, report
from services.statistics.models import CategoryStat, Dimension, OrgStat

from ..factories import login, make_child
from .tools import assert_cjk_font_embedded, pages, text

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)
URL = "statistics_report:monthly"


def _stat(org, month=MARCH, **figures):
    return OrgStat.objects.create(org=org, month=month, computed_at=datetime(2026, 3, 10, 9, 45, tzinfo=ZoneInfo("Asia/Shanghai")),
                                  **figures)


@pytest.fixture
def stats(tree):
    _stat(tree.district, orgs=4, branches=2, empty_branches=1, members=37, members_registered=40, cadres=5,
          respond_due=10, respond_timely=9)
    _stat(tree.committee, orgs=3, branches=2, members=37)
    for dimension, key, n in ((Dimension.ORGS, 1001, 3), (Dimension.ORGS, 1005, 2), (Dimension.ORGS, 801, 4),
                              (Dimension.EDUCATION, 4, 30), (Dimension.EDUCATION, 5, 7),
                              (Dimension.INCOME, 6, 25), (Dimension.INCOME, 2, 12),
                              (Dimension.CADRES, 1001, 2), (Dimension.CADRES, 802, 3), (Dimension.CADRES, 1002, 1),
                              (Dimension.MEMBERS, 1000, 99)):
        CategoryStat.objects.create(org=tree.district, month=MARCH, dimension=dimension, key=key, n=n)


def test_report_with_figures_children_and_svg_charts(client, tree, stats):
    login(client, tree.district)
    response = client.get(reverse(URL), {"org": tree.district.pk, "month": "2026-03"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment; filename*=utf-8''" in response["Content-Disposition"]
    data = response.content
    body = text(data)
    assert tree.district.full_name in body and "2026年03月" in body and "2026-03-1009:45" in body
    assert tree.committee.full_name in body and "直属下级组织团员数" in body
    assert "及时业务响应率（本级及下级）90.0%" in body
    # 行业类别 = ORGS per key // 100: 非公企业 3 + 2 = 5, 国有企业 4; 团干部性质 = CADRES per key % 100
    assert "非公企业：5（55.6%）" in body and "国有企业：4（44.4%）" in body
    assert "本科：30" in body and "硕士：7" in body and "学生（无收入）：25" in body
    assert "兼职：4" in body and "专职：2" in body  # 802 + 1002 兼职, 1001 专职
    assert "本月统计数据尚未生成" not in body
    assert_cjk_font_embedded(data)
    assert pages(data) >= 1


def test_report_defaults_to_own_org_and_current_month(client, tree, stats):
    login(client, tree.district)
    body = text(client.get(reverse(URL)).content)
    assert tree.district.full_name in body and "2026年03月" in body and "非公企业" in body


def test_month_without_rows_says_not_generated(client, tree, stats):
    login(client, tree.district)
    response = client.get(reverse(URL), {"month": "2026-02"})
    assert response.status_code == 200
    body = text(response.content)
    assert report.NOT_READY in body and tree.district.full_name in body
    assert pages(response.content) == 1
    login(client, tree.branch)  # a child without a row of its own this month
    assert report.NOT_READY in text(client.get(reverse(URL)).content)


@pytest.mark.parametrize("month", ["2025-09", "2026-04", "2026-13", "abc", "2026-3-1", "0-0"])
def test_month_outside_the_last_six_is_a_chinese_error(client, tree, stats, month):
    login(client, tree.district)
    response = client.get(reverse(URL), {"month": month})
    assert response.status_code == 400 and report.ERR_MONTH in response.content.decode()


def test_oldest_of_the_six_months_is_allowed(client, tree):
    login(client, tree.district)
    assert client.get(reverse(URL), {"month": "2025-10"}).status_code == 200


def test_scope(client, tree, stats):
    login(client, tree.city_b)
    for org in (tree.district, tree.city_a, tree.province):
        assert client.get(reverse(URL), {"org": org.pk}).status_code == 404
    login(client, tree.committee)
    assert client.get(reverse(URL), {"org": tree.district.pk}).status_code == 404  # a parent is not in scope
    assert client.get(reverse(URL), {"org": "abc"}).status_code == 404
    login(client, tree.city_a)
    assert client.get(reverse(URL), {"org": tree.district.pk, "month": "2026-03"}).status_code == 200


def test_report_reads_a_fixed_number_of_queries(tree, stats):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            data = report.monthly_report(org=tree.district, month=MARCH)
            assert data.ready
        return len(ctx)

    few = count()
    for i in range(5):
        _stat(make_child(tree.district, OrgType.COMMITTEE, f"新公司{i}"), members=i)
    assert count() == few == 3
    assert len(report.monthly_report(org=tree.district, month=MARCH).children) == 6


def test_svg_helpers():
    svg = charts_svg.pie([("本科", 3), ("硕士", 1), ("零", 0)], title="学历")
    assert svg.startswith("<svg") and svg.count("<path") == 2 and "本科：3（75.0%）" in svg and "零" not in svg
    assert charts_svg.COLOURS[0] in svg and charts_svg.COLOURS[1] in svg
    assert "<circle" in charts_svg.pie([("全部", 5)])
    assert charts_svg.EMPTY_TEXT in charts_svg.pie([])
    bars = charts_svg.hbar([("甲<script>", 10), ("乙", 5)])
    assert bars.count("<rect") == 2 and "<script>" not in bars and "甲&lt;script&gt;" in bars


def test_a_branch_report_reads_its_own_distributions_live(client, tree):
    """The refresh keeps no 分类统计 rows for a branch: its report counts its members as the page does."""
    from ..factories import make_member

    for name in ("张一", "张二"):
        make_member(tree.branch, name=name)  # 本科, 2000元以下
    _stat(tree.branch, orgs=1, branches=1, members=2)
    assert not CategoryStat.objects.filter(org=tree.branch).exists()
    login(client, tree.branch)
    body = text(client.get(reverse(URL), {"month": "2026-03"}).content)
    assert "本科：2" in body and "2000元以下：2" in body
