"""Menus and pages follow the org type: a 团支部 is a leaf and never sees what it can never use."""

import pytest
from django.urls import reverse

from orgtree.capabilities import REASONS, SUBORDINATES
from portal import registry

from ..factories import actor_of, login

pytestmark = pytest.mark.django_db

SUBORDINATE_PAGES = ["orgtree:list", "orgtree:create", "orgtree:move", "cadres:below", "members:request_list"]
SUBORDINATE_LABELS = ["直接下级组织", "组织迁移", "所有下级团干", "团籍变更/删除审核"]


def _menu_labels(actor):
    return {item.label for _, items in registry.menu_for(actor) for item in items}


def test_a_branch_menu_hides_what_a_leaf_can_never_use(tree):
    labels = _menu_labels(actor_of(tree.branch))
    assert not labels & set(SUBORDINATE_LABELS)
    assert {"查看组织树", "组织资料", "我的团员", "团员报到二维码", "本组织团干"} <= labels


@pytest.mark.parametrize("org", ["general", "committee", "district", "province"])
def test_orgs_with_subordinates_see_them(tree, org):
    labels = _menu_labels(actor_of(getattr(tree, org)))
    assert set(SUBORDINATE_LABELS) <= labels
    assert "团员报到二维码" not in labels  # only a branch has members registering to it


@pytest.mark.parametrize("url_name", SUBORDINATE_PAGES)
def test_a_branch_is_refused_the_pages_with_the_reason_in_chinese(client, tree, url_name):
    login(client, tree.branch)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert REASONS[SUBORDINATES] in response.content.decode()
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse(url_name)}"' not in home


@pytest.mark.parametrize("url_name", SUBORDINATE_PAGES)
def test_a_general_branch_uses_them(client, tree, url_name):
    login(client, tree.general)
    assert client.get(reverse(url_name)).status_code == 200
