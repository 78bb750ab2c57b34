"""An item's own pages cut out of its source PDF, for a package that may not carry the whole file.

A source PDF that holds a closed item cannot be handed over whole. The pages of an
included item can, except pages it shares with a closed item (or an item withheld
for review): ``plan_cut`` says which pages go and which are left out, and
``cut_pages`` writes a new PDF of just those pages with pdfium (the pages with their
resources; no document outline, metadata or attachments of the source come along).
When an item's pages are not known, or a closed item's pages are not known, nothing
can be cut safely and the plan is None.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.records import Meeting

__all__ = ["CutPlan", "PdfCutError", "cut_pages", "plan_cut"]


class PdfCutError(Exception):
    """The source PDF cannot be cut (it cannot be read, or a page is missing)."""


@dataclass(frozen=True)
class CutPlan:
    keep: tuple[int, ...]  # 1-based pages of the item that go into the cut, ascending
    shared: tuple[int, ...]  # pages of the item left out because a withheld item is on them too


def plan_cut(
    meetings: Sequence[Meeting], meeting_index: int, item_index: int, *, closed_numbers: frozenset[int] = frozenset()
) -> CutPlan | None:
    """The pages of one item that may leave: its pages without those of any closed item of the document
    (items withheld for review are closed items too; so are the items numbered ``closed_numbers``, which an
    export of the same meeting closes). None when the item's pages or a closed item's pages are unknown."""
    item = meetings[meeting_index].items[item_index]
    if not item.pages:
        return None
    closed_pages: set[int] = set()
    for mi, meeting in enumerate(meetings):
        for ii, other in enumerate(meeting.items):
            closed = other.closed or (mi == meeting_index and other.number in closed_numbers)
            if (mi, ii) == (meeting_index, item_index) or not closed:
                continue
            if not other.pages:
                return None
            closed_pages.update(other.pages)
    pages = sorted(set(item.pages))
    return CutPlan(tuple(p for p in pages if p not in closed_pages), tuple(p for p in pages if p in closed_pages))


def cut_pages(data: bytes, pages: Sequence[int]) -> bytes:
    """A new PDF holding ``pages`` (1-based) of the PDF ``data``, in that order."""
    import pypdfium2  # type: ignore[import-untyped]

    try:
        source = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as e:
        raise PdfCutError(f"cannot open the PDF ({e})") from e
    try:
        count = len(source)
        missing = [p for p in pages if not 1 <= p <= count]
        if missing:
            raise PdfCutError(f"page {missing[0]} is not in the PDF ({count} pages)")
        cut = pypdfium2.PdfDocument.new()
        try:
            cut.import_pages(source, [p - 1 for p in pages])
            buffer = io.BytesIO()
            cut.save(buffer)
            return buffer.getvalue()
        finally:
            cut.close()
    finally:
        source.close()
