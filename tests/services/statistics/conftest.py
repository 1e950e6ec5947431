"""A small province with hand-counted figures (DESIGN §5 Statistics, reference §5.1).

甲 = 广州市 (city_a): 天河区 › 某公司 › 研发中心 › {研发一部 (2 members, no cadre: 空心, 无团干),
研发二部 (3 members + 1 pending registration)}, and 天河区 › 空壳公司 (a committee without
children: 空心团委). Cadre posts: 天河区 (not joined), 某公司 (joined 企业号). One member of
研发一部 has applied to transfer to 乙支部 (转出中). 乙 = 深圳市 › 南山区.
"""

from types import SimpleNamespace

import pytest

from orgtree.rules import Industry, OrgType
from services.statistics.definitions import recent_months
from services.statistics.models import Dimension

from ...factories import make_cadre, make_child, make_member
from .factories import make_category, make_run, make_stat


@pytest.fixture(autouse=True)
def _no_cached_refresh_time():
    """数据更新时间 is cached a minute; a test's rows must not meet another test's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def month():
    from django.utils import timezone

    return recent_months(timezone.localdate())[0]


@pytest.fixture
def province(tree, month):
    t = tree
    shell = make_child(t.district, OrgType.COMMITTEE, "空壳公司")
    branch2 = make_child(t.general, OrgType.BRANCH, "研发二部")
    leaving = [make_member(t.branch) for _ in range(2)][0]
    for _ in range(3):
        make_member(branch2)
    pending = make_member(branch2, approved=False)
    from services.transfers.start import transfer_apply

    target = make_child(t.b_district, OrgType.BRANCH, "乙支部")
    transfer_apply(member=leaving, data={"transfer_type": 1, "target": target.code, "destination": "深圳某公司",
                                         "reason": 1})  # pending at ① 转出团支部: 转出中 for 甲
    make_cadre(t.district, name="孙团干")
    make_cadre(t.committee, name="周团干", join=True)

    # hand-counted figures of each org (本级及所有下级); a leaf's flags are its own
    leaf_branch = dict(orgs=1, branches=1, empty_branches=1, cadreless_branches=1, members_registered=2, members=2,
                       out_pending=1)
    leaf_branch2 = dict(orgs=1, branches=1, members_registered=4, members=3)
    general = dict(orgs=3, branches=2, empty_branches=1, cadreless_branches=1, members_registered=6, members=5,
                   out_pending=1)
    committee = dict(general, orgs=4, cadres=1, cadres_joined=1)
    shell_row = dict(orgs=1, empty_committees=1)
    district = dict(orgs=6, branches=2, empty_committees=1, empty_branches=1, cadreless_branches=1,
                    members_registered=6, members=5, cadres=2, cadres_joined=1,
                    out_pending=1, respond_due_own=4, respond_timely_own=3, respond_due=4, respond_timely=3,
                    dues_billed=5, dues_paid=2, registration_members=5, registration_done=1)
    city_a = dict(district, orgs=7)
    figures = {t.city_a: city_a, t.district: district, t.committee: committee, t.general: general,
               t.branch: leaf_branch, branch2: leaf_branch2, shell: shell_row}
    stats = {org: make_stat(org, month, **f) for org, f in figures.items()}
    make_stat(t.city_b, month, orgs=2, empty_committees=1, members=7)
    make_stat(t.b_district, month, orgs=1, empty_committees=1)
    make_run(month)
    # 查看分类统计 of 广州市: every org of the factory is in 其他 (16) except the leading ones (未填写)
    for key, n in ((Industry.OTHER * 100 + OrgType.COMMITTEE, 2), (Industry.OTHER * 100 + OrgType.GENERAL_BRANCH, 1),
                   (Industry.OTHER * 100 + OrgType.BRANCH, 2)):
        make_category(t.city_a, month, Dimension.ORGS, key, n)
    make_category(t.city_a, month, Dimension.MEMBERS, Industry.OTHER * 100, 5)
    make_category(t.city_a, month, Dimension.CADRES, Industry.OTHER * 100 + 2, 2)
    make_category(t.city_a, month, Dimension.EDUCATION, 4, 5)
    make_category(t.city_a, month, Dimension.INCOME, 1, 5)
    return SimpleNamespace(tree=t, shell=shell, branch2=branch2, pending=pending, stats=stats, figures=figures,
                           month=month)
