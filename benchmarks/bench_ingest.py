"""Benchmark ``arkiv ingest`` on a generated archive, against ``pdftotext`` as the reference.

    python benchmarks/bench_ingest.py                      # 4,000 documents (about 10,000 pages)
    python benchmarks/bench_ingest.py --count 200 --big-pages 0

Prints, for one generated archive: files/s and pages/s with ``--jobs 1`` and
``--jobs 2`` (and their ratio), the peak RSS of the whole process tree (the
``arkiv`` process and its workers, sampled from /proc), the time of a no-change
re-run, ``pdftotext`` over the same PDFs as the reference (as a ratio: the
machine is shared, so absolute numbers are noisy; ratios measured in the same
run are not), and one very long PDF (``--big-pages``) imported alone, for
memory. The generated archive is kept in ``--work`` and reused by later runs
with the same seed and count.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]

TARGET_RERUN_S = 5.0
TARGET_SPEEDUP = 1.7
TARGET_RSS_MB = 1024.0


@dataclass
class Run:
    label: str
    seconds: float
    files: int
    pages: int
    peak_rss_mb: float
    exit_code: int

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (0 when it is gone)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            stack += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def _measure(cmd: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS of its process tree in MB, exit code)."""
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
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
    return seconds, peak / 1024, proc.returncode


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
    seconds, rss, code = _measure(cmd)
    files, pages = _catalog_counts(archive)
    return Run(label, seconds, files, pages, rss, code)


def _generate(work: Path, seed: int, count: int) -> Path:
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


def _pdftotext(archive: Path) -> tuple[float, int, float, int]:
    """pdftotext over the catalog's PDFs, one after the other.

    Returns (pdftotext seconds, PDF pages, our in-worker parse seconds for the same PDFs, PDF count).
    """
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        rows = conn.execute(
            "SELECT min(f.path), c.pages, c.parse_seconds FROM files f JOIN contents c ON c.sha256 = f.sha256 "
            "WHERE c.format = 'pdf' AND c.status != 'quarantined' AND f.path NOT LIKE '%!%' GROUP BY c.sha256"
        ).fetchall()
    finally:
        conn.close()
    started = time.perf_counter()
    for path, _, _ in rows:
        subprocess.run(["pdftotext", "-q", path, "-"], check=False, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return seconds, sum(r[1] for r in rows), sum(r[2] or 0.0 for r in rows), len(rows)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=4000, help="documents to generate (default 4000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "arkiv-bench-ingest")
    parser.add_argument("--big-pages", type=int, default=2000, help="pages of the long PDF; 0: skip it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    src = _generate(args.work, args.seed, args.count)

    one = _ingest("ingest --jobs 1", src, args.work / "arkiv-j1", 1)
    two = _ingest("ingest --jobs 2", src, args.work / "arkiv-j2", 2)
    rerun = _ingest("no-change re-run", src, args.work / "arkiv-j2", 2, fresh=False)
    ref_s, pdf_pages, our_parse_s, pdf_count = _pdftotext(args.work / "arkiv-j1")

    big: Run | None = None
    if args.big_pages:
        big_dir = args.work / f"big-{args.big_pages}"
        big_dir.mkdir(exist_ok=True)
        big_pdf = big_dir / f"referat-{args.big_pages}-sider.pdf"
        if not big_pdf.exists():
            _big_pdf(big_pdf, args.big_pages)
        big = _ingest(f"one {args.big_pages}-page PDF", big_dir, args.work / "arkiv-big", 1)

    speedup = two.files_per_s / one.files_per_s if one.files_per_s else 0.0
    ref_pages_s = pdf_pages / ref_s if ref_s else 0.0
    our_pdf_pages_s = pdf_pages / our_parse_s if our_parse_s else 0.0
    peak = max(r.peak_rss_mb for r in (one, two, rerun, *([big] if big else [])))
    figures = {
        "documents": one.files,
        "pages": one.pages,
        "runs": [asdict(r) | {"files_per_s": r.files_per_s, "pages_per_s": r.pages_per_s} for r in (one, two, rerun)]
        + ([asdict(big) | {"pages_per_s": big.pages_per_s}] if big else []),
        "jobs2_over_jobs1": speedup,
        "no_change_rerun_s": rerun.seconds,
        "peak_rss_mb": peak,
        "pdftotext": {
            "pdfs": pdf_count,
            "pages": pdf_pages,
            "seconds": ref_s,
            "pages_per_s": ref_pages_s,
            "our_parse_pages_per_s": our_pdf_pages_s,
            "ours_over_pdftotext": our_pdf_pages_s / ref_pages_s if ref_pages_s else 0.0,
            "ingest_jobs1_over_pdftotext": (one.pages_per_s / ref_pages_s) if ref_pages_s else 0.0,
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0

    def ok(passed: bool) -> str:
        return "ok" if passed else "MISSED"

    print(f"archive: {one.files} documents, {one.pages} pages ({src})")
    print(f"{'run':<28} {'seconds':>8} {'files/s':>8} {'pages/s':>8} {'peak RSS MB':>12}")
    for r in (one, two, rerun, *([big] if big else [])):
        print(f"{r.label:<28} {r.seconds:>8.2f} {r.files_per_s:>8.1f} {r.pages_per_s:>8.1f} {r.peak_rss_mb:>12.0f}")
    print(f"--jobs 2 / --jobs 1: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x: {ok(speedup >= TARGET_SPEEDUP)})")
    print(
        f"no-change re-run: {rerun.seconds:.2f} s (target < {TARGET_RERUN_S:g} s: {ok(rerun.seconds < TARGET_RERUN_S)})"
    )
    print(f"peak RSS: {peak:.0f} MB (target < {TARGET_RSS_MB:g} MB: {ok(peak < TARGET_RSS_MB)})")
    ref = figures["pdftotext"]
    print(
        f"pdftotext on the same {pdf_count} PDFs ({pdf_pages} pages): {ref_pages_s:.0f} pages/s; "
        f"our parse (in-worker time) {our_pdf_pages_s:.0f} pages/s = {ref['ours_over_pdftotext']:.2f}x pdftotext; "
        f"whole ingest --jobs 1 = {ref['ingest_jobs1_over_pdftotext']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
