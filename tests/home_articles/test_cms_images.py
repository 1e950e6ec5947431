"""CMS images per org: an editor lists, chooses and uses only its org's images and the shared ones."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from home_articles.images import ERR_COVER_SCOPE, SHARED_COLLECTION, org_collection, shared_collection
from home_articles.models import HomeArticle, OrgImageCollection
from home_articles.permissions import editor_actor
from home_articles.services import article_create, cms_account_create

from .conftest import make_editor, publish
from .test_cms_scope import form_data, url

pytestmark = pytest.mark.django_db

CONTENT_GROUP = "公告与帮助编辑"


def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cover.png", get_test_image_file().file.getvalue(), content_type="image/png")


def image(title, collection, user=None):
    return get_image_model().objects.create(title=title, file=get_test_image_file(), collection=collection,
                                            uploaded_by_user=user)


@pytest.fixture
def images(tree, editors):
    """One image in each city's collection (uploaded by its editor), a shared one and a legacy one at the root."""
    return type("Images", (), {
        "a": image("广州封面", org_collection(tree.city_a), editors.city_a),
        "b": image("深圳封面", org_collection(tree.city_b), editors.city_b),
        "shared": image("全省共享封面", shared_collection()),
        "root": image("旧封面", Collection.get_first_root_node()),
    })


def test_the_migrations_make_the_shared_collection():
    shared = shared_collection()
    assert shared is not None and shared.name == SHARED_COLLECTION and shared.depth == 2


def test_org_collection_is_made_once_per_org(tree):
    first = org_collection(tree.city_a)
    assert org_collection(tree.city_a) == first and first.get_parent().depth == 1
    assert OrgImageCollection.objects.filter(organization=tree.city_a).count() == 1
    assert org_collection(tree.city_b, create=False) is None
    assert org_collection(tree.city_b) != first


def test_chooser_offers_only_own_and_shared_images(client, editors, images):
    client.force_login(editors.city_a)
    for name in ("wagtailimages_chooser:choose", "wagtailimages_chooser:choose_results"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        text = response.json()["html"] if name.endswith(":choose") else response.content.decode()
        assert "广州封面" in text and "全省共享封面" in text, name
        assert "深圳封面" not in text and "旧封面" not in text, name
        assert images.b.collection.name not in text, name


def test_image_listing_shows_only_own_images(client, editors, images):
    client.force_login(editors.city_a)
    response = client.get(reverse("wagtailimages:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "广州封面" in text and "深圳封面" not in text and "旧封面" not in text
    assert images.b.collection.name not in text  # nor its collection in the filter


def test_another_orgs_image_is_refused_by_id(client, editors, images):
    client.force_login(editors.city_a)
    for name in ("wagtailimages:edit", "wagtailimages:delete"):
        assert client.get(reverse(name, args=[images.b.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[images.b.pk]), {"title": "篡改"}).status_code == 404, name
    for name in ("wagtailimages:image_usage", "wagtailimages:url_generator"):
        assert client.get(reverse(name, args=[images.b.pk])).status_code == 404, name
    assert client.get(reverse("wagtailimages:preview", args=[images.b.pk, "fill-10x10"])).status_code == 404
    assert client.get(reverse("wagtailimages_chooser:chosen", args=[images.b.pk])).status_code == 404
    assert client.get(reverse("wagtailimages_chooser:select_format", args=[images.b.pk])).status_code == 404
    multiple = reverse("wagtailimages_chooser:chosen_multiple")
    assert client.get(multiple, {"id": [images.a.pk, images.b.pk]}).status_code == 404
    assert client.get(multiple, {"id": [images.a.pk, images.shared.pk]}).status_code == 200
    images.b.refresh_from_db()
    assert images.b.title == "深圳封面"
    # Its own image opens.
    assert client.get(reverse("wagtailimages:edit", args=[images.a.pk])).status_code == 200


def test_forged_cover_of_another_org_is_refused_in_chinese(client, editors, images):
    client.force_login(editors.city_a)
    for forged in (images.b, images.root):
        response = client.post(url("add"), form_data(title="伪造封面", cover=str(forged.pk)))
        assert response.status_code == 200
        assert ERR_COVER_SCOPE in response.content.decode()
    assert not HomeArticle.objects.filter(title="伪造封面").exists()
    article = publish(editors.city_a, "广州活动")
    response = client.post(url("edit", article.pk), form_data(title="广州活动", cover=str(images.b.pk)))
    assert response.status_code == 200 and ERR_COVER_SCOPE in response.content.decode()
    article.refresh_from_db()
    assert article.cover_id is None


def test_own_and_shared_covers_are_accepted(client, editors, images):
    client.force_login(editors.city_a)
    for cover in (images.a, images.shared):
        response = client.post(url("add"), form_data(title=f"封面{cover.pk}", cover=str(cover.pk)))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert HomeArticle.objects.get(title=f"封面{cover.pk}").cover == cover


def test_service_refuses_another_orgs_cover(editors, images):
    with pytest.raises(ValidationError) as raised:
        publish(editors.city_a, "伪造封面", cover=images.b)
    assert ERR_COVER_SCOPE in str(raised.value)
    assert publish(editors.city_a, "共享封面", cover=images.shared).cover == images.shared


def test_manage_upload_goes_into_the_orgs_collection(tree, editors):
    article = article_create(actor=editor_actor(editors.city_a), article=HomeArticle(
        title="上传封面", link_url="https://www.12355.net/a"), cover_file=get_test_image_file())
    assert article.cover.collection == org_collection(tree.city_a)


def test_cms_upload_goes_into_the_orgs_collection_only(client, tree, editors, images):
    client.force_login(editors.city_a)
    response = client.get(reverse("wagtailimages:add"))
    assert response.status_code == 200
    add = reverse("wagtailimages:add")
    # Another org's collection or the shared one is not a choice for a city editor: its upload lands in its own.
    for collection in (org_collection(tree.city_b), shared_collection()):
        client.post(add, {"title": "越权上传", "file": upload(), "collection": collection.pk})
    assert {i.collection for i in get_image_model().objects.filter(title="越权上传")} == {org_collection(tree.city_a)}
    response = client.post(add, {"title": "本市上传", "file": upload(),
                                 "collection": org_collection(tree.city_a).pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_image_model().objects.get(title="本市上传").collection == org_collection(tree.city_a)


def test_provincial_content_editor_publishes_shared_images(client, tree, editors):
    provincial = make_editor(tree.province, "xc_province_content", group=CONTENT_GROUP)
    city = make_editor(tree.city_a, "xc_city_content", group=CONTENT_GROUP)
    org_collection(tree.province), org_collection(tree.city_a)
    add = reverse("wagtailimages:add")
    client.force_login(city)
    client.post(add, {"title": "市级共享", "file": upload(), "collection": shared_collection().pk})
    assert get_image_model().objects.get(title="市级共享").collection == org_collection(tree.city_a)
    client.force_login(provincial)
    response = client.post(add, {"title": "全省共享图", "file": upload(),
                                 "collection": shared_collection().pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    shared = get_image_model().objects.get(title="全省共享图")
    assert shared.collection == shared_collection()
    # Every editor may then choose it.
    client.force_login(editors.city_b)
    assert "全省共享图" in client.get(reverse("wagtailimages_chooser:choose_results")).content.decode()
    assert publish(editors.city_b, "深圳活动", cover=shared).cover == shared


def test_cms_account_creation_makes_the_orgs_collection(tree, editors):
    from tests.factories import actor_of

    cms_account_create(actor=actor_of(tree.province), org=tree.city_b, username="xc_new_city", name="新宣传", roles=["首页文章编辑"])
    assert org_collection(tree.city_b, create=False) is not None


def test_data_migration_gives_existing_orgs_their_collection_and_moves_their_covers(tree, editors, images):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("home_articles.migrations.0006_image_collections")
    OrgImageCollection.objects.filter(organization__in=[tree.city_a, tree.district]).delete()
    legacy = image("旧市封面", Collection.get_first_root_node())
    article = HomeArticle.objects.create(title="旧文章", link_url="https://www.12355.net/a", publisher=tree.district,
                                         cover=legacy)
    migration.forwards(apps, None)
    assert org_collection(tree.city_a, create=False) is not None  # a CMS login's org
    district = org_collection(tree.district, create=False)  # an org with articles
    assert district is not None
    legacy.refresh_from_db()
    assert legacy.collection == district
    images.root.refresh_from_db()
    assert images.root.collection.depth == 1  # not an article's cover: stays
    assert article.cover_id == legacy.pk
    assert Collection.find_problems() == ([], [], [], [], [])
    assert org_collection(tree.province).get_parent().depth == 1  # treebeard still adds after it
    assert Collection.find_problems() == ([], [], [], [], [])


def test_a_login_without_a_collection_gets_one_when_it_uploads(client, tree):
    editor = make_editor(tree.district, "xc_new_district")
    assert org_collection(tree.district, create=False) is None
    client.force_login(editor)
    response = client.post(reverse("wagtailimages:add"), {"title": "区级图片", "file": upload()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_image_model().objects.get(title="区级图片").collection == org_collection(tree.district, create=False)
