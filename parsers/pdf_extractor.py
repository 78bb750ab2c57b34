"""PDF → ``ExtractedDocument``: one ``Block`` per visual line, in reading order.

Characters come from a swappable char source (``parsers.pdf_chars``; pdfium by
default, ``ARKIV_PDF_CHARS=pdfplumber`` for the reference). Per page:

1. characters are grouped into lines by their bottom edge (baseline + descent),
   sweeping once over the characters sorted by that edge; superscripts and
   subscripts (smaller text within a line's height) join their line;
2. each line's characters are sorted left to right; a word space of the text
   layer (``Char.space_before``) becomes a space however narrow the gap (an
   "f" whose advance reaches into the space would otherwise glue "af" to the
   next word); without one, a gap wider than ``WORD_GAP`` of the font's space
   width becomes a space (``pdf_chars.word_gap``); a gap wider than ``TAB_GAP`` em a tab,
   so label/value lines ("Mødedato<gap>Mandag d. 11. …") and table rows keep
   their cells apart ("Mødedato\\tMandag d. 11. …");
3. runs of two or more lines with three or more cells are marked ``in_table``.

Then running headers/footers are marked across pages (``parsers.furniture``),
and the body font size is the most common size weighted by characters.

Bad input raises ``parsers.errors`` exceptions: ``CorruptFile`` (not a PDF,
truncated, no page readable), ``EncryptedFile`` (needs a password),
``EmptyDocument`` (no pages), ``NoTextLayer`` (no text on any page, not even by OCR),
``ocr.OcrUnavailable`` (only scanned pages, and Tesseract is not installed).

A page whose text layer has fewer than ``ocr.MIN_TEXT_CHARS`` characters and that
holds an image is a scan: it is OCR'd (``parsers.ocr``) and its words go through the
same line building; ``ExtractedDocument.ocr_pages`` lists those pages.
A page that cannot be read, or whose content stream is damaged, while others
can is a ``Problem`` ``W005`` with its page number in
``ExtractedDocument.problems``; the text of the other pages is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from parsers import ocr
from parsers.errors import CorruptFile, EmptyDocument, NoTextLayer, ParseError
from parsers.furniture import PlacedLine, classify
from parsers.pdf_chars import Char, CharSource, PageChars, char_source, damaged_pages, word_gap
from parsers.records import Block, ExtractedDocument, Problem

SUFFIXES = (".pdf",)

TAB_GAP = 1.8  # em; justified word spaces stay below, tab stops and table columns above
LINE_TOLERANCE = 0.4  # em; characters whose bottoms differ by less share a line
RAISED_SIZE = 0.8  # superscripts/subscripts are at most this size of the text they belong to
BOLD_SHARE = 0.9  # a line is bold when at least this share of its characters is bold
# a glyph drawn again on top of itself (fake bold) is dropped; pdfium drops it itself,
# so neither source reads it as a bold hint
DUPLICATE_OVERLAP = 0.5
# Ligatures are spelt out (pdfium does that itself, pdfminer does not)
LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb06": "st"}
)
PAGE_ERROR = "W005"  # problem code: a page whose text could not be read (all or part of it)
_X0 = attrgetter("x0")
EOF_WINDOW = 4096  # bytes at the end of the file (after padding) searched for %%EOF
TAIL_READ = 1 << 20  # bytes read from the end to skip NUL/whitespace padding


@dataclass(frozen=True)
class Line:
    """One visual line with its geometry (points, origin top left)."""

    page: int
    text: str
    x0: float
    top: float
    bottom: float
    font_size: float
    bold: bool
    cells: int  # tab-separated parts
    page_height: float


def extract(path: Path, source: CharSource | None = None, ocr_cache: Path | None = None) -> ExtractedDocument:
    """Read a PDF into line blocks. ``source`` defaults to ``pdf_chars.char_source()``.

    Pages without a text layer that hold an image are read by OCR (``parsers.ocr``),
    page by page; ``ocr_cache`` is where OCR results are cached (default ``$ARKIV_OCR_CACHE``)."""
    path = Path(path)
    _check_complete(path)
    source = source or char_source()
    page_lines_by_number: dict[int, list[Line]] = {}
    sizes: dict[int, tuple[float, float]] = {}
    text_chars: dict[int, int] = {}
    page_count = 0
    errors: dict[int, str] = {}
    for page in source.pages(path):
        page_count = page.number
        if page.error is not None:
            errors[page.number] = page.error
        else:
            text_chars[page.number] = sum(len(c.text.strip()) for c in page.chars)
        sizes[page.number] = (page.width, page.height)
        page_lines_by_number[page.number] = page_lines(page)
    if page_count == 0:
        raise EmptyDocument(str(path), "the PDF has no pages")
    scans = ocr.scanned_pages(path, text_chars) if text_chars else []
    read = _read_scans(path, scans, page_lines_by_number, sizes, errors, ocr_cache)
    lines = [line for number in sorted(page_lines_by_number) for line in page_lines_by_number[number]]
    for number, reason in damaged_pages(path).items():
        errors.setdefault(number, reason)
    if not lines and errors:
        first = min(errors)
        raise CorruptFile(str(path), f"not a valid PDF (no page can be read; page {first}: {errors[first]})")
    if not lines:
        raise NoTextLayer(
            str(path),
            f"no text on any of its {page_count} page(s): no text layer"
            + (", and OCR found no words" if read else " and no scanned image"),
        )
    return ExtractedDocument(
        format="pdf",
        page_count=page_count,
        blocks=tuple(_blocks(lines)),
        body_font_size=_body_font_size(lines),
        problems=tuple(
            Problem(PAGE_ERROR, f"page {n} of {page_count}: {reason}; its text is missing or incomplete", n)
            for n, reason in sorted(errors.items())
        ),
        ocr_pages=tuple(page.number for page in read if page.error is None),
        ocr_confidence=ocr.mean_confidence(read),
    )


def _read_scans(
    path: Path,
    scans: list[int],
    lines: dict[int, list[Line]],
    sizes: dict[int, tuple[float, float]],
    errors: dict[int, str],
    cache: Path | None,
) -> list[ocr.OcrPage]:
    """OCR the scanned pages and put their lines in place of the text layer's stray characters.

    Without Tesseract, a file whose other pages have text keeps them and lists each scanned page
    as a page error naming the packages; a file of scans only raises ``OcrUnavailable``."""
    if not scans:
        return []
    try:
        read = ocr.ocr_pages(path, scans, cache)
    except ocr.OcrUnavailable as e:
        if not any(lines[n] for n in lines if n not in scans):
            raise
        for number in scans:
            errors.setdefault(number, f"a scan that was not read: {e.reason.split('; ', 1)[-1]}")
        return []
    for page in read:
        if page.error is not None:
            errors.setdefault(page.number, page.error)
            continue
        width, height = sizes[page.number]
        lines[page.number] = page_lines(PageChars(page.number, width, height, page.chars))
    return read


def _check_complete(path: Path) -> None:
    """A PDF ends with %%EOF; without it the file is truncated (an interrupted download)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - TAIL_READ))
            tail = f.read().rstrip(b"\x00\t\n\x0c\r ")
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    if b"%PDF-" not in head:
        raise CorruptFile(str(path), "not a valid PDF (no %PDF- header)")
    if tail and b"%%EOF" not in tail[-EOF_WINDOW:]:
        raise CorruptFile(str(path), "not a valid PDF (truncated: the %%EOF end marker is missing)")


# ---------------------------------------------------------------------------
# Characters → lines
# ---------------------------------------------------------------------------


def page_lines(page: PageChars) -> list[Line]:
    """The visual lines of one page, top to bottom."""
    if not page.chars:
        return []
    chars = sorted(page.chars, key=lambda c: c.bottom)
    groups: list[list[Char]] = []
    current: list[Char] = [chars[0]]
    anchor = chars[0].bottom
    anchor_size = chars[0].size or 10.0
    for c in chars[1:]:
        if c.bottom - anchor <= LINE_TOLERANCE * min(anchor_size, c.size or anchor_size):
            current.append(c)
        else:
            groups.append(current)
            current = [c]
            anchor = c.bottom
            anchor_size = c.size or 10.0
    groups.append(current)
    out = [_make_line(page, g) for g in _merge_raised(groups)]
    return [line for line in out if line is not None]


def _merge_raised(groups: list[list[Char]]) -> list[list[Char]]:
    """Put superscripts and subscripts (footnote marks, "m2") back into the line they belong to.

    A group of small characters whose height lies mostly within a neighbouring
    line of larger text joins that line.
    """
    if len(groups) < 2:
        return groups
    spans = [(min(c.top for c in g), max(c.bottom for c in g), max(c.size for c in g)) for g in groups]

    def joins(small: int, big: int) -> bool:
        top, bottom, size = spans[small]
        big_top, big_bottom, big_size = spans[big]
        overlap = min(bottom, big_bottom) - max(top, big_top)
        return size <= RAISED_SIZE * big_size and overlap >= 0.5 * (bottom - top)

    out: list[list[Char]] = []
    carry: list[Char] = []
    for i, group in enumerate(groups):
        group = carry + group if carry else group
        carry = []
        if i + 1 < len(groups) and joins(i, i + 1):
            carry = group
        elif out and i > 0 and joins(i, i - 1):
            out[-1] = out[-1] + group
        else:
            out.append(group)
    if carry:
        out.append(carry)
    return out


def _make_line(page: PageChars, chars: list[Char]) -> Line | None:
    chars.sort(key=_X0)
    parts: list[str] = []
    cells = 1
    prev: Char | None = None
    kept: list[Char] = []
    for c in chars:
        if prev is not None:
            if c.text == prev.text and abs(c.x0 - prev.x0) < DUPLICATE_OVERLAP * max(prev.x1 - prev.x0, 0.1):
                continue
            em = max(prev.size, c.size) or 10.0
            gap = c.x0 - prev.x1
            if gap > TAB_GAP * em:
                parts.append("\t")
                cells += 1
            elif c.space_before or gap > items_gap(prev, c):
                parts.append(" ")
        parts.append(c.text)
        kept.append(c)
        prev = c
    text = "".join(parts).translate(LIGATURES).strip()
    if not text:
        return None
    # the most common size rounded to 0.1 pt (ties: the first met); a line has few distinct sizes
    sizes: Counter[float] = Counter()
    for size, count in Counter(c.size for c in kept).items():
        sizes[round(size, 1)] += count
    bold = sum(c.bold for c in kept)
    return Line(
        page=page.number,
        text=text,
        x0=round(kept[0].x0, 2),
        top=min(c.top for c in kept),
        bottom=max(c.bottom for c in kept),
        font_size=sizes.most_common(1)[0][0],
        bold=bold >= BOLD_SHARE * len(kept),
        cells=cells,
        page_height=page.height,
    )


def items_gap(left: Char, right: Char) -> float:
    """The narrowest gap in points between two items without a word space before the right one
    that still separates two words: ``pdf_chars.word_gap`` of the larger of the two fonts."""
    bigger = left if left.size >= right.size else right
    return word_gap(bigger.size, bigger.space_width)


# ---------------------------------------------------------------------------
# Lines → blocks
# ---------------------------------------------------------------------------


def _table_flags(lines: list[Line]) -> list[bool]:
    """Runs of two or more consecutive lines on one page with three or more cells."""
    flags = [False] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].cells >= 3 and lines[j].page == lines[i].page:
            j += 1
        if j - i >= 2:
            for k in range(i, j):
                flags[k] = True
        i = max(j, i + 1)
    return flags


def _blocks(lines: list[Line]) -> Iterable[Block]:
    roles = classify([PlacedLine(ln.page, ln.text, ln.top, ln.bottom, ln.page_height) for ln in lines])
    tables = _table_flags(lines)
    prev: Line | None = None
    for line, role, in_table in zip(lines, roles, tables, strict=True):
        space_before = None
        if prev is not None and prev.page == line.page:
            space_before = round(max(0.0, line.top - prev.bottom), 2)
        yield Block(
            text=line.text,
            page=line.page,
            role=role,  # type: ignore[arg-type]
            bold=line.bold,
            font_size=line.font_size or None,
            in_table=in_table,
            space_before=space_before,
            x0=line.x0,
        )
        prev = line


def _body_font_size(lines: list[Line]) -> float | None:
    weights: Counter[float] = Counter()
    for line in lines:
        if line.font_size:
            weights[line.font_size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else None
