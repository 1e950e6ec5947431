"""A publicity editor publishes a 本地 article in the CMS; a member of a branch below sees it on /m/."""

import re

import pytest
from django.test import Client

from home_articles.models import ArticleKind, HomeArticle
from orgtree.rules import OrgType
from portal.models import AuditLog, User

from ..factories import make_child, make_root
from ..home_articles.conftest import PASSWORD, make_editor, make_member

TITLE = "广州青年志愿服务周启动"


def _path(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_publishes_a_local_article_that_a_member_below_sees(page, live_server, browser):
    base = live_server.url
    province = make_root()
    city = make_child(province, OrgType.LEADING, "广州市")
    other_city = make_child(province, OrgType.LEADING, "深圳市")
    district = make_child(city, OrgType.LEADING, "天河区")
    branch = make_child(make_child(district, OrgType.COMMITTEE, "某公司"), OrgType.BRANCH, "研发一部")
    other_branch = make_child(make_child(other_city, OrgType.COMMITTEE, "南山公司"), OrgType.BRANCH, "南山一部")
    editor = make_editor(city, "xc_gz")

    # The editor logs into the CMS (in Chinese) and adds a 本地 article.
    page.goto(f"{base}/cms/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert _path(page) == "/cms/", page.content()[:500]
    page.goto(f"{base}/cms/snippets/home_articles/homearticle/add/")
    assert "首页文章" in page.content()
    # Only 本地 is offered to a city's editor.
    assert page.locator("#id_kind option").all_inner_texts() == ["本地"]
    page.fill("#id_title", TITLE)
    page.fill("#id_link_url", "https://www.gdzyz.cn/")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").first.click()
    assert _path(page) == "/cms/snippets/home_articles/homearticle/", page.content()[:1000]
    assert TITLE in page.locator("table.listing").inner_text()

    article = HomeArticle.objects.get(title=TITLE)
    assert article.publisher == city and article.kind == ArticleKind.LOCAL and article.live
    assert AuditLog.objects.filter(action="home_article.create", object_id=str(article.pk),
                                   organization=city).exists()

    def member_page(org, username):
        member = make_member(org, username)
        client = Client()
        client.force_login(member, backend="portal.backends.WeChatBackend")
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
        return context, context.new_page()

    # A member of a branch below the city sees it on the home feed…
    context, mobile = member_page(branch, "m1")
    mobile.goto(f"{base}/m/")
    feed = mobile.locator("#feed-items")
    assert TITLE in feed.inner_text()
    assert mobile.get_by_role("link", name=re.compile(TITLE)).get_attribute("href") == "https://www.gdzyz.cn/"
    context.close()
    # …a member in another city does not.
    context, mobile = member_page(other_branch, "m2")
    mobile.goto(f"{base}/m/")
    assert TITLE not in mobile.locator("#home-feed").inner_text()
    context.close()
    assert User.objects.filter(kind=User.Kind.MEMBER).count() == 2
