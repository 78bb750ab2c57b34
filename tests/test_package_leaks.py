"""No closed text and (with --redact) no CPR number leaves an aktindsigt package, whatever the path.

Real PDF, DOCX and HTML files are written with the project's own writers,
ingested and indexed with ``arkiv ingest``, and packed with ``arkiv
aktindsigt`` in every mode. The whole output tree is then read back (file
names, every file decoded, XLSX/DOCX unzipped, PDF text and metadata) and
searched for the planted tokens.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from corpus.generator.docx_render import render_docx
from corpus.generator.layout import Element, Para, RunningText
from corpus.generator.pdf_render import render_pdf
from search_cli.cli import cli

CASE = "22/23184"
QUERY = "vandværk"

# CPR numbers, valid per the recogniser, printed with every dash variant; one per field
CPR_BY_FIELD = {
    "meeting title": "010203-1234",
    "meeting body": "020304\u20131234",  # en dash
    "participants": "030405\u20141234",  # em dash
    "item title": "040506\u22121234",  # minus sign
    "case-number line": "050607\u20111234",  # non-breaking hyphen
    "background": "060708\u20121234",  # figure dash
    "recommendation": "070809\u20101234",  # hyphen
    "decision": "080910\u00ad1234",  # soft hyphen
    "bilag title": "091011\u2009\u2013\u20091234",  # thin spaces around an en dash
    "closed item": "101112\u00a0-\u00a01234",  # no-break spaces around a hyphen
    "document text": "111213-2345",
    "file name": "121214-2345",
    "bilag file": "141213-2345",  # in the text of a bilag file linked to the open item
}

# (marker, title, line inside the item): every way an item can be marked closed
CLOSED_MARKERS = {
    "lukket punkt line": ("Personalesag", "Lukket punkt"),
    "(lukket) title": ("Ansættelse (lukket)", ""),
    "lukket: title": ("Lukket: Erstatningssag", ""),
    "lukkede punkter group": ("Grundsalg", ""),
    "punktet er lukket inside": ("Tjenstlig samtale", "Punktet er lukket"),
    "– lukket title": ("Afskedigelse \u2013 Lukket", ""),
    "fortroligt punkt title": ("Fortroligt punkt: Forlig med medarbejder", ""),
}
SECRET_BY_MARKER = {marker: f"HEMMELIGQX{n}" for n, marker in enumerate(CLOSED_MARKERS, 1)}
DOCUMENT_SECRET = "HEMMELIGQXDOK"  # in a whole non-meeting document marked "FORTROLIGT"
BILAG_SECRET = "HEMMELIGQXBILAG"  # in the bilag file of a closed item (the file names the case, too)
OPEN_BILAG = ("Bilag 2: Borgerens henvendelse", "borgerens_henvendelse.docx")
CLOSED_BILAG = ("Bilag 1: Redegørelse om personalesagen", "Redegørelse om personalesagen.pdf")


@dataclass(frozen=True)
class _Item:
    number: int
    title: str
    lines: list[tuple[str, str]]  # (style, text): "h2" section headings and "body" lines


def _items() -> list[_Item]:
    cpr = CPR_BY_FIELD
    items = [
        _Item(
            1,
            f"Klage over {QUERY} fra borger {cpr['item title']}",
            [
                ("body", f"Sagsnr.: {CASE} vedr. CPR-nr. {cpr['case-number line']}"),
                ("h2", "Baggrund"),
                ("body", f"Borgeren {cpr['background']} klager over {QUERY}et."),
                ("h2", "Indstilling"),
                ("body", f"Forvaltningen indstiller, at klagen fra {cpr['recommendation']} afvises."),
                ("h2", "Beslutning"),
                ("body", f"Godkendt. Svar sendes til {cpr['decision']}."),
                ("h2", "Bilag"),
                ("body", f"Bilag 1: Klage fra {cpr['bilag title']}"),
                ("body", OPEN_BILAG[0]),
            ],
        )
    ]
    for n, (marker, (title, line)) in enumerate(CLOSED_MARKERS.items(), 2):
        lines = [("body", f"Sagsnr.: {CASE}")]
        if marker == "lukket punkt line":
            lines.append(("body", line))
        lines += [("h2", "Baggrund"), ("body", f"Om {QUERY} og {SECRET_BY_MARKER[marker]} {cpr['closed item']}.")]
        if marker == "punktet er lukket inside":
            lines.append(("body", line))
        lines += [("h2", "Beslutning"), ("body", f"Drøftet {SECRET_BY_MARKER[marker]}.")]
        if marker == "lukket punkt line":
            lines += [("h2", "Bilag"), ("body", CLOSED_BILAG[0])]
        items.append(_Item(n, title, lines))
    return items


def _head(fmt: str) -> list[tuple[str, str]]:
    cpr = CPR_BY_FIELD
    return [
        ("title", f"Referat Teknisk Udvalg ({fmt}) {cpr['meeting title']}"),
        ("body", "Mødedato: 11. september 2023 kl. 09:00"),
        ("body", "Mødested: Rådhuset"),
        ("body", f"Mødedeltagere: Lars Holte, Anne Hansen (CPR {cpr['participants']})"),
        ("body", f"Borger {cpr['meeting body']} har bedt om aktindsigt i {QUERY}."),
    ]


def _elements(fmt: str) -> list[Element]:
    out: list[Element] = [Para(text, "title" if style == "title" else "body") for style, text in _head(fmt)]
    for k, item in enumerate(_items()):
        tag = (0, k)
        if item.title == CLOSED_MARKERS["lukkede punkter group"][0]:
            out.append(Para("Lukkede punkter", "subtitle"))
        # the closed items start on a new page: the open item's page can be cut out of the PDF
        out.append(Para(f"Punkt {item.number}: {item.title}", "h1", tag=tag, page_break_before=k == 1))
        out += [Para(text, "h2" if style == "h2" else "body", tag=tag) for style, text in item.lines]
    return out


def _html_page() -> str:
    parts = ['<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Referat</title></head><body>']
    for style, text in _head("html"):
        parts.append(f"<h1>{html.escape(text)}</h1>" if style == "title" else f"<p>{html.escape(text)}</p>")
    for item in _items():
        if item.title == CLOSED_MARKERS["lukkede punkter group"][0]:
            parts.append("<h2>Lukkede punkter</h2>")
        parts.append(f"<h2>Punkt {item.number}: {html.escape(item.title)}</h2>")
        for style, text in item.lines:
            parts.append(f"<h3>{html.escape(text)}</h3>" if style == "h2" else f"<p>{html.escape(text)}</p>")
    return "".join(parts) + "</body></html>\n"


def _write_sources(src: Path) -> None:
    running = RunningText(header_left="Teknisk Udvalg", footer_right="Side {page}")
    file_cpr = CPR_BY_FIELD["file name"]
    render_pdf(_elements("pdf"), src / f"referat_pdf_{file_cpr}.pdf", running, title="Referat")
    render_docx(_elements("docx"), src / "referat_docx.docx", running, title="Referat", date="2023-09-11")
    (src / "referat_html.html").write_text(_html_page(), encoding="utf-8")
    notat = [
        Para(f"Notat om sag {CASE}", "title"),
        Para(f"Notatet vedrører {QUERY} og borger {CPR_BY_FIELD['document text']}.", "body"),
    ]
    render_docx(notat, src / "notat.docx", title="Notat")
    fortroligt = [
        Para(f"Notat om sag {CASE}", "title"),
        Para("FORTROLIGT", "bold"),
        Para(f"Oplysninger om {QUERY}: {DOCUMENT_SECRET}.", "body"),
    ]
    render_docx(fortroligt, src / "fortroligt_notat.docx", title="Notat")
    henvendelse = [Para("Henvendelse", "title"), Para(f"Borger {CPR_BY_FIELD['bilag file']} skriver om {QUERY}.")]
    render_docx(henvendelse, src / OPEN_BILAG[1], title="Henvendelse")
    redegoerelse = [Para("Redegørelse", "title"), Para(f"Sag {CASE}: {BILAG_SECRET} om {QUERY}.", "body")]
    render_pdf(redegoerelse, src / CLOSED_BILAG[1], title="Redegørelse")


# ---------------------------------------------------------------------------
# Reading a package back, everything in it
# ---------------------------------------------------------------------------


def _pdf_texts(data: bytes) -> Iterator[str]:
    pdf = pypdfium2.PdfDocument(data)
    try:
        yield "\n".join(str(v) for v in pdf.get_metadata_dict().values())
        for page in pdf:
            textpage = page.get_textpage()
            yield textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        pdf.close()


def _decoded(path: Path) -> Iterator[str]:
    data = path.read_bytes()
    yield data.decode("utf-8", "replace")
    yield data.decode("latin-1")
    if data[:2] == b"PK":
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                yield name
                part = zf.read(name)
                for sep in (b"", b" "):
                    yield re.sub(rb"<[^>]+>", sep, part).decode("utf-8", "replace")
    if data[:5] == b"%PDF-":
        yield from _pdf_texts(data)


def package_texts(out: Path) -> str:
    """Every file name and every decoded byte of a package, as one text."""
    parts: list[str] = []
    for path in sorted(out.rglob("*")):
        parts.append(str(path.relative_to(out)))
        if path.is_file():
            parts += list(_decoded(path))
    return html.unescape("\n".join(parts))


def _cpr_pattern(cpr: str) -> re.Pattern[str]:
    digits = "".join(c for c in cpr if c.isdigit())
    return re.compile(rf"{digits[:6]}\D{{0,3}}{digits[6:]}")


def cprs_in(text: str) -> list[str]:
    return [field for field, cpr in CPR_BY_FIELD.items() if _cpr_pattern(cpr).search(text)]


# ---------------------------------------------------------------------------
# The archive and the packages
# ---------------------------------------------------------------------------

MODES: dict[str, list[str]] = {
    "case": ["--case", CASE],
    "case redact": ["--case", CASE, "--redact"],
    "case redact no-sources": ["--case", CASE, "--redact", "--no-sources"],
    "case no-sources": ["--case", CASE, "--no-sources"],
    "case include-closed": ["--case", CASE, "--include-closed"],
    "case include-closed redact": ["--case", CASE, "--include-closed", "--redact"],
    "query": [QUERY],
    "query redact": [QUERY, "--redact"],
    "query redact no-sources": [QUERY, "--redact", "--no-sources"],
    "query include-closed redact": [QUERY, "--include-closed", "--redact"],
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("kilder")
    _write_sources(src)
    archive = tmp_path_factory.mktemp("arkiv")
    runner = CliRunner()
    ingested = runner.invoke(cli, ["ingest", str(src), "--archive", str(archive), "--jobs", "1", "--no-index"])
    assert ingested.exit_code == 0, ingested.output
    indexed = runner.invoke(cli, ["index", "--archive", str(archive)])
    assert indexed.exit_code == 0, indexed.output
    root = tmp_path_factory.mktemp("pakker")
    out: dict[str, Path] = {}
    for mode, args in MODES.items():
        target = root / mode.replace(" ", "_")
        result = runner.invoke(cli, ["aktindsigt", *args, "--archive", str(archive), "--out", str(target), "-q"])
        assert result.exit_code == 0, f"{mode}: {result.output}"
        out[mode] = target
    return out


@pytest.fixture(scope="module")
def texts(packages: dict[str, Path]) -> dict[str, str]:
    return {mode: package_texts(path) for mode, path in packages.items()}


def test_every_format_and_item_reaches_the_package(packages: dict[str, Path], texts: dict[str, str]) -> None:
    """The planted text is really there to be leaked: the open item of every format is written,
    the closed items are listed, and without --redact the CPR numbers of the open item are in its text."""
    import pandas as pd

    for mode in ("case", "query"):
        sheet = pd.read_csv(packages[mode] / "aktliste.csv", dtype=str, keep_default_na=False)
        sources = " ".join(sheet["Kildefil"])
        assert all(name in sources for name in ("referat_pdf_", "referat_docx", "referat_html", "fortroligt_notat"))
        assert len(sheet) >= 3 * (1 + len(CLOSED_MARKERS)) + 1, mode
        open_texts = [t for t in (packages[mode] / "texts").iterdir() if "klage_over" in t.name]
        assert len(open_texts) == 3, mode
    assert {"item title", "background", "recommendation", "decision"} <= set(cprs_in(texts["case"]))
    assert all(secret in texts["case include-closed"] for secret in SECRET_BY_MARKER.values())
    assert DOCUMENT_SECRET in texts["case include-closed"]


@pytest.mark.parametrize("marker", list(CLOSED_MARKERS))
def test_closed_text_never_leaves_without_include_closed(texts: dict[str, str], marker: str) -> None:
    secret = SECRET_BY_MARKER[marker]
    leaked = [mode for mode, text in texts.items() if "include-closed" not in mode and secret in text]
    assert leaked == [], f"closed item marked by {marker!r} leaks its text in: {leaked}"


def test_a_closed_items_bilag_never_leaves_without_include_closed(
    packages: dict[str, Path], texts: dict[str, str]
) -> None:
    leaked = [mode for mode, text in texts.items() if "include-closed" not in mode and BILAG_SECRET in text]
    assert leaked == []
    assert BILAG_SECRET in texts["case include-closed"] and BILAG_SECRET in texts["query include-closed redact"]
    import pandas as pd

    # the bilag are really linked: rows under their items in every format
    sheet = pd.read_csv(packages["case"] / "aktliste.csv", dtype=str, keep_default_na=False)
    titles = sheet[sheet["Akt nr."].str.contains(".", regex=False)]["Titel"].tolist()
    assert titles.count(f"Bilag: {OPEN_BILAG[0]}") == 3 and titles.count(f"Bilag: {CLOSED_BILAG[0]}") == 3


def test_cut_pages_are_in_the_packages_the_leak_checks_read(packages: dict[str, Path]) -> None:
    """The open item of the PDF sits alone on page 1: without --include-closed its page is cut out (and read
    by the leak checks above); with --redact the cut is withheld too, since page 1 holds CPR numbers."""
    for mode in ("case", "query"):
        cuts = list((packages[mode] / "sources").glob("*_s1.pdf"))
        assert len(cuts) == 1, mode
    assert not list((packages["case redact"] / "sources").glob("*_s1.pdf"))


def test_a_confidential_document_never_leaves_without_include_closed(texts: dict[str, str]) -> None:
    leaked = [mode for mode, text in texts.items() if "include-closed" not in mode and DOCUMENT_SECRET in text]
    assert leaked == []


@pytest.mark.parametrize("mode", [m for m in MODES if "redact" in m])
def test_no_cpr_number_leaves_a_redacted_package(packages: dict[str, Path], texts: dict[str, str], mode: str) -> None:
    assert cprs_in(texts[mode]) == []
    sources = packages[mode] / "sources"
    if "no-sources" in mode:
        assert not sources.exists()
    else:
        # every source here but the confidential note holds a CPR number: withheld, and the rows say so
        copied = sorted(p.name.split("_", 1)[1] for p in sources.iterdir())
        expected = ["fortroligt_notat.docx", "redegørelse_om_personalesagen.pdf"]
        assert copied == (expected if "include-closed" in mode else [])
        assert "tilbageholdt: indeholder CPR-nummer" in texts[mode]
        if copied:
            assert "kopieret – ikke redigeret" in texts[mode] and "er ikke redigeret" in texts[mode]


def test_sources_are_copied_without_redact_and_the_rows_say_what_happened(packages: dict[str, Path]) -> None:
    import pandas as pd

    sheet = pd.read_csv(packages["case include-closed"] / "aktliste.csv", dtype=str, keep_default_na=False)
    assert set(sheet["Kildefil status"]) == {"kopieret"}
    assert len(list((packages["case include-closed"] / "sources").iterdir())) == 7  # 5 sources and 2 bilag
    sheet = pd.read_csv(packages["case no-sources"] / "aktliste.csv", dtype=str, keep_default_na=False)
    assert set(sheet["Kildefil status"]) == {"ikke kopieret (--no-sources)"}
