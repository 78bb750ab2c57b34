"""The archive survives its own faults: damaged catalogs, concurrent writers, killed lock holders.

Real catalogs are damaged on disk (garbage pages, truncation, zero bytes, a text
file); real `arkiv` processes run against them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses POSIX locks and SIGKILL")


def arkiv(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ARKIV, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _generate(out: Path, count: int, seed: int) -> Path:
    subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(out), "--seed", str(seed), "--count", str(count)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for gold in out.rglob("*.gold.json"):
        gold.unlink()
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(sources, an ingested and indexed archive, its export-records output)."""
    base = tmp_path_factory.mktemp("faults")
    src = _generate(base / "src", 30, 21)
    archive = base / "arkiv"
    result = arkiv("ingest", str(src), "--archive", str(archive), "--quiet")
    assert result.returncode == 0, result.stderr
    export = arkiv("export-records", "--archive", str(archive))
    assert export.returncode == 0 and export.stdout.count("\n") == 30
    return src, archive, export.stdout


def _damage(db: Path, how: str) -> None:
    size = db.stat().st_size
    if how == "garbage-pages":
        pages = size // 4096
        with open(db, "r+b") as f:
            for page in range(pages // 3, pages // 3 + 12):
                f.seek(page * 4096)
                f.write(bytes((page * 37 + i) % 251 for i in range(4096)))
    elif how == "truncated":
        with open(db, "r+b") as f:
            f.truncate(size // 2)
    elif how == "zero-bytes":
        db.write_bytes(b"")
    elif how == "text-file":
        db.write_text("Dette er ikke en database.\n", encoding="utf-8")


def _index_digest(archive: Path) -> str:
    digest = hashlib.sha256()
    root = (archive / "index" / "whoosh").resolve()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


DAMAGE = ("garbage-pages", "truncated", "zero-bytes", "text-file")


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_catalog_gives_one_line_errors_keeps_the_index_and_is_repaired(
    built: tuple[Path, Path, str], tmp_path: Path, how: str
):
    src, original, exported = built
    archive = tmp_path / "arkiv"
    shutil.copytree(original, archive, symlinks=True)
    db = archive / "catalog.sqlite"
    _damage(db, how)
    before = _index_digest(archive)
    akt = tmp_path / "akt"
    for command in (
        ["status"],
        ["export-records"],
        ["index"],
        ["index", "--rebuild"],
        ["ingest", str(src), "--quiet"],
        ["aktindsigt", "--case", "22/1", "--out", str(akt)],
        ["doctor"],
    ):
        result = arkiv(*command, "--archive", str(archive))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, (command, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("Error: "), (command, result.stderr)
        assert "Traceback" not in result.stderr
        if command[0] != "doctor":
            assert str(db) in lines[0] and "arkiv doctor --archive" in lines[0], (command, lines[0])
    assert _index_digest(archive) == before  # the failed rebuild left the working index as it was
    assert arkiv("search", "kommune", "--archive", str(archive), "--json").returncode == 0

    doctor = arkiv("doctor", "--archive", str(archive))
    assert any(line.startswith("problem: ") and "catalog.sqlite" in line for line in doctor.stdout.splitlines())

    repaired = arkiv("doctor", "--repair", "--archive", str(archive))
    assert repaired.returncode == 0, repaired.stderr
    assert "next: run `arkiv ingest" in repaired.stdout
    kept = [
        p
        for p in archive.iterdir()
        if p.name.startswith("catalog.sqlite.damaged-") and not p.name.endswith(("-wal", "-shm"))
    ]
    assert kept, "the damaged catalog is kept beside the new one"
    assert (kept[0].stat().st_size == 0) == (how == "zero-bytes")

    again = arkiv("ingest", str(src), "--archive", str(archive), "--quiet")
    assert again.returncode == 0, again.stderr
    assert arkiv("export-records", "--archive", str(archive)).stdout == exported
    assert arkiv("doctor", "--archive", str(archive)).returncode == 0


def test_garbage_pages_are_salvaged_row_by_row(built: tuple[Path, Path, str], tmp_path: Path):
    _src, original, _exported = built
    archive = tmp_path / "arkiv"
    shutil.copytree(original, archive, symlinks=True)
    _damage(archive / "catalog.sqlite", "garbage-pages")
    repaired = arkiv("doctor", "--repair", "--archive", str(archive))
    assert repaired.returncode == 0, repaired.stderr
    salvaged = next(line for line in repaired.stdout.splitlines() if line.startswith("salvaged "))
    kept = int(salvaged.split("; ")[1].split(" parsed records kept")[0])
    assert 0 < kept < 30  # rows on the sound pages survive; the ones on the garbage pages do not


def test_a_zero_byte_catalog_never_replaces_a_full_index_with_an_empty_one(
    built: tuple[Path, Path, str], tmp_path: Path
):
    _src, original, _exported = built
    archive = tmp_path / "arkiv"
    shutil.copytree(original, archive, symlinks=True)
    (archive / "catalog.sqlite").write_bytes(b"")
    for name in ("catalog.sqlite-wal", "catalog.sqlite-shm"):
        (archive / name).unlink(missing_ok=True)
    before = _index_digest(archive)
    assert arkiv("index", "--archive", str(archive)).returncode == 1
    assert _index_digest(archive) == before
    assert (archive / "catalog.sqlite").stat().st_size == 0


def _wait_for_lock(archive: Path, text: str, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    lock = archive / "archive.lock"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lock.exists() and text in lock.read_text(encoding="utf-8"):
            return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.02)
    raise AssertionError(f"{text} never took the lock")


def test_ingest_during_an_index_rebuild_gets_a_busy_error_and_search_keeps_working(tmp_path: Path):
    src = _generate(tmp_path / "src", 300, 8)
    archive = tmp_path / "arkiv"
    assert arkiv("ingest", str(src), "--archive", str(archive), "--quiet").returncode == 0
    # Without the analyses the ingest workers made, the rebuild analyses every record itself: long enough to race.
    conn = sqlite3.connect(archive / "catalog.sqlite")
    with conn:
        conn.execute("DELETE FROM analysis")
    conn.close()
    rebuild = subprocess.Popen(
        [*ARKIV, "index", "--rebuild", "--archive", str(archive), "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_lock(archive, "arkiv index --rebuild", rebuild)
        busy = arkiv("ingest", str(src), "--archive", str(archive), "--quiet")
        search = arkiv("search", "kommune", "--archive", str(archive), "--json")
        still_running = rebuild.poll() is None
    finally:
        rebuild.wait(timeout=300)
    assert still_running, "the rebuild finished before the test could race it; use a larger archive"
    assert busy.returncode == 1
    assert busy.stderr.startswith(f"Error: archive {archive} is busy: arkiv index --rebuild (pid {rebuild.pid})")
    assert len(busy.stderr.strip().splitlines()) == 1 and "Traceback" not in busy.stderr
    assert search.returncode == 0, search.stderr
    assert rebuild.returncode == 0, rebuild.stderr
    assert arkiv("ingest", str(src), "--archive", str(archive), "--quiet").returncode == 0


def test_a_lock_held_by_a_killed_process_does_not_block_the_next_writer(built: tuple[Path, Path, str], tmp_path: Path):
    src, original, exported = built
    archive = tmp_path / "arkiv"
    shutil.copytree(original, archive, symlinks=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from ingest.archive_lock import archive_lock\n"
            "with archive_lock(Path(sys.argv[1]), 'arkiv ingest'):\n    print('held', flush=True); time.sleep(60)",
            str(archive),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    busy = arkiv("index", "--archive", str(archive))
    assert busy.returncode == 1 and f"arkiv ingest (pid {holder.pid}) has held it since" in busy.stderr
    waited = arkiv("index", "--archive", str(archive), "--wait", "0.5")
    assert waited.returncode == 1 and "(waited 0.5 s)" in waited.stderr
    waited = arkiv("ingest", str(src), "--archive", str(archive), "--wait", "0.5")
    assert waited.returncode == 1 and "(waited 0.5 s)" in waited.stderr
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert f"{holder.pid}\t" in (archive / "archive.lock").read_text(encoding="utf-8")  # left behind
    doctor = arkiv("doctor", "--archive", str(archive))
    assert doctor.returncode == 0 and "stale lock entry" in doctor.stdout
    result = arkiv("ingest", str(src), "--archive", str(archive), "--quiet")
    assert result.returncode == 0, result.stderr
    assert arkiv("export-records", "--archive", str(archive)).stdout == exported
