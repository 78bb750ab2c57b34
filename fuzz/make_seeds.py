"""Build the seed corpus under ``fuzz/corpus/<target>/``: small real files and truncated variants.

The seeds are committed; run this again only to change them (``python fuzz/make_seeds.py``). Sources:
the smallest documents of ``corpus/sample``, the test fixtures' generated PDF/DOCX files, hand-written
HTML pages and minimal DOCX packages, and zips holding them.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures import make_files  # noqa: E402

CORPUS = ROOT / "fuzz" / "corpus"
SAMPLE = ROOT / "corpus" / "sample"
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)

HTML_PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Økonomiudvalget</title>
<style>p { color: red }</style><script>var punkt = "1. Skjult";</script></head>
<body><nav><ul><li>Dagsordener</li></ul></nav>
<h1>Økonomiudvalget</h1><p>Referat</p><p>Mødedato: 3. marts 2025 kl. 16:00</p>
<h2>1. Godkendelse af dagsorden</h2><p>Sagsnr.: 25/001234</p><h3>Beslutning</h3><p>Godkendt.</p>
<h2>2. Salg af grund &ndash; Lukket</h2><p>Punktet er lukket.</p>
<h2>3. Budget 2026</h2><ol><li>at budgettet godkendes</li></ol>
<table><tr><td>2026</td><td>1.000</td></tr></table><p>Borger CPR 010190&#8211;1234</p>
</body></html>
"""
HTML_TABLE_PAGE = """<html><body><table><tr><td><span>5.</span></td><td><div>Lukket punkt</div>
<p>Sagsnr. 2016-003798</p></td></tr><tr><td>6.</td><td>Fortroligt punkt: Personalesag</td></tr></table>
<pre>Punkt 7   Godkendt</pre></body></html>
"""

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _paragraph(text: str, bold: bool = False) -> str:
    run_props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f"<w:p><w:r>{run_props}<w:t>{text}</w:t></w:r></w:p>"


def minimal_docx(paragraphs: list[tuple[str, bool]], table_rows: list[tuple[str, str]] | None = None) -> bytes:
    """A DOCX package with only the parts Word needs: content types, relationships, the document."""
    cells = [f"<w:tc>{_paragraph(a)}</w:tc><w:tc>{_paragraph(b)}</w:tc>" for a, b in table_rows or []]
    rows = "".join(f"<w:tr>{c}</w:tr>" for c in cells)
    table = f"<w:tbl>{rows}</w:tbl>" if rows else ""
    body = "".join(_paragraph(t, b) for t, b in paragraphs) + table
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{body}</w:body></w:document>'
    parts: list[tuple[str, str | bytes]] = [("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS)]
    return _zip_bytes([*parts, ("word/document.xml", document)])


def _zip_bytes(members: list[tuple[str, str | bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate member names are wanted in a hostile seed
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data, compress_type=compression)
    return out.getvalue()


def _smallest(pattern: str, count: int) -> list[Path]:
    return sorted(SAMPLE.rglob(pattern), key=lambda p: (p.stat().st_size, p.name))[:count]


def _write(target: str, name: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def pdf_seeds(tmp: Path) -> dict[str, bytes]:
    seeds = {f"sample-{p.stem[-5:]}.pdf": p.read_bytes() for p in _smallest("*.pdf", 3)}
    seeds["meeting.pdf"] = make_files.make_meeting_pdf(tmp / "m.pdf", pages=1, items_per_page=2).read_bytes()
    seeds["encrypted.pdf"] = make_files.make_encrypted_pdf(tmp / "e.pdf").read_bytes()
    seeds["zero-pages.pdf"] = make_files.make_zero_page_pdf(tmp / "z.pdf").read_bytes()
    seeds["truncated-half.pdf"] = seeds["meeting.pdf"][: len(seeds["meeting.pdf"]) // 2]
    seeds["truncated-tail.pdf"] = seeds["meeting.pdf"][:-40]
    return seeds


def docx_seeds(tmp: Path) -> dict[str, bytes]:
    meeting = [
        ("Økonomiudvalget", True),
        ("Referat", True),
        ("Mødedato: 11. september 2023", False),
        ("1. Godkendelse af dagsorden", True),
        ("Sagsnr.: 22/23184", False),
        ("Beslutning", True),
        ("Godkendt.", False),
        ("2. Køb af ejendom – Lukket", True),
        ("Punktet er lukket.", False),
    ]
    seeds = {
        "minimal-meeting.docx": minimal_docx(meeting, [("3.", "Budget 2026"), ("4.", "Eventuelt")]),
        "minimal-empty.docx": minimal_docx([]),
        "fixture-meeting.docx": make_files.make_meeting_docx(tmp / "m.docx").read_bytes(),
        "zip-not-docx.docx": make_files.make_zip_not_docx(tmp / "z.docx").read_bytes(),
    }
    seeds["truncated.docx"] = seeds["minimal-meeting.docx"][: len(seeds["minimal-meeting.docx"]) // 2]
    return seeds


def html_seeds() -> dict[str, bytes]:
    return {
        "meeting.html": HTML_PAGE.encode("utf-8"),
        "table.html": HTML_TABLE_PAGE.encode("utf-8"),
        "latin1.html": HTML_PAGE.replace("utf-8", "iso-8859-1").encode("latin-1", errors="replace"),
        "utf16.html": HTML_TABLE_PAGE.encode("utf-16"),
        "truncated.html": HTML_PAGE.encode("utf-8")[:300],
    }


def zip_seeds(pdf: dict[str, bytes], html: dict[str, bytes], docx: dict[str, bytes]) -> dict[str, bytes]:
    small_pdf = min(pdf.values(), key=len)
    members: list[tuple[str, str | bytes]] = [
        ("2023/referat.pdf", small_pdf),
        ("2023/side.html", html["table.html"]),
        ("2023/notat.docx", docx["minimal-meeting.docx"]),
        ("readme.txt", "ikke et dokument"),
    ]
    hostile: list[tuple[str, str | bytes]] = [
        ("../udenfor.html", html["table.html"]),
        ("/absolut.html", html["table.html"]),
        ("dobbelt.html", html["table.html"]),
        ("dobbelt.html", html["truncated.html"]),
        ("indre.zip", _zip_bytes([("a.html", html["table.html"])])),
    ]
    plain = _zip_bytes(members)
    return {
        "folder.zip": plain,
        "stored.zip": _zip_bytes(members, zipfile.ZIP_STORED),
        "hostile-names.zip": _zip_bytes(hostile),
        "truncated.zip": plain[: len(plain) // 2],
    }


def main() -> None:
    shutil.rmtree(CORPUS, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pdf, docx, html = pdf_seeds(tmp), docx_seeds(tmp), html_seeds()
    for target, seeds in (("pdf", pdf), ("docx", docx), ("html", html), ("zip", zip_seeds(pdf, html, docx))):
        for name, data in seeds.items():
            _write(target, name, data)
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    print(f"{CORPUS}: {sum(1 for p in CORPUS.rglob('*') if p.is_file())} seeds, {total / 1024:.0f} KB")


if __name__ == "__main__":
    main()
