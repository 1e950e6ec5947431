"""Ordinary cadres view (manual: 普通团干仅具备查看权限，如团组织、团干、团员等信息) their working org's
subtree on the cadre end, read only, with masked IDs; operators of a branch also review."""

import pytest
from django.urls import reverse

from orgtree.rules import OrgType
from services.members.choices import RegistrationStatus
from services.members.models import Member
from services.members.views_mobile import ERR_VIEW_ONLY

from ...factories import make_child, make_member
from .cadre_end import cadre_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def sibling_branch(tree):
    committee = make_child(tree.b_district, OrgType.COMMITTEE, "另一公司")
    return make_child(committee, OrgType.BRANCH, "另一支部")


def test_an_ordinary_cadre_views_the_org_and_drills_down_within_the_subtree(client, tree, sibling_branch):
    cadre_login(client, tree.district, name="王志强")
    own = client.get(reverse("cadres:m_org")).content.decode()
    assert tree.district.full_name in own and tree.district.code in own
    assert f'href="{reverse("cadres:m_org", args=[tree.committee.pk])}"' in own  # a direct child
    assert "王志强" in own  # the org's cadres
    for org in (tree.committee, tree.general, tree.branch):
        page = client.get(reverse("cadres:m_org", args=[org.pk]))
        assert page.status_code == 200 and org.full_name in page.content.decode()
    deep = client.get(reverse("cadres:m_org", args=[tree.branch.pk])).content.decode()
    assert f'href="{reverse("cadres:m_org", args=[tree.district.pk])}"' in deep  # the trail back up
    # outside the working org's subtree: the sibling's, the parent's
    for org in (tree.b_district, sibling_branch, tree.city_a, tree.province):
        assert client.get(reverse("cadres:m_org", args=[org.pk])).status_code == 404
        assert client.get(reverse("cadres:m_cadres"), {"org": org.pk}).status_code == 404
        assert client.get(reverse("members:cadre_members"), {"org": org.pk}).status_code == 404


def test_an_ordinary_cadre_lists_and_opens_members_of_the_subtree_with_masked_ids(client, tree, sibling_branch):
    mine = make_member(tree.branch, name="李小明")
    other = make_member(sibling_branch, name="陈小红")
    cadre_login(client, tree.district)
    html = client.get(reverse("members:cadre_members")).content.decode()
    assert "李小明" in html and "陈小红" not in html
    html = client.get(reverse("members:cadre_members"), {"org": tree.branch.pk}).content.decode()
    assert "李小明" in html
    assert "李小明" in client.get(reverse("members:cadre_members"), {"name": "李小明"}).content.decode()
    detail = client.get(reverse("members:cadre_member", args=[mine.pk])).content.decode()
    assert mine.masked_id in detail and mine.id_number not in detail
    assert 'name="decision"' not in detail and "退回原因" not in detail
    assert client.get(reverse("members:cadre_member", args=[other.pk])).status_code == 404


def test_an_ordinary_cadre_cannot_review(client, tree):
    pending = make_member(tree.branch, approved=False)
    cadre_login(client, tree.branch)  # a cadre of the very branch, not its operator
    detail = client.get(reverse("members:cadre_member", args=[pending.pk])).content.decode()
    assert 'name="decision"' not in detail and "退回原因" not in detail
    response = client.post(reverse("members:cadre_member", args=[pending.pk]), {"decision": "approve"})
    assert response.status_code == 403 and ERR_VIEW_ONLY in response.content.decode()
    response = client.post(reverse("members:cadre_member", args=[pending.pk]), {"decision": "return", "reason": "不符"})
    assert response.status_code == 403
    assert Member.objects.get(pk=pending.pk).registration_status == RegistrationStatus.PENDING
    review = client.get(reverse("members:cadre_review"))
    assert review.status_code == 403 and ERR_VIEW_ONLY in review.content.decode()


def test_the_branch_operator_reviews_on_the_cadre_end_and_sees_the_full_id(client, tree):
    pending = make_member(tree.branch, approved=False)
    cadre_login(client, tree.branch, operator=True)
    listed = client.get(reverse("members:cadre_review")).content.decode()
    assert pending.name in listed
    detail = client.get(reverse("members:cadre_member", args=[pending.pk])).content.decode()
    assert pending.id_number in detail and 'name="decision"' in detail
    response = client.post(reverse("members:cadre_member", args=[pending.pk]), {"decision": "approve"})
    assert response["Location"] == reverse("members:cadre_review")
    assert Member.objects.get(pk=pending.pk).registration_status == RegistrationStatus.APPROVED


def test_the_cadre_list_of_one_org_is_read_only(client, tree):
    from .test_cadres import add_cadre

    add_cadre(tree.branch, id_number="11010519491231002X", name="李娜", phone="13800138002")
    cadre_login(client, tree.district, name="王志强")
    html = client.get(reverse("cadres:m_cadres"), {"org": tree.branch.pk}).content.decode()
    assert "李娜" in html and "王志强" not in html
    assert "/manage/" not in html
