"""The one rule for reading an uploaded .xlsx (DESIGN §5 "Uploads"): every import goes through it.

An .xlsx is a zip of XML. A 418 KB file can hold 10 million shared strings (over 100 s of CPU and
most of a gigabyte in openpyxl), so the archive is inspected with ``zipfile`` before openpyxl sees
it, from its central directory and a streaming scan of the XML that never keeps it in memory:

- the upload: name ``.xlsx``, size, zip signature;
- the archive: number of members, total uncompressed size, each member's compression ratio, and
  the size of every part that is neither a sheet nor the shared strings;
- ``xl/sharedStrings.xml``: its ``count``/``uniqueCount`` attributes *and* the ``<si>`` elements
  actually present (attributes can lie), against the number of cells the import may hold;
- every ``xl/worksheets/*.xml``: its ``<dimension>``, the highest row number, and the numbers of
  ``<row>`` and ``<c>`` elements actually present (openpyxl parses every cell, even those in
  columns the import ignores).

zipfile never inflates a member beyond its declared size (it stops there and the CRC check
fails), so the declared sizes bound the work. Only then is the file opened with
``load_workbook(read_only=True)``, and its rows are read with explicit row and column bounds so
that a lying ``<dimension>`` cannot make openpyxl pad millions of empty cells.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MB = 1024 * 1024

ERR_FILE_TYPE = "请上传由模板填写的 .xlsx 文件"
ERR_FILE_SIZE = "文件不能超过{mb}MB"
ERR_UNZIPPED = "文件解压后内容过大（超过{mb}MB），请检查文件内容或分批导入"
ERR_STRUCTURE = "文件结构异常（疑似压缩炸弹），请用模板重新填写后上传"
ERR_SHARED_STRINGS = "表格中的文字单元格过多（超过{n}个），请检查文件内容或分批导入"
ERR_ROWS = "一次最多导入{n}行，请分批导入"
ERR_CELLS = "表格中的单元格过多（超过{n}个），请删除模板以外的内容或分批导入"


@dataclass(frozen=True)
class Limits:
    """What one import accepts. ``max_rows`` counts data rows (the header row is extra)."""

    max_rows: int
    max_columns: int
    max_bytes: int = 5 * MB
    max_unzipped: int = 50 * MB
    max_members: int = 500
    max_ratio: int = 100  # uncompressed / compressed, for members above RATIO_FLOOR
    max_other_part: int = 5 * MB  # styles, workbook, themes, ...
    # formatted blank rows below the data are tolerated up to this many times max_rows
    row_slack: int = 2

    # the template's other sheets (dropdown lists, notes) share the workbook's strings
    extra_strings: int = 10_000

    @property
    def max_cells(self):  # per sheet; every cell is parsed, even in columns the import ignores
        return (self.max_rows + 1) * self.max_columns

    @property
    def max_shared_strings(self):
        return self.max_cells + self.extra_strings

    @property
    def max_row_number(self):
        return self.row_slack * self.max_rows + 1


RATIO_FLOOR = 1 * MB  # small parts may compress as well as they like
CHUNK = 1 * MB
_SHEET_RE = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)  # wherever a generator puts them
_SI_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_ROW_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ROW_NUMBER_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b[^>]{0,200}?\br=\"(\d{1,12})\"")
_DIMENSION_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref=\"[A-Z]*\d*:?[A-Z]*(\d{1,12})\"")
_COUNT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?>")
_ATTR_RE = re.compile(rb"\b(count|uniqueCount)=\"(\d{1,12})\"")
MAX_TAG = 1 * MB  # a piece of XML with no "<" in it longer than this is not a spreadsheet


def read_upload(upload, limits):
    """The bytes of an uploaded .xlsx, checked for name, size and zip signature (not yet its inside)."""
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise ValidationError(ERR_FILE_TYPE)
    if upload.size > limits.max_bytes:
        raise ValidationError(ERR_FILE_SIZE.format(mb=limits.max_bytes // MB))
    content = upload.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        raise ValidationError(ERR_FILE_SIZE.format(mb=limits.max_bytes // MB))
    if not content.startswith(b"PK"):  # an .xlsx is a zip archive
        raise ValidationError(ERR_FILE_TYPE)
    return content


def _parts(archive, info):
    """One member's bytes in pieces cut just before a "<", so that no tag is split between pieces."""
    carry = b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"<")
            if cut <= 0:  # no tag boundary in the piece: all text (or one giant tag)
                cut = len(buffer) if cut < 0 else 0
            if cut == 0 and len(buffer) > MAX_TAG:
                raise ValidationError(ERR_STRUCTURE)
            if cut:
                yield buffer[:cut]
            carry = buffer[cut:]
    if carry:
        yield carry


def _is_sheet(info):
    return bool(_SHEET_RE.search(info.filename))


def _is_shared_strings(info):
    return info.filename.lower().endswith("sharedstrings.xml")


def inspect_xlsx(content, limits):
    """Refuse an archive that would cost openpyxl more than the limits allow. Reads nothing into memory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ValidationError(ERR_FILE_TYPE) from None
    with archive:
        if len(members) > limits.max_members:
            raise ValidationError(ERR_STRUCTURE)
        if sum(i.file_size for i in members) > limits.max_unzipped:
            raise ValidationError(ERR_UNZIPPED.format(mb=limits.max_unzipped // MB))
        names = {i.filename for i in members}
        if "xl/workbook.xml" not in names:
            raise ValidationError(ERR_FILE_TYPE)
        for info in members:
            if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ValidationError(ERR_STRUCTURE)
            if not _is_sheet(info) and not _is_shared_strings(info) and info.file_size > limits.max_other_part:
                raise ValidationError(ERR_STRUCTURE)
        try:
            for info in members:
                if _is_shared_strings(info):
                    _check_shared_strings(archive, info, limits)
                elif _is_sheet(info):
                    _check_sheet(archive, info, limits)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
            raise ValidationError(ERR_FILE_TYPE) from None


def _check_shared_strings(archive, info, limits):
    most = limits.max_shared_strings
    refused = ValidationError(ERR_SHARED_STRINGS.format(n=most))
    with archive.open(info) as stream:
        head = stream.read(4096)
    if sst := _COUNT_RE.search(head):  # uniqueCount only: count is every use, across all sheets
        if any(name == b"uniqueCount" and int(value) > most for name, value in _ATTR_RE.findall(sst.group(0))):
            raise refused
    seen = 0
    for part in _parts(archive, info):
        seen += len(_SI_RE.findall(part))
        if seen > most:
            raise refused


def _check_sheet(archive, info, limits):
    most = limits.max_row_number
    refused = ValidationError(ERR_ROWS.format(n=limits.max_rows))
    with archive.open(info) as stream:
        head = stream.read(4096)
    if (dimension := _DIMENSION_RE.search(head)) and int(dimension.group(1)) > most:
        raise refused
    rows = cells = 0
    for part in _parts(archive, info):
        rows += len(_ROW_RE.findall(part))
        cells += len(_CELL_RE.findall(part))
        numbers = _ROW_NUMBER_RE.findall(part)
        if rows > most or (numbers and max(map(int, numbers)) > most):
            raise refused
        if cells > limits.max_cells:
            raise ValidationError(ERR_CELLS.format(n=limits.max_cells))


def iter_first_sheet(content, limits):
    """Rows (tuples of ``max_columns`` values) of the first sheet, header first, after ``inspect_xlsx``.

    Bounded in rows and columns whatever the file's own ``<dimension>`` says.
    """
    from openpyxl import load_workbook

    inspect_xlsx(content, limits)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer to the user
        raise ValidationError(ERR_FILE_TYPE) from None
    try:
        ws = wb.worksheets[0]
        yield from ws.iter_rows(min_row=1, max_row=limits.max_row_number, max_col=limits.max_columns,
                                values_only=True)
    finally:
        wb.close()
