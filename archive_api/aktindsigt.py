"""Saved aktindsigt requests over an archive: adding items from a search, a case or chosen hits, and
writing the request's package and aktliste with ``aktindsigt.package.build_package`` (the same files as
``arkiv aktindsigt``).

Only the included entries go into the package, where closed items and personal data are withheld and
flagged by the package's own rules. The entries a coordinator left out are listed with their reasons
in ``udeladt.csv`` beside the aktliste.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from aktindsigt.links import with_links
from aktindsigt.package import (
    AktHit,
    AktindsigtError,
    PackageSummary,
    build_package,
    exclude,
    hits_for_cases,
    hits_from_ids,
)
from aktindsigt.requests import Request, RequestError, RequestStore
from archive_api.archive import Archive
from index.query import Filters
from ingest.catalog import CATALOG_FILE, Catalog, CatalogError, StoredRecord

__all__ = [
    "EXCLUDED_COLUMNS",
    "EXCLUDED_FILE",
    "Package",
    "add_case",
    "add_ids",
    "add_search",
    "aktliste",
    "package_zip",
]

EXCLUDED_FILE = "udeladt.csv"
EXCLUDED_COLUMNS = ("Id", "Titel", "Begrundelse", "Tilføjet via")


@dataclass(frozen=True)
class Package:
    """A written package: the zip's bytes and the package summary."""

    data: bytes
    summary: PackageSummary


def _catalog(archive: Path) -> Catalog:
    if not (Path(archive) / CATALOG_FILE).exists():
        raise RequestError(f"{archive}: no catalog here; run `arkiv ingest PATH --archive {archive}` first")
    try:
        return Catalog.open(Path(archive))
    except CatalogError as e:
        raise RequestError(str(e)) from e


def add_ids(store: RequestStore, key: str, archive: Archive, ids: list[str], added_via: str) -> Request:
    """Add chosen index ids (hits ticked on a result page); unknown ids are an error."""
    items = []
    for item_id in ids:
        doc = archive.get(item_id)
        items.append((doc.id, doc.sha256))
    return store.add(key, items, added_via)


def add_search(store: RequestStore, key: str, archive: Archive, query: str, filters: Filters | None) -> Request:
    """Add every item that matches a search (not one page)."""
    docs = archive.matching(query, filters)
    return store.add(key, [(d.id, d.sha256) for d in sorted(docs, key=lambda d: d.id)], f"søgning «{query}»")


def add_case(store: RequestStore, key: str, archive_dir: Path, case: str) -> Request:
    """Add every item of a case as ``arkiv aktindsigt --case`` finds them (case numbers and text mentions)."""
    if not case.strip():
        raise RequestError("give a case number, e.g. 22/23184")
    catalog = _catalog(archive_dir)
    try:
        hits = hits_for_cases(catalog.iter_records(), [case.strip()])
    finally:
        catalog.close()
    if not hits:
        raise RequestError(f"no item carries case number {case.strip()}")
    return store.add(key, [(h.key, h.sha256) for h in hits], f"sag {case.strip()}")


def _hits(archive_dir: Path, request: Request) -> list[AktHit]:
    """The request's items as package hits, with their linked bilag and printed sources: the included ones,
    and the excluded ones marked so (each keeps its row on the aktliste, "undtaget – <reason>")."""
    entries = (*request.included, *request.excluded)
    sha_of = {e.id: e.sha256 for e in entries}
    via = {e.id: e.added_via for e in entries}
    catalog = _catalog(archive_dir)
    try:

        def lookup(sha: str) -> StoredRecord | None:
            record = catalog.record(sha)
            return None if record is None else StoredRecord(sha, catalog.paths(sha), record, 0)

        hits = hits_from_ids([e.id for e in entries], lookup, sha_of.get)
        hits = with_links(hits, catalog.bilag_links(), catalog.printed_versions(), lookup)
    finally:
        catalog.close()
    hits = [dataclasses.replace(h, matched_by=via.get(h.key, h.matched_by)) for h in hits]
    return exclude(hits, {e.id: e.reason for e in request.excluded})


def _excluded_csv(request: Request, archive: Archive) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXCLUDED_COLUMNS)
    for e in request.excluded:
        try:
            title = archive.get(e.id).title
        except Exception:  # noqa: BLE001 - an item gone from the index keeps its row, without a title
            title = ""
        writer.writerow((e.id, title, e.reason, e.added_via))
    return buf.getvalue()


def _write(archive: Archive, request: Request, out: Path, *, redact: bool, copy_sources: bool) -> PackageSummary:
    hits = _hits(archive.directory, request)
    if not any(not h.excluded for h in hits):
        raise RequestError(f"the request {request.name!r} has no included items to list")
    try:
        summary = build_package(
            hits, out, searched=f"anmodning «{request.name}»", redact=redact, copy_sources=copy_sources
        )
    except AktindsigtError as e:
        raise RequestError(str(e)) from e
    (out / EXCLUDED_FILE).write_text(_excluded_csv(request, archive), encoding="utf-8")
    return summary


def package_zip(archive: Archive, request: Request, *, redact: bool = False) -> Package:
    """The package of ``arkiv aktindsigt`` for the request's included items, zipped under one folder."""
    with tempfile.TemporaryDirectory(prefix="aktindsigt-") as tmp:
        out = Path(tmp) / request.key
        summary = _write(archive, request, out, redact=redact, copy_sources=True)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{request.key}/{path.relative_to(out).as_posix()}")
        return Package(buf.getvalue(), summary)


def aktliste(archive: Archive, request: Request, fmt: str, *, redact: bool = False) -> bytes:
    """The request's aktliste as ``xlsx`` or ``csv`` (the package's own list, without copying sources)."""
    if fmt not in ("xlsx", "csv"):
        raise RequestError(f"unknown aktliste format {fmt!r}; use xlsx or csv")
    with tempfile.TemporaryDirectory(prefix="aktliste-") as tmp:
        out = Path(tmp) / "pakke"
        _write(archive, request, out, redact=redact, copy_sources=False)
        return (out / f"aktliste.{fmt}").read_bytes()
