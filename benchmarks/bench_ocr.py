"""OCR speed of `arkiv ingest` on scanned PDFs: pages per second with --jobs 1 and --jobs 2.

Usage:

    python benchmarks/bench_ocr.py [--count N] [--dpi D] [--json]

Scanned renderings of N gold documents of corpus/sample (``corpus.scanned``: image-only
PDFs with skew and noise, D dpi) are imported with ``arkiv ingest --no-index`` into a new
archive, once with one worker and once with two; each run starts with an empty OCR cache,
so every page is read by Tesseract. A third run with ``--reparse`` on the two-worker archive
shows the cache (no page is read again). Whole-process wall time, as a user sees it; the
machine is shared, so compare the figures of one run with each other.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from corpus.scanned import sample_pdfs, scan_gold_set

ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]


def _ingest(source: Path, archive: Path, *extra: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [*ARKIV, "ingest", str(source), "--archive", str(archive), "--no-index", "--quiet", *extra],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 3):
        raise SystemExit(f"arkiv ingest failed ({result.returncode}): {result.stderr.strip()}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=6, help="scanned documents (1-2 pages each)")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    args = parser.parse_args(argv)
    if shutil.which("tesseract") is None:
        print("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-dan)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        work = Path(tmp)
        pages = scan_gold_set(work / "set", sample_pdfs(args.count), dpi=args.dpi)
        scanned = work / "set" / "scanned"
        one = _ingest(scanned, work / "a1", "--jobs", "1")
        two = _ingest(scanned, work / "a2", "--jobs", "2")
        cached = _ingest(scanned, work / "a2", "--jobs", "2", "--reparse")
    figures = {
        "documents": args.count,
        "pages": pages,
        "dpi": args.dpi,
        "jobs1_pages_per_s": round(pages / one, 3),
        "jobs2_pages_per_s": round(pages / two, 3),
        "speedup_jobs2": round(one / two, 2),
        "reparse_cached_seconds": round(cached, 2),
    }
    if args.json and args.json != "-":
        write_figures(args.json, figures)
    if args.json == "-":
        print(json.dumps(figures, indent=2))
    else:
        print(f"{pages} scanned pages ({args.count} documents, {args.dpi} dpi)")
        print(f"--jobs 1: {one:6.1f} s  {figures['jobs1_pages_per_s']:.2f} pages/s")
        print(f"--jobs 2: {two:6.1f} s  {figures['jobs2_pages_per_s']:.2f} pages/s  ({figures['speedup_jobs2']:.2f}x)")
        print(f"--reparse with the OCR cache: {cached:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
