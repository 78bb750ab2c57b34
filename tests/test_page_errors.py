"""A page that cannot be read is recorded: problem W005 naming the page, status "partial", a
suspicious file in ``arkiv status``; the items on the good pages still come out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from parsers import parse_file
from parsers.errors import CorruptFile
from parsers.pdf_chars import damaged_pages
from parsers.pdf_extractor import PAGE_ERROR
from search_cli.cli import cli

PAGES = 6


def _agenda_pdf(path: Path, compressed: bool = True) -> Path:
    """Six pages, one item per page; content streams compressed (ASCII85 + Flate, reportlab's default)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1 if compressed else 0)
    for page in range(1, PAGES + 1):
        y = 800.0

        def line(text: str, font: str = "Helvetica", size: float = 11, gap: float = 15) -> None:
            nonlocal y
            y -= gap
            c.setFont(font, size)
            c.drawString(60, y, text)

        if page == 1:
            line("Dagsorden", "Helvetica-Bold", 16)
            line("Økonomiudvalget", "Helvetica-Bold", 14, 20)
            line("Mødedato: Onsdag den 1. oktober 2025 kl. 15.00", gap=24)
            line("Mødested: Byrådssalen")
        line(f"Punkt {page}: Vejdrift, etape {page}", "Helvetica-Bold", 12, 30)
        line(f"Sagsnr.: 25/{4000 + page}")
        line("Forvaltningen indstiller, at sagen godkendes.")
        c.showPage()
    c.save()
    return path


def _content_object(path: Path, page: int) -> int:
    """The object number of a page's content stream."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as fh:
        pages = list(PDFPage.create_pages(PDFDocument(PDFParser(fh))))
        return int(pages[page - 1].contents[0].objid)


def _damage_stream(path: Path, page: int) -> Path:
    """Overwrite the middle of a page's compressed content stream with other valid ASCII85 text
    (same length, so the cross-reference table stays right): the Flate data inside is damaged."""
    data = bytearray(path.read_bytes())
    obj = re.search(rb"\n%d 0 obj" % _content_object(path, page), data)
    assert obj is not None
    start = re.compile(rb"stream\r?\n").search(data, obj.end())
    assert start is not None
    middle = start.end() + 40
    data[middle : middle + 40] = b"!" * 40
    path.write_bytes(bytes(data))
    return path


def _garbage_stream(path: Path, page: int) -> Path:
    """Replace an uncompressed page content stream by punctuation garbage of the same length."""
    path = _agenda_pdf(path, compressed=False)
    data = bytearray(path.read_bytes())
    obj = re.search(rb"\n%d 0 obj" % _content_object(path, page), data)
    assert obj is not None
    body = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL).search(data, obj.end())
    assert body is not None
    start, end = body.span(1)
    data[start:end] = bytes(b"()<>[]{}/%"[k % 10] for k in range(end - start))
    path.write_bytes(bytes(data))
    return path


def _contents_not_a_stream(path: Path, page: int) -> Path:
    """Point a page's /Contents at the document catalog (object 1): no content stream at all."""
    data = path.read_bytes()
    number = _content_object(path, page)
    old = b"/Contents %d 0 R" % number
    new = b"/Contents " + b"1".rjust(len(str(number)), b" ") + b" 0 R"
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    return path


@pytest.fixture(params=["pdfium", "pdfplumber"])
def char_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ARKIV_PDF_CHARS", request.param)
    return str(request.param)


@pytest.mark.parametrize(
    "damage",
    [_damage_stream, _contents_not_a_stream, _garbage_stream],
    ids=["damaged-flate", "not-a-stream", "garbage"],
)
def test_a_damaged_page_is_recorded_and_the_good_pages_are_kept(damage, char_source: str, tmp_path: Path) -> None:
    path = damage(_agenda_pdf(tmp_path / "dagsorden.pdf"), 3)
    record = parse_file(path)
    assert record.status == "partial"
    (problem,) = [p for p in record.problems if p.code == PAGE_ERROR]
    assert problem.page == 3
    assert problem.message.startswith("page 3 of 6: ")
    (meeting,) = record.meetings
    good = [n for n in range(1, PAGES + 1) if n != 3]
    assert [i.number for i in meeting.items] == good
    assert [[c.raw for c in i.case_numbers] for i in meeting.items] == [[f"25/{4000 + n}"] for n in good]


def test_an_intact_file_has_no_page_problem(tmp_path: Path) -> None:
    path = _agenda_pdf(tmp_path / "dagsorden.pdf")
    assert damaged_pages(path) == {}
    record = parse_file(path)
    assert (record.status, record.problems) == ("ok", ())
    assert len(record.meetings[0].items) == PAGES


def test_no_readable_page_at_all_is_a_corrupt_file(tmp_path: Path) -> None:
    path = _agenda_pdf(tmp_path / "dagsorden.pdf")
    for page in range(1, PAGES + 1):
        _contents_not_a_stream(path, page)
    with pytest.raises(CorruptFile, match=r"no page can be read; page 1: "):
        parse_file(path)


def test_parse_json_and_status_name_the_damaged_page(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _damage_stream(_agenda_pdf(src / "skadet.pdf"), 3)
    _agenda_pdf(src / "hel.pdf")
    runner = CliRunner()
    parsed = runner.invoke(cli, ["parse", str(src / "skadet.pdf"), "--json"])
    assert parsed.exit_code == 0, parsed.output
    record = json.loads(parsed.stdout)
    assert record["status"] == "partial"
    assert [(p["code"], p["page"]) for p in record["problems"]] == [(PAGE_ERROR, 3)]
    archive = tmp_path / "arkiv"
    ingest = runner.invoke(cli, ["ingest", str(src), "--archive", str(archive), "--quiet", "--no-index"])
    assert ingest.exit_code == 0, ingest.output
    status = runner.invoke(cli, ["status", "--archive", str(archive), "--json"])
    suspicious = json.loads(status.stdout)["suspicious"]
    assert [(Path(r["path"]).name, r["code"]) for r in suspicious] == [("skadet.pdf", "unreadable-pages")]
    assert "page 3 could not be read" in suspicious[0]["problem"]
