"""Parse speed of the PDF char sources against pdftotext, on one core.

Usage:

    python benchmarks/bench_parse.py [DIR] [--realdocs] [--repeat N] [--extract-only] [--json]

Every PDF under DIR (default ``corpus/sample``; ``--realdocs``: the real published
documents in ``../shared/realdocs``; when DIR holds no PDFs, a small generated
set) is parsed once per char source (``ARKIV_PDF_CHARS=pdfium`` and
``pdfplumber``), each source in a fresh worker process pinned to one core, so
that peak RSS belongs to that source alone. A parse is ``parsers.parse_file``
(extraction + structure parser), or extraction alone with ``--extract-only``.
``pdftotext`` runs once per file on the same files as the reference. A PDF that
our parser refuses (a scan without a text layer, an encrypted file) is left out
of every row, so that all rows time the same pages; the table says how many.

The machine is shared, so absolute numbers are noisy: read the ratios, which
are measured in the same run. With ``--repeat N`` every source reads all files
N times and the fastest pass counts (the passes that other work on the machine
slowed down are dropped alike for every source).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
SOURCES = ("pdfium", "pdfplumber")
# the DOCX extractor, timed on the DOCX files of the same directory (the key is from when it was python-docx)
DOCX = "python-docx"
PDFTOTEXT = "pdftotext"  # the reference, timed in a worker of its own like the sources


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[-1]})


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _files(directory: Path, suffix: str) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() == suffix and p.is_file())


def _parseable(files: list[Path]) -> tuple[list[Path], list[str]]:
    """The files our parser reads, and one line for each it refuses (checked once, untimed, in a
    child process: a child starts with its parent's peak RSS, so the driver stays small)."""
    if not files:
        return [], []
    cmd = [sys.executable, __file__, "--check", "--files", *map(str, files)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return [Path(f) for f in found["kept"]], found["refused"]


def check_files(files: list[Path]) -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    import parsers
    from parsers.errors import ParseError

    kept: list[str] = []
    refused: list[str] = []
    for path in files:
        try:
            record = parsers.parse_file(path)
        except ParseError as e:
            refused.append(str(e))
            continue
        if getattr(record.source, "ocr_pages", None):  # scanned pages: OCR, timed by bench_ocr.py
            refused.append(f"{path}: scanned pages read by OCR (see benchmarks/bench_ocr.py)")
            continue
        kept.append(str(path))
    return {"kept": kept, "refused": refused}


def _generated_corpus(target: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.make_files import make_long_pdf, make_meeting_pdf

    files = [make_meeting_pdf(target / f"referat-{n}.pdf", pages=n) for n in (1, 2, 3, 5, 8)]
    files.append(make_long_pdf(target / "lang.pdf", pages=60))
    return files


# ---------------------------------------------------------------------------
# Worker: one char source in its own process
# ---------------------------------------------------------------------------


def run_worker(source: str, files: list[Path], repeat: int, extract_only: bool) -> dict[str, Any]:
    if source in SOURCES:
        os.environ["ARKIV_PDF_CHARS"] = source
    _pin_to_one_core()
    import parsers
    from parsers.errors import ParseError

    mode = "extract"
    parse = parsers.extract
    if not extract_only:
        try:
            import parsers.structure  # noqa: F401

            parse = parsers.parse_file  # type: ignore[assignment]
            mode = "extract+parse"
        except ImportError:
            pass
    pages = 0
    errors = 0
    passes: list[float] = []
    for _ in range(repeat):
        pages = errors = 0
        start = time.perf_counter()
        for path in files:
            try:
                result = parse(path)
            except ParseError:
                errors += 1
                continue
            pages += result.source.page_count if mode == "extract+parse" else result.page_count  # type: ignore[union-attr]
        passes.append(time.perf_counter() - start)
    return {
        "source": source,
        "mode": mode,
        "pages": pages,
        "seconds": min(passes, default=0.0),
        "errors": errors,
        "rss_mb": _peak_rss_mb(),
    }


def run_pdftotext(files: list[Path], repeat: int) -> dict[str, Any]:
    """pdftotext once per file (a process each, pinned to one core) in this worker process."""
    _pin_to_one_core()
    exe = shutil.which("pdftotext") or "pdftotext"
    pages = 0
    passes: list[float] = []
    for _ in range(repeat):
        pages = 0
        start = time.perf_counter()
        for path in files:
            done = subprocess.run(
                [exe, "-q", "-enc", "UTF-8", str(path), "-"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            if done.returncode == 0:
                pages += done.stdout.count(b"\f") or 1
        passes.append(time.perf_counter() - start)
    return {
        "source": PDFTOTEXT,
        "mode": "text",
        "pages": pages,
        "seconds": min(passes, default=0.0),
        "errors": 0,
        "rss_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN),
    }


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", nargs="?", default=str(ROOT / "corpus" / "sample"))
    ap.add_argument("--realdocs", action="store_true", help=f"time the real documents in {REALDOCS}")
    ap.add_argument("--repeat", type=int, default=1, help="read all files this many times; the fastest pass counts")
    ap.add_argument("--extract-only", action="store_true", help="time extraction without the structure parser")
    ap.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    ap.add_argument("--worker", choices=(*SOURCES, DOCX, PDFTOTEXT), help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.check:
        print(json.dumps(check_files([Path(f) for f in args.files or []])))
        return 0

    if args.worker == PDFTOTEXT:
        print(json.dumps(run_pdftotext([Path(f) for f in args.files or []], args.repeat)))
        return 0
    if args.worker:
        result = run_worker(args.worker, [Path(f) for f in args.files or []], args.repeat, args.extract_only)
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        directory = REALDOCS if args.realdocs else Path(args.directory)
        files = _files(directory, ".pdf") if directory.is_dir() else []
        docx_files = _files(directory, ".docx") if directory.is_dir() else []
        label = str(directory)
        if not files:
            files = _generated_corpus(Path(tmp))
            label = f"{len(files)} generated PDFs ({directory} has none)"
        files, refused = _parseable(files)
        docx_files, refused_docx = _parseable(docx_files)
        refused += refused_docx
        results = []
        jobs = [(source, files) for source in SOURCES] + ([(DOCX, docx_files)] if docx_files else [])
        if shutil.which("pdftotext"):
            jobs.append((PDFTOTEXT, files))
        else:
            print(
                "pdftotext is not installed (poppler-utils; make setup installs it): no reference row", file=sys.stderr
            )
        for source, job_files in jobs:
            cmd = [sys.executable, __file__, "--worker", source, "--repeat", str(args.repeat)]
            cmd += ["--extract-only"] if args.extract_only else []
            cmd += ["--files", *map(str, job_files)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
            if out.returncode != 0:
                print(f"worker {source} failed:\n{out.stderr}", file=sys.stderr)
                return 1
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))

    for r in results:
        r["pages_per_s"] = r["pages"] / r["seconds"] if r["seconds"] else 0.0
    by_source = {r["source"]: r for r in results}
    if args.json:
        payload = {
            "corpus": label,
            "pdf_files": len(files),
            "docx_files": len(docx_files),
            "left_out": refused,
            "results": results,
        }
        if args.json != "-":
            pdftotext_rate = by_source.get(PDFTOTEXT, {}).get("pages_per_s") or 0.0
            flat = {"corpus": label, "pdf_files": len(files), "docx_files": len(docx_files), "left_out": len(refused)}
            for r in results:
                flat[f"{r['source']}_pages_per_s"] = r["pages_per_s"]
                flat[f"{r['source']}_peak_rss_mb"] = r.get("rss_mb")
                if pdftotext_rate and r["source"] != DOCX:
                    flat[f"{r['source']}_vs_pdftotext"] = r["pages_per_s"] / pdftotext_rate
            write_figures(args.json, flat)
        else:
            print(json.dumps(payload, indent=2))
        return 0
    passes = f", fastest of {args.repeat} passes" if args.repeat > 1 else ""
    print(f"corpus: {label}: {len(files)} PDFs, {by_source['pdfium']['pages']} pages, one core{passes}")
    if docx_files:
        print(f"        and {len(docx_files)} DOCX files (DOCX row; their pages are explicit page breaks + 1)")
    for reason in refused:
        print(f"        left out (the parser refuses it): {reason}")
    base = by_source.get(PDFTOTEXT)
    header = ("source", "mode", "pages", "seconds", "pages/s", "vs pdftotext", "peak RSS MB")
    print("{:<11} {:<14} {:>6} {:>8} {:>8} {:>13} {:>12}".format(*header))
    for r in results:
        comparable = base and base["pages_per_s"] and r["source"] != DOCX
        ratio = f"{r['pages_per_s'] / base['pages_per_s']:.2f}x" if comparable else "-"
        print(
            f"{r['source']:<11} {r['mode']:<14} {r['pages']:>6} {r['seconds']:>8.2f} {r['pages_per_s']:>8.1f} "
            f"{ratio:>13} {r['rss_mb']:>12.0f}"
        )
    fast, slow = by_source["pdfium"], by_source["pdfplumber"]
    if slow["pages_per_s"]:
        print(f"pdfium is {fast['pages_per_s'] / slow['pages_per_s']:.1f}x faster than pdfplumber")
    errors = sum(r["errors"] for r in results)
    if errors:
        print(f"{errors} parse errors (bad files are counted, not timed)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
