"""The check for damaged PDF content streams: the raw-byte first pass against pdfminer alone.

    python benchmarks/bench_pdf_check.py --json benchmarks/results/bench_pdf_check.json

Three groups of PDFs: ``corpus/sample``, the real documents in ``../shared/realdocs``
and a generated archive (``arkiv generate-corpus WORK --count 600 --seed 11``, about
300 PDFs; made once in ``--work`` and reused). For each group, in one process on one core:

* ``damaged_pages`` (first pass, pdfminer only where it cannot answer) against
  ``damaged_pages_pdfminer`` (the check before the first pass) on every file, with the
  number of files the first pass handed to pdfminer and why;
* the whole ``pdf_extractor.extract`` with each of the two checks;
* ``pdftotext`` on the same files as the reference, as pages/s ratios (the machine is shared,
  so only ratios measured in the same run mean anything).

Every group is read ``--repeat`` times (a small group more often), every file by all the
variants back to back; per file and variant the fastest time counts. Scans (no text layer:
OCR would dominate) are left out of the ``extract`` rows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from results_io import write_figures  # noqa: E402

from parsers import pdf_extractor  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.pdf_chars import damaged_pages, damaged_pages_pdfminer, scan_content_streams  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
MIN_FILES = 100  # a group of fewer files is read repeat * (MIN_FILES // files) times


def _generated(work: Path, count: int, seed: int) -> list[Path]:
    if not any(work.rglob("*.pdf")):
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", "from search_cli.cli import main; main()", "generate-corpus", str(work),
             "--count", str(count), "--seed", str(seed)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return sorted(work.rglob("*.pdf"))


def _pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-q", str(path), "-"], stdout=subprocess.DEVNULL, check=False)


def _extract_with(check: Callable[[Path], dict[int, str]]) -> Callable[[Path], Any]:
    def run(path: Path) -> Any:
        pdf_extractor.damaged_pages = check  # type: ignore[assignment]
        try:
            return pdf_extractor.extract(path)
        finally:
            pdf_extractor.damaged_pages = damaged_pages  # type: ignore[assignment]

    return run


def _readable(files: list[Path]) -> tuple[list[Path], int]:
    """The files ``extract`` reads without OCR, and their pages."""
    kept, pages = [], 0
    for path in files:
        text = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, check=False).stdout
        if len(text.strip()) < 200:  # a scan: OCR would dominate the time
            continue
        try:
            document = pdf_extractor.extract(path)
        except ParseError:
            continue
        kept.append(path)
        pages += document.page_count
    return kept, pages


def measure(files: list[Path], repeat: int) -> dict[str, Any]:
    reasons: Counter[str] = Counter()
    for path in files:
        reason = scan_content_streams(path.read_bytes())
        if reason is not None:
            reasons[reason.split(":")[0].split("(")[0].strip()] += 1
        if damaged_pages(path) != damaged_pages_pdfminer(path):
            raise SystemExit(f"{path}: the two checks disagree")
    readable, pages = _readable(files)
    jobs: dict[str, tuple[Callable[[Path], Any], set[Path]]] = {
        "check_old": (damaged_pages_pdfminer, set(files)),
        "check_new": (damaged_pages, set(files)),
        "extract_old": (_extract_with(damaged_pages_pdfminer), set(readable)),
        "extract_new": (_extract_with(damaged_pages), set(readable)),
        "pdftotext": (_pdftotext, set(readable)),
    }
    # per file and job the fastest of the passes, the jobs of one file back to back: both
    # sides of a ratio see the same load on the shared machine
    fastest: dict[tuple[str, Path], float] = {}
    passes = repeat * max(1, MIN_FILES // len(files))  # small groups: more passes, less noise
    for _ in range(passes):
        for path in files:
            for name, (fn, group) in jobs.items():
                if path in group:
                    start = time.perf_counter()
                    fn(path)
                    seconds = time.perf_counter() - start
                    fastest[name, path] = min(fastest.get((name, path), seconds), seconds)
    best = {name: sum(t for (job, _path), t in fastest.items() if job == name) for name in jobs}
    return {
        "files": len(files),
        "answered_by_first_pass": len(files) - sum(reasons.values()),
        "fallbacks": sum(reasons.values()),
        "fallback_reasons": dict(reasons.most_common()),
        "check_old_ms": round(best["check_old"] * 1000, 1),
        "check_new_ms": round(best["check_new"] * 1000, 1),
        "check_speedup": round(best["check_old"] / best["check_new"], 2),
        "extract_files": len(readable),
        "extract_pages": pages,
        "extract_old_s": round(best["extract_old"], 3),
        "extract_new_s": round(best["extract_new"], 3),
        "extract_speedup": round(best["extract_old"] / best["extract_new"], 3),
        "check_old_share_of_extract": round(best["check_old"] / best["extract_old"], 3) if readable == files else None,
        "pdftotext_s": round(best["pdftotext"], 3),
        "extract_old_vs_pdftotext": round(best["pdftotext"] / best["extract_old"], 3),
        "extract_new_vs_pdftotext": round(best["pdftotext"] / best["extract_new"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pdfbench"), help="the generated archive")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", help="write the figures as one flat JSON object")
    args = parser.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext is not installed (Debian package poppler-utils)")
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if cores:
        os.sched_setaffinity(0, {min(cores)})  # one core, like one ingest worker
    groups = {
        "sample": sorted((ROOT / "corpus" / "sample").rglob("*.pdf")),
        "realdocs": sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else [],
        "generated": _generated(args.work, args.count, args.seed),
    }
    warm = groups["sample"][:2] + groups["realdocs"][:1]  # imports (pdfminer, numpy, pdfium) out of the timings
    for path in warm:
        damaged_pages(path), damaged_pages_pdfminer(path), pdf_extractor.extract(path)
    figures: dict[str, Any] = {}
    for name, files in groups.items():
        if not files:
            continue
        row = measure(files, args.repeat)
        figures[name] = row
        print(
            f"{name:10} {row['files']:4} files, first pass answered {row['answered_by_first_pass']}, "
            f"pdfminer {row['fallbacks']} {row['fallback_reasons'] or ''}\n"
            f"{'':10} check {row['check_old_ms']:.0f} ms -> {row['check_new_ms']:.0f} ms ({row['check_speedup']}x); "
            f"extract {row['extract_pages']} pages {row['extract_old_s']:.2f} s -> {row['extract_new_s']:.2f} s "
            f"({row['extract_speedup']}x); vs pdftotext pages/s {row['extract_old_vs_pdftotext']} -> "
            f"{row['extract_new_vs_pdftotext']}",
            flush=True,
        )
    if cores:
        os.sched_setaffinity(0, cores)  # the result names the machine's cores, not the pinned one
    if args.json:
        write_figures(args.json, figures)


if __name__ == "__main__":
    main()
