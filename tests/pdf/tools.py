"""Reading a PDF back as a person's tools would (poppler-utils: pdftotext, pdffonts, pdfinfo)."""

import re
import subprocess
import tempfile


def _run(tool, data, *args):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run([tool, *args, f.name, *(["-"] if tool == "pdftotext" else [])], check=True,
                              capture_output=True, text=True, timeout=60).stdout


def text(data):
    """The PDF's text, with the layout's spaces and line breaks removed (a name may wrap)."""
    return re.sub(r"\s+", "", _run("pdftotext", data))


def fonts(data):
    return _run("pdffonts", data)


def pages(data):
    return int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", data), re.M).group(1))


def assert_cjk_font_embedded(data):
    """``pdffonts`` lists WenQuanYi Micro Hei, embedded (the emb column says yes), and no other font."""
    rows = [line for line in fonts(data).splitlines()[2:] if line.strip()]
    assert rows, "no font in the PDF"
    for row in rows:
        assert "WenQuanYi" in row, row
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # emb, sub, uni


def assert_person(data, member):
    """The member's name and masked ID are in the text; the full ID never is."""
    body = text(data)
    assert member.name in body
    assert member.masked_id in body
    assert member.id_number not in body
    assert member.id_number[6:14] not in body  # not even the birth date digits the mask hides
