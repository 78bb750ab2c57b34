"""Running headers and footers are furniture; item headings and case numbers at the same place are not.

An agenda with one item per page prints every item heading and its "Sagsnr." line
at the same place on every page. Those lines differ from page to page by more than
a page number or a date, so they stay content; a real running head (committee,
"Referat", "Åbent referat", "Dato: 07.03.2012", "Side 3") is still furniture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import extract, layouts, parse_file
from parsers.furniture import PlacedLine, classify, running_shape
from parsers.records import Meeting

TOP = 800.0  # baseline of the first line on a page (A4 is 842 pt high): inside the header zone


def _one_item_per_page_pdf(path: Path, pages: int, *, split: bool = False, running_head: bool = False) -> Path:
    """Page 1 holds the meeting head and item 1; every later page starts with its item at ``TOP``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, pages + 1):
        y = TOP

        def line(text: str, font: str = "Helvetica", size: float = 11, gap: float = 15) -> None:
            nonlocal y
            y -= gap
            c.setFont(font, size)
            c.drawString(60, y, text)

        if running_head:
            for k, text in enumerate(("Økonomiudvalget", "Referat", "Åbent referat", "Dato: 07.03.2012")):
                c.setFont("Helvetica", 8)
                c.drawString(60, 830 - 9 * k, text)
            c.drawRightString(535, 830 - 9 * 4, f"Side {page}")
            y = 780.0
        if page == 1:
            line("Referat", "Helvetica-Bold", 16)
            line("Økonomiudvalget", "Helvetica-Bold", 14, 20)
            line("Mødedato: Onsdag den 7. marts 2012 kl. 15.00", gap=24)
            line("Mødested: Byrådssalen")
            line("", gap=30)
        first_gap = 0.0 if page > 1 else 15.0
        if split:
            line(f"Punkt {page}", "Helvetica-Bold", 12, first_gap)
            line(f"Vejdrift, etape {page}", "Helvetica-Bold", 12)
        else:
            line(f"Punkt {page}: Vejdrift, etape {page}", "Helvetica-Bold", 12, first_gap)
        line(f"Sagsnr.: 12/{4000 + page}")
        line("Beslutning", "Helvetica-Bold", 11, 22)
        line(f"Godkendt for etape {page}.")
        c.setFont("Helvetica", 8)
        c.drawString(60, 40, f"Side {page} af {pages}")
        c.showPage()
    c.save()
    return path


def _one_item_per_page_docx(path: Path, pages: int) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Økonomiudvalget - Referat - 07.03.2012"
    document.add_heading("Referat", level=1)
    document.add_paragraph("Økonomiudvalget")
    document.add_paragraph("Mødedato: Onsdag den 7. marts 2012 kl. 15.00")
    for page in range(1, pages + 1):
        if page > 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(f"Punkt {page}: Vejdrift, etape {page}", level=2)
        document.add_paragraph(f"Sagsnr.: 12/{4000 + page}")
        document.add_heading("Beslutning", level=3)
        document.add_paragraph(f"Godkendt for etape {page}.")
    document.save(str(path))
    return path


def _meeting(path: Path) -> Meeting:
    record = parse_file(path)
    assert record.kind == "meeting", record.problems
    (meeting,) = record.meetings
    return meeting


def _assert_items(meeting: Meeting, pages: int) -> None:
    assert [i.number for i in meeting.items] == list(range(1, pages + 1))
    assert [i.title for i in meeting.items] == [f"Vejdrift, etape {n}" for n in range(1, pages + 1)]
    assert [[c.raw for c in i.case_numbers] for i in meeting.items] == [[f"12/{4000 + n}"] for n in range(1, pages + 1)]


@pytest.mark.parametrize("split", [False, True], ids=["heading", "label-over-title"])
def test_six_pages_one_item_per_page_pdf(split: bool, tmp_path: Path) -> None:
    meeting = _meeting(_one_item_per_page_pdf(tmp_path / "six.pdf", 6, split=split))
    _assert_items(meeting, 6)
    assert [i.decision.text if i.decision else None for i in meeting.items] == [
        f"Godkendt for etape {n}." for n in range(1, 7)
    ]


def test_six_pages_one_item_per_page_docx(tmp_path: Path) -> None:
    _assert_items(_meeting(_one_item_per_page_docx(tmp_path / "six.docx", 6)), 6)


def test_three_hundred_pages_one_item_per_page(tmp_path: Path) -> None:
    meeting = _meeting(_one_item_per_page_pdf(tmp_path / "long.pdf", 300))
    _assert_items(meeting, 300)
    assert meeting.items[-1].pages == (300,)


def test_real_running_head_is_still_furniture(tmp_path: Path) -> None:
    """The eDoc "samlet" page head: committee, "Referat", "Åbent referat", "Dato: 07.03.2012", "Side N"."""
    path = _one_item_per_page_pdf(tmp_path / "samlet.pdf", 6, running_head=True)
    blocks = extract(path).blocks
    head = {"Økonomiudvalget", "Referat", "Åbent referat", "Dato: 07.03.2012"}
    small = [b for b in blocks if b.font_size == 8.0]
    assert {b.text for b in small} >= head
    assert all(b.role != "body" for b in small if b.text in head)
    kept, _ = layouts.select_fixups(blocks)  # a fifth head line "Side N" is a page number there
    assert not [b.text for b in kept if b.role == "body" and b.font_size == 8.0]
    meeting = _meeting(path)
    _assert_items(meeting, 6)
    for item in meeting.items:
        assert not head & set(item.text.split("\n")) and "Side" not in item.text


def _lines(texts_by_page: list[list[str]], top: bool = True) -> list[PlacedLine]:
    lines = []
    for page, texts in enumerate(texts_by_page, start=1):
        for k, text in enumerate(texts):
            y = 20.0 + 12 * k if top else 800.0 + 12 * k
            lines.append(PlacedLine(page, text, y, y + 10, 842.0))
    return lines


def test_only_page_numbers_and_dates_may_differ() -> None:
    pages = 6
    header = [
        [f"Referat – Økonomiudvalget – {d}. marts 2012", f"Side {p} af {pages}"] for p, d in enumerate(range(1, 7), 1)
    ]
    assert set(classify(_lines(header))) == {"header"}
    headings = [[f"Punkt {p}: Vejdrift", f"Sagsnr.: 12/{4000 + p}"] for p in range(1, pages + 1)]
    assert set(classify(_lines(headings))) == {"body"}
    footers = [[f"Økonomiudvalget\t{p}"] for p in range(1, pages + 1)]
    assert set(classify(_lines(footers, top=False))) == {"footer"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Økonomiudvalget 07.03.2012 Side 3 af 8", "Økonomiudvalget 08.03.2012 Side 4 af 8", True),
        ("Referat 7. marts 2012 - 3/8", "Referat 7. marts 2012 - 4/8", True),
        ("Sagsnr.: 24/1003", "Sagsnr.: 24/1004", False),
        ("Punkt 3", "Punkt 4", False),
        ("3. Budget", "4. Budget", False),
    ],
)
def test_running_shape(a: str, b: str, same: bool) -> None:
    assert (running_shape(a, 8) == running_shape(b, 8)) is same
