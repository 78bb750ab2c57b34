"""DOCX → ``ExtractedDocument``: one ``Block`` per paragraph and one per table row.

``parsers.docx_package`` opens the package (zip + lxml, only the parts read
here); the body is read straight from its XML, in body order: paragraphs,
tables (one block per row, cells joined by "\\t", nested tables flattened
after the row that holds them), content controls, and text boxes (after the
paragraph they are anchored in).
Styles are read once into a dictionary keyed by style id (``Paragraph.style``
scans every style on each call: 4.4 s against 0.28 s on a 128-page file).

Hints per paragraph, each following the style's ``basedOn`` chain:

* ``heading_level``: style name "Heading N" / "Overskrift N" (N), "Title" (1),
  else ``w:outlineLvl`` + 1;
* ``bold``: every run with visible text is bold (run, character style,
  paragraph style or document default);
* ``font_size``: the size most characters have, in points;
* ``list_label``: automatic numbering from ``w:numPr`` (paragraph or style),
  rendered with a counter per numId and level and the level's ``numFmt`` and
  ``lvlText`` ("3.", "2.b)"); every bullet level gives "•".

Pages: DOCX has no fixed pages. When Word saved its own page breaks
(``w:lastRenderedPageBreak``) those are counted; otherwise the explicit breaks
(``w:br w:type="page"``, ``w:pageBreakBefore``). ``page_count`` is breaks + 1.
Section headers and footers become ``role="header"``/``"footer"`` blocks on
page 1, before the body, each text once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.docx_package import DocxPackage, W
from parsers.errors import CorruptFile, EmptyDocument, ParseError
from parsers.records import Block, ExtractedDocument

SUFFIXES = (".docx",)

R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

_HEADING_NAME = re.compile(r"^(?:heading|overskrift)\s*(\d)$", re.IGNORECASE)
_TITLE_NAMES = {"title", "titel"}
_SPACES = re.compile(r"[ \u00a0\u2007\u202f]+")
_TABS = re.compile(r" *\t[\t ]*")
# Symbol/Wingdings glyphs (w:sym) are private-use code points; the common ones in Unicode
_SYMBOL_GLYPHS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓", "\uf0e0": "→"}
BULLET = "•"  # the list label of every bullet level, whatever glyph the document draws
# Elements whose text is not part of the reading text (deleted/moved-away revisions, fallbacks)
_SKIP = {f"{W}del", f"{W}moveFrom", MC_FALLBACK, f"{W}instrText", f"{W}delText"}


# ---------------------------------------------------------------------------
# Styles and numbering, read once
# ---------------------------------------------------------------------------


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    size: float | None
    outline: int | None  # 0-based outline level; 9 means body text
    num: tuple[str, int | None] | None  # (numId, ilvl) from the style's numPr
    char_style: bool


@dataclass
class _Styles:
    by_id: dict[str, _Style]
    default_paragraph: str | None
    default_bold: bool
    default_size: float | None
    _resolved: dict[tuple[str, str], Any] = field(default_factory=dict)

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = style.based_on

    def _first(self, style_id: str | None, attr: str) -> Any:
        key = (style_id or "", attr)
        if key not in self._resolved:
            value = None
            for style in self.chain(style_id):
                if getattr(style, attr) is not None:
                    value = getattr(style, attr)
                    break
            self._resolved[key] = value
        return self._resolved[key]

    def bold(self, style_id: str | None) -> bool | None:
        return self._first(style_id, "bold")

    def size(self, style_id: str | None) -> float | None:
        return self._first(style_id, "size")

    def num(self, style_id: str | None) -> tuple[str, int | None] | None:
        return self._first(style_id, "num")

    def heading_level(self, style_id: str | None) -> int | None:
        key = (style_id or "", "heading")
        if key not in self._resolved:
            level = None
            for style in self.chain(style_id):
                name = style.name.strip()
                match = _HEADING_NAME.match(name)
                if match and match.group(1) != "0":
                    level = int(match.group(1))
                    break
                if name.lower() in _TITLE_NAMES:
                    level = 1
                    break
            if level is None:
                outline = self._first(style_id, "outline")
                if outline is not None and 0 <= outline <= 8:
                    level = outline + 1
            self._resolved[key] = level
        return self._resolved[key]


def _child(el: Any, tag: str) -> Any:
    """The first child with ``tag`` (``el.find(tag)`` without lxml's path parsing: half the time)."""
    return next(el.iterchildren(tag), None)


def _val(el: Any, tag: str) -> str | None:
    child = _child(el, tag) if el is not None else None
    return None if child is None else child.get(f"{W}val")


def _on_off(el: Any) -> bool | None:
    """A w:b-like toggle: present means on unless w:val is 0/false/off."""
    if el is None:
        return None
    return el.get(f"{W}val", "true").lower() not in ("0", "false", "off")


def _half_points(el: Any) -> float | None:
    value = _val(el, f"{W}sz") if el is not None else None
    try:
        return int(value) / 2 if value is not None else None
    except ValueError:
        return None


def _num_pr(ppr: Any) -> tuple[str, int | None] | None:
    if ppr is None:
        return None
    num_pr = _child(ppr, f"{W}numPr")
    if num_pr is None:
        return None
    num_id = _val(num_pr, f"{W}numId")
    ilvl = _val(num_pr, f"{W}ilvl")
    if num_id is None:
        return None
    return num_id, int(ilvl) if ilvl and ilvl.isdigit() else None


# Styles read before, by the sha256 of their XML: documents made from one template share a styles
# part (python-docx's template: 350 KB, 5 ms to parse, most of a small document's extraction).
_STYLES_CACHE: dict[bytes, _Styles] = {}
_STYLES_CACHE_SIZE = 32


def _styles(package: DocxPackage) -> _Styles:
    source = package.styles_xml()
    if source is None:
        return _Styles({}, None, False, None)
    name, data = source
    key = hashlib.sha256(data).digest()
    styles = _STYLES_CACHE.pop(key, None)
    if styles is None:
        styles = _read_styles(package.parse(name, data))
    _STYLES_CACHE[key] = styles  # the most recently used last
    while len(_STYLES_CACHE) > _STYLES_CACHE_SIZE:
        del _STYLES_CACHE[next(iter(_STYLES_CACHE))]
    return styles


def forget_styles() -> None:
    """Empty the styles cache (a benchmark pass that must start cold)."""
    _STYLES_CACHE.clear()


_STYLE_CHILDREN = (f"{W}name", f"{W}basedOn", f"{W}pPr", f"{W}rPr")


def _first_children(el: Any, tags: tuple[str, ...]) -> dict[str, Any]:
    """The first child of each tag (None when there is none), in one pass over the children."""
    first: dict[str, Any] = dict.fromkeys(tags)
    for child in el:
        if child.tag in first and first[child.tag] is None:
            first[child.tag] = child
    return first


def _read_styles(root: Any) -> _Styles:
    by_id: dict[str, _Style] = {}
    default_paragraph = None
    default_bold = False
    default_size = None
    defaults = _child(root, f"{W}docDefaults")
    if defaults is not None:
        rpr = defaults.find(f"{W}rPrDefault/{W}rPr")
        default_bold = bool(_on_off(_child(rpr, f"{W}b"))) if rpr is not None else False
        default_size = _half_points(rpr)
    for el in root.iterchildren(f"{W}style"):
        style_id = el.get(f"{W}styleId")
        if not style_id:
            continue
        kind = el.get(f"{W}type", "paragraph")
        first = _first_children(el, _STYLE_CHILDREN)
        ppr, rpr = first[f"{W}pPr"], first[f"{W}rPr"]
        name, based_on = first[f"{W}name"], first[f"{W}basedOn"]
        outline = _val(ppr, f"{W}outlineLvl") if ppr is not None else None
        by_id[style_id] = _Style(
            name=(name.get(f"{W}val") if name is not None else None) or style_id,
            based_on=based_on.get(f"{W}val") if based_on is not None else None,
            bold=_on_off(_child(rpr, f"{W}b")) if rpr is not None else None,
            size=_half_points(rpr),
            outline=int(outline) if outline and outline.isdigit() else None,
            num=_num_pr(ppr),
            char_style=kind == "character",
        )
        if kind == "paragraph" and el.get(f"{W}default") in ("1", "true", "on"):
            default_paragraph = style_id
    return _Styles(by_id, default_paragraph, default_bold, default_size)


@dataclass
class _Level:
    fmt: str
    text: str
    start: int


class _Numbering:
    """Renders list labels; counters run per numId and level."""

    def __init__(self, root: Any) -> None:
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, _Level]] = {}
        for el in root.iterfind(f"{W}abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in el.iterfind(f"{W}lvl"):
                levels[int(lvl.get(f"{W}ilvl", "0"))] = _level(lvl)
            abstract[el.get(f"{W}abstractNumId", "")] = levels
        for el in root.iterfind(f"{W}num"):
            levels = dict(abstract.get(_val(el, f"{W}abstractNumId") or "", {}))
            for override in el.iterfind(f"{W}lvlOverride"):
                ilvl = int(override.get(f"{W}ilvl", "0"))
                lvl = _child(override, f"{W}lvl")
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
                start = _val(override, f"{W}startOverride")
                if start is not None and start.lstrip("-").isdigit() and ilvl in levels:
                    old = levels[ilvl]
                    levels[ilvl] = _Level(old.fmt, old.text, int(start))
            self.levels[el.get(f"{W}numId", "")] = levels

    def label(self, num_id: str, ilvl: int) -> str | None:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return None
        counters = self.counters.setdefault(num_id, {})
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "none":
            return None
        if level.fmt == "bullet":
            return BULLET

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            lvl = levels.get(k)
            if lvl is None:
                return ""
            value = counters.get(k, lvl.start)
            return _format_number(value, lvl.fmt if k == ilvl or lvl.fmt != "bullet" else "decimal")

        text = re.sub(r"%(\d)", render, level.text).strip()
        return text or None


def _level(lvl: Any) -> _Level:
    start = _val(lvl, f"{W}start")
    return _Level(
        fmt=_val(lvl, f"{W}numFmt") or "decimal",
        text=_val(lvl, f"{W}lvlText") or "",
        start=int(start) if start and start.lstrip("-").isdigit() else 1,
    )


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        m = max(n, 1)
        while m > 0:
            m, rem = divmod(m - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out) or str(n)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


@dataclass
class _Segment:
    """One line of a paragraph (paragraphs split at manual line breaks)."""

    start_page: int
    parts: list[str] = field(default_factory=list)
    sizes: Counter[float] = field(default_factory=Counter)
    all_bold: bool = True
    first_text_page: int | None = None

    def add(self, text: str, bold: bool, size: float | None, page: int) -> None:
        self.parts.append(text)
        visible = len(text.strip())
        if visible:
            if self.first_text_page is None:
                self.first_text_page = page
            if size is not None:
                self.sizes[size] += visible
            self.all_bold = self.all_bold and bold

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def bold(self) -> bool:
        return self.first_text_page is not None and self.all_bold

    @property
    def size(self) -> float | None:
        return self.sizes.most_common(1)[0][0] if self.sizes else None

    @property
    def page(self) -> int:
        return self.first_text_page if self.first_text_page is not None else self.start_page


class _Reader:
    def __init__(self, package: DocxPackage) -> None:
        self.styles = _styles(package)
        self.numbering = _Numbering(package.numbering())
        body = package.body
        self.rendered_breaks = next(body.iter(f"{W}lastRenderedPageBreak"), None) is not None
        self.page = 1
        self.has_text = False  # a body block has been read
        self.sizes: Counter[float] = Counter()

    # -- paragraphs ---------------------------------------------------------

    def paragraph(self, p: Any, role: str = "body", in_table: bool = False) -> list[Block]:
        """The blocks of one paragraph: one per line when it holds manual line breaks."""
        ppr = _child(p, f"{W}pPr")
        style_id = _val(ppr, f"{W}pStyle") if ppr is not None else None
        style_id = style_id or self.styles.default_paragraph
        body = role == "body"
        if body and self.has_text and not self.rendered_breaks and ppr is not None:
            if _on_off(_child(ppr, f"{W}pageBreakBefore")):  # ignored before any text: no blank first page
                self.page += 1
        segments = self._runs(p, style_id, count_pages=body)
        if body and ppr is not None and not self.rendered_breaks and self._section_break(ppr):
            self.page += 1
        label = self._list_label(ppr, style_id) if body and not in_table else None
        heading = None if in_table else self.styles.heading_level(style_id)
        out: list[Block] = []
        for segment in segments:
            text = _normalize(segment.text)
            if not text:
                continue
            if body:
                self.has_text = True
                if segment.size is not None:
                    self.sizes[segment.size] += len(text)
            out.append(
                Block(
                    text=text,
                    page=segment.page if body else 1,
                    role=role,  # type: ignore[arg-type]
                    bold=segment.bold,
                    heading_level=heading,
                    font_size=segment.size,
                    list_label=label if not out else None,
                    in_table=in_table,
                )
            )
        return out

    @staticmethod
    def _section_break(ppr: Any) -> bool:
        sect = _child(ppr, f"{W}sectPr")
        if sect is None:
            return False
        return (_val(sect, f"{W}type") or "nextPage") in ("nextPage", "evenPage", "oddPage")

    def _list_label(self, ppr: Any, style_id: str | None) -> str | None:
        num = _num_pr(ppr) or self.styles.num(style_id)
        if num is None:
            return None
        num_id, ilvl = num
        if num_id == "0":
            return None
        if ilvl is None:
            style_num = self.styles.num(style_id)
            ilvl = style_num[1] if style_num and style_num[1] is not None else 0
        return self.numbering.label(num_id, ilvl)

    def _runs(self, p: Any, style_id: str | None, count_pages: bool) -> list[_Segment]:
        """The paragraph's text split at manual line breaks, with bold/size/page per line."""
        segments = [_Segment(self.page)]
        para_bold = self.styles.bold(style_id)
        para_size = self.styles.size(style_id)
        for r in _walk(p, f"{W}r"):
            run_bold, run_size = self._run_style(_child(r, f"{W}rPr"), para_bold, para_size)
            for child in r:
                tag = child.tag
                seg = segments[-1]
                if tag == f"{W}t":
                    if child.text:
                        seg.add(child.text, run_bold, run_size, self.page)
                elif tag == f"{W}tab" or tag == f"{W}ptab":
                    seg.parts.append("\t")
                elif tag == f"{W}br":
                    if child.get(f"{W}type") == "page":
                        if count_pages and not self.rendered_breaks:
                            self.page += 1
                    else:
                        segments.append(_Segment(self.page))
                elif tag == f"{W}cr":
                    segments.append(_Segment(self.page))
                elif tag == f"{W}lastRenderedPageBreak":
                    if count_pages:
                        self.page += 1
                elif tag == f"{W}noBreakHyphen":
                    seg.add("-", run_bold, run_size, self.page)
                elif tag == f"{W}sym":
                    seg.add(_symbol(child.get(f"{W}char", "")), run_bold, run_size, self.page)
        return segments

    def _run_style(self, rpr: Any, para_bold: bool | None, para_size: float | None) -> tuple[bool, float | None]:
        run_bold: bool | None = None
        run_size: float | None = None
        if rpr is not None:
            run_bold = _on_off(_child(rpr, f"{W}b"))
            run_size = _half_points(rpr)
            char_style = _val(rpr, f"{W}rStyle")
            if char_style:
                if run_bold is None:
                    run_bold = self.styles.bold(char_style)
                if run_size is None:
                    run_size = self.styles.size(char_style)
        if run_bold is None:
            run_bold = para_bold if para_bold is not None else self.styles.default_bold
        if run_size is None:
            run_size = para_size if para_size is not None else self.styles.default_size
        return run_bold, run_size

    # -- tables -------------------------------------------------------------

    def table(self, tbl: Any, role: str = "body") -> Iterator[Block]:
        for tr in tbl.iterfind(f"{W}tr"):
            cells: list[str] = []
            bolds: list[bool] = []
            sizes: list[float] = []
            nested: list[Any] = []
            page: int | None = None
            for tc in _cells(tr):
                texts = []
                for child in _block_children(tc):
                    if child.tag == f"{W}tbl":
                        nested.append(child)
                        continue
                    for block in self.paragraph(child, role, in_table=True):
                        texts.append(block.text.replace("\t", " "))
                        bolds.append(block.bold)
                        if block.font_size:
                            sizes.append(block.font_size)
                        if page is None:
                            page = block.page
                cell = " ".join(texts).strip()
                if cell:
                    cells.append(cell)
            if cells:
                text = "\t".join(cells)
                size = Counter(sizes).most_common(1)[0][0] if sizes else None
                if role != "body":
                    page = 1
                yield Block(
                    text=text,
                    page=page if page is not None else self.page,
                    role=role,  # type: ignore[arg-type]
                    bold=bool(bolds) and all(bolds),
                    font_size=size,
                    in_table=True,
                )
            for inner in nested:
                yield from self.table(inner, role)

    def blocks(self, container: Any, role: str = "body") -> Iterator[Block]:
        for child in _block_children(container):
            if child.tag == f"{W}p":
                yield from self.paragraph(child, role)
                for box in _text_boxes(child):
                    yield from self.blocks(box, role)
            elif child.tag == f"{W}tbl":
                yield from self.table(child, role)


def _walk(el: Any, tag: str) -> Iterator[Any]:
    """Descendants with ``tag`` in document order, skipping deleted text and fallbacks."""
    for child in el:
        if child.tag in _SKIP:
            continue
        if child.tag == tag:
            yield child
        elif child.tag != f"{W}pPr":
            yield from _walk(child, tag)


def _text_boxes(p: Any) -> Iterator[Any]:
    """Text boxes anchored in a paragraph (outermost only, without the VML fallback copies)."""
    for box in p.iter(f"{W}txbxContent"):
        if not any(a.tag in (MC_FALLBACK, f"{W}txbxContent") for a in box.iterancestors()):
            yield box


def _block_children(container: Any) -> Iterator[Any]:
    """Paragraphs and tables of a body/cell/header, looking inside content controls."""
    for child in container:
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag in (f"{W}sdt", f"{W}customXml", f"{W}ins", f"{W}moveTo"):
            content = _child(child, f"{W}sdtContent") if child.tag == f"{W}sdt" else child
            if content is not None:
                yield from _block_children(content)


def _cells(tr: Any) -> Iterator[Any]:
    for child in tr:
        if child.tag == f"{W}tc":
            yield child
        elif child.tag in (f"{W}sdt", f"{W}customXml"):
            content = _child(child, f"{W}sdtContent") if child.tag == f"{W}sdt" else child
            if content is not None:
                yield from _cells(content)


def _symbol(code: str) -> str:
    try:
        glyph = chr(int(code, 16))
    except ValueError:
        return ""
    if glyph in _SYMBOL_GLYPHS:
        return _SYMBOL_GLYPHS[glyph]
    return "" if "\ue000" <= glyph <= "\uf8ff" else glyph


def _normalize(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\u00ad", "").replace("\r", " ").replace("\n", " "))
    text = _TABS.sub("\t", text)
    return text.strip(" \t")


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _furniture(package: DocxPackage, reader: _Reader) -> list[Block]:
    """Header and footer paragraphs of all sections, each text once."""
    out: list[Block] = []
    seen: set[tuple[str, str]] = set()
    for sect in package.body.iter(f"{W}sectPr"):
        for ref_tag, role in ((f"{W}headerReference", "header"), (f"{W}footerReference", "footer")):
            for ref in sect.iterfind(ref_tag):
                element = package.related(ref.get(R_ID))
                if element is None:
                    continue
                for block in reader.blocks(element, role):
                    if (role, block.text) not in seen:
                        seen.add((role, block.text))
                        out.append(block)
    return sorted(out, key=lambda b: b.role != "header")


def extract(path: Path) -> ExtractedDocument:
    """Read a DOCX file into blocks; raises ``ParseError`` subclasses on bad input."""
    path = Path(path)
    try:
        with DocxPackage(path) as package:
            reader = _Reader(package)
            body = list(reader.blocks(package.body))
            page_count = reader.page
            furniture = _furniture(package, reader)
    except ParseError:
        raise
    except Exception as e:  # malformed XML values deep inside the package, a zip member header out of order
        raise CorruptFile(str(path), f"not a valid DOCX ({type(e).__name__}: {e})") from e
    if not body:
        raise EmptyDocument(str(path), "the DOCX has no text")
    body_size = reader.sizes.most_common(1)[0][0] if reader.sizes else None
    return ExtractedDocument(
        format="docx",
        page_count=max(page_count, max(b.page for b in body)),
        blocks=tuple(furniture + body),
        body_font_size=body_size,
    )
