"""Vendor and layout quirks, in one place.

The structure parser is layout-independent; the few things that only some
agenda systems do are fixed up here, before parsing. ``select_fixups`` looks
at the blocks, picks the fix-ups that apply and logs each one it applies.

Fix-ups:
- ``hidden-text``: SBSYS prints machine-readable dates in 2 pt type under the
  title; they are not part of the visible document.
- ``page-furniture``: "Side 2 af 3", "28. juli 2020 / Side 2 af 3", "- 2 -"
  and bare page numbers that the extractor did not mark as header/footer.
- ``running-lines``: lines that repeat on most pages at the top or bottom
  are a running header/footer even when the extractor left them as body text,
  also a block of several lines (the eDoc "samlet" page head: committee,
  "Referat", "Åbent referat", "Dato: 07.03.2012", "Side 3"); only page numbers
  and dates may differ between the pages (an item heading or a "Sagsnr." line
  opening every page differs by its number: content, and ends the block).
- ``outline-subitems``: SBSYS outline agendas number items "1 First Agenda"
  with sub-points "1.1 Status"; the sub-points are headings inside the item.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from parsers.furniture import running_shape
from parsers.records import Block

log = logging.getLogger(__name__)

_PAGE_RE = re.compile(
    r"^(?:.{0,60}[/|–-]\s*)?(?:side|page|s\.)\s*\d{1,4}(?:\s*(?:af|of|/)\s*\d{1,4})?$|^[-–]?\s*\d{1,4}\s*[-–]?$"
    r"|^\d{1,3}\s*(?:af|/)\s*\d{1,3}$",
    re.IGNORECASE,
)
_LONE_NUMBER_RE = re.compile(r"^[-–]?\s*\d{1,4}\s*[-–]?$")
_SUBITEM_RE = re.compile(r"^\d{1,3}\.\d{1,3}\.?\s+\S")
_TOP_OUTLINE_RE = re.compile(r"^\d{1,3}\s+[A-ZÆØÅ]")
# how many lines from a page's top (bottom) edge a running head (foot) may take:
# eDoc "samlet" heads are five lines (committee, "Referat", "Åbent referat", "Dato: ...", "Side 3")
_HEAD_LINES = 6
_FOOT_LINES = 1  # a body line that ends most pages ("Forvaltningen indstiller") must stay content


@dataclass(frozen=True)
class Layout:
    """The fix-ups chosen for one document."""

    names: tuple[str, ...]
    outline_subitems: bool  # "N.M Title" lines are headings inside item N


def _page_edges(blocks: Sequence[Block]) -> set[int]:
    """ids of the first and last body block of each page (where a lone page number sits).

    A lone number opening a page is kept when a styled line follows it: that is an
    item number with its title ("3" / "Budget 2026").
    """
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for k, b in enumerate(blocks):
        if b.role == "body":
            first.setdefault(b.page, k)
            last[b.page] = k
    edges = {id(blocks[k]) for k in last.values()}
    for page, k in first.items():
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        if nxt is None or nxt.page != page or not (nxt.bold or nxt.heading_level is not None):
            edges.add(id(blocks[k]))
    return edges


def _is_page_furniture(block: Block, at_edge: bool) -> bool:
    text = block.text.strip()
    if not _PAGE_RE.match(text):
        return False
    if _LONE_NUMBER_RE.match(text) and not at_edge:
        return False  # a lone number inside the page is an item number, not a page number
    numbers = [int(n) for n in re.findall(r"\d+", text.rsplit("/", 1)[-1] if "side" in text.lower() else text)]
    return len(numbers) < 2 or numbers[-2] <= numbers[-1]


def _hidden(block: Block) -> bool:
    return block.font_size is not None and block.font_size < 4.0


def _running_blocks(blocks: Sequence[Block]) -> set[int]:
    """ids of the blocks of a running head or foot that the extractor left as body text.

    A page's head is the run of lines from its top edge (at most ``_HEAD_LINES``) whose
    shape (text with dates and page counters blanked) opens most pages, three at least;
    the foot likewise from the bottom edge. The run stops at the first line that is not
    repeated, so an item heading opening every page ("Punkt 3: ...") and what follows it
    stay content. A line set larger than the body text (a meeting title repeated in a
    bundle) is never running text, nor is a run of bold lines only (a heading that
    happens to end every page).
    """
    pages: dict[int, list[Block]] = defaultdict(list)
    for b in blocks:
        if b.role == "body":
            pages[b.page].append(b)
    if len(pages) < 3:
        return set()
    sizes = sorted(b.font_size for b in blocks if b.font_size)
    body_size = sizes[len(sizes) // 2] if sizes else None
    last_page = max(pages)
    need = max(3.0, len(pages) * 0.6)

    shapes: dict[int, str | None] = {}  # by id: an edge line is shaped once for the counts and once for its run

    def shape(b: Block) -> str | None:
        if id(b) in shapes:
            return shapes[id(b)]
        larger = b.font_size is not None and body_size is not None and b.font_size > body_size
        if b.heading_level is not None or larger or len(b.text) >= 120 or not b.text.strip():
            found = None
        else:
            found = running_shape(b.text, last_page)
        shapes[id(b)] = found
        return found

    running: set[int] = set()
    for edge in (
        {page: lines[:_HEAD_LINES] for page, lines in pages.items()},
        {page: lines[::-1][:_FOOT_LINES] for page, lines in pages.items()},
    ):
        counts: Counter[str] = Counter()
        for lines in edge.values():
            counts.update({s for b in lines if (s := shape(b)) is not None})
        for lines in edge.values():
            run: list[Block] = []
            for b in lines:
                s = shape(b)
                if s is None or counts[s] < need:
                    break
                run.append(b)
            # bold lines alone are headings that end or open pages ("Beslutning"); a bold committee
            # name is running text only within a block of plain running lines
            if any(not b.bold for b in run):
                running.update(id(b) for b in run)
    return running


def select_fixups(blocks: Sequence[Block]) -> tuple[list[Block], Layout]:
    """Apply the quirk fix-ups that fit these blocks; return the blocks and the layout."""
    fixes: list[tuple[str, Callable[[Block], bool]]] = []
    if any(_hidden(b) for b in blocks):
        fixes.append(("hidden-text", _hidden))
    edges = _page_edges(blocks)
    furniture = {id(b) for b in blocks if b.role == "body" and _is_page_furniture(b, id(b) in edges)}
    if furniture:
        fixes.append(("page-furniture", lambda b: id(b) in furniture))
    running = _running_blocks(blocks)
    if running:
        fixes.append(("running-lines", lambda b: id(b) in running))
    names = [name for name, _ in fixes]
    result: list[Block] = []
    for b in blocks:
        drop = None
        for name, test in fixes:
            if test(b):
                drop = name
                break
        if drop == "running-lines":
            result.append(replace(b, role="header"))
        elif drop is None:
            result.append(b)
    outline = _has_outline_subitems(result)
    if outline:
        names.append("outline-subitems")
    for name in names:
        log.info("layout fix-up applied: %s", name)
    return result, Layout(names=tuple(names), outline_subitems=outline)


def _has_outline_subitems(blocks: Sequence[Block]) -> bool:
    """True when styled "N Title" lines are followed by "N.1 ..." sub-point lines."""
    tops = 0
    subs = 0
    for b in blocks:
        if b.role != "body":
            continue
        if (b.bold or b.heading_level) and _TOP_OUTLINE_RE.match(b.text):
            tops += 1
        elif _SUBITEM_RE.match(b.text) and len(b.text) < 100:
            subs += 1
    return tops >= 1 and subs >= 2
