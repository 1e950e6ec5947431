"""A publicity editor works for one org: in the CMS it sees, edits and deletes that org's articles only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from home_articles.models import ArticleKind, HomeArticle, LocalPublishingRight
from home_articles.permissions import ERR_FEATURED, ERR_LOCAL, HomeArticlePermissionPolicy, editor_actor
from home_articles.services import article_snapshot, article_update
from portal.models import AuditLog

from .conftest import publish

pytestmark = pytest.mark.django_db

URL = "wagtailsnippets_home_articles_homearticle:{}"


def url(name, *args):
    return reverse(URL.format(name), args=args)


def form_data(**overrides):
    data = {"kind": str(ArticleKind.LOCAL.value), "title": "本地活动", "link_url": "https://www.12355.net/x",
            "link_page": "", "cover": "", "published_at": "2024-05-01 10:00:00", "live": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def article_a(editors):
    return publish(editors.city_a, "广州市青年活动")


def test_editor_creates_a_local_article_for_its_own_org_and_it_is_audited(client, tree, editors):
    client.force_login(editors.city_a)
    response = client.post(url("add"), form_data(title="广州志愿服务周"))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = HomeArticle.objects.get(title="广州志愿服务周")
    assert article.publisher == tree.city_a and article.kind == ArticleKind.LOCAL and article.live
    assert article.created_by == editors.city_a
    log = AuditLog.objects.get(action="home_article.create", object_id=str(article.pk))
    assert log.organization == tree.city_a and log.user == editors.city_a


def test_cms_urls_for_another_orgs_article_are_404(client, editors, article_a):
    client.force_login(editors.city_b)
    for name in ("edit", "delete", "usage", "history"):
        assert client.get(url(name, article_a.pk)).status_code == 404, name
    assert client.post(url("edit", article_a.pk), form_data(title="被篡改")).status_code == 404
    assert client.post(url("delete", article_a.pk)).status_code == 404
    bulk = reverse("wagtail_bulk_action", args=["home_articles", "homearticle", "delete"])
    assert client.get(bulk, {"id": article_a.pk}).status_code == 404
    assert client.post(f"{bulk}?id={article_a.pk}").status_code == 404
    article_a.refresh_from_db()
    assert article_a.title == "广州市青年活动"


def test_listing_shows_only_own_orgs_articles(client, editors, article_a):
    publish(editors.city_b, "深圳市青年活动")
    client.force_login(editors.city_b)
    response = client.get(url("list"))
    assert response.status_code == 200
    assert "深圳市青年活动" in response.content.decode()
    assert "广州市青年活动" not in response.content.decode()
    # …including the ORM search and the "select all" bulk path.
    assert "广州市青年活动" not in client.get(url("list_results"), {"q": "青年"}).content.decode()


def test_editor_edits_and_deletes_its_own_article(client, editors, article_a):
    client.force_login(editors.city_a)
    assert client.get(url("edit", article_a.pk)).status_code == 200
    response = client.post(url("edit", article_a.pk), form_data(title="广州市青年活动（更新）", live=None))
    assert response.status_code == 302, response.content.decode()[:2000]
    article_a.refresh_from_db()
    assert article_a.title == "广州市青年活动（更新）" and article_a.live is False
    update = AuditLog.objects.get(action="home_article.update", object_id=str(article_a.pk))
    assert update.before["标题"] == "广州市青年活动" and update.after["已发布"] is False
    assert client.post(url("delete", article_a.pk)).status_code == 302
    assert not HomeArticle.objects.filter(pk=article_a.pk).exists()
    assert AuditLog.objects.filter(action="home_article.delete", object_id=str(article_a.pk)).exists()


def test_bulk_delete_is_scoped_and_audited(client, editors, article_a):
    own = publish(editors.city_b, "深圳市青年活动")
    client.force_login(editors.city_b)
    bulk = reverse("wagtail_bulk_action", args=["home_articles", "homearticle", "delete"])
    # Mixing in another org's id is refused as a whole.
    assert client.post(f"{bulk}?id={own.pk}&id={article_a.pk}").status_code == 404
    assert HomeArticle.objects.filter(pk__in=[own.pk, article_a.pk]).count() == 2
    assert client.post(f"{bulk}?id={own.pk}").status_code == 302
    assert not HomeArticle.objects.filter(pk=own.pk).exists()
    assert HomeArticle.objects.filter(pk=article_a.pk).exists()
    assert AuditLog.objects.filter(action="home_article.delete", object_id=str(own.pk)).exists()


def test_local_editor_cannot_publish_featured(client, tree, editors):
    client.force_login(editors.city_a)
    response = client.post(url("add"), form_data(kind=str(ArticleKind.FEATURED.value), title="冒充精华"))
    assert response.status_code == 200  # the form again, with an error
    assert not HomeArticle.objects.filter(title="冒充精华").exists()
    # Nor through the service, nor by turning its own article into 精华.
    with pytest.raises(PermissionDenied, match=ERR_FEATURED):
        publish(editors.city_a, "服务层精华", kind=ArticleKind.FEATURED)
    own = publish(editors.city_a, "本地文章")
    client.post(url("edit", own.pk), form_data(kind=str(ArticleKind.FEATURED.value), title="本地文章"))
    own.refresh_from_db()
    assert own.kind == ArticleKind.LOCAL
    before = article_snapshot(own)
    own.kind = ArticleKind.FEATURED
    with pytest.raises(PermissionDenied, match=ERR_FEATURED):
        article_update(actor=editor_actor(editors.city_a), article=own, before=before)


def test_provincial_editor_publishes_featured(client, tree, editors):
    client.force_login(editors.province)
    response = client.post(url("add"), form_data(kind=str(ArticleKind.FEATURED.value), title="全省精华"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert HomeArticle.objects.get(title="全省精华").publisher == tree.province


def test_local_right_defaults_to_the_provinces_children_and_can_be_granted(client, tree, editors):
    # The district (a grandchild of the province) has no 本地 right by default.
    client.force_login(editors.district)
    refused = client.get(url("add"))  # Wagtail turns PermissionDenied into a redirect to the dashboard
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    with pytest.raises(PermissionDenied, match=ERR_LOCAL):
        publish(editors.district, "区级文章")
    LocalPublishingRight.objects.create(organization=tree.district, allowed=True)
    assert client.get(url("add")).status_code == 200
    assert publish(editors.district, "区级文章").publisher == tree.district
    # A default right can be withdrawn.
    LocalPublishingRight.objects.create(organization=tree.city_b, allowed=False)
    with pytest.raises(PermissionDenied, match=ERR_LOCAL):
        publish(editors.city_b, "深圳文章")


def test_permission_policy_answers_per_instance(editors, article_a):
    policy = HomeArticlePermissionPolicy(HomeArticle)
    for action in ("change", "delete", "view"):
        assert policy.user_has_permission_for_instance(editors.city_a, action, article_a)
        assert not policy.user_has_permission_for_instance(editors.city_b, action, article_a)
    assert list(policy.instances_user_has_permission_for(editors.city_b, "change")) == []
    assert list(policy.instances_user_has_permission_for(editors.city_a, "change")) == [article_a]


def test_chooser_is_not_exposed(client, editors, article_a):
    client.force_login(editors.city_b)
    assert client.get("/cms/snippets/choose/home_articles/homearticle/").status_code == 404


def test_provincial_staff_grant_the_local_right_by_org_code(client, tree, editors):
    admin = editors.province.__class__.objects.create(username="root", kind="staff", is_superuser=True)
    client.force_login(admin)
    rights = "wagtailsnippets_home_articles_localpublishingright:{}"
    response = client.post(reverse(rights.format("add")), {"org_code": tree.district.code, "allowed": "on",
                                                            "note": "区级宣传阵地"})
    assert response.status_code == 302, response.content.decode()[:2000]
    right = LocalPublishingRight.objects.get(organization=tree.district)
    assert right.allowed
    assert AuditLog.objects.filter(action="home_article.right", organization=tree.district).exists()
    assert publish(editors.district, "区级文章").publisher == tree.district
    # Editors (one group for all of them) cannot manage rights.
    client.force_login(editors.city_a)
    assert client.get(reverse(rights.format("list"))).status_code in (302, 403)
    assert client.get(reverse(rights.format("edit"), args=[right.pk])).status_code in (302, 403)


def test_history_results_of_another_orgs_article_are_404(client, editors, article_a):
    client.force_login(editors.city_b)
    assert client.get(url("history_results", article_a.pk)).status_code == 404
    client.force_login(editors.city_a)
    assert client.get(url("history_results", article_a.pk)).status_code == 200
