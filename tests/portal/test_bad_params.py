"""Malformed parameters answer a Chinese 400/404 or a form error, never a 500."""

import pytest
from django.urls import reverse

from portal.middleware import ERR_NUL

from ..factories import login, make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["after=abc", "after=-5", "after=" + "9" * 40, "registration_status=abc",
                                   "league_status=abc&aged_28=xyz", "page=abc"])
def test_malformed_list_parameters_are_ignored_or_refused_on_the_form(client, tree, query):
    make_member(tree.branch)
    login(client, tree.branch)
    response = client.get(reverse("members:manage_list") + "?" + query)
    assert response.status_code == 200


def test_a_nul_byte_anywhere_is_a_chinese_400(client, tree):
    login(client, tree.branch)
    for response in (client.get(reverse("orgtree:tree_search") + "?q=ab%00cd"),
                     client.get(reverse("members:manage_list") + "?name=%00"),
                     client.post(reverse("members:approve_batch"), {"ids": "1\x002"})):
        assert response.status_code == 400
        assert ERR_NUL in response.content.decode()


def test_malformed_ids_in_posted_forms(client, tree):
    member = make_member(tree.branch)
    login(client, tree.general)
    from services.members import status
    from services.members.choices import RequestKind
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..factories import actor_of

    req = status.status_apply(actor=actor_of(tree.branch), member=member, kind=RequestKind.RESIGNED,
                                description="经团支部大会讨论通过，该团员本人递交书面报告要求退团，支部做了思想工作仍坚持。",
                                files=[SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)])
    status.request_approve(actor=actor_of(tree.general), request=req)
    response = client.post(reverse("members:restore", args=[member.pk]), {"branch": "abc"})
    assert response.status_code == 200 and status.ERR_RESTORE_BRANCH in response.content.decode()
