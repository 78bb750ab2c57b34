"""The README's figure tables are the benchmarks' JSON results (``benchmarks/readme_figures.py``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from readme_figures import BLOCKS, RESULTS, FigureError, render, rewrite  # noqa: E402
from results_io import flatten  # noqa: E402

README = ROOT / "README.md"


def test_the_readme_quotes_the_benchmark_results():
    text = README.read_text(encoding="utf-8")
    new, changed = rewrite(text)
    assert changed == [], f"run `python benchmarks/readme_figures.py`: {changed} differ from benchmarks/results"
    assert new == text


def test_every_result_is_one_flat_object_naming_its_command():
    for path in sorted(RESULTS.glob("*.json")):
        figures = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(figures, dict), path
        assert not any(isinstance(v, dict | list) for v in figures.values()), path
        assert figures["command"].startswith("python benchmarks/"), path


def test_a_figure_the_json_lacks_fails_naming_file_and_key(tmp_path):
    for path in RESULTS.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    figures = json.loads((tmp_path / "bench_ingest.json").read_text(encoding="utf-8"))
    del figures["jobs2_over_jobs1"]
    (tmp_path / "bench_ingest.json").write_text(json.dumps(figures), encoding="utf-8")
    with pytest.raises(
        FigureError, match=r"figures:ingest: benchmarks/results/bench_ingest.json lacks .*jobs2_over_jobs1"
    ):
        render("ingest", tmp_path)
    (tmp_path / "bench_xml.json").unlink()
    with pytest.raises(FigureError, match=r"bench_xml.json is missing"):
        render("xml", tmp_path)
    assert render("accuracy", tmp_path) == render("accuracy")


def test_check_fails_when_a_figure_was_typed_by_hand(tmp_path):
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- figures:xml -->\n") + len("<!-- figures:xml -->\n")
    edited = text[:start] + "**999 meetings/s**\n" + text[start:]
    readme = tmp_path / "README.md"
    readme.write_text(edited, encoding="utf-8")
    script = ROOT / "benchmarks" / "readme_figures.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check", "--readme", str(readme)], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "figure blocks differ from benchmarks/results: xml" in done.stderr
    done = subprocess.run([sys.executable, str(script), "--readme", str(readme)], capture_output=True, text=True)
    assert done.returncode == 0
    assert readme.read_text(encoding="utf-8") == text


def test_every_template_has_a_block_in_the_readme():
    text = README.read_text(encoding="utf-8")
    for name in BLOCKS:
        assert f"<!-- figures:{name} -->" in text and f"<!-- /figures:{name} -->" in text


def test_flatten_joins_nested_keys():
    assert flatten({"a": {"b": 1, "c": [2, {"d": 3}]}, "e": "x"}) == {"a_b": 1, "a_c_0": 2, "a_c_1_d": 3, "e": "x"}
