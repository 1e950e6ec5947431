import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgtree.rules import OrgType
from portal.actors import actor_for_user

from ...factories import make_child

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def png(name="proof.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def member_actor(member):
    member.refresh_from_db()
    return actor_for_user(member.user)


@pytest.fixture
def branch2(tree):
    return make_child(tree.general, OrgType.BRANCH, "研发二部")


@pytest.fixture
def b_branch(tree):
    """A branch of the sibling subtree (深圳市)."""
    committee = make_child(tree.b_district, OrgType.COMMITTEE, "深圳某公司")
    return make_child(committee, OrgType.BRANCH, "深圳一部")
