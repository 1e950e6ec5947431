"""The upload-reading rule (portal.spreadsheets): bombs are refused from the zip, before openpyxl."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal import spreadsheets, xlsx_bombs
from portal.exports import Sheet, workbook_bytes
from portal.spreadsheets import Limits

SMALL = Limits(max_rows=100, max_columns=3)


def refused(content, limits=SMALL):
    with pytest.raises(ValidationError) as info:
        spreadsheets.inspect_xlsx(content, limits)
    return info.value.messages[0]


def test_a_normal_workbook_passes_and_reads_bounded_rows():
    content = workbook_bytes([Sheet("表", ["a", "b", "c"], [[i, "x", "y"] for i in range(100)])])
    spreadsheets.inspect_xlsx(content, SMALL)
    rows = list(spreadsheets.iter_first_sheet(content, SMALL))
    assert len(rows) == 101 and rows[1] == (0, "x", "y")


def test_the_ten_million_shared_strings_bomb_is_refused_in_well_under_a_second():
    content = xlsx_bombs.shared_strings_bomb(10_000_000)
    assert len(content) < 500 * 1024  # a few hundred KB on the wire
    started = time.perf_counter()
    message = refused(content, Limits(max_rows=20_000, max_columns=15))
    assert time.perf_counter() - started < 1
    assert message == spreadsheets.ERR_UNZIPPED.format(mb=50)


def test_shared_strings_are_counted_even_when_the_attributes_lie_or_are_missing():
    limit = SMALL.max_shared_strings
    content = xlsx_bombs.shared_strings_bomb(limit + 1, distinct=True)
    assert refused(content) == spreadsheets.ERR_SHARED_STRINGS.format(n=limit)
    content = xlsx_bombs.shared_strings_bomb(limit + 1, distinct=True, declared=3)
    assert refused(content) == spreadsheets.ERR_SHARED_STRINGS.format(n=limit)
    spreadsheets.inspect_xlsx(xlsx_bombs.shared_strings_bomb(limit, distinct=True), SMALL)


def test_parts_at_unusual_paths_are_inspected_too():
    limit = SMALL.max_shared_strings
    content = xlsx_bombs.shared_strings_bomb(limit + 1, distinct=True, name="xl/SharedStrings.xml")
    assert refused(content) == spreadsheets.ERR_SHARED_STRINGS.format(n=limit)
    content = xlsx_bombs.sheet_bomb(rows=1, last_row=1_048_576, name="xl/worksheets/Sheet9.xml")
    assert refused(content) == spreadsheets.ERR_ROWS.format(n=100)


def test_declared_shared_string_count_alone_is_refused():
    content = xlsx_bombs.shared_strings_bomb(1, declared=10_000_000)
    assert refused(content) == spreadsheets.ERR_SHARED_STRINGS.format(n=SMALL.max_shared_strings)


def test_highly_compressed_members_are_refused():
    content = xlsx_bombs.shared_strings_bomb(200_000)  # 2.6 MB of empty strings in a few KB
    assert refused(content, Limits(max_rows=100_000, max_columns=15)) == spreadsheets.ERR_STRUCTURE


@pytest.mark.parametrize("kwargs", [
    {"rows": 1, "dimension": "A1:XFD1048576"},  # a <dimension> that would make openpyxl pad a million rows
    {"rows": 1, "last_row": 1_048_576},  # one far row: openpyxl fills every row before it
    {"rows": 2 * 100 + 2, "numbered": False},  # rows without numbers are counted
])
def test_too_many_rows_are_refused(kwargs):
    assert refused(xlsx_bombs.sheet_bomb(**kwargs)) == spreadsheets.ERR_ROWS.format(n=100)


def test_formatted_blank_rows_below_the_data_are_tolerated():
    spreadsheets.inspect_xlsx(xlsx_bombs.sheet_bomb(rows=2 * 100 + 1, dimension="A1:A201"), SMALL)


def test_too_many_cells_are_refused_even_in_ignored_columns():
    wide = workbook_bytes([Sheet("表", ["a"] * 40, [["x"] * 40 for _ in range(20)])])
    assert refused(wide) == spreadsheets.ERR_CELLS.format(n=SMALL.max_cells)


def test_too_many_members_and_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(SMALL.max_members):
            z.writestr(f"x/{i}.xml", b"")
    assert refused(out.getvalue()) == spreadsheets.ERR_STRUCTURE
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", b"hi")
    assert refused(out.getvalue()) == spreadsheets.ERR_FILE_TYPE
    assert refused(b"PK\x03\x04 not really") == spreadsheets.ERR_FILE_TYPE


def test_a_lying_dimension_cannot_pad_columns_when_reading():
    content = xlsx_bombs.sheet_bomb(rows=3, dimension="A1:XFD3")
    rows = list(spreadsheets.iter_first_sheet(content, SMALL))
    assert [len(r) for r in rows] == [3, 3, 3]


@pytest.mark.parametrize("name, content, message", [
    ("a.xls", b"PK\x03\x04", spreadsheets.ERR_FILE_TYPE),
    ("a.xlsx", b"not a zip", spreadsheets.ERR_FILE_TYPE),
    ("a.xlsx", b"PK" + b"0" * (5 * 1024 * 1024), spreadsheets.ERR_FILE_SIZE.format(mb=5)),
])
def test_read_upload_checks_name_size_and_signature(name, content, message):
    with pytest.raises(ValidationError) as info:
        spreadsheets.read_upload(SimpleUploadedFile(name, content), SMALL)
    assert info.value.messages == [message]


def test_bench_xlsx_bomb_refuses_every_case_and_ends_with_json(capsys):
    import json

    from django.core.management import call_command

    call_command("bench_xlsx_bomb", "--strings", "10000000")
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["bench"] == "xlsx_bomb" and all(case["refused"] for case in result["cases"])
    assert all(case["seconds"] < 3 for case in result["cases"])


def test_a_full_sheet_with_shared_strings_and_other_sheets_passes():
    """At the row limit, every cell a distinct shared string, plus a dropdown sheet: accepted."""
    from openpyxl import Workbook

    limits = Limits(max_rows=1000, max_columns=15)
    wb = Workbook()  # the ordinary writer stores text as shared strings, as Excel does
    ws = wb.active
    ws.append([f"列{c}" for c in range(15)])
    for r in range(1000):
        ws.append([f"值{r}-{c}" for c in range(15)])
    options = wb.create_sheet("选项")
    for r in range(200):
        options.append([f"选项{r}", f"值{r}-0"])
    out = io.BytesIO()
    wb.save(out)
    spreadsheets.inspect_xlsx(out.getvalue(), limits)
    assert sum(1 for _ in spreadsheets.iter_first_sheet(out.getvalue(), limits)) == 1001
