
import pytest


from ...factories import actor_of, make_id_number, make_member, member_data  # noqa: F401 - used by the tests

@pytest.fixture
def branch2(tree):
    """A sibling branch under the same general branch."""
    from orgtree.rules import OrgType

    from ...factories import make_child

    return make_child(tree.general, OrgType.BRANCH, "研发二部")
