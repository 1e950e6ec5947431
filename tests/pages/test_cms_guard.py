"""Wagtail admin views that raise for an editor are not reachable (home_articles/middleware.py)."""

import pytest
from django.urls import reverse

from tests.factories import make_cms_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree, django_user_model):
    admin = django_user_model.objects.create(username="root_admin", is_superuser=True, is_staff=True)
    return [make_cms_editor(tree.city_a), admin]


def test_failwhale_page_copy_and_service_link_create_are_404_for_everyone(client, users, tree):
    from wagtail.models import Page

    page = Page.objects.filter(depth__gt=2).first()
    assert page is not None  # the migrations' page tree
    paths = [reverse("wagtailadmin_error_test"), reverse("wagtailsnippetchoosers_pages_servicelink:create"),
             reverse("wagtailadmin_pages:copy", args=[page.pk])]
    client.raise_request_exception = True
    for user in users:
        client.force_login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)
            assert client.post(path, {}).status_code == 404, (user, path)


def test_external_link_chooser_refuses_a_post_without_its_url(client, users):
    client.raise_request_exception = True
    path = reverse("wagtailadmin_choose_page_external_link")
    client.force_login(users[0])
    assert client.get(path).status_code == 200
    assert client.post(path, {}).status_code == 400
    response = client.post(path, {"external-link-chooser-url": "https://www.12355.net/",
                                  "external-link-chooser-link_text": "共青团"})
    assert response.status_code == 200


def test_external_link_chooser_still_sends_others_to_the_cms_login(client, tree):
    from tests.factories import actor_of

    user = actor_of(tree.city_a).user  # an org account: no CMS access
    user.must_change_password = False
    user.save()
    client.force_login(user)
    response = client.post(reverse("wagtailadmin_choose_page_external_link"), {})
    assert response.status_code == 302 and "/cms/login/" in response["Location"]


def test_page_listing_and_header_offer_no_copy(client, users):
    from wagtail.models import Page

    page = Page.objects.filter(depth__gt=2).first()
    for user in users:
        client.force_login(user)
        for path in (reverse("wagtailadmin_explore", args=[page.get_parent().pk]),
                     reverse("wagtailadmin_pages:edit", args=[page.pk])):
            response = client.get(path)
            assert response.status_code == 200, (user, path)
            assert f"/pages/{page.pk}/copy/" not in response.content.decode(), (user, path)
