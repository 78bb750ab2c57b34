"""Running headers and footers ("furniture") of paginated documents.

A line is furniture when it sits in the top or bottom margin zone of its page
and either

* its text recurs in the same zone on several pages, where only page numbers
  and dates may differ from page to page (a running title, "Referat –
  Økonomiudvalget 12.03.2024 Side 3 af 8"), or
* it is a page number: "Side 2 af 3", "Side 2", "2/3", "- 2 -", a lone
  number, or such a number at the end of a line ("28. juli 2020 / Side 2 af 3").

The page-number rule makes this work for one- and two-page documents too.
Any other difference keeps a line in the body: an item heading or a
"Sagsnr." line printed at the same place on every page ("Punkt 3: Budget",
"Sagsnr.: 24/1003") differs by its number and is content, not furniture.
Furniture is kept and marked (``role="header"``/``"footer"``), not dropped: the
structure parser may read metadata from it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.danish_dates import find_dates

# A line is in the header zone when its bottom is above this fraction of the
# page height, in the footer zone when its top is below 1 - this fraction.
# Word's default margins put body text at 2.5 cm (8.4 % of A4) and headers at 1.25 cm.
HEADER_ZONE = 0.085
FOOTER_ZONE = 0.085
# Lines farther than this from the page edge (counted in lines) are never furniture.
MAX_LINES_FROM_EDGE = 4

_PAGE_NUMBER_ONLY = re.compile(
    r"^(?:"
    r"(?:side|page|s\.|pp?\.)\s*\d{1,4}(?:\s*(?:af|of|ud af|/)\s*\d{1,4})?"  # Side 2 / Side 2 af 3
    r"|\d{1,4}\s*(?:/|af|of)\s*\d{1,4}"  # 2/3, 2 af 3
    r"|[-–—]?\s*\d{1,4}\s*[-–—]?"  # 2, - 2 -
    r")\.?$",
    re.IGNORECASE,
)
_PAGE_NUMBER_AT_END = re.compile(
    r"(?:^|[\s/|–—-])(?:side|page)\s*\d{1,4}(?:\s*(?:af|of|/)\s*\d{1,4})?\.?$",
    re.IGNORECASE,
)
_PAGE_X_OF_Y = re.compile(r"\b(?:side|page)\s+\d{1,4}\s*(?:af|of|/)\s*\d{1,4}\b", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# page counters inside a line: "Side 3"/"Side 3 af 8" at the end or before a separator (not "se side 3."),
# "3 af 8", "- 3 -", a number after a tab or "|" at the end
_PAGE_COUNTER = re.compile(
    r"\b(?:side|page|s\.)\s*\d{1,4}(?:\s*(?:af|of|ud af|/)\s*\d{1,4})?(?=\s*(?:$|[\t|–—-]))"
    r"|\b\d{1,4}\s+(?:af|of)\s+\d{1,4}\b"
    r"|[-–—]\s*\d{1,4}\s*[-–—]"
    r"|(?:\t|\|)\s*\d{1,4}\s*$|^\s*\d{1,4}\s*(?:\t|\|)",
    re.IGNORECASE,
)
_SLASH_COUNTER = re.compile(r"\b(\d{1,4})\s*/\s*(\d{1,4})\b")


@dataclass(frozen=True)
class PlacedLine:
    """What furniture detection needs to know about one line."""

    page: int
    text: str
    top: float
    bottom: float
    page_height: float


def is_page_number(text: str) -> bool:
    """True for page-number lines: "Side 2 af 3", "2/3", "- 2 -", "28. juli 2020 / Side 2 af 3"."""
    t = _SPACE.sub(" ", text.replace("\t", " ")).strip()
    return bool(_PAGE_NUMBER_ONLY.match(t) or _PAGE_NUMBER_AT_END.search(t) or _PAGE_X_OF_Y.search(t))


def running_shape(text: str, pages: int) -> str:
    """The text with its dates and page counters blanked: what a running header keeps from page to page.

    "3/8" counts pages only when 8 is the page count ("24/1003" is a case number)."""
    for date in reversed(find_dates(text)):
        text = f"{text[: date.start]}<date>{text[date.end :]}"
    text = _PAGE_COUNTER.sub("<page>", text)
    text = _SLASH_COUNTER.sub(lambda m: "<page>" if int(m.group(2)) == pages else m.group(0), text)
    return _SPACE.sub(" ", text).strip().lower()


def classify(lines: Sequence[PlacedLine]) -> list[str]:
    """Return "header", "footer" or "body" for each line (lines in reading order, grouped by page)."""
    roles = ["body"] * len(lines)
    by_page: dict[int, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        by_page[line.page].append(i)
    page_count = len(by_page)
    last_page = max(by_page, default=0)

    zone_of: dict[int, str] = {}
    for indexes in by_page.values():
        head = indexes[:MAX_LINES_FROM_EDGE]
        tail = indexes[-MAX_LINES_FROM_EDGE:]
        for i in head:
            if lines[i].bottom <= lines[i].page_height * HEADER_ZONE:
                zone_of[i] = "header"
        for i in tail:
            if lines[i].top >= lines[i].page_height * (1 - FOOTER_ZONE):
                zone_of[i] = "footer"

    pages_with_shape: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, zone in zone_of.items():
        pages_with_shape[(zone, running_shape(lines[i].text, last_page))].add(lines[i].page)
    min_repeats = 2 if page_count <= 4 else 3

    for i, zone in zone_of.items():
        line = lines[i]
        repeats = len(pages_with_shape[(zone, running_shape(line.text, last_page))])
        if repeats >= min_repeats or is_page_number(line.text):
            roles[i] = zone
    return roles
