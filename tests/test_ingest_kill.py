"""An import killed with SIGKILL midway leaves a consistent catalog, and a re-run completes it exactly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL and /proc")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated documents in year folders, a zip of some of them, a copy and a broken file."""
    src = tmp_path_factory.mktemp("kill") / "src"
    subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(src), "--seed", "11", "--count", "60"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for gold in src.rglob("*.gold.json"):
        gold.unlink()
    docs = sorted(p for p in src.rglob("*") if p.is_file())
    with zipfile.ZipFile(src / "zz-pakke.zip", "w") as zf:
        for doc in docs[:5]:
            zf.write(doc, f"indhold/{doc.name}")
    shutil.copyfile(docs[10], src / f"kopi-{docs[10].name}")
    (src / "zz-defekt").mkdir()
    (src / "zz-defekt" / "defekt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    return src


def _ingest(src: Path, archive: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*ARKIV, "ingest", str(src), "--archive", str(archive), "--quiet", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _count(archive: Path) -> int:
    db = archive / "catalog.sqlite"
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM contents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # the schema is being created
        return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _content(archive: Path) -> dict[str, object]:
    """Everything a user or an index sees: paths with status and content, and each content's outcome."""
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        files = conn.execute("SELECT path, status, sha256, error_code FROM files ORDER BY path").fetchall()
        contents = conn.execute(
            "SELECT sha256, status, error_code, error, pages, live, record_json FROM contents ORDER BY sha256"
        ).fetchall()
        tables = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("meetings", "items", "sections", "case_numbers", "attachments", "people")
        }
    finally:
        conn.close()
    return {"files": files, "contents": contents, "tables": tables}


def _consistent(archive: Path) -> None:
    """No content is half-written: its normalized items match its record JSON."""
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for sha, record_json in conn.execute("SELECT sha256, record_json FROM contents WHERE status != 'quarantined'"):
            record = json.loads(record_json)
            expected = sum(len(m["items"]) for m in record["meetings"])
            items = conn.execute("SELECT count(*) FROM items WHERE sha256 = ?", (sha,)).fetchone()[0]
            assert items == expected, sha
            paths = conn.execute("SELECT count(*) FROM files WHERE sha256 = ?", (sha,)).fetchone()[0]
            assert paths >= 1, sha
    finally:
        conn.close()


def test_sigkill_midway_then_rerun_equals_an_uninterrupted_run(source: Path, tmp_path: Path):
    reference = tmp_path / "reference"
    done = _ingest(source, reference, "--jobs", "2")
    done.communicate(timeout=300)
    assert done.returncode == 3  # the broken file
    total = _count(reference)

    killed = tmp_path / "killed"
    proc = _ingest(source, killed, "--jobs", "2")
    deadline = time.monotonic() + 120
    while _count(killed) < 8 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = _count(killed)
    assert 8 <= partial < total, "the kill must land midway"
    _consistent(killed)

    # Re-run at once: the killed run's lock is gone with it (its orphaned workers do not hold it).
    rerun = _ingest(source, killed, "--jobs", "2")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 3, err  # the broken file is in the quarantine, from this run or the killed one

    # The killed run's workers noticed that their parent was gone and exited.
    limit = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < limit:
        time.sleep(0.1)
    assert workers and not any(_alive(w) for w in workers)
    _consistent(killed)
    assert _content(killed) == _content(reference)
    assert not (killed / "ingest-tmp").exists()  # the scratch folder of the killed run is gone too

    # And a third run has nothing left to do.
    final = subprocess.run(
        [*ARKIV, "ingest", str(source), "--archive", str(killed)], cwd=ROOT, capture_output=True, text=True
    )
    assert final.returncode == 3, final.stderr  # nothing to do, but the broken file is still quarantined
    assert " 0 added, 0 changed, 0 reparsed" in final.stderr
    assert "1 files still quarantined" in final.stderr


def test_kill_during_first_transactions_leaves_an_openable_catalog(source: Path, tmp_path: Path):
    archive = tmp_path / "early"
    proc = _ingest(source, archive, "--jobs", "1")
    deadline = time.monotonic() + 60
    while _count(archive) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    _consistent(archive)
    status = subprocess.run(
        [*ARKIV, "status", "--archive", str(archive), "--json"], cwd=ROOT, capture_output=True, text=True
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["totals"]["contents"] >= 1


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_a_busy_worker_dies_with_its_killed_parent_and_the_next_run_removes_its_scratch(tmp_path: Path):
    from fixtures.make_files import make_long_pdf

    src = tmp_path / "src"
    src.mkdir()
    with zipfile.ZipFile(src / "lang.zip", "w") as zf:  # a zip member: the worker parses a copy in the scratch folder
        zf.write(make_long_pdf(tmp_path / "lang.pdf", 600), "lang.pdf")
    archive = tmp_path / "arkiv"
    proc = _ingest(src, archive, "--jobs", "1", "--no-index")
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if workers and _cpu_seconds(workers[0]) > 1.0:
            break
        time.sleep(0.1)
    assert workers and _cpu_seconds(workers[0]) > 1.0, "the worker must be busy parsing"
    scratch_files = list((archive / "ingest-tmp").rglob("member.pdf"))
    assert scratch_files, "the member is copied into the archive's scratch folder"

    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    limit = time.monotonic() + 3
    while any(_alive(w) for w in workers) and time.monotonic() < limit:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "the worker outlived its killed parent"
    assert scratch_files[0].exists()  # left behind by the killed run

    empty = tmp_path / "tom"
    empty.mkdir()
    nxt = subprocess.run(
        [*ARKIV, "ingest", str(empty), "--archive", str(archive), "--no-index"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert nxt.returncode == 0, nxt.stderr
    assert not (archive / "ingest-tmp").exists()


def test_die_with_parent_falls_back_to_a_watching_thread(tmp_path: Path):
    """Where prctl is not available, a thread in the worker ends it when the parent goes away."""
    script = (
        "import os, sys, time\n"
        "sys.platform = 'darwin'  # take the portable path\n"
        "from ingest.workers import die_with_parent\n"
        "parent = os.getpid()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    how = die_with_parent(parent)\n"
        "    print(how, os.getpid(), flush=True)\n"
        "    while True: time.sleep(1)\n"
        "time.sleep(1.0)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30)
    how, pid = out.stdout.split()
    assert how == "thread"
    limit = time.monotonic() + 3
    while _alive(int(pid)) and time.monotonic() < limit:
        time.sleep(0.05)
    assert not _alive(int(pid))
