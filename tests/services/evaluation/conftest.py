import pytest

from orgtree.rules import OrgType

from ...factories import make_child


@pytest.fixture
def branch2(tree):
    return make_child(tree.general, OrgType.BRANCH, "研发二部")


@pytest.fixture
def b_branch(tree):
    committee = make_child(tree.b_district, OrgType.COMMITTEE, "深圳某公司")
    return make_child(committee, OrgType.BRANCH, "深圳一部")
