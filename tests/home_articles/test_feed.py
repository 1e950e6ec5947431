"""The member feed: 精华 + 本地 of the branch's ancestors, nothing from sibling subtrees, cached per branch."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from home_articles.models import ArticleKind, LocalPublishingRight
from home_articles.permissions import editor_actor
from home_articles.feed import render_member_feed
from home_articles.selectors import feed_page
from home_articles.services import article_delete, article_snapshot, article_update
from orgtree.rules import OrgType
from pages.models import ServiceLink

from ..factories import make_child
from .conftest import make_member, publish

pytestmark = pytest.mark.django_db


def titles(feed):
    return [item["title"] for item in feed["items"]]


def member_feed(*, branch, tab="all", page=1):
    """The feed's data (uncached): what the rules decide."""
    return feed_page(branch=branch, tab=tab, page=page)


def shown(branch, **kwargs):
    """The feed section as members get it (cached HTML)."""
    return str(render_member_feed(branch=branch, **kwargs))


@pytest.fixture
def articles(tree, editors):
    """Articles all over the tree; the member's branch is under city_a › district › … ."""
    LocalPublishingRight.objects.create(organization=tree.district, allowed=True)
    LocalPublishingRight.objects.create(organization=tree.b_district, allowed=True)
    from .conftest import make_editor

    b_editor = make_editor(tree.b_district, "xc_b_district")
    now = timezone.now()
    return {
        "featured": publish(editors.province, "全省精华", kind=ArticleKind.FEATURED,
                            published_at=now - datetime.timedelta(hours=5)),
        "province_local": publish(editors.province, "省委本地", published_at=now - datetime.timedelta(hours=4)),
        "city_a": publish(editors.city_a, "广州本地", published_at=now - datetime.timedelta(hours=3)),
        "district": publish(editors.district, "天河本地", published_at=now - datetime.timedelta(hours=2)),
        "city_b": publish(editors.city_b, "深圳本地", published_at=now - datetime.timedelta(hours=1)),
        "b_district": publish(b_editor, "南山本地", published_at=now),
    }


def test_member_sees_featured_and_its_ancestors_local_articles_only(client, tree, articles, django_capture_on_commit_callbacks):
    member = make_member(tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    response = client.get(reverse("mobile:member_home"))
    assert response.status_code == 200
    html = response.content.decode()
    for visible in ("全省精华", "省委本地", "广州本地", "天河本地"):
        assert visible in html
    for hidden in ("深圳本地", "南山本地"):
        assert hidden not in html
    # Exactly that set, newest first.
    assert titles(member_feed(branch=tree.branch)) == ["天河本地", "广州本地", "省委本地", "全省精华"]
    assert titles(member_feed(branch=tree.branch, tab="featured")) == ["全省精华"]
    # A member in the sibling subtree sees 精华 and its own ancestors' articles instead.
    b_branch = make_child(make_child(tree.b_district, OrgType.COMMITTEE, "南山某公司"), OrgType.BRANCH, "南山支部")
    assert titles(member_feed(branch=b_branch)) == ["南山本地", "深圳本地", "省委本地", "全省精华"]


def test_pinned_first_then_newest_and_scheduled_articles_wait(tree, editors, articles):
    later = publish(editors.city_a, "明天发布", published_at=timezone.now() + datetime.timedelta(days=1))
    pinned = articles["featured"]
    before = article_snapshot(pinned)
    pinned.pinned = True
    article_update(actor=editor_actor(editors.province), article=pinned, before=before)
    feed = titles(member_feed(branch=tree.branch))
    assert feed[0] == "全省精华"
    assert "明天发布" not in feed and "明天发布" not in shown(tree.branch)
    # Once due, it shows although nothing was written in between (the cached section expires then).
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later.published_at + datetime.timedelta(seconds=1)):
        assert titles(member_feed(branch=tree.branch))[:2] == ["全省精华", "明天发布"]
        assert "明天发布" in shown(tree.branch)


def test_unpublish_removes_the_article_from_the_cached_feed_at_once(tree, editors, articles,
                                                                    django_capture_on_commit_callbacks):
    assert "广州本地" in shown(tree.branch)
    # The second read is served from the cache: no query at all.
    with CaptureQueriesContext(connection) as queries:
        assert "广州本地" in shown(tree.branch)
    assert len(queries) == 0
    article = articles["city_a"]
    before = article_snapshot(article)
    article.live = False
    with django_capture_on_commit_callbacks(execute=True):
        article_update(actor=editor_actor(editors.city_a), article=article, before=before)
    assert "广州本地" not in shown(tree.branch)
    # Deleting works the same way.
    with django_capture_on_commit_callbacks(execute=True):
        article_delete(actor=editor_actor(editors.district), article=articles["district"])
    assert "天河本地" not in shown(tree.branch)


def test_unpublish_through_the_cms_reaches_the_member_home(client, tree, editors, articles,
                                                           django_capture_on_commit_callbacks):
    member = make_member(tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    assert "广州本地" in client.get(reverse("mobile:member_home")).content.decode()
    editor = client.__class__()
    editor.force_login(editors.city_a)
    article = articles["city_a"]
    edit = reverse("wagtailsnippets_home_articles_homearticle:edit", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(edit, {"kind": "2", "title": article.title, "link_url": article.link_url,
                                      "published_at": timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M:%S")})
    assert response.status_code == 302
    assert "广州本地" not in client.get(reverse("mobile:member_home")).content.decode()


def test_feed_pages_and_service_links(client, tree, editors, django_capture_on_commit_callbacks):
    now = timezone.now()
    for i in range(23):
        publish(editors.city_a, f"文章{i:02d}", published_at=now - datetime.timedelta(minutes=i))
    first = member_feed(branch=tree.branch)
    assert len(first["items"]) == 10 and first["has_next"] and not first["has_previous"]
    third = member_feed(branch=tree.branch, page=3)
    assert titles(third) == ["文章20", "文章21", "文章22"] and not third["has_next"]
    links = shown(tree.branch)
    assert links.index("i志愿") < links.index("12355青年之声") < links.index("易展翅")
    with django_capture_on_commit_callbacks(execute=True):
        ServiceLink.objects.create(title="青年大学习", url="https://www.12355.net/study", sort_order=9)
    assert "青年大学习" in shown(tree.branch)
    member = make_member(tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    html = client.get(reverse("mobile:member_home"), {"page": "2"}).content.decode()
    assert "文章10" in html and "文章09" not in html and "其他服务" in html and "易展翅" in html


def test_feed_is_one_query_on_a_cache_miss(tree, articles):
    shown(tree.b_district)  # caches the links and the (global) next scheduled article
    with CaptureQueriesContext(connection) as queries:
        shown(tree.branch)
    assert len(queries) == 1 and "home_articles_homearticle" in queries[0]["sql"]


def test_feed_fragment_endpoint_is_for_members_only(client, tree, articles):
    url = reverse("pages:member_feed")
    assert client.get(url)["Location"].startswith(reverse("mobile:member_login"))
    member = make_member(tree.branch)
    client.force_login(member, backend="portal.backends.WeChatBackend")
    html = client.get(url, {"tab": "local"}).content.decode()
    assert "广州本地" in html and "全省精华" not in html and "深圳本地" not in html


def test_an_article_linking_to_an_internal_page_opens_it_at_the_member_end(tree, editors):
    from pages.models import AnnouncementIndexPage, AnnouncementPage

    index = AnnouncementIndexPage.objects.get()
    notice = AnnouncementPage(title="站内公告", body="<p>正文</p>")
    index.add_child(instance=notice)
    publish(editors.city_a, "请阅读站内公告", link_url="", link_page=notice)
    item = member_feed(branch=tree.branch)["items"][0]
    assert item["title"] == "请阅读站内公告"
    assert item["url"] == reverse("pages:member_announcement", args=[notice.pk])


def test_cover_image_is_shown_as_a_rendition(tree, editors):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from home_articles.images import org_collection

    image = get_image_model().objects.create(title="封面", file=get_test_image_file(size=(740, 330)),
                                             collection=org_collection(editors.city_a.organization))
    publish(editors.city_a, "有封面的文章", cover=image)
    item = member_feed(branch=tree.branch)["items"][0]
    assert item["title"] == "有封面的文章" and "fill-370x165" in item["cover_url"]
