"""``arkiv ingest --cluster``: parsing on a Dask cluster (a ``LocalCluster`` of two worker processes)
gives the records and the index of a local import; a killed worker or a killed client loses no file; a file
that parses too long or needs too much memory is quarantined as on one machine and the import goes on."""

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

import dask
import pytest
from click.testing import CliRunner
from fixtures.make_files import make_long_pdf
from index_dump import catalog_paths, catalog_records, index_contents

from index.build import update_index
from ingest import cluster as cluster_module
from ingest.batch import IngestOptions, IngestReport, Progress, ingest
from ingest.catalog import Catalog
from ingest.cluster import remote_parse
from ingest.sources import walk
from ingest.workers import Task
from search_cli.cli import cli

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FILES = sorted(p for p in (ROOT / "corpus" / "sample").rglob("*") if p.suffix in (".pdf", ".docx"))[::3]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every third document of the bundled sample (PDF and DOCX), in one folder."""
    folder = tmp_path_factory.mktemp("sample")
    for path in SAMPLE_FILES:
        shutil.copy2(path, folder / f"{path.parent.name}-{path.name}")
    return folder


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
    ) as local:
        yield local


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> Path:
    archive = tmp_path_factory.mktemp("local") / "arkiv"
    report = ingest(archive, [sample], IngestOptions(jobs=2, timeout=120))
    assert report.parsed_files == len(SAMPLE_FILES)
    update_index(archive, jobs=2)
    return archive


def _same_archive(archive: Path, expected: Path) -> None:
    assert catalog_paths(archive) == catalog_paths(expected)
    assert catalog_records(archive) == catalog_records(expected)
    assert index_contents(archive) == index_contents(expected)


def test_cluster_import_gives_the_records_and_index_of_a_local_import(cluster, local_run, tmp_path, sample):
    archive = tmp_path / "arkiv"
    result = CliRunner().invoke(
        cli, ["ingest", str(sample), "--archive", str(archive), "--cluster", cluster.scheduler_address, "--quiet"]
    )
    assert result.exit_code == 0, result.output
    _same_archive(archive, local_run)
    shipped = tmp_path / "shipped"
    env = {"ARKIV_CLUSTER": cluster.scheduler_address}
    result = CliRunner(env=env).invoke(
        cli, ["ingest", str(sample), "--archive", str(shipped), "--ship-files", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    _same_archive(shipped, local_run)


def test_ship_files_needs_a_cluster(tmp_path, sample):
    result = CliRunner().invoke(cli, ["ingest", str(sample), "--archive", str(tmp_path / "a"), "--ship-files"])
    assert result.exit_code == 2
    assert "--ship-files needs --cluster" in result.output


def test_an_unreachable_scheduler_is_one_line_naming_it(tmp_path, sample):
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        args = ["ingest", str(sample), "--archive", str(tmp_path / "a"), "--cluster", "tcp://127.0.0.1:9", "--quiet"]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "tcp://127.0.0.1:9: cannot reach the Dask scheduler" in result.output


def test_a_worker_killed_mid_run_loses_no_file(cluster, local_run, tmp_path, sample):
    with distributed.Client(cluster.scheduler_address) as client:
        pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def kill_one(p: Progress) -> None:
        if p.done >= 3 and not killed:
            killed.append(pids[0])
            os.kill(pids[0], signal.SIGKILL)

    archive = tmp_path / "arkiv"
    report = ingest(archive, [sample], IngestOptions(cluster=cluster.scheduler_address, timeout=120), progress=kill_one)
    assert killed
    assert not report.quarantined
    assert report.parsed_files == len(SAMPLE_FILES)
    update_index(archive)
    _same_archive(archive, local_run)
    with distributed.Client(cluster.scheduler_address) as client:  # the nanny started a new worker
        client.wait_for_workers(2, timeout=30)


def _parsed_contents(archive: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{archive / 'catalog.sqlite'}?mode=ro", uri=True, timeout=1)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM contents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_a_rerun_after_the_client_was_killed_imports_each_file_once(cluster, local_run, tmp_path, sample):
    archive = tmp_path / "arkiv"
    # commits in groups of 4 files (not 32), so that the kill lands between two commits of this small sample
    code = "import ingest.batch; ingest.batch.COMMIT_WRITES = 4; from search_cli.cli import main; main()"
    cmd = [sys.executable, "-c", code, "ingest", str(sample)]
    cmd += ["--archive", str(archive), "--cluster", cluster.scheduler_address, "--quiet", "--no-index"]
    client = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _parsed_contents(archive) < 3 and time.monotonic() < deadline and client.poll() is None:
        time.sleep(0.02)
    client.kill()
    client.wait()
    before = _parsed_contents(archive)
    assert 3 <= before < len(SAMPLE_FILES)  # killed mid-way
    report = ingest(archive, [sample], IngestOptions(cluster=cluster.scheduler_address, timeout=120))
    assert report.parsed_files == len(SAMPLE_FILES) - before  # the committed files are not parsed again
    assert not report.quarantined
    update_index(archive)
    _same_archive(archive, local_run)


LONG_PAGES = 1000  # about 18 s to parse here, unbounded


@pytest.fixture(scope="module")
def with_long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1,000-page PDF next to four documents of the sample."""
    folder = tmp_path_factory.mktemp("long")
    make_long_pdf(folder / "a-lang.pdf", LONG_PAGES)
    for path in SAMPLE_FILES[:4]:
        shutil.copy2(path, folder / f"{path.parent.name}-{path.name}")
    return folder


def _runs_of(dask_scheduler: distributed.Scheduler, prefix: str) -> int:
    """How many times the scheduler sent tasks whose key starts with ``prefix`` to a worker."""
    log = dask_scheduler.transition_log
    return sum(1 for key, _, finish, *_ in log if str(key).startswith(prefix) and finish == "processing")


def _runs(address: str, folder: Path) -> dict[str, int]:
    """How many times the scheduler has sent each file of ``folder`` (by content) to a worker so far."""
    shas = {hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()}
    with distributed.Client(address) as client:
        return {sha: client.run_on_scheduler(_runs_of, prefix=f"arkiv-parse-{sha}-") for sha in shas}


def _ingest_once_each(address: str, archive: Path, folder: Path, options: IngestOptions) -> IngestReport:
    """Import ``folder``, checking that every file went to a worker exactly once (a stopped file is not retried)."""
    before = _runs(address, folder)
    report = ingest(archive, [folder], options)
    after = _runs(address, folder)
    assert {sha: after[sha] - before[sha] for sha in after} == dict.fromkeys(after, 1)
    return report


def test_a_file_past_the_timeout_is_quarantined_and_the_import_goes_on(cluster, tmp_path, with_long_pdf):
    archive = tmp_path / "arkiv"
    options = IngestOptions(cluster=cluster.scheduler_address, timeout=3)
    started = time.monotonic()
    report = _ingest_once_each(cluster.scheduler_address, archive, with_long_pdf, options)
    elapsed = time.monotonic() - started
    reason = "parsing took longer than 3 s; it was stopped (try a larger --timeout)"  # as on one machine
    assert report.quarantined == [(str(with_long_pdf / "a-lang.pdf"), "timeout", reason)]
    assert report.parsed_files == 4
    assert elapsed < 15  # the unbounded parse alone takes longer

    again = ingest(archive, [with_long_pdf], options)
    assert (again.parsed_files, again.added, again.unchanged, again.quarantined) == (0, 0, 5, [])
    assert again.still_quarantined == 1
    with Catalog.open(archive) as cat:
        assert cat.connection.execute("SELECT count(*) FROM contents WHERE status = 'ok'").fetchone()[0] == 4
        assert cat.connection.execute("SELECT error_code FROM contents WHERE status != 'ok'").fetchall() == [
            ("timeout",)
        ]


def test_a_shipped_file_past_the_timeout_is_quarantined_too(cluster, tmp_path, with_long_pdf):
    archive = tmp_path / "arkiv"
    args = ["ingest", str(with_long_pdf), "--archive", str(archive), "--timeout", "3", "--no-index"]
    result = CliRunner().invoke(cli, [*args, "--cluster", cluster.scheduler_address, "--ship-files"])
    assert result.exit_code == 3, result.output  # partial: one file quarantined
    assert result.stdout == ""
    quarantined = [line for line in result.stderr.splitlines() if line.startswith("quarantined")]
    long_pdf = with_long_pdf / "a-lang.pdf"
    assert quarantined == [
        f"quarantined [timeout] {long_pdf}: parsing took longer than 3 s; it was stopped (try a larger --timeout)"
    ]
    assert "parsed 4 files" in result.stderr


def test_a_file_over_the_memory_limit_is_quarantined_and_the_import_goes_on(cluster, tmp_path, with_long_pdf):
    archive = tmp_path / "arkiv"
    # 1 MB is less than any Python process: a parse still running at the first check (0.2 s) is stopped.
    options = IngestOptions(cluster=cluster.scheduler_address, max_memory_mb=1)
    report = _ingest_once_each(cluster.scheduler_address, archive, with_long_pdf, options)
    reason = "parsing needed more than 1 MB of memory; it was stopped (try a larger --max-memory)"  # as on one machine
    quarantined = {Path(path).name: (code, why) for path, code, why in report.quarantined}
    assert quarantined["a-lang.pdf"] == ("too-large", reason)
    assert set(quarantined.values()) == {("too-large", reason)}
    assert report.parsed_files + len(report.quarantined) == 5  # the import went on after each stopped file


def _catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler of its own for ``signum`` (``SigCgt`` of /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    [mask] = [line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")]
    return bool(int(mask, 16) & (1 << (signum - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_parse_process_does_not_keep_the_workers_signal_handlers(tmp_path):
    """A ``dask worker --no-nanny`` handles SIGTERM in Python (through its event loop); its parse process must not,
    or SIGTERM would not end a parse."""
    entry = next(iter(walk([SAMPLE_FILES[0]])))
    task = Task(hashlib.sha256(SAMPLE_FILES[0].read_bytes()).hexdigest(), entry)
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        assert remote_parse(task, None, None, 60.0).parsed
        [worker] = cluster_module._THREAD.pool._workers
        assert _catches(os.getpid(), signal.SIGTERM)
        assert not _catches(worker.process.pid, signal.SIGTERM)
    finally:
        signal.signal(signal.SIGTERM, previous)
        cluster_module._close_open_pools()
