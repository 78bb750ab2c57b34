"""How far ``arkiv ingest --cluster`` scales: measured per-file costs fed into a model of N Dask workers.

    python benchmarks/bench_cluster.py                    # 200 generated documents, N = 1 ... 64
    python benchmarks/bench_cluster.py --count 400 --json benchmarks/results/bench_cluster.json

A real run on this machine measures, file by file, what a cluster worker does
(``ingest.workers.parse_task``: read, parse, analyse for the index) and what the
submitting process does with each result (``Catalog.store_record``: one
transaction with the record, its analysis and its normalized rows), then the
index build from the catalog (``index.build.build_index``, one process; the model
divides it by the submitting machine's ``--local-cores`` shard writers). These costs drive a
discrete-event simulation: files go, in walk order, to whichever of N workers is
free first (plus a per-task scheduling overhead, ``--task-overhead``), each
result then queues for the one catalog writer, and the index is written after the
last record. The writer is the serial part: the curve flattens where N workers
deliver results faster than it commits them. The same simulation with K
writers (the catalog sharded by content hash, each shard with its own writer and
index shards) shows what changes past that point.
"""

from __future__ import annotations

import argparse
import heapq
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_ingest import generate_archive  # noqa: E402
from results_io import write_figures  # noqa: E402

from index.build import build_index  # noqa: E402
from ingest.batch import COMMIT_SECONDS, COMMIT_WRITES  # noqa: E402
from ingest.catalog import Catalog  # noqa: E402
from ingest.sources import SourceReader, Walk  # noqa: E402
from ingest.workers import Task, parse_task  # noqa: E402

WORKERS = (1, 2, 4, 8, 16, 32, 64)
SATURATED = 0.9  # the writer is saturated when it is busy this share of the parse phase


@dataclass(frozen=True)
class FileCost:
    worker_s: float  # parse + analysis on a worker
    writer_s: float  # the catalog transaction in the submitting process


def measure(src: Path, archive: Path) -> tuple[list[FileCost], float, int]:
    """(per-file costs in walk order, seconds of the index build, pages) from a real import of ``src``."""
    entries = [e for e in Walk([src], exclude=archive) if e.readable]
    reader = SourceReader()
    costs: list[FileCost] = []
    pages = 0
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp, Catalog.open(archive) as catalog:
        generation = catalog.begin_run()
        # the writer as an import runs it: rows made by the worker, commits in groups
        with catalog.grouped(COMMIT_SECONDS, COMMIT_WRITES):
            for entry in entries:
                sha = reader.sha256(entry)
                outcome = parse_task(Task(sha, entry), reader, Path(tmp), catalog=True)
                if outcome.rows is None:
                    continue
                started = time.perf_counter()
                catalog.store_rows(
                    outcome.rows,
                    [entry.file_entry()],
                    generation,
                    size=entry.size,
                    parse_seconds=outcome.seconds,
                    analysis=outcome.analysis,
                )
                costs.append(FileCost(outcome.seconds, time.perf_counter() - started))
                pages += outcome.pages
        catalog.finish_run(generation, {"parsed_files": len(costs)})
    reader.close()
    started = time.perf_counter()
    build_index(archive, "whoosh", jobs=1)
    return costs, time.perf_counter() - started, pages


def simulate(costs: list[FileCost], workers: int, writers: int, overhead: float) -> tuple[float, float]:
    """(seconds until the last record is committed, share of that time the busiest writer works)."""
    free = [0.0] * workers  # when each worker is next free
    heapq.heapify(free)
    done: list[tuple[float, int]] = []
    for index, cost in enumerate(costs):
        start = heapq.heappop(free) + overhead
        end = start + cost.worker_s
        heapq.heappush(free, end)
        done.append((end, index))
    done.sort()
    writer_free = [0.0] * writers
    busy = [0.0] * writers
    for end, index in done:
        shard = index % writers  # contents spread over the shards by hash: evenly
        writer_free[shard] = max(writer_free[shard], end) + costs[index].writer_s
        busy[shard] += costs[index].writer_s
    finish = max(writer_free)
    return finish, max(busy) / finish if finish else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="documents to generate and measure (default 200)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "arkiv-bench-cluster")
    parser.add_argument("--task-overhead", type=float, default=0.002, help="seconds of scheduling per task")
    parser.add_argument("--scale", type=int, default=1000, help="files of the modelled archive per measured file")
    parser.add_argument("--local-cores", type=int, default=2, help="index shard writers on the submitting machine")
    parser.add_argument("--json", metavar="PATH", help="write the figures as one flat JSON object ('-': stdout)")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    src = generate_archive(args.work, args.seed, args.count)
    archive = args.work / "arkiv"
    shutil.rmtree(archive, ignore_errors=True)
    costs, index_s, pages = measure(src, archive)
    worker_total = sum(c.worker_s for c in costs)
    writer_total = sum(c.writer_s for c in costs)
    # The modelled archive: the measured files repeated ``scale`` times (a few million pages).
    model = costs * args.scale
    index_model = index_s * args.scale / max(1, args.local_cores)  # shard writers (``index.build``)

    figures: dict[str, float | int] = {
        "files": len(costs),
        "pages": pages,
        "scale": args.scale,
        "worker_ms_per_file": 1000 * worker_total / len(costs),
        "writer_ms_per_file": 1000 * writer_total / len(costs),
        "index_ms_per_file": 1000 * index_s / len(costs),
        "task_overhead_ms": 1000 * args.task_overhead,
        "local_cores": args.local_cores,
        "writer_limit_workers": worker_total / writer_total if writer_total else 0.0,
    }
    base, _ = simulate(model, 1, 1, args.task_overhead)
    base += index_s * args.scale  # one machine, one core: the index written by one process
    print(
        f"measured on {len(costs)} files ({pages} pages): worker {figures['worker_ms_per_file']:.1f} ms/file "
        f"(parse + analysis), catalog writer {figures['writer_ms_per_file']:.2f} ms/file, "
        f"index build {figures['index_ms_per_file']:.2f} ms/file; modelled archive: {len(model)} files"
    )
    print(
        f"{'workers':>7} {'1 writer: speed-up':>19} {'writer busy':>12} {'4 writers: speed-up':>20} "
        f"{'parse phase only':>17}"
    )
    saturated_at = 0
    parse_base = simulate(model, 1, 1, args.task_overhead)[0]
    for n in WORKERS:
        one, busy = simulate(model, n, 1, args.task_overhead)
        four, _ = simulate(model, n, 4, args.task_overhead)
        speedup, sharded = base / (one + index_model), base / (four + index_model / 4)
        parse_only = parse_base / one
        figures[f"speedup_{n}"] = speedup
        figures[f"writer_busy_{n}"] = busy
        figures[f"speedup_4_writers_{n}"] = sharded
        figures[f"ingest_speedup_{n}"] = parse_only
        if not saturated_at and busy >= SATURATED:
            saturated_at = n
        print(f"{n:>7} {speedup:>18.1f}x {100 * busy:>11.0f}% {sharded:>19.1f}x {parse_only:>16.1f}x")
    figures["writer_saturated_at"] = saturated_at
    print(
        f"the one catalog writer keeps up with about {figures['writer_limit_workers']:.0f} workers "
        f"(worker time / writer time per file); it is {100 * SATURATED:.0f}% busy from "
        f"{saturated_at or '>' + str(WORKERS[-1])} workers. The index build after the parse is serial on the "
        "submitting machine too. Past that point only more writers help: the catalog sharded by content hash "
        "(each shard its own SQLite file, writer and index shards; searches query all shards) or index segments "
        "written by the workers (the writer already commits in groups of files and takes rows the workers made)."
    )
    if args.json:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
