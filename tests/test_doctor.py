"""`arkiv doctor`: findings on a healthy archive, a stale index, leftovers; --repair removes leftovers."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_search_cli import _extra_record, _run

from search_cli.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_a_healthy_archive_passes_with_one_line_per_finding(tmp_path: Path):
    from test_engines import records

    _run(tmp_path, records())
    assert run("index", "--archive", str(tmp_path)).exit_code == 0
    result = run("doctor", "--archive", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output and "quick_check passed" in result.output
    assert "matches catalog generation 1" in result.output
    assert "problem:" not in result.output


def test_an_index_behind_the_catalog_and_leftovers_are_problems_that_repair_fixes(tmp_path: Path):
    from test_engines import records

    _run(tmp_path, records())
    assert run("index", "--archive", str(tmp_path)).exit_code == 0
    _run(tmp_path, [_extra_record()])  # catalog generation 2, index still at 1
    (tmp_path / "ingest-tmp").mkdir()
    (tmp_path / "ingest-tmp" / "member.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "index" / ".whoosh.building-1").mkdir()
    result = run("doctor", "--archive", str(tmp_path))
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("problem:")]
    assert len(problems) == 3, result.output
    assert any("index of catalog generation 1, the catalog is at 2" in p for p in problems)
    repaired = run("doctor", "--repair", "--archive", str(tmp_path))
    assert repaired.exit_code == 0, repaired.output
    assert not (tmp_path / "ingest-tmp").exists() and not (tmp_path / "index" / ".whoosh.building-1").exists()
    assert "rebuilt the whoosh index" in repaired.output
    assert run("doctor", "--archive", str(tmp_path)).exit_code == 0


def test_doctor_on_a_missing_folder_is_a_one_line_error(tmp_path: Path):
    result = run("doctor", "--archive", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "no archive here" in result.output
