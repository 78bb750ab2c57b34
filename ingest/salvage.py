"""Salvaging a damaged catalog: move it aside, copy every readable row into a fresh one.

What is copied: ``meta`` (the generation), ``contents`` (each content's outcome
and its record JSON), ``files`` (the paths), ``removed_contents`` and ``runs``.
The normalized tables (meetings, items, ...) are written again from the record
JSON, so damage there loses nothing. Rows are read in rowid order; when SQLite
hits a damaged page, the reader finds the next rowid it can reach (doubling
steps, then bisecting) and goes on, so one bad page costs only the rows on it.

A path whose content row (or record JSON) was lost keeps its ``files`` row
pointing at a content the catalog does not hold: the next ``arkiv ingest`` of
its source parses it again. A path whose ``files`` row was lost is new to the
next ingest, which parses it (or links it to a salvaged content). The damaged
file is never deleted: it stays beside the new one as
``catalog.sqlite.damaged-<timestamp>`` (with its ``-wal``/``-shm`` files).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.bilag_links import LINKS_META_KEY, update_links
from ingest.catalog import CATALOG_FILE, Catalog
from parsers.serialize import record_from_json

__all__ = ["REPAIR_DIR", "SALVAGED_TABLES", "SalvageReport", "move_aside", "salvage_catalog", "summary_line"]

_MAX_ROWID = 2**63 - 1
REPAIR_DIR = "doctor-tmp"  # the fresh catalog is built here, then renamed into place

# table → the columns copied (in the order of the current schema)
SALVAGED_TABLES: dict[str, tuple[str, ...]] = {
    "meta": ("key", "value"),
    "contents": (
        "sha256",
        "size",
        "format",
        "pages",
        "parser_version",
        "status",
        "error_code",
        "error",
        "kind",
        "title",
        "record_json",
        "parse_seconds",
        "parsed_at",
        "generation",
        "live",
    ),
    "files": (
        "path",
        "container",
        "member",
        "size",
        "mtime",
        "crc32",
        "sha256",
        "status",
        "error_code",
        "error",
        "first_generation",
        "generation",
        "removed_generation",
    ),
    "removed_contents": ("sha256", "generation"),
    "runs": ("generation", "started_at", "finished_at", "summary"),
}


@dataclass
class SalvageReport:
    damaged_copy: Path  # where the damaged catalog now is
    rows: dict[str, int] = field(default_factory=dict)  # table → rows copied
    unreadable_spans: int = 0  # stretches of rows SQLite could not read
    records_lost: int = 0  # content rows dropped because their record JSON could not be read
    reparse: int = 0  # present paths whose content is gone: the next ingest parses them again
    records: int = 0  # parsed contents live in the new catalog
    roots: list[str] = field(default_factory=list)  # the source folders the salvaged paths live under


def move_aside(db: Path) -> Path:
    """Rename the catalog (and its -wal/-shm files) to ``catalog.sqlite.damaged-<timestamp>``; never deletes."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    aside = db.with_name(f"{db.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = db.with_name(f"{db.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        companion = db.with_name(db.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    if db.exists():
        db.rename(aside)
    return aside


def salvage_catalog(archive: Path) -> SalvageReport:
    """Replace the archive's catalog by a fresh one holding every row that can still be read.

    The caller holds the archive lock. The damaged file is moved aside first.
    """
    db = archive / CATALOG_FILE
    aside = move_aside(db)
    report = SalvageReport(damaged_copy=aside)
    work = archive / REPAIR_DIR
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        source = _readable_copy(aside, work / "damaged.sqlite")
        fresh = Catalog.open(work)
        try:
            if source is not None:
                try:
                    _copy_rows(source, fresh.connection, report)
                finally:
                    source.close()
            _settle(fresh, report)
            fresh.connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            fresh.close()
        os.replace(work / CATALOG_FILE, db)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _readable_copy(aside: Path, copy: Path) -> sqlite3.Connection | None:
    """A connection to a copy of the damaged catalog (the copy replays its WAL; the original stays as it is)."""
    if not aside.exists() or aside.stat().st_size == 0:
        return None
    shutil.copyfile(aside, copy)
    wal = aside.with_name(aside.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    try:
        return sqlite3.connect(copy, isolation_level=None)
    except sqlite3.Error:
        return None


def _copy_rows(source: sqlite3.Connection, target: sqlite3.Connection, report: SalvageReport) -> None:
    target.execute("BEGIN IMMEDIATE")
    try:
        target.execute("DELETE FROM meta")
        for table, columns in SALVAGED_TABLES.items():
            count = 0
            insert = f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for row in _rows(source, table, columns, report):
                if table == "contents" and not _record_readable(row):
                    report.records_lost += 1
                    continue
                target.execute(insert, row)
                count += 1
            report.rows[table] = count
        target.execute("COMMIT")
    except BaseException:
        target.execute("ROLLBACK")
        raise


def _record_readable(row: Sequence[object]) -> bool:
    """A parsed content row is kept only with a record JSON that reads back (quarantined rows have none)."""
    status, record_json = row[5], row[10]
    if status == "quarantined":
        return True
    if not isinstance(record_json, str):
        return False
    try:
        record_from_json(record_json)
    except (ValueError, KeyError, TypeError):
        return False
    return True


def _settle(fresh: Catalog, report: SalvageReport) -> None:
    """Generation, live flags, normalized rows and the counts of the fresh catalog."""
    conn = fresh.connection
    written = conn.execute(
        "SELECT max(g) FROM (SELECT max(generation) AS g FROM contents UNION ALL SELECT max(generation) FROM files "
        "UNION ALL SELECT max(generation) FROM removed_contents UNION ALL SELECT max(generation) FROM runs "
        "UNION ALL SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation')"
    ).fetchone()[0]
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)", (str(int(written or 0)),))
    report.records = fresh.rebuild_normalized()
    # bilag links and printed versions are derived: computed again from everything salvaged
    conn.execute("DELETE FROM meta WHERE key = ?", (LINKS_META_KEY,))
    update_links(fresh, int(written or 0))
    report.reparse = conn.execute(
        "SELECT count(*) FROM files f WHERE f.status = 'present' AND f.sha256 IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM contents c WHERE c.sha256 = f.sha256)"
    ).fetchone()[0]
    paths = [row[0] for row in conn.execute("SELECT coalesce(container, path) FROM files WHERE status = 'present'")]
    report.roots = _roots(paths)


def _roots(paths: Sequence[str]) -> list[str]:
    """The one folder all these files live under (none when they share no folder but /)."""
    parents = [os.path.dirname(p) for p in paths if os.path.isabs(p)]
    if not parents:
        return []
    common = os.path.commonpath(parents)
    return [common] if common != os.sep else sorted(set(parents))[:5]


def _rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], report: SalvageReport
) -> Iterator[tuple[object, ...]]:
    """Every readable row of ``table`` in rowid order, skipping what lies on damaged pages."""
    if not _has_table(conn, table):
        return
    select = f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid >= ? ORDER BY rowid"
    start: int | None = -_MAX_ROWID
    while start is not None:
        last: int | None = None
        try:
            for row in conn.execute(select, (start,)):
                last = int(row[0])
                yield tuple(row[1:])
            return
        except sqlite3.DatabaseError:
            report.unreadable_spans += 1
            after = (last if last is not None else start) + 1
            start = None if after > _MAX_ROWID else _next_reachable(conn, table, after)


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
    except sqlite3.DatabaseError:
        return False


def _probe(conn: sqlite3.Connection, table: str, at: int) -> tuple[bool, int | None]:
    """(reachable, the first rowid ≥ ``at``): False when SQLite cannot get there."""
    try:
        row = conn.execute(f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (at,)).fetchone()
    except sqlite3.DatabaseError:
        return False, None
    return True, None if row is None else int(row[0])


def _next_reachable(conn: sqlite3.Connection, table: str, at: int) -> int | None:
    """The first rowid ≥ ``at`` that SQLite can reach (None: nothing readable is left)."""
    ok, rowid = _probe(conn, table, at)
    if ok:
        return rowid
    bad, step = at, 1
    while True:
        good = bad + step
        if good > _MAX_ROWID:
            return None
        ok, rowid = _probe(conn, table, good)
        if ok:
            break
        bad, step = good, step * 2
    while good - bad > 1:
        mid = (bad + good) // 2
        ok, found = _probe(conn, table, mid)
        if ok:
            good, rowid = mid, found
        else:
            bad = mid
    return rowid


def summary_line(report: SalvageReport) -> str:
    """The salvage in one line for the user."""
    copied = ", ".join(f"{n} {table}" for table, n in report.rows.items() if table != "meta") or "nothing"
    return (
        f"salvaged {copied} rows; {report.records} parsed records kept, {report.records_lost} records lost, "
        f"{report.unreadable_spans} unreadable stretches skipped; the damaged catalog is kept as {report.damaged_copy}"
    )
