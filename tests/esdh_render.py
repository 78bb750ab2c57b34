"""Render real ESDH agenda exports (SBSYS and eDoc XML) as printed PDF and DOCX files.

The XML files in ``../shared/realdocs`` hold real agenda content as structured
data. This module reads the truth from them (``load_meeting``) and prints it the
way the SBSYS and eDoc print templates lay out an agenda: a front page with the
committee, "Dagsorden" and date/time/place, a table of contents, one heading
per item, a case-number line, the item's field captions as headings followed by
the field text, closed items without content, a running header with committee
and date, and a footer "Side N af M". ``Variant`` selects how headings look.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

_EDOC_NS = "{http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/}"
_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_MONTHS = ("januar februar marts april maj juni juli august september oktober november december").split()


@dataclass(frozen=True)
class EsdhField:
    caption: str
    lines: tuple[str, ...]  # paragraphs of the field; bullets start with "- "
    strong: frozenset[int] = frozenset()  # indexes of lines set wholly in <strong>/<b>: printed bold


@dataclass(frozen=True)
class EsdhItem:
    number: int
    title: str
    case_number: str | None  # None: the export states none
    closed: bool
    fields: tuple[EsdhField, ...]
    sub_items: tuple[str, ...] = ()  # "1.1 Titel" lines printed inside the item


@dataclass(frozen=True)
class EsdhMeeting:
    committee: str
    date: str  # ISO
    start: str  # HH:MM
    end: str | None
    location: str | None
    items: tuple[EsdhItem, ...]
    members: tuple[str, ...] = ()  # as exported, e.g. "Doris Børger (A)"
    frontpage: tuple[str, ...] = ()  # the agenda's own front-page text (SBSYS "Frontpage" HTML), as lines


class _HtmlLines(HTMLParser):
    """Strip field HTML: p/br/div/li/headings end lines, li starts a "- " bullet.

    A line whose text is all inside <strong>/<b> is remembered as bold, as the print shows it.
    """

    _BREAKS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self._current: list[str] = []
        self._plain_text = False  # the current line has text outside <strong>
        self._strong = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current).replace("\xa0", " ")).strip()
        if text.strip("- "):
            self.lines.append((text, not self._plain_text))
        self._current = []
        self._plain_text = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self._flush()
        if tag == "li":
            self._current.append("- ")
        if tag in ("td", "th") and self._current:
            self._current.append(" ")
        if tag in ("strong", "b"):
            self._strong += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self._flush()
        if tag in ("strong", "b"):
            self._strong = max(0, self._strong - 1)

    def handle_data(self, data: str) -> None:
        self._current.append(data)
        if not self._strong and data.replace("\xa0", " ").strip():
            self._plain_text = True

    def close(self) -> None:
        super().close()
        self._flush()


def html_field(caption: str, content: str) -> EsdhField:
    """A field from its caption and HTML content."""
    parser = _HtmlLines()
    parser.feed(content)
    parser.close()
    lines = tuple(text for text, _ in parser.lines)
    strong = frozenset(k for k, (_, bold) in enumerate(parser.lines) if bold)
    return EsdhField(caption, lines, strong)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(text or "")).strip()


def _iso(stamp: str) -> tuple[str, str]:
    """ "15-05-2013 16:30:00" -> ("2013-05-15", "16:30")."""
    m = re.match(r"(\d{2})-(\d{2})-(\d{4})\s+(\d{2}):(\d{2})", stamp.strip())
    if not m:
        raise ValueError(f"unexpected date stamp {stamp!r}")
    day, month, year, hour, minute = m.groups()
    return f"{year}-{month}-{day}", f"{hour}:{minute}"


def _load_sbsys(root: ET.Element) -> EsdhMeeting:
    meeting = root.find(".//Agenda/Meeting")
    committee = root.find(".//Committee")
    assert meeting is not None and committee is not None
    date, start = _iso(meeting.findtext("When") or "")
    until = meeting.findtext("Until")
    items: list[EsdhItem] = []
    subs: dict[int, list[str]] = {}
    for el in root.iter("Item"):
        raw_number = (el.findtext("Number") or "").strip()
        title = _clean(el.findtext("Caption"))
        if "." in raw_number:  # a sub-item "1.1": printed inside its parent item
            subs.setdefault(int(raw_number.split(".")[0]), []).append(f"{raw_number} {title}")
            continue
        number = int(raw_number)
        if number == 0:  # part markers ("Åbent referat"), not agenda items
            continue
        case_el = el.find("Case/Number")
        case = _clean(case_el.text) if case_el is not None else ""
        fields = []
        for field_el in el.iter("ItemField"):
            caption = _clean(field_el.findtext("Caption"))
            if not caption or caption == title:
                continue
            fields.append(html_field(caption, field_el.findtext("Content") or ""))
        closed = (el.findtext("IsPublic") or "true").strip().lower() != "true"
        items.append(EsdhItem(number, title, case or None, closed, tuple(fields)))
    items = [
        EsdhItem(i.number, i.title, i.case_number, i.closed, i.fields, tuple(subs.get(i.number, ()))) for i in items
    ]
    return EsdhMeeting(
        committee=_clean(committee.findtext("Name")),
        date=date,
        start=start,
        end=_iso(until)[1] if until else None,
        location=_clean(meeting.findtext("Where")) or None,
        items=tuple(items),
        members=tuple(_clean(m.findtext("Name")) for m in meeting.iter("MeetingMember") if _clean(m.findtext("Name"))),
        frontpage=html_field("", root.findtext(".//Agenda/Frontpage") or "").lines,
    )


def _load_edoc(root: ET.Element) -> EsdhMeeting:
    n = _EDOC_NS
    committee = root.find(f"{n}Committee")
    assert committee is not None
    meeting = committee.find(f"{n}Meeting")
    assert meeting is not None
    date, start = _iso(meeting.findtext(f"{n}MeetingDateTime") or "")
    end = meeting.findtext(f"{n}EndDateTime")
    items = []
    for element in meeting.iter(f"{n}AgendaElement"):
        handling = element.find(f"{n}HandlingItem")
        assert handling is not None
        fields = []
        for presentation in handling.iter(f"{n}CasePresentation"):
            caption = _clean(presentation.findtext(f"{n}Title"))
            fields.append(html_field(caption, presentation.findtext(f"{n}Content") or ""))
        items.append(
            EsdhItem(
                number=int(handling.findtext(f"{n}SerialNo") or "0"),
                title=_clean(handling.findtext(f"{n}Title")),
                case_number=_clean(handling.findtext(f"{n}CaseNumber")) or None,
                closed=(element.findtext(f"{n}AccessIsPublic") or "true").strip().lower() != "true",
                fields=tuple(fields),
            )
        )
    return EsdhMeeting(
        committee=_clean(committee.findtext(f"{n}Name")),
        date=date,
        start=start,
        end=_iso(end)[1] if end else None,
        location=_clean(meeting.findtext(f"{n}MeetingLocation")) or None,
        items=tuple(items),
        members=tuple(
            _clean(m.findtext(f"{n}Name"))
            for m in meeting.iter(f"{n}MeetingParticipant")
            if _clean(m.findtext(f"{n}Name"))
        ),
    )


def load_meeting(path: Path) -> EsdhMeeting:
    root = ET.parse(path).getroot()
    if root.tag.startswith(_EDOC_NS) or root.find(f"{_EDOC_NS}Committee") is not None:
        return _load_edoc(root)
    return _load_sbsys(root)


def long_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)}. {_MONTHS[int(month) - 1]} {year}"


def short_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}-{month}-{year}"


Variant = Literal["bold", "larger", "table"]


@dataclass(frozen=True)
class Line:
    """One printed paragraph of the agenda, before it is laid out in a format."""

    text: str
    kind: Literal[
        "title", "front", "toc", "item", "itemlabel", "case", "caption", "text", "strong", "bullet", "pagebreak"
    ]
    number: int | None = None  # item lines: the number
    item_title: str | None = None
    label: str | None = None  # item lines: "3." or "Punkt 3"


def agenda_lines(
    meeting: EsdhMeeting,
    *,
    punkt: bool = False,
    document: str = "Dagsorden",
    front_table: bool = False,
    colon: bool = False,
    split: bool = False,
    long_front: bool = False,
    parts: bool = False,
    no_front: bool = False,
) -> list[Line]:
    """The agenda (or, with ``document="Referat"``, the minutes) in the print templates' order.

    ``punkt``: items labelled "Punkt 3" instead of "3."; ``front_table``: the front page's
    facts as "Label: value" rows of a two-column table (members on one row,
    comma-separated) instead of lines with one member per line; ``colon``: field
    captions end with ":"; ``split``: the item label on a line of its own above the title;
    ``long_front``: "Mødedato: onsdag den 15. maj 2013", "Mødetidspunkt: kl. 16.30 - 18.00",
    "Mødested:", "Medlemmer:" instead of "Dato:", "Tid:", "Sted:", "Deltagere:";
    ``parts``: the items under "Åben dagsorden" / "Lukket dagsorden" headings, closed
    items without a "Lukket punkt" line; ``no_front``: no front page and no table of
    contents (the renderers then print document, committee and date in the running header).
    """
    labels = (
        ("Mødedato", "Mødetidspunkt", "Mødested", "Medlemmer") if long_front else ("Dato", "Tid", "Sted", "Deltagere")
    )
    if long_front:
        weekday = _WEEKDAYS[date.fromisoformat(meeting.date).weekday()]
        when = f"{weekday} den {long_date(meeting.date)}"
        times = f"kl. {meeting.start.replace(':', '.')}" + (
            f" - {meeting.end.replace(':', '.')}" if meeting.end else ""
        )
    else:
        when = long_date(meeting.date)
        times = meeting.start + (f" - {meeting.end}" if meeting.end else "")
    lines = [Line(text, "title") for text in meeting.frontpage]
    lines += [
        Line(meeting.committee, "title"),
        Line(document, "title"),
        Line(f"{labels[0]}: {when}", "front"),
        Line(f"{labels[1]}: {times}", "front"),
    ]
    if no_front:  # the items start on page 1; committee, document and date only in the running header
        lines = []
    elif meeting.location:
        lines.append(Line(f"{labels[2]}: {meeting.location}", "front"))
    if no_front:
        pass
    elif meeting.members and front_table:
        lines.append(Line(f"{labels[3]}: " + ", ".join(meeting.members), "front"))
    elif meeting.members:
        lines.append(Line(f"{labels[3]}:", "text"))
        lines.extend(Line(name, "text") for name in meeting.members)
    if not no_front:
        lines.append(Line("Indholdsfortegnelse", "caption"))
        for page, item in enumerate(meeting.items, start=2):
            lines.append(Line(f"{item.number}. {item.title}\t{page}", "toc"))
        lines.append(Line("", "pagebreak"))
    part: str | None = None
    for item in meeting.items:
        if parts and part != ("Lukket dagsorden" if item.closed else "Åben dagsorden"):
            part = "Lukket dagsorden" if item.closed else "Åben dagsorden"
            lines.append(Line(part, "caption"))
        label = f"Punkt {item.number}" if punkt else f"{item.number}."
        if split:
            lines.append(Line(label, "itemlabel", item.number, item.title, label))
            lines.append(Line(item.title, "item", item.number, item.title, label))
        else:
            lines.append(Line(f"{label} {item.title}", "item", item.number, item.title, label))
        if item.case_number:
            lines.append(Line(item.case_number, "case"))
        if item.closed:
            if not parts:
                lines.append(Line("Lukket punkt", "text"))
            lines.append(Line("", "pagebreak"))
            continue
        for sub in item.sub_items:
            lines.append(Line(sub, "text"))
        for field_ in item.fields:
            lines.append(Line(f"{field_.caption}:" if colon else field_.caption, "caption"))
            for k, text in enumerate(field_.lines):
                if text.startswith("- "):
                    lines.append(Line(text[2:], "bullet"))  # printed with a bullet glyph, not a hyphen
                else:
                    lines.append(Line(text, "strong" if k in field_.strong else "text"))
        lines.append(Line("", "pagebreak"))
    return lines


def running_header(meeting: EsdhMeeting, document: str, no_front: bool) -> str:
    """The running header: committee and date, with the document type when there is no front page."""
    if no_front:
        return f"{document} - {meeting.committee} - {long_date(meeting.date)}"
    return f"{meeting.committee} - {short_date(meeting.date)}"


PageDecor = Callable[[Any, int, int], None]  # (canvas, page number, page count)


def deferred_canvas(decorate: PageDecor) -> type:
    """A reportlab canvas class that holds its pages back until the end, so that ``decorate`` can draw each
    page's furniture knowing the page count ("Side N af M")."""
    from reportlab.pdfgen import canvas as rl_canvas

    class DeferredCanvas(rl_canvas.Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._saved: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                decorate(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return DeferredCanvas


def render_pdf(
    meeting: EsdhMeeting,
    path: Path,
    variant: Variant = "bold",
    *,
    punkt: bool = False,
    document: str = "Dagsorden",
    colon: bool = False,
    split: bool = False,
    long_front: bool = False,
    parts: bool = False,
    big: bool = False,
    no_front: bool = False,
) -> None:
    """Print ``meeting`` as a PDF with reportlab, headings styled per ``variant``
    (options as in ``agenda_lines``; ``big``: item headings in 22 pt, so long titles wrap
    over three lines)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=5)
    bullet_style = ParagraphStyle("bullet", parent=body, leftIndent=18, bulletIndent=6, spaceAfter=2)
    bold_font = "Helvetica" if variant == "larger" else "Helvetica-Bold"
    item_style = ParagraphStyle(
        "item",
        fontName=bold_font,
        fontSize=22 if big else 12 if variant == "larger" else 14,
        leading=26 if big else 17,
        spaceBefore=6,
        spaceAfter=8,
    )
    caption_style = ParagraphStyle(
        "caption",
        fontName=bold_font,
        fontSize=12 if variant == "larger" else 10,
        leading=14,
        spaceBefore=8,
        spaceAfter=3,
    )
    title_style = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=20, leading=26, spaceAfter=12)
    header = running_header(meeting, document, no_front)

    def decorate(canvas: Any, page: int, total: int) -> None:
        if page > 1 or no_front:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(2 * cm, A4[1] - 1.3 * cm, header)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Side {page} af {total}")

    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    story: list[object] = []
    options = {
        "punkt": punkt,
        "document": document,
        "colon": colon,
        "split": split,
        "long_front": long_front,
        "parts": parts,
        "no_front": no_front,
    }
    for line in agenda_lines(meeting, front_table=variant == "table", **options):  # type: ignore[arg-type]
        if line.kind == "pagebreak":
            story.append(PageBreak())
        elif line.kind == "front" and variant == "table":
            label, value = line.text.split(": ", 1)
            table = Table([[f"{label}:", Paragraph(esc(value), body)]], colWidths=[3 * cm, 13 * cm])
            table.setStyle(
                TableStyle([("FONTNAME", (0, 0), (0, 0), "Helvetica-Bold"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
            )
            story.append(table)
        elif line.kind == "title":
            story.append(Paragraph(esc(line.text), title_style))
        elif line.kind == "toc":
            entry, page = line.text.split("\t")
            table = Table([[Paragraph(esc(entry), body), page]], colWidths=[14 * cm, 2 * cm])
            table.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 10)]))
            story.append(table)
        elif line.kind == "item" and variant == "table":
            cell = ParagraphStyle("cell", parent=item_style, spaceBefore=0, spaceAfter=0)
            table = Table(
                [[Paragraph(esc(line.label or ""), cell), Paragraph(esc(line.item_title or ""), cell)]],
                colWidths=[2.5 * cm, 13.5 * cm],
            )
            table.setStyle(
                TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
            )
            story.extend([table, Spacer(1, 6)])
        elif line.kind == "itemlabel" and variant == "table":
            continue  # the table row carries the label
        elif line.kind in ("item", "itemlabel"):
            story.append(Paragraph(esc(line.text), item_style))
        elif line.kind == "case" and variant == "table":
            table = Table([["Sagsnr.:", line.text]], colWidths=[3 * cm, 13 * cm])
            table.setStyle(
                TableStyle([("FONTNAME", (0, 0), (-1, -1), "Helvetica"), ("FONTSIZE", (0, 0), (-1, -1), 10)])
            )
            story.extend([table, Spacer(1, 4)])
        elif line.kind == "case":
            story.append(Paragraph(esc(f"Sagsnr.: {line.text}"), body))
        elif line.kind == "caption":
            story.append(Paragraph(esc(line.text), caption_style))
        elif line.kind == "strong":
            story.append(Paragraph(f"<b>{esc(line.text)}</b>", body))
        elif line.kind == "bullet":
            story.append(Paragraph(esc(line.text), bullet_style, bulletText="\u2022"))
        else:
            story.append(Paragraph(esc(line.text), body))
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2.2 * cm, bottomMargin=2 * cm
    )
    doc.build(story, canvasmaker=deferred_canvas(decorate))


def render_docx(
    meeting: EsdhMeeting,
    path: Path,
    variant: Literal["heading", "bold", "autonumber"] = "heading",
    *,
    document: str = "Dagsorden",
    colon: bool = False,
    split: bool = False,
    long_front: bool = False,
    parts: bool = False,
    no_front: bool = False,
) -> None:
    """Print ``meeting`` as a DOCX.

    "heading": items in "Heading 2", captions in "Heading 3", front-page facts and case
    numbers in two-column tables; "bold": "Punkt N" items and captions as bold runs;
    "autonumber": item titles in the "List Number" style, bold, the number drawn by Word's
    automatic numbering and absent from the text (the items must be numbered 1..N).
    ``colon``, ``split``, ``long_front``, ``parts`` and ``no_front`` as in ``agenda_lines``.
    """
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    doc = Document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = running_header(meeting, document, no_front)
    _page_footer(section.footer.paragraphs[0])

    def run_paragraph(text: str, *, bold: bool = False, size: float | None = None) -> None:
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)

    heading = variant == "heading"
    if variant == "autonumber" and [i.number for i in meeting.items] != list(range(1, len(meeting.items) + 1)):
        raise ValueError("automatic numbering needs items numbered 1..N")
    lines = agenda_lines(
        meeting,
        punkt=not heading,
        document=document,
        front_table=heading,
        colon=colon,
        split=split,
        long_front=long_front,
        parts=parts,
        no_front=no_front,
    )
    for line in lines:
        if line.kind == "pagebreak":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif line.kind == "front" and heading:
            label, value = line.text.split(": ", 1)
            row = doc.add_table(rows=1, cols=2).rows[0]
            row.cells[0].text = label
            row.cells[1].text = value
        elif line.kind == "caption" and heading:
            doc.add_heading(line.text, level=3)
        elif line.kind == "title":
            run_paragraph(line.text, bold=True, size=20)
        elif line.kind == "toc":
            entry, page = line.text.split("\t")
            run_paragraph(f"{entry}\t{page}")
        elif line.kind in ("item", "itemlabel") and heading:
            doc.add_heading(line.text, level=2)
        elif line.kind == "item" and variant == "autonumber":
            paragraph = doc.add_paragraph(style="List Number")
            run = paragraph.add_run(line.item_title or "")
            run.bold = True
            run.font.size = Pt(14)
        elif line.kind == "itemlabel" and variant == "autonumber":
            continue
        elif line.kind in ("item", "itemlabel"):
            run_paragraph(line.text, bold=True, size=14)
        elif line.kind == "case" and variant == "heading":
            table = doc.add_table(rows=1, cols=2)
            table.rows[0].cells[0].text = "Sagsnr."
            table.rows[0].cells[1].text = line.text
        elif line.kind == "case":
            run_paragraph(f"Sagsnr.: {line.text}")
        elif line.kind in ("caption", "strong"):
            run_paragraph(line.text, bold=True)
        elif line.kind == "bullet":
            doc.add_paragraph(line.text, style="List Bullet")
        else:
            run_paragraph(line.text)
    doc.save(str(path))


def _page_footer(paragraph: object) -> None:
    """ "Side N af M" with Word's PAGE and NUMPAGES fields."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def field(instruction: str) -> object:
        return parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:t>1</w:t></w:r></w:fldSimple>')

    p = paragraph  # docx.text.paragraph.Paragraph
    p.add_run("Side ")  # type: ignore[attr-defined]
    p._p.append(field("PAGE"))  # type: ignore[attr-defined]
    p.add_run(" af ")  # type: ignore[attr-defined]
    p._p.append(field("NUMPAGES"))  # type: ignore[attr-defined]
