"""Hostile .xlsx files for the tests and ``bench_xlsx_bomb``: built by streaming, never held unzipped."""

import io
import zipfile

from .exports import Sheet, workbook_bytes

SHARED_STRINGS_REL = ('<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/sharedStrings" Target="sharedStrings.xml"/>')
SHARED_STRINGS_TYPE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                       'officedocument.spreadsheetml.sharedStrings+xml"/>')
SST_OPEN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"{attrs}>')


def rebuild(base, replace):
    """A copy of the .xlsx ``base`` with members replaced or added: name -> bytes or an iterable of chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                continue
            data = src.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels" and "xl/sharedStrings.xml" in replace:
                data = data.replace(b"</Relationships>", SHARED_STRINGS_REL.encode() + b"</Relationships>")
            if info.filename == "[Content_Types].xml" and "xl/sharedStrings.xml" in replace:
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>")
            dst.writestr(info, data)
        for name, data in replace.items():
            with dst.open(name, "w", force_zip64=True) as stream:
                for chunk in ([data] if isinstance(data, bytes) else data):
                    stream.write(chunk)
    return out.getvalue()


def base_workbook(headers=("姓名",)):
    return workbook_bytes([Sheet("Sheet1", list(headers), [])])


def shared_strings_bomb(count, *, declared=None, distinct=False, headers=("姓名",), name="xl/sharedStrings.xml"):
    """``count`` shared strings (empty ones compress to almost nothing); ``declared`` sets count/uniqueCount."""
    attrs = "" if declared is None else f' count="{declared}" uniqueCount="{declared}"'

    def chunks():
        yield SST_OPEN.format(attrs=attrs).encode()
        batch = 100_000
        for start in range(0, count, batch):
            n = min(batch, count - start)
            if distinct:
                yield b"".join(b"<si><t>%d</t></si>" % i for i in range(start, start + n))
            else:
                yield b"<si><t/></si>" * n
        yield b"</sst>"

    return rebuild(base_workbook(headers), {name: chunks()})


def sheet_bomb(*, rows=0, dimension="A1:A1", last_row=None, numbered=True, filler=b"",
               name="xl/worksheets/sheet1.xml"):
    """A first sheet with ``rows`` <row> elements, a chosen <dimension>, and optionally one far row."""
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>').encode()

    def chunks():
        yield head
        yield filler
        batch = 50_000
        for start in range(1, rows + 1, batch):
            end = min(start + batch, rows + 1)
            if numbered:
                yield b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
                               for i in range(start, end))
            else:
                yield b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * (end - start)
        if last_row:
            yield b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (last_row, last_row)
        yield b"</sheetData></worksheet>"

    return rebuild(base_workbook(), {name: chunks()})
