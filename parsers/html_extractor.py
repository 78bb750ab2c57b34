"""HTML → ``ExtractedDocument``: agenda-system publication pages (FirstAgenda, eDoc, ...).

Only the standard library's ``html.parser`` is used. The page is read as one
page (``page_count`` 1); every block gets ``page=1``. Hints:

* ``h1``..``h6`` → ``heading_level`` 1..6 (and ``bold``, as heading styles are);
* a paragraph whose visible text is all inside ``<b>``/``<strong>`` → ``bold``;
* ``<li>`` → ``list_label`` "•" in ``<ul>``, the item number ("3.") in ``<ol>``
  (``start`` and ``value`` attributes honoured); only the item's first block
  carries the label;
* a table row → one block with ``in_table`` and its non-empty cells joined by
  "\\t" (like the DOCX extractor's rows). A row whose cells hold paragraphs,
  divisions or nested tables is a layout table: its cells become ordinary blocks;
* ``<br>`` and every block element end a block; in ``<pre>`` every line is a block;
* ``script``, ``style``, ``head``, ``nav``, ``header``, ``footer`` (the site's:
  one inside ``article``/``section``/``main`` is read), ``form``, ``noscript``,
  ``template``, ``svg`` and ``select`` are skipped, and so is page
  furniture: elements with ``hidden``, ``aria-hidden="true"``, a dialog/menu/
  navigation ``role`` or a dialog/menu/badge class (``page_chrome``);
* a ``<button>`` (or ``role="button"``) keeps its text only when it holds block
  elements: FirstAgenda puts each item's ``<h2>`` title in an expand button,
  while "×", "Luk" and the "PDF" label before an attachment link are controls.

Entities are decoded, whitespace (including no-break spaces) is collapsed and
zero-width characters and soft hyphens are dropped.
The encoding is the byte-order mark's, else the ``<meta charset>`` /
``http-equiv`` declaration's, else UTF-8, falling back to cp1252.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from parsers.errors import CorruptFile, EmptyDocument, ParseError
from parsers.records import Block, ExtractedDocument

SUFFIXES = (".html", ".htm")

BULLET = "•"
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that start and end a block of text
_BLOCK_TAGS = frozenset(
    {
        *_HEADINGS,
        "p", "div", "li", "dt", "dd", "dl", "ul", "ol", "blockquote", "pre", "address", "section",
        "article", "main", "aside", "figure", "figcaption", "caption", "hr", "fieldset", "legend",
        "details", "summary", "center", "body", "table", "header", "footer",
    }
)  # fmt: skip
# Elements whose content is not part of the reading text
_SKIPPED = frozenset(
    {"script", "style", "head", "nav", "header", "footer", "form", "noscript", "template", "svg", "select"}
)
# A <header>/<footer> inside these belongs to the document (its title block), not to the site
_SECTIONING = frozenset({"article", "section", "main"})
# ARIA roles of page furniture: dialogs, menus, site navigation, banners
_CHROME_ROLES = frozenset(
    {"dialog", "alertdialog", "menu", "menubar", "navigation", "banner", "contentinfo", "search", "toolbar", "tooltip"}
)
# Classes of the CSS frameworks agenda systems use (Bootstrap in FirstAgenda) for the same furniture:
# pop-up dialogs, drop-down menus, counter badges and screen-reader-only text
_CHROME_CLASSES = frozenset({"modal", "dropdown-menu", "badge", "sr-only", "visually-hidden"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # zero-width characters, soft hyphens


def decode(data: bytes, path: Path) -> str:
    """The page's text: BOM, then ``<meta charset>``, then UTF-8, then cp1252. Raises ``CorruptFile``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as e:
                raise CorruptFile(str(path), f"not valid {encoding.upper()} text ({e.reason} at byte {e.start})") from e
    candidates = ["utf-8", "cp1252"]
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            name = ""
        if name in ("iso8859-1", "ascii"):
            name = "cp1252"  # browsers read latin-1 and ascii declarations as windows-1252
        if name and name not in ("utf-16-le", "utf-16-be", "utf-16"):
            candidates.insert(0, name)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise CorruptFile(str(path), "not readable as HTML text (the bytes are neither UTF-8 nor cp1252)")


@dataclass
class _List:
    ordered: bool
    counter: int


@dataclass
class _Row:
    cells: list[str] = field(default_factory=list)
    layout: bool = False  # the row's cells hold block elements: they are read as paragraphs
    cell: list[str] | None = None  # pieces of the open cell


@dataclass
class _Button:
    tag: str
    start: int  # index into the pending text where the button's text begins
    plain: bool  # the pending text's plain flag before the button
    depth: int = 0  # open elements of the same tag inside the button
    holds_blocks: bool = False


def page_chrome(attrs: dict[str, str | None]) -> bool:
    """Whether an element is page furniture rather than document text (see ``_CHROME_ROLES``)."""
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in _CHROME_ROLES:
        return True
    return not _CHROME_CLASSES.isdisjoint((attrs.get("class") or "").split())


class _BlockReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] = []
        self._plain = False  # the pending text has visible characters outside <b>/<strong>
        self._bold = 0
        self._skip: list[str] = []
        self._open: list[str] = []  # open block elements, innermost last
        self._lists: list[_List] = []
        self._label: str | None = None  # label of the <li> whose first block is pending
        self._rows: list[_Row] = []
        self._buttons: list[_Button] = []  # open <button>/role="button" elements, innermost last

    # -- emitting -------------------------------------------------------------------------------

    def _flush(self) -> None:
        text = _SPACES.sub(" ", _INVISIBLE.sub("", "".join(self._text))).strip()
        plain, self._text, self._plain = self._plain, [], False
        for button in self._buttons:
            button.holds_blocks = True  # its text so far is gone into a block: keep it
        if not text:
            return
        row = self._rows[-1] if self._rows else None
        if row is not None and not row.layout and row.cell is not None:
            row.cell.append(text)
            return
        level = next((_HEADINGS[t] for t in reversed(self._open) if t in _HEADINGS), None)
        label, self._label = self._label, None
        bold = level is not None or not plain
        self.blocks.append(Block(text=text, page=1, heading_level=level, bold=bold, list_label=label))

    def _end_cell(self, row: _Row) -> None:
        if row.cell is not None:
            text = " ".join(row.cell)
            if text:
                row.cells.append(text)
            row.cell = None

    def _to_layout(self, row: _Row) -> None:
        """A row that holds block elements is layout: what it collected becomes ordinary blocks."""
        self._end_cell(row)
        self.blocks.extend(Block(text=cell, page=1) for cell in row.cells)
        row.cells = []
        row.layout = True

    # -- parser callbacks -----------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == "body" and self._skip == ["head"]:
                self._skip.clear()  # an unclosed <head>
            else:
                if tag not in _VOID:
                    self._skip.append(tag)
                return
        named = dict(attrs)
        in_section = tag in ("header", "footer") and not _SECTIONING.isdisjoint(self._open)
        if (tag in _SKIPPED and not in_section) or page_chrome(named):
            if tag not in _VOID:
                self._flush()
                self._skip.append(tag)
            return
        for button in self._buttons:
            button.depth += button.tag == tag
        if tag == "button" or named.get("role") == "button":
            self._buttons.append(_Button(tag, len(self._text), self._plain))
        if tag in ("b", "strong"):
            self._bold += 1
        elif tag == "br":
            self._flush()
        elif tag == "tr":
            self._flush()
            self._rows.append(_Row())
        elif tag in ("td", "th"):
            self._flush()
            if self._rows:
                row = self._rows[-1]
                self._end_cell(row)
                row.cell = [] if not row.layout else None
        elif tag in _BLOCK_TAGS:
            self._flush()
            if self._rows and not self._rows[-1].layout:
                self._to_layout(self._rows[-1])
            self._start_block(tag, named)

    def _start_block(self, tag: str, attrs: dict[str, str | None]) -> None:
        if self._open and self._open[-1] == "p":
            self._open.pop()  # a block element ends an open paragraph
        if tag in ("li", "dt", "dd"):
            self._close_back_to(tag, stop={"ul", "ol", "dl"})
        if tag in ("ul", "ol"):
            start = _int(attrs.get("start"))
            self._lists.append(_List(ordered=tag == "ol", counter=(start if start is not None else 1) - 1))
        elif tag == "li":
            value = _int(attrs.get("value"))
            lst = self._lists[-1] if self._lists else _List(ordered=False, counter=0)
            lst.counter = value if value is not None else lst.counter + 1
            self._label = f"{lst.counter}." if lst.ordered else BULLET
        if tag not in _VOID:
            self._open.append(tag)

    def _close_back_to(self, tag: str, stop: set[str]) -> None:
        """Close an unclosed ``tag`` (``<li>`` before the next ``<li>``) within the nearest container."""
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i] in stop:
                return
            if self._open[i] == tag:
                del self._open[i:]
                return

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID or tag == "br":
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
            return
        self._end_button(tag)
        if tag in ("b", "strong"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("td", "th"):
            self._flush()
            if self._rows and not self._rows[-1].layout:
                self._end_cell(self._rows[-1])
        elif tag == "tr":
            self._flush()
            if self._rows:
                row = self._rows.pop()
                self._end_cell(row)
                if row.cells and not row.layout:
                    self.blocks.append(Block(text="\t".join(row.cells), page=1, in_table=True))
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag in self._open:
                index = len(self._open) - 1 - self._open[::-1].index(tag)
                closed = self._open[index:]
                del self._open[index:]
                for _ in range(sum(1 for t in closed if t in ("ul", "ol"))):
                    if self._lists:
                        self._lists.pop()
                if "li" in closed:
                    self._label = None

    def _end_button(self, tag: str) -> None:
        """A button's own text (a label such as "×" or "PDF") is dropped unless it holds blocks."""
        for button in self._buttons:
            button.depth -= button.tag == tag
        while self._buttons and self._buttons[-1].depth < 0:
            button = self._buttons.pop()
            if not button.holds_blocks:
                del self._text[button.start :]
                self._plain = button.plain

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if "pre" in self._open and "\n" in data:  # preformatted text: each line is a block
            first, *rest = data.split("\n")
            self.handle_data(first)
            for line in rest:
                self._flush()
                self.handle_data(line)
            return
        self._text.append(data)
        if not self._bold and data.strip():
            self._plain = True

    def close(self) -> None:
        super().close()
        self._skip.clear()  # a skipped element (script, style, ...) left open at the end of the page ends here
        self._flush()
        while self._rows:  # each call pops one open row
            self.handle_endtag("tr")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def extract(path: str | Path) -> ExtractedDocument:
    """Read one HTML page into blocks. Raises ``CorruptFile`` or ``EmptyDocument``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    text = decode(data, path)
    reader = _BlockReader()
    try:
        reader.feed(text)
        reader.close()
    except (AssertionError, ValueError) as e:  # html.parser's own errors on malformed declarations
        raise CorruptFile(str(path), f"not valid HTML ({e})") from e
    if not reader.blocks:
        raise EmptyDocument(str(path), "the HTML page has no text (only markup, scripts or navigation)")
    return ExtractedDocument(format="html", page_count=1, blocks=tuple(reader.blocks))
