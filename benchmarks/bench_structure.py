"""CPU time and output equality of the structure parser (``parsers.structure.build_record``) against an
older revision of the project, on the same extracted files in the same run.

Usage:

    python benchmarks/bench_structure.py [--ref REV] [--generated N] [--rounds R] [--json PATH]

The files are ``N`` generated meeting documents (``arkiv generate-corpus --seed 2024``), every
PDF/DOCX/HTML under ``corpus/sample`` and the real published documents in ``../shared/realdocs``
(files the parser refuses are left out). Each file is extracted once, with this tree's extractors;
the extracted blocks are then handed to ``build_record`` of this tree ("new") and of ``REV``
("old", exported with ``git archive``; default: the commit where this branch left ``main``),
each in a worker process of its own, ``R`` rounds alternating old and new. A round times the CPU
of ``build_record`` over all files. The records of both revisions are serialized with
``record_to_json`` and compared: any difference is listed and the exit code is 1. The machine is
shared: read the ratio of the medians, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
SUFFIXES = {".pdf", ".docx", ".html", ".htm"}


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())


def _extract_all(files: list[Path], out: Path) -> int:
    """Extract every file once and pickle (extracted, source) pairs; files the parser refuses are left out."""
    sys.path.insert(0, str(ROOT))
    import parsers
    from parsers.errors import ParseError
    from parsers.records import Source

    pairs: list[tuple[str, Any, Any]] = []
    for path in files:
        try:
            extracted = parsers.extract(path)
        except ParseError:
            continue
        source = Source(
            path=str(path),
            sha256=parsers.sha256_of(path),
            format=extracted.format,
            page_count=extracted.page_count,
            parser_version=parsers.PARSER_VERSION,
            ocr_pages=extracted.ocr_pages,
            ocr_confidence=extracted.ocr_confidence,
            converted_from=extracted.converted_from,
        )
        pairs.append((str(path), extracted, source))
    out.write_bytes(pickle.dumps(pairs))
    return len(pairs)


def _worker(tree: Path, pickled: Path, out: Path | None) -> None:
    """Run build_record of ``tree`` on every pickled file; print the CPU seconds; write the records' JSON."""
    sys.path.insert(0, str(tree))
    from parsers.serialize import record_to_json
    from parsers.structure import build_record

    pairs = pickle.loads(pickled.read_bytes())
    records = []
    started = time.process_time()
    for _path, extracted, source in pairs:
        records.append(build_record(extracted, source))
    cpu = time.process_time() - started
    if out is not None:
        paths = [path for path, _e, _s in pairs]
        out.write_text(json.dumps({p: record_to_json(r, indent=None) for p, r in zip(paths, records, strict=True)}))
    print(json.dumps({"cpu": cpu}))


def _run_worker(tree: Path, pickled: Path, out: Path | None) -> float:
    cmd = [sys.executable, __file__, "--worker", str(tree), "--pickled", str(pickled)]
    if out is not None:
        cmd += ["--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=tree)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["cpu"])


def _export(rev: str, dest: Path) -> None:
    archive = subprocess.run(["git", "archive", rev], capture_output=True, check=True, cwd=ROOT).stdout
    tar_path = dest.with_suffix(".tar")
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest, filter="data")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", help="the older revision to compare with (default: where HEAD left main)")
    ap.add_argument("--generated", type=int, default=800, help="generated files (default 800)")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds per revision (default 5)")
    ap.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--pickled", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker is not None:
        _worker(args.worker, args.pickled, args.out)
        return 0

    if args.ref is None:
        git = ["git", "merge-base", "HEAD", "main"]
        args.ref = subprocess.run(git, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-structure-") as tmp_name:
        tmp = Path(tmp_name)
        generated = tmp / "generated"
        if args.generated:
            subprocess.run(
                [str(Path(sys.executable).parent / "arkiv"), "generate-corpus", str(generated)]
                + ["--count", str(args.generated), "--seed", "2024"],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
        groups = {
            "generated": _files(generated),
            "sample": _files(ROOT / "corpus" / "sample"),
            "realdocs": _files(REALDOCS),
        }
        pickled = tmp / "extracted.pickle"
        count = _extract_all([f for files in groups.values() for f in files], pickled)
        old_tree = tmp / "old"
        old_tree.mkdir()
        _export(args.ref, old_tree)

        old_json, new_json = tmp / "old.json", tmp / "new.json"
        old_cpu = [_run_worker(old_tree, pickled, old_json)]
        new_cpu = [_run_worker(ROOT, pickled, new_json)]
        for _ in range(args.rounds - 1):
            old_cpu.append(_run_worker(old_tree, pickled, None))
            new_cpu.append(_run_worker(ROOT, pickled, None))
        old_records = json.loads(old_json.read_text())
        new_records = json.loads(new_json.read_text())
    differing = sorted(p for p in old_records if old_records[p] != new_records.get(p))
    for path in differing:
        print(f"differs: {path}", file=sys.stderr)
    old_median, new_median = statistics.median(old_cpu), statistics.median(new_cpu)
    figures = {
        "ref": args.ref,
        "files": count,
        "files_generated": len(groups["generated"]),
        "files_sample": len(groups["sample"]),
        "files_realdocs": len(groups["realdocs"]),
        "rounds": args.rounds,
        "old_cpu_s_median": round(old_median, 3),
        "new_cpu_s_median": round(new_median, 3),
        "ratio_new_to_old": round(new_median / old_median, 3),
        "records_differing": len(differing),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        write_figures(args.json, figures)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
