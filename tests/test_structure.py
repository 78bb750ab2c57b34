"""The structure parser on blocks built from real seed text and from generated PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers import layouts, parse_file
from parsers.paragraphs import LineStats, join_line, paragraphs
from parsers.records import Block, DocumentRecord, ExtractedDocument, Section, Source
from parsers.structure import build_record

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SOURCE = Source(path="x.pdf", sha256="0" * 64, format="pdf", page_count=1, parser_version="test")


def text_blocks(text: str, lines_per_page: int = 45) -> list[Block]:
    """PDF-like line blocks from Markdown-ish text: "#" headings, "**bold**" lines, blank lines as gaps."""
    blocks: list[Block] = []
    gap = False
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            gap = True
            continue
        level = None
        m = re.match(r"^(#+)\s+(.*)$", line)
        if m:
            level, line = len(m.group(1)), m.group(2)
        bold = line.startswith("**") and line.endswith("**")
        line = line.replace("**", "").strip()
        if not line:
            continue
        blocks.append(
            Block(
                text=line if "\t" in line else " ".join(line.split()),
                page=1 + len(blocks) // lines_per_page,
                bold=bold,
                heading_level=level,
                font_size=14.0 if level else 11.0,
                space_before=8.0 if gap else 2.0,
                x0=57.0,
            )
        )
        gap = False
    return blocks


def parse_text(text: str) -> DocumentRecord:
    blocks = text_blocks(text)
    extracted = ExtractedDocument(format="pdf", page_count=blocks[-1].page, blocks=tuple(blocks), body_font_size=11.0)
    return build_record(extracted, SOURCE)


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed {path} not available")
    return path.read_text(encoding="utf-8")


# --- the Direktion referat (real text) -------------------------------------------------


@pytest.fixture(scope="module")
def direktionen() -> DocumentRecord:
    return parse_text(seed("direktionen-referat-2023-09-11.md"))


def test_seed_referat_metadata(direktionen: DocumentRecord) -> None:
    assert direktionen.kind == "meeting"
    (meeting,) = direktionen.meetings
    assert meeting.body == "Direktionen"
    assert meeting.document_type == "referat"
    assert meeting.date == "2023-09-11"
    assert meeting.start_time == "09:00"
    assert meeting.location == "Mødelokale 1.14"
    assert meeting.participants == ("Lars Holte", "Jørgen Lerhard", "Charlotte Markussen", "Anya Krogh Manghezi")


def test_seed_referat_items_not_toc(direktionen: DocumentRecord) -> None:
    items = direktionen.meetings[0].items
    assert [i.number for i in items] == [1, 2, 3, 4, 5, 6]
    assert items[0].title == "Program for heldagsmøde i direktionen den 11. september2023"
    assert items[5].title == "Status på Fremtidens administration (ØU03)"
    assert [[c.raw for c in i.case_numbers] for i in items] == [
        ["22/23184"],
        ["22/23184"],
        ["23/4324"],
        ["22/23184"],
        ["23/9850"],
        ["23/3751"],
    ]


def test_seed_referat_closed_item(direktionen: DocumentRecord) -> None:
    closed = direktionen.meetings[0].items[2]
    assert closed.closed and closed.title == "Lukket"
    assert closed.sections == () and closed.decision is None


def test_seed_referat_sections_and_decisions(direktionen: DocumentRecord) -> None:
    item = direktionen.meetings[0].items[4]
    assert [s.heading for s in item.sections] == [
        "Baggrund",
        "Indstilling",
        "Beslutning Direktionen den 11-09-2023",
        "Sagsfremstilling",
        "Økonomi",
        "Bilag",
    ]
    assert item.decision is not None
    assert item.decision.text.startswith("Direktionen godkendte indstillingen")
    assert (item.decision.body, item.decision.date) == ("Direktionen", "2023-09-11")
    assert [a.title for a in item.attachments] == ["Bruttoliste deltagere Workshop 20. september Fællesskaber"]
    assert "22/23184" not in item.text and "23/9850" not in item.text
    bullets = direktionen.meetings[0].items[3].sections[3].text.split("\n")
    assert bullets[1] == "- Aktuelle pressesager"
    schedule = direktionen.meetings[0].items[0].sections[0].text.split("\n")
    assert schedule[:2] == ["Kl. 9-9.30: Øvrige sager", "Kl. 9.30-9.40: Ansøgning - pulje til dyre uddannelser"]


@pytest.mark.parametrize(
    "name", ["not-a-meeting-job-profile.md", "not-a-meeting-process-description.txt", "about-the-secretariat.txt"]
)
def test_seed_non_meetings(name: str) -> None:
    record = parse_text(seed(name))
    assert record.kind == "other"
    assert record.meetings == ()
    assert record.title
    assert "1. Struktureret ledelsesstil" in record.text or name != "not-a-meeting-job-profile.md"


def test_dagsorden_has_no_decisions() -> None:
    text = seed("direktionen-referat-2023-09-11.md").replace("REFERAT", "DAGSORDEN")
    record = parse_text(text)
    meeting = record.meetings[0]
    assert meeting.document_type == "dagsorden"
    assert all(i.decision is None for i in meeting.items)


# --- letter-style committee agenda --------------------------------------------------------

LETTER = """Social- og Beskæftigelsesforvaltningen

Sag: 20/063701-1
Emne: Social- og Beskæftigelsesudvalgsmøde

28. juli 2020

Mødedato: 11. august 2020
Mødetid: Kl. 14.30 – 16.00
Mødested: Rådhuset, mødelokale 3

Deltagere: Anna Jensen (formand), Bo Hansen og Carl Berg
Afbud: Dorte Nielsen

Dagsorden kort:
1. Godkendelse af dagsorden
2. Budget 2021
3. Lukket punkt

1. Godkendelse af dagsorden
Baggrund/formål: Dagsordenen godkendes.
Ansvarlig: Formanden
Bilag: Ingen

2. Budget 2021
Sagsnr.: 20/057417-5
Baggrund/formål: Udvalget drøfter budgettet for 2021 og de økonomiske rammer for hele året og for de kommende år i
Social- og Beskæftigelsesforvaltningen, hvor ti-
den er knap.
Ansvarlig: Direktøren
Bilag:
- Budgetnotat 2021
- Oversigt over anlæg

28. juli 2020 / Side 2 af 3

3. Lukket punkt
"""


def test_letter_style_agenda() -> None:
    record = parse_text(LETTER)
    (meeting,) = record.meetings
    assert meeting.body == "Social- og Beskæftigelsesudvalget"
    assert (meeting.date, meeting.start_time, meeting.end_time) == ("2020-08-11", "14:30", "16:00")
    assert meeting.location == "Rådhuset, mødelokale 3"
    assert meeting.participants == ("Anna Jensen", "Bo Hansen", "Carl Berg")
    assert meeting.absent == ("Dorte Nielsen",)
    assert [c.raw for c in meeting.case_numbers] == ["20/063701-1"]
    assert [(i.number, i.title) for i in meeting.items] == [
        (1, "Godkendelse af dagsorden"),
        (2, "Budget 2021"),
        (3, "Lukket punkt"),
    ]
    first, budget, closed = meeting.items
    assert first.attachments == ()
    assert [(s.heading, s.text) for s in first.sections][1] == ("Ansvarlig", "Formanden")
    assert [c.normalized for c in budget.case_numbers] == ["20/057417"]
    assert [a.title for a in budget.attachments] == ["Budgetnotat 2021", "Oversigt over anlæg"]
    background = budget.sections[0].text
    assert (
        "for hele året og for de kommende år i Social- og Beskæftigelsesforvaltningen, hvor tiden er knap."
        in background
    )
    assert "Side 2" not in budget.text
    assert closed.closed


# --- eDoc bundle: two meetings, categories, an appended paper ----------------------------

BUNDLE = """Referat
Rådmandsmøde (Rådmandsmøde)

04-08-2020 08:30

Rådhuset, lokale 390

Indhold

Kategori - Til godkendelse

Punkt 1: Dagsorden

Punkt 2: Budget for ældreområdet

Kategori - Til orientering

Punkt 3: Status på corona

Kategori - Til godkendelse

Punkt 1: Dagsorden

Dagsordenen blev godkendt.

Punkt 2: Budget for ældreområdet

Sagsnummer: 20/057417-5

Rådmanden godkendte budgettet.

Kategori - Til orientering

Punkt 3: Status på corona

Orienteringen blev taget til efterretning.

Referat
Rådmandsmøde (Rådmandsmøde)

11-08-2020 08:30

Punkt 1: Dagsorden

Godkendt.

Punkt 5: Ny plan

Planen blev drøftet.

Indstilling

Til: Rådmanden

Fra: Sundhed og Omsorg

1. Resume

Der er udarbejdet en plan.

2. Beslutningspunkter

At planen godkendes.
"""


def test_bundle_meetings_categories_and_paper() -> None:
    record = parse_text(BUNDLE)
    first, second = record.meetings
    assert (first.body, first.date, first.start_time, first.location) == (
        "Rådmandsmødet",
        "2020-08-04",
        "08:30",
        "Rådhuset, lokale 390",
    )
    assert [(i.number, i.category) for i in first.items] == [
        (1, "Til godkendelse"),
        (2, "Til godkendelse"),
        (3, "Til orientering"),
    ]
    assert first.items[1].decision is not None
    assert first.items[1].decision.text == "Rådmanden godkendte budgettet."
    assert second.date == "2020-08-11"
    assert [i.number for i in second.items] == [1, 5]
    last = second.items[-1]
    assert "1. Resume" in last.text and "At planen godkendes." in last.text


# --- SBSYS outline numbering -------------------------------------------------------------

OUTLINE = """Referat
**Mødesystemgruppen**

Dato: 6. oktober 2016
Tid: 13:00 - 15:00
Sted: Rådhuset lokale 233

**1 First Agenda**
1.1 Status siden sidst
Oplæg:
Der er blevet foretaget et servicevindue.
Referat: Alle skal have indhold.
1.2 Plan for resten af året
Oplæg:
Først og fremmest AD-integration.

**2 Eventuelt**
Oplæg:
Referat:
"""


def test_outline_subitems_are_headings() -> None:
    record = parse_text(OUTLINE)
    (meeting,) = record.meetings
    assert (meeting.body, meeting.date, meeting.start_time, meeting.end_time) == (
        "Mødesystemgruppen",
        "2016-10-06",
        "13:00",
        "15:00",
    )
    assert [(i.number, i.title) for i in meeting.items] == [(1, "First Agenda"), (2, "Eventuelt")]
    headings = [s.heading for s in meeting.items[0].sections]
    assert headings[:3] == ["1.1 Status siden sidst", "Oplæg", "Referat"]
    assert meeting.items[0].decision is not None
    assert meeting.items[0].decision.text == "Alle skal have indhold."
    assert meeting.items[1].decision is None


def test_no_items_in_meeting_like_document() -> None:
    record = parse_text("Referat\nDirektionen\nMødedato: 1. marts 2021\nMødested: Rådhuset\n\nIntet at referere.")
    assert record.kind == "other"
    assert record.status == "partial"
    assert [p.code for p in record.problems] == ["W001"]


# --- paragraphs ---------------------------------------------------------------------------

STATS = LineStats(line_mode=True, paragraph_gap=5.0, full_line=60)


def test_hyphenation() -> None:
    assert join_line("for Social-", "og Beskæftigelsesudvalget") == "for Social- og Beskæftigelsesudvalget"
    assert join_line("kommunal-", "bestyrelsen") == "kommunalbestyrelsen"
    assert join_line("AD-", "integration") == "AD-integration"
    assert join_line("Børne-", "og Ungeudvalget") == "Børne- og Ungeudvalget"


@given(st.text(alphabet="abcæøåüé", min_size=1, max_size=12), st.text(alphabet="abcæøå", min_size=1, max_size=12))
def test_hyphen_join_keeps_danish_letters(left: str, right: str) -> None:
    assert join_line(f"x {left}-", right) == f"x {left}{right}"


def test_paragraph_gaps_and_bullets() -> None:
    lines = [
        Block(text="Første linje i et afsnit der er langt nok til at fylde", page=1, space_before=2.0),
        Block(text="og fortsætter her.", page=1, space_before=2.0),
        Block(text="Nyt afsnit efter et mellemrum.", page=1, space_before=10.0),
        Block(text="• punkt et", page=1, space_before=2.0),
        Block(text="• punkt to", page=1, space_before=2.0),
    ]
    assert paragraphs(lines, STATS) == [
        "Første linje i et afsnit der er langt nok til at fylde og fortsætter her.",
        "Nyt afsnit efter et mellemrum.",
        "- punkt et",
        "- punkt to",
    ]


# --- a generated PDF through the whole pipeline ---------------------------------------------


def test_generated_pdf_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("parsers.pdf_extractor")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "dagsorden.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 800.0

    def line(text: str, font: str = "Helvetica", size: float = 11, gap: float = 15) -> None:
        nonlocal y
        y -= gap
        c.setFont(font, size)
        c.drawString(60, y, text)

    line("Dagsorden", "Helvetica-Bold", 16)
    line("Økonomiudvalget", "Helvetica-Bold", 14, 20)
    line("Mødedato: Onsdag den 1. oktober 2025 kl. 15.00", gap=24)
    line("Mødested: Byrådssalen")
    line("Punkt 1: Godkendelse af dagsorden", "Helvetica-Bold", 12, 30)
    line("Sagsnr.: 25/001234-2")
    line("Indstilling", "Helvetica-Bold", 11, 22)
    line("Forvaltningen indstiller, at dagsordenen godkendes.")
    line("Punkt 2: Budget 2026", "Helvetica-Bold", 12, 30)
    line("Baggrund", "Helvetica-Bold", 11, 22)
    line("Budgettet for 2026 fremlægges til første behandling.")
    c.showPage()
    c.save()

    record = parse_file(path)
    assert record.kind == "meeting"
    (meeting,) = record.meetings
    assert (meeting.body, meeting.date, meeting.start_time, meeting.location) == (
        "Økonomiudvalget",
        "2025-10-01",
        "15:00",
        "Byrådssalen",
    )
    assert [(i.number, i.title) for i in meeting.items] == [(1, "Godkendelse af dagsorden"), (2, "Budget 2026")]
    assert [c.normalized for c in meeting.items[0].case_numbers] == ["25/001234"]
    assert meeting.items[0].sections[0].heading == "Indstilling"
    assert meeting.items[1].pages == (1,)


# --- Word-template committee minutes (Acadre style), closed part with its own numbering ----------

ACADRE = """Syddjurs Kommune

**Referat**

**Plan-, Udvikling- og Kulturudvalget**

Dato: 07.05.2013
Tid: Kl. 13.00 - 16.30
Sted: Mødelokale 1, Rådhuset Ebeltoft
Fraværende: Gert Schou (V)
Medlemmer: Kirstine Bille (SF), Jesper Yde Knudsen (A), Gert Schou (V)

**Indholdsfortegnelse**

1. Godkendelse af dagsorden 2
2. Kulturpolitik 2013-2016 3
1. Personalesag 4

**1. Godkendelse af dagsorden**
Sagsnr.: 13/1234   Sagsbehandler: Anne Hansen

**Beslutning i Plan-, Udvikling- og Kulturudvalget den 07-05-2013**
Godkendt.

**2. Kulturpolitik 2013-2016**
Sagsnr.: 13/2211

**Resumé**
Kulturpolitikken skal revideres.

**Beslutning i Plan-, Udvikling- og Kulturudvalget den 07-05-2013**
Indstillingen blev godkendt.
Gert Schou (V) var fraværende.

**Bilag**
1. Udkast til kulturpolitik
2. Høringsliste

**Lukket referat**

**1. Personalesag**
Sagsnr.: 13/3001
"""


def test_word_template_minutes_with_closed_part() -> None:
    record = parse_text(ACADRE)
    (meeting,) = record.meetings
    assert meeting.body == "Plan-, Udvikling- og Kulturudvalget"
    assert meeting.municipality == "Syddjurs Kommune"
    assert (meeting.date, meeting.start_time, meeting.end_time) == ("2013-05-07", "13:00", "16:30")
    assert meeting.absent == ("Gert Schou",)
    assert meeting.participants == ("Kirstine Bille", "Jesper Yde Knudsen", "Gert Schou")
    first, policy, closed = meeting.items
    assert [c.raw for c in first.case_numbers] == ["13/1234"]
    assert first.sections[0] == Section(heading="Sagsbehandler", text="Anne Hansen")
    assert policy.decision is not None
    assert policy.decision.text == "Indstillingen blev godkendt.\nGert Schou (V) var fraværende."
    assert policy.decision.body == "Plan-, Udvikling- og Kulturudvalget"
    assert [a.title for a in policy.attachments] == ["Udkast til kulturpolitik", "Høringsliste"]
    assert (closed.number, closed.title, closed.closed, closed.category) == (1, "Personalesag", True, "Lukket referat")
    assert closed.decision is None


# --- SBSYS region agenda/minutes with upper-case section headings --------------------------------

REGION = """Region Hovedstaden

Beslutningsprotokol
Forretningsudvalget

Mødedato: 25. september 2012, kl. 10.00-12.00
Mødested: Regionsgården, mødesal 1

1. Anvendelse af beløb til hospitalsudstyr
Sagsnr.: 12007829

ADMINISTRATIONENS INDSTILLING
at forretningsudvalget anbefaler regionsrådet at godkende fordelingen.

RESUME
Der er afsat 50 mio. kr. til hospitalsudstyr.

SAGEN AFGØRES AF
Regionsrådet.

FORRETNINGSUDVALGETS BESLUTNING
Anbefalet.

REGIONSRÅDETS BESLUTNING
Godkendt.
"""


def test_region_minutes_upper_case_headings() -> None:
    record = parse_text(REGION)
    (meeting,) = record.meetings
    assert (meeting.body, meeting.municipality, meeting.document_type) == (
        "Forretningsudvalget",
        "Region Hovedstaden",
        "referat",
    )
    assert (meeting.date, meeting.start_time, meeting.end_time) == ("2012-09-25", "10:00", "12:00")
    (item,) = meeting.items
    assert [c.raw for c in item.case_numbers] == ["12007829"]
    assert [s.heading for s in item.sections] == [
        "ADMINISTRATIONENS INDSTILLING",
        "RESUME",
        "SAGEN AFGØRES AF",
        "FORRETNINGSUDVALGETS BESLUTNING",
        "REGIONSRÅDETS BESLUTNING",
    ]
    assert item.decision is not None
    assert (item.decision.text, item.decision.body) == ("Anbefalet.", "Forretningsudvalget")


# --- layout fix-ups ------------------------------------------------------------------------------


def test_layout_fixups_drop_page_furniture_only() -> None:
    blocks = [
        Block(text="Referat", page=1, bold=True, font_size=18),
        Block(text="06-10-2016 13:00", page=1, bold=True, font_size=2),  # hidden machine-readable text
        Block(text="23/4324", page=1, font_size=10),
        Block(text="Side 1 af 3", page=1, font_size=8),
        Block(text="2", page=2, font_size=10),
        Block(text="Budget 2026", page=2, bold=True, font_size=14),
        Block(text="Tekst.", page=2, font_size=10),
        Block(text="28. juli 2020 / Side 2 af 3", page=2, font_size=8),
        Block(text="Tekst.", page=3, font_size=10),
        Block(text="3", page=3, font_size=8),
    ]
    kept, layout = layouts.select_fixups(blocks)
    assert [b.text for b in kept] == ["Referat", "23/4324", "2", "Budget 2026", "Tekst.", "Tekst."]
    assert {"hidden-text", "page-furniture"} <= set(layout.names)


def test_layout_running_lines_become_headers() -> None:
    blocks = []
    for page in range(1, 5):
        blocks.append(Block(text="Økonomiudvalget – Referat", page=page, font_size=8))
        blocks.append(Block(text=f"Tekst på side {page}.", page=page, font_size=10))
    kept, layout = layouts.select_fixups(blocks)
    assert "running-lines" in layout.names
    assert [b.role for b in kept if b.text.startswith("Økonomi")] == ["header"] * 4
    assert all(b.role == "body" for b in kept if b.text.startswith("Tekst"))


def test_generated_docx_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("parsers.docx_extractor")
    import docx

    document = docx.Document()
    document.add_heading("Referat", level=1)
    document.add_paragraph("Teknik- og Miljøudvalget")
    document.add_paragraph("Mødedato: Onsdag den 1. oktober 2025 kl. 15.00")
    document.add_paragraph("Mødedeltagere: Anna Jensen, Bo Hansen (formand) og Carl Berg")
    document.add_paragraph("Afbud: Dorte Nielsen")
    document.add_heading("1. Cykelsti langs Åstien", level=2)
    document.add_paragraph("Sagsnummer: EMN-2025-01234")
    document.add_heading("Sagsfremstilling", level=3)
    document.add_paragraph("Cykelstien skal forbinde skolen med boligområdet.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Anlæg"
    table.cell(0, 1).text = "1.250.000"
    table.cell(1, 0).text = "Drift"
    table.cell(1, 1).text = "35.000"
    document.add_heading("Beslutning", level=3)
    document.add_paragraph("Godkendt.")
    document.add_heading("Bilag", level=3)
    document.add_paragraph("Kortbilag", style="List Bullet")
    document.add_paragraph("Notat om trafiksikkerhed", style="List Bullet")
    document.add_heading("2. Lukket punkt", level=2)
    path = tmp_path / "referat.docx"
    document.save(str(path))

    record = parse_file(path)
    (meeting,) = record.meetings
    assert (meeting.body, meeting.document_type, meeting.date, meeting.start_time) == (
        "Teknik- og Miljøudvalget",
        "referat",
        "2025-10-01",
        "15:00",
    )
    assert meeting.participants == ("Anna Jensen", "Bo Hansen", "Carl Berg")
    assert meeting.absent == ("Dorte Nielsen",)
    first, closed = meeting.items
    assert (first.number, first.title, [c.raw for c in first.case_numbers]) == (
        1,
        "Cykelsti langs Åstien",
        ["EMN-2025-01234"],
    )
    assert first.sections[0].heading == "Sagsfremstilling"
    assert "Anlæg 1.250.000" in first.sections[0].text
    assert first.decision is not None and first.decision.text == "Godkendt."
    assert [a.title for a in first.attachments] == ["Kortbilag", "Notat om trafiksikkerhed"]
    assert closed.closed and closed.decision is None


def test_document_type_and_date_label_on_one_title_line() -> None:
    """ "Referat - Mødedato: 11. september 2023" under the body's name titles a meeting."""
    record = parse_text(
        "**Byrådet**\nReferat - Mødedato: 11. september 2023\n\n**1. Anlægsbevilling**\nGodkendt.\n\n"
        "**2. Eventuelt**\nIntet."
    )
    assert record.kind == "meeting"
    (meeting,) = record.meetings
    assert (meeting.body, meeting.date, [i.number for i in meeting.items]) == ("Byrådet", "2023-09-11", [1, 2])
