"""One rule for evidence files (DESIGN §5 Uploads): checked by content, stored privately, served only
through scoped views.

Evidence (团籍 requests today; appeals, awards and punishments next) never lives under ``MEDIA_ROOT``,
which production serves to anyone for Wagtail's images. It is kept in the ``private`` storage
(``settings.PRIVATE_MEDIA_ROOT``, no URL) under a random name, so a path can neither be guessed nor
fetched: the only way to a file is a view that first found its record through the actor's scope and
then answers with :func:`file_response`.

A file is what its bytes say it is: PNG, JPEG, GIF, BMP or PDF by their signatures, whatever the name
or the browser's content type claim; the name's extension must agree with the content.
"""

import os
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse
from django.utils import timezone

ERR_REQUIRED = "请上传证明材料"
ERR_TYPE = "证明材料只能是图片（gif、jpg、jpeg、png、bmp）或PDF文件"
ERR_SIZE = "单个文件不能超过5MB"
ERR_COUNT = "证明材料最多8张图片和2个PDF文件"
ERR_EMPTY = "上传的文件是空文件，请重新选择"

MAX_BYTES = 5 * 1024 * 1024
MAX_IMAGES, MAX_PDFS = 8, 2


@dataclass(frozen=True)
class Kind:
    ext: str  # the extension the stored file gets
    content_type: str
    is_image: bool
    names: frozenset  # extensions a file of this kind may be uploaded with


KINDS = {
    "png": Kind("png", "image/png", True, frozenset({"png"})),
    "jpeg": Kind("jpg", "image/jpeg", True, frozenset({"jpg", "jpeg"})),
    "gif": Kind("gif", "image/gif", True, frozenset({"gif"})),
    "bmp": Kind("bmp", "image/bmp", True, frozenset({"bmp"})),
    "pdf": Kind("pdf", "application/pdf", False, frozenset({"pdf"})),
}


def sniff(head):
    """The kind of a file from its first bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return KINDS["gif"]
    if head.startswith(b"BM") and len(head) >= 14:
        return KINDS["bmp"]
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    return None


def evidence_kind(upload):
    """Check one uploaded file; returns its :class:`Kind` or raises ValidationError on ``attachments``."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError({"attachments": ERR_SIZE})
    if not upload.size:
        raise ValidationError({"attachments": ERR_EMPTY})
    kind = sniff_file(upload)
    ext = os.path.splitext(upload.name or "")[1].lstrip(".").lower()
    if kind is None or ext not in kind.names:
        raise ValidationError({"attachments": ERR_TYPE})
    return kind


def validate_evidence(files, *, required=True, max_images=MAX_IMAGES, max_pdfs=MAX_PDFS):
    """Reference §7 uploads: (mandatory,) ≤ 8 images + ≤ 2 PDF, ≤ 5 MB each, by content."""
    if not files:
        if required:
            raise ValidationError({"attachments": ERR_REQUIRED})
        return []
    kinds = [evidence_kind(f) for f in files]
    if sum(k.is_image for k in kinds) > max_images or sum(not k.is_image for k in kinds) > max_pdfs:
        raise ValidationError({"attachments": ERR_COUNT})
    return kinds


class PrivateStorage(FileSystemStorage):
    """A file system storage whose files have no URL (FileSystemStorage would fall back to MEDIA_URL)."""

    def url(self, name):
        raise ValueError("私有文件没有公开地址，只能通过有权限的页面下载")


def private_storage():
    """The storage of evidence files: outside MEDIA_ROOT, with no URL (a callable for FileField.storage)."""
    return storages["private"]


def random_name(prefix, field_file):
    """For an ``upload_to``: ``prefix/YYYY/MM/<random>.<ext>``, the extension following the content."""
    kind = sniff_file(field_file)
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{kind.ext if kind else 'bin'}"


def sniff_file(field_file):
    try:
        field_file.seek(0)
        head = field_file.read(16)
        field_file.seek(0)
    except (ValueError, OSError):
        return None
    return sniff(head)


def file_response(field_file, filename):
    """Answer with a private file as a download, typed by its content (never rendered inline as HTML)."""
    kind = sniff_file(field_file)
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename,
                            content_type=kind.content_type if kind else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
