"""Parse speed of the PDF char sources against pdftotext, on one core.

Usage:

    python benchmarks/bench_parse.py [DIR] [--repeat N] [--extract-only] [--json]

Every PDF under DIR (default ``corpus/sample``; when it holds no PDFs, a small
generated set) is parsed once per char source (``ARKIV_PDF_CHARS=pdfium`` and
``pdfplumber``), each source in a fresh worker process pinned to one core, so
that peak RSS belongs to that source alone. A parse is ``parsers.parse_file``
(extraction + structure parser), or extraction alone with ``--extract-only``.
``pdftotext`` runs once per file on the same files as the reference.

The machine is shared, so absolute numbers are noisy: read the ratios, which
are measured in the same run.
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
SOURCES = ("pdfium", "pdfplumber")
DOCX = "python-docx"  # the DOCX extractor, timed on the DOCX files of the same directory


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[-1]})


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _files(directory: Path, suffix: str) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() == suffix and p.is_file())


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
    start = time.perf_counter()
    for _ in range(repeat):
        for path in files:
            try:
                result = parse(path)
            except ParseError:
                errors += 1
                continue
            pages += result.source.page_count if mode == "extract+parse" else result.page_count  # type: ignore[union-attr]
    seconds = time.perf_counter() - start
    return {
        "source": source,
        "mode": mode,
        "pages": pages,
        "seconds": seconds,
        "errors": errors,
        "rss_mb": _peak_rss_mb(),
    }


def run_pdftotext(files: list[Path], repeat: int) -> dict[str, Any] | None:
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    pages = 0
    start = time.perf_counter()
    for _ in range(repeat):
        for path in files:
            done = subprocess.run(
                [exe, "-q", "-enc", "UTF-8", str(path), "-"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                preexec_fn=_pin_to_one_core,
                check=False,
            )
            if done.returncode == 0:
                pages += done.stdout.count(b"\f") or 1
    seconds = time.perf_counter() - start
    return {
        "source": "pdftotext",
        "mode": "text",
        "pages": pages,
        "seconds": seconds,
        "errors": 0,
        "rss_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN),
    }


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("directory", nargs="?", default=str(ROOT / "corpus" / "sample"))
    ap.add_argument("--repeat", type=int, default=1, help="parse every file this many times")
    ap.add_argument("--extract-only", action="store_true", help="time extraction without the structure parser")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--worker", choices=(*SOURCES, DOCX), help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        result = run_worker(args.worker, [Path(f) for f in args.files or []], args.repeat, args.extract_only)
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        directory = Path(args.directory)
        files = _files(directory, ".pdf") if directory.is_dir() else []
        docx_files = _files(directory, ".docx") if directory.is_dir() else []
        label = str(directory)
        if not files:
            files = _generated_corpus(Path(tmp))
            label = f"{len(files)} generated PDFs ({directory} has none)"
        # pdftotext first: its peak RSS is read from RUSAGE_CHILDREN, before any worker ends
        reference = run_pdftotext(files, args.repeat)
        results = []
        jobs = [(source, files) for source in SOURCES] + ([(DOCX, docx_files)] if docx_files else [])
        for source, job_files in jobs:
            cmd = [sys.executable, __file__, "--worker", source, "--repeat", str(args.repeat)]
            cmd += ["--extract-only"] if args.extract_only else []
            cmd += ["--files", *map(str, job_files)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
            if out.returncode != 0:
                print(f"worker {source} failed:\n{out.stderr}", file=sys.stderr)
                return 1
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        if reference is not None:
            results.append(reference)

    for r in results:
        r["pages_per_s"] = r["pages"] / r["seconds"] if r["seconds"] else 0.0
    by_source = {r["source"]: r for r in results}
    if args.json:
        payload = {"corpus": label, "pdf_files": len(files), "docx_files": len(docx_files), "results": results}
        print(json.dumps(payload, indent=2))
        return 0
    print(f"corpus: {label}: {len(files)} PDFs, {by_source['pdfium']['pages'] // args.repeat} pages, one core")
    if docx_files:
        print(f"        and {len(docx_files)} DOCX files (python-docx row; their pages are explicit page breaks + 1)")
    base = by_source.get("pdftotext")
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
