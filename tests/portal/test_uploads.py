"""Evidence files: checked by content, kept outside MEDIA_ROOT under random names, served only in scope."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import uploads
from services.members import status
from services.members.choices import RequestKind
from services.members.models import RequestAttachment

from ..factories import actor_of, login, make_member

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64
LONG = "经团支部大会讨论通过，该团员本人递交书面报告要求退团，支部做了思想工作仍坚持，特此申请。"


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.mark.parametrize("name,content", [
    ("proof.png", b"<html><script>alert(1)</script></html>"),  # HTML named .png
    ("proof.pdf", PNG),  # a PNG named .pdf
    ("proof.jpg", PNG),  # the extension disagrees with the content
    ("proof.exe", PNG),
    ("proof", PDF),
    ("proof.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
])
def test_content_decides_and_the_name_must_agree(name, content):
    with pytest.raises(ValidationError) as exc:
        uploads.validate_evidence([_upload(name, content)])
    assert exc.value.message_dict["attachments"] == [uploads.ERR_TYPE]


def test_empty_oversized_missing_and_too_many_are_refused():
    for files, message in (
        ([], uploads.ERR_REQUIRED),
        ([_upload("a.png", b"")], uploads.ERR_EMPTY),
        ([_upload("a.png", PNG + b"0" * uploads.MAX_BYTES)], uploads.ERR_SIZE),
        ([_upload(f"{i}.pdf", PDF) for i in range(3)], uploads.ERR_COUNT),
    ):
        with pytest.raises(ValidationError) as exc:
            uploads.validate_evidence(files)
        assert exc.value.message_dict["attachments"] == [message]
    kinds = uploads.validate_evidence([_upload("a.PNG", PNG), _upload("b.jpeg", b"\xff\xd8\xff\xe0" + PNG),
                                       _upload("c.pdf", PDF)])
    assert [k.ext for k in kinds] == ["png", "jpg", "pdf"]


def test_evidence_is_private_random_named_and_served_only_in_scope(client, tree):
    m = make_member(tree.branch)
    req = status.status_apply(actor=actor_of(tree.branch), member=m, kind=RequestKind.RESIGNED, description=LONG,
                                files=[_upload("张三身份证.png", PNG)])
    att = req.attachments.get()
    assert att.name == "张三身份证.png"
    stored = Path(storages["private"].path(att.file.name))
    assert stored.is_file() and stored.read_bytes() == PNG
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert "张三" not in att.file.name and f"requests/{req.pk}/" not in att.file.name
    assert att.file.name.startswith("members/requests/") and att.file.name.endswith(".png")
    assert len(Path(att.file.name).stem) == 32  # uuid4 hex: not guessable
    with pytest.raises(ValueError):
        att.file.url  # no URL at all: only the scoped view hands it out

    url = reverse("members:attachment", args=[req.pk, att.pk])
    login(client, tree.general)  # the reviewer
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    client.logout()
    login(client, tree.city_b)  # another subtree
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{att.file.name}").status_code == 404


def test_migration_moves_public_evidence_into_private_storage(tree):
    m = make_member(tree.branch)
    req = status.status_apply(actor=actor_of(tree.branch), member=m, kind=RequestKind.RESIGNED, description=LONG,
                                files=[_upload("proof.pdf", PDF)])
    public = storages["default"]
    old = public.save(f"members/requests/{req.pk}/proof.pdf", ContentFile(PDF))
    RequestAttachment.objects.filter(request=req).update(file=old)
    missing = RequestAttachment.objects.create(request=req, file="members/requests/0/gone.png", name="gone.png")

    migration = importlib.import_module("services.members.migrations.0005_private_evidence")
    migration.move_to_private_storage(django_apps, None)

    att = req.attachments.exclude(pk=missing.pk).get()
    assert not public.exists(old)
    assert storages["private"].exists(att.file.name) and att.file.name != old
    with storages["private"].open(att.file.name, "rb") as f:
        assert f.read() == PDF
    missing.refresh_from_db()
    assert missing.file.name == "members/requests/0/gone.png"  # nothing to move, nothing lost
