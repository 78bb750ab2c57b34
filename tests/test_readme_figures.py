"""The README's figure tables are the benchmarks' JSON results (``benchmarks/readme_figures.py``)."""

from __future__ import annotations

import json
import re
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


def test_every_block_edited_by_hand_is_reported():
    text = README.read_text(encoding="utf-8")
    for name in BLOCKS:
        start = text.index(f"<!-- figures:{name} -->\n") + len(f"<!-- figures:{name} -->\n")
        end = text.index(f"<!-- /figures:{name} -->")
        body = text[start:end]
        edited = text[:start] + re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), body, count=1) + text[end:]
        assert edited != text, name
        new, changed = rewrite(edited)
        assert changed == [name]
        assert new == text


# A measured figure: a number with a unit of time, size, rate or ratio, or a score written as 0.xxx.
_UNIT_FIGURE = re.compile(
    r"(?<![\w.,/-])\d[\d,.]*(?:–\d[\d,.]*)?\s?"
    r"(?:ms|s|MB|GB|KB|×|%|files/s|pages/s|docs/s|words/s|items/s|meetings/s|conversions/s)(?![\w/])"
)
_SCORE_FIGURE = re.compile(r"(?<![\w.])(?<!target: )0\.\d{2,}")


def test_no_figure_is_typed_by_hand_outside_the_blocks():
    text = README.read_text(encoding="utf-8")
    prose = re.sub(r"<!-- figures:([a-z0-9_]+) -->\n.*?<!-- /figures:\1 -->", "", text, flags=re.S)
    prose = re.sub(r"```.*?```", "", prose, flags=re.S)  # commands and their options
    typed = [m.group() for m in _UNIT_FIGURE.finditer(prose)] + [m.group() for m in _SCORE_FIGURE.finditer(prose)]
    assert typed == [], f"figures typed by hand in README.md, outside the generated blocks: {typed}"
    assert _UNIT_FIGURE.search("ran in 1.77 s") and _UNIT_FIGURE.search("(0.5–1.0 s)")
    assert _UNIT_FIGURE.search("1,514 MB") and _UNIT_FIGURE.search("1.3×") and _UNIT_FIGURE.search("83 %")
    assert _SCORE_FIGURE.search("| 0.976 |") and not _SCORE_FIGURE.search("(target: 0.90 of the score)")


def test_every_result_file_is_quoted_by_a_block():
    quoted = {m for template in BLOCKS.values() for m in re.findall(r"\{([a-z0-9_]+)[\[:]", template)}
    assert {p.stem for p in RESULTS.glob("*.json")} <= quoted


def test_a_result_without_its_time_and_load_says_so(tmp_path):
    figures = json.loads((RESULTS / "bench_xml.json").read_text(encoding="utf-8"))
    figures |= {"measured_utc": None, "load_1min_at_start": None}
    (tmp_path / "bench_xml.json").write_text(json.dumps(figures), encoding="utf-8")
    assert render("xml", tmp_path).startswith(
        f"From `{figures['command']}` (time and load of the run not recorded, {figures['cores']} cores; "
    )
