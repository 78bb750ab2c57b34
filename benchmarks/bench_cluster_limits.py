"""What the per-file ``--timeout``/``--max-memory`` bound costs on a Dask cluster, against parsing in the task's thread.

    python benchmarks/bench_cluster_limits.py --rounds 5 --json benchmarks/results/bench_cluster_limits.json

Every PDF and DOCX of ``corpus/sample`` is parsed on a ``LocalCluster`` of two worker processes (one thread
each), three ways, in turns within each round (so that the machine's load falls on all three alike):

- ``thread``: ``parse_task`` in the Dask worker's thread, as imports did before the bound (nothing can stop a
  file that hangs);
- ``kept``: ``ingest.cluster.remote_parse``, the parse in a child process of the worker that is kept for
  ``MAX_TASKS`` files and killed at the deadline or over the memory limit (what ``arkiv ingest --cluster`` does);
- ``per_file``: the same with a fresh child process forked for every file.

The figures are, for each way, the CPU time per file of the worker processes and their parse processes
(from ``/proc``: what a cluster pays, little touched by other load on the machine) and the wall time per file
(best and median of the rounds after a first, warm-up round), and their ratios to ``thread``. Every way must
give the same records.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from results_io import write_figures  # noqa: E402

from ingest.cluster import MAX_TASKS, remote_parse  # noqa: E402
from ingest.sources import SourceReader, walk  # noqa: E402
from ingest.workers import Outcome, Task, parse_task  # noqa: E402

WAYS = ("thread", "kept", "per_file")
TIMEOUT = 120.0  # seconds: no file of the sample comes near it
MAX_MEMORY_MB = 1024.0  # the import's default


def parse_in_thread(task: Task) -> Outcome:
    """On a Dask worker: the parse without a bound, in the task's thread."""
    reader = SourceReader()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cluster-limits-") as tmp:
            return parse_task(task, reader, Path(tmp), timeout=TIMEOUT, catalog=True)
    finally:
        reader.close()


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_of(stat: str) -> tuple[int, float]:
    """(parent pid, CPU seconds of the process and its reaped children) from a /proc/PID/stat line."""
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / _TICKS


def tree_cpu_seconds() -> float:
    """On a Dask worker: CPU seconds of this process, its reaped children and its live children."""
    me = os.getpid()
    with open(f"/proc/{me}/stat") as f:
        _, total = _cpu_of(f.read())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent, seconds = _cpu_of(f.read())
        except OSError:
            continue
        if parent == me:
            total += seconds
    return total


def run_way(client: Any, way: str, tasks: list[Task]) -> tuple[float, float, list[Outcome]]:
    """(wall seconds, CPU seconds of the workers, outcomes in task order) for parsing every task one way."""
    cpu = sum(client.run(tree_cpu_seconds).values())
    started = time.perf_counter()
    if way == "thread":
        futures = client.map(parse_in_thread, tasks, pure=False)
    else:
        max_tasks = MAX_TASKS if way == "kept" else 1
        n = len(tasks)
        args = ([None] * n, [None] * n, [TIMEOUT] * n, [MAX_MEMORY_MB] * n, [max_tasks] * n)
        futures = client.map(remote_parse, tasks, *args, pure=False)
    outcomes = client.gather(futures)
    wall = time.perf_counter() - started
    return wall, sum(client.run(tree_cpu_seconds).values()) - cpu, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds after the warm-up round (default 5)")
    parser.add_argument("--json", metavar="PATH", help="write the figures as one flat JSON object ('-': stdout)")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    entries = [e for e in walk([ROOT / "corpus" / "sample"]) if Path(e.path).suffix in (".pdf", ".docx")]
    reader = SourceReader()
    tasks = [Task(reader.sha256(e), e) for e in entries]
    reader.close()
    seconds: dict[str, list[float]] = {way: [] for way in WAYS}
    cpu: dict[str, list[float]] = {way: [] for way in WAYS}
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        for round_ in range(args.rounds + 1):
            records: dict[str, list[Any]] = {}
            for way in WAYS[round_ % len(WAYS) :] + WAYS[: round_ % len(WAYS)]:
                elapsed, cpu_seconds, outcomes = run_way(client, way, tasks)
                records[way] = [o.rows for o in outcomes]
                if round_:
                    seconds[way].append(elapsed)
                    cpu[way].append(cpu_seconds)
            if any(records[way] != records["thread"] for way in WAYS):
                raise SystemExit("the ways of parsing gave different records")
            if round_:
                print(
                    f"round {round_}: "
                    + ", ".join(f"{w} {seconds[w][-1]:.2f} s ({cpu[w][-1]:.2f} CPU s)" for w in WAYS)
                )

    figures: dict[str, float | int] = {"files": len(tasks), "rounds": args.rounds, "max_tasks": MAX_TASKS}
    n = len(tasks)
    for way in WAYS:
        figures[f"{way}_cpu_ms_per_file"] = 1000 * statistics.median(cpu[way]) / n
        figures[f"{way}_best_ms_per_file"] = 1000 * min(seconds[way]) / n
        figures[f"{way}_median_ms_per_file"] = 1000 * statistics.median(seconds[way]) / n
    for way in WAYS[1:]:
        for figure in ("cpu", "best", "median"):
            figures[f"{way}_{figure}_vs_thread"] = (
                figures[f"{way}_{figure}_ms_per_file"] / figures[f"thread_{figure}_ms_per_file"]
            )
    for way in WAYS:
        print(
            f"{way:>8}: CPU {figures[f'{way}_cpu_ms_per_file']:.1f} ms/file, wall best "
            f"{figures[f'{way}_best_ms_per_file']:.1f} / median {figures[f'{way}_median_ms_per_file']:.1f} ms/file"
            + ("" if way == "thread" else f"; CPU {figures[f'{way}_cpu_vs_thread']:.2f}x the thread's")
        )
    if args.json:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
