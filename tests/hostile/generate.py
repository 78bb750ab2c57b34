"""Hostile inputs for an import: broken, huge, tricky and malicious files, each with what must happen to it.

    python tests/hostile/generate.py OUT [--bomb-mb 4096] [--table-rows 50000]

writes the whole set into the folder OUT and prints one line per file. ``build(folder)`` does the same
from a test and returns the list of ``Case`` objects: the file's name, whether it is a good document
that must be imported or a bad one that must be quarantined or flagged with a reason, and what it tests.

Everything is generated (reportlab, raw DOCX/zip packages); the zip and DOCX bombs are written
streaming, so a multi-gigabyte member never exists in memory or on disk.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # run as a script: the fixtures package sits beside this one, as under pytest
    sys.path.insert(0, _TESTS)
from fixtures import make_files  # noqa: E402

PAGE_W, PAGE_H = A4
Expect = Literal["good", "bad", "flagged"]
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)

# the closed-item markers of issue 8, each in the title or body of item 2..6 of closed-markers.pdf
CLOSED_TITLES = {
    2: "Køb af ejendom \u2013 Lukket",
    3: "Fortroligt punkt: Personalesag",
    4: "Salg af grund",  # "Punktet er lukket" in the body
    5: "Erstatningssag",  # "Lukket møde" in the body
    6: "Lukket punkt: Udbud af rengøring",
}
CLOSED_BODY_MARKERS = {4: "Punktet er lukket.", 5: "Lukket møde"}
CPR_DASHES = {"hyphen": "-", "en dash": "\u2013", "non-breaking hyphen": "\u2011", "none": ""}
CPR_CASE = "24/99117"
REPEATED_WORD = "sygefraværsindsats"


@dataclass(frozen=True)
class Case:
    """One hostile input. ``name`` is relative to the output folder (bytes for a non-UTF-8 name)."""

    name: str | bytes
    expect: Expect  # good: imported with a record; bad: quarantined with a reason; flagged: either, never silent
    what: str
    zip_members: int = 0  # for a zip: document members the import must count (each a catalog entry)
    slow: bool = False

    @property
    def display(self) -> str:
        return self.name if isinstance(self.name, str) else os.fsdecode(self.name)


@dataclass(frozen=True)
class Settings:
    bomb_mb: int = 4096  # uncompressed size of the zip bomb's member (the DOCX bomb is a quarter of it)
    table_rows: int = 50_000
    repeat: int = 100_000
    same_place_pages: int = 300


# ---------------------------------------------------------------------------
# PDFs
# ---------------------------------------------------------------------------


def _meeting_pdf(path: Path, items: list[tuple[str, list[str]]], *, head: str = "Økonomiudvalget") -> Path:
    """A one-meeting referat: a head, then "N. Title" items with their body lines, pages as needed."""
    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    y = PAGE_H - 70
    c.setFont("Helvetica-Bold", 16)
    c.drawString(56, y, head)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(56, y - 22, "Referat")
    c.setFont("Helvetica", 10)
    c.drawString(56, y - 44, "Mødedato: 11. september 2023")
    c.drawString(56, y - 58, "Mødetid: kl. 09:00 - 11:00")
    y -= 90
    for title, lines in items:
        if y < 120:
            c.showPage()
            y = PAGE_H - 70
        c.setFont("Helvetica-Bold", 12)
        c.drawString(56, y, title)
        y -= 18
        c.setFont("Helvetica", 10)
        for line in lines:
            if y < 60:
                c.showPage()
                y = PAGE_H - 70
            c.drawString(56, y, line)
            y -= 13
        y -= 12
    c.showPage()
    c.save()
    return path


def closed_markers_pdf(path: Path) -> Path:
    items = [("1. Sygefravær i forvaltningen", ["Sygefraværet er faldet.", "Beslutning", "Godkendt."])]
    for number, title in CLOSED_TITLES.items():
        body = [CLOSED_BODY_MARKERS[number]] if number in CLOSED_BODY_MARKERS else []
        items.append((f"{number}. {title}", [*body, "Forvaltningen orienterede."]))
    items.append(("7. Eventuelt", ["Intet.", "Beslutning", "Taget til efterretning."]))
    return _meeting_pdf(path, items)


def cpr_pdf(path: Path) -> Path:
    lines = [f"Sagsnr.: {CPR_CASE}", "Beslutning", "Godkendt."]
    for label, dash in CPR_DASHES.items():
        lines.insert(1, f"Borger med CPR-nr. 0101{90 + len(label) % 9}{dash}1234 ({label}).")
    title = "1. Klage fra borger 010190\u20131234 over afgørelse"
    return _meeting_pdf(path, [(title, lines), ("2. Eventuelt", ["Intet."])])


def damaged_stream_pdf(path: Path) -> Path:
    """A three-page referat whose second page content stream is garbage of the same length."""
    items = [(f"{n}. Punkt om budgettet nummer {n}", ["Budgettet blev drøftet.", "Beslutning", "Godkendt."] * 8)
             for n in range(1, 10)]  # fmt: skip
    _meeting_pdf(path, items)
    data = bytearray(path.read_bytes())
    streams = [m.span(1) for m in re.finditer(rb"stream\r?\n(.*?)endstream", bytes(data), re.DOTALL)]
    page_streams = [s for s in streams if b"BT" in data[s[0] : s[1]]]
    if len(page_streams) < 2:
        raise RuntimeError("the generated PDF has fewer than two page content streams")
    start, end = page_streams[1]
    rng = random.Random(8)
    data[start:end] = bytes(rng.choice(b"()<>[]{}/%\\\x00\xff") for _ in range(end - start))
    path.write_bytes(bytes(data))
    return path


def same_place_pdf(path: Path, pages: int) -> Path:
    """One item per page, its heading at exactly the same place on every page (not a running header)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, pages + 1):
        if page == 1:
            c.setFont("Helvetica-Bold", 16)
            c.drawString(56, PAGE_H - 40, "Byrådet")
            c.setFont("Helvetica", 10)
            c.drawString(56, PAGE_H - 56, "Referat - Mødedato: 11. september 2023")
        c.setFont("Helvetica-Bold", 12)
        c.drawString(56, PAGE_H - 90, f"{page}. Anlægsbevilling til projekt {page}")
        c.setFont("Helvetica", 10)
        c.drawString(56, PAGE_H - 110, f"Bevillingen til projekt nummer {page} blev godkendt.")
        c.showPage()
    c.save()
    return path


def random_bytes(path: Path, size: int, seed: int) -> Path:
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


# ---------------------------------------------------------------------------
# DOCX and HTML
# ---------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_DOC_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document '
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_DOC_CLOSE = "</w:body></w:document>"


def _p(text: str, bold: bool = False) -> str:
    return f'<w:p><w:r>{"<w:rPr><w:b/></w:rPr>" if bold else ""}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


_HEAD = _p("Teknik- og Miljøudvalget", True) + _p("Referat", True) + _p("Mødedato: 11. september 2023")


def _docx(path: Path, chunks: Callable[[], object], *, level: int = 6) -> Path:
    """A DOCX package whose document.xml is written from an iterator of strings, streaming."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", _FIXED_TIME), _CONTENT_TYPES)
        zf.writestr(zipfile.ZipInfo("_rels/.rels", _FIXED_TIME), _RELS)
        info = zipfile.ZipInfo("word/document.xml", _FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            for chunk in chunks():  # type: ignore[attr-defined]
                out.write(chunk.encode("utf-8"))
    return path


def big_table_docx(path: Path, rows: int) -> Path:
    """An item with a table of ``rows`` rows, each naming a case, an amount, a date and a person."""

    def chunks() -> object:
        yield _DOC_OPEN + _HEAD + _p("1. Oversigt over tilskud", True) + _p("Sagsnr.: 23/40001") + "<w:tbl>"
        for n in range(rows):
            day = f"{1 + n % 28}. marts 2023"
            cells = (f"23/{10000 + n}", f"{1000 + n}.000 kr.", day, f"Sagsbehandler: Anne Holm{n}")
            yield "<w:tr>" + "".join(f"<w:tc>{_p(c)}</w:tc>" for c in cells) + "</w:tr>"
        yield "</w:tbl>" + _p("Beslutning", True) + _p("Godkendt.") + _DOC_CLOSE

    return _docx(path, chunks)


def docx_bomb(path: Path, megabytes: int) -> Path:
    """A DOCX of a few MB whose document.xml unpacks to ``megabytes`` MB of paragraphs."""
    paragraph = _p("bombe")
    block = paragraph * ((1 << 20) // len(paragraph))

    def chunks() -> object:
        yield _DOC_OPEN + _HEAD
        for _ in range(megabytes):
            yield block
        yield _DOC_CLOSE

    return _docx(path, chunks, level=9)


def repeated_word_html(path: Path, repeat: int) -> Path:
    words = (REPEATED_WORD + " ") * repeat
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><h1>Direktionen</h1><p>Referat</p>"
        f"<p>Mødedato: 11. september 2023</p><h2>1. Sygefravær</h2><p>{words}</p><h3>Beslutning</h3><p>Godkendt.</p>"
        "<h2>2. Eventuelt</h2><p>Intet.</p></body></html>",
        encoding="utf-8",
    )
    return path


JUNK_WORD = "skjultscriptord"


def junk_html(path: Path) -> Path:
    junk = f"<script>var {JUNK_WORD} = '1. Punkt i script';</script><style>.{JUNK_WORD} {{}}</style>" * 200
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{junk}</head><body>{junk}<h1>Byrådet</h1><p>Referat</p>"
        "<p>Mødedato: 2. oktober 2023</p><h2>1. Skolestruktur</h2><p>Skolestrukturen blev drøftet.</p>"
        f"<h3>Beslutning</h3><p>Godkendt.</p>{junk}<noscript>{JUNK_WORD}</noscript></body></html>",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------
# Zips
# ---------------------------------------------------------------------------


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A zip whose one member unpacks to ``megabytes`` MB of zeros (4096: about 4 MB on disk)."""
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        info = zipfile.ZipInfo("referat.pdf", _FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            for _ in range(megabytes):
                out.write(zeros)
    return path


def hostile_names_zip(path: Path, good_html: bytes, other_html: bytes) -> Path:
    """Members named ``../x``, ``/abs/x`` and the same name twice with different content."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the duplicate name is the point
        zf.writestr(zipfile.ZipInfo("../udenfor-arkivet.html", _FIXED_TIME), good_html)
        zf.writestr(zipfile.ZipInfo("/absolut/sti.html", _FIXED_TIME), good_html)
        zf.writestr(zipfile.ZipInfo("mappe/../../op-og-ud.html", _FIXED_TIME), good_html)
        zf.writestr(zipfile.ZipInfo("dobbelt.html", _FIXED_TIME), good_html)
        zf.writestr(zipfile.ZipInfo("dobbelt.html", _FIXED_TIME), other_html)
    return path


def nested_zip(path: Path, pdf: bytes) -> Path:
    inner = path.with_suffix(".inner")
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(zipfile.ZipInfo("indre/referat.pdf", _FIXED_TIME), pdf)
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(inner, "indre.zip")
        zf.writestr(zipfile.ZipInfo("ydre/referat.pdf", _FIXED_TIME), pdf)
    inner.unlink()
    return path


# ---------------------------------------------------------------------------
# The set
# ---------------------------------------------------------------------------


def _simple_html(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><body><h1>Økonomiudvalget</h1><p>Referat</p><p>Mødedato: 4. marts 2024</p>"
        f"<h2>1. {title}</h2><p>{body}</p><h3>Beslutning</h3><p>Godkendt.</p></body></html>"
    ).encode()


def build(out: Path, settings: Settings | None = None) -> list[Case]:
    """Write every hostile input into ``out`` (created) and return what must happen to each."""
    s = settings or Settings()
    out.mkdir(parents=True, exist_ok=True)
    meeting = make_files.make_meeting_pdf(out / "god-referat.pdf", pages=2)
    cases = [Case("god-referat.pdf", "good", "a plain generated referat (reference)")]

    make_files.make_truncated_pdf(out / "afkortet.pdf", meeting)
    random_bytes(out / "tilfaeldig.pdf", 20_000, seed=1)
    (out / "tom.pdf").write_bytes(b"")
    make_files.make_encrypted_pdf(out / "krypteret.pdf")
    make_files.make_zero_page_pdf(out / "nul-sider.pdf")
    random_bytes(out / "tilfaeldig.docx", 20_000, seed=2)
    make_files.make_truncated_docx(out / "afkortet.docx", make_files.make_meeting_docx(out / "kilde.docx"))
    (out / "kilde.docx").unlink()
    make_files.make_zip_not_docx(out / "zip-ikke-docx.docx")
    random_bytes(out / "tilfaeldig.html", 5_000, seed=3)
    (out / "pdf-header-only.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    cases += [
        Case("afkortet.pdf", "bad", "the first third of a PDF"),
        Case("tilfaeldig.pdf", "bad", "20 kB of random bytes named .pdf"),
        Case("tom.pdf", "bad", "an empty file"),
        Case("krypteret.pdf", "bad", "a password-protected PDF"),
        Case("nul-sider.pdf", "bad", "a PDF with no pages"),
        Case("pdf-header-only.pdf", "bad", "a PDF header and nothing else"),
        Case("tilfaeldig.docx", "bad", "random bytes named .docx"),
        Case("afkortet.docx", "bad", "the first half of a DOCX"),
        Case("zip-ikke-docx.docx", "bad", "a zip without word/document.xml"),
        Case("tilfaeldig.html", "bad", "random bytes named .html"),
    ]

    damaged_stream_pdf(out / "oedelagt-side.pdf")
    closed_markers_pdf(out / "lukkede-punkter.pdf")
    cpr_pdf(out / "cpr-numre.pdf")
    junk_html(out / "script-og-style.html")
    repeated_word_html(out / "gentaget-ord.html", s.repeat)
    same_place_pdf(out / "samme-sted.pdf", s.same_place_pages)
    big_table_docx(out / "stor-tabel.docx", s.table_rows)
    docx_bomb(out / "docx-bombe.docx", max(s.bomb_mb // 4, 1))
    cases += [
        Case("oedelagt-side.pdf", "flagged", "page 2's content stream is garbage: a problem or quarantine"),
        Case("lukkede-punkter.pdf", "good", "closed markers of every kind"),
        Case("cpr-numre.pdf", "good", "CPR numbers with hyphen, en dash, non-breaking hyphen and no dash"),
        Case("script-og-style.html", "good", "script/style junk around a meeting page"),
        Case("gentaget-ord.html", "good", f"one word repeated {s.repeat} times in one item", slow=True),
        Case("samme-sted.pdf", "good", f"{s.same_place_pages} pages, one item per page at the same place", slow=True),
        Case("stor-tabel.docx", "good", f"a {s.table_rows}-row table full of entities", slow=True),
        Case("docx-bombe.docx", "bad", f"a DOCX whose document.xml unpacks to {max(s.bomb_mb // 4, 1)} MB", slow=True),
    ]

    zip_bomb(out / "zip-bombe.zip", s.bomb_mb)
    hostile_names_zip(out / "farlige-navne.zip", _simple_html("Vejbelysning", "Lamperne skiftes."), _simple_html(
        "Cykelsti", "Stien anlægges."))  # fmt: skip
    nested_zip(out / "indlejret.zip", meeting.read_bytes())
    cases += [
        Case("zip-bombe.zip", "bad", f"a zip member that unpacks to {s.bomb_mb} MB of zeros", zip_members=1, slow=True),
        Case("farlige-navne.zip", "flagged", "members named ../x, /abs/x and a duplicate name", zip_members=5),
        Case("indlejret.zip", "flagged", "a zip inside a zip beside a plain member", zip_members=2),
    ]

    latin1 = os.fsencode(out) + b"/m\xf8de-referat-\xe6\xf8\xe5.pdf"
    with open(latin1, "wb") as f:
        f.write(meeting.read_bytes())
    cases.append(Case(b"m\xf8de-referat-\xe6\xf8\xe5.pdf", "good", "a file name in Latin-1, not UTF-8"))
    return cases


def make_fifo(path: Path) -> Path:
    """A named pipe with a document's name (opening it for reading blocks until a writer comes)."""
    os.mkfifo(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the hostile input set into a folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--bomb-mb", type=int, default=Settings.bomb_mb)
    parser.add_argument("--table-rows", type=int, default=Settings.table_rows)
    parser.add_argument("--repeat", type=int, default=Settings.repeat)
    parser.add_argument("--pages", type=int, default=Settings.same_place_pages)
    parser.add_argument("--fifo", action="store_true", help="also make a named pipe 'roer.pdf'")
    args = parser.parse_args(argv)
    cases = build(args.out, Settings(args.bomb_mb, args.table_rows, args.repeat, args.pages))
    if args.fifo:
        make_fifo(args.out / "roer.pdf")
    for case in cases:
        size = os.path.getsize(os.path.join(os.fsencode(args.out), os.fsencode(case.name)))
        print(f"{case.expect:8} {size:>10}  {case.display}: {case.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
