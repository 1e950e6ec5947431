"""首页文章 on the service pages (/manage/, 其他功能): orgs with the right publish their own articles;
the provincial account grants the 本地 right and creates CMS logins bound to an org."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from home_articles import services
from home_articles.models import ArticleKind, HomeArticle, LocalPublishingRight
from home_articles.permissions import (
    EDITOR_GROUP,
    ERR_FEATURED,
    ERR_LOCAL,
    ERR_NOT_PROVINCIAL,
    can_publish_local,
)
from home_articles.selectors import feed_queryset
from home_articles.views_manage import ERR_NO_RIGHT
from portal.models import AuditLog, User
from tests.factories import actor_of, login, make_operator

pytestmark = pytest.mark.django_db

LIST = reverse("home_articles:manage_list")
RIGHTS = reverse("home_articles:rights")
ACCOUNTS = reverse("home_articles:cms_accounts")
NEW_ACCOUNT = reverse("home_articles:cms_account_create")


def new(kind):
    return reverse("home_articles:manage_create", args=[kind])


def edit(article):
    return reverse("home_articles:manage_edit", args=[article.pk])


def delete(article):
    return reverse("home_articles:manage_delete", args=[article.pk])


def data(**overrides):
    d = {"title": "广州志愿服务周", "link_url": "https://www.12355.net/v", "published_at": "2024-05-01T10:00",
         "live": "on"}
    d.update(overrides)
    return {k: v for k, v in d.items() if v is not None}


def publish_as(org, title="广州市青年活动", kind=ArticleKind.LOCAL, **fields):
    return services.article_create(actor=actor_of(org), article=HomeArticle(
        title=title, link_url="https://www.12355.net/a", kind=kind, **fields))


def png():
    buf = io.BytesIO()
    PILImage.new("RGB", (37, 17), "red").save(buf, "PNG")
    return SimpleUploadedFile("cover.png", buf.getvalue(), content_type="image/png")


def menu_labels(response):
    return [item.label for _, items in response.context["menu"] for item in items]


# --- 首页文章管理 ---------------------------------------------------------------------------------

def test_a_city_with_the_default_right_publishes_local_for_its_members_audited(client, tree):
    login(client, tree.city_a)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "首页文章管理" in menu_labels(response)
    assert "发布本地" in response.content.decode() and "发布精华" not in response.content.decode()
    response = client.post(new("local"), data(cover_file=png()))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = HomeArticle.objects.get(title="广州志愿服务周")
    assert article.publisher == tree.city_a and article.kind == ArticleKind.LOCAL and article.cover is not None
    assert list(feed_queryset(branch=tree.branch)) == [article]  # the city's members see it
    assert not feed_queryset(branch=tree.b_district).exists()  # the sibling city's do not
    log = AuditLog.objects.get(action="home_article.create", object_id=str(article.pk))
    assert log.actor_kind == "org_admin" and log.organization == tree.city_a


def test_only_the_provincial_account_publishes_featured(client, tree):
    login(client, tree.city_a)
    response = client.get(new("featured"))
    assert response.status_code == 403 and ERR_FEATURED in response.content.decode()
    assert client.post(new("featured"), data()).status_code == 403
    assert not HomeArticle.objects.exists()
    login(client, tree.province)
    assert client.post(new("featured"), data(title="全省精华")).status_code == 302
    assert HomeArticle.objects.get(title="全省精华").kind == ArticleKind.FEATURED


def test_an_operator_of_an_org_with_the_right_publishes_too(client, tree):
    operator = make_operator(tree.city_a)
    client.force_login(operator, backend="portal.backends.AccountBackend")
    assert client.post(new("local"), data()).status_code == 302
    log = AuditLog.objects.get(action="home_article.create")
    assert log.actor_kind == "operator" and log.user == operator


def test_an_org_without_the_right_is_refused_with_the_reason(client, tree):
    login(client, tree.district)
    response = client.get(LIST)
    assert response.status_code == 403 and ERR_NO_RIGHT in response.content.decode()
    response = client.get(new("local"))
    assert response.status_code == 403 and ERR_LOCAL in response.content.decode()
    assert client.post(new("local"), data()).status_code == 403
    assert not HomeArticle.objects.exists()
    assert "首页文章管理" not in menu_labels(client.get(reverse("orgtree:own")))


def test_a_sibling_org_gets_404_on_another_orgs_article(client, tree):
    article = publish_as(tree.city_a)
    login(client, tree.city_b)
    assert client.get(edit(article)).status_code == 404
    assert client.post(edit(article), data(title="被篡改")).status_code == 404
    assert client.get(delete(article)).status_code == 404
    assert client.post(delete(article)).status_code == 404
    assert "广州市青年活动" not in client.get(LIST).content.decode()
    article.refresh_from_db()
    assert article.title == "广州市青年活动"
    # The parent province does not manage its children's articles either: each org its own.
    login(client, tree.province)
    assert client.get(edit(article)).status_code == 404


def test_edit_saves_and_bad_input_leaves_the_article_unchanged(client, tree):
    article = publish_as(tree.city_a)
    login(client, tree.city_a)
    response = client.post(edit(article), data(title="改后的标题", link_url=""))
    assert response.status_code == 200 and "请填写外部链接或选择站内页面" in response.content.decode()
    response = client.post(edit(article), data(title="改后的标题", link_url="不是网址"))
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "广州市青年活动"
    assert client.post(edit(article), data(title="改后的标题", pinned="on")).status_code == 302
    article.refresh_from_db()
    assert article.title == "改后的标题" and article.pinned
    log = AuditLog.objects.get(action="home_article.update")
    assert log.after["标题"] == "改后的标题" and log.after["置顶"] is True and log.before["标题"] == "广州市青年活动"


def test_after_the_right_is_withdrawn_an_article_can_be_taken_down_not_republished(client, tree):
    article = publish_as(tree.city_a)
    services.local_right_set(actor=actor_of(tree.province), org=tree.city_a, allowed=False)
    login(client, tree.city_a)
    assert client.get(LIST).status_code == 200  # its own articles are still listed
    response = client.post(edit(article), data(title="新标题"))
    assert response.status_code == 200 and ERR_LOCAL in response.content.decode()
    article.refresh_from_db()
    assert article.title == "广州市青年活动" and article.live
    assert client.post(edit(article), data(live=None)).status_code == 302
    article.refresh_from_db()
    assert not article.live


def test_the_menu_entry_follows_a_withdrawn_and_granted_right_at_once(client, tree, django_capture_on_commit_callbacks):
    login(client, tree.city_a)
    assert "首页文章管理" in menu_labels(client.get(LIST))  # cached for the menu now
    with django_capture_on_commit_callbacks(execute=True):
        services.local_right_set(actor=actor_of(tree.province), org=tree.city_a, allowed=False)
    assert "首页文章管理" not in menu_labels(client.get(reverse("portal:home")))
    with django_capture_on_commit_callbacks(execute=True):
        services.local_right_set(actor=actor_of(tree.province), org=tree.city_a, allowed=True)
    assert "首页文章管理" in menu_labels(client.get(reverse("portal:home")))


def test_delete_removes_the_article_audited(client, tree):
    article = publish_as(tree.city_a)
    login(client, tree.city_a)
    assert client.get(delete(article)).status_code == 200
    assert client.post(delete(article)).status_code == 302
    assert not HomeArticle.objects.exists()
    assert AuditLog.objects.filter(action="home_article.delete", object_id=str(article.pk)).exists()


# --- 本地文章发布权限 ----------------------------------------------------------------------------------

def test_the_provincial_account_grants_and_withdraws_the_local_right_audited(client, tree):
    login(client, tree.province)
    response = client.get(RIGHTS)
    assert response.status_code == 200 and "本地文章发布权限" in menu_labels(response)
    assert tree.city_a.full_name in response.content.decode()  # a default holder is listed
    assert client.post(RIGHTS, {"org_code": tree.district.code, "note": "区级试点", "action": "grant"}).status_code == 302
    assert can_publish_local(tree.district)
    assert client.post(RIGHTS, {"org_code": tree.city_b.code, "action": "withdraw"}).status_code == 302
    assert not can_publish_local(tree.city_b)
    logs = AuditLog.objects.filter(action="home_article.right").order_by("id")
    assert [log.organization for log in logs] == [tree.district, tree.city_b]
    assert logs[1].after["可发布本地文章"] is False
    assert tree.district.full_name in client.get(RIGHTS).content.decode()


def test_bad_right_input_leaves_the_rights_unchanged(client, tree):
    login(client, tree.province)
    response = client.post(RIGHTS, {"org_code": "99999999", "action": "grant"})
    assert response.status_code == 200 and "未找到该组织ID对应的团组织" in response.content.decode()
    response = client.post(RIGHTS, {"org_code": tree.province.code, "action": "withdraw"})
    assert response.status_code == 200 and services.ERR_RIGHT_ROOT in response.content.decode()
    assert not LocalPublishingRight.objects.exists() and not AuditLog.objects.filter(action="home_article.right")


def test_a_non_provincial_org_is_refused_the_rights_and_cms_account_pages(client, tree):
    login(client, tree.city_a)
    for url in (RIGHTS, ACCOUNTS, NEW_ACCOUNT):
        response = client.get(url)
        assert response.status_code == 403 and ERR_NOT_PROVINCIAL in response.content.decode(), url
    assert client.post(RIGHTS, {"org_code": tree.district.code, "action": "grant"}).status_code == 403
    assert client.post(NEW_ACCOUNT, {"org_code": tree.city_a.code, "name": "王宣传", "username": "xc_self",
                                     "roles": [EDITOR_GROUP]}).status_code == 403
    assert not LocalPublishingRight.objects.exists() and not User.objects.filter(username="xc_self").exists()
    labels = menu_labels(client.get(LIST))
    assert "本地文章发布权限" not in labels and "CMS宣传干部账号" not in labels


# --- CMS宣传干部账号 ---------------------------------------------------------------------------------

def account_data(org, **overrides):
    d = {"org_code": org.code, "name": "王宣传", "username": "xc_guangzhou", "roles": [EDITOR_GROUP]}
    d.update(overrides)
    return d


def test_the_provincial_account_creates_a_cms_login_shown_once_which_must_change_it(client, tree):
    login(client, tree.province)
    response = client.post(NEW_ACCOUNT, account_data(tree.city_a))
    assert response.status_code == 302
    user = User.objects.get(username="xc_guangzhou")
    assert user.kind == User.Kind.STAFF and user.organization == tree.city_a and user.must_change_password
    assert list(user.groups.values_list("name", flat=True)) == [EDITOR_GROUP]
    page = client.get(response.url).content.decode()
    password = page.split('id="cred-password">')[1].split("<")[0]
    assert user.check_password(password) and len(password) >= 8
    assert password not in client.get(response.url).content.decode()  # shown once
    log = AuditLog.objects.get(action="cms_account.create")
    assert log.organization == tree.city_a and password not in str(log.after)
    assert "xc_guangzhou" in client.get(ACCOUNTS).content.decode()

    # The login signs in to the CMS, must first set its own password, then works for its org only.
    cms = client.__class__()
    response = cms.post(reverse("wagtailadmin_login"), {"username": "xc_guangzhou", "password": password})
    assert response.status_code == 302
    assert cms.get(reverse("wagtailadmin_home")).url == reverse("portal:password_change")
    response = cms.post(reverse("portal:password_change"), {
        "old_password": password, "new_password1": "Tuanjian8k2026", "new_password2": "Tuanjian8k2026"})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert cms.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.mark.parametrize("overrides, field_error", [
    ({"username": "1abc"}, services.ERR_USERNAME_FORMAT),
    ({"username": "xc guang"}, services.ERR_USERNAME_FORMAT),
    ({"roles": [services.CONTENT_GROUP]}, services.ERR_CONTENT_ROLE_PROVINCE),
    ({"org_code": "99999999"}, "未找到该组织ID对应的团组织"),
])
def test_bad_cms_login_input_creates_nothing(client, tree, overrides, field_error):
    login(client, tree.province)
    response = client.post(NEW_ACCOUNT, account_data(tree.city_a, **overrides))
    assert response.status_code == 200 and field_error in response.content.decode()
    assert not User.objects.filter(kind=User.Kind.STAFF).exists()
    assert not AuditLog.objects.filter(action="cms_account.create").exists()


def test_a_cms_login_needs_a_free_name_and_an_org_with_the_right(client, tree):
    login(client, tree.province)
    assert client.post(NEW_ACCOUNT, account_data(tree.city_a)).status_code == 302
    response = client.post(NEW_ACCOUNT, account_data(tree.city_b, username="XC_Guangzhou"))
    assert services.ERR_USERNAME_TAKEN in response.content.decode()
    response = client.post(NEW_ACCOUNT, account_data(tree.district, username="xc_tianhe"))
    assert services.ERR_ORG_NO_RIGHT in response.content.decode()
    response = client.post(NEW_ACCOUNT, account_data(tree.province, username="xc_gd",
                                                     roles=[EDITOR_GROUP, services.CONTENT_GROUP]))
    assert response.status_code == 302
    assert set(User.objects.get(username="xc_gd").groups.values_list("name", flat=True)) == {
        EDITOR_GROUP, services.CONTENT_GROUP}
    assert User.objects.filter(kind=User.Kind.STAFF).count() == 2


def test_reset_and_deactivate_a_cms_login_audited(client, tree):
    user, old = services.cms_account_create(actor=actor_of(tree.province), org=tree.city_a, username="xc_gz",
                                            name="王宣传", roles=[EDITOR_GROUP])
    login(client, tree.province)
    response = client.post(reverse("home_articles:cms_reset_password", args=[user.pk]))
    assert response.status_code == 302
    password = client.get(response.url).content.decode().split('id="cred-password">')[1].split("<")[0]
    user.refresh_from_db()
    assert user.check_password(password) and not user.check_password(old) and user.must_change_password
    assert client.post(reverse("home_articles:cms_account_active", args=[user.pk])).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert [log.action for log in AuditLog.objects.filter(action__startswith="cms_account").order_by("id")] == [
        "cms_account.create", "cms_account.reset_password", "cms_account.active"]


def test_org_accounts_and_superusers_are_not_cms_logins_here(client, tree):
    """The reset page cannot reach an org account (or a superuser) by its id."""
    login(client, tree.province)
    org_account = User.objects.get(organization=tree.city_a, kind=User.Kind.ORG)
    admin = User.objects.create_superuser("root", password="Root12345678")
    for user in (org_account, admin):
        assert client.post(reverse("home_articles:cms_reset_password", args=[user.pk])).status_code == 404
        assert client.post(reverse("home_articles:cms_account_active", args=[user.pk])).status_code == 404
    assert not AuditLog.objects.filter(action__startswith="cms_account").exists()
    assert Group.objects.filter(name=EDITOR_GROUP).exists()


def test_bad_article_input_creates_nothing(client, tree):
    from wagtail.images import get_image_model

    login(client, tree.city_a)
    fake = SimpleUploadedFile("cover.png", b"not an image at all", content_type="image/png")
    response = client.post(new("local"), data(cover_file=fake))
    assert response.status_code == 200 and "cover_file" in response.context["form"].errors
    response = client.post(new("local"), data(title="", link_url=""))
    assert response.status_code == 200 and "请填写外部链接或选择站内页面" in response.content.decode()
    assert client.get(new("unknown")).status_code == 404
    assert not HomeArticle.objects.exists() and not get_image_model().objects.exists()
    assert not AuditLog.objects.filter(action__startswith="home_article").exists()


def test_the_provincial_operator_may_grant_too_audited_as_the_operator(client, tree):
    operator = make_operator(tree.province)
    client.force_login(operator, backend="portal.backends.AccountBackend")
    assert client.post(RIGHTS, {"org_code": tree.district.code, "action": "grant"}).status_code == 302
    assert can_publish_local(tree.district)
    log = AuditLog.objects.get(action="home_article.right")
    assert log.actor_kind == "operator" and log.user == operator


def test_titles_follow_the_one_text_rule(client, tree):
    from django.core.exceptions import ValidationError

    from portal.text import ERR_INVISIBLE

    with pytest.raises(ValidationError) as exc:
        publish_as(tree.city_a, title="广州\u202e活动")
    assert exc.value.message_dict["title"] == [ERR_INVISIBLE.format(label="标题")]
    assert not HomeArticle.objects.filter(publisher=tree.city_a).exists()
    article = publish_as(tree.city_a, title="\u3000广州\u3000活动 ")
    assert article.title == "广州 活动"
