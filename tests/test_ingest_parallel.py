"""The index analysis runs in the ingest workers (``index.preanalysis``); the index is the same whatever
the number of workers, the order files are parsed in, and the number of processes writing the index."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest
from index_dump import catalog_records, index_contents
from whoosh import index as whoosh_index

from index.analysis import Analyzer, analyze_main
from index.build import analyzer_for, build_index, index_dir, update_index
from index.documents import docs_from_record
from index.engine import index_fields
from index.preanalysis import RecordAnalysis, analyse_record, finish, lexicon_of
from ingest.batch import IngestOptions, cgroup_cpu_quota, default_jobs, ingest
from ingest.catalog import Catalog
from parsers import parse_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
SAMPLE_FILES = sorted(p for p in SAMPLE.rglob("*") if p.suffix in (".pdf", ".docx"))


def _import(archive: Path, roots: list[Path], jobs: int) -> None:
    report = ingest(archive, roots, IngestOptions(jobs=jobs, timeout=120))
    assert report.parsed_files == len(SAMPLE_FILES) and not report.quarantined
    update_index(archive, jobs=jobs)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("jobs1") / "arkiv"
    _import(archive, [SAMPLE], 1)
    return archive


def test_two_step_analysis_equals_the_analysis_of_a_whole_text():
    texts = [
        "Sygefraværsindsatserne i Børne- og Ungeudvalget: budgetopfølgning for ældreområdet og skolernes"
        " handleplaner. Aabenraa Kommune, kontraafgift, 20/057417-5.",
        "",
        "og i på",
    ]
    for lexicon in ((), ("sygefravær", "indsats", "budget", "opfølgning")):
        analyzer = Analyzer(lexicon)
        for text in texts:
            main, maybe = analyze_main(text)
            parts = " ".join(p for w in maybe for p in analyzer.parts(w))
            assert analyzer.analyze(text) == (main, parts)


def test_worker_analysis_gives_the_fields_of_the_index_analysis():
    records = [parse_file(path) for path in SAMPLE_FILES[::4]]
    analyses = [analyse_record(r) for r in records]
    docs = [d for r in records for d in docs_from_record(r)]
    analyzer = analyzer_for(docs)
    assert Analyzer(lexicon_of(a.words for a in analyses)).lexicon == analyzer.lexicon
    stored = [RecordAnalysis.from_bytes(a.to_bytes(), " ".join(a.words)) for a in analyses]
    assert stored == analyses
    finished = [finish(d, analyzer) for a in analyses for d in a.docs]
    assert finished == [index_fields(d, analyzer) for d in docs]
    assert any(v["text_parts"] for v in finished)  # compounds were split with the learned lexicon


def test_same_index_with_two_workers_and_in_another_order(one_worker, tmp_path):
    two = tmp_path / "jobs2"
    _import(two, [SAMPLE], 2)
    shuffled = list(SAMPLE_FILES)
    random.Random(13).shuffle(shuffled)
    other_order = tmp_path / "shuffled"
    _import(other_order, shuffled, 2)
    expected = index_contents(one_worker)
    assert expected["stored"] and expected["postings"]
    assert index_contents(two) == expected
    assert index_contents(other_order) == expected
    assert catalog_records(two) == catalog_records(one_worker) == catalog_records(other_order)


def test_parallel_shard_writers_build_the_index_one_writer_builds(one_worker, tmp_path):
    expected = index_contents(one_worker)
    for jobs in (3, 1):
        build_index(one_worker, "whoosh", jobs=jobs)
        segments = whoosh_index.open_dir(str(index_dir(one_worker, "whoosh").resolve()))._segments()
        assert len(segments) == jobs  # one segment per shard writer
        assert index_contents(one_worker) == expected


def test_records_without_an_analysis_are_analysed_by_the_writer_and_kept(one_worker):
    expected = index_contents(one_worker)
    conn = sqlite3.connect(one_worker / "catalog.sqlite")
    with conn:
        conn.execute("DELETE FROM analysis")
    conn.close()
    build_index(one_worker, "whoosh", jobs=2)
    assert index_contents(one_worker) == expected
    with Catalog.open(one_worker) as catalog:
        kept = catalog.connection.execute("SELECT count(*) FROM analysis").fetchone()[0]
        assert kept == len(catalog.live_contents())


def test_an_incremental_update_adds_analysed_documents(tmp_path):
    archive = tmp_path / "arkiv"
    first, rest = SAMPLE_FILES[:10], SAMPLE_FILES[10:20]
    ingest(archive, first, IngestOptions(jobs=2, timeout=120))
    update_index(archive, jobs=2)
    ingest(archive, first + rest, IngestOptions(jobs=2, timeout=120))
    (report,) = update_index(archive, jobs=2)
    assert not report.full and report.added > 0
    ids = {s.split('"id": "')[1].split('"')[0] for s in index_contents(archive)["stored"]}
    with Catalog.open(archive) as catalog:
        expected = {d.id for s in catalog.iter_records() for d in docs_from_record(s.record, s.sha256, s.paths[0])}
    assert ids == expected


def _cgroup(tmp_path: Path, proc_lines: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    proc = tmp_path / "proc-cgroup"
    proc.write_text(proc_lines)
    return root, proc


def test_default_jobs_follows_the_cgroup_cpu_quota(tmp_path):
    root, proc = _cgroup(
        tmp_path, "0::/job/step\n", {"job/cpu.max": "150000 100000\n", "job/step/cpu.max": "max 100000\n"}
    )
    assert cgroup_cpu_quota(root, proc) == 1.5
    assert default_jobs(root, proc) == min(2, len(__import__("os").sched_getaffinity(0)))
    root, proc = _cgroup(
        tmp_path / "v1",
        "4:cpu,cpuacct:/batch\n",
        {"cpu,cpuacct/batch/cpu.cfs_quota_us": "100000", "cpu,cpuacct/batch/cpu.cfs_period_us": "100000"},
    )
    assert cgroup_cpu_quota(root, proc) == 1.0
    assert default_jobs(root, proc) == 1
    root, proc = _cgroup(tmp_path / "none", "0::/\n", {"cpu.max": "max 100000\n"})
    assert cgroup_cpu_quota(root, proc) is None
