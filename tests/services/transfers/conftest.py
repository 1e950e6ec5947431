from types import SimpleNamespace

import pytest

from orgtree.rules import OrgType

from ...factories import make_child, make_member, make_root


@pytest.fixture
def w(db):
    """A province with branches in several shapes::

        团省委 ─┬─ 广州市 ─┬─ 天河区 ─┬─ 甲公司团委 ─┬─ 甲一支部 (from)   ─ member
                │          │          │              └─ 甲二支部 (same parent as 甲一)
                │          │          └─ 乙公司团委 ── 乙一支部 (same district)
                │          └─ 越秀区 ── 丙公司团委 ── 丙一支部 (same city, another district)
                └─ 深圳市 ── 南山区 ── 丁公司团委 ── 丁一支部 (another city)
    """
    s = SimpleNamespace()
    s.province = make_root()
    s.gz = make_child(s.province, OrgType.LEADING, "广州市")
    s.tianhe = make_child(s.gz, OrgType.LEADING, "天河区")
    s.yuexiu = make_child(s.gz, OrgType.LEADING, "越秀区")
    s.sz = make_child(s.province, OrgType.LEADING, "深圳市")
    s.nanshan = make_child(s.sz, OrgType.LEADING, "南山区")
    s.p_jia = make_child(s.tianhe, OrgType.COMMITTEE, "甲公司")
    s.p_yi = make_child(s.tianhe, OrgType.COMMITTEE, "乙公司")
    s.p_bing = make_child(s.yuexiu, OrgType.COMMITTEE, "丙公司")
    s.p_ding = make_child(s.nanshan, OrgType.COMMITTEE, "丁公司")
    s.jia1 = make_child(s.p_jia, OrgType.BRANCH, "甲一支部")
    s.jia2 = make_child(s.p_jia, OrgType.BRANCH, "甲二支部")
    s.yi1 = make_child(s.p_yi, OrgType.BRANCH, "乙一支部")
    s.bing1 = make_child(s.p_bing, OrgType.BRANCH, "丙一支部")
    s.ding1 = make_child(s.p_ding, OrgType.BRANCH, "丁一支部")
    s.member = make_member(s.jia1, name="张转接")
    return s


def application(target, **extra):
    data = {"transfer_type": 1, "target": target.code, "destination": "广州某科技有限公司", "reason": 1}
    data.update(extra)
    return data


@pytest.fixture
def member_actor():
    from portal.actors import actor_for_user

    def make(member):
        member.refresh_from_db()
        return actor_for_user(member.user)
    return make


def pks(rows):
    """The ids of a list's rows, in order."""
    return [r.pk for r in rows]
