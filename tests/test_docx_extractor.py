"""The DOCX extractor on documents built with python-docx and on a real municipal DOCX."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.make_files import (
    RUNNING_HEADER,
    make_empty_docx,
    make_legacy_doc,
    make_meeting_docx,
    make_numbered_docx,
    make_truncated_docx,
    make_zip_not_docx,
)
from hypothesis import given
from hypothesis import strategies as st

import parsers
from parsers.docx_extractor import _format_number, _normalize, extract
from parsers.errors import CorruptFile, EmptyDocument, UnsupportedFormat

REALDOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"


@pytest.fixture(scope="module")
def meeting_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_meeting_docx(tmp_path_factory.mktemp("docx") / "referat.docx")


@pytest.fixture(scope="module")
def blocks(meeting_docx: Path) -> dict[str, object]:
    return {b.text: b for b in parsers.extract(meeting_docx).blocks}


def test_body_order_and_tables(meeting_docx: Path) -> None:
    doc = extract(meeting_docx)
    body = [b.text for b in doc.blocks if b.role == "body"]
    assert body[:4] == [
        "Referat",
        "Mødedato\tMandag d. 11. september 2023",
        "Mødested\tRådhuset",
        "Punkt 1. Sygefravær i magistratsafdelingerne",
    ]
    rows = [b.text for b in doc.blocks if b.in_table]
    assert rows[-3:] == ["Område\t2022\t2023", "Børn og Unge\t5,1 %\t5,6 %", "Sundhed og Omsorg\t7,2 %\t7,9 %"]
    assert "Direktionen drøftede sygefraværet, og æ ø å bevares." in body


def test_headings_from_style_names_outline_levels_and_title(blocks) -> None:
    assert blocks["Referat"].heading_level == 1  # Title
    assert blocks["Punkt 1. Sygefravær i magistratsafdelingerne"].heading_level == 1
    assert blocks["Punkt 2. Budgetopfølgning"].heading_level == 2
    assert blocks["Punkt 3. Orientering"].heading_level == 2  # style named "Overskrift 2"
    assert blocks["Sagsnr.: 23/01234"].heading_level == 1  # w:outlineLvl 0 in the style
    assert blocks["Teksten på side to."].heading_level is None


def test_bold_and_font_size(blocks) -> None:
    assert blocks["Beslutning"].bold
    assert not blocks["Delvis fed"].bold  # only one of two runs is bold
    assert blocks["Beslutningen blev taget"].bold  # bold through the basedOn chain
    assert blocks["Beslutningen blev taget"].font_size == 12.0
    assert blocks["Lille skrift"].font_size == 8.0
    assert not blocks["Direktionen drøftede sygefraværet, og æ ø å bevares."].bold


def test_list_labels_from_styles(blocks) -> None:
    assert [blocks[t].list_label for t in ("Første indsats", "Anden indsats", "Tredje indsats")] == ["1.", "2.", "3."]
    assert blocks["En punktopstilling"].list_label == "•"
    assert blocks["Beslutning"].list_label is None


def test_list_labels_from_direct_numbering(tmp_path: Path) -> None:
    doc = extract(make_numbered_docx(tmp_path / "nummereret.docx"))
    assert [(b.list_label, b.text) for b in doc.blocks] == [
        ("1.", "Godkendelse af dagsorden"),
        ("2.", "Meddelelser"),
        (None, "Et afsnit uden nummer."),
        ("2.a)", "Fra formanden"),
        ("2.b)", "Fra direktøren"),
        ("3.", "Budget"),
        ("3.a)", "Drift"),
        ("•", "Bemærkning"),
    ]


def test_pages_from_explicit_breaks(meeting_docx: Path, blocks) -> None:
    doc = extract(meeting_docx)
    assert doc.page_count == 3
    assert blocks["Lille skrift"].page == 1
    assert blocks["Punkt 2. Budgetopfølgning"].page == 2
    assert blocks["Sundhed og Omsorg\t7,2 %\t7,9 %"].page == 2
    assert blocks["Sagsnr.: 23/01234"].page == 3  # pageBreakBefore
    pages = [b.page for b in doc.blocks if b.role == "body"]
    assert pages == sorted(pages)


def test_manual_line_break_splits_the_paragraph(blocks) -> None:
    assert "Sagsbehandler: Mette Jensen" in blocks
    assert blocks["Sagsbehandler: Mette Jensen"].page == 3


def test_text_box_follows_its_paragraph_once(meeting_docx: Path) -> None:
    texts = [b.text for b in extract(meeting_docx).blocks]
    assert texts.count("Tekst i en tekstboks") == 1
    assert texts.index("Tekst i en tekstboks") == texts.index("Med tekstboks:") + 1


def test_header_and_footer_once_on_page_one(meeting_docx: Path) -> None:
    doc = extract(meeting_docx)
    furniture = [(b.role, b.text, b.page) for b in doc.blocks if b.role != "body"]
    assert furniture == [("header", RUNNING_HEADER, 1), ("footer", "Referat – Direktionen", 1)]


def test_body_font_size(meeting_docx: Path) -> None:
    assert extract(meeting_docx).body_font_size == 11.0


_RSS_PROBE = """
import resource, sys
from parsers.docx_extractor import _format_number, _normalize, extract
extract(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for _ in range(60):
    extract(sys.argv[1])
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_batch_of_files_does_not_pile_up_memory(meeting_docx: Path) -> None:
    """Each opened package is freed at once, not left to the cyclic garbage collector."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(meeting_docx)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert int(out.stdout) < 15, f"peak RSS grew by {out.stdout.strip()} MB over 60 files"


def test_real_docx() -> None:
    path = REALDOCS / "syddjurs_puk_bilag_kulturkommune2017_arbejdsoplaeg.docx"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    doc = parsers.extract(path)
    assert doc.format == "docx"
    assert doc.page_count == 11  # Word's own rendered page breaks
    first = doc.blocks[0]
    assert first.text == "KULTURKOMMUNE 2017 - Arbejdsoplæg" and first.bold
    bullets = [b for b in doc.blocks if b.list_label == "•"]
    assert any(b.text == "at styrke kommunens image," for b in bullets)
    assert any(b.in_table for b in doc.blocks)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_empty_docx(tmp_path: Path) -> None:
    with pytest.raises(EmptyDocument, match="no text"):
        extract(make_empty_docx(tmp_path / "tom.docx"))


def test_zip_that_is_not_a_docx(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="word/document.xml"):
        extract(make_zip_not_docx(tmp_path / "arkiv.docx"))


def test_truncated_docx(tmp_path: Path, meeting_docx: Path) -> None:
    with pytest.raises(CorruptFile, match="not a valid DOCX"):
        extract(make_truncated_docx(tmp_path / "halv.docx", meeting_docx))


def test_legacy_doc_names_libreoffice(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="soffice --headless --convert-to docx"):
        extract(make_legacy_doc(tmp_path / "gammel.doc"))


def test_real_legacy_doc_names_libreoffice() -> None:
    path = REALDOCS / "syddjurs_bilag_kulturpolitik_2009.doc"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    with pytest.raises(UnsupportedFormat, match="soffice"):
        extract(path)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from(list("ab æøå\t\u00a0\u00ad-\n")), max_size=40))
def test_normalize_is_idempotent_and_keeps_danish_letters(text: str) -> None:
    once = _normalize(text)
    assert _normalize(once) == once
    assert "  " not in once and "\u00a0" not in once and "\u00ad" not in once
    assert [c for c in once if c in "æøå"] == [c for c in text if c in "æøå"]


@pytest.mark.parametrize(
    ("number", "fmt", "label"),
    [(1, "lowerLetter", "a"), (26, "lowerLetter", "z"), (27, "upperLetter", "AA"), (4, "upperRoman", "IV")]
    + [(1994, "upperRoman", "MCMXCIV"), (9, "lowerRoman", "ix"), (7, "decimalZero", "07"), (12, "decimal", "12")],
)
def test_number_formats(number: int, fmt: str, label: str) -> None:
    assert _format_number(number, fmt) == label
