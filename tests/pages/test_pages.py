"""The page tree, announcements on the service-page home, and help at the three ends."""

import datetime

import pytest
from django.urls import reverse
from wagtail.models import Page, Site

from pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    Audience,
    HelpArticlePage,
    HelpCenterPage,
    HomePage,
    TipsPage,
)
from portal.models import User

from ..factories import login

pytestmark = pytest.mark.django_db


def add_announcement(title, date, live=True):
    index = AnnouncementIndexPage.objects.get()
    page = AnnouncementPage(title=title, date=date, body="<p>公告正文</p>")
    index.add_child(instance=page)
    if live:
        page.save_revision().publish()
    else:
        page.live = False
        page.save()
    return page


def member_client(client, org, kind=User.Kind.MEMBER, username="m1"):
    user = User.objects.create(username=username, kind=kind, organization=org, first_name="张三")
    client.force_login(user, backend="portal.backends.WeChatBackend")
    return user


def test_the_migration_puts_the_portal_tree_under_the_default_site():
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert not Page.objects.filter(depth=2, slug="home").exists()  # Wagtail's welcome page is gone
    assert AnnouncementIndexPage.objects.child_of(home).live().count() == 1
    center = HelpCenterPage.objects.child_of(home).live().get()
    assert TipsPage.objects.child_of(center).live().get().title == "团务小常识"


def test_service_page_home_shows_the_latest_six_announcements_with_more(client, tree):
    for day in range(1, 8):
        add_announcement(f"公告{day}号", datetime.date(2024, 5, day))
    add_announcement("未发布的公告", datetime.date(2024, 6, 1), live=False)
    login(client, tree.city_a)
    html = client.get(reverse("portal:home")).content.decode()
    box = html[html.index('id="announcements"'):]
    for day in range(2, 8):
        assert f"公告{day}号" in box
    assert "公告1号" not in box and "未发布的公告" not in box
    assert box.index("公告7号") < box.index("公告2号")  # newest first
    assert reverse("pages:manage_announcements") in box and "更多" in box
    listing = client.get(reverse("pages:manage_announcements")).content.decode()
    assert "公告1号" in listing and "未发布的公告" not in listing


def test_announcements_are_readable_at_every_end_and_unpublished_ones_are_404(client, tree):
    page = add_announcement("关于系统升级的通知", datetime.date(2024, 5, 1))
    draft = add_announcement("草稿公告", datetime.date(2024, 5, 2), live=False)
    login(client, tree.city_a)
    assert "关于系统升级的通知" in client.get(reverse("pages:manage_announcement", args=[page.pk])).content.decode()
    assert client.get(reverse("pages:manage_announcement", args=[draft.pk])).status_code == 404
    client.logout()
    member_client(client, tree.branch)
    assert "关于系统升级的通知" in client.get(reverse("pages:member_announcements")).content.decode()
    assert client.get(reverse("pages:member_announcement", args=[page.pk])).status_code == 200
    assert client.get(reverse("pages:member_announcement", args=[draft.pk])).status_code == 404
    client.logout()
    member_client(client, tree.committee, kind=User.Kind.CADRE, username="c1")
    assert client.get(reverse("pages:cadre_announcement", args=[page.pk])).status_code == 200


def test_each_end_reads_its_own_help(client, tree, content):
    org_article = HelpArticlePage.objects.filter(audience=Audience.ORG).first()
    cadre_article = HelpArticlePage.objects.filter(audience=Audience.CADRE).first()
    member_article = HelpArticlePage.objects.get(slug="member-registration")
    member_client(client, tree.branch)
    index = client.get(reverse("pages:member_help")).content.decode()
    assert "如何报到" in index and "团务小常识" in index and org_article.title not in index
    assert client.get(reverse("pages:member_help_article", args=[member_article.pk])).status_code == 200
    assert client.get(reverse("pages:member_help_article", args=[org_article.pk])).status_code == 404
    assert "团员年满二十八周岁" in client.get(reverse("pages:member_tips")).content.decode()
    client.logout()
    member_client(client, tree.committee, kind=User.Kind.CADRE, username="c1")
    assert cadre_article.title in client.get(reverse("pages:cadre_help")).content.decode()
    assert client.get(reverse("pages:cadre_help_article", args=[cadre_article.pk])).status_code == 200
    assert client.get(reverse("pages:cadre_help_article", args=[org_article.pk])).status_code == 404
    client.logout()
    login(client, tree.city_a)
    desktop = client.get(reverse("pages:manage_help")).content.decode()
    assert org_article.title in desktop and cadre_article.title in desktop and "如何报到" in desktop


def test_ends_are_closed_to_other_logins(client, tree):
    assert client.get(reverse("pages:member_help"))["Location"].startswith(reverse("mobile:member_login"))
    assert client.get(reverse("pages:cadre_help"))["Location"].startswith(reverse("mobile:cadre_login"))
    member_client(client, tree.branch)
    assert client.get(reverse("pages:cadre_help")).status_code == 403
    assert client.get(reverse("pages:manage_help")).status_code == 403
    client.logout()
    login(client, tree.city_a)
    assert client.get(reverse("pages:member_help")).status_code == 403


def test_content_editors_edit_help_pages_in_the_cms_in_chinese(client, tree, content):
    from django.contrib.auth.models import Group

    editor = User.objects.create(username="xc_help", kind=User.Kind.STAFF, organization=tree.province)
    editor.groups.add(Group.objects.get(name="公告与帮助编辑"))
    client.force_login(editor)
    center = HelpCenterPage.objects.get()
    response = client.get(reverse("wagtailadmin_pages:add", args=["pages", "helparticlepage", center.pk]))
    assert response.status_code == 200
    assert "面向对象" in response.content.decode() and "保存草稿" in response.content.decode()
    article = HelpArticlePage.objects.get(slug="member-profile")
    assert client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).status_code == 200
    # The group is one per role: it grants no home-article rights.
    assert client.get("/cms/snippets/home_articles/homearticle/").status_code in (302, 403)
