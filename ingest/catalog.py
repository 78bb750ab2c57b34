"""The catalog: one SQLite database per archive, the source of truth for indexes.

Layout (``catalog.sqlite`` in the archive directory, WAL mode):

* ``contents``: one row per distinct file content (keyed by sha256) with the
  parse outcome (``status`` ok/partial/quarantined, ``error_code``/``error``),
  the parser version and the full record as JSON (``record_json``, the
  ``arkiv parse --json`` shape), so exports and re-indexing are exact.
  ``live`` is 1 while at least one present path holds the content.
* ``files``: one row per path (``/dir/a.pdf`` or ``/dir/b.zip!folder/c.pdf``),
  many paths to one content. A path gone from the source is marked
  ``removed`` (never deleted).
* ``meetings``, ``items``, ``sections``, ``case_numbers``, ``attachments``,
  ``people``, ``problems``: the record in normalized form, for live content
  only (rows of content that is no longer present anywhere are dropped; the
  record JSON stays in ``contents``).
* ``removed_contents``: a tombstone per content that stopped being live, with
  the generation in which that happened (what an index must delete).
* ``runs``: one row per ingest run that changed something.
* ``bilag_links`` (an item's listed bilag → the bilag file holding it) and
  ``printed_versions`` (a printed meeting → the ESDH export of the same meeting,
  which takes precedence): relations between contents that ``ingest.bilag_links``
  computes again after every import.
* ``file_catalog`` (a view): one row per path with format, pages, parser
  version, status and error, the usual starting point for a person.

Every write that concerns one file is all or nothing (one transaction, or part
of a group of them that commits together, ``Catalog.grouped``), so a killed
import never leaves a file half-written. ``generation()`` counts the finished runs that
changed something; each content row carries the generation of the run that
last changed it (``begin_run``/``finish_run``).

Read it with pandas::

    pandas.read_sql("select * from items", Catalog.open(path).connection)
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parsers.records import DocumentRecord, item_key
from parsers.serialize import record_from_json, record_to_json

__all__ = [
    "CATALOG_FILE",
    "SCHEMA_VERSION",
    "Catalog",
    "CatalogRows",
    "REQUIRED_TABLES",
    "CatalogError",
    "ContentState",
    "FileEntry",
    "FileState",
    "StoredAnalysis",
    "StoredRecord",
    "catalog_rows",
    "damaged_message",
    "has_index",
    "last_opened_catalog",
    "missing_tables",
]

CATALOG_FILE = "catalog.sqlite"

_SCHEMA_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE contents (
    sha256 TEXT NOT NULL PRIMARY KEY,
    size INTEGER NOT NULL,
    format TEXT NOT NULL,          -- pdf/docx; for quarantined content the file suffix ("txt", "" if none)
    pages INTEGER,                 -- NULL when the file could not be parsed
    parser_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'quarantined')),
    error_code TEXT,               -- quarantined only: corrupt, encrypted, unsupported, timeout, ...
    error TEXT,                    -- quarantined only: the reason in one line (without the path)
    kind TEXT,                     -- meeting/other; NULL when quarantined
    title TEXT,
    record_json TEXT,              -- NULL when quarantined
    parse_seconds REAL,
    parsed_at TEXT NOT NULL,
    generation INTEGER NOT NULL,
    live INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE files (
    path TEXT NOT NULL PRIMARY KEY,
    container TEXT,                -- the zip file of a zip member; NULL for a plain file
    member TEXT,                   -- the member name inside the zip; NULL for a plain file
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    crc32 INTEGER,                 -- zip members only
    sha256 TEXT,                   -- NULL only when the file could not be read at all
    status TEXT NOT NULL CHECK (status IN ('present', 'removed')),
    error_code TEXT,               -- set when the file could not be read (then sha256 is NULL)
    error TEXT,
    first_generation INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    removed_generation INTEGER
);
CREATE INDEX files_sha256 ON files (sha256);
CREATE TABLE meetings (
    sha256 TEXT NOT NULL,
    meeting_index INTEGER NOT NULL,
    body TEXT,
    document_type TEXT NOT NULL,
    date TEXT,
    year INTEGER,
    municipality TEXT,
    start_time TEXT,
    end_time TEXT,
    location TEXT,
    item_count INTEGER NOT NULL,
    PRIMARY KEY (sha256, meeting_index)
);
CREATE TABLE items (
    item_key TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    meeting_index INTEGER NOT NULL,
    item_index INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    closed INTEGER NOT NULL,
    category TEXT,
    decision_text TEXT,
    decision_body TEXT,
    decision_date TEXT,
    pages TEXT NOT NULL,           -- JSON list of page numbers
    text TEXT NOT NULL
);
CREATE INDEX items_sha256 ON items (sha256);
CREATE TABLE sections (
    item_key TEXT NOT NULL,
    section_index INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    heading TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (item_key, section_index)
);
CREATE INDEX sections_sha256 ON sections (sha256);
CREATE TABLE case_numbers (
    sha256 TEXT NOT NULL,
    meeting_index INTEGER NOT NULL,
    item_key TEXT,                 -- NULL: a case number of the document as a whole
    raw TEXT NOT NULL,
    normalized TEXT NOT NULL
);
CREATE INDEX case_numbers_sha256 ON case_numbers (sha256);
CREATE INDEX case_numbers_normalized ON case_numbers (normalized);
CREATE TABLE attachments (
    item_key TEXT NOT NULL,
    attachment_index INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (item_key, attachment_index)
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE TABLE people (
    sha256 TEXT NOT NULL,
    meeting_index INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('participant', 'absent')),
    name TEXT NOT NULL
);
CREATE INDEX people_sha256 ON people (sha256);
CREATE TABLE problems (
    sha256 TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    page INTEGER
);
CREATE INDEX problems_sha256 ON problems (sha256);
CREATE TABLE removed_contents (
    sha256 TEXT NOT NULL PRIMARY KEY,
    generation INTEGER NOT NULL
);
CREATE TABLE runs (
    generation INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT                   -- JSON counts of the run
);
INSERT INTO meta (key, value) VALUES ('generation', '0');
"""

# One row per path with its parse outcome, for people reading the catalog with pandas or sqlite3.
_FILE_CATALOG_VIEW = """
CREATE VIEW file_catalog AS
SELECT f.path, f.container AS zip_file, f.member AS zip_member, f.sha256, f.size, f.mtime,
       c.format, c.pages, c.parser_version,
       CASE WHEN f.status = 'removed' THEN 'removed'
            WHEN f.sha256 IS NULL THEN 'quarantined'
            ELSE c.status END AS status,
       coalesce(f.error_code, c.error_code) AS error_code,
       coalesce(f.error, c.error) AS error,
       c.kind, c.title, f.first_generation, f.generation, f.removed_generation
FROM files f LEFT JOIN contents c ON c.sha256 = f.sha256;
"""

# Derived relations between contents (``ingest.bilag_links`` computes them after every import).
_LINK_TABLES = """
CREATE TABLE bilag_links (
    item_key TEXT NOT NULL,
    attachment_index INTEGER NOT NULL,
    sha256 TEXT NOT NULL,          -- the meeting document listing the bilag
    bilag_sha256 TEXT NOT NULL,    -- the bilag file's content (a document of kind "other")
    bilag_path TEXT NOT NULL,      -- the path it was found at
    method TEXT NOT NULL,          -- file, document_number, file_name, title, number
    PRIMARY KEY (item_key, attachment_index)
);
CREATE INDEX bilag_links_bilag ON bilag_links (bilag_sha256);
CREATE TABLE printed_versions (
    sha256 TEXT NOT NULL,          -- a printed meeting document (PDF, DOCX, HTML)
    meeting_index INTEGER NOT NULL,
    export_sha256 TEXT NOT NULL,   -- the ESDH XML export of the same meeting, which takes precedence
    export_meeting_index INTEGER NOT NULL,
    PRIMARY KEY (sha256, meeting_index)
);
"""

# The index analysis of a parsed content, made by the worker that parsed it (``index.preanalysis``):
# the words it adds to the compound lexicon (read on their own first) and its analysed documents.
_ANALYSIS_TABLE = """
CREATE TABLE analysis (
    sha256 TEXT NOT NULL PRIMARY KEY,
    version TEXT NOT NULL,         -- index.preanalysis.PREANALYSIS_VERSION
    words TEXT NOT NULL,           -- space-separated, sorted
    docs BLOB NOT NULL             -- zlib-compressed JSON
);
"""

# Migration n takes the schema from version n - 1 to n. Append, never edit.
_MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _FILE_CATALOG_VIEW, _LINK_TABLES, _ANALYSIS_TABLE)
SCHEMA_VERSION = len(_MIGRATIONS)

_NORMALIZED_TABLES = ("meetings", "items", "sections", "case_numbers", "attachments", "people", "problems")
_HOLDS_NORMALIZED = "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {t} WHERE sha256 = ?)" for t in _NORMALIZED_TABLES)


class CatalogError(Exception):
    """The catalog cannot be opened or used (names the database file and the reason)."""


# The catalogs this process opened, latest last: names the file when SQLite fails outside this module.
_OPENED: list[Path] = []

_SQLITE_HEADER = b"SQLite format 3\x00"
# The tables every catalog has (the normalized record tables can be rebuilt from ``contents``).
REQUIRED_TABLES = ("meta", "contents", "files", "removed_contents", "runs", *_NORMALIZED_TABLES)


def damaged_message(db: Path, reason: str) -> str:
    """The one-line error for a catalog that cannot be read: the file, the reason, the fix."""
    return f"{db}: the catalog is damaged ({reason}); run `arkiv doctor --archive {db.parent}`"


def last_opened_catalog() -> Path | None:
    """The catalog file this process opened last (None: none yet)."""
    return _OPENED[-1] if _OPENED else None


def has_index(archive_dir: Path) -> bool:
    """The archive holds a built search index (``index/<engine>/state.json``)."""
    return any(Path(archive_dir).glob("index/*/state.json"))


def missing_tables(conn: sqlite3.Connection) -> list[str]:
    """The catalog tables this database lacks."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in REQUIRED_TABLES if t not in names]


def _refuse_lost_catalog(archive_dir: Path, db: Path) -> None:
    """Refuse a missing, zero-byte or non-SQLite catalog file where it cannot be an empty new archive."""
    try:
        size = db.stat().st_size
        with open(db, "rb") as f:
            head = f.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        size, head = -1, b""
    except OSError as e:
        raise CatalogError(f"{db}: cannot read the catalog ({e.strerror or e})") from e
    if size > 0 and head != _SQLITE_HEADER:
        raise CatalogError(damaged_message(db, "not an SQLite database"))
    if size <= 0 and has_index(archive_dir):
        state = "missing" if size < 0 else "empty (0 bytes)"
        raise CatalogError(
            f"{db}: the catalog is {state} but the archive has a search index, so this is not an empty archive; "
            f"run `arkiv doctor --archive {archive_dir}`"
        )


@dataclass(frozen=True)
class StoredAnalysis:
    """The index analysis of a content as the catalog keeps it (``index.preanalysis.RecordAnalysis``)."""

    version: str
    words: str  # the lexicon words it adds, space-separated
    docs: bytes  # RecordAnalysis.to_bytes()


Row = tuple[Any, ...]


@dataclass(frozen=True)
class CatalogRows:
    """A parsed record as the catalog stores it: the values of its ``contents`` row (the record JSON among
    them) and its rows of the normalized tables. Made by ``catalog_rows`` where the record is parsed (an
    ingest worker), so that the importing process, the catalog's one writer, only inserts them."""

    sha256: str
    format: str
    pages: int
    parser_version: str
    status: str
    kind: str
    title: str | None
    record_json: str
    meetings: list[Row]
    people: list[Row]
    items: list[Row]
    sections: list[Row]
    case_numbers: list[Row]
    attachments: list[Row]
    problems: list[Row]


def catalog_rows(record: DocumentRecord, record_json: str | None = None, sha256: str | None = None) -> CatalogRows:
    """The catalog's rows of a record (``record_json``: the record serialized already with
    ``record_to_json(record, indent=None)``; ``sha256``: the content's key, default the record's own)."""
    sha = sha256 if sha256 is not None else record.source.sha256
    meetings: list[Row] = []
    people: list[Row] = []
    cases: list[Row] = []
    items: list[Row] = []
    sections: list[Row] = []
    attachments: list[Row] = []
    for mi, meeting in enumerate(record.meetings):
        meetings.append(
            (
                sha,
                mi,
                meeting.body,
                meeting.document_type,
                meeting.date,
                _year(meeting.date),
                meeting.municipality,
                meeting.start_time,
                meeting.end_time,
                meeting.location,
                len(meeting.items),
            )
        )
        people += [(sha, mi, "participant", n) for n in meeting.participants]
        people += [(sha, mi, "absent", n) for n in meeting.absent]
        cases += [(sha, mi, None, c.raw, c.normalized) for c in meeting.case_numbers]
        for ii, item in enumerate(meeting.items):
            key = item_key(sha, mi, ii)
            decision = item.decision
            items.append(
                (
                    key,
                    sha,
                    mi,
                    ii,
                    item.number,
                    item.title,
                    int(item.closed),
                    item.category,
                    decision.text if decision else None,
                    decision.body if decision else None,
                    decision.date if decision else None,
                    json.dumps(list(item.pages)),
                    item.text,
                )
            )
            sections += [(key, si, sha, s.heading, s.text) for si, s in enumerate(item.sections)]
            cases += [(sha, mi, key, c.raw, c.normalized) for c in item.case_numbers]
            attachments += [(key, ai, sha, a.title) for ai, a in enumerate(item.attachments)]
    return CatalogRows(
        sha256=sha,
        format=record.source.format,
        pages=record.source.page_count,
        parser_version=record.source.parser_version,
        status=record.status,
        kind=record.kind,
        title=record.title,
        record_json=record_json if record_json is not None else record_to_json(record, indent=None),
        meetings=meetings,
        people=people,
        items=items,
        sections=sections,
        case_numbers=cases,
        attachments=attachments,
        problems=[(sha, p.code, p.message, p.page) for p in record.problems],
    )


_INSERT_NORMALIZED = (
    (
        "meetings",
        "INSERT INTO meetings (sha256, meeting_index, body, document_type, date, year, municipality, "
        "start_time, end_time, location, item_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    ("people", "INSERT INTO people (sha256, meeting_index, role, name) VALUES (?, ?, ?, ?)"),
    (
        "items",
        "INSERT INTO items (item_key, sha256, meeting_index, item_index, number, title, closed, category, "
        "decision_text, decision_body, decision_date, pages, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    ("sections", "INSERT INTO sections (item_key, section_index, sha256, heading, text) VALUES (?, ?, ?, ?, ?)"),
    (
        "case_numbers",
        "INSERT INTO case_numbers (sha256, meeting_index, item_key, raw, normalized) VALUES (?, ?, ?, ?, ?)",
    ),
    ("attachments", "INSERT INTO attachments (item_key, attachment_index, sha256, title) VALUES (?, ?, ?, ?)"),
    ("problems", "INSERT INTO problems (sha256, code, message, page) VALUES (?, ?, ?, ?)"),
)


@dataclass(frozen=True)
class StoredRecord:
    """A parsed content of the catalog: its hash, the present paths holding it, the record."""

    sha256: str
    paths: tuple[str, ...]
    record: DocumentRecord
    generation: int  # the generation in which this content or its paths last changed


@dataclass(frozen=True)
class FileEntry:
    """One path of a source as the catalog stores it."""

    path: str  # display path: "/dir/a.pdf" or "/dir/b.zip!folder/c.pdf"
    size: int
    mtime: float
    container: str | None = None  # zip file path for a zip member; None: a plain file
    member: str | None = None  # member name in the zip; None: a plain file
    crc32: int | None = None  # zip members only; None: a plain file


@dataclass(frozen=True)
class FileState:
    """What the catalog knows about one path."""

    path: str
    size: int
    mtime: float
    crc32: int | None
    sha256: str | None  # None: the file could not be read
    status: str  # present/removed
    error_code: str | None


@dataclass(frozen=True)
class ContentState:
    """What the catalog knows about one content."""

    sha256: str
    parser_version: str
    status: str  # ok/partial/quarantined
    live: bool
    error_code: str | None = None  # quarantined only


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date else None


_GROUP_CACHE_KB = 32 * 1024  # SQLite's page cache while writes are grouped (default: 2 MB)


_WAL_AUTOCHECKPOINT = 1000  # pages: SQLite's default
_CHECKPOINT_SECONDS = 0.2  # between the checkpointer's checkpoints


class _Checkpointer:
    """Copies the catalog's write-ahead log into the database from a thread and a connection of its own,
    every ``_CHECKPOINT_SECONDS``, while ``Catalog.grouped`` writes: the copy and its disk syncs then no
    longer hold up the writer (which would otherwise checkpoint inside a commit, every 1,000 pages). A
    PASSIVE checkpoint never blocks the writer, and SQLite starts the log from its beginning again once
    all of it is copied."""

    def __init__(self, db: Path) -> None:
        self._db = db
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="catalog-checkpoints")
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self._db, timeout=60.0, check_same_thread=False)
        except sqlite3.Error:
            return  # the writer's commits go on without checkpoints; the log is copied when it closes
        try:
            while not self._stopping.wait(_CHECKPOINT_SECONDS):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            return
        finally:
            conn.close()


@dataclass
class _Group:
    """The open transaction of ``Catalog.grouped``."""

    seconds: float
    max_writes: int
    began: float = 0.0
    writes: int = 0


class Catalog:
    """The catalog of one archive directory. Open with ``Catalog.open(archive_dir)``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._run_started = _now()
        self._changed = False
        self._group: _Group | None = None  # inside ``grouped``: the writes' shared transaction

    # -- opening ---------------------------------------------------------------

    @classmethod
    def open(cls, archive_dir: Path, *, verify: bool = False) -> Catalog:
        """Open the catalog in ``archive_dir``, creating the directory and database or migrating it.

        A missing or zero-byte catalog in an archive that has a search index is
        not an empty archive: it is refused (``CatalogError``), as is a file that
        is not an SQLite database or lacks the catalog's tables. ``verify`` also
        runs ``PRAGMA quick_check`` (what every writer does before it writes).
        """
        archive_dir = Path(archive_dir)
        db = archive_dir / CATALOG_FILE
        _refuse_lost_catalog(archive_dir, db)
        try:
            archive_dir.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(db, isolation_level=None, timeout=60.0)
        except (OSError, sqlite3.Error) as e:
            raise CatalogError(f"{db}: cannot open the catalog ({e})") from e
        _OPENED.append(db)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            catalog = cls(conn, db)
            catalog._migrate()
            catalog._require_tables()
            if verify:
                catalog.verify()
        except sqlite3.DatabaseError as e:
            conn.close()
            raise CatalogError(damaged_message(db, str(e))) from e
        except CatalogError:
            conn.close()
            raise
        return catalog

    def _require_tables(self) -> None:
        missing = missing_tables(self._conn)
        if missing:
            raise CatalogError(damaged_message(self.path, f"tables missing: {', '.join(missing)}"))

    def integrity_problems(self, *, full: bool = False, limit: int = 20) -> list[str]:
        """What ``PRAGMA quick_check`` (``full``: ``integrity_check``) finds; empty when the file is sound."""
        pragma = "integrity_check" if full else "quick_check"
        try:
            rows = [str(r[0]) for r in self._conn.execute(f"PRAGMA {pragma}({int(limit)})")]
        except sqlite3.DatabaseError as e:
            return [str(e)]
        return [] if rows == ["ok"] else rows

    def verify(self) -> None:
        """Raise ``CatalogError`` unless the catalog passes ``PRAGMA quick_check`` (before any destructive step)."""
        problems = self.integrity_problems()
        if problems:
            raise CatalogError(damaged_message(self.path, problems[0]))

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CatalogError(
                f"{self.path}: catalog schema version {version} is newer than this program ({SCHEMA_VERSION}); "
                "upgrade moedearkiv"
            )
        while version < SCHEMA_VERSION:
            with self.transaction():
                # Read again under the write lock: another process may have migrated meanwhile.
                version = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    break
                for statement in _split_sql(_MIGRATIONS[version]):
                    self._conn.execute(statement)
                version += 1
                self._conn.execute(f"PRAGMA user_version = {version}")

    def mark_changed(self) -> None:
        """The current run changed the catalog (``finish_run`` then records it as a new generation)."""
        self._changed = True

    def bilag_links(self) -> list[tuple[str, int, str, str, str, str]]:
        """Every bilag link: (item_key, attachment_index, meeting sha256, bilag sha256, bilag path, method)."""
        with self._reading():
            return [
                (r[0], int(r[1]), r[2], r[3], r[4], r[5])
                for r in self._conn.execute(
                    "SELECT item_key, attachment_index, sha256, bilag_sha256, bilag_path, method FROM bilag_links "
                    "ORDER BY item_key, attachment_index"
                )
            ]

    def printed_versions(self) -> list[tuple[str, int, str, int]]:
        """Printed meetings an export takes precedence over: (sha256, meeting_index, export sha256, export index)."""
        with self._reading():
            return [
                (r[0], int(r[1]), r[2], int(r[3]))
                for r in self._conn.execute(
                    "SELECT sha256, meeting_index, export_sha256, export_meeting_index FROM printed_versions "
                    "ORDER BY sha256, meeting_index"
                )
            ]

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection (for ``pandas.read_sql``)."""
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any error).

        Inside ``grouped`` the write joins the group's transaction instead, which commits when the
        group is full; an error rolls back the whole group (as if the process had been killed)."""
        with self._reading():
            if self._group is not None:
                yield from self._group_write(self._group)
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _group_write(self, group: _Group) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
            group.began, group.writes = time.monotonic(), 0
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        group.writes += 1
        if group.writes >= group.max_writes or time.monotonic() - group.began >= group.seconds:
            conn.execute("COMMIT")

    def commit_group(self) -> None:
        """Commit the writes of the open group now (see ``grouped``)."""
        if self._group is not None and self._conn.in_transaction:
            with self._reading():
                self._conn.execute("COMMIT")

    @contextmanager
    def grouped(self, seconds: float, max_writes: int) -> Iterator[None]:
        """Commit the writes made inside in groups, after ``max_writes`` writes or ``seconds``, whichever
        comes first (and at ``commit_group``), instead of one commit per write.

        A commit writes every page the transaction touched, and each content's rows touch a page of
        every index of the normalized tables: grouped, those pages are written once per group, which
        halves what an import writes. Each write stays all or nothing: an error in one rolls back the
        group, as a kill would. A process killed inside loses the writes since the last commit, which
        an import then parses again on its next run. Everything written is committed when the block
        ends, also when it ends with an error between writes.
        """
        if self._group is not None:
            yield
            return
        self._group = _Group(seconds, max_writes)
        cache = self._conn.execute("PRAGMA cache_size").fetchone()[0]
        self._conn.execute(f"PRAGMA cache_size = {-_GROUP_CACHE_KB}")  # a group's pages stay in memory
        checkpoints = _Checkpointer(self.path)
        self._conn.execute("PRAGMA wal_autocheckpoint = 0")  # the checkpointer's job meanwhile
        try:
            yield
        finally:
            self._group = None
            checkpoints.stop()
            with self._reading():
                if self._conn.in_transaction:
                    self._conn.execute("COMMIT")
                self._conn.execute(f"PRAGMA cache_size = {int(cache)}")
                self._conn.execute(f"PRAGMA wal_autocheckpoint = {_WAL_AUTOCHECKPOINT}")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn damage SQLite finds mid-command (a malformed page) into a one-line ``CatalogError``."""
        try:
            yield
        except sqlite3.DatabaseError as e:
            if type(e) is not sqlite3.DatabaseError:  # IntegrityError, OperationalError...: not damage
                raise
            raise CatalogError(damaged_message(self.path, str(e))) from e

    # -- read API --------------------------------------------------------------

    def generation(self) -> int:
        """The number of finished ingest runs that changed something."""
        with self._reading():
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        if row is None:
            raise CatalogError(damaged_message(self.path, "the generation is missing from table meta"))
        return int(row[0])

    def present_paths(self) -> dict[str, list[str]]:
        """Every content's present paths, sorted."""
        paths: dict[str, list[str]] = {}
        with self._reading():
            for sha, path in self._conn.execute(
                "SELECT sha256, path FROM files WHERE status = 'present' AND sha256 IS NOT NULL ORDER BY path"
            ):
                paths.setdefault(sha, []).append(path)
        return paths

    def iter_records(self, since_generation: int | None = None) -> Iterator[StoredRecord]:
        """Parsed (ok or partial) content present at some path, changed after ``since_generation``."""
        paths = self.present_paths()
        since = -1 if since_generation is None else since_generation
        with self._reading():
            cursor = self._conn.execute(
                "SELECT sha256, record_json, generation FROM contents "
                "WHERE live = 1 AND status IN ('ok', 'partial') AND generation > ? ORDER BY sha256",
                (since,),
            )
            for sha, record_json, generation in cursor:
                held = tuple(paths.get(sha, ()))
                if not held:
                    continue
                yield StoredRecord(sha, held, _with_path(record_from_json(record_json), held), int(generation))

    def live_contents(self, since_generation: int | None = None) -> list[tuple[str, tuple[str, ...], int]]:
        """(sha256, present paths, generation) of the parsed contents ``iter_records`` yields, by sha256."""
        paths = self.present_paths()
        since = -1 if since_generation is None else since_generation
        with self._reading():
            rows = self._conn.execute(
                "SELECT sha256, generation FROM contents "
                "WHERE live = 1 AND status IN ('ok', 'partial') AND generation > ? ORDER BY sha256",
                (since,),
            ).fetchall()
        return [(sha, tuple(paths[sha]), int(gen)) for sha, gen in rows if paths.get(sha)]

    def analysis_words(self, version: str) -> dict[str, str]:
        """sha256 → the stored lexicon words (space-separated) of every analysis of this version."""
        with self._reading():
            rows = self._conn.execute("SELECT sha256, words FROM analysis WHERE version = ?", (version,))
            return {sha: words for sha, words in rows}

    def analyses(self, sha256s: Sequence[str], version: str) -> Iterator[tuple[str, StoredAnalysis | None]]:
        """(sha256, its stored analysis of this version or None), in the order of ``sha256s``."""
        with self._reading():
            for sha in sha256s:
                row = self._conn.execute(
                    "SELECT words, docs FROM analysis WHERE sha256 = ? AND version = ?", (sha, version)
                ).fetchone()
                yield sha, None if row is None else StoredAnalysis(version, row[0], row[1])

    def store_analyses(self, analyses: Sequence[tuple[str, StoredAnalysis]]) -> None:
        """Keep index analyses made after the parse (of records stored without one), in one transaction."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO analysis (sha256, version, words, docs) "
                "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM contents WHERE sha256 = ? AND record_json IS NOT NULL)",
                [(sha, a.version, a.words, a.docs, sha) for sha, a in analyses],
            )

    def removed_sha256s(self, since_generation: int | None = None) -> list[str]:
        """Contents no longer present at any path (removed or replaced), after ``since_generation``."""
        since = -1 if since_generation is None else since_generation
        with self._reading():
            rows = self._conn.execute(
                "SELECT r.sha256 FROM removed_contents r JOIN contents c ON c.sha256 = r.sha256 "
                "WHERE c.live = 0 AND r.generation > ? ORDER BY r.sha256",
                (since,),
            )
            return [row[0] for row in rows]

    def record(self, sha256: str) -> DocumentRecord | None:
        """The stored record of one content, or None (unknown or quarantined)."""
        with self._reading():
            row = self._conn.execute(
                "SELECT record_json FROM contents WHERE sha256 = ? AND record_json IS NOT NULL", (sha256,)
            ).fetchone()
        if row is None:
            return None
        return _with_path(record_from_json(row[0]), self.paths(sha256))

    def quarantine_reason(self, sha256: str) -> tuple[str, str] | None:
        """(code, reason) when this content is quarantined, else None."""
        with self._reading():
            row = self._conn.execute(
                "SELECT error_code, error FROM contents WHERE sha256 = ? AND status = 'quarantined'", (sha256,)
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def paths(self, sha256: str) -> tuple[str, ...]:
        """The present paths that hold this content, sorted."""
        with self._reading():
            rows = self._conn.execute(
                "SELECT path FROM files WHERE sha256 = ? AND status = 'present' ORDER BY path", (sha256,)
            )
            return tuple(row[0] for row in rows)

    # -- state for the importer ------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        """Every path the catalog knows, present or removed."""
        with self._reading():
            rows = self._conn.execute("SELECT path, size, mtime, crc32, sha256, status, error_code FROM files")
            return {r[0]: FileState(*r) for r in rows}

    def content_states(self) -> dict[str, ContentState]:
        with self._reading():
            rows = self._conn.execute("SELECT sha256, parser_version, status, live, error_code FROM contents")
            return {r[0]: ContentState(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows}

    # -- write API (each call is one transaction) ------------------------------

    def store_record(
        self,
        record: DocumentRecord,
        files: Sequence[FileEntry],
        generation: int,
        *,
        size: int,
        parse_seconds: float | None = None,
        analysis: StoredAnalysis | None = None,
        record_json: str | None = None,
    ) -> None:
        """Store a parsed record (replacing any older record of the same content) and the paths holding it,
        with its index analysis when given (else any older analysis of the content is dropped).
        ``record_json``: the record serialized already (``record_to_json(record, indent=None)``)."""
        rows = catalog_rows(record, record_json)
        self.store_rows(rows, files, generation, size=size, parse_seconds=parse_seconds, analysis=analysis)

    def store_rows(
        self,
        rows: CatalogRows,
        files: Sequence[FileEntry],
        generation: int,
        *,
        size: int,
        parse_seconds: float | None = None,
        analysis: StoredAnalysis | None = None,
    ) -> None:
        """``store_record`` of a record given as its catalog rows (``catalog_rows``)."""
        sha = rows.sha256
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO contents (sha256, size, format, pages, parser_version, status, error_code, "
                "error, kind, title, record_json, parse_seconds, parsed_at, generation, live) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, 1)",
                (
                    sha,
                    size,
                    rows.format,
                    rows.pages,
                    rows.parser_version,
                    rows.status,
                    rows.kind,
                    rows.title,
                    rows.record_json,
                    parse_seconds,
                    _now(),
                    generation,
                ),
            )
            conn.execute("DELETE FROM removed_contents WHERE sha256 = ?", (sha,))
            if analysis is None:
                conn.execute("DELETE FROM analysis WHERE sha256 = ?", (sha,))
            else:
                conn.execute(
                    "INSERT OR REPLACE INTO analysis (sha256, version, words, docs) VALUES (?, ?, ?, ?)",
                    (sha, analysis.version, analysis.words, analysis.docs),
                )
            self._materialize(rows)
            self._put_paths(sha, files, generation)
        self._changed = True

    def store_quarantined(
        self,
        sha256: str,
        files: Sequence[FileEntry],
        generation: int,
        *,
        size: int,
        format: str,
        parser_version: str,
        code: str,
        error: str,
        parse_seconds: float | None = None,
    ) -> None:
        """Record a content that could not be parsed, with its reason, and the paths holding it."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO contents (sha256, size, format, pages, parser_version, status, error_code, "
                "error, kind, title, record_json, parse_seconds, parsed_at, generation, live) "
                "VALUES (?, ?, ?, NULL, ?, 'quarantined', ?, ?, NULL, NULL, NULL, ?, ?, ?, 1)",
                (sha256, size, format, parser_version, code, error, parse_seconds, _now(), generation),
            )
            conn.execute("DELETE FROM removed_contents WHERE sha256 = ?", (sha256,))
            conn.execute("DELETE FROM analysis WHERE sha256 = ?", (sha256,))
            self._delete_normalized(sha256)
            self._put_paths(sha256, files, generation)
        self._changed = True

    def attach_paths(self, sha256: str, files: Sequence[FileEntry], generation: int) -> None:
        """Point paths at a content that is already stored (a duplicate, a moved or restored file)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT live, record_json FROM contents WHERE sha256 = ?", (sha256,)).fetchone()
            if row is None:
                raise CatalogError(f"{self.path}: no stored content {sha256}")
            live, record_json = row
            if not live:
                conn.execute("UPDATE contents SET live = 1 WHERE sha256 = ?", (sha256,))
                conn.execute("DELETE FROM removed_contents WHERE sha256 = ?", (sha256,))
                if record_json is not None:
                    self._materialize(catalog_rows(record_from_json(record_json), record_json, sha256))
            conn.execute("UPDATE contents SET generation = ? WHERE sha256 = ?", (generation, sha256))
            self._put_paths(sha256, files, generation)
        self._changed = True

    def store_unreadable(self, file: FileEntry, generation: int, *, code: str, error: str) -> None:
        """Record a path whose bytes could not be read at all (no content hash)."""
        with self.transaction():
            self._put_file(file, None, generation, code, error)
        self._changed = True

    def touch_files(self, files: Iterable[FileEntry]) -> None:
        """Update size/mtime of paths whose content did not change (no new generation)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE files SET size = ?, mtime = ?, crc32 = ? WHERE path = ?",
                [(f.size, f.mtime, f.crc32, f.path) for f in files],
            )

    def mark_removed(self, paths: Iterable[str], generation: int) -> int:
        """Mark paths as removed from the source (kept in the catalog). Returns how many changed."""
        changed = 0
        with self.transaction() as conn:
            for path in paths:
                row = conn.execute("SELECT sha256 FROM files WHERE path = ? AND status = 'present'", (path,)).fetchone()
                if row is None:
                    continue
                conn.execute(
                    "UPDATE files SET status = 'removed', removed_generation = ?, generation = ? WHERE path = ?",
                    (generation, generation, path),
                )
                if row[0] is not None:
                    self._release(row[0], generation)
                changed += 1
        if changed:
            self._changed = True
        return changed

    def begin_run(self) -> int:
        """Start an ingest run; returns the generation its writes carry.

        ``generation()`` moves to it only when the run finishes (``finish_run``), so
        an index that syncs while an import runs never skips what the import
        writes after that moment. A run after an interrupted one reuses the
        interrupted run's generation and finishes it.
        """
        self._run_started = _now()
        written = self._conn.execute(
            "SELECT max(g) FROM (SELECT max(generation) AS g FROM contents UNION ALL "
            "SELECT max(generation) FROM files UNION ALL SELECT max(generation) FROM removed_contents)"
        ).fetchone()[0]
        current = self.generation()
        if written is not None and written > current:
            self._changed = True
            return int(written)
        self._changed = False
        return current + 1

    def finish_run(self, generation: int, summary: dict[str, int]) -> None:
        """End the run: if it changed the catalog, make its generation current and record its counts."""
        if not self._changed:
            return
        with self.transaction() as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
            conn.execute(
                "INSERT OR REPLACE INTO runs (generation, started_at, finished_at, summary) VALUES (?, ?, ?, ?)",
                (generation, self._run_started, _now(), json.dumps(summary, sort_keys=True)),
            )
        self._changed = False

    def rebuild_normalized(self) -> int:
        """Write the normalized rows of every live parsed content again from its record JSON; returns how many.

        Also sets ``live`` from the present paths (what ``arkiv doctor --repair``
        needs after salvaging ``contents`` and ``files`` from a damaged catalog).
        """
        with self.transaction() as conn:
            conn.execute(
                "UPDATE contents SET live = EXISTS (SELECT 1 FROM files f "
                "WHERE f.sha256 = contents.sha256 AND f.status = 'present')"
            )
            for table in _NORMALIZED_TABLES:
                conn.execute(f"DELETE FROM {table}")
            rows = conn.execute(
                "SELECT sha256, record_json FROM contents WHERE live = 1 AND record_json IS NOT NULL ORDER BY sha256"
            ).fetchall()
            for sha, record_json in rows:
                self._materialize(catalog_rows(record_from_json(record_json), record_json, sha))
        return len(rows)

    # -- internals -------------------------------------------------------------

    def _put_paths(self, sha256: str, files: Sequence[FileEntry], generation: int) -> None:
        for file in files:
            self._put_file(file, sha256, generation, None, None)

    def _put_file(
        self, file: FileEntry, sha256: str | None, generation: int, code: str | None, error: str | None
    ) -> None:
        conn = self._conn
        old = conn.execute("SELECT sha256, status FROM files WHERE path = ?", (file.path,)).fetchone()
        conn.execute(
            "INSERT INTO files (path, container, member, size, mtime, crc32, sha256, status, error_code, error, "
            "first_generation, generation, removed_generation) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'present', ?, ?, ?, ?, NULL) "
            "ON CONFLICT (path) DO UPDATE SET container = excluded.container, member = excluded.member, "
            "size = excluded.size, mtime = excluded.mtime, crc32 = excluded.crc32, sha256 = excluded.sha256, "
            "status = 'present', error_code = excluded.error_code, error = excluded.error, "
            "generation = excluded.generation, removed_generation = NULL",
            (
                file.path,
                file.container,
                file.member,
                file.size,
                file.mtime,
                file.crc32,
                sha256,
                code,
                error,
                generation,
                generation,
            ),
        )
        if old is not None and old[0] is not None and old[0] != sha256 and old[1] == "present":
            self._release(old[0], generation)

    def _release(self, sha256: str, generation: int) -> None:
        """Drop a content's normalized rows and leave a tombstone when no present path holds it any more."""
        conn = self._conn
        held = conn.execute("SELECT 1 FROM files WHERE sha256 = ? AND status = 'present' LIMIT 1", (sha256,)).fetchone()
        if held is not None:
            conn.execute("UPDATE contents SET generation = ? WHERE sha256 = ?", (generation, sha256))
            return
        conn.execute("UPDATE contents SET live = 0, generation = ? WHERE sha256 = ?", (generation, sha256))
        conn.execute("INSERT OR REPLACE INTO removed_contents (sha256, generation) VALUES (?, ?)", (sha256, generation))
        self._delete_normalized(sha256)

    def _delete_normalized(self, sha256: str) -> None:
        # one indexed look-up across the tables; a content seen for the first time (most of them) has no rows
        if not self._conn.execute(_HOLDS_NORMALIZED, (sha256,) * len(_NORMALIZED_TABLES)).fetchone()[0]:
            return
        for table in _NORMALIZED_TABLES:
            self._conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha256,))

    def _materialize(self, rows: CatalogRows) -> None:
        """The record's rows in the normalized tables (replacing any of the content's), one statement per table."""
        self._delete_normalized(rows.sha256)
        for table, sql in _INSERT_NORMALIZED:
            values = getattr(rows, table)
            if values:
                self._conn.executemany(sql, values)


def _with_path(record: DocumentRecord, paths: Sequence[str]) -> DocumentRecord:
    """The record with ``source.path`` set to a path that still holds it (the first, sorted)."""
    if not paths or record.source.path in paths:
        return record
    return dataclasses.replace(record, source=dataclasses.replace(record.source, path=paths[0]))


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (comments dropped; no ';' inside string literals)."""
    without_comments = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [s.strip() for s in without_comments.split(";") if s.strip()]
