"""Benchmark ``arkiv ingest`` (parse, catalog and index update) on a generated archive, against ``pdftotext``.

    python benchmarks/bench_ingest.py                      # 4,000 documents (about 10,000 pages)
    python benchmarks/bench_ingest.py --count 4000 --big-pages 0 --repeat 3 --json benchmarks/results/bench_ingest.json

Prints, for one generated archive: files/s and pages/s of the whole
``arkiv ingest`` (including the search index update) with ``--jobs 1`` and
``--jobs 2`` and their ratio, the CPU seconds of the whole process tree, the
peak RSS of the tree (the ``arkiv`` process, its workers and index writers,
sampled from /proc), the time of a no-change re-run, ``pdftotext`` over the same
PDFs as the reference (as a ratio: the machine is shared, so absolute numbers
are noisy; ratios measured in the same run are not), and one very long PDF
(``--big-pages``) imported alone, for memory. With ``--repeat N`` the one- and
two-worker imports alternate N times and the medians count. The generated
archive is kept in ``--work`` and reused by later runs with the same seed and count.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from results_io import write_figures  # noqa: E402

ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]

TARGET_RERUN_S = 5.0
TARGET_SPEEDUP = 1.8
TARGET_RSS_MB = 500.0
TARGET_VS_PDFTOTEXT = 0.4  # whole --jobs 1 import, pages/s, against pdftotext on the same PDFs
# Seconds between two readings of the process tree's memory. Reading /proc/PID/smaps_rollup of each process
# costs about 4 ms of CPU per reading of the tree: every 50 ms that took 8 % of a core from the measured
# run, nothing from a --jobs 1 run (which leaves a core idle) but about a second from a --jobs 2 run on
# two cores. Every 0.5 s it costs under 1 %; the memory peaks of an import (the index writers' postings)
# last seconds.
MEMORY_INTERVAL = 0.5


@dataclass
class Run:
    label: str
    seconds: float
    files: int
    pages: int
    peak_rss_mb: float
    exit_code: int
    cpu_seconds: float = 0.0  # user + system of the whole process tree
    parent_cpu_seconds: float = 0.0  # of the importing process alone (the catalog and index writer)
    load_before: float = 0.0  # the machine's 1-minute load average when it started
    parse_parent_cpu: float = 0.0  # the importing process's CPU seconds until the index update started
    parse_tree_cpu: float = 0.0  # the tree's CPU seconds until then
    peak_pss_mb: float = 0.0  # the tree's peak proportional set size (shared pages divided among sharers)

    def idle_seconds(self, cores: int, jobs: int) -> float:
        """The wall time this run's CPU work needs on ``cores`` idle cores. In the parse phase the ``jobs``
        workers and the importing process (hashing, catalog writes) run at the same time, so the phase takes
        the longest of: the workers' share per worker, the importing process, all of it spread over the cores.
        The index update then runs the importing process's part and its shard writers' (``jobs`` at once)."""
        workers = max(0.0, self.parse_tree_cpu - self.parse_parent_cpu)
        index_parent = max(0.0, self.parent_cpu_seconds - self.parse_parent_cpu)
        index_children = max(0.0, self.cpu_seconds - self.parse_tree_cpu - index_parent)
        parse = max(workers / min(jobs, cores), self.parse_parent_cpu, (workers + self.parse_parent_cpu) / cores)
        return parse + index_parent + index_children / min(jobs, cores)

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants, from /proc (0 when it is gone). Summed RSS counts a
    page that forked processes share once per process; PSS divides each shared page among its sharers, so
    the tree's PSS is the memory it really holds."""
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            stack += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return rss, pss


def _cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of one process so far (with ``children``: also of its reaped children);
    0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process, its reaped children and its live descendants."""
    total = _cpu_seconds(pid, children=True)
    stack: list[int] = []
    try:
        stack = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        pass
    while stack:
        child = stack.pop()
        total += _cpu_seconds(child, children=True)
        try:
            stack += [int(c) for c in Path(f"/proc/{child}/task/{child}/children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    cpu: float  # the whole tree
    peak_pss_mb: float
    parent_cpu: float  # the process itself
    parent_cpu_at_mark: float  # ... when ``mark`` appeared (the end of the parse phase)
    tree_cpu_at_mark: float


def _measure(cmd: list[str], mark: Path | None = None) -> Measured:
    """Run a command and measure it; CPU is also read when the path ``mark`` first exists."""
    peak = peak_pss = 0
    parent_cpu = 0.0
    at_mark: tuple[float, float] | None = None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, parent_cpu, at_mark
        memory_due = 0.0
        while not stop.is_set():
            now = time.perf_counter()
            if now >= memory_due:  # reading smaps costs ~4 ms of CPU: not as often as the rest
                rss, pss = _tree_memory_kb(proc.pid)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
                memory_due = now + MEMORY_INTERVAL
            parent_cpu = max(parent_cpu, _cpu_seconds(proc.pid))
            if at_mark is None and mark is not None and mark.exists():
                at_mark = (_cpu_seconds(proc.pid), _tree_cpu_seconds(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 3):
        sys.stderr.write(err.decode("utf-8", "replace"))
        raise SystemExit(f"command failed with exit code {proc.returncode}: {' '.join(cmd)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    mark_parent, mark_tree = at_mark if at_mark is not None else (parent_cpu, cpu)
    return Measured(seconds, peak / 1024, proc.returncode, cpu, peak_pss / 1024, parent_cpu, mark_parent, mark_tree)


def _catalog_counts(archive: Path) -> tuple[int, int]:
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        files, pages = conn.execute(
            "SELECT count(*), coalesce(sum(c.pages), 0) FROM files f JOIN contents c ON c.sha256 = f.sha256 "
            "WHERE f.status = 'present'"
        ).fetchone()
    finally:
        conn.close()
    return int(files), int(pages)


def _ingest(label: str, src: Path, archive: Path, jobs: int, *, fresh: bool = True) -> Run:
    if fresh and archive.exists():
        shutil.rmtree(archive)
    cmd = [*ARKIV, "ingest", str(src), "--archive", str(archive), "--jobs", str(jobs), "--quiet"]
    load = os.getloadavg()[0]
    m = _measure(cmd, archive / "index")  # the index folder appears when the parse phase is over
    files, pages = _catalog_counts(archive)
    return Run(
        label,
        m.seconds,
        files,
        pages,
        m.peak_rss_mb,
        m.exit_code,
        m.cpu,
        m.parent_cpu,
        load,
        m.parent_cpu_at_mark,
        m.tree_cpu_at_mark,
        m.peak_pss_mb,
    )


def generate_archive(work: Path, seed: int, count: int) -> Path:
    """The generated archive of ``count`` documents for ``seed`` under ``work``, made once and reused."""
    src = work / f"archive-seed{seed}-count{count}"
    marker = src / ".complete"
    if marker.exists():
        return src
    if src.exists():
        shutil.rmtree(src)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "corpus.generate", "--out", str(src), "--seed", str(seed), "--count", str(count)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    marker.write_text("")
    print(f"generated {count} documents in {time.perf_counter() - started:.0f} s: {src}", file=sys.stderr)
    return src


def _pdftotext(archive: Path) -> tuple[float, int, float, int, float]:
    """pdftotext over the catalog's PDFs, one after the other.

    Returns (pdftotext seconds, PDF pages, our in-worker parse seconds for the same PDFs, PDF count,
    pdftotext CPU seconds).
    """
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        rows = conn.execute(
            "SELECT min(f.path), c.pages, c.parse_seconds FROM files f JOIN contents c ON c.sha256 = f.sha256 "
            "WHERE c.format = 'pdf' AND c.status != 'quarantined' AND f.path NOT LIKE '%!%' GROUP BY c.sha256"
        ).fetchall()
    finally:
        conn.close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for path, _, _ in rows:
        subprocess.run(["pdftotext", "-q", path, "-"], check=False, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, sum(r[1] for r in rows), sum(r[2] or 0.0 for r in rows), len(rows), cpu


def _big_pdf(path: Path, pages: int) -> None:
    """A long text PDF: paragraphs of four wrapped lines (the last one short) with a gap between."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 780, "Bilag til Byrådets møde den 11. september 2023")
    sentence = "Økonomiudvalget indstiller, at budgettet for {n} godkendes med de ændringer, der fremgår af bilaget"
    for n in range(1, pages + 1):
        c.setFont("Helvetica", 10)
        y = 750.0
        line = 0
        while y > 60:
            text = sentence.format(n=n) if line % 4 != 3 else f"og sagen afsluttes (side {n})."
            c.drawString(60, y, text)
            y -= 13 if line % 4 != 3 else 24
            line += 1
        c.showPage()
    c.save()


def _median_run(runs: list[Run]) -> Run:
    """The run with the median time (of an odd count; the faster middle one of an even count)."""
    return sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=4000, help="documents to generate (default 4000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "arkiv-bench-ingest")
    parser.add_argument("--big-pages", type=int, default=2000, help="pages of the long PDF; 0: skip it")
    parser.add_argument("--repeat", type=int, default=1, help="alternate the --jobs 1 and 2 imports N times")
    parser.add_argument("--json", metavar="PATH", help="write the figures as one flat JSON object ('-': stdout)")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    src = generate_archive(args.work, args.seed, args.count)

    ones: list[Run] = []
    twos: list[Run] = []
    for _ in range(max(1, args.repeat)):
        ones.append(_ingest("ingest --jobs 1", src, args.work / "arkiv-j1", 1))
        twos.append(_ingest("ingest --jobs 2", src, args.work / "arkiv-j2", 2))
    one, two = _median_run(ones), _median_run(twos)
    rerun = _ingest("no-change re-run", src, args.work / "arkiv-j2", 2, fresh=False)
    ref_s, pdf_pages, our_parse_s, pdf_count, ref_cpu = _pdftotext(args.work / "arkiv-j1")

    big: Run | None = None
    if args.big_pages:
        big_dir = args.work / f"big-{args.big_pages}"
        big_dir.mkdir(exist_ok=True)
        big_pdf = big_dir / f"referat-{args.big_pages}-sider.pdf"
        if not big_pdf.exists():
            _big_pdf(big_pdf, args.big_pages)
        big = _ingest(f"one {args.big_pages}-page PDF", big_dir, args.work / "arkiv-big", 1)

    pair_ratios = [t.files_per_s / o.files_per_s for o, t in zip(ones, twos, strict=True) if o.files_per_s]
    speedup = statistics.median(pair_ratios) if pair_ratios else 0.0
    ref_pages_s = pdf_pages / ref_s if ref_s else 0.0
    our_pdf_pages_s = pdf_pages / our_parse_s if our_parse_s else 0.0
    peak = max(r.peak_rss_mb for r in (*ones, *twos, rerun, *([big] if big else [])))
    peak_pss = max(r.peak_pss_mb for r in (*ones, *twos, rerun, *([big] if big else [])))
    figures = {
        "documents": one.files,
        "pages": one.pages,
        "repeat": len(ones),
        "jobs1_seconds": one.seconds,
        "jobs1_files_per_s": one.files_per_s,
        "jobs1_pages_per_s": one.pages_per_s,
        "jobs1_cpu_seconds": one.cpu_seconds,
        "jobs2_seconds": two.seconds,
        "jobs2_files_per_s": two.files_per_s,
        "jobs2_pages_per_s": two.pages_per_s,
        "jobs2_cpu_seconds": two.cpu_seconds,
        "jobs1_parent_cpu_seconds": one.parent_cpu_seconds,
        "jobs2_parent_cpu_seconds": two.parent_cpu_seconds,
        # From the CPU seconds of each process class and phase: the runs' wall times on 2 idle cores
        # (``Run.idle_seconds``), so a figure the load of a shared machine does not move.
        "jobs1_parse_parent_cpu_seconds": one.parse_parent_cpu,
        "jobs1_parse_tree_cpu_seconds": one.parse_tree_cpu,
        "jobs2_parse_parent_cpu_seconds": two.parse_parent_cpu,
        "jobs2_parse_tree_cpu_seconds": two.parse_tree_cpu,
        "jobs1_idle_seconds_model": one.idle_seconds(2, 1),
        "jobs2_idle_seconds_model": two.idle_seconds(2, 2),
        "jobs2_over_jobs1_cpu_model": one.idle_seconds(2, 1) / two.idle_seconds(2, 2),
        "jobs2_over_jobs1": speedup,
        "jobs2_over_jobs1_each": pair_ratios,
        "jobs2_over_jobs1_best": max(pair_ratios, default=0.0),
        "load_before_max": max(r.load_before for r in (*ones, *twos)),
        "no_change_rerun_s": rerun.seconds,
        "peak_rss_mb": peak,
        "peak_pss_mb": peak_pss,
        "big_pages": args.big_pages,
        "big_seconds": big.seconds if big else None,
        "pdftotext_pdfs": pdf_count,
        "pdftotext_pages": pdf_pages,
        "pdftotext_seconds": ref_s,
        "pdftotext_pages_per_s": ref_pages_s,
        "our_parse_pages_per_s": our_pdf_pages_s,
        "our_parse_over_pdftotext": our_pdf_pages_s / ref_pages_s if ref_pages_s else 0.0,
        "ingest_jobs1_over_pdftotext": (one.pages_per_s / ref_pages_s) if ref_pages_s else 0.0,
        # the same from CPU time: --jobs 1 on 2 idle cores against pdftotext's CPU time
        "pdftotext_cpu_seconds": ref_cpu,
        "ingest_jobs1_over_pdftotext_cpu_model": (one.pages / one.idle_seconds(2, 1)) / (pdf_pages / ref_cpu)
        if ref_cpu
        else 0.0,
    }
    if args.json:
        write_figures(args.json, figures)

    def ok(passed: bool) -> str:
        return "ok" if passed else "MISSED"

    print(f"archive: {one.files} documents, {one.pages} pages ({src})")
    print(
        f"{'run':<28} {'seconds':>8} {'files/s':>8} {'pages/s':>8} {'CPU s':>8} {'peak RSS MB':>12} "
        f"{'peak PSS MB':>12} {'load':>6}"
    )
    for r in (*ones, *twos, rerun, *([big] if big else [])):
        print(
            f"{r.label:<28} {r.seconds:>8.2f} {r.files_per_s:>8.1f} {r.pages_per_s:>8.1f} {r.cpu_seconds:>8.1f} "
            f"{r.peak_rss_mb:>12.0f} {r.peak_pss_mb:>12.0f} {r.load_before:>6.2f}"
        )
    each = ", ".join(f"{r:.2f}" for r in pair_ratios)
    target = f"target >= {TARGET_SPEEDUP}x: {ok(speedup >= TARGET_SPEEDUP)}"
    print(f"--jobs 2 / --jobs 1: {speedup:.2f}x, median of {each} ({target})")
    model = figures["jobs2_over_jobs1_cpu_model"]
    print(
        f"from CPU time (load-independent), on 2 idle cores: --jobs 1 {one.idle_seconds(2, 1):.1f} s, "
        f"--jobs 2 {two.idle_seconds(2, 2):.1f} s = {model:.2f}x; the importing process used "
        f"{two.parent_cpu_seconds:.1f} s of {two.cpu_seconds:.1f} s with --jobs 2; whole --jobs 1 import "
        f"{figures['ingest_jobs1_over_pdftotext_cpu_model']:.2f}x pdftotext"
    )
    print(
        f"no-change re-run: {rerun.seconds:.2f} s (target < {TARGET_RERUN_S:g} s: {ok(rerun.seconds < TARGET_RERUN_S)})"
    )
    print(
        f"peak memory of the process tree: PSS {peak_pss:.0f} MB (target < {TARGET_RSS_MB:g} MB: "
        f"{ok(peak_pss < TARGET_RSS_MB)}); summed RSS {peak:.0f} MB (counts pages shared by forked processes "
        "once per process)"
    )
    whole = figures["ingest_jobs1_over_pdftotext"]
    print(
        f"pdftotext on the same {pdf_count} PDFs ({pdf_pages} pages): {ref_pages_s:.0f} pages/s; "
        f"our parse (in-worker time) {our_pdf_pages_s:.0f} pages/s = "
        f"{figures['our_parse_over_pdftotext']:.2f}x pdftotext; "
        f"whole ingest --jobs 1 = {whole:.2f}x (target >= {TARGET_VS_PDFTOTEXT}x: {ok(whole >= TARGET_VS_PDFTOTEXT)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
