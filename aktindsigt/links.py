"""Aktindsigt hits with what the catalog links to them: the item's bilag files and an export's printed source.

``with_links`` applies the catalog's relations (``ingest.bilag_links``) to a list of hits:

* an item hit carries its linked bilag (``AktHit.bilag``), which the package lists as rows of their
  own under the item and hands over or withholds with it;
* a hit on a linked bilag document itself (its text names the case) becomes a hit on the item that
  lists it, so the bilag goes out, or stays in, with its item and never on its own;
* a hit on a printed meeting that an ESDH export holds becomes a hit on the export's item with the
  same number (the export is the meeting), and an export item carries its printed source
  (``AktHit.printed``), whose pages the package can cut out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from aktindsigt.package import AktHit, LinkedBilag, PrintedSource, StoredLike
from index.linked import closed_bilag
from parsers.records import DocumentRecord

__all__ = ["with_links"]

LinkRow = tuple[str, int, str, str, str, str]  # Catalog.bilag_links(): item key, index, meeting, bilag, path, method
PrintedRow = tuple[str, int, str, int]  # Catalog.printed_versions(): sha256, meeting, export sha256, export meeting


def with_links(
    hits: Iterable[AktHit],
    links: Sequence[LinkRow],
    printed: Sequence[PrintedRow],
    lookup: Callable[[str], StoredLike | None],
) -> list[AktHit]:
    """The hits with bilag and printed sources attached (see the module docstring); ``lookup`` gives the stored
    record of a content hash."""
    cache: dict[str, StoredLike | None] = {}

    def stored(sha: str) -> StoredLike | None:
        if sha not in cache:
            cache[sha] = lookup(sha)
        return cache[sha]

    by_item: dict[str, list[LinkRow]] = {}
    items_of_bilag: dict[str, list[LinkRow]] = {}
    for row in links:
        by_item.setdefault(row[0], []).append(row)
        items_of_bilag.setdefault(row[3], []).append(row)
    export_of = {(r[0], r[1]): (r[2], r[3]) for r in printed}
    print_of = {(r[2], r[3]): (r[0], r[1]) for r in printed}

    hits = list(hits)
    direct = {h.key for h in hits}
    out: list[AktHit] = []
    for hit in hits:
        if hit.meeting_index is None and hit.sha256 in items_of_bilag:
            for row in items_of_bilag[hit.sha256]:
                if row[0] in direct:
                    continue  # the item is a hit of its own; it says how it was found
                item_hit = _item_hit(row[2], row[0], stored, f"bilag: {hit.matched_by}".rstrip(": "))
                if item_hit is not None:
                    out.append(item_hit)
            continue
        if hit.meeting_index is not None and (hit.sha256, hit.meeting_index) in export_of:
            export_sha, export_mi = export_of[(hit.sha256, hit.meeting_index)]
            moved = _export_hit(hit, export_sha, export_mi, stored)
            out.append(moved if moved is not None else hit)
            continue
        out.append(hit)

    def record_of(sha: str) -> DocumentRecord | None:
        found = stored(sha)
        return found.record if found is not None else None

    closed = closed_bilag(links, record_of)
    return [_decorated(h, by_item, print_of, stored, closed) for h in out]


def _item_hit(sha: str, key: str, stored: Callable[[str], StoredLike | None], how: str) -> AktHit | None:
    found = stored(sha)
    if found is None:
        return None
    _prefix, mi, ii = key.rsplit("-", 2)
    return AktHit(sha, found.paths, found.record, int(mi), int(ii), how)


def _export_hit(
    hit: AktHit, export_sha: str, export_mi: int, stored: Callable[[str], StoredLike | None]
) -> AktHit | None:
    """The export's item with the printed item's number, or None when the export has no such item."""
    found = stored(export_sha)
    item = hit.item
    if found is None or item is None or export_mi >= len(found.record.meetings):
        return None
    for ii, other in enumerate(found.record.meetings[export_mi].items):
        if other.number == item.number:
            return AktHit(export_sha, found.paths, found.record, export_mi, ii, hit.matched_by)
    return None


def _decorated(
    hit: AktHit,
    by_item: dict[str, list[LinkRow]],
    print_of: dict[tuple[str, int], tuple[str, int]],
    stored: Callable[[str], StoredLike | None],
    closed: set[str],
) -> AktHit:
    item = hit.item
    if item is None or hit.meeting_index is None:
        return hit
    bilag: list[LinkedBilag] = []
    for _key, index, _meeting, bilag_sha, path, method in by_item.get(hit.key, []):
        found = stored(bilag_sha)
        if found is None or index >= len(item.attachments):
            continue
        paths = (path, *(p for p in found.paths if p != path))
        attachment = item.attachments[index]
        if bilag_sha in closed and not attachment.closed:
            # another item lists the same file as closed: it is withheld here too (``index.linked.closed_bilag``)
            attachment = dataclasses.replace(attachment, closed=True, access=attachment.access or "lukket andetsteds")
        bilag.append(LinkedBilag(attachment, bilag_sha, paths, found.record, method))
    printed_source: PrintedSource | None = None
    pair = print_of.get((hit.sha256, hit.meeting_index))
    if pair is not None:
        found = stored(pair[0])
        if found is not None:
            printed_source = PrintedSource(pair[0], found.paths, found.record, pair[1])
    if not bilag and printed_source is None:
        return hit
    return dataclasses.replace(hit, bilag=tuple(bilag), printed=printed_source)
