"""LibreOffice conversions of legacy files to DOCX: conversions per second.

Usage:

    python benchmarks/bench_convert.py [--files N] [--format doc|rtf|odt] [--json]

The first N DOCX files of the sample corpus (default 12) are written as FORMAT
(default ``doc``) by LibreOffice, then converted back to DOCX with an empty
cache each time, four ways:

* ``one per call``: ``parsers.legacy.convert`` per file, one LibreOffice start
  each (what one ingest worker does);
* ``one call``: ``parsers.legacy.convert_many``, all files in one start;
* ``ingest --jobs 1`` and ``--jobs 2``: ``arkiv ingest`` of the folder (conversion,
  DOCX extraction, structure parsing, catalog), files per second;
* ``cached``: ``parse_file`` of every file again, the conversions read from the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import flatten, write_figures  # noqa: E402

from ingest.batch import IngestOptions, ingest
from parsers import legacy, parse_file, sha256_of

SAMPLE = Path(__file__).resolve().parents[1] / "corpus" / "sample"


def write_legacy(docx_files: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """``docx_files`` written as ``fmt`` by LibreOffice, in one start."""
    soffice = legacy.soffice_command()
    if soffice is None:
        raise SystemExit(f"soffice not found: install {legacy.PACKAGE}")
    profile = outdir / "writer-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        + ["--convert-to", fmt, "--outdir", str(outdir), *map(str, docx_files)],
        check=True,
        capture_output=True,
    )
    return [outdir / f"{p.stem}.{fmt}" for p in docx_files]


def timed(cache: Path, run: Callable[[], object]) -> float:
    """Seconds ``run`` takes with ``cache`` as the (empty) conversion cache."""
    os.environ[legacy.CACHE_ENV] = str(cache)
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--format", choices=("doc", "rtf", "odt"), default="doc")
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    args = parser.parse_args()
    docx_files = sorted(SAMPLE.rglob("*.docx"))[: args.files]
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        root = Path(tmp)
        src = root / "src"
        src.mkdir()
        files = write_legacy(docx_files, args.format, src)
        items = [(p, args.format, sha256_of(p)) for p in files]
        n = len(files)
        results = {
            "one per call": timed(root / "c1", lambda: [legacy.convert(*item) for item in items]),
            "one call": timed(root / "c2", lambda: legacy.convert_many(items)),
        }
        for jobs in (1, 2):
            report = None

            def run(jobs: int = jobs) -> None:
                nonlocal report
                report = ingest(root / f"archive-{jobs}", [src], IngestOptions(jobs=jobs))

            os.environ.pop(legacy.CACHE_ENV, None)  # the archive's own cache, as an import does
            started = time.perf_counter()
            run()
            results[f"ingest --jobs {jobs}"] = time.perf_counter() - started
            assert report is not None and report.parsed_files == n, report
        results["cached"] = timed(root / "c2", lambda: [parse_file(p) for p in files])
    rates = {name: n / seconds for name, seconds in results.items()}
    figures = {"files": n, "format": args.format, "per_second": rates, "seconds": results}
    if args.json and args.json != "-":
        write_figures(args.json, {k.replace(" ", "_").replace("--", ""): v for k, v in flatten(figures).items()})
    elif args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{n} .{args.format} files made by LibreOffice from the sample corpus's DOCX")
    for name, seconds in results.items():
        print(f"  {name:<16} {seconds:6.2f} s  {rates[name]:6.2f} files/s")


if __name__ == "__main__":
    main()
