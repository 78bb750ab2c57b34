"""Render a list of paragraphs to PDF with reportlab's canvas.

A small layout engine of our own: it wraps every paragraph into lines, places
them on pages (with running header and footer), and so knows the page of every
line. That page map becomes the gold ``pages`` of each item. ``invariant=1``
makes the bytes depend on the content only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle

from corpus.generator.layout import Element, ItemTag, Para, Rendered, RunningText, Table

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 72.0, 72.0
TOP, BOTTOM = 80.0, 72.0
TEXT_W = PAGE_W - LEFT - RIGHT

REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class _Font:
    name: str
    size: float
    leading: float
    space_before: float
    keep_with_next: bool


_STYLES: dict[str, _Font] = {
    "title": _Font(BOLD, 18, 23, 0, True),
    "subtitle": _Font(BOLD, 13, 17, 6, True),
    "h1": _Font(BOLD, 14, 18, 16, True),
    "h2": _Font(BOLD, 11, 14, 9, True),
    "bold": _Font(BOLD, 10, 13, 6, True),
    "body": _Font(REGULAR, 10, 13, 5, False),
    "label": _Font(REGULAR, 10, 13, 5, False),
    "bullet": _Font(REGULAR, 10, 13, 2, False),
    "numbered": _Font(REGULAR, 10, 13, 2, False),
    "toc": _Font(REGULAR, 10, 14, 1, False),
    "small": _Font(REGULAR, 8, 10, 1, False),
}

Draw = Callable[[Canvas, dict[ItemTag, int]], None]


def _wrap(words: Sequence[tuple[str, str]], size: float, width: float) -> list[list[tuple[str, str]]]:
    """Greedy line breaking of (word, font) pairs."""
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = []
    used = 0.0
    space = stringWidth(" ", REGULAR, size)
    for word, font in words:
        w = stringWidth(word, font, size)
        if line and used + space + w > width:
            lines.append(line)
            line, used = [], 0.0
        used += (space if line else 0.0) + w
        line.append((word, font))
    if line:
        lines.append(line)
    return lines


class _Pager:
    """Places lines top-down and collects the draw operations of every page."""

    def __init__(self) -> None:
        self.pages: list[list[Draw]] = [[]]
        self.y = PAGE_H - TOP
        self.rendered = Rendered(page_count=1)

    @property
    def page(self) -> int:
        return len(self.pages)

    def new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - TOP

    def room(self) -> float:
        return self.y - BOTTOM

    def need(self, height: float) -> None:
        if self.room() < height and self.y < PAGE_H - TOP:
            self.new_page()

    def draw(self, op: Draw, tag: ItemTag | None) -> None:
        self.pages[-1].append(op)
        self.rendered.add(tag, self.page)


def _draw_words(line: list[tuple[str, str]], x: float, y: float, size: float) -> Draw:
    def op(c: Canvas, _targets: dict[ItemTag, int]) -> None:
        cx = x
        space = stringWidth(" ", REGULAR, size)
        for word, font in line:
            c.setFont(font, size)
            c.drawString(cx, y, word)
            cx += stringWidth(word, font, size) + space

    return op


def _place_para(p: Para, pager: _Pager) -> None:
    st = _STYLES[p.style]
    if p.page_break_before and pager.y < PAGE_H - TOP:
        pager.new_page()
    gap = p.space_before if p.style in ("body", "label", "bullet", "numbered") else st.space_before
    if pager.y < PAGE_H - TOP:
        pager.y -= gap
    if p.style == "toc":
        _place_toc(p, st, pager)
        return
    indent = 0.0
    marker: str | None = None
    if p.style == "bullet":
        indent, marker = 18.0, "•"
    elif p.style == "numbered":
        indent, marker = 20.0, f"{p.number}."
    words: list[tuple[str, str]] = []
    if p.style == "label" and p.label:
        words += [(w, BOLD) for w in p.label.split()]
    text = f"{p.number}. {p.text}" if p.auto_number and p.number is not None else p.text
    words += [(w, st.name) for w in text.split()]
    lines = _wrap(words, st.size, TEXT_W - indent)
    keep = st.leading * (4 if st.keep_with_next else 1)
    pager.need(max(keep, st.leading))
    for i, line in enumerate(lines):
        pager.need(st.leading)
        pager.y -= st.leading
        y = pager.y
        width = sum(stringWidth(w, f, st.size) for w, f in line) + stringWidth(" ", REGULAR, st.size) * (len(line) - 1)
        x = LEFT + indent
        if p.align == "right":
            x = PAGE_W - RIGHT - width
        elif p.align == "center":
            x = (PAGE_W - width) / 2
        if i == 0 and marker:
            pager.draw(_draw_words([(marker, st.name)], LEFT + (6.0 if marker == "•" else 0.0), y, st.size), p.tag)
        pager.draw(_draw_words(line, x, y, st.size), p.tag)


def _place_toc(p: Para, st: _Font, pager: _Pager) -> None:
    """A table-of-contents entry: title (wrapped if long), dotted leader, page number of its item."""
    target = p.toc_target
    lines = _wrap([(w, st.name) for w in p.text.split()], st.size, TEXT_W - 40)
    pager.need(st.leading * len(lines))
    for line in lines[:-1]:
        pager.y -= st.leading
        pager.draw(_draw_words(line, LEFT, pager.y, st.size), p.tag)
    pager.y -= st.leading
    y = pager.y
    title = " ".join(w for w, _ in lines[-1])

    def op(c: Canvas, targets: dict[ItemTag, int]) -> None:
        number = str(targets.get(target, 1)) if target is not None else ""
        c.setFont(st.name, st.size)
        c.drawString(LEFT, y, title)
        nw = stringWidth(number, st.name, st.size)
        c.drawString(PAGE_W - RIGHT - nw, y, number)
        start = LEFT + stringWidth(title, st.name, st.size) + 2
        dots_w = PAGE_W - RIGHT - nw - 4 - start
        dot = stringWidth(".", st.name, st.size)
        if dots_w > dot * 3:
            c.drawString(start, y, "." * int(dots_w / dot))

    pager.draw(op, p.tag)


def _place_table(t: Table, pager: _Pager) -> None:
    if t.page_break_before and pager.y < PAGE_H - TOP:
        pager.new_page()
    ncols = max(len(r) for r in t.rows)
    rel = t.col_widths or [1.0] * ncols
    widths = [TEXT_W * w / sum(rel) for w in rel]
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 9),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if t.header:
        style.append(("FONT", (0, 0), (-1, 0), BOLD, 9))
    table = RLTable(t.rows, colWidths=widths)
    table.setStyle(TableStyle(style))
    _, height = table.wrap(TEXT_W, PAGE_H)
    pager.y -= 6
    pager.need(height)
    pager.y -= height
    y = pager.y

    def op(c: Canvas, _targets: dict[ItemTag, int]) -> None:
        table.drawOn(c, LEFT, y)

    pager.draw(op, t.tag)
    pager.y -= 4


def render_pdf(
    elements: Sequence[Element], path: Path, running: RunningText | None = None, title: str = ""
) -> Rendered:
    """Write ``elements`` to ``path``; return the page count and the pages of every tagged item."""
    pager = _Pager()
    for el in elements:
        if isinstance(el, Table):
            _place_table(el, pager)
        else:
            _place_para(el, pager)
    pages = len(pager.pages)
    rendered = pager.rendered
    rendered.page_count = pages
    first_pages = {tag: min(p) for tag, p in rendered.item_pages.items()}

    c = Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setCreator("moedearkiv corpus generator")
    c.setAuthor("")
    for number, ops in enumerate(pager.pages, start=1):
        if running is not None and (running.first_page or number > 1):
            _running(c, running, number, pages)
        for op in ops:
            op(c, first_pages)
        c.showPage()
    c.save()
    return rendered


def _running(c: Canvas, running: RunningText, page: int, pages: int) -> None:
    def fill(s: str) -> str:
        return s.replace("{page}", str(page)).replace("{pages}", str(pages))

    c.setFont(REGULAR, 8)
    if running.header_left:
        c.drawString(LEFT, PAGE_H - 45, fill(running.header_left))
    if running.header_right:
        text = fill(running.header_right)
        c.drawString(PAGE_W - RIGHT - stringWidth(text, REGULAR, 8), PAGE_H - 45, text)
    if running.footer_left:
        c.drawString(LEFT, 40, fill(running.footer_left))
    if running.footer_right:
        text = fill(running.footer_right)
        c.drawString(PAGE_W - RIGHT - stringWidth(text, REGULAR, 8), 40, text)
