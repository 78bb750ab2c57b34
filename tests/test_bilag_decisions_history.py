"""Bilag lists, decision boundaries and the case history printed in minutes (FirstAgenda, Acadre).

Real PDF and DOCX files are printed here in the vendors' layouts: FirstAgenda minutes with
"Punkt N:" heads, a case number line, "Beslutninger", an "INDSTILLING FRA ..." heading, the
treatment history ("Udvalg:", "Dato:", "Punktnummer:") and a bilag list of one title per line;
Acadre minutes with numbered bilag rows (number, access word, title, date, document number)
and a signature page after the last item.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_BREAK
from docx.shared import Pt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from parsers import parse_file
from parsers.records import Attachment, HistoryEntry, Item, Section
from parsers.sections import attachment_line, case_history
from parsers.serialize import record_from_json, record_to_json
from search_cli.cli import cli

PAGE_W, PAGE_H = A4
PAGE = ("", "page")  # a page break in a printed line list
CASE = "EMN-2025-010561"

_FONTS = {
    "title": ("Helvetica-Bold", 16),
    "h": ("Helvetica-Bold", 12),
    "b": ("Helvetica-Bold", 10),
    "p": ("Helvetica", 10),
}


def _print_pdf(path: Path, lines: list[tuple[str, str]], footer: str) -> Path:
    """Print lines (text, style) top-down; a paragraph gap before headings, a page foot on every page."""
    c = canvas.Canvas(str(path), pagesize=A4)
    page = 1
    y = PAGE_H - 70

    def foot() -> None:
        c.setFont("Helvetica", 8)
        c.drawString(56, 30, f"{footer} - Side {page}")

    for text, style in lines:
        if style == "page" or y < 80:
            foot()
            c.showPage()
            page += 1
            y = PAGE_H - 70
            if style == "page":
                continue
        if style in ("h", "b", "title"):
            y -= 10
        font, size = _FONTS[style]
        c.setFont(font, size)
        c.drawString(56, y, text)
        y -= size + 4
    foot()
    c.showPage()
    c.save()
    return path


def _first_agenda_lines(
    committee: str, date_line: str, items: list[tuple[int, str, list[tuple[str, str]]]]
) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [
        ("Referat", "title"),
        (committee, "p"),
        (f"Mødedato: {date_line}", "p"),
        ("Mødested: Rådhuset, lokale 390", "p"),
    ]
    for number, title, body in items:
        lines += [(f"Punkt {number}: {title}", "h"), (CASE if number == 1 else f"EMN-2025-0200{number}", "p")]
        lines += body
    return lines


FIRST_AGENDA_ITEM_1 = [
    ("Beslutninger", "b"),
    ("Et flertal i udvalget kunne tiltræde indstillingen i overensstemmelse med Magistratens", "p"),
    ("anbefaling.", "p"),
    ("Sagen bedes tilbagesendt byrådet via Magistraten.", "p"),
    ("Socialdemokratiets byrådsgruppe kunne ikke tiltræde indstillingen.", "p"),
    ("INDSTILLING FRA MAGISTRATSAFDELINGEN FOR TEKNIK OG MILJØ", "b"),
    ("Udviklingsplanen for Pier 3 har været i fire ugers høring.", "p"),
    ("Resume", "b"),
    ("Der er indkommet i alt 1149 høringssvar fra borgere, råd og foreninger.", "p"),
    ("Sagsforløb", "b"),
    ("Udvalg: Magistraten", "p"),
    ("Dato: 02-06-2025", "p"),
    ("Punktnummer: 7", "p"),
    ("Fremsendes til Aarhus Byråd med bemærkning, at Magistraten anbefaler indstillingen.", "p"),
    ("Udvalg: Aarhus Byråd", "p"),
    ("Dato: 11-06-2025", "p"),
    ("Punktnummer: 12", "p"),
    ("Fremsendes til Teknisk Udvalg til behandling i henhold til byrådets beslutning.", "p"),
    ("Bilag", "b"),
    ("Indstilling", "p"),
    ("Bilag 1: Beslutningsforslag", "p"),
    ("Meningstilkendegivelse fra Fællesrådet for Aarhus Ø og de bynære havnearealer", "p"),
    ("(påført 27.08.2025)", "p"),
    ("Bilag 2: Notat om trafikafvikling", "p"),
]

FIRST_AGENDA_ITEM_2 = [
    ("Beslutninger", "b"),
    ("Der var foretræde til sagen, hvorefter udvalget drøftede sagen. Udvalget besluttede at", "p"),
    ("udsætte sagens behandling med henblik på forvaltningens", "p"),
    PAGE,
    ("besvarelse af udvalgets spørgsmål.", "p"),
    ("BESLUTNINGSFORSLAG FRA SOCIALISTISK FOLKEPARTI", "b"),
    ("Socialistisk Folkeparti foreslår flere grønne arealer på havnen.", "p"),
    ("Resume", "b"),
    ("Forslaget drøftes i udvalget.", "p"),
    ("Bilag", "b"),
    ("Beslutningsforslag", "p"),
]


@pytest.fixture(scope="module")
def first_agenda_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("firstagenda")
    lines = _first_agenda_lines(
        "Teknisk Udvalg",
        "1. oktober 2025",
        [
            (1, "Udviklingsplan for Pier 3 - endelig vedtagelse", FIRST_AGENDA_ITEM_1),
            (2, "Grønne arealer på havnen", FIRST_AGENDA_ITEM_2),
        ],
    )
    return _print_pdf(folder / "teknisk-udvalg_referat_2025-10-01.pdf", lines, "Teknisk Udvalg - 01-10-2025")


def _items(path: Path) -> tuple[Item, ...]:
    record = parse_file(path)
    assert record.kind == "meeting" and len(record.meetings) == 1, record.problems
    return record.meetings[0].items


# --- FirstAgenda ---------------------------------------------------------------------------------


def test_first_agenda_bilag_list_is_one_attachment_per_title(first_agenda_pdf: Path) -> None:
    item = _items(first_agenda_pdf)[0]
    assert [a.title for a in item.attachments] == [
        "Indstilling",
        "Bilag 1: Beslutningsforslag",
        "Meningstilkendegivelse fra Fællesrådet for Aarhus Ø og de bynære havnearealer (påført 27.08.2025)",
        "Bilag 2: Notat om trafikafvikling",
    ]
    assert [a.date for a in item.attachments] == [None, None, "2025-08-27", None]
    assert "Indstilling" not in [s.heading for s in item.sections[-2:]]  # the bilag title opens no section


def test_first_agenda_decision_runs_to_the_next_heading(first_agenda_pdf: Path) -> None:
    first, second = _items(first_agenda_pdf)
    assert first.decision is not None and first.decision.text.split("\n") == [
        "Et flertal i udvalget kunne tiltræde indstillingen i overensstemmelse med Magistratens anbefaling.",
        "Sagen bedes tilbagesendt byrådet via Magistraten.",
        "Socialdemokratiets byrådsgruppe kunne ikke tiltræde indstillingen.",
    ]
    headings = [s.heading for s in first.sections]
    assert headings[:3] == ["Beslutninger", "INDSTILLING FRA MAGISTRATSAFDELINGEN FOR TEKNIK OG MILJØ", "Resume"]
    assert second.decision is not None
    assert " ".join(second.decision.text.split()) == (
        "Der var foretræde til sagen, hvorefter udvalget drøftede sagen. Udvalget besluttede at udsætte "
        "sagens behandling med henblik på forvaltningens besvarelse af udvalgets spørgsmål."
    )
    assert "BESLUTNINGSFORSLAG FRA SOCIALISTISK FOLKEPARTI" in [s.heading for s in second.sections]


def test_first_agenda_case_history_is_a_field_not_section_text(first_agenda_pdf: Path) -> None:
    item = _items(first_agenda_pdf)[0]
    assert item.history == (
        HistoryEntry(
            "Magistraten",
            "2025-06-02",
            7,
            "Fremsendes til Aarhus Byråd med bemærkning, at Magistraten anbefaler indstillingen.",
        ),
        HistoryEntry(
            "Byrådet",
            "2025-06-11",
            12,
            "Fremsendes til Teknisk Udvalg til behandling i henhold til byrådets beslutning.",
        ),
    )
    assert "Sagsforløb" not in [s.heading for s in item.sections]
    assert "Punktnummer" not in item.text and "Magistraten anbefaler indstillingen" not in item.text
    assert item.decision is not None and "Magistraten anbefaler" not in item.decision.text


def test_history_and_attachment_fields_survive_json() -> None:
    item = Item(
        number=3,
        title="T",
        attachments=(Attachment("Notat", number=2, access="Lukket", document_number="123/13", closed=True),),
        history=(HistoryEntry("Magistraten", "2025-06-02", 7, "Anbefalet."),),
    )
    from parsers.records import DocumentRecord, Meeting, Source

    record = DocumentRecord(
        source=Source("x.pdf", "0" * 64, "pdf", 1, "t"),
        kind="meeting",
        meetings=(Meeting(body="Byrådet", document_type="referat", date="2025-06-11", items=(item,)),),
    )
    assert record_from_json(record_to_json(record)) == record
    data = json.loads(record_to_json(record))["meetings"][0]["items"][0]
    assert data["history"] == [{"body": "Magistraten", "date": "2025-06-02", "number": 7, "text": "Anbefalet."}]


def test_history_labels_inside_a_decision_and_dated_lines_under_sagens_forloeb() -> None:
    sections = [
        Section("Beslutning", "Godkendt.\nUdvalg: Økonomiudvalget\nDato: 03-05-2024\nPunktnummer: 4\nAnbefalet."),
        Section("Sagens forløb", "19-08-2019 Magistraten\nFremsendes til byrådet.\n28-08-2019 Aarhus Byråd\nUdsat."),
        Section("Bilag", "Notat"),
    ]
    kept, history = case_history(sections)
    assert kept == [Section("Beslutning", "Godkendt."), Section("Bilag", "Notat")]
    assert history == [
        HistoryEntry("Økonomiudvalget", "2024-05-03", 4, "Anbefalet."),
        HistoryEntry("Magistraten", "2019-08-19", None, "Fremsendes til byrådet."),
        HistoryEntry("Byrådet", "2019-08-28", None, "Udsat."),
    ]


def test_prose_under_sagsforloeb_stays_text() -> None:
    sections = [Section("Sagsforløb", "Sagen blev behandlet i Økonomiudvalget den 3. maj 2024.")]
    assert case_history(sections) == (sections, [])


# --- Acadre ---------------------------------------------------------------------------------------

ACADRE_ITEMS = (
    (
        1,
        "Fritidstilbud til unge",
        "13/1234",
        "Godkendt.",
        [
            "1 Åben Notat om fritidstilbud 14.03.2013 123456/13",
            "2 Lukket Ansøgning fra foreningen om tilskud til 12.03.2013 123457/13",
        ],
    ),
    (2, "Budgetopfølgning", "13/2200", "Taget til efterretning.", ["3 Åben Budgetoversigt 10.03.2013 123458/13"]),
)
ACADRE_SIGNERS = ("Anne Hansen", "Peter Jensen", "Karen Holm")


def _acadre_pdf(path: Path) -> Path:
    lines: list[tuple[str, str]] = [
        ("Referat", "title"),
        ("Kultur- og Fritidsudvalget", "p"),
        ("Mødedato: 14. marts 2013", "p"),
    ]
    for number, title, case, decided, rows in ACADRE_ITEMS:
        lines += [(f"{number}. {title}", "h"), (f"Sagsnr.: {case}", "p"), ("Sagsfremstilling", "b")]
        lines += [("Forvaltningen har udarbejdet et notat om sagen.", "p")]
        lines += [("Beslutning i Kultur- og Fritidsudvalget den 14-03-2013", "b"), (decided, "p"), ("Bilag", "b")]
        for row in rows:
            lines.append((row, "p"))
            if "tilskud til" in row:
                lines.append(("drift af klubhuset", "p"))  # the title wraps in its column
    lines += [PAGE, ("Underskriftsside", "b"), *((name, "p") for name in ACADRE_SIGNERS)]
    return _print_pdf(path, lines, "Kultur- og Fritidsudvalget - 14-03-2013")


def _acadre_docx(path: Path) -> Path:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10)

    def para(text: str, bold: bool = False, size: float | None = None) -> None:
        run = document.add_paragraph().add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)

    para("Referat", True, 16)
    para("Kultur- og Fritidsudvalget")
    para("Mødedato: 14. marts 2013")
    for number, title, case, decided, rows in ACADRE_ITEMS:
        para(f"{number}. {title}", True, 12)
        para(f"Sagsnr.: {case}")
        para("Sagsfremstilling", True)
        para("Forvaltningen har udarbejdet et notat om sagen.")
        para("Beslutning i Kultur- og Fritidsudvalget den 14-03-2013", True)
        para(decided)
        para("Bilag", True)
        table = document.add_table(rows=0, cols=5)
        for cells in [("Nr.", "Åben/Lukket", "Titel", "Dato", "Dok.nr.")] + [_row_cells(r) for r in rows]:
            row = table.add_row()
            for k, cell in enumerate(cells):
                row.cells[k].text = cell
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    para("Underskriftsside", True)
    for name in ACADRE_SIGNERS:
        para(name)
    document.save(str(path))
    return path


def _row_cells(row: str) -> tuple[str, str, str, str, str]:
    number, access, rest = row.split(" ", 2)
    title, date, docno = rest.rsplit(" ", 2)
    if "tilskud til" in title:
        title += " drift af klubhuset"
    return number, access, title, date, docno


@pytest.fixture(scope="module", params=["pdf", "docx"])
def acadre_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("acadre")
    path = folder / f"kultur-og-fritidsudvalget_referat_2013-03-14.{request.param}"
    return _acadre_pdf(path) if request.param == "pdf" else _acadre_docx(path)


def test_acadre_bilag_rows_give_number_access_date_and_document_number(acadre_file: Path) -> None:
    first, second = _items(acadre_file)
    assert first.attachments == (
        Attachment("Notat om fritidstilbud", 1, "Åben", "123456/13", "2013-03-14", closed=False),
        Attachment(
            "Ansøgning fra foreningen om tilskud til drift af klubhuset", 2, "Lukket", "123457/13", "2013-03-12", True
        ),
    )
    assert second.attachments == (Attachment("Budgetoversigt", 3, "Åben", "123458/13", "2013-03-10"),)
    assert first.decision is not None and first.decision.text == "Godkendt."


def test_acadre_signature_page_is_neither_bilag_nor_item_text(acadre_file: Path) -> None:
    last = _items(acadre_file)[-1]
    assert [a.title for a in last.attachments] == ["Budgetoversigt"]
    assert not any(name in last.text for name in ACADRE_SIGNERS)
    assert "Underskriftsside" not in last.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2 Åben Notat om fritidstilbud 14.03.2013 123456/13",
            Attachment("Notat om fritidstilbud", 2, "Åben", "123456/13", "2013-03-14"),
        ),
        ("4 Fortrolig Lægeerklæring", Attachment("Lægeerklæring", 4, "Fortrolig", closed=True)),
        ("- Bilag 3: Kort over området", Attachment("Bilag 3: Kort over området")),
        ("1. Notat om trafik", Attachment("Notat om trafik")),
    ],
)
def test_attachment_line(line: str, expected: Attachment) -> None:
    assert attachment_line(line) == expected


# --- arkiv case ---------------------------------------------------------------------------------


def _magistraten_docx(path: Path) -> Path:
    """The earlier meeting the FirstAgenda history names (Magistraten 2 June 2025, item 7)."""
    document = docx.Document()
    for text, bold in (
        ("Referat", True),
        ("Magistraten", False),
        ("Mødedato: 2. juni 2025", False),
        ("Punkt 6: Godkendelse af dagsorden", True),
        ("Beslutning", True),
        ("Godkendt.", False),
        ("Punkt 7: Udviklingsplan for Pier 3 - endelig vedtagelse", True),
        (CASE, False),
        ("Beslutning", True),
        ("Fremsendes til Aarhus Byråd med bemærkning, at Magistraten anbefaler indstillingen.", False),
    ):
        document.add_paragraph().add_run(text).bold = bold
    document.save(str(path))
    return path


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_arkiv_case_shows_printed_history_once(first_agenda_pdf: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / first_agenda_pdf.name).write_bytes(first_agenda_pdf.read_bytes())
    _magistraten_docx(source / "magistraten_referat_2025-06-02.docx")
    archive = tmp_path / "archive"
    _cli("ingest", str(source), "--archive", str(archive), "--quiet")
    _cli("index", "--archive", str(archive))
    rows = json.loads(_cli("case", CASE, "--archive", str(archive), "--json"))["items"]
    steps = [(r["date"], r["body"], r["type"], r["item"], r["from_later_document"]) for r in rows]
    assert steps == [
        ("2025-06-02", "Magistraten", "referat", 7, False),  # in the archive: not repeated from the history
        ("2025-06-11", "Byrådet", "history", 12, True),  # only printed in the later minutes
        ("2025-10-01", "Teknisk Udvalg", "referat", 1, False),
    ]
    printed = rows[1]
    assert printed["decision"] == "Fremsendes til Teknisk Udvalg til behandling i henhold til byrådets beslutning."
    assert printed["source_path"].endswith(first_agenda_pdf.name) and printed["source"].startswith("printed in")
    table = _cli("case", CASE, "--archive", str(archive))
    assert "history" in table and "printed in" in table
