"""The catalog's schema, write API and read API, with records built by hand."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from ingest import archive_dir
from ingest.catalog import SCHEMA_VERSION, Catalog, CatalogError, FileEntry
from parsers.records import (
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Problem,
    Section,
    Source,
    item_key,
)
from parsers.serialize import record_to_dict


def _sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _meeting_record(sha: str, path: str, *, title: str = "Budget 2024", version: str = "1") -> DocumentRecord:
    item = Item(
        number=3,
        title=title,
        case_numbers=(CaseNumber(raw="20/057417-5", normalized="20/057417"),),
        sections=(Section(heading="Baggrund", text="Økonomiudvalget behandler budgettet."),),
        decision=Decision(text="Godkendt.", body="Byrådet", date="2023-09-11"),
        attachments=(Attachment(title="Bilag 1: Budgetnotat"),),
        pages=(1, 2),
    )
    meeting = Meeting(
        body="Byrådet",
        document_type="referat",
        date="2023-09-11",
        items=(item, Item(number=4, title="Lukket punkt", closed=True)),
        municipality="Aarhus Kommune",
        participants=("Anne Jensen", "Bo Ørsted"),
        absent=("Carl Åberg",),
        case_numbers=(CaseNumber(raw="23/1000", normalized="23/1000"),),
    )
    return DocumentRecord(
        source=Source(path=path, sha256=sha, format="pdf", page_count=2, parser_version=version),
        kind="meeting",
        meetings=(meeting,),
        title="Referat Byrådet",
        problems=(Problem(code="W001", message="page footer repeated", page=2),),
    )


def _other_record(sha: str, path: str) -> DocumentRecord:
    return DocumentRecord(
        source=Source(path=path, sha256=sha, format="docx", page_count=1, parser_version="1"),
        kind="other",
        title="Jobprofil",
        text="Jobprofil for en sagsbehandler.",
    )


def _file(path: str, size: int = 100, mtime: float = 1.0) -> FileEntry:
    return FileEntry(path=path, size=size, mtime=mtime)


@pytest.fixture
def catalog(tmp_path: Path):
    cat = Catalog.open(tmp_path / "arkiv")
    yield cat
    cat.close()


def test_open_creates_the_database_with_the_current_schema(tmp_path: Path):
    cat = Catalog.open(tmp_path / "new" / "arkiv")
    assert (tmp_path / "new" / "arkiv" / "catalog.sqlite").exists()
    assert cat.schema_version() == SCHEMA_VERSION
    assert cat.generation() == 0
    assert list(cat.iter_records()) == []
    cat.close()
    # Reopening does not migrate again or lose anything.
    again = Catalog.open(tmp_path / "new" / "arkiv")
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


def test_wal_mode(catalog: Catalog):
    assert catalog.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schema_is_refused(tmp_path: Path):
    Catalog.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(CatalogError, match="newer than this program"):
        Catalog.open(tmp_path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path):
    (tmp_path / "catalog.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match="catalog.sqlite"):
        Catalog.open(tmp_path)


def test_store_and_read_back_exactly(catalog: Catalog):
    record = _meeting_record(_sha(1), "/a/referat.pdf")
    catalog.store_record(record, [_file("/a/referat.pdf")], 1, size=100)
    assert catalog.record(_sha(1)) == record
    assert catalog.paths(_sha(1)) == ("/a/referat.pdf",)
    stored = list(catalog.iter_records())
    assert len(stored) == 1
    assert stored[0].sha256 == _sha(1)
    assert stored[0].record == record
    assert stored[0].generation == 1


def test_normalized_tables_are_readable_with_pandas(catalog: Catalog):
    sha = _sha(1)
    catalog.store_record(_meeting_record(sha, "/a/referat.pdf"), [_file("/a/referat.pdf")], 1, size=100)
    items = pd.read_sql("SELECT * FROM items ORDER BY item_index", catalog.connection)
    assert list(items["item_key"]) == [item_key(sha, 0, 0), item_key(sha, 0, 1)]
    assert list(items["title"]) == ["Budget 2024", "Lukket punkt"]
    assert items.loc[0, "decision_text"] == "Godkendt."
    assert items.loc[1, "closed"] == 1
    meetings = pd.read_sql("SELECT * FROM meetings", catalog.connection)
    assert meetings.loc[0, "body"] == "Byrådet" and meetings.loc[0, "year"] == 2023
    cases = pd.read_sql("SELECT * FROM case_numbers ORDER BY raw", catalog.connection)
    assert list(cases["normalized"]) == ["20/057417", "23/1000"]
    assert pd.isna(cases.loc[1, "item_key"])  # the document's own case number
    people = pd.read_sql("SELECT role, name FROM people ORDER BY name", catalog.connection)
    expected = [["participant", "Anne Jensen"], ["participant", "Bo Ørsted"], ["absent", "Carl Åberg"]]
    assert people.values.tolist() == expected
    sections = pd.read_sql("SELECT heading, text FROM sections", catalog.connection)
    assert sections.values.tolist() == [["Baggrund", "Økonomiudvalget behandler budgettet."]]
    attachments = pd.read_sql("SELECT title FROM attachments", catalog.connection)
    assert attachments["title"].tolist() == ["Bilag 1: Budgetnotat"]
    files = pd.read_sql("SELECT path, sha256, status FROM files", catalog.connection)
    assert files.values.tolist() == [["/a/referat.pdf", sha, "present"]]


def test_same_content_at_two_paths_is_stored_once(catalog: Catalog):
    sha = _sha(2)
    catalog.store_record(_other_record(sha, "/a/x.docx"), [_file("/a/x.docx")], 1, size=10)
    catalog.attach_paths(sha, [_file("/b/copy.docx")], 1)
    assert catalog.paths(sha) == ("/a/x.docx", "/b/copy.docx")
    assert catalog.connection.execute("SELECT count(*) FROM contents").fetchone()[0] == 1
    [stored] = catalog.iter_records()
    assert stored.paths == ("/a/x.docx", "/b/copy.docx")


def test_a_changed_file_replaces_its_records_and_leaves_a_tombstone(catalog: Catalog):
    old, new = _sha(3), _sha(4)
    catalog.store_record(_meeting_record(old, "/a/r.pdf"), [_file("/a/r.pdf")], 1, size=100)
    changed = _meeting_record(new, "/a/r.pdf", title="Budget 2025")
    catalog.store_record(changed, [_file("/a/r.pdf", 120, 2.0)], 2, size=120)
    assert [s.sha256 for s in catalog.iter_records()] == [new]
    assert [s.sha256 for s in catalog.iter_records(since_generation=1)] == [new]
    assert catalog.removed_sha256s() == [old]
    assert catalog.removed_sha256s(since_generation=2) == []
    titles = [r[0] for r in catalog.connection.execute("SELECT title FROM items WHERE number = 3")]
    assert titles == ["Budget 2025"]
    assert catalog.connection.execute("SELECT count(*) FROM items WHERE sha256 = ?", (old,)).fetchone()[0] == 0


def test_removed_paths_are_marked_not_deleted(catalog: Catalog):
    sha = _sha(5)
    catalog.store_record(_other_record(sha, "/a/x.docx"), [_file("/a/x.docx"), _file("/b/x.docx")], 1, size=10)
    assert catalog.mark_removed(["/a/x.docx"], 2) == 1
    # Still held by /b: not removed, and the record now names the remaining path.
    assert catalog.removed_sha256s() == []
    assert catalog.record(sha).source.path == "/b/x.docx"
    assert catalog.mark_removed(["/b/x.docx", "/not/known.pdf"], 3) == 1
    assert catalog.removed_sha256s() == [sha]
    assert list(catalog.iter_records()) == []
    rows = catalog.connection.execute("SELECT path, status, removed_generation FROM files ORDER BY path").fetchall()
    assert rows == [("/a/x.docx", "removed", 2), ("/b/x.docx", "removed", 3)]
    # A path that comes back with the same content revives the stored record without parsing.
    catalog.attach_paths(sha, [_file("/b/x.docx")], 4)
    assert catalog.removed_sha256s() == []
    assert [s.paths for s in catalog.iter_records(since_generation=3)] == [("/b/x.docx",)]


def test_quarantine_is_recorded_with_reason(catalog: Catalog):
    sha = _sha(6)
    catalog.store_quarantined(
        sha,
        [_file("/a/broken.pdf")],
        1,
        size=5,
        format="pdf",
        parser_version="1",
        code="corrupt",
        error="damaged PDF",
    )
    assert catalog.record(sha) is None
    assert list(catalog.iter_records()) == []
    row = catalog.connection.execute("SELECT status, error_code, error FROM contents").fetchone()
    assert row == ("quarantined", "corrupt", "damaged PDF")
    # A later successful parse replaces the quarantine entry.
    catalog.store_record(_other_record(sha, "/a/broken.pdf"), [_file("/a/broken.pdf")], 2, size=5)
    assert catalog.record(sha) is not None


def test_generation_counts_finished_runs_that_changed_something(catalog: Catalog):
    first = catalog.begin_run()
    assert first == 1
    catalog.store_record(_other_record(_sha(7), "/x.docx"), [_file("/x.docx")], first, size=1)
    assert catalog.generation() == 0  # not yet: the run is still going
    catalog.finish_run(first, {"added": 1})
    assert catalog.generation() == 1
    # A run that only touches mtimes or removes nothing changes nothing.
    second = catalog.begin_run()
    assert second == 2
    catalog.touch_files([_file("/x.docx", 1, 5.0)])
    assert catalog.mark_removed(["/nothing.pdf"], second) == 0
    catalog.finish_run(second, {})
    assert catalog.generation() == 1
    assert catalog.file_states()["/x.docx"].mtime == 5.0
    runs = catalog.connection.execute("SELECT generation, summary FROM runs").fetchall()
    assert runs == [(1, '{"added": 1}')]


def test_a_run_after_an_interrupted_one_finishes_its_generation(catalog: Catalog):
    generation = catalog.begin_run()
    catalog.store_record(_other_record(_sha(8), "/y.docx"), [_file("/y.docx")], generation, size=1)
    # The process dies here: no finish_run. The next run takes over the same generation.
    assert catalog.begin_run() == generation
    catalog.finish_run(generation, {})
    assert catalog.generation() == generation
    assert [s.sha256 for s in catalog.iter_records(since_generation=generation - 1)] == [_sha(8)]


def test_a_failed_write_leaves_nothing_behind(catalog: Catalog):
    record = _meeting_record(_sha(8), "/a/r.pdf")
    bad = FileEntry(path=None, size=1, mtime=1.0)  # type: ignore[arg-type]  # NOT NULL violation inside the transaction
    with pytest.raises(sqlite3.IntegrityError):
        catalog.store_record(record, [bad], 1, size=1)
    assert catalog.connection.execute("SELECT count(*) FROM contents").fetchone()[0] == 0
    assert catalog.connection.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert catalog.generation() == 0


def test_record_json_matches_the_parse_json_shape(catalog: Catalog):
    record = _meeting_record(_sha(9), "/a/r.pdf")
    catalog.store_record(record, [_file("/a/r.pdf")], 1, size=1)
    assert record_to_dict(catalog.record(_sha(9))) == record_to_dict(record)


def test_archive_dir_option_env_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ARKIV_HOME", str(tmp_path / "env"))
    assert archive_dir(str(tmp_path / "opt")) == tmp_path / "opt"
    assert archive_dir(None) == tmp_path / "env"
    monkeypatch.delenv("ARKIV_HOME")
    assert archive_dir(None) == Path("arkiv-data")


def test_a_version_1_catalog_is_migrated_keeping_its_data(tmp_path: Path):
    from ingest import catalog as catalog_module

    conn = sqlite3.connect(tmp_path / "catalog.sqlite")
    for statement in catalog_module._split_sql(catalog_module._MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO files (path, size, mtime, sha256, status, first_generation, generation) "
        "VALUES ('/a/gammel.pdf', 3, 1.0, NULL, 'present', 1, 1)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Catalog.open(tmp_path) as cat:
        assert cat.schema_version() == SCHEMA_VERSION >= 2
        rows = pd.read_sql("SELECT path, status FROM file_catalog", cat.connection)
        assert rows.values.tolist() == [["/a/gammel.pdf", "quarantined"]]


def test_file_catalog_view_shows_each_path_with_its_outcome(catalog: Catalog):
    sha = _sha(10)
    catalog.store_record(_meeting_record(sha, "/a/r.pdf"), [_file("/a/r.pdf"), _file("/b/r.pdf")], 1, size=100)
    catalog.store_quarantined(
        _sha(11), [_file("/a/x.pdf")], 1, size=5, format="pdf", parser_version="1", code="corrupt", error="damaged"
    )
    catalog.mark_removed(["/b/r.pdf"], 1)
    rows = catalog.connection.execute(
        "SELECT path, format, pages, status, error_code FROM file_catalog ORDER BY path"
    ).fetchall()
    assert rows == [
        ("/a/r.pdf", "pdf", 2, "ok", None),
        ("/a/x.pdf", "pdf", None, "quarantined", "corrupt"),
        ("/b/r.pdf", "pdf", 2, "removed", None),
    ]


def _meeting_only(sha: str, path: str, *, doc_type: str, date: str, items: tuple[Item, ...]) -> DocumentRecord:
    return DocumentRecord(
        source=Source(path=path, sha256=sha, format="pdf", page_count=1, parser_version="1"),
        kind="meeting",
        meetings=(Meeting(body="Byrådet", document_type=doc_type, date=date, items=items),),
    )


def test_status_flags_suspicious_output(catalog: Catalog):
    from ingest.report import catalog_status

    open_item = Item(number=1, title="Budget", sections=(Section(heading=None, text="Tekst."),))
    decided = Item(number=1, title="Budget", decision=Decision(text="Godkendt.", body="Byrådet", date="2021-03-10"))
    records = {
        "/arkiv/2021/tom.pdf": _meeting_only(_sha(20), "", doc_type="dagsorden", date="2021-03-10", items=()),
        "/arkiv/2021/uden-beslutning.pdf": _meeting_only(
            _sha(21), "", doc_type="referat", date="2021-03-10", items=(open_item,)
        ),
        "/arkiv/2021/gammel.pdf": _meeting_only(_sha(22), "", doc_type="referat", date="1899-03-10", items=(decided,)),
        "/arkiv/2019/forkert-aar.pdf": _meeting_only(
            _sha(23), "", doc_type="referat", date="2023-03-10", items=(decided,)
        ),
        "/arkiv/2021/i-orden.pdf": _meeting_only(_sha(24), "", doc_type="referat", date="2021-03-10", items=(decided,)),
    }
    for path, record in records.items():
        catalog.store_record(record, [_file(path)], 1, size=1)
    report = catalog_status(catalog)
    found = {(Path(r["path"]).name, r["code"]) for r in report.suspicious}
    assert found == {
        ("tom.pdf", "no-items"),
        ("uden-beslutning.pdf", "no-decisions"),
        ("gammel.pdf", "date-outside-years"),
        ("forkert-aar.pdf", "date-not-in-path"),
    }
    narrow = catalog_status(catalog, (2022, 2024))
    outside = {Path(r["path"]).name for r in narrow.suspicious if r["code"] == "date-outside-years"}
    assert outside == {"tom.pdf", "uden-beslutning.pdf", "gammel.pdf", "i-orden.pdf"}
    assert report.totals["meetings"] == 5
    assert {r["year"]: r["meetings"] for r in report.by_year} == {1899: 1, 2021: 3, 2023: 1}


def test_processes_opening_a_new_catalog_at_once_all_succeed(tmp_path: Path):
    import subprocess
    import sys

    code = "import sys; from pathlib import Path; from ingest.catalog import Catalog; Catalog.open(Path(sys.argv[1]))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "arkiv")], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    with Catalog.open(tmp_path / "arkiv") as cat:
        assert cat.schema_version() == SCHEMA_VERSION


def _committed(catalog: Catalog) -> int:
    """Contents another connection sees: what is committed."""
    other = sqlite3.connect(catalog.path)
    try:
        return int(other.execute("SELECT count(*) FROM contents").fetchone()[0])
    finally:
        other.close()


def _store(catalog: Catalog, n: int) -> None:
    sha = _sha(n)
    catalog.store_record(_meeting_record(sha, f"/m/{n}.pdf"), [FileEntry(f"/m/{n}.pdf", 10, 1.0)], 1, size=10)


def test_grouped_writes_commit_every_max_writes_and_at_the_end(catalog: Catalog):
    with catalog.grouped(60.0, 3):
        for n in range(1, 8):
            _store(catalog, n)
            assert _committed(catalog) == n // 3 * 3  # nothing of an open group is visible outside
    assert _committed(catalog) == 7


def test_grouped_writes_commit_when_the_time_is_up_or_when_asked(catalog: Catalog):
    with catalog.grouped(0.0, 100):  # every write finds its group old enough
        _store(catalog, 1)
        assert _committed(catalog) == 1
    with catalog.grouped(60.0, 100):
        _store(catalog, 2)
        assert _committed(catalog) == 1
        catalog.commit_group()
        assert _committed(catalog) == 2


def test_a_failed_write_in_a_group_rolls_back_the_group_and_nothing_is_half_written(catalog: Catalog):
    _store(catalog, 1)
    with pytest.raises(sqlite3.IntegrityError), catalog.grouped(60.0, 100):
        _store(catalog, 2)
        with catalog.transaction() as conn:
            conn.execute("INSERT INTO contents (sha256) VALUES ('x')")  # a NOT NULL column left out
    assert _committed(catalog) == 1
    assert catalog.connection.execute("SELECT count(*) FROM items WHERE sha256 = ?", (_sha(2),)).fetchone()[0] == 0
    _store(catalog, 3)  # the catalog takes writes again, one transaction each
    assert _committed(catalog) == 2


def test_an_error_between_grouped_writes_keeps_what_was_written(catalog: Catalog):
    with pytest.raises(KeyboardInterrupt), catalog.grouped(60.0, 100):
        _store(catalog, 1)
        raise KeyboardInterrupt
    assert _committed(catalog) == 1
    assert catalog.connection.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's default again
