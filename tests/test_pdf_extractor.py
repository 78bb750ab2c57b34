"""The PDF extractor on PDFs drawn with reportlab and on real municipal PDFs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.make_files import (
    BODY_LINES,
    RUNNING_HEADER,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_long_pdf,
    make_meeting_pdf,
    make_overprinted_pdf,
    make_truncated_pdf,
    make_zero_page_pdf,
)
from fixtures.word_spacing import SpacedLine, spacing_pdf, ttf_spacing_pdf
from hypothesis import given
from hypothesis import strategies as st

import parsers
from parsers import parse_file
from parsers.errors import CorruptFile, EmptyDocument, EncryptedFile, NoTextLayer, ParseError
from parsers.furniture import is_page_number
from parsers.pdf_chars import (
    ENV_VAR,
    CharSourceSettingError,
    PdfiumChars,
    PlumberChars,
    char_source,
    clean_fontname,
    is_bold_name,
    word_gap,
)
from parsers.pdf_extractor import extract

REALDOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"
SOURCES = [PdfiumChars(), PlumberChars()]


def real(name: str) -> Path:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="module")
def meeting_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_meeting_pdf(tmp_path_factory.mktemp("pdf") / "referat.pdf", pages=3)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_lines_text_and_pages(meeting_pdf: Path, source) -> None:
    doc = extract(meeting_pdf, source)
    assert doc.format == "pdf"
    assert doc.page_count == 3
    texts = [b.text for b in doc.blocks]
    assert texts.count(BODY_LINES[0]) == 6  # two items on each of three pages
    assert "Direktionen godkendte indstillingen i punkt 6, og æ ø å Æ Ø Å bevares." in texts
    assert {b.page for b in doc.blocks} == {1, 2, 3}
    punkt5 = next(b for b in doc.blocks if b.text.startswith("Punkt 5."))
    assert punkt5.page == 3


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_rotated_margin_text_is_left_out(meeting_pdf: Path, source) -> None:
    doc = extract(meeting_pdf, source)
    assert not any("roteret" in b.text or "2023-0001" in b.text for b in doc.blocks)
    assert all(len(b.text) > 2 for b in doc.blocks)  # no one-glyph lines from vertical text


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_style_hints(meeting_pdf: Path, source) -> None:
    doc = extract(meeting_pdf, source)
    by_text = {b.text: b for b in doc.blocks}
    heading = by_text["Punkt 1. Sygefravær i magistratsafdelingerne"]
    assert heading.bold and heading.font_size == 12.0
    assert by_text["Beslutning"].bold
    assert by_text["Referat"].font_size == 16.0
    body = by_text[BODY_LINES[1]]
    assert not body.bold and body.font_size == 10.0 and body.x0 == pytest.approx(56.0, abs=0.5)
    assert body.space_before is not None and 0 <= body.space_before < 5
    assert doc.body_font_size == 10.0
    # the gap before a new item is larger than the gap between lines of one paragraph
    assert heading.space_before > body.space_before


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_label_value_lines_and_table_rows(meeting_pdf: Path, source) -> None:
    doc = extract(meeting_pdf, source)
    texts = [b.text for b in doc.blocks]
    assert "Mødedato\tMandag d. 11. september 2023" in texts
    rows = [b for b in doc.blocks if b.in_table]
    assert [r.text for r in rows] == [
        "Område\t2022\t2023",
        "Børn og Unge\t5,1 %\t5,6 %",
        "Sundhed og Omsorg\t7,2 %\t7,9 %",
    ]
    assert not any(b.in_table for b in doc.blocks if b.text.startswith("Mødedato"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_running_header_and_footer_are_marked(meeting_pdf: Path, source) -> None:
    doc = extract(meeting_pdf, source)
    headers = [b for b in doc.blocks if b.role == "header"]
    footers = [b for b in doc.blocks if b.role == "footer"]
    assert [b.text for b in headers] == [RUNNING_HEADER] * 3
    assert [b.text for b in footers] == [f"Referat 11. september 2023 / Side {n} af 3" for n in (1, 2, 3)]
    assert all(b.role == "body" for b in doc.blocks if b.text.startswith("Punkt"))


def test_single_page_footer_found_by_page_number(tmp_path: Path) -> None:
    doc = extract(make_meeting_pdf(tmp_path / "one.pdf", pages=1))
    assert [b.text for b in doc.blocks if b.role == "footer"] == ["Referat 11. september 2023 / Side 1 af 1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Side 2 af 3", True),
        ("Side 2", True),
        ("2/3", True),
        ("- 2 -", True),
        ("7", True),
        ("28. juli 2020 / Side 2 af 3", True),
        ("Page 4 of 10", True),
        ("Punkt 2. Budget", False),
        ("Sagsnr. 20/057417-5", False),
        ("Mødedato 11.09.2023", False),
    ],
)
def test_page_number_patterns(text: str, expected: bool) -> None:
    assert is_page_number(text) is expected


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_overprint_and_superscript_stay_in_their_line(tmp_path: Path, source) -> None:
    doc = extract(make_overprinted_pdf(tmp_path / "over.pdf"), source)
    assert [b.text for b in doc.blocks] == [
        "Beslutning i Byrådet",
        "Budgettet er vedtaget1 med stemmerne 5 mod 2.",
        "1 Fodnote om afstemningen.",
    ]
    assert doc.blocks[1].font_size == 11.0


def test_embedded_subset_fonts_give_bold(tmp_path: Path) -> None:
    path = make_meeting_pdf(tmp_path / "ttf.pdf", pages=2, embedded_fonts=True)
    for source in SOURCES:
        doc = extract(path, source)
        by_text = {b.text: b for b in doc.blocks}
        assert by_text["Beslutning"].bold, source.name
        assert not by_text[BODY_LINES[0]].bold, source.name


def test_font_name_helpers() -> None:
    assert clean_fontname("ABCDEF+Calibri-Bold") == "Calibri-Bold"
    assert is_bold_name("Arial,Bold") and is_bold_name("TimesNewRomanPS-BoldMT") and is_bold_name("Segoe UI Semibold")
    assert not is_bold_name("Calibri") and not is_bold_name("ArialMT")


def test_sources_give_the_same_lines_on_generated_files(meeting_pdf: Path) -> None:
    fast, reference = (extract(meeting_pdf, s) for s in SOURCES)
    assert [(b.page, b.text, b.role, b.bold, b.in_table) for b in fast.blocks] == [
        (b.page, b.text, b.role, b.bold, b.in_table) for b in reference.blocks
    ]


def test_env_var_chooses_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "pdfplumber")
    assert char_source().name == "pdfplumber"
    monkeypatch.setenv(ENV_VAR, "pdfium")
    assert char_source().name == "pdfium"
    monkeypatch.delenv(ENV_VAR)
    assert char_source().name == "pdfium"
    monkeypatch.setenv(ENV_VAR, "tesseract")
    with pytest.raises(ValueError, match="ARKIV_PDF_CHARS"):
        char_source()


_RSS_PROBE = """
import resource, sys
from parsers.pdf_extractor import extract
extract(sys.argv[1])  # warm up: imports, pdfium, caches
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = extract(sys.argv[2])
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(doc.page_count, sum(b.role == "footer" for b in doc.blocks), grown // 1024)
"""


def test_long_pdf_streams_pages_in_bounded_memory(tmp_path: Path, meeting_pdf: Path) -> None:
    path = make_long_pdf(tmp_path / "long.pdf", pages=300)
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(meeting_pdf), str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    pages, footers, grown_mb = map(int, out.stdout.split())
    assert (pages, footers) == (300, 300)
    # the 14,000 blocks themselves take a few MB; holding every page's objects would take hundreds
    assert grown_mb < 60, f"peak RSS grew by {grown_mb} MB for 300 pages"


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_encrypted_pdf_names_qpdf(tmp_path: Path, source) -> None:
    path = make_encrypted_pdf(tmp_path / "låst.pdf")
    with pytest.raises(EncryptedFile, match=r"password-protected.*qpdf .*--decrypt"):
        extract(path, source)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_empty_user_password_opens(tmp_path: Path, source) -> None:
    doc = extract(make_encrypted_pdf(tmp_path / "open.pdf", user_password=""), source)
    assert [b.text for b in doc.blocks] == ["Fortroligt notat om økonomien"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_truncated_pdf_is_corrupt(tmp_path: Path, meeting_pdf: Path, source) -> None:
    path = make_truncated_pdf(tmp_path / "cut.pdf", meeting_pdf)
    with pytest.raises(CorruptFile, match="not a valid PDF"):
        extract(path, source)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_zero_page_pdf_is_empty(tmp_path: Path, source) -> None:
    with pytest.raises(EmptyDocument, match="no pages"):
        extract(make_zero_page_pdf(tmp_path / "zero.pdf"), source)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_image_only_pdf_without_words_has_no_text(tmp_path: Path, source) -> None:
    with pytest.raises(NoTextLayer, match="OCR found no words"):
        extract(make_image_only_pdf(tmp_path / "scan.pdf"), source)


def test_garbage_after_header_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")
    with pytest.raises(CorruptFile, match="not a valid PDF"):
        parsers.extract(path)


# ---------------------------------------------------------------------------
# Real documents (read from ../shared/realdocs, skipped when missing)
# ---------------------------------------------------------------------------


def test_real_sbsys_minutes() -> None:
    doc = parsers.extract(real("aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf"))
    assert doc.page_count == 4
    texts = [b.text for b in doc.blocks]
    assert "Dato:\t6. oktober 2016" in texts
    assert "Sted:\tRådhuset lokale 233" in texts
    bold = {b.text for b in doc.blocks if b.bold}
    assert {"Referat", "1 First Agenda", "2 GetOrganized", "3 Eventuelt"} <= bold
    assert "Oplæg:" not in bold
    assert [b.text for b in doc.blocks if b.role == "footer"] == ["Side 2", "Side 3", "Side 4"]
    assert doc.body_font_size == 11.0


def test_real_memo_has_no_soft_hyphen_markers() -> None:
    doc = parsers.extract(real("ballerup_sfu_bilag_notat-takstreduktion_2012-11-19.pdf"))
    assert doc.page_count == 2
    text = "\n".join(b.text for b in doc.blocks)
    assert "\ufffe" not in text and "\x02" not in text
    assert "Udviklingshæmmede - Administratio-" in text


@pytest.mark.parametrize(
    "name",
    [
        "aarhus_bilag_sager-paa-vej-sundhed-omsorg_2025-08-29.pdf",
        "aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf",
        "ballerup_sbsys_bilag_monopolbruddet_2013.pdf",
        "ballerup_sfu_bilag_notat-takstreduktion_2012-11-19.pdf",
    ],
)
def test_sources_agree_on_real_pdfs(name: str) -> None:
    path = real(name)
    fast, reference = (extract(path, s) for s in SOURCES)
    assert fast.page_count == reference.page_count
    assert [(b.page, b.text) for b in fast.blocks] == [(b.page, b.text) for b in reference.blocks]
    assert [b.bold for b in fast.blocks] == [b.bold for b in reference.blocks]
    assert fast.body_font_size == reference.body_font_size


def test_real_print_to_pdf_scaled_page_keeps_word_spaces() -> None:
    """Microsoft Print-to-PDF draws at 75 %: sizes must include the page scale."""
    path = real("aarhus_bilag_byraad_henvendelse-havnens-perle_2025-08-26.pdf")
    fast, reference = (extract(path, s) for s in SOURCES)
    assert fast.body_font_size == reference.body_font_size == 11.0
    assert "Sendt: 26. august 2025 14:52" in [b.text for b in fast.blocks]
    same = sum(a.text == b.text for a, b in zip(fast.blocks, reference.blocks, strict=True))
    assert same >= 0.9 * len(reference.blocks)


@given(st.integers(1, 9999), st.integers(1, 9999), st.sampled_from(["Side {} af {}", "{}/{}", "Page {} of {}"]))
def test_every_page_x_of_y_is_a_page_number(page: int, pages: int, pattern: str) -> None:
    assert is_page_number(pattern.format(page, pages))
    if not pattern.startswith("{}"):  # a bare "1/3" after other text may be a date or a ratio
        assert is_page_number("28. juli 2020 / " + pattern.format(page, pages))


# ---------------------------------------------------------------------------
# Word spaces in tight, kerned and proportional settings (tests/fixtures/word_spacing.py)
# ---------------------------------------------------------------------------

# An explicit space glyph pulled back by a TJ adjustment (thousandths of an em): the boxes leave
# 0.13 .. -0.02 em between "af" and the next word, yet the PDF has a space there.
TIGHT_EXPLICIT = [SpacedLine("af", "forslaget", True, adjust) for adjust in (150, 200, 250, 300)]
# No space glyph; the next word is pushed right by 0.12 .. 0.3 em: a word space for pdftotext too.
POSITIONED = [SpacedLine("af", "19. august", False, adjust) for adjust in (-120, -160, -300)]
# Kerning inside a word (tightened or loosened by up to 0.04 em) is no word space.
KERNED = [SpacedLine("Sag", "en", False, -20), SpacedLine("Vej", "en", False, 40), SpacedLine("Ty", "pe", False, 80)]
SPACING_FONTS = [
    pytest.param({"widths": {"f": 600}}, id="helvetica-wide-f"),
    pytest.param({"font": "Times-Roman", "size": 7.0}, id="times-7pt"),
    pytest.param({"font": "Helvetica-Bold", "size": 14.0, "widths": {"f": 500}}, id="helvetica-bold-14pt"),
    pytest.param({"font": "Courier", "size": 9.0}, id="courier-9pt"),
]


def _line_texts(path: Path, source) -> list[str]:
    return [b.text for b in extract(path, source).blocks]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
@pytest.mark.parametrize("options", SPACING_FONTS)
def test_tight_word_spaces_are_kept(tmp_path: Path, source, options: dict) -> None:
    lines = TIGHT_EXPLICIT + POSITIONED + KERNED
    path = spacing_pdf(tmp_path / "tight.pdf", lines, **options)
    assert _line_texts(path, source) == [line.text.replace(" ", "") if line in KERNED else line.text for line in lines]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_tight_word_spaces_are_kept_in_an_embedded_truetype_font(tmp_path: Path, source) -> None:
    lines = TIGHT_EXPLICIT + POSITIONED + KERNED
    path = ttf_spacing_pdf(tmp_path / "vera.pdf", lines)
    assert _line_texts(path, source) == [line.text.replace(" ", "") if line in KERNED else line.text for line in lines]


def test_word_gap_follows_the_space_width_of_the_font() -> None:
    # Helvetica (space 0.278 em) at 10 pt: 0.4 of the space is 1.11 pt, capped at a tenth of an em
    assert word_gap(10.0, 2.78) == pytest.approx(1.0)
    # a narrow space (Calibri 0.226 em) gives a narrower gap; an unknown one is taken as 0.25 em
    assert word_gap(10.0, 2.26) == pytest.approx(0.904)
    assert word_gap(20.0, 0.0) == pytest.approx(2.0)
    # a stated width outside 0.2 .. 0.5 em is not believed (a symbol font's space of 0.05 em)
    assert word_gap(10.0, 0.5) == pytest.approx(0.8)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_items_after_a_text_layer_space_are_marked(tmp_path: Path, source) -> None:
    path = spacing_pdf(tmp_path / "marks.pdf", [SpacedLine("af", "forslaget", True, 250)])
    (page,) = list(source.pages(path))
    marked = [c for c in page.chars if c.space_before]  # pdfium: words; pdfminer: characters
    assert [c.text[0] for c in marked] == ["f"]
    assert marked[0].x0 > page.chars[0].x0 + 8  # the "f" of "forslaget", not the one of "af" (8.3 pt wide)
    assert all(c.space_width == pytest.approx(2.78, abs=0.01) for c in page.chars)


def test_bad_env_var_is_one_line_naming_variable_value_and_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "tesseract")
    with pytest.raises(CharSourceSettingError) as caught:
        char_source()
    assert str(caught.value) == (
        "ARKIV_PDF_CHARS='tesseract' is not a PDF character source; allowed values: pdfium (default), pdfplumber"
    )
    monkeypatch.setenv(ENV_VAR, " PDFplumber ")
    assert char_source().name == "pdfplumber"
    monkeypatch.setenv(ENV_VAR, "")
    assert char_source().name == "pdfium"


@pytest.mark.parametrize("command", [["parse", "{pdf}"], ["ingest", "{dir}", "--archive", "{archive}"]])
def test_bad_env_var_fails_the_command_once(tmp_path: Path, meeting_pdf: Path, command: list[str]) -> None:
    """A configuration error: one line and exit 1 before any file is read, nothing quarantined."""
    values = {"pdf": str(meeting_pdf), "dir": str(meeting_pdf.parent), "archive": str(tmp_path / "archive")}
    env = {**os.environ, ENV_VAR: "Bogus"}
    done = subprocess.run(
        [sys.executable, "-c", "from search_cli.cli import main; main()", *(p.format(**values) for p in command)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "Error: ARKIV_PDF_CHARS='Bogus' is not a PDF character source; allowed values: pdfium (default), pdfplumber\n"
    )
    assert done.stdout == ""
    assert not (tmp_path / "archive").exists()


def test_a_file_pdfium_cannot_open_after_its_text_was_read_is_a_clear_error() -> None:
    # found by the fuzzer: the check for scanned pages opened the file with pdfium again and raised
    # PdfiumError past the parser's own errors
    path = Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "pdf" / "pdfium-refuses-after-text.pdf"
    with pytest.raises(ParseError) as err:
        parse_file(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
