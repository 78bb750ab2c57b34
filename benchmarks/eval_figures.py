"""The quality figures of the README, from ``arkiv eval``, ``arkiv eval-search`` and ``arkiv eval-nlp``.

    python benchmarks/eval_figures.py --json benchmarks/results/eval_figures.json

Runs the three commands with ``--json`` and writes their headline figures as one
flat JSON object: the parser score on ``corpus/sample`` (overall and the lowest
field F1), the judged-query scores of each search system on the generated set and on
the real documents (``../shared/realdocs``, ``search_real_*``), and the lowest F1 of the
decision outcomes and entity types of the NLP gold set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index.judged import REAL_QUERIES, load_real_queries  # noqa: E402

ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]


def _run(*args: str) -> Any:
    done = subprocess.run([*ARKIV, *args, "--json"], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"arkiv {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def figures() -> dict[str, Any]:
    parse = _run("eval", "corpus/sample", "-q")
    search = _run("eval-search")
    nlp = _run("eval-nlp")
    f1s = [field["f1"] for field in parse["fields"].values()]
    out: dict[str, Any] = {
        "parse_documents": parse["documents"],
        "parse_overall": parse["overall"],
        "parse_fields": len(f1s),
        "parse_lowest_field_f1": min(f1s),
        "parse_failures": len(parse["failures"]),
        "search_queries": search["queries"],
        "search_documents": search["documents"],
    }
    for system, scores in search["systems"].items():
        for metric, value in scores.items():
            out[f"search_{system}_{metric.replace('@', '_at_')}"] = value
    real = search.get("real")
    if real is None:
        raise SystemExit("arkiv eval-search scored no real-document set: ../shared/realdocs is missing")
    documents, _queries = load_real_queries(REAL_QUERIES)
    out |= {
        "search_real_queries": real["queries"],
        "search_real_files": len(documents),
        "search_real_documents": real["documents"],
        "search_real_engines_differ": len(real["differing"]),
    }
    for system, scores in real["systems"].items():
        for metric, value in scores.items():
            out[f"search_real_{system}_{metric.replace('@', '_at_')}"] = value
    nlp_f1 = [s["f1"] for s in nlp["scores"] if isinstance(s["f1"], int | float)]
    votes = [s for s in nlp["scores"] if s["kind"] == "votes"]
    out |= {
        "nlp_lines": nlp["lines"],
        "nlp_labels": len(nlp_f1),
        "nlp_lowest_f1": min(nlp_f1),
        "nlp_votes": sum(s["gold"] for s in votes),
        "nlp_votes_exact": sum(s["found"] for s in votes),
        "nlp_cpr_missed": len(nlp["cpr_missed"]),
        "nlp_cpr_false_positives": len(nlp["cpr_false_positives"]),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH", default="-", help="where to write the figures ('-': stdout)")
    args = parser.parse_args(argv)
    write_figures(args.json, figures())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
