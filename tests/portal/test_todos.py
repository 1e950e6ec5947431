"""To-dos on the cadre end: each declares its mobile target (or that it is not shown there), and
the cadre home links only to the cadre end."""

from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from portal import registry
from portal.actors import actor_for_user
from portal.models import User

from ..factories import actor_of, make_member
from ..services.cadres.cadre_end import cadre_login

pytestmark = pytest.mark.django_db


def test_every_registered_todo_declares_its_mobile_target():
    todos = registry.registered_todos()
    assert {"messaging.unread", "cadres.no_operator", "members.review", "members.requests"} <= {t.key for t in todos}
    undeclared = [t.key for t in todos if t.mobile_url is registry._UNDECLARED]
    assert undeclared == [], "a to-do must give mobile_url= (a /m/cadre/ link) or NOT_ON_MOBILE"


def test_every_mobile_target_of_an_operator_is_a_cadre_end_page(client, tree):
    post = cadre_login(client, tree.branch, operator=True)
    actor = actor_for_user(User.objects.get(cadre_person__posts=post))
    assert actor.kind == "operator" and actor.org == tree.branch
    targets = [t for t in registry.registered_todos() if t.on_mobile]
    assert targets
    for todo in targets:
        url = todo.mobile_url(actor)
        assert url.startswith("/m/cadre/"), (todo.key, url)
        resolve(urlsplit(url).path)  # raises Resolver404 for a dead link
        assert client.get(url).status_code == 200, (todo.key, url)


def _everything_pending(tree):
    from services.messaging.services import notify

    make_member(tree.branch, approved=False)  # 团员报到审核
    notify(recipient=tree.branch, title="测试消息", body="请查看")  # 未读站内信


def test_the_cadre_home_shows_pending_to_dos_with_cadre_end_links_only(client, tree):
    _everything_pending(tree)
    cadre_login(client, tree.branch, operator=True)
    html = client.get(reverse("mobile:cadre_home")).content.decode()
    assert "团员报到审核" in html and "未读站内信" in html
    assert f'href="{reverse("members:cadre_review")}"' in html
    assert 'href="/manage/' not in html
    # the desktop home still links its own pages
    desktop = registry.todos_for(actor_of(tree.branch))
    assert {t["url"] for t in desktop if t["key"] == "members.review"} == {
        reverse("members:manage_list") + "?registration_status=1"}


def test_a_to_do_only_done_on_the_service_pages_is_not_shown_on_the_cadre_end(client, tree):
    registry.register_todo(registry.Todo(key="test.desktop_only", label="只能在电脑上办的事", count=lambda a: 5,
                                         url=lambda a: "/manage/somewhere/", mobile_url=registry.NOT_ON_MOBILE))
    registry.register_todo(registry.Todo(key="test.undeclared", label="没说手机上怎么办", count=lambda a: 5,
                                         url=lambda a: "/manage/elsewhere/"))
    try:
        cadre_login(client, tree.branch, operator=True)
        html = client.get(reverse("mobile:cadre_home")).content.decode()
        assert "只能在电脑上办的事" not in html and "没说手机上怎么办" not in html
        assert "只能在电脑上办的事" in [t["label"] for t in registry.todos_for(actor_of(tree.branch))]
    finally:
        registry._todos.pop("test.desktop_only")
        registry._todos.pop("test.undeclared")


def test_a_branch_operator_always_has_the_review_entry_an_ordinary_cadre_none(client, tree):
    cadre_login(client, tree.branch, operator=True)
    html = client.get(reverse("mobile:cadre_home")).content.decode()
    assert "待办事项" not in html  # nothing pending
    assert f'href="{reverse("members:cadre_review")}"' in html and "团员审核" in html
    assert 'href="/manage/' not in html
    client.logout()
    cadre_login(client, tree.branch, id_number="11010519491231002X", phone="13800138002")
    html = client.get(reverse("mobile:cadre_home")).content.decode()
    assert reverse("members:cadre_review") not in html
    assert f'href="{reverse("members:cadre_members")}"' in html and f'href="{reverse("cadres:m_org")}"' in html
    assert 'href="/manage/' not in html


def test_an_operator_of_a_committee_sees_no_review_entry_there_is_nothing_it_reviews(client, tree):
    # the committee reviews no 报到: its branches do (reference §1.2)
    cadre_login(client, tree.committee, operator=True)
    html = client.get(reverse("mobile:cadre_home")).content.decode()
    assert reverse("members:cadre_review") not in html and reverse("members:cadre_members") in html


@pytest.mark.django_db
def test_count_all_counts_each_queryset_as_count_does_in_one_statement(tree, branch2, django_assert_num_queries):
    """The home page's tiles are counted in one statement: plain filters, joins to drop, groups with
    HAVING, and querysets that can match nothing each give what ``.count()`` gives."""
    from django.db.models import Count

    from orgtree.models import Organization
    from services.members.models import Member

    for name in ("甲一", "甲二", "甲三"):
        make_member(tree.branch, name=name)
    make_member(branch2, name="乙")
    querysets = [
        Member.objects.filter(branch=tree.branch),
        Member.objects.select_related("branch").filter(name__startswith="甲").order_by("-id"),
        Member.objects.values("branch_id").annotate(n=Count("pk")).filter(n__gte=2),  # groups, not rows
        Member.objects.none(),
        Member.objects.filter(pk__in=[]),
        Organization.objects.filter(pk=tree.branch.pk),
    ]
    expected = [qs.count() for qs in querysets]
    assert expected == [3, 3, 1, 0, 0, 1]
    with django_assert_num_queries(1):
        assert registry.count_all(querysets) == expected
    assert registry.count_all([]) == []


def _direct(actor):
    """Each tile's count asked of the to-do itself, without the prepared statement."""
    counts = {}
    for todo in registry.registered_todos():
        if actor.kind in todo.kinds:
            pending = todo.count(actor)
            counts[todo.key] = pending.count() if hasattr(pending, "count") and not isinstance(pending, int) else pending
    return {key: n for key, n in counts.items() if n}


def test_the_prepared_tile_counts_are_each_orgs_own(tree, branch2, b_branch, django_assert_max_num_queries):
    """The tiles' statement is compiled once per actor kind and org type, then run for any org of that
    type: each org gets its own counts (a value compiled in as a constant would give one org another's)."""
    from tests.factories import make_operator

    for _ in range(2):
        make_member(tree.branch, approved=False)
    make_member(branch2, approved=False)
    make_operator(branch2)  # the one branch whose 未设置运营者 tile is gone
    make_member(b_branch)
    seen = set()
    orgs = (tree.branch, branch2, b_branch, tree.general, tree.committee, tree.province, tree.city_b)
    for org in orgs:  # the first of each type compiles
        registry.todos_for(actor_of(org))
    for org in orgs:
        actor = actor_of(org)
        with django_assert_max_num_queries(2):  # the statement, and the unread count asked of its to-do
            tiles = {t["key"]: t["count"] for t in registry.todos_for(actor)}
        assert tiles == _direct(actor_of(org)), org.full_name
        seen.add(tuple(sorted(tiles.items())))
    assert len(seen) >= 3  # the orgs differ, so a shared constant would have shown
    assert {t["key"]: t["count"] for t in registry.todos_for(actor_of(tree.branch))}["members.review"] == 2
    assert "members.review" in {t["key"] for t in registry.todos_for(actor_of(branch2))}
    assert "cadres.no_operator" not in {t["key"] for t in registry.todos_for(actor_of(branch2))}
