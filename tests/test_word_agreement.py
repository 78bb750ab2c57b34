"""The word check against pdftotext (benchmarks/word_agreement.py): its token rules, and the
command itself on the real documents, the sample corpus and ESDH print layouts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fixtures.word_spacing import SpacedLine, spacing_pdf

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "word_agreement.py"
REALDOCS = ROOT.parent / "shared" / "realdocs"
sys.path.insert(0, str(SCRIPT.parent))
from word_agreement import compare, distinct_texts, normalise, pdftotext_tokens, tokens  # noqa: E402


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )


def test_tokens_are_compared_without_case_edge_punctuation_or_hyphens() -> None:
    assert tokens("Punkt 3: Sagsnr. 20/057417-5 – «Godkendt», 1.250.000,50 kr.") == [
        "punkt",
        "3",
        "sagsnr",
        "20/0574175",
        "godkendt",
        "1.250.000,50",
        "kr",
    ]
    assert normalise("Kommunal\u00adbestyrelsen") == normalise("kommunal-bestyrelsen") == "kommunalbestyrelsen"
    assert normalise("ﬁnansiering") == "finansiering"  # a ligature is spelt out


def test_pdftotext_words_hyphenated_at_a_line_end_are_joined() -> None:
    text = "Sagen blev sendt til kommunal-\nbestyrelsen og Social-\nOg Sundhedsudvalget\f"
    assert pdftotext_tokens(text) == ["sagen", "blev", "sendt", "til", "kommunalbestyrelsen", "og", "social", "og"] + [
        "sundhedsudvalget"
    ]


def test_a_word_made_of_two_adjacent_reference_words_is_reported_as_joined() -> None:
    reference = tokens("Sendt af forslaget, som blev sendt af 19. august til høring")
    ours = tokens("Sendt afforslaget, som blev sendt af19. august til høring")
    matched, joined, others = compare(ours, reference)
    assert joined == ["af19", "afforslaget"]
    assert others == []
    assert matched == 7  # sendt som blev sendt august til høring


def test_texts_printed_inside_another_are_counted_once() -> None:
    section = "- Notat om takster.pdf\n- Præsentation fra mødet"
    assert distinct_texts([section, "Notat om takster.pdf", "Præsentation fra mødet", "Godkendt."]) == [
        "notat om takster.pdf præsentation fra mødet",
        "godkendt",
    ]


def test_pdftotext_is_installed() -> None:
    """The word check needs pdftotext: make setup (and CI) install Debian's poppler-utils."""
    assert shutil.which("pdftotext"), "pdftotext is missing: run make setup (installs poppler-utils)"


def test_every_pdf_agrees_with_pdftotext_and_no_word_is_joined() -> None:
    args = [str(ROOT / "corpus" / "sample")]
    if REALDOCS.is_dir():
        args += [str(REALDOCS), "--esdh", "2"]
    done = _run(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert ", 0 joined; 0 below the target" in summary
    assert "BELOW TARGET" not in done.stdout
    if REALDOCS.is_dir():
        assert "ballerup_sbsys_bilag_monopolbruddet_2013.pdf" in done.stdout
        assert "-bold-plain.pdf" in done.stdout  # an ESDH rendering
        assert "SCANNED.pdf" in done.stdout and "skipped: no text layer" in done.stdout


def test_a_file_below_the_target_fails_the_command(tmp_path: Path) -> None:
    # pdftotext reads a space glyph pulled back under the next word as no space ("afforslaget");
    # the record keeps the PDF's word space, so a third of its words are not in pdftotext's text
    lines = [SpacedLine("af", "forslaget", True, 300), SpacedLine("Mødet", "sluttede", True, 0)]
    path = spacing_pdf(tmp_path / "tight.pdf", lines)
    done = _run(str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BELOW TARGET" in done.stdout and "only ours: af forslaget" in done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith("1 below the target (>= 99.5% and 0 joined per file)")


def test_without_pdftotext_the_command_says_so(tmp_path: Path) -> None:
    done = _run(str(tmp_path), env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 2
    assert "pdftotext is not installed" in done.stdout
