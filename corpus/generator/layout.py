"""The paragraph model both renderers draw, and the page map they report back.

A layout family turns meeting data into a list of ``Para``/``Table`` objects.
Each carries a ``tag`` naming the item it belongs to, so the renderer can tell
the gold writer on which pages every item's lines fell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Style = Literal[
    "title",  # large bold title
    "subtitle",  # medium bold line under the title
    "h1",  # item heading (Heading 1 in DOCX)
    "h2",  # section heading (Heading 2 in DOCX / bold line in PDF)
    "bold",  # bold body line
    "body",  # plain paragraph
    "label",  # bold "Label:" followed by plain text on the same line
    "bullet",  # bulleted paragraph
    "numbered",  # automatically numbered list paragraph (DOCX numbering; printed "N." in PDF)
    "toc",  # table-of-contents entry: text ... page number of ``toc_target``
    "small",  # small print (letterhead, contact lines)
]

ItemTag = tuple[int, int]  # (meeting index, item index)


@dataclass
class Para:
    text: str
    style: Style = "body"
    tag: ItemTag | None = None
    label: str | None = None  # for style "label": printed bold before ``text`` (with its colon, if any)
    page_break_before: bool = False
    toc_target: ItemTag | None = None  # for style "toc": the item whose first page is printed
    number: int | None = None  # for style "numbered" and ``auto_number``: the list number
    auto_number: bool = False  # a heading numbered by Word list numbering (DOCX), printed "N. " in PDF
    align: Literal["left", "right", "center"] = "left"
    space_before: float = 4.0


@dataclass
class Table:
    rows: list[list[str]]
    tag: ItemTag | None = None
    header: bool = True  # first row bold
    col_widths: list[float] | None = None  # relative widths; None: equal
    page_break_before: bool = False


Element = Para | Table


@dataclass
class RunningText:
    """Running header and footer. ``{page}``/``{pages}`` are filled per page."""

    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""
    footer_right: str = ""
    first_page: bool = True  # also on page 1


@dataclass
class Rendered:
    """What a renderer reports: page count and the pages every tagged item touched."""

    page_count: int
    item_pages: dict[ItemTag, list[int]] = field(default_factory=dict)

    def add(self, tag: ItemTag | None, page: int) -> None:
        if tag is None:
            return
        pages = self.item_pages.setdefault(tag, [])
        if page not in pages:
            pages.append(page)

    def pages_of(self, tag: ItemTag) -> tuple[int, ...]:
        return tuple(sorted(self.item_pages.get(tag, [])))
