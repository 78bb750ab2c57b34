"""``arkiv parse`` on broken, protected, empty and foreign files: one line on stderr, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.make_files import (
    make_empty_docx,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_legacy_doc,
    make_meeting_docx,
    make_meeting_pdf,
    make_text_as_pdf,
    make_truncated_docx,
    make_truncated_pdf,
    make_zero_byte_file,
    make_zero_page_pdf,
    make_zip_not_docx,
)

from search_cli.cli import cli

REALDOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"


def _garbage_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n")
    return path


# name of the bad file, how to make it, words the one-line reason must contain
BAD_FILES: list[tuple[str, Callable[[Path, Path], Path], tuple[str, ...]]] = [
    ("tom.pdf", lambda p, d: make_zero_byte_file(p), ("empty", "0 bytes")),
    ("tekst.pdf", lambda p, d: make_text_as_pdf(p), ("not a PDF",)),
    ("afbrudt.pdf", lambda p, d: make_truncated_pdf(p, make_meeting_pdf(d / "ok.pdf", pages=2)), ("truncated",)),
    ("skrald.pdf", lambda p, d: _garbage_pdf(p), ("not a valid PDF",)),
    ("låst.pdf", lambda p, d: make_encrypted_pdf(p), ("password-protected", "qpdf", "--decrypt")),
    ("ingen-sider.pdf", lambda p, d: make_zero_page_pdf(p), ("no pages",)),
    ("skannet.pdf", lambda p, d: make_image_only_pdf(p), ("no text layer", "OCR found no words")),
    ("tom.docx", lambda p, d: make_empty_docx(p), ("no text",)),
    ("zip.docx", lambda p, d: make_zip_not_docx(p), ("not a Word document", "word/document.xml")),
    ("afbrudt.docx", lambda p, d: make_truncated_docx(p, make_meeting_docx(d / "ok.docx")), ("not a valid DOCX",)),
    ("gammel.doc", lambda p, d: make_legacy_doc(p), (".doc",)),
]


def _run_parse(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["parse", str(path)])
    return result.exit_code, result.stdout, result.stderr


def _assert_one_line_error(path: Path, exit_code: int, stdout: str, stderr: str, words: tuple[str, ...]) -> None:
    assert exit_code != 0
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert str(path) in line
    assert "Traceback" not in stderr
    for word in words:
        assert word in line, f"{word!r} missing from {line!r}"


@pytest.mark.parametrize(("name", "make", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gives_one_line_error(tmp_path: Path, name: str, make, words: tuple[str, ...]) -> None:
    helpers = tmp_path / "helpers"
    helpers.mkdir()
    path = make(tmp_path / name, helpers)
    exit_code, stdout, stderr = _run_parse(path)
    _assert_one_line_error(path, exit_code, stdout, stderr, words)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "findes-ikke.pdf"
    exit_code, stdout, stderr = _run_parse(path)
    _assert_one_line_error(path, exit_code, stdout, stderr, ("no such file",))


def test_non_regular_files_are_refused_without_opening_them(tmp_path: Path) -> None:
    fifo = tmp_path / "dagsorden.pdf"
    os.mkfifo(fifo)
    cases = ((fifo, "a FIFO (named pipe)"), (tmp_path, "a folder"), (Path("/dev/null"), "a character device"))
    for path, what in cases:
        exit_code, stdout, stderr = _run_parse(path)
        _assert_one_line_error(path, exit_code, stdout, stderr, (f"not a regular file ({what})",))
        assert exit_code == 1
