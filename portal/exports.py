"""The one writer of every .xlsx the project produces (DESIGN §5 "Free text").

openpyxl in write-only mode, streamed through a temporary file to the response, so a 10,000-row
export does not sit in memory. Every cell goes through ``cell_value``:

- text that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written as a text
  cell with Excel's quote prefix (the hidden apostrophe), so ``=HYPERLINK(...)`` typed as a name is
  shown as typed and never becomes a live formula, even when the cell is edited;
- characters XML 1.0 cannot hold (controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are
  dropped before openpyxl sees them, so a name containing ``\\x01`` can no longer fail an export;
- text longer than an Excel cell holds is cut to 32,767 characters.

ID numbers are written as the callers give them: exports pass ``masked_id``, never the full number.

Usage::

    return xlsx_response("团员名单.xlsx", [Sheet("团员", HEADERS, rows)])
"""

import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these; openpyxl raises IllegalCharacterError on the first set, lxml on the rest.
ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_CHARS = 32_767
SHEET_TITLE_RE = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
SPOOL_BYTES = 1024 * 1024  # smaller workbooks stay in memory; bigger ones go to a temporary file


def clean_text(text):
    """Text an .xlsx can hold: illegal characters dropped, cut to one Excel cell."""
    return ILLEGAL_XML_RE.sub("", text)[:MAX_CELL_CHARS]


def is_formula_like(text):
    return text.startswith(FORMULA_TRIGGERS)


def cell_value(value):
    """(value, as_text): what the writer puts in a cell, and whether it must be forced to text."""
    if value is None or isinstance(value, (bool, int, float, Decimal, datetime, date, time)):
        return value, False
    text = clean_text(str(value))
    return text, is_formula_like(text)


@dataclass
class Sheet:
    """One worksheet: a title, a header row, then rows (any iterable, consumed once)."""

    title: str
    headers: list
    rows: object = ()
    widths: dict = field(default_factory=dict)  # column number (1-based) -> width
    validations: list = field(default_factory=list)  # openpyxl DataValidation objects


def _cell(ws, value):
    value, as_text = cell_value(value)
    if not as_text:
        return value
    cell = WriteOnlyCell(ws, value=None)
    cell.value = value
    cell.data_type = "s"  # never "f": openpyxl would otherwise store "=…" as a formula
    cell.quotePrefix = True
    return cell


def write_workbook(fileobj, sheets):
    """Write the sheets as one .xlsx into a binary file object."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        ws = wb.create_sheet(SHEET_TITLE_RE.sub("", clean_text(sheet.title))[:31] or "Sheet")
        for column, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(column)].width = width
        for dv in sheet.validations:
            ws.data_validations.append(dv)
        ws.append([_cell(ws, v) for v in sheet.headers])
        for row in sheet.rows:
            ws.append([_cell(ws, v) for v in row])
    wb.save(fileobj)


def workbook_bytes(sheets):
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        write_workbook(out, sheets)
        out.seek(0)
        return out.read()


def xlsx_response(filename, sheets):
    """A download of the sheets, streamed from a temporary file (closed by the response)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_workbook(out, sheets)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
