"""The committed judged query set still fits the committed sample corpus and meets its targets.

The sample is regenerated when the generator changes; this test fails when a
judged query no longer has a relevant item or search quality drops.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.judged import evaluate

ROOT = Path(__file__).resolve().parent.parent


def test_judged_queries_meet_targets_on_both_engines(tmp_path):
    report = evaluate(ROOT / "corpus" / "queries.json", ROOT / "corpus" / "sample", work_dir=tmp_path)
    summary = report.summary()
    assert len(report.scores) >= 40
    assert summary["whoosh"]["recall@10"] >= 0.95
    assert abs(summary["whoosh"]["recall@10"] - summary["tantivy"]["recall@10"]) <= 0.01
    assert summary["whoosh"]["recall@10"] > summary["baseline"]["recall@10"] + 0.2


def test_parser_meets_its_accuracy_target_on_the_sample():
    """`arkiv eval corpus/sample --min-score 0.98` is the README's promise; keep it true."""
    from click.testing import CliRunner

    from search_cli.cli import cli

    result = CliRunner().invoke(cli, ["eval", str(ROOT / "corpus" / "sample"), "--min-score", "0.98", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert not report["failures"]
    low = {name: f["f1"] for name, f in report["fields"].items() if f["f1"] < 0.98}
    assert not low, f"fields under 0.98: {low}"
