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


@pytest.fixture
def branch2(tree):
    """A second branch under the same general branch as ``tree.branch``."""
    return make_child(tree.general, OrgType.BRANCH, "研发二部")


@pytest.fixture
def b_branch(tree):
    """A branch of the sibling subtree (深圳市 › 南山区 › 深圳某公司 › 深圳一部), for scope boundaries."""
    committee = make_child(tree.b_district, OrgType.COMMITTEE, "深圳某公司")
    return make_child(committee, OrgType.BRANCH, "深圳一部")


@pytest.fixture(scope="session")
def _fake_wechat_server():
    from .fake_wechat import FakeWeChat

    server = FakeWeChat().start()
    yield server
    server.stop()


@pytest.fixture
def fake_wechat(_fake_wechat_server, settings):
    """WeChat credentials on, every wechatpy client pointed at the fake server on 127.0.0.1."""
    from django.core.cache import cache

    _fake_wechat_server.reset()
    settings.WECHAT = _fake_wechat_server.settings
    cache.clear()  # access tokens live in the cache
    yield _fake_wechat_server
    cache.clear()
