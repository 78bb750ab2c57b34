"""The fuzz targets: the parser entry points and the zip walk, each called on one input's bytes.

A target returns normally for every input the project handles as designed: a parsed record, or a
``ParseError`` naming the file and the reason (``parsers.errors``). Anything else that escapes (another
exception, a hang, memory without bound) is a defect the fuzzer reports.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ingest.sources import SourceEntry, SourceReader, Walk
from parsers import parse_file
from parsers.errors import ZIP_READ_ERRORS, ParseError

# ``ZIP_READ_ERRORS`` is what ``ingest.batch`` treats as an unreadable zip member when hashing it: such
# a member is recorded with the reason, so these are handled errors, not crashes.

_WORKDIR = Path(os.environ.get("ARKIV_FUZZ_WORKDIR") or tempfile.mkdtemp(prefix="arkiv-fuzz-"))


def _input_file(data: bytes, suffix: str) -> Path:
    path = _WORKDIR / f"input{suffix}"
    path.write_bytes(data)
    return path


def parse_bytes(data: bytes, suffix: str) -> None:
    """``parse_file`` on the bytes saved with ``suffix``: a record or a ``ParseError``."""
    path = _input_file(data, suffix)
    try:
        parse_file(path)
    except ParseError:
        pass
    finally:
        path.unlink(missing_ok=True)


def fuzz_pdf(data: bytes) -> None:
    parse_bytes(data, ".pdf")


def fuzz_docx(data: bytes) -> None:
    parse_bytes(data, ".docx")


def fuzz_html(data: bytes) -> None:
    parse_bytes(data, ".html")


def _member(reader: SourceReader, entry: SourceEntry, scratch: Path) -> None:
    try:
        reader.sha256(entry)
        local = reader.local_file(entry, scratch)
    except ZIP_READ_ERRORS:
        return
    try:
        parse_file(local, display_path=entry.path)
    except ParseError:
        pass


def fuzz_zip(data: bytes) -> None:
    """The zip walk of an import: list the members, hash and copy each one, parse what can be parsed."""
    path = _input_file(data, ".zip")
    scratch = _WORKDIR / "members"
    scratch.mkdir(exist_ok=True)
    reader = SourceReader()
    try:
        for entry in Walk([path]):
            if entry.problem_code is None:
                _member(reader, entry, scratch)
    finally:
        reader.close()
        shutil.rmtree(scratch, ignore_errors=True)
        path.unlink(missing_ok=True)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "pdf": fuzz_pdf,
    "docx": fuzz_docx,
    "html": fuzz_html,
    "zip": fuzz_zip,
}
