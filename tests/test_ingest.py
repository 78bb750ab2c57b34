"""``arkiv ingest``/``status``/``export-records`` on real files: generated documents and broken ones."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from ingest.batch import IngestOptions, ingest, plan
from ingest.catalog import Catalog
from ingest.sources import walk
from parsers import PARSER_VERSION
from parsers.serialize import record_to_dict
from search_cli.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REALDOCS = ROOT.parent / "shared" / "realdocs"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Eight generated meeting documents (PDF and DOCX) from the corpus generator."""
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(out), "--seed", "7", "--count", "8"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    files = sorted(p for p in out.rglob("*") if p.suffix in (".pdf", ".docx"))
    assert len(files) == 8
    return files


def _encrypted_pdf(path: Path) -> None:
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("hemmelig", ownerPassword="ejer"))
    c.drawString(72, 720, "Dagsorden for Byrådet")
    c.showPage()
    c.save()


def _long_pdf(path: Path, pages: int) -> None:
    c = canvas.Canvas(str(path))
    for n in range(1, pages + 1):
        for line in range(40):
            c.drawString(72, 760 - line * 17, f"Side {n}, linje {line}: Økonomiudvalget behandler budgettet for året.")
        c.showPage()
    c.save()


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


@pytest.fixture
def archive_src(tmp_path: Path, generated: list[Path]) -> Path:
    """Folders, a zip with a nested folder, a duplicate, and four broken files."""
    src = tmp_path / "src"
    _copy(generated[0], src / "2021" / "byraad" / generated[0].name)
    _copy(generated[1], src / "2021" / generated[1].name)
    _copy(generated[2], src / "2022" / generated[2].name)
    _copy(generated[0], src / "kopi" / f"samme-indhold{generated[0].suffix}")
    with zipfile.ZipFile(src / "pakke.zip", "w") as zf:
        zf.write(generated[3], f"mappe/under/{generated[3].name}")
        zf.write(generated[1], f"mappe/{generated[1].name}")  # same content as a folder file
        zf.writestr("mappe/noter.json", "{}")  # not a document: ignored
    bad = src / "defekt"
    bad.mkdir()
    data = _first_pdf(generated).read_bytes()
    (bad / "afkortet.pdf").write_bytes(data[: len(data) // 2])
    _encrypted_pdf(bad / "krypteret.pdf")
    (bad / "tekst.pdf").write_text("Dette er bare tekst, ikke en PDF.\n", encoding="utf-8")
    docx.Document().save(str(bad / "tom.docx"))
    (src / "2021" / ".DS_Store").write_bytes(b"\0\0")
    return src


def _first_pdf(files: list[Path]) -> Path:
    return next(p for p in files if p.suffix == ".pdf")


def _run(args: list[str]):
    return CliRunner().invoke(cli, args)


def _snapshot(archive: Path) -> dict[str, dict]:
    """path -> (status, sha256) and sha -> record dict: what a user sees of the catalog."""
    with Catalog.open(archive) as cat:
        files = {
            path: (status, sha)
            for path, status, sha in cat.connection.execute("SELECT path, status, sha256 FROM files ORDER BY path")
        }
        records = {s.sha256: record_to_dict(s.record) for s in cat.iter_records()}
    return {"files": files, "records": records}


def test_archive_with_folders_zip_duplicates_and_broken_files(archive_src: Path, tmp_path: Path, generated: list[Path]):
    archive = tmp_path / "arkiv"
    result = _run(["ingest", str(archive_src), "--archive", str(archive), "--jobs", "2", "--quiet"])
    assert result.exit_code == 3, result.output
    assert "4 of 10 files could not be parsed" in result.stderr
    assert result.stdout == ""
    with Catalog.open(archive) as cat:
        conn = cat.connection
        codes = dict(
            conn.execute(
                "SELECT f.path, c.error_code FROM files f JOIN contents c ON c.sha256 = f.sha256 "
                "WHERE c.status = 'quarantined'"
            ).fetchall()
        )
        bad = archive_src / "defekt"
        assert codes == {
            str(bad / "afkortet.pdf"): "corrupt",
            str(bad / "krypteret.pdf"): "encrypted",
            str(bad / "tekst.pdf"): "unsupported",
            str(bad / "tom.docx"): "empty",
        }
        # 10 paths: 4 folder documents (one a copy), 2 zip members (one a copy), 4 broken; 8 distinct contents.
        assert conn.execute("SELECT count(*) FROM files WHERE status = 'present'").fetchone()[0] == 10
        assert conn.execute("SELECT count(*) FROM contents").fetchone()[0] == 8
        stored = {s.sha256: s for s in cat.iter_records()}
        assert len(stored) == 4
        zipped = sorted(p for s in stored.values() for p in s.paths if "!" in p)
        zip_file = archive_src / "pakke.zip"
        assert zipped == [f"{zip_file}!mappe/{generated[1].name}", f"{zip_file}!mappe/under/{generated[3].name}"]
        duplicated = [s for s in stored.values() if len(s.paths) == 2]
        assert len(duplicated) == 2
        for s in stored.values():
            assert s.record.source.sha256 == s.sha256
            assert s.record.source.parser_version == PARSER_VERSION
            assert s.record.source.path in s.paths
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] > 0


def test_status_shows_totals_quarantine_and_reasons(archive_src: Path, tmp_path: Path):
    archive = tmp_path / "arkiv"
    _run(["ingest", str(archive_src), "--archive", str(archive), "--quiet"])
    result = _run(["status", "--archive", str(archive), "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["totals"]["files"] == 10
    by_status = {r["status"]: r["files"] for r in status["by_status"]}
    assert by_status.pop("quarantined") == 4
    assert sum(by_status.values()) == 6 and set(by_status) <= {"ok", "partial"}
    reasons = {Path(r["path"]).name: r for r in status["quarantine"]}
    assert set(reasons) == {"afkortet.pdf", "krypteret.pdf", "tekst.pdf", "tom.docx"}
    assert "qpdf" in reasons["krypteret.pdf"]["reason"]
    assert sum(r["meetings"] for r in status["by_year"]) == status["totals"]["meetings"] > 0
    table = _run(["status", "--archive", str(archive)])
    assert "Quarantine (4):" in table.stdout and "tom.docx" in table.stdout
    csv_out = _run(["status", "--archive", str(archive), "--csv"])
    assert csv_out.stdout.splitlines()[0] == "section,name,count,path,code,detail"
    assert sum(1 for line in csv_out.stdout.splitlines() if line.startswith("quarantine,")) == 4


def test_status_without_catalog_is_a_one_line_error(tmp_path: Path):
    result = _run(["status", "--archive", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no catalog here" in result.stderr and "Traceback" not in result.output


def test_incremental_reimport_before_after_snapshot(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    kept, changing, removing = (_copy(generated[i], src / "a" / generated[i].name) for i in range(3))
    archive = tmp_path / "arkiv"
    first = ingest(archive, [src], IngestOptions(jobs=2))
    assert (first.added, first.parsed_files, first.quarantined) == (3, 3, [])
    before = _snapshot(archive)
    with Catalog.open(archive) as cat:
        generation = cat.generation()

    # One file changed (new content, same path), one added, one removed.
    shutil.copyfile(generated[5], changing)
    os.utime(changing, (1_700_000_000, 1_700_000_000))
    added = _copy(generated[4], src / "b" / generated[4].name)
    removing.unlink()

    actions = {a.path: a.action for a in plan(archive, [src], IngestOptions(prune=True))}
    assert actions == {str(kept): "skip", str(changing): "change", str(added): "add", str(removing): "remove"}

    second = ingest(archive, [src], IngestOptions(jobs=2, prune=True))
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 1, 1, 1)
    assert second.parsed_files == 2
    after = _snapshot(archive)

    old_sha = before["files"][str(changing)][1]
    new_sha = after["files"][str(changing)][1]
    assert old_sha != new_sha
    assert after["files"][str(kept)] == before["files"][str(kept)]
    assert after["files"][str(removing)] == ("removed", before["files"][str(removing)][1])
    assert after["files"][str(added)][0] == "present"
    assert after["records"][before["files"][str(kept)][1]] == before["records"][before["files"][str(kept)][1]]
    assert set(after["records"]) == {before["files"][str(kept)][1], new_sha, after["files"][str(added)][1]}
    with Catalog.open(archive) as cat:
        assert cat.generation() == generation + 1
        changed_since = {s.sha256 for s in cat.iter_records(since_generation=generation)}
        assert changed_since == {new_sha, after["files"][str(added)][1]}
        assert set(cat.removed_sha256s(since_generation=generation)) == {old_sha, before["files"][str(removing)][1]}
        # The old content's items are gone from the normalized tables.
        assert cat.connection.execute("SELECT count(*) FROM items WHERE sha256 = ?", (old_sha,)).fetchone()[0] == 0


def test_no_change_rerun_parses_nothing_and_keeps_the_generation(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    for g in generated[:4]:
        _copy(g, src / g.name)
    archive = tmp_path / "arkiv"
    ingest(archive, [src], IngestOptions(jobs=1))
    before = _snapshot(archive)
    again = ingest(archive, [src], IngestOptions(jobs=1))
    assert (again.unchanged, again.parsed_files, again.added, again.changed) == (4, 0, 0, 0)
    # A new mtime with the same bytes: hashed, not parsed.
    os.utime(src / generated[0].name, (1_600_000_000, 1_600_000_000))
    touched = ingest(archive, [src], IngestOptions(jobs=1))
    assert (touched.unchanged, touched.parsed_files) == (4, 0)
    assert _snapshot(archive) == before
    with Catalog.open(archive) as cat:
        assert cat.generation() == 1
        assert cat.file_states()[str(src / generated[0].name)].mtime == 1_600_000_000


def test_new_parser_version_reparses_only_what_it_must(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    for g in generated[:3]:
        _copy(g, src / g.name)
    archive = tmp_path / "arkiv"
    ingest(archive, [src], IngestOptions(jobs=1))
    stale = str(src / generated[1].name)
    with Catalog.open(archive) as cat:
        # A catalog written by an older parser for one content.
        sha = cat.file_states()[stale].sha256
        cat.connection.execute("UPDATE contents SET parser_version = '0.0.1' WHERE sha256 = ?", (sha,))
    report = ingest(archive, [src], IngestOptions(jobs=1))
    assert (report.reparsed, report.parsed_files, report.unchanged) == (1, 1, 2)
    with Catalog.open(archive) as cat:
        assert cat.record(sha).source.parser_version == PARSER_VERSION
    forced = ingest(archive, [src], IngestOptions(jobs=1, reparse=True))
    assert (forced.reparsed, forced.parsed_files) == (3, 3)


def test_timeout_quarantines_the_file_and_the_batch_goes_on(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    src.mkdir()
    _long_pdf(src / "a-lang.pdf", 400)
    _copy(generated[0], src / f"b-{generated[0].name}")
    archive = tmp_path / "arkiv"
    report = ingest(archive, [src], IngestOptions(jobs=1, timeout=1.0))
    assert [(Path(p).name, code) for p, code, _ in report.quarantined] == [("a-lang.pdf", "timeout")]
    assert report.parsed_files == 1
    with Catalog.open(archive) as cat:
        [stored] = cat.iter_records()
        assert stored.paths == (str(src / f"b-{generated[0].name}"),)


def test_worker_pool_parses_every_task_once_with_tasks_waiting_in_the_pipes(tmp_path: Path, generated: list[Path]):
    """Each worker holds up to PREFETCH tasks: a task waiting behind one that times out goes to another
    worker and is parsed; workers retired after max_tasks take no task they will not parse."""
    from ingest.sources import SourceEntry
    from ingest.workers import PREFETCH, Task, WorkerPool

    assert PREFETCH >= 2
    slow = tmp_path / "lang.pdf"
    _long_pdf(slow, 400)
    files = [slow, *generated[:2], slow, *generated[2:7]]
    tasks = [Task(f"{n:064x}", SourceEntry(str(f), f.stat().st_size, 0.0)) for n, f in enumerate(files)]
    with WorkerPool(2, timeout=1.0, max_tasks=2) as pool:
        outcomes = list(pool.run(iter(tasks)))
    assert sorted(o.task.sha256 for o in outcomes) == sorted(t.sha256 for t in tasks)  # each once
    by_file = {(o.task.sha256, Path(o.task.entry.path).name): o.code for o in outcomes}
    assert [code for (sha, name), code in sorted(by_file.items()) if name == "lang.pdf"] == ["timeout", "timeout"]
    assert all(code is None for (sha, name), code in by_file.items() if name != "lang.pdf")


def test_worker_pool_reports_idle_while_a_long_file_is_parsed(tmp_path: Path, generated: list[Path]):
    """``idle`` (the writer's moment to commit) comes while no result arrives, after the results before."""
    from ingest.sources import SourceEntry
    from ingest.workers import Task, WorkerPool

    slow = tmp_path / "lang.pdf"
    _long_pdf(slow, 100)
    files = [generated[0], slow]
    tasks = [Task(f"{n:064x}", SourceEntry(str(f), f.stat().st_size, 0.0)) for n, f in enumerate(files)]
    events: list[str] = []
    with WorkerPool(1, timeout=None, max_memory_mb=1024) as pool:
        for outcome in pool.run(iter(tasks), idle=lambda: events.append("idle")):
            events.append(Path(outcome.task.entry.path).name)
    first_idle = events.index("idle")
    assert events[0] == generated[0].name and events[-1] == "lang.pdf" and 0 < first_idle < len(events) - 1


def test_the_files_before_a_long_one_are_committed_while_it_is_parsed(tmp_path: Path, generated: list[Path]):
    """Commits come in groups, and also when the workers have nothing to report: while one long file is
    parsed, the files before it are already committed."""
    import threading
    import time

    src = tmp_path / "src"
    src.mkdir()
    for path in generated[:3]:
        _copy(path, src / f"a-{path.name}")
    _long_pdf(src / "z-lang.pdf", 300)
    archive = tmp_path / "arkiv"
    seen: list[int] = []

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not seen:
            db = archive / "catalog.sqlite"
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                        count = conn.execute("SELECT count(*) FROM contents").fetchone()[0]
                except sqlite3.Error:
                    count = 0
                if count:
                    seen.append(count)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    report = ingest(archive, [src], IngestOptions(jobs=1, timeout=None))
    watcher.join()
    assert report.parsed_files == 4
    assert seen == [3]  # the three short files were committed while the long one was still being parsed


def test_dry_run_lists_and_writes_nothing(archive_src: Path, tmp_path: Path):
    archive = tmp_path / "arkiv"
    result = _run(["ingest", str(archive_src), "--archive", str(archive), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(lines) == 10
    assert {line[0] for line in lines} == {"add"}
    assert sum(1 for line in lines if line[2] == "same content as a stored file") == 2
    assert sum(1 for line in lines if line[2].startswith("quarantine")) == 0  # found only by parsing
    assert not archive.exists()
    _run(["ingest", str(archive_src), "--archive", str(archive), "--quiet"])
    again = _run(["ingest", str(archive_src), "--archive", str(archive), "--dry-run"])
    assert {line.split("\t")[0] for line in again.stdout.splitlines()} == {"skip"}


def test_export_records_jsonl_and_parquet(archive_src: Path, tmp_path: Path):
    archive = tmp_path / "arkiv"
    _run(["ingest", str(archive_src), "--archive", str(archive), "--quiet"])
    result = _run(["export-records", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    with Catalog.open(archive) as cat:
        expected = [record_to_dict(s.record) for s in cat.iter_records()]
    assert rows == json.loads(json.dumps(expected))
    assert all(r["format_version"] == 1 and "meetings" in r for r in rows)
    every = _run(["export-records", "--archive", str(archive), "--all-paths"])
    assert len(every.stdout.splitlines()) == 6

    out = tmp_path / "records.parquet"
    result = _run(["export-records", "--archive", str(archive), "--format", "parquet", "--output", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert len(frame) == len(rows)
    assert sorted(frame["source"].map(lambda s: s["sha256"])) == sorted(r["source"]["sha256"] for r in rows)
    assert list(frame["kind"]) == [r["kind"] for r in rows]
    no_output = _run(["export-records", "--archive", str(archive), "--format", "parquet"])
    assert no_output.exit_code == 2 and "--output" in no_output.stderr


def test_walk_skips_hidden_and_non_documents_and_reads_zips(archive_src: Path):
    paths = [e.path for e in walk([archive_src])]
    assert not any(".DS_Store" in p or p.endswith(".json") for p in paths)
    assert sum(1 for p in paths if "!" in p) == 2
    assert [e.path for e in walk([archive_src])] == paths


def test_a_corrupt_zip_is_quarantined(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    _copy(generated[0], src / generated[0].name)
    (src / "i-stykker.zip").write_bytes(b"PK\x03\x04 not really a zip")
    report = ingest(tmp_path / "arkiv", [src], IngestOptions(jobs=1))
    assert [(Path(p).name, code) for p, code, _ in report.quarantined] == [("i-stykker.zip", "corrupt")]
    assert report.parsed_files == 1


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is not available")
def test_real_documents(tmp_path: Path):
    """Real municipal files of every kind import with nothing quarantined: text PDFs, HTML pages, DOCX, the
    scanned PDF (OCR), the legacy .doc (LibreOffice) and the ESDH XML exports."""
    archive = tmp_path / "arkiv"
    report = ingest(archive, [REALDOCS], IngestOptions(jobs=2))
    assert report.quarantined == []
    assert report.parsed_files == len(
        [p for p in REALDOCS.iterdir() if p.suffix in (".pdf", ".html", ".docx", ".doc", ".xml")]
    )
    with Catalog.open(archive) as cat:
        sources = {Path(s.paths[0]).name: s.record.source for s in cat.iter_records()}
    scanned = sources["ballerup_sfu_bilag_bygningsliste_2012-12-04_SCANNED.pdf"]
    assert scanned.ocr_pages == tuple(range(1, scanned.page_count + 1)) and scanned.ocr_confidence is not None
    assert sources["syddjurs_bilag_kulturpolitik_2009.doc"].converted_from == "doc"
    assert {sources[n].format for n in sources if n.endswith(".xml")} == {"xml"}


def test_parser_errors_are_retried_other_quarantine_only_on_request(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    _copy(generated[0], src / generated[0].name)
    (src / "tekst.pdf").write_text("bare tekst\n", encoding="utf-8")
    archive = tmp_path / "arkiv"
    ingest(archive, [src], IngestOptions(jobs=1))
    good = str(src / generated[0].name)
    with Catalog.open(archive) as cat:
        sha = cat.file_states()[good].sha256
        # The state a run with a parser bug leaves behind.
        cat.connection.execute(
            "UPDATE contents SET status = 'quarantined', error_code = 'parser-error', "
            "error = 'parser error (KeyError)', record_json = NULL WHERE sha256 = ?",
            (sha,),
        )
    report = ingest(archive, [src], IngestOptions(jobs=1))
    assert (report.reparsed, report.parsed_files, report.quarantined) == (1, 1, [])
    with Catalog.open(archive) as cat:
        assert cat.record(sha) is not None
    retried = ingest(archive, [src], IngestOptions(jobs=1, retry_failed=True))
    assert [(Path(p).name, code) for p, code, _ in retried.quarantined] == [("tekst.pdf", "unsupported")]
    assert retried.reparsed == 1


_HOLD_LOCK = """
import fcntl, sys, time
f = open(sys.argv[1], "a+")
f.write("pid 4242")
f.flush()
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(30)
"""


def test_a_second_import_on_the_same_archive_is_refused_while_one_runs(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    _copy(generated[0], src / generated[0].name)
    archive = tmp_path / "arkiv"
    archive.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(archive / "archive.lock")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = _run(["ingest", str(src), "--archive", str(archive)])
        assert result.exit_code == 1
        assert f"archive {archive} is busy: another process holds it" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert _run(["ingest", str(src), "--archive", str(archive), "--quiet"]).exit_code == 0


def test_progress_line_shows_rates_and_eta(capsys: pytest.CaptureFixture[str]):
    from ingest.batch import Progress
    from search_cli.ingest_commands import _ProgressLine

    line = _ProgressLine()
    line(Progress(done=50, total=200, pages=250, elapsed=10.0))
    line.end()
    err = capsys.readouterr().err
    assert "50/200 files  5.0 files/s  25.0 pages/s  ETA 0:30" in err
    assert err.endswith("\n")


def test_ingest_summary_on_stderr_and_nothing_on_stdout(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    for g in generated[:2]:
        _copy(g, src / g.name)
    result = _run(["ingest", str(src), "--archive", str(tmp_path / "arkiv"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "2 files scanned" in result.stderr and "2 added" in result.stderr and "pages/s" in result.stderr


def test_memory_cap_quarantines_the_file_and_the_batch_goes_on(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    src.mkdir()
    _long_pdf(src / "a-lang.pdf", 400)
    _copy(generated[0], src / f"b-{generated[0].name}")
    # 1 MB is less than any Python process: a parse still running at the first check is stopped.
    report = ingest(tmp_path / "arkiv", [src], IngestOptions(jobs=1, max_memory_mb=1))
    codes = {Path(p).name: code for p, code, _ in report.quarantined}
    assert codes["a-lang.pdf"] == "too-large"
    # The batch went on: the second file was handled after the first worker was killed.
    assert report.parsed_files + len(report.quarantined) == 2
    with Catalog.open(tmp_path / "arkiv") as cat:
        assert cat.connection.execute("SELECT count(*) FROM files").fetchone()[0] == 2


@pytest.mark.skipif(shutil.which("zip") is None, reason="needs the zip command to write a password-protected zip")
def test_password_protected_zip_member_and_nested_zip_are_quarantined(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    src.mkdir()
    inner = tmp_path / "inner"
    _copy(generated[0], inner / generated[0].name)
    subprocess.run(["zip", "-q", "-P", "hemmelig", str(src / "laast.zip"), generated[0].name], cwd=inner, check=True)
    with zipfile.ZipFile(src / "ydre.zip", "w") as zf:
        zf.write(src / "laast.zip", "indre/laast.zip")
        zf.write(generated[1], generated[1].name)
    result = _run(["ingest", str(src), "--archive", str(tmp_path / "arkiv"), "--quiet"])
    assert result.exit_code == 3
    assert "2 of 3 files could not be parsed" in result.stderr
    with Catalog.open(tmp_path / "arkiv") as cat:
        codes = dict(cat.connection.execute("SELECT path, error_code FROM file_catalog WHERE status = 'quarantined'"))
    assert codes == {
        f"{src / 'laast.zip'}!{generated[0].name}": "encrypted",
        f"{src / 'ydre.zip'}!indre/laast.zip": "unsupported",
    }


def test_prune_and_years_on_the_command_line(tmp_path: Path, generated: list[Path]):
    src = tmp_path / "src"
    first = _copy(generated[0], src / generated[0].name)
    _copy(generated[1], src / generated[1].name)
    archive = str(tmp_path / "arkiv")
    assert _run(["ingest", str(src), "--archive", archive, "--quiet"]).exit_code == 0
    first.unlink()
    kept = _run(["ingest", str(src), "--archive", archive])
    assert "0 removed" in kept.stderr  # without --prune a missing file stays
    pruned = _run(["ingest", str(src), "--archive", archive, "--prune"])
    assert pruned.exit_code == 0 and "1 removed" in pruned.stderr
    status = json.loads(_run(["status", "--archive", archive, "--json"]).stdout)
    assert (status["totals"]["files"], status["totals"]["removed_files"]) == (1, 1)
    bad = _run(["status", "--archive", archive, "--years", "2024-2015"])
    assert bad.exit_code == 2 and "--years must look like 2015-2024" in bad.stderr


def test_ingest_checks_the_catalog_once_and_builds_the_index(
    archive_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """``arkiv ingest`` runs ``PRAGMA quick_check`` before it writes, and the index update after it does
    not read the whole catalog again for the same check (on a large archive that takes seconds)."""
    checks: list[Path] = []
    verify = Catalog.verify

    def counting(self: Catalog) -> None:
        checks.append(self.path)
        verify(self)

    monkeypatch.setattr(Catalog, "verify", counting)
    archive = tmp_path / "arkiv"
    result = _run(["ingest", str(archive_src), "--archive", str(archive), "--quiet"])
    assert result.exit_code == 3, result.output  # the source's broken file is quarantined
    assert len(checks) == 1
    assert (archive / "index").is_dir()
    checks.clear()
    result = _run(["index", "--archive", str(archive), "--rebuild"])
    assert result.exit_code == 0, result.output
    assert len(checks) == 1  # `arkiv index` checks it as before
