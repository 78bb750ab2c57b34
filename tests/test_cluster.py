"""``arkiv ingest --cluster``: parsing on a Dask cluster (a ``LocalCluster`` of two worker processes)
gives the records and the index of a local import; a killed worker or a killed client loses no file."""

from __future__ import annotations

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
from index_dump import catalog_paths, catalog_records, index_contents

from index.build import update_index
from ingest.batch import IngestOptions, Progress, ingest
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
    cmd = [sys.executable, "-c", "from search_cli.cli import main; main()", "ingest", str(sample)]
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
