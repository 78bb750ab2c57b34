"""Index documents with what the catalog links to them: bilag files and the print of an ESDH export.

``ingest.bilag_links`` keeps two relations in the catalog; at index time they change the documents
of ``index.documents.docs_from_record`` as follows:

* an item with linked bilag carries each bilag's title (as the item lists it) and text in
  ``IndexDoc.bilag_titles``/``bilag_texts``, kept apart from the item's own text, so that a search
  finds the item by its bilag and can say "in bilag: <title>"; ``details["bilag"]`` lists them for
  ``arkiv show``; the item counts as holding personal data when a bilag does;
* a linked bilag file is no document of its own any more (its text is found through its item); a
  bilag that no item links stays a document of kind "other";
* a printed meeting whose ESDH export is in the archive gives no documents (the export's items are the
  meeting), and each export item names the printed source and its pages in ``details["printed"]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from index.documents import IndexDoc
from parsers.confidentiality import whole_document_mark
from parsers.records import DocumentRecord

if TYPE_CHECKING:
    from ingest.catalog import Catalog

__all__ = ["LinkContext", "bilag_lines", "closed_bilag", "load_context", "printed_lines", "shown_bilag"]


@dataclass(frozen=True)
class _Link:
    attachment_index: int
    bilag_sha256: str
    bilag_path: str
    method: str


@dataclass
class LinkContext:
    """The catalog's links, and the records they point at, for composing index documents."""

    links: dict[str, list[_Link]] = field(default_factory=dict)  # by item key
    linked_bilag: set[str] = field(default_factory=set)  # bilag contents some item links
    superseded: set[tuple[str, int]] = field(default_factory=set)  # printed meetings an export holds
    printed_of: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)  # export -> printed
    records: dict[str, tuple[DocumentRecord, tuple[str, ...]]] = field(default_factory=dict)  # sha -> (record, paths)
    touched: set[str] = field(default_factory=set)  # contents whose documents the links change (besides bilag)
    closed_bilag: set[str] = field(default_factory=set)  # bilag contents some item lists as closed (``closed_bilag``)

    def affects(self, sha256: str) -> bool:
        """Whether the links change the documents of this content (``compose`` is not the identity for it)."""
        return sha256 in self.touched or sha256 in self.linked_bilag

    def compose(self, sha256: str, record: DocumentRecord, docs: Sequence[IndexDoc]) -> list[IndexDoc]:
        """The documents of one stored record with bilag and printed sources added (see the module docstring)."""
        if record.kind == "other":
            return [] if sha256 in self.linked_bilag else list(docs)
        out: list[IndexDoc] = []
        for doc in docs:
            mi, ii = _positions(doc.id)
            if (sha256, mi) in self.superseded:
                continue
            meeting = record.meetings[mi]
            details: dict[str, Any] = dict(doc.details)
            printed = self.printed_of.get((sha256, mi))
            if printed is not None and printed[0] in self.records:
                details["printed"] = _printed(self.records[printed[0]], printed[1], meeting.items[ii].number)
            titles: list[str] = []
            texts: list[str] = []
            listed: list[dict[str, Any]] = []
            personal = doc.personal_data
            attachments = meeting.items[ii].attachments
            for link in self.links.get(doc.id, []):
                found = self.records.get(link.bilag_sha256)
                if found is None or link.attachment_index >= len(attachments):
                    continue
                bilag, _paths = found
                attachment = attachments[link.attachment_index]
                # A bilag the export marks closed, or that carries a confidentiality marker (the rule that closes a
                # stand-alone document), is listed but its text is not indexed with the item: it is never found,
                # shown or published.
                # A bilag file another item lists as closed is closed here too (``closed_bilag``).
                closed = (
                    bool(attachment.closed)
                    or link.bilag_sha256 in self.closed_bilag
                    or bool(whole_document_mark(bilag.title or "", bilag.text))
                )
                titles.append(attachment.title)
                texts.append("" if closed else bilag.text)
                personal = personal or (not closed and _has_personal_data(bilag.text))
                listed.append(
                    {
                        "title": attachment.title,
                        "number": attachment.number,
                        "closed": closed,
                        "path": link.bilag_path,
                        "sha256": link.bilag_sha256,
                        "format": bilag.source.format,
                        "page_count": bilag.source.page_count,
                        "matched_by": link.method,
                    }
                )
            if listed:
                details["bilag"] = listed
            if listed or printed is not None:
                doc = dataclasses.replace(
                    doc, details=details, bilag_titles=tuple(titles), bilag_texts=tuple(texts), personal_data=personal
                )
            out.append(doc)
        return out


def _positions(doc_id: str) -> tuple[int, int]:
    _sha, mi, ii = doc_id.rsplit("-", 2)
    return int(mi), int(ii)


def _has_personal_data(text: str) -> bool:
    from parsers.personal_data import find_personal_data

    return bool(text.strip()) and bool(find_personal_data(text))


def _printed(found: tuple[DocumentRecord, tuple[str, ...]], meeting_index: int, number: int) -> dict[str, Any]:
    """The printed source of an export item: its path, format and the pages of the print's item with the same
    number (empty when the print has no such item)."""
    record, paths = found
    meeting = record.meetings[meeting_index]
    pages = next((list(i.pages) for i in meeting.items if i.number == number), [])
    return {
        "path": paths[0] if paths else record.source.path,
        "sha256": record.source.sha256,
        "format": record.source.format,
        "meeting_index": meeting_index,
        "pages": pages,
    }


LinkRow = tuple[str, int, str, str, str, str]  # Catalog.bilag_links(): item key, index, meeting, bilag, path, method


def closed_bilag(links: Iterable[LinkRow], record_of: Callable[[str], DocumentRecord | None]) -> set[str]:
    """The bilag contents that an item lists as closed (the export's access field, "Lukket: ..."), among
    those linked to more than one item. One file is one document: an item that lists it as open does not
    publish what another listing closes, so the index, the public view and aktindsigt packages withhold it
    with every item it is linked to. ``record_of`` gives a meeting document's record by its sha256 (only
    the documents of bilag linked more than once are read)."""
    by_bilag: dict[str, list[LinkRow]] = {}
    for row in links:
        by_bilag.setdefault(row[3], []).append(row)
    records: dict[str, DocumentRecord | None] = {}
    closed: set[str] = set()
    for bilag_sha, rows in by_bilag.items():
        if len({r[0] for r in rows}) < 2:
            continue  # linked once: its own listing decides (``LinkContext.compose``, ``aktindsigt``)
        for key, index, meeting_sha, _bilag, _path, _method in rows:
            if meeting_sha not in records:
                records[meeting_sha] = record_of(meeting_sha)
            record = records[meeting_sha]
            if record is None:
                continue
            mi, ii = _positions(key)
            if mi >= len(record.meetings) or ii >= len(record.meetings[mi].items):
                continue
            attachments = record.meetings[mi].items[ii].attachments
            if index < len(attachments) and attachments[index].closed:
                closed.add(bilag_sha)
                break
    return closed


def load_context(catalog: Catalog, shas: Iterable[str] | None = None) -> LinkContext:
    """The links of the catalog, with the records of the bilag and prints that the contents ``shas`` (None: all)
    point at."""
    wanted = None if shas is None else set(shas)
    ctx = LinkContext()
    needed: set[str] = set()
    all_links = catalog.bilag_links()
    ctx.closed_bilag = closed_bilag(all_links, catalog.record)
    for key, index, meeting_sha, bilag_sha, path, method in all_links:
        ctx.linked_bilag.add(bilag_sha)
        if wanted is None or meeting_sha in wanted:
            ctx.links.setdefault(key, []).append(_Link(index, bilag_sha, path, method))
            ctx.touched.add(meeting_sha)
            needed.add(bilag_sha)
    for sha, mi, export_sha, export_mi in catalog.printed_versions():
        ctx.superseded.add((sha, mi))
        ctx.touched.add(sha)
        if wanted is None or export_sha in wanted:
            ctx.printed_of[(export_sha, export_mi)] = (sha, mi)
            ctx.touched.add(export_sha)
            needed.add(sha)
    for sha in sorted(needed):
        record = catalog.record(sha)
        if record is not None:
            ctx.records[sha] = (record, catalog.paths(sha))
    return ctx


def printed_lines(details: dict[str, Any]) -> list[str]:
    """``arkiv show`` lines naming the printed source of an export item ("Printed: /dir/referat.pdf p. 2-3")."""
    printed = details.get("printed")
    if not printed:
        return []
    pages = printed.get("pages") or []
    span = "" if not pages else f" p. {pages[0]}" if len(pages) == 1 else f" p. {pages[0]}-{pages[-1]}"
    return [f"Printed: {printed['path']}{span}"]


def shown_bilag(doc: IndexDoc) -> list[dict[str, Any]]:
    """The linked bilag of an item as ``arkiv show --json`` gives them: ``details["bilag"]`` with each text."""
    listed = doc.details.get("bilag") or []
    return [{**b, "text": text} for b, text in zip(listed, doc.bilag_texts, strict=False)]


def bilag_lines(doc: IndexDoc) -> list[str]:
    """``arkiv show`` lines for the linked bilag: a heading per bilag with its file, then its text."""
    lines: list[str] = []
    for b in shown_bilag(doc):
        closed = " (closed)" if b.get("closed") else ""
        lines += [
            "",
            f"## Bilag: {b['title']}{closed}",
            f"File: {b['path']} ({b['format']}, matched by {b['matched_by']})",
        ]
        if b.get("text"):
            lines.append(b["text"])
    return lines
