import pytest

from orgtree.rules import OrgType

from .factories import make_child, make_root


@pytest.fixture
def tree(db):
    """province → city(A, B) → district under A → committee → general branch → branch.

    city_b is the sibling used for scope boundaries.
    """
    province = make_root()
    city_a = make_child(province, OrgType.LEADING, "广州市")
    city_b = make_child(province, OrgType.LEADING, "深圳市")
    district = make_child(city_a, OrgType.LEADING, "天河区")
    committee = make_child(district, OrgType.COMMITTEE, "某公司")
    general = make_child(committee, OrgType.GENERAL_BRANCH, "研发中心")
    branch = make_child(general, OrgType.BRANCH, "研发一部")
    b_district = make_child(city_b, OrgType.LEADING, "南山区")
    return type("Tree", (), dict(province=province, city_a=city_a, city_b=city_b, district=district,
                                 committee=committee, general=general, branch=branch, b_district=b_district))
