"""Closed and confidential items are never read as open: every marker in several printed layouts.

The agendas are printed as real PDF and DOCX files: in the ESDH print layouts of
``tests/esdh_render.py`` (SBSYS/eDoc: front page, table of contents, "N. Titel"
headings bold or in a table row, DOCX heading styles or bold runs) and in a
Word-made rådmandsmøde layout ("Punkt N: Titel" in bold, drawn with reportlab,
and the same in python-docx).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from parsers import parse_file
from parsers.confidentiality import MARKERS, OPEN_MARKERS, hint, judge_item, line_marker, meeting_marker, part_marker
from parsers.confidentiality import title_marker as title_marker_of
from parsers.records import Block, ExtractedDocument, Item, Meeting, Source
from parsers.structure import build_record

sys.path.insert(0, str(Path(__file__).parent))
from esdh_render import EsdhField, EsdhItem, EsdhMeeting, render_docx, render_pdf  # noqa: E402

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
SOURCE = Source(path="x.pdf", sha256="0" * 64, format="pdf", page_count=1, parser_version="test")


def _fields(*lines: str) -> tuple[EsdhField, ...]:
    return (EsdhField("Sagsfremstilling", ("Forvaltningen har udarbejdet en sagsfremstilling.", *lines)),)


# (title, extra lines in the item, expected closed_reason or None, expected closed_review)
CASES: tuple[tuple[str, tuple[str, ...], str | None, bool], ...] = (
    ("Godkendelse af dagsorden", (), None, False),
    ("Lukning af Vestskolen", ("Skolen lukkes ved skoleårets afslutning.",), None, False),
    ("Salg af grund – Lukket", (), "– Lukket", False),
    ("Personalesag", ("Der er drøftet en aftale.", "Punktet er lukket"), "Punktet er lukket", False),
    ("Fortroligt punkt: Erstatningssag", (), "Fortroligt punkt:", False),
    ("Etablering af lukket afdeling på plejecenteret", ("Afdelingen får 12 pladser.",), None, False),
    ("Udvidelse af lukketid og lukkeloven", ("Butikkerne må holde åbent længere.",), None, False),
    ("Køb af ejendom", ("Sagen behandles for lukkede døre",), "Sagen behandles for lukkede døre", False),
    ("Klage over afgørelse", ("Status: Lukket",), "Status: Lukket", False),
    ("Eventuelt lukket punkt: Tvist med entreprenør", (), "Eventuelt lukket punkt: Tvist med entreprenør", True),
    ("Orientering om fortrolighed", ("Åbent punkt",), None, False),
    ("Budget for vejdrift (Lukket)", (), "(Lukket)", False),
    ("Forlig med lejer", ("Ikke offentligt",), "Ikke offentligt", False),
    (
        "Aftale om ekspropriation",
        ("Lukket jf. kommunestyrelseslovens § 10",),
        "Lukket jf. kommunestyrelseslovens § 10",
        False,
    ),
    ("Henvendelse fra borger", ("Oplysningerne kan være omfattet af tavshedspligt.",), None, True),
)
MARKER_LINES = {line for _, lines, reason, _ in CASES for line in lines if line == reason or line == "Åbent punkt"}


def _meeting(
    items: tuple[EsdhItem, ...], committee: str = "Økonomiudvalget", frontpage: tuple[str, ...] = ()
) -> EsdhMeeting:
    return EsdhMeeting(committee, "2024-03-07", "15:00", "17:00", "Byrådssalen", items, frontpage=frontpage)


def _marker_meeting() -> EsdhMeeting:
    return _meeting(
        tuple(
            EsdhItem(n, title, f"24/{1000 + n}", False, _fields(*lines))
            for n, (title, lines, _, _) in enumerate(CASES, start=1)
        )
    )


def _word_pdf(meeting: EsdhMeeting, path: Path) -> None:
    """A Word-made rådmandsmøde agenda: "Punkt N: Titel" in bold, "Sagsnr.:" line, plain text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800.0

    def line(text: str, font: str = "Helvetica", size: float = 11, gap: float = 15) -> None:
        nonlocal y
        if y < 80:
            c.showPage()
            y = 800.0
        y -= gap
        c.setFont(font, size)
        c.drawString(60, y, text)

    line("Dagsorden", "Helvetica-Bold", 16)
    line(f"Rådmandsmøde, {meeting.committee}", "Helvetica-Bold", 14, 20)
    line("Mødedato: Torsdag den 7. marts 2024 kl. 15.00", gap=24)
    line(f"Mødested: {meeting.location}")
    for item in meeting.items:
        line(f"Punkt {item.number}: {item.title}", "Helvetica-Bold", 12, 30)
        line(f"Sagsnr.: {item.case_number}")
        for field in item.fields:
            line(field.caption, "Helvetica-Bold", 11, 22)
            for text in field.lines:
                line(text, gap=18)
    c.showPage()
    c.save()


def _word_docx(meeting: EsdhMeeting, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Dagsorden", level=1)
    document.add_paragraph(f"Rådmandsmøde, {meeting.committee}")
    document.add_paragraph("Mødedato: Torsdag den 7. marts 2024 kl. 15.00")
    document.add_paragraph(f"Mødested: {meeting.location}")
    for item in meeting.items:
        document.add_heading(f"Punkt {item.number}: {item.title}", level=2)
        document.add_paragraph(f"Sagsnr.: {item.case_number}")
        for field in item.fields:
            document.add_heading(field.caption, level=3)
            for text in field.lines:
                document.add_paragraph(text)
    document.save(str(path))


LAYOUTS = ("pdf-bold", "pdf-table", "docx-heading", "docx-bold", "word-pdf", "word-docx")


def _render(meeting: EsdhMeeting, layout: str, tmp_path: Path, **options: bool | str) -> Path:
    kind, variant = layout.split("-")
    path = tmp_path / f"{layout}.{variant if kind == 'word' else kind}"
    if kind == "word":
        (_word_pdf if variant == "pdf" else _word_docx)(meeting, path)
    elif kind == "pdf":
        render_pdf(meeting, path, variant, **options)  # type: ignore[arg-type]
    else:
        render_docx(meeting, path, variant, **options)  # type: ignore[arg-type]
    return path


def _only_meeting(path: Path) -> Meeting:
    record = parse_file(path)
    assert record.kind == "meeting", record.problems
    (meeting,) = record.meetings
    return meeting


def _verdicts(items: tuple[Item, ...]) -> list[tuple[int, bool, str | None, bool]]:
    return [(i.number, i.closed, i.closed_reason, i.closed_review) for i in items]


# --- every marker in six printed layouts -------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_marker_closes_its_item_in_every_layout(layout: str, tmp_path: Path) -> None:
    meeting = _only_meeting(_render(_marker_meeting(), layout, tmp_path))
    expected = [(n, reason is not None or review, reason, review) for n, (_, _, reason, review) in enumerate(CASES, 1)]
    got = _verdicts(meeting.items)
    # the reason of a review item is the text seen; the tavshedspligt line is the one seen there
    expected[-1] = (len(CASES), True, "Oplysningerne kan være omfattet af tavshedspligt.", True)
    assert got == expected
    assert [i.title for i in meeting.items] == [title for title, _, _, _ in CASES]


@pytest.mark.parametrize("layout", ["pdf-bold", "docx-heading", "word-pdf"])
def test_marker_lines_are_not_section_text_and_the_rest_is_kept(layout: str, tmp_path: Path) -> None:
    meeting = _only_meeting(_render(_marker_meeting(), layout, tmp_path))
    for item in meeting.items:
        assert not MARKER_LINES & {line.strip() for line in item.text.split("\n")}, item.text
        assert "Forvaltningen har udarbejdet en sagsfremstilling." in item.text
        assert [c.raw for c in item.case_numbers] == [f"24/{1000 + item.number}"]
    assert "Der er drøftet en aftale." in meeting.items[3].text


# --- closed meetings and closed parts --------------------------------------------------------------


def _plain_items(numbers: range, closed: bool = False) -> tuple[EsdhItem, ...]:
    return tuple(EsdhItem(n, f"Sag nummer {n} om vejdrift", f"24/{2000 + n}", closed, _fields()) for n in numbers)


@pytest.mark.parametrize("layout", ["pdf-bold", "pdf-table", "docx-heading", "docx-bold"])
def test_closed_meeting_title_closes_every_item(layout: str, tmp_path: Path) -> None:
    meeting = _meeting(_plain_items(range(1, 4)), frontpage=("Økonomiudvalget – Lukket møde",))
    got = _only_meeting(_render(meeting, layout, tmp_path))
    assert _verdicts(got.items) == [(n, True, "Økonomiudvalget – Lukket møde", False) for n in (1, 2, 3)]


@pytest.mark.parametrize("layout", ["pdf-bold", "docx-bold"])
@pytest.mark.parametrize("document", ["Lukket referat", "Lukket dagsorden", "Lukket beslutningsprotokol"])
def test_closed_document_type_closes_every_item(layout: str, document: str, tmp_path: Path) -> None:
    got = _only_meeting(_render(_meeting(_plain_items(range(1, 3))), layout, tmp_path, document=document))
    assert _verdicts(got.items) == [(n, True, document, False) for n in (1, 2)]


@pytest.mark.parametrize("layout", ["pdf-bold", "docx-heading"])
def test_closed_document_type_only_in_the_running_header(layout: str, tmp_path: Path) -> None:
    path = _render(_meeting(_plain_items(range(1, 3))), layout, tmp_path, document="Lukket dagsorden", no_front=True)
    got = _only_meeting(path)
    assert [(i.closed, i.closed_review) for i in got.items] == [(True, False), (True, False)]
    assert all(i.closed_reason and i.closed_reason.startswith("Lukket dagsorden") for i in got.items)


@pytest.mark.parametrize("layout", ["pdf-bold", "pdf-table", "docx-heading", "docx-bold"])
def test_closed_part_with_continuing_numbers_then_open_part_again(layout: str, tmp_path: Path) -> None:
    items = _plain_items(range(1, 3)) + _plain_items(range(3, 5), closed=True) + _plain_items(range(5, 6))
    got = _only_meeting(_render(_meeting(items), layout, tmp_path, parts=True))
    assert _verdicts(got.items) == [
        (1, False, None, False),
        (2, False, None, False),
        (3, True, "Lukket dagsorden", False),
        (4, True, "Lukket dagsorden", False),
        (5, False, None, False),
    ]


@pytest.mark.parametrize("layout", ["pdf-bold", "docx-bold"])
def test_closed_part_with_restarted_numbers(layout: str, tmp_path: Path) -> None:
    items = _plain_items(range(1, 3)) + _plain_items(range(1, 3), closed=True)
    got = _only_meeting(_render(_meeting(items), layout, tmp_path, parts=True, document="Referat"))
    assert _verdicts(got.items) == [
        (1, False, None, False),
        (2, False, None, False),
        (1, True, "Lukket dagsorden", False),
        (2, True, "Lukket dagsorden", False),
    ]


# --- the structure parser on blocks: parts, categories inside a closed part ---------------------


def _parse_lines(lines: list[str]) -> Meeting:
    blocks = []
    for text in lines:
        bold = text.startswith("**")
        text = text.strip("*")
        blocks.append(Block(text=text, page=1, bold=bold, font_size=14.0 if bold else 11.0, space_before=6.0, x0=57))
    record = build_record(ExtractedDocument("pdf", 1, tuple(blocks), 11.0), SOURCE)
    (meeting,) = record.meetings
    return meeting


def test_a_category_inside_the_closed_part_does_not_reopen_it() -> None:
    meeting = _parse_lines(
        [
            "**Dagsorden**",
            "**Økonomiudvalget**",
            "Mødedato: 7. marts 2024",
            "**1. Budgetopfølgning**",
            "Teksten om budgettet.",
            "**Lukket del**",
            "**2. Salg af grund**",
            "Tekst.",
            "**Til orientering**",
            "**3. Erstatningssag**",
            "Tekst.",
            "**Åbne punkter**",
            "**4. Eventuelt**",
        ]
    )
    assert _verdicts(meeting.items) == [
        (1, False, None, False),
        (2, True, "Lukket del", False),
        (3, True, "Lukket del", False),
        (4, False, None, False),
    ]
    assert [i.category for i in meeting.items] == [None, "Lukket del", "Til orientering", "Åbne punkter"]


def test_an_open_marker_inside_a_closed_part_is_withheld_for_review() -> None:
    meeting = _parse_lines(
        [
            "**Dagsorden**",
            "**Økonomiudvalget**",
            "Mødedato: 7. marts 2024",
            "**Lukkede punkter**",
            "**1. Salg af grund**",
            "Åbent punkt",
            "Tekst.",
        ]
    )
    assert _verdicts(meeting.items) == [(1, True, "Lukkede punkter", True)]


def test_prose_about_a_closed_item_deep_in_the_text_is_not_a_marker() -> None:
    meeting = _parse_lines(
        [
            "**Dagsorden**",
            "**Økonomiudvalget**",
            "Mødedato: 7. marts 2024",
            "**1. Kollektiv trafik**",
            "Baggrund",
            "Movia har drøftet sagen.",
            "Sagen er tidligere drøftet i bestyrelsen.",
            "Forslaget blev behandlet som lukket punkt i Movias dagsorden, men er nu offentligt.",
        ]
    )
    assert _verdicts(meeting.items) == [(1, False, None, False)]
    assert "lukket punkt i Movias dagsorden" in meeting.items[0].text


# --- the marker table itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Lukket punkt: Salg af grund", "Lukket punkt:"),
        ("Lukket: Salg af grund", "Lukket:"),
        ("LUKKET - Salg af grund", "LUKKET -"),
        ("Salg af grund - lukket punkt", "- lukket punkt"),
        ("Salg af grund [Lukket]", "[Lukket]"),
        ("(Lukket) Salg af grund", "(Lukket)"),
        ("Fortroligt: Erstatningssag", "Fortroligt:"),
        ("Erstatningssag (fortroligt)", "(fortroligt)"),
        ("Lukket sag", "Lukket sag"),
        ("Lukket personalesag", "Lukket personalesag"),
        ("Personalesag (lukket)", "(lukket)"),
        ("Lukket", "Lukket"),
        ("Personalesag", None),
        ("Lukning af Vestskolen", None),
    ],
)
def test_title_markers(title: str, reason: str | None) -> None:
    assert title_marker_of(title) == reason


@pytest.mark.parametrize(
    ("line", "verdict"),
    [
        ("Punktet er lukket.", "closed"),
        ("Punktet er lukket for offentligheden", "closed"),
        ("Lukket punkt", "closed"),
        ("Punktet behandles for lukkede døre, jf. § 10", "closed"),
        ("Behandles på lukket møde", "closed"),
        ("Lukket for offentligheden", "closed"),
        ("Ikke til offentliggørelse", "closed"),
        ("Fortroligt", "closed"),
        ("Fortrolig – må ikke videregives", "closed"),
        ("Åben/Lukket: Lukket", "closed"),
        ("Åben/Lukket\tLukket", "closed"),
        ("Sagsnr.\t24/1001\tStatus\tLukket", "closed"),
        ("Lukket jf. styrelseslovens § 10", "closed"),
        ("Offentlig: Nej", "closed"),
        ("Åbent punkt", "open"),
        ("Åben", "open"),
        ("Åben/Lukket\tÅben", "open"),
        ("lukket punkt, men blev gjort offentlig", None),
        ("Fortrolig information om sagen", None),
        ("Lukket for trafik i sommerferien", None),
        ("Ikke offentligt tilgængelige data", None),
    ],
)
def test_line_markers(line: str, verdict: str | None) -> None:
    found = line_marker(line)
    assert (found[0] if found else None) == verdict


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("Lukket møde", True),
        ("Økonomiudvalget, lukket møde", True),
        ("Lukket referat", True),
        ("Referat (lukket)", True),
        ("Åbent og lukket referat", False),
        ("Bemærk: punkt 5 behandles på lukket møde", False),
        ("Referat", False),
    ],
)
def test_meeting_markers(text: str, closed: bool) -> None:
    assert (meeting_marker(text) is not None) is closed


def test_part_markers() -> None:
    assert [
        part_marker(t) for t in ("Lukket dagsorden", "Lukkede punkter:", "Lukket del af mødet", "LUKKET REFERAT")
    ] == ["closed"] * 4
    assert [part_marker(t) for t in ("Åben dagsorden", "Åbne punkter", "Åbent referat")] == ["open"] * 3
    assert [part_marker(t) for t in ("Lukket punkt", "lukket dagsorden med henblik på", "Til orientering")] == [
        None
    ] * 3


@pytest.mark.parametrize(
    "text",
    [
        "Lukning af Vestskolen",
        "Etablering af lukket afdeling på plejecenteret",
        "Flere lukkede afsnit på Solgården",
        "Udvidelse af lukketid",
        "Ændring af lukkeloven",
        "Vejen er lukket for trafik",
        "Svømmehallen har været lukket siden maj",
    ],
)
def test_ordinary_words_are_no_hint(text: str) -> None:
    assert hint(text) is None


def test_hints_near_the_head_only() -> None:
    prose = ["Tekst."] * 5 + ["Sagen er fortrolig af hensyn til parterne."]
    assert judge_item("Vejdrift", prose, None).mark is None
    verdict = judge_item("Vejdrift", prose[-1:], None)
    assert verdict.mark is not None and verdict.mark.review
    assert verdict.mark.reason == "Sagen er fortrolig af hensyn til parterne."


def test_every_marker_example_is_recognised() -> None:
    """The ``example`` of each row of the table is found by its own scope."""
    for marker in MARKERS + OPEN_MARKERS:
        assert marker.pattern.search(marker.example), marker.example


# --- real documents ---------------------------------------------------------------------------------


def _real(name: str) -> Path:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def test_real_sbsys_minutes_open_part_is_open() -> None:
    """The SBSYS "åbent og lukket" minutes print only open items; its text speaks of
    "et åbent og lukket dokument, når der ikke er lukkede punkter" (item 2), which is no marker."""
    record = parse_file(_real("aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf"))
    (meeting,) = record.meetings
    assert _verdicts(meeting.items) == [(1, False, None, False), (2, False, None, False), (3, False, None, False)]
    assert "lukket dokument" in meeting.items[1].text


def test_real_edoc_agenda_closed_part() -> None:
    """eDoc prints "Lukket" under each item of its "Lukkede sager" part: that line is the reason."""
    record = parse_file(_real("middelfart_edoc_testudvalg_dagsorden_2017-05-02.html"))
    (meeting,) = record.meetings
    assert [(i.closed, i.closed_reason) for i in meeting.items] == [(False, None)] * 4 + [(True, "Lukket")] * 2
    assert [i.category for i in meeting.items][4:] == ["Lukkede sager"] * 2


def test_a_part_word_right_under_an_item_heading_marks_that_item_only() -> None:
    meeting = _parse_lines(
        [
            "**Referat**",
            "**Økonomiudvalget**",
            "Mødedato: 7. marts 2024",
            "**1. Erstatningssag**",
            "Lukket møde",
            "**2. Eventuelt**",
            "Intet.",
        ]
    )
    assert _verdicts(meeting.items) == [(1, True, "Lukket møde", False), (2, False, None, False)]
    assert meeting.items[0].text == ""
