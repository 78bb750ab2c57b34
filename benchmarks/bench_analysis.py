"""The index analysis of parsed records (``index.preanalysis.analyse_record``) and their JSON
(``parsers.serialize.record_to_json``): the same output and the CPU time, old code against new.

The files are parsed once (by the code of this checkout), the records kept in a pickle; then each
round runs one fresh process per source tree (alternating, so the machine's load hits both alike)
that analyses every record and writes a digest of every output: the stored analysis bytes
(``RecordAnalysis.to_bytes()`` and its lexicon words), the index documents (``IndexDoc.to_stored``),
the record JSON, and ``arkiv eval-nlp --json``. Any difference in any file is reported and the
exit code is 1. ``--old-src`` is a copy of the source tree to compare with (``--old-without Stemmer``: run
it without PyStemmer, as before that dependency was added), e.g.::

    git archive <commit> | tar -x -C /tmp/old
    .venv/bin/arkiv generate-corpus /tmp/gen --count 800 --seed 2024
    .venv/bin/python benchmarks/bench_analysis.py --old-src /tmp/old --old-without Stemmer \
        /tmp/gen corpus/sample ../shared/realdocs --rounds 5 --json benchmarks/results/bench_analysis.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".xml")


def _files(inputs: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.append(path)
    return found


def prepare(inputs: list[str], out: Path) -> int:
    """Parse every file once and pickle (name, sha256, record) of those that parse."""
    sys.path.insert(0, str(ROOT))
    from parsers import parse_file
    from parsers.errors import ParseError

    rows = []
    for path in _files(inputs):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            record = parse_file(path, sha256=sha)
        except ParseError:
            continue
        rows.append((str(path), sha, record))
    out.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    return len(rows)


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()[:16]


def worker(records: Path, out: Path) -> None:
    """In a fresh process whose ``sys.path`` starts with the source tree to measure: analyse every
    record, time it, and write the digests and times."""
    from index.documents import docs_from_record
    from index.preanalysis import analyse_record
    from parsers.serialize import record_to_json

    rows = pickle.loads(records.read_bytes())
    digests: dict[str, list[str]] = {}
    analyse_s = json_s = 0.0
    for name, sha, record in rows:
        t0 = time.process_time()
        analysis = analyse_record(record, sha, name)
        stored = analysis.to_bytes()
        t1 = time.process_time()
        text = record_to_json(record)
        t2 = time.process_time()
        analyse_s += t1 - t0
        json_s += t2 - t1
        docs = docs_from_record(record, sha, name)
        digests[name] = [
            _digest(stored),
            _digest(" ".join(analysis.words)),
            _digest("\n".join(d.to_stored() for d in docs)),
            _digest(text),
        ]
    out.write_text(json.dumps({"analyse_s": analyse_s, "json_s": json_s, "digests": digests}))


def _run(src: Path, records: Path, work: Path, tag: str, blocked: tuple[str, ...] = ()) -> dict[str, Any]:
    out = work / f"{tag}.json"
    code = (
        f"import sys; sys.modules.update(dict.fromkeys({list(blocked)!r})); "
        f"sys.path.insert(0, {str(src)!r}); sys.path.insert(1, {str(ROOT / 'benchmarks')!r}); "
        f"import bench_analysis; from pathlib import Path; "
        f"bench_analysis.worker(Path({str(records)!r}), Path({str(out)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=work)
    return dict(json.loads(out.read_text()))


def _eval_nlp(src: Path, work: Path, blocked: tuple[str, ...] = ()) -> str:
    code = (
        f"import sys; sys.modules.update(dict.fromkeys({list(blocked)!r})); sys.path.insert(0, {str(src)!r}); "
        "from search_cli.cli import main; main()"
    )
    gold = ROOT / "corpus" / "nlp_gold.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", code, "eval-nlp", "--gold", str(gold), "--json"],
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return f"exit {done.returncode}\n{done.stdout}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="files or folders of PDF/DOCX/HTML/XML files")
    parser.add_argument("--old-src", required=True, type=Path, help="source tree of the code to compare with")
    parser.add_argument(
        "--old-without",
        action="append",
        default=[],
        metavar="MODULE",
        help="a module the old code's environment did not have (imports of it fail in the old runs; repeatable)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternating old/new runs (default 5)")
    parser.add_argument("--json", dest="json_path", default=None, help="write the figures to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        work = Path(tmp)
        blocked = tuple(args.old_without)
        records = work / "records.pickle"
        count = prepare(args.inputs, records)
        print(f"{count} records parsed", file=sys.stderr)
        times: dict[str, list[float]] = {"old_analyse": [], "new_analyse": [], "old_json": [], "new_json": []}
        differ: set[str] = set()
        for r in range(args.rounds):
            runs = {}
            for tag, src in (
                (("old", args.old_src.resolve()), ("new", ROOT))
                if r % 2 == 0
                else (
                    ("new", ROOT),
                    ("old", args.old_src.resolve()),
                )
            ):
                runs[tag] = _run(src, records, work, tag, blocked if tag == "old" else ())
                times[f"{tag}_analyse"].append(runs[tag]["analyse_s"])
                times[f"{tag}_json"].append(runs[tag]["json_s"])
            old_d, new_d = runs["old"]["digests"], runs["new"]["digests"]
            differ |= {name for name in old_d.keys() | new_d.keys() if old_d.get(name) != new_d.get(name)}
            print(
                f"round {r + 1}: analyse old {runs['old']['analyse_s']:.2f} s new {runs['new']['analyse_s']:.2f} s",
                file=sys.stderr,
            )
        nlp_same = _eval_nlp(args.old_src.resolve(), work, blocked) == _eval_nlp(ROOT, work)
    for name in sorted(differ):
        print(f"differs: {name}", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in times.items()}
    figures = {
        "records": count,
        "rounds": args.rounds,
        "differing_records": len(differ),
        "eval_nlp_identical": nlp_same,
        "old_analyse_s_median": round(med["old_analyse"], 3),
        "new_analyse_s_median": round(med["new_analyse"], 3),
        "analyse_ratio": round(med["new_analyse"] / med["old_analyse"], 3),
        "old_record_json_s_median": round(med["old_json"], 3),
        "new_record_json_s_median": round(med["new_json"], 3),
        "record_json_ratio": round(med["new_json"] / med["old_json"], 3),
    }
    print(json.dumps(figures, indent=2))
    if args.json_path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from results_io import write_figures

        write_figures(args.json_path, figures)
    return 0 if not differ and nlp_same else 1


if __name__ == "__main__":
    sys.exit(main())
