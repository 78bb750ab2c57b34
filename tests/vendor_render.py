"""Real meeting texts printed the way five agenda systems print minutes, with gold records.

The texts come from ``../shared/realdocs``: the SBSYS and eDoc XML exports (read by
``esdh_render.load_meeting``) and the FirstAgenda publication pages (HTML, read by
``load_firstagenda``). ``VendorMeeting`` holds what a print shows; ``gold_record``
turns it into the ``DocumentRecord`` the parser should give. Each print style is one
function whose name says the system, and each keeps that system's quirks:

* ``render_edoc_samlet_pdf`` - eDoc "samlet referat": a block of five lines repeated at
  the top of every page (committee, "Referat", "Åbent referat", "Dato: 07.03.2012",
  "Side 3"), a front page with the date and time on one line and the place on the
  next ("onsdag den 7. marts 2012, kl. 15:30" / "i Mødelokale 2 på Rådhuset") and
  "Tilstede:"/"Afbud:" lists with party letters and roles; items run on without page
  breaks.
* ``render_acadre_pdf`` and ``render_acadre_docx`` - Acadre referat: the head as a
  two-column table ("Mødested:", "Mødetidspunkt:", "Deltagere:", "Fraværende:"), each
  item's bilag as table rows "2  Åben  Notat ...  14.03.2013  123456/13", and a
  signature page ("Underskriftsside" and the members' names) after the last item.
* ``render_firstagenda_pdf`` - FirstAgenda: "Punkt N: Titel", the case number on its
  own line, "Beslutninger", the case's treatment history ("Udvalg:", "Dato:",
  "Punktnummer:", what was decided) and a "Bilag" list, one attachment per line; the
  head is a date-and-time line "01-10-2025 15:45" over a location line.
* ``render_sbsys_pdf`` - SBSYS referat: "Mødedato:"/"Mødetidspunkt:"/"Mødested:"
  labels, members one paragraph each under "Medlemmer:", "Fraværende:", items
  "N. Titel" with "Sagsnr.:", and "Beslutning i <udvalg> den dd-mm-yyyy".

Who was absent is not in the exports: the prints list the last member as absent,
and the gold says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from esdh_render import (
    EsdhField,
    EsdhMeeting,
    PageDecor,
    _page_footer,
    deferred_canvas,
    html_field,
    long_date,
    short_date,
)

from parsers.records import (
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Section,
    Source,
)

_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_PARTY_RE = re.compile(r"\s*\(([A-ZÆØÅ]{1,2})\)\s*$")
_DECISION_CAPTION_RE = re.compile(r"^beslutning$|\bbeslutning$", re.IGNORECASE)
_ROLES = ("formand", "næstformand")


@dataclass(frozen=True)
class Person:
    name: str
    party: str | None = None  # "A"
    role: str | None = None  # "formand"

    def printed(self) -> str:
        """ "Doris Børger (A) - formand" as the lists print it."""
        text = self.name + (f" ({self.party})" if self.party else "")
        return text + (f" - {self.role}" if self.role else "")


@dataclass(frozen=True)
class Treatment:
    """An earlier treatment of the case, printed inside the item (FirstAgenda "Sagsforløb")."""

    body: str
    date: str  # ISO
    number: int
    text: str


@dataclass(frozen=True)
class Bilag:
    title: str
    number: int
    access: str  # "Åben" / "Lukket"
    dated: str  # ISO
    document_number: str  # "123456/13"


@dataclass(frozen=True)
class VendorItem:
    number: int
    title: str
    case_number: str | None
    closed: bool
    sections: tuple[EsdhField, ...]  # printed in order, each under its caption
    decision: tuple[str, ...]  # the committee's own decision, paragraphs; () for none
    history: tuple[Treatment, ...] = ()
    bilag: tuple[Bilag, ...] = ()


@dataclass(frozen=True)
class VendorMeeting:
    municipality: str | None
    committee: str  # as printed
    body: str  # what the parser should call the committee
    date: str  # ISO
    start: str  # HH:MM
    end: str | None
    location: str | None
    participants: tuple[Person, ...]
    absent: tuple[Person, ...]
    items: tuple[VendorItem, ...]


# --- source data -------------------------------------------------------------------


def _person(exported: str, index: int) -> Person:
    m = _PARTY_RE.search(exported)
    name = exported[: m.start()].strip() if m else exported.strip()
    return Person(name, m.group(1) if m else None, _ROLES[index] if index < len(_ROLES) else None)


def _bilag_for(item: int, title: str, k: int, meeting_date: str) -> Bilag:
    """A bilag row of an item (Acadre prints a number, access, date and document number)."""
    year = meeting_date[2:4]
    return Bilag(title, k, "Åben", meeting_date, f"{item * 1000 + k * 37 + 100000}/{year}")


def from_esdh(meeting: EsdhMeeting, body: str, municipality: str | None) -> VendorMeeting:
    """An SBSYS/eDoc export as minutes: the committee's own decision field is the decision.

    The "Tidligere behandling"/"Sagen afgøres af" captions name bilag nowhere, so each item
    gets the bilag its text refers to: the titles of its first two non-empty fields, as
    notes ("Notat: Sammendrag").
    """
    people = [_person(m, k) for k, m in enumerate(meeting.members)]
    items: list[VendorItem] = []
    for item in meeting.items:
        own = [
            f
            for f in item.fields
            if _DECISION_CAPTION_RE.search(f.caption)
            and (f.caption.lower() == "beslutning" or body.upper() in f.caption)
        ]
        decision = own[0].lines if own else ()
        sections = tuple(f for f in item.fields if f not in own)
        notes = [f.caption for f in sections if f.lines][:2]
        bilag = tuple(
            _bilag_for(item.number, f"Notat: {c.capitalize()}", k, meeting.date) for k, c in enumerate(notes, 1)
        )
        items.append(
            VendorItem(
                number=item.number,
                title=item.title,
                case_number=item.case_number,
                closed=item.closed,
                sections=sections,
                decision=decision,
                bilag=() if item.closed else bilag,
            )
        )
    return VendorMeeting(
        municipality=municipality,
        committee=meeting.committee,
        body=body,
        date=meeting.date,
        start=meeting.start,
        end=meeting.end,
        location=meeting.location,
        participants=tuple(people[:-1]),
        absent=tuple(people[-1:]),
        items=tuple(items),
    )


_ROW_SPLIT_RE = re.compile(r'<tr class="punktrow')
_NUMBER_RE = re.compile(r'<span class="label label-default">(\d+)</span>')
_TITLE_RE = re.compile(r'<h2 class="overskrift[^"]*"[^>]*>(.*?)</h2>', re.S)
_CASE_RE = re.compile(r'<span class="sagsnummer">(.*?)</span>', re.S)
_PART_RE = re.compile(r'<h3>(.*?)</h3>|<span class="resume">(.*?)</span>\s*(?=<h3>|</div>)', re.S)
_BILAG_RE = re.compile(r'<a [^>]*class="bilag-link"[^>]*>(.*?)</a>', re.S)
_HISTORY_RE = re.compile(r"^(Udvalg|Dato|Punktnummer):\s*(.*)$")


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _history(lines: Sequence[str]) -> tuple[Treatment, ...]:
    """ "Udvalg: X" / "Dato: dd-mm-yyyy" / "Punktnummer: N" / text lines, repeated."""
    found: list[Treatment] = []
    fields: dict[str, str] = {}
    text: list[str] = []

    def close() -> None:
        if {"Udvalg", "Dato", "Punktnummer"} <= fields.keys():
            day, month, year = fields["Dato"].split("-")
            found.append(
                Treatment(fields["Udvalg"], f"{year}-{month}-{day}", int(fields["Punktnummer"]), " ".join(text))
            )

    for line in lines:
        m = _HISTORY_RE.match(line.strip())
        if m and m.group(1) == "Udvalg":
            close()
            fields, text = {}, []
        if m:
            fields[m.group(1)] = m.group(2).strip()
        else:
            text.append(line)
    close()
    return tuple(found)


def load_firstagenda(path: Path, municipality: str) -> VendorMeeting:
    """A FirstAgenda publication page: head table, then one table row per item."""
    page = path.read_text(encoding="utf-8")
    committee = _text(re.search(r'<span class="udvalg">(.*?)</span>', page, re.S).group(1))  # type: ignore[union-attr]
    when = _text(re.search(r'<span class="dato">(.*?)</span>', page, re.S).group(1))  # type: ignore[union-attr]
    place = re.search(r'<span class="sted">(.*?)</span>', page, re.S)
    m = re.search(r"(\d{1,2})\. (\w+) (\d{4}) kl\. (\d{1,2})\.(\d{2})", when)
    assert m, when
    months = "januar februar marts april maj juni juli august september oktober november december".split()
    iso = f"{m.group(3)}-{months.index(m.group(2)) + 1:02d}-{int(m.group(1)):02d}"
    items: list[VendorItem] = []
    for row in _ROW_SPLIT_RE.split(page)[1:]:
        number = int(_NUMBER_RE.search(row).group(1))  # type: ignore[union-attr]
        title = _text(_TITLE_RE.search(row).group(1))  # type: ignore[union-attr]
        case = _CASE_RE.search(row)
        sections: list[EsdhField] = []
        decision: tuple[str, ...] = ()
        history: tuple[Treatment, ...] = ()
        caption = ""
        for part in _PART_RE.finditer(row.split('<ul class="list-unstyled">')[0]):
            if part.group(1) is not None:
                caption = _text(part.group(1))
                continue
            lines = html_field(caption, part.group(2)).lines
            if caption == "Beslutninger":
                decision = lines
            elif caption == "Sagsforløb":
                history = _history(lines)
            elif lines:
                sections.append(EsdhField(caption, lines))
        bilag = tuple(_bilag_for(number, _text(t), k, iso) for k, t in enumerate(_BILAG_RE.findall(row), 1))
        items.append(
            VendorItem(
                number, title, _text(case.group(1)) if case else None, False, tuple(sections), decision, history, bilag
            )
        )
    return VendorMeeting(
        municipality=municipality,
        committee=committee,
        body=committee,
        date=iso,
        start=f"{int(m.group(4)):02d}:{m.group(5)}",
        end=None,
        location=_text(place.group(1)) if place else None,
        participants=(),
        absent=(),
        items=tuple(items),
    )


# --- gold ------------------------------------------------------------------------------


def gold_record(meeting: VendorMeeting, path: Path, style: VendorStyle) -> DocumentRecord:
    """What the parser should read from ``style``'s print of ``meeting`` (as minutes)."""
    items = []
    for item in meeting.items:
        if item.closed:
            items.append(Item(number=item.number, title=item.title, case_numbers=_cases(item), closed=True))
            continue
        sections = [Section(f.caption, "\n".join(f.lines)) for f in item.sections if f.lines]
        if item.decision:
            sections.insert(0, Section("Beslutning", "\n".join(item.decision)))
        if item.history:
            steps = [
                f"Udvalg: {h.body}\nDato: {short_date(h.date)}\nPunktnummer: {h.number}\n{h.text}" for h in item.history
            ]
            sections.append(Section("Sagsforløb", "\n".join(steps)))
        if item.bilag:
            sections.append(Section("Bilag", "\n".join(style.bilag_line(b) for b in item.bilag)))
        decision = Decision(" ".join(item.decision), meeting.body, meeting.date) if item.decision else None
        items.append(
            Item(
                number=item.number,
                title=item.title,
                case_numbers=_cases(item),
                sections=tuple(sections),
                decision=decision,
                attachments=tuple(Attachment(b.title) for b in item.bilag),
            )
        )
    return DocumentRecord(
        source=Source(str(path), "0" * 64, "pdf" if path.suffix == ".pdf" else "docx", 0, "gold"),
        kind="meeting",
        meetings=(
            Meeting(
                body=meeting.body,
                document_type="referat",
                date=meeting.date,
                items=tuple(items),
                municipality=meeting.municipality,
                start_time=meeting.start,
                end_time=meeting.end if style.prints_end_time else None,
                location=meeting.location,
                participants=tuple(p.name for p in meeting.participants) if style.prints_people else (),
                absent=tuple(p.name for p in meeting.absent) if style.prints_people else (),
            ),
        ),
        title=None,
        text="",
        status="ok",
        problems=(),
    )


def _cases(item: VendorItem) -> tuple[CaseNumber, ...]:
    from parsers.casenumbers import find_case_numbers

    if not item.case_number:
        return ()
    found = find_case_numbers(item.case_number)
    return tuple(found[:1]) if found else (CaseNumber(item.case_number, item.case_number),)


# --- printing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
    body: object
    bold: object
    item: object
    caption: object
    title: object
    small: object


def _styles(item_size: float = 13) -> _Styles:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=5)
    return _Styles(
        body=body,
        bold=ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold"),
        item=ParagraphStyle(
            "item", fontName="Helvetica-Bold", fontSize=item_size, leading=item_size + 4, spaceBefore=10, spaceAfter=6
        ),
        caption=ParagraphStyle(
            "caption", fontName="Helvetica-Bold", fontSize=10, leading=13, spaceBefore=8, spaceAfter=3
        ),
        title=ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=18, leading=23, spaceAfter=8),
        small=ParagraphStyle("small", parent=body, fontSize=9, leading=11, spaceAfter=1),
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _build_pdf(path: Path, story: list[object], decorate: PageDecor, top_margin: float) -> None:
    """Lay out ``story`` on A4 and let ``decorate`` draw each page's furniture (knowing the page count)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=top_margin, bottomMargin=2 * cm
    )
    doc.build(story, canvasmaker=deferred_canvas(decorate))


def _field_story(fields: Sequence[EsdhField], st: _Styles, *, colon: bool = False) -> list[object]:
    from reportlab.platypus import Paragraph

    story: list[object] = []
    for f in fields:
        if not f.lines:
            continue
        story.append(Paragraph(_esc(f"{f.caption}:" if colon else f.caption), st.caption))
        for k, line in enumerate(f.lines):
            text = line[2:] if line.startswith("- ") else line
            if line.startswith("- "):
                story.append(Paragraph(_esc(text), st.body, bulletText="\u2022"))
            else:
                story.append(Paragraph(f"<b>{_esc(text)}</b>" if k in f.strong else _esc(text), st.body))
    return story


def _weekday_date(iso: str) -> str:
    return f"{_WEEKDAYS[date.fromisoformat(iso).weekday()]} den {long_date(iso)}"


def _dotted(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def render_edoc_samlet_pdf(
    meeting: VendorMeeting, path: Path, labels: tuple[str, str] = ("Tilstede:", "Afbud:")
) -> None:
    """eDoc "samlet referat": the five-line page head on every page; items run on.
    ``labels``: the captions of the participant and absent lists as printed."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer

    st = _styles()
    head = (meeting.committee, "Referat", "Åbent referat", f"Dato: {_dotted(meeting.date)}")

    def decorate(canvas: object, page: int, total: int) -> None:
        c = canvas  # reportlab canvas; the head is a block of body-size lines, most below the margin zone
        for k, text in enumerate((*head, f"Side {page}")):
            c.setFont("Helvetica-Bold" if k == 0 else "Helvetica", 10)  # type: ignore[attr-defined]
            c.drawString(2 * cm, A4[1] - 1.6 * cm - k * 13, text)  # type: ignore[attr-defined]

    times = meeting.start + (f" - {meeting.end}" if meeting.end else "")
    story: list[object] = [Paragraph(_esc(meeting.municipality), st.small)] if meeting.municipality else []
    story += [
        Paragraph(_esc(meeting.committee), st.title),
        Paragraph("Referat", st.title),
        Paragraph(_esc(f"{_weekday_date(meeting.date)}, kl. {times}"), st.body),
    ]
    if meeting.location:
        story.append(Paragraph(_esc(f"i {meeting.location}"), st.body))
    story.append(Spacer(1, 12))
    for label, people in zip(labels, (meeting.participants, meeting.absent), strict=True):
        story.append(Paragraph(label, st.bold))
        story.extend(Paragraph(_esc(p.printed()), st.small) for p in people)
        story.append(Spacer(1, 8))
    for item in meeting.items:
        story.append(Paragraph(_esc(f"{item.number}. {item.title}"), st.item))
        if item.case_number:
            story.append(Paragraph(_esc(f"Sagsnr.: {item.case_number}"), st.body))
        if item.closed:
            story.append(Paragraph("Lukket punkt", st.body))
            continue
        story.extend(_field_story(item.sections, st))
        if item.decision:
            story.append(Paragraph(_esc(f"Beslutning i {meeting.body}"), st.caption))
            story.extend(Paragraph(_esc(line), st.body) for line in item.decision)
        if item.bilag:
            story.append(Paragraph("Bilag", st.caption))
            story.extend(Paragraph(_esc(b.title), st.body) for b in item.bilag)
    _build_pdf(path, story, decorate, top_margin=4.0 * cm)


def _acadre_head_rows(meeting: VendorMeeting) -> list[tuple[str, str]]:
    times = meeting.start.replace(":", ".") + (f" - {meeting.end.replace(':', '.')}" if meeting.end else "")
    rows = [
        ("Mødedato:", short_date(meeting.date)),
        ("Mødetidspunkt:", f"kl. {times}"),
    ]
    if meeting.location:
        rows.append(("Mødested:", meeting.location))
    rows.append(("Deltagere:", ", ".join(p.printed() for p in meeting.participants)))
    rows.append(("Fraværende:", ", ".join(p.printed() for p in meeting.absent) or "Ingen"))
    return rows


def _acadre_bilag_row(b: Bilag) -> tuple[str, str, str, str, str]:
    return (str(b.number), b.access, b.title, _dotted(b.dated), b.document_number)


def render_acadre_pdf(meeting: VendorMeeting, path: Path) -> None:
    """Acadre referat as PDF: head table, "Punkt N" items, bilag tables, a signature page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

    st = _styles()

    def decorate(canvas: object, page: int, total: int) -> None:
        c = canvas
        c.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        if page > 1:
            c.drawString(2 * cm, A4[1] - 1.2 * cm, f"{meeting.committee} - Referat - {short_date(meeting.date)}")  # type: ignore[attr-defined]
        c.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Side {page} af {total}")  # type: ignore[attr-defined]

    story: list[object] = []
    if meeting.municipality:
        story.append(Paragraph(_esc(meeting.municipality), st.small))
    story += [Paragraph("Referat", st.title), Paragraph(_esc(meeting.committee), st.title)]
    rows = [[label, Paragraph(_esc(value), st.body)] for label, value in _acadre_head_rows(meeting)]
    table = Table(rows, colWidths=[3.5 * cm, 12.5 * cm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, PageBreak()]
    for item in meeting.items:
        story.append(Paragraph(_esc(f"Punkt {item.number}: {item.title}"), st.item))
        if item.case_number:
            story.append(Paragraph(_esc(f"Sagsnr.: {item.case_number}"), st.body))
        if item.closed:
            story.append(Paragraph("Lukket punkt", st.body))
            continue
        story.extend(_field_story(item.sections, st))
        if item.decision:
            story.append(Paragraph("Beslutning", st.caption))
            story.extend(Paragraph(_esc(line), st.body) for line in item.decision)
        if item.bilag:
            story.append(Paragraph("Bilag", st.caption))
            bilag = Table(
                [
                    [_acadre_bilag_row(b)[0], b.access, Paragraph(_esc(b.title), st.body), *_acadre_bilag_row(b)[3:]]
                    for b in item.bilag
                ],
                colWidths=[0.8 * cm, 1.4 * cm, 8.8 * cm, 2.3 * cm, 2.7 * cm],
            )
            bilag.setStyle(
                # cells aligned at the top as Word (which Acadre prints through) aligns them
                TableStyle(
                    [
                        ("FONTSIZE", (0, 0), (-1, -1), 9),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [bilag, Spacer(1, 6)]
    story += [PageBreak(), Paragraph("Underskriftsside", st.item)]
    story += [Paragraph(_esc(p.name), st.body) for p in meeting.participants]
    _build_pdf(path, story, decorate, top_margin=2.2 * cm)


def render_acadre_docx(meeting: VendorMeeting, path: Path) -> None:
    """Acadre referat as DOCX: head table, "Punkt N" headings, bilag tables, a signature page."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = f"{meeting.committee} - Referat - {short_date(meeting.date)}"
    _page_footer(section.footer.paragraphs[0])
    if meeting.municipality:
        doc.add_paragraph(meeting.municipality)
    doc.add_heading("Referat", level=1)
    doc.add_heading(meeting.committee, level=1)
    head = doc.add_table(rows=0, cols=2)
    for label, value in _acadre_head_rows(meeting):
        cells = head.add_row().cells
        cells[0].text, cells[1].text = label, value
    for item in meeting.items:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(f"Punkt {item.number}: {item.title}", level=2)
        if item.case_number:
            doc.add_paragraph(f"Sagsnr.: {item.case_number}")
        if item.closed:
            doc.add_paragraph("Lukket punkt")
            continue
        for f in item.sections:
            if not f.lines:
                continue
            doc.add_heading(f.caption, level=3)
            for line in f.lines:
                if line.startswith("- "):
                    doc.add_paragraph(line[2:], style="List Bullet")
                else:
                    doc.add_paragraph(line)
        if item.decision:
            doc.add_heading("Beslutning", level=3)
            for line in item.decision:
                doc.add_paragraph(line)
        if item.bilag:
            doc.add_heading("Bilag", level=3)
            table = doc.add_table(rows=0, cols=5)
            for b in item.bilag:
                for cell, value in zip(table.add_row().cells, _acadre_bilag_row(b), strict=True):
                    cell.text = value
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_heading("Underskriftsside", level=2)
    for p in meeting.participants:
        doc.add_paragraph(p.name)
    doc.save(str(path))


def render_firstagenda_pdf(meeting: VendorMeeting, path: Path) -> None:
    """FirstAgenda referat: "Punkt N:" heads, case number line, "Beslutninger", history, "Bilag"."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph

    st = _styles(item_size=14)

    def decorate(canvas: object, page: int, total: int) -> None:
        c = canvas
        c.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        c.drawString(2 * cm, 1.2 * cm, f"{meeting.committee} - Referat - {short_date(meeting.date)}")  # type: ignore[attr-defined]
        c.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"{page}/{total}")  # type: ignore[attr-defined]

    story: list[object] = []
    if meeting.municipality:
        story.append(Paragraph(_esc(meeting.municipality), st.small))
    story += [
        Paragraph(_esc(meeting.committee), st.title),
        Paragraph("Referat", st.title),
        Paragraph(_esc(f"{short_date(meeting.date)} {meeting.start}"), st.body),
    ]
    if meeting.location:
        story.append(Paragraph(_esc(meeting.location), st.body))
    story.append(PageBreak())
    for item in meeting.items:
        story.append(Paragraph(_esc(f"Punkt {item.number}: {item.title}"), st.item))
        if item.case_number:
            story.append(Paragraph(_esc(item.case_number), st.body))
        if item.decision:
            story.append(Paragraph("Beslutninger", st.caption))
            story.extend(Paragraph(_esc(line), st.body) for line in item.decision)
        story.extend(_field_story(item.sections, st))
        if item.history:
            story.append(Paragraph("Sagsforløb", st.caption))
            for step in item.history:
                story += [
                    Paragraph(_esc(f"Udvalg: {step.body}"), st.body),
                    Paragraph(_esc(f"Dato: {short_date(step.date)}"), st.body),
                    Paragraph(_esc(f"Punktnummer: {step.number}"), st.body),
                    Paragraph(_esc(step.text), st.body),
                ]
        if item.bilag:
            story.append(Paragraph("Bilag", st.caption))
            story.extend(Paragraph(_esc(b.title), st.body) for b in item.bilag)
    _build_pdf(path, story, decorate, top_margin=2.0 * cm)


def render_sbsys_pdf(meeting: VendorMeeting, path: Path) -> None:
    """SBSYS referat: labelled front page, members one per paragraph, "N. Titel" items."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph

    st = _styles()

    def decorate(canvas: object, page: int, total: int) -> None:
        c = canvas
        c.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        if page > 1:
            c.drawString(2 * cm, A4[1] - 1.3 * cm, f"{meeting.committee} - {short_date(meeting.date)}")  # type: ignore[attr-defined]
        c.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Side {page} af {total}")  # type: ignore[attr-defined]

    times = meeting.start + (f" - {meeting.end}" if meeting.end else "")
    story: list[object] = [Paragraph(_esc(meeting.municipality), st.small)] if meeting.municipality else []
    story += [
        Paragraph("Referat", st.title),
        Paragraph(_esc(meeting.committee), st.title),
        Paragraph(_esc(f"Mødedato: {short_date(meeting.date)}"), st.body),
        Paragraph(_esc(f"Mødetidspunkt: {times}"), st.body),
    ]
    if meeting.location:
        story.append(Paragraph(_esc(f"Mødested: {meeting.location}"), st.body))
    story.append(Paragraph("Medlemmer:", st.body))
    story.extend(Paragraph(_esc(p.printed()), st.body) for p in meeting.participants)
    story.append(Paragraph(_esc("Fraværende: " + ", ".join(p.printed() for p in meeting.absent)), st.body))
    story.append(PageBreak())
    for item in meeting.items:
        story.append(Paragraph(_esc(f"{item.number}. {item.title}"), st.item))
        if item.case_number:
            story.append(Paragraph(_esc(f"Sagsnr.: {item.case_number}"), st.body))
        if item.closed:
            story.append(Paragraph("Lukket punkt", st.body))
            story.append(PageBreak())
            continue
        story.extend(_field_story(item.sections, st))
        if item.decision:
            story.append(Paragraph(_esc(f"Beslutning i {meeting.body} den {short_date(meeting.date)}"), st.caption))
            story.extend(Paragraph(_esc(line), st.body) for line in item.decision)
        if item.bilag:
            story.append(Paragraph("Bilag", st.caption))
            story.extend(Paragraph(_esc(b.title), st.body, bulletText="\u2022") for b in item.bilag)
        story.append(PageBreak())
    _build_pdf(path, story, decorate, top_margin=2.2 * cm)


def _acadre_bilag_line(b: Bilag) -> str:
    return " ".join(_acadre_bilag_row(b))


@dataclass(frozen=True)
class VendorStyle:
    """One system's print: how to render it and what of the meeting it prints."""

    name: str
    suffix: str
    render: Callable[[VendorMeeting, Path], None]
    prints_people: bool  # participant and absent lists on the front page
    prints_end_time: bool
    bilag_line: Callable[[Bilag], str]  # a bilag as the item's text shows it


VENDORS: tuple[VendorStyle, ...] = (
    VendorStyle("edoc-samlet", "pdf", render_edoc_samlet_pdf, True, True, lambda b: b.title),
    VendorStyle("acadre", "pdf", render_acadre_pdf, True, True, _acadre_bilag_line),
    VendorStyle("acadre", "docx", render_acadre_docx, True, True, _acadre_bilag_line),
    VendorStyle("firstagenda", "pdf", render_firstagenda_pdf, False, False, lambda b: b.title),
    VendorStyle("sbsys", "pdf", render_sbsys_pdf, True, True, lambda b: b.title),
)
