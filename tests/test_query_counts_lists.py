"""N+1 guards for the list pages tests/test_query_counts.py does not cover (issue 16 item 5): each page
makes the same number of queries for one row as for a full page, on every end."""

import pytest
from django.urls import reverse
from django.utils import timezone

from orgtree.rules import OrgType
from portal.models import User
from services.members.choices import LeagueStatus, RequestKind
from services.members.models import Member
from services.messaging.services import notify

from .factories import actor_of, login, login_person, make_cadre, make_child, make_member, make_person
from .test_query_counts import FULL, _same_for_one_and_many

pytestmark = pytest.mark.django_db


def test_members_left_and_aged_out_lists(client, tree):
    login(client, tree.general)
    branch2 = make_child(tree.general, OrgType.BRANCH, "研发二部")
    n = iter(range(1000))

    def leave(status):
        def add(k):
            for _ in range(k):
                member = make_member(tree.branch if next(n) % 2 else branch2)
                Member.objects.filter(pk=member.pk).update(league_status=status, left_on=timezone.localdate())
        return add

    _same_for_one_and_many(client, reverse("members:aged_out"), leave(LeagueStatus.AGED_OUT))
    _same_for_one_and_many(client, reverse("members:left"), leave(LeagueStatus.RESIGNED))


def test_status_requests_awaiting_the_parent(client, tree):
    from services.members import status

    from .factories import png_upload

    login(client, tree.general)  # the branch's direct parent reviews

    def add(k):
        for _ in range(k):
            member = make_member(tree.branch)
            status.status_apply(actor=actor_of(tree.branch), member=member, kind=RequestKind.RESIGNED,
                                description="本人因工作变动申请自愿退团，已经支部大会讨论通过，支部委员会同意，特此申请。",
                                files=[png_upload()])

    _same_for_one_and_many(client, reverse("members:request_list"), add)


def test_cadres_below_and_the_cadre_end_searches(client, tree):
    n = iter(range(1000))

    def add(k):
        for _ in range(k):
            i = next(n)
            org = tree.branch if i % 2 else tree.general
            make_cadre(org, name="王志强", title="组织委员")

    login(client, tree.district)
    _same_for_one_and_many(client, reverse("cadres:below"), add)
    reader = make_cadre(tree.district, name="李读者", title="书记", join=True)
    login_person(client, reader.person.user)
    extra = iter(range(1000))

    def more(k):
        for _ in range(k):
            next(extra)
            make_cadre(tree.branch, name="王志强", title="组织委员")

    _same_for_one_and_many(client, reverse("cadres:m_directory") + "?q=王志强", more)
    _same_for_one_and_many(client, reverse("cadres:m_cadres") + "?q=王志强", more)


def test_message_lists_of_the_mobile_ends_and_broadcasts(client, tree):
    member = make_member(tree.branch)
    login_person(client, member.user)

    def to_member(k):
        for i in range(k):
            notify(recipient=member.user, title=f"通知{i}", body="内容", link="/m/profile/")

    _same_for_one_and_many(client, reverse("messaging:member_list"), to_member)
    cadre = make_person(User.Kind.CADRE, tree.district)
    login_person(client, cadre)

    def to_cadre(k):
        for i in range(k):
            notify(recipient=cadre, title=f"通知{i}", body="内容")

    _same_for_one_and_many(client, reverse("messaging:cadre_list"), to_cadre)


def test_home_article_list(client, tree):
    from home_articles import services as article_services
    from home_articles.models import ArticleKind, HomeArticle

    login(client, tree.city_a)
    n = iter(range(1000))

    def add(k):
        for _ in range(k):
            article_services.article_create(actor=actor_of(tree.city_a), article=HomeArticle(
                title=f"青年活动{next(n)}", link_url="https://www.12355.net/a", kind=ArticleKind.LOCAL))

    _same_for_one_and_many(client, reverse("home_articles:manage_list"), add)


def test_tree_children_and_search(client, tree):
    login(client, tree.committee)
    n = iter(range(1000))

    def add(k):
        for _ in range(k):
            make_child(tree.committee, OrgType.BRANCH, f"测试支部{next(n)}")

    _same_for_one_and_many(client, reverse("orgtree:tree_children") + f"?node={tree.committee.pk}", add)
    _same_for_one_and_many(client, reverse("orgtree:tree_search") + "?q=测试支部", add)
    assert FULL > 2
