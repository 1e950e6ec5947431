import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from home_articles.models import ArticleKind, HomeArticle
from home_articles.permissions import EDITOR_GROUP, editor_actor
from home_articles.services import article_create
from portal.models import User

PASSWORD = "Xuanchuan2024"


@pytest.fixture(autouse=True)
def empty_cache():
    # Rolled-back tests reuse primary keys and tree paths: a feed cached by one test must not leak into the next.
    cache.clear()
    yield
    cache.clear()


def make_editor(org, username=None, group=EDITOR_GROUP):
    """A publicity editor: a staff login working for ``org``, in the one editors' group."""
    user = User.objects.create(username=username or f"xc{org.pk}", kind=User.Kind.STAFF, organization=org,
                               first_name="宣传干部")
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def make_member(branch, username="m1"):
    return User.objects.create(username=username, kind=User.Kind.MEMBER, organization=branch, first_name="张三")


def publish(editor, title, kind=ArticleKind.LOCAL, **fields):
    article = HomeArticle(title=title, link_url=fields.pop("link_url", "https://www.12355.net/a"), kind=kind,
                          **fields)
    return article_create(actor=editor_actor(editor), article=article)


@pytest.fixture
def editors(tree):
    """One editor for the province, for each city, and for the district (no 本地 right by default)."""
    return type("Editors", (), {
        "province": make_editor(tree.province, "xc_province"),
        "city_a": make_editor(tree.city_a, "xc_city_a"),
        "city_b": make_editor(tree.city_b, "xc_city_b"),
        "district": make_editor(tree.district, "xc_district"),
    })
