"""Render a list of paragraphs to DOCX with python-docx, using real Word features.

Item headings use "Heading 1", section headings "Heading 2", bullets
"List Bullet", short lists "List Number" (automatic numbering), tables "Table
Grid", the running header/footer go in the section's header/footer parts and
page breaks are explicit (a paragraph holding ``<w:br w:type="page"/>``). The
page of a paragraph is therefore 1 + the explicit page breaks before it, as
docs/record-semantics.md prescribes for DOCX gold pages. The zip is rewritten
with fixed timestamps so the bytes depend on the content only.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from corpus.generator.layout import Element, ItemTag, Para, Rendered, RunningText, Table

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def page_map(elements: Sequence[Element]) -> Rendered:
    """Pages from explicit page breaks: the page count and the pages of every tagged item."""
    page = 1
    rendered = Rendered(page_count=1)
    for i, el in enumerate(elements):
        if el.page_break_before and i > 0:
            page += 1
        rendered.add(el.tag, page)
    rendered.page_count = page
    return rendered


def _add_field(paragraph: Paragraph, instr: str, shown: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _fill_running(paragraph: Paragraph, left: str, right: str) -> None:
    """Header/footer text; ``{page}``/``{pages}`` become PAGE/NUMPAGES fields."""
    text = left + ("\t\t" + right if right else "")
    parts = text.replace("{pages}", "\x01").replace("{page}", "\x00")
    buf = ""
    for ch in parts:
        if ch in "\x00\x01":
            if buf:
                paragraph.add_run(buf)
                buf = ""
            _add_field(paragraph, "PAGE" if ch == "\x00" else "NUMPAGES", "1")
        else:
            buf += ch
    if buf:
        paragraph.add_run(buf)


def render_docx(
    elements: Sequence[Element],
    path: Path,
    running: RunningText | None = None,
    title: str = "",
    date: str | None = None,
) -> Rendered:
    rendered = page_map(elements)
    first_pages = {tag: min(p) for tag, p in rendered.item_pages.items()}
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    section = doc.sections[0]
    if running is not None:
        section.different_first_page_header_footer = not running.first_page
        _fill_running(section.header.paragraphs[0], running.header_left, running.header_right)
        _fill_running(section.footer.paragraphs[0], running.footer_left, running.footer_right)

    numbering: list[int] = []  # the restarted list of numbered headings, made on first use
    for i, el in enumerate(elements):
        if el.page_break_before and i > 0:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if isinstance(el, Table):
            _table(doc, el)
            continue
        _para(doc, el, first_pages, numbering)

    props = doc.core_properties
    props.title = title
    props.author = ""
    props.last_modified_by = ""
    stamp = dt.datetime.fromisoformat((date or "2020-01-01") + "T08:00:00")
    props.created = stamp
    props.modified = stamp
    props.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    _write_stable_zip(buf.getvalue(), path)
    return rendered


def _heading_numbering(doc: DocxDocument) -> int:
    """A numbering instance of the "List Number" definition that restarts at 1, for numbered headings."""
    numbering = doc.part.numbering_part.element  # type: ignore[attr-defined]
    style_num = doc.styles["List Number"].element.pPr.numPr.numId.val  # type: ignore[attr-defined]
    abstract = next(n.abstractNumId.val for n in numbering.num_lst if n.numId == style_num)
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _number_paragraph(par: Paragraph, num_id: int) -> None:
    num_pr = par._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


# Paragraph styles that are one Word style and nothing else.
_WORD_STYLES = {
    "title": "Title",
    "h1": "Heading 1",
    "h2": "Heading 2",
    "bullet": "List Bullet",
    "numbered": "List Number",
}


def _para(doc: DocxDocument, p: Para, first_pages: dict[ItemTag, int], numbering: list[int]) -> None:
    style = p.style
    if style in _WORD_STYLES:
        par = doc.add_paragraph(style=_WORD_STYLES[style])
        par.add_run(p.text)
    elif style == "subtitle":
        par = doc.add_paragraph()
        run = par.add_run(p.text)
        run.bold = True
        run.font.size = Pt(14)
    elif style == "bold":
        par = doc.add_paragraph()
        par.add_run(p.text).bold = True
    elif style == "label":
        par = doc.add_paragraph()
        par.add_run(p.label or "").bold = True
        par.add_run(f" {p.text}")
    elif style == "toc":
        par = doc.add_paragraph()
        par.paragraph_format.tab_stops.add_tab_stop(Pt(450), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        number = first_pages.get(p.toc_target, 1) if p.toc_target is not None else ""
        par.add_run(f"{p.text}\t{number}")
    elif style == "small":
        par = doc.add_paragraph()
        par.add_run(p.text).font.size = Pt(8)
    else:
        par = doc.add_paragraph()
        par.add_run(p.text)
    if p.auto_number:
        if not numbering:
            numbering.append(_heading_numbering(doc))
        _number_paragraph(par, numbering[0])
    par.alignment = _ALIGN[p.align]


def _table(doc: DocxDocument, t: Table) -> None:
    ncols = max(len(r) for r in t.rows)
    table = doc.add_table(rows=len(t.rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for r, row in enumerate(t.rows):
        for c in range(ncols):
            cell = table.rows[r].cells[c]
            run = cell.paragraphs[0].add_run(row[c] if c < len(row) else "")
            if t.header and r == 0:
                run.bold = True


def _write_stable_zip(data: bytes, path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, src.read(info.filename))
