"""HTML publication pages: blocks and hints, encodings, format sniffing, bad input."""

from __future__ import annotations

import html
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import parse_file, sniff_format
from parsers.errors import CorruptFile, EmptyDocument, UnsupportedFormat
from parsers.html_extractor import SUFFIXES, extract
from parsers.serialize import record_to_json
from search_cli.cli import cli

SCHEMA = Path(__file__).resolve().parents[1] / "parsers" / "schema" / "record.schema.json"

MEETING_PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Økonomiudvalget</title>
<style>h1 { color: red }</style><script>var punkt = "1. Skjult";</script></head>
<body>
<header><a href="/">Til forsiden</a></header>
<nav><ul><li>Dagsordener</li><li>Referater</li></ul></nav>
<h1>Økonomiudvalget</h1>
<p>Referat</p>
<p>Mødedato: 3. marts 2025 kl. 16:00</p>
<p>Mødested: Rådhuset,
   lokale&nbsp;1</p>
<h2>1. Godkendelse af dagsorden</h2>
<p>Sagsnr.: 25/001234</p>
<h3>Beslutning</h3>
<p>Godkendt.</p>
<h2>2. Budget 2026 &amp; overslagsår</h2>
<p>Sagsnr.: 25/004321</p>
<h3>Indstilling</h3>
<ol><li>at budgettet godkendes</li><li>at sagen sendes videre</li></ol>
<ul><li>Bilag: Budgetnotat</li></ul>
<table><tr><th>År</th><th>Beløb</th><th></th></tr><tr><td>2026</td><td>1.000</td><td></td></tr></table>
<h3>Beslutning</h3>
<p><b>Anbefales.</b></p>
<form><label>Tip en ven</label><input name="mail"></form>
<noscript>Slå JavaScript til</noscript>
<footer>Kontakt: Borgerservice</footer>
</body></html>
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _hints(path: Path) -> list[tuple[str, int | None, bool, str | None, bool]]:
    return [(b.text, b.heading_level, b.bold, b.list_label, b.in_table) for b in extract(path).blocks]


def test_suffixes() -> None:
    assert SUFFIXES == (".html", ".htm")


def test_blocks_of_a_meeting_page(tmp_path: Path) -> None:
    page = _write(tmp_path / "referat.html", MEETING_PAGE)
    extracted = extract(page)
    assert (extracted.format, extracted.page_count) == ("html", 1)
    assert {b.page for b in extracted.blocks} == {1}
    assert _hints(page) == [
        ("Økonomiudvalget", 1, True, None, False),
        ("Referat", None, False, None, False),
        ("Mødedato: 3. marts 2025 kl. 16:00", None, False, None, False),
        ("Mødested: Rådhuset, lokale 1", None, False, None, False),
        ("1. Godkendelse af dagsorden", 2, True, None, False),
        ("Sagsnr.: 25/001234", None, False, None, False),
        ("Beslutning", 3, True, None, False),
        ("Godkendt.", None, False, None, False),
        ("2. Budget 2026 & overslagsår", 2, True, None, False),
        ("Sagsnr.: 25/004321", None, False, None, False),
        ("Indstilling", 3, True, None, False),
        ("at budgettet godkendes", None, False, "1.", False),
        ("at sagen sendes videre", None, False, "2.", False),
        ("Bilag: Budgetnotat", None, False, "•", False),
        ("År\tBeløb", None, False, None, True),
        ("2026\t1.000", None, False, None, True),
        ("Beslutning", 3, True, None, False),
        ("Anbefales.", None, True, None, False),
    ]


def test_meeting_page_gives_a_record_that_matches_the_schema(tmp_path: Path) -> None:
    record = parse_file(_write(tmp_path / "referat.html", MEETING_PAGE))
    assert (record.kind, record.source.format, record.source.page_count) == ("meeting", "html", 1)
    (meeting,) = record.meetings
    assert (meeting.body, meeting.document_type, meeting.date, meeting.start_time) == (
        "Økonomiudvalget",
        "referat",
        "2025-03-03",
        "16:00",
    )
    assert [(i.number, i.title) for i in meeting.items] == [
        (1, "Godkendelse af dagsorden"),
        (2, "Budget 2026 & overslagsår"),
    ]
    assert [[c.raw for c in i.case_numbers] for i in meeting.items] == [["25/001234"], ["25/004321"]]
    decisions = [i.decision.text if i.decision else None for i in meeting.items]
    assert decisions == ["Godkendt.", "Anbefales."]
    assert "Skjult" not in record.text and all("Skjult" not in i.text for i in meeting.items)
    jsonschema.validate(json.loads(record_to_json(record)), json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_cli_parses_an_html_page(tmp_path: Path) -> None:
    page = _write(tmp_path / "referat.htm", MEETING_PAGE)
    result = CliRunner().invoke(cli, ["parse", str(page)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "[html, 1 pages, kind=meeting]" in result.stdout
    assert "2. Budget 2026 & overslagsår  (25/004321)" in result.stdout


def test_line_breaks_split_blocks_but_not_cells(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "br.html",
        "<html><body><div>Dagsorden<br/>Teknisk Udvalg<br>1. oktober 2025</div>"
        "<table><tr><td>Mødested:</td><td>Rådhuset<br>lokale 398</td></tr></table></body></html>",
    )
    assert [b.text for b in extract(page).blocks] == [
        "Dagsorden",
        "Teknisk Udvalg",
        "1. oktober 2025",
        "Mødested:\tRådhuset lokale 398",
    ]


def test_preformatted_lines_are_blocks(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "pre.html", "<html><body><pre>Punkt 1   Godkendt\n\n  Punkt 2  Udsat\n</pre></body></html>"
    )
    assert [b.text for b in extract(page).blocks] == ["Punkt 1 Godkendt", "Punkt 2 Udsat"]


def test_layout_table_cells_are_paragraphs(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "layout.html",
        "<html><body><table><tr><td><span>5.</span></td><td><div>Lukket punkt</div><p>Sagsnr. 2016-003798</p></td>"
        "<td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table></body></html>",
    )
    assert _hints(page) == [
        ("5.", None, False, None, False),
        ("Lukket punkt", None, False, None, False),
        ("Sagsnr. 2016-003798", None, False, None, False),
        ("a\tb", None, False, None, True),
    ]


def test_lists_nested_numbered_and_unclosed(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "lister.html",
        '<html><body><ol start="4"><li>fjerde<ul><li>punkt</li></ul></li><li>femte'
        '<li value="9">niende</ol><ul><li><strong>fed</strong> og <em>ikke fed</em><li><b>kun fed</b></ul>'
        "</body></html>",
    )
    assert _hints(page) == [
        ("fjerde", None, False, "4.", False),
        ("punkt", None, False, "•", False),
        ("femte", None, False, "5.", False),
        ("niende", None, False, "9.", False),
        ("fed og ikke fed", None, False, "•", False),
        ("kun fed", None, True, "•", False),
    ]


def test_hidden_parts_are_skipped_and_unclosed_head_is_tolerated(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "skjult.html",
        "<html><head><title>Titel</title><body><script>alert('x')</script><noscript>JS</noscript>"
        "<header>Sidehoved</header><nav>Menu</nav><form><p>Søg</p></form><template><p>T</p></template>"
        "<p>\ufeffSynlig &lt;tekst&gt;\u200b &#248; &oslash;</p><footer>Sidefod</footer></body></html>",
    )
    assert [b.text for b in extract(page).blocks] == ["Synlig <tekst> ø ø"]


def test_page_furniture_and_control_labels_are_skipped(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "firstagenda.html",
        """<html><body>
<table><tr hidden=""><td>Information:</td><td></td></tr></table>
<button class="overskrift-btn"><h2>Udviklingsplan Aarhus Ø</h2></button>
<span class="sagsnummer">EMN-2025-009242</span>
<ul><li><span class="label" role="button" aria-label="Bilag">PDF</span><a href="#">Indstilling</a></li></ul>
<span class="badge"><span class="glyphicon glyphicon-paperclip" aria-hidden="true"></span>27</span>
<ul class="dropdown-menu"><li>Hent som PDF</li></ul><ul role="menu"><li>Kopier link</li></ul>
<div class="modal" id="kopier_dialog"><div><p>Kopier linket</p></div><button>Luk</button></div>
<div role="dialog"><h4>Tip en ven</h4></div>
<p>Sagen <button type="button">×</button>udsættes.</p>
</body></html>""",
    )
    assert _hints(page) == [
        ("Udviklingsplan Aarhus Ø", 2, True, None, False),
        ("EMN-2025-009242", None, False, None, False),
        ("Indstilling", None, False, "•", False),
        ("Sagen udsættes.", None, False, None, False),
    ]


def test_header_of_an_article_is_read(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "artikel.html",
        "<html><body><header>Kommunens hjemmeside</header><main><article><header><h1>Dagsorden</h1>"
        "<p>Byrådet</p></header><p>Tekst</p><footer>Side 1</footer></article></main>"
        "<footer>Kontakt</footer></body></html>",
    )
    assert [b.text for b in extract(page).blocks] == ["Dagsorden", "Byrådet", "Tekst", "Side 1"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<html><body><p>Rådhus æøå</p></body></html>".encode(), "Rådhus æøå"),
        ("<html><body><p>Rådhus æøå</p></body></html>".encode("cp1252"), "Rådhus æøå"),
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"></head>'
            "<body><p>Rådhus – æøå</p></body></html>".encode("cp1252"),
            "Rådhus – æøå",
        ),
        ('<html><head><meta charset="windows-1252"></head><body><p>Møde</p></body></html>'.encode("cp1252"), "Møde"),
        (b"\xef\xbb\xbf" + "<html><body><p>Møde</p></body></html>".encode(), "Møde"),
        ("<html><body><p>Møde</p></body></html>".encode("utf-16"), "Møde"),
        ('<html><head><meta charset="no-such-charset"></head><body><p>Møde</p></body></html>'.encode(), "Møde"),
    ],
    ids=["utf8", "cp1252-undeclared", "latin1-declared", "windows-1252-declared", "utf8-bom", "utf16-bom", "unknown"],
)
def test_encodings(tmp_path: Path, data: bytes, expected: str) -> None:
    page = tmp_path / "side.html"
    page.write_bytes(data)
    assert sniff_format(page) == "html"
    assert [b.text for b in extract(page).blocks] == [expected]


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b"\xef\xbb\xbf\r\n  <!doctype HTML>\n<p>x</p>",
        b'<?xml version="1.0"?>\n<!-- udgivet -->\n<HTML xmlns="http://www.w3.org/1999/xhtml"><p>x</p></HTML>',
        "<html><p>x</p></html>".encode("utf-16"),
    ],
    ids=["doctype", "bom-whitespace", "xhtml", "utf16"],
)
def test_sniff_recognises_html_by_content(tmp_path: Path, head: bytes) -> None:
    page = tmp_path / "uden-endelse"
    page.write_bytes(head)
    assert sniff_format(page) == "html"


def test_html_suffix_with_other_content_is_unsupported(tmp_path: Path) -> None:
    page = tmp_path / "notat.html"
    page.write_text("Bare tekst, ingen markup.\n", encoding="utf-8")
    with pytest.raises(UnsupportedFormat) as err:
        sniff_format(page)
    assert str(err.value) == f"{page}: not a HTML file (content does not match the .html suffix)"


def test_page_without_text_is_empty(tmp_path: Path) -> None:
    page = _write(tmp_path / "tom.html", "<!DOCTYPE html><html><head><title>Tom</title></head><body> </body></html>")
    with pytest.raises(EmptyDocument):
        extract(page)


def test_undecodable_page_is_corrupt(tmp_path: Path) -> None:
    page = tmp_path / "ødelagt.html"
    page.write_bytes(b"<html><body><p>M\x81de \x8d \x90</p></body></html>")
    with pytest.raises(CorruptFile) as err:
        extract(page)
    assert "neither UTF-8 nor cp1252" in str(err.value)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("tom.html", b"<!DOCTYPE html><html><body><script>x()</script><nav>Menu</nav></body></html>", ("no text",)),
        ("ødelagt.htm", b"<html><body><p>\x81\x8d</p></body></html>", ("not readable", "UTF-8")),
    ],
    ids=["empty", "undecodable"],
)
def test_bad_html_is_a_one_line_cli_error(tmp_path: Path, name: str, data: bytes, words: tuple[str, ...]) -> None:
    page = tmp_path / name
    page.write_bytes(data)
    result = CliRunner().invoke(cli, ["parse", str(page)])
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert str(page) in line
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in line


_TEXT = st.text(alphabet=st.sampled_from("abcæøåÆØÅ <>&\"'.;:-–§1\t\n\u00a0"), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(_TEXT)
def test_paragraph_text_survives_escaping_and_whitespace(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    normalized = " ".join(text.split())
    page = tmp_path_factory.mktemp("prop") / "p.html"
    page.write_text(f"<html><body><p>{html.escape(text)}</p></body></html>", encoding="utf-8")
    if not normalized:
        with pytest.raises(EmptyDocument):
            extract(page)
    else:
        assert [b.text for b in extract(page).blocks] == [normalized]


def test_a_page_ending_inside_a_skipped_element_in_an_open_table_ends(tmp_path: Path) -> None:
    # found by the fuzzer: an open table row and a skipped element left open at the end looped forever
    page = tmp_path / "afbrudt.html"
    page.write_bytes(
        b'<html><body><table><tr><td><span>5.</span></td>html>\n<html lang="da"><head>'
        b'<meta charset="utf-8"><ti/pre></body></html>\n'
    )
    extracted = extract(page)
    assert "5." in [b.text for b in extracted.blocks]
