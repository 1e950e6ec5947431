"""The CMS is Chinese throughout for its users (issue 10 item 12): the site is 智慧团建, not "Wagtail", and
the login, the dashboard and the listings show no English. Each English string had its own cause; the
checks below name them."""

import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import make_cms_editor
from tests.home_articles.conftest import publish

pytestmark = pytest.mark.django_db

ENGLISH = re.compile(r"[A-Za-z]{3,}")
#: Visible text that is not English prose: file formats and sizes, the sites linked from 其他服务.
ALLOWED = re.compile(r"AVIF|GIF|JPE?G|PNG|WEBP|MB|https?://\S+|JavaScript")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-w-tooltip-content-value")


class VisibleText(HTMLParser):
    """What a user reads or hears: text outside scripts, labelling attributes, button values and the
    sidebar's menu labels (JSON rendered by the sidebar script)."""

    def __init__(self):
        super().__init__()
        self.depth, self.json, self.texts = 0, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.depth += 1
            self.json = attrs.get("type") == "application/json"
        self.texts += [v for k, v in attrs.items() if k in ATTRIBUTES and v]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.depth -= 1
            self.json = False

    def handle_data(self, data):
        if self.json:
            self.texts += re.findall(r'"label": "((?:[^"\\]|\\.)*)"', json.dumps(json.loads(data), ensure_ascii=False))
        elif not self.depth and data.strip():
            self.texts.append(data.strip())


def english_in(html):
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.texts:
        if ENGLISH.search(ALLOWED.sub("", text)):
            found.append(text)
    return found


@pytest.fixture
def editor(tree):
    user = make_cms_editor(tree.province, username="xc_gd", name="宣传干部")
    publish(user, "全省青年活动")
    return user


def test_the_login_page_is_the_sites_in_chinese(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "<title>登录 - 智慧团建</title>" in html and "登录智慧团建内容管理" in html
    assert "Wagtail" not in " ".join(visible_text_of(html)), "the login still says Wagtail"
    assert english_in(html) == []


def visible_text_of(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


@pytest.mark.parametrize("url", [
    reverse("wagtailadmin_home"),
    reverse("wagtailsnippets_home_articles_homearticle:list"),
    reverse("wagtailsnippets_pages_servicelink:list"),
    reverse("wagtailimages:index"),
    reverse("wagtailadmin_account"),
])
def test_dashboard_and_listings_show_no_english(client, editor, url):
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<title>[^<]* - 智慧团建</title>", html)
    assert english_in(html) == [], url
    # The strings the issue named, each gone at its cause.
    for text in ("Images", "Pages", "Search all pages", "Page types usage", "editor guide", "Wagtail"):
        assert not any(text in t for t in visible_text_of(html)), text


def test_the_dashboard_counts_are_chinese_and_name_the_site(client, editor):
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "张图片" in html and "个页面" in html and "搜索所有页面…" in html
    assert "<h1 class=\"w-h1 w-mt-0\">智慧团建</h1>" in " ".join(html.split()).replace("> ", ">").replace(" <", "<")


def test_no_user_can_switch_the_cms_to_another_language_or_zone(client, editor):
    """Wagtail offers every language it ships and every time zone unless told otherwise."""
    from wagtail.admin.localization import get_available_admin_languages, get_available_admin_time_zones

    assert get_available_admin_languages() == [("zh-hans", "简体中文")]
    assert get_available_admin_time_zones() == ["Asia/Shanghai"]
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    assert "English" not in html and "Africa/Abidjan" not in html


def test_the_project_catalogue_is_committed_compiled_and_current():
    """locale/ fills the gaps of Wagtail's zh_Hans catalogue: the .po is what the script writes, the
    committed .mo holds every entry, and Django finds it first."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cms_catalogue", settings.BASE_DIR / "scripts" / "cms_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    for domain, entries in (("django", module.ENTRIES), ("djangojs", module.JS_ENTRIES)):
        assert (base / f"{domain}.po").read_text(encoding="utf-8") == module.render(entries)
        with open(base / f"{domain}.mo", "rb") as f:
            compiled = gettext.GNUTranslations(f)
        for msgid, plural, text in entries:
            got = compiled.ngettext(msgid, plural, 2) if plural else compiled.gettext(msgid)
            assert got == text, msgid
    with translation.override("zh-hans"):
        assert translation.gettext("Search all pages…") == "搜索所有页面…"


def test_the_admin_javascript_catalogue_includes_the_project_entries(client, editor):
    client.force_login(editor)
    js = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode("utf-8")
    assert "\\u6b63\\u5728\\u81ea\\u52a8\\u4fdd\\u5b58" in js or "正在自动保存" in js  # Autosave in progress…


def test_the_sidebar_offers_no_wagtail_guides_or_page_type_report(client, editor):
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    labels = visible_text_of(html)
    assert "快捷键" in labels
    assert not any("Wagtail" in t or "编辑指南" in t or "页面类型使用情况" in t for t in labels)


def test_the_page_editor_shows_no_english(client, content):
    """The 公告与帮助编辑's page editor: autosave, the checks panel and its accessibility rules (catalogue
    entries) and the default workflow's name (renamed by pages/migrations/0003)."""
    from pages.models import AnnouncementPage
    from portal.models import User

    client.force_login(User.objects.get(username="xc_gd"))
    announcement = AnnouncementPage.objects.first()
    for url in (reverse("wagtailadmin_pages:edit", args=[announcement.pk]),
                reverse("wagtailadmin_pages:add_subpage", args=[announcement.get_parent().pk])):
        response = client.get(url, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Moderators approval" not in html and "审核员审批" in html
        # The slug's help text carries an example address; the publish button's value is a code.
        found = [t for t in english_in(html) if "domain.com" not in t and t != "action-publish"]
        assert found == [], url


def test_the_cms_404_names_the_site(client, editor):
    client.force_login(editor)
    response = client.get("/cms/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "cms-404-brand" in html and english_in(html) == []


def test_a_stored_english_preference_is_cleared(editor):
    """Wagtail prefers a login's stored language over the site's; pages/migrations/0004 clears any other."""
    import importlib

    from django.apps import apps
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(editor)
    profile.preferred_language, profile.current_time_zone = "en", "Europe/London"
    profile.save()
    assert profile.get_preferred_language() == "en"
    importlib.import_module("pages.migrations.0004_admin_language_chinese").clear_other_preferences(apps, None)
    profile.refresh_from_db()
    assert profile.get_preferred_language() == "zh-hans" and profile.current_time_zone == ""
