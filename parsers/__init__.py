"""Parsers: one file in, one normalized ``DocumentRecord`` out.

    >>> from parsers import parse_file
    >>> record = parse_file("corpus/sample/....pdf")

Each input format has one small extractor module (``SUFFIXES``,
``extract(path) -> ExtractedDocument``); all of them feed the one
layout-independent structure parser in ``parsers.structure``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from parsers import paths
from parsers.errors import ParseError, UnsupportedFormat
from parsers.records import DocumentRecord, ExtractedDocument, Source

__version__ = "0.1.0"
PARSER_VERSION = __version__

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc and other OLE files

__all__ = ["PARSER_VERSION", "ParseError", "extract", "parse_file", "sniff_format"]


def sniff_format(path: Path) -> str:
    """Return "pdf", "docx" or "html" from the file's first bytes, or raise UnsupportedFormat."""
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    if not head:
        raise UnsupportedFormat(str(path), "file is empty (0 bytes)")
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(OLE_MAGIC):
        from parsers.docx_extractor import legacy_doc_error

        raise legacy_doc_error(path)
    if _looks_like_html(head):
        return "html"
    from parsers.esdh_xml import looks_like_xml

    if looks_like_xml(head):
        return "xml"  # an ESDH agenda export: parsers.esdh_xml recognises its schema
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx", ".html", ".htm"):
        raise UnsupportedFormat(
            str(path), f"not a {suffix[1:].upper()} file (content does not match the {suffix} suffix)"
        )
    raise UnsupportedFormat(
        str(path), f"unsupported file type {suffix or '(no suffix)'}; moedearkiv reads PDF, DOCX and HTML"
    )


_HTML_MARKERS = (b"<!doctype html", b"<html")


def _looks_like_html(head: bytes) -> bool:
    """``<!doctype html`` or ``<html`` in the first KB, after an optional BOM (UTF-8 or UTF-16)."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("ascii", errors="ignore")
            break
    lowered = head.lower()
    return any(marker in lowered for marker in _HTML_MARKERS)


def extract(path: str | Path) -> ExtractedDocument:
    """Run the extractor that fits the file's content."""
    path = Path(path)
    fmt = sniff_format(path)
    if fmt == "xml":
        raise UnsupportedFormat(str(path), "an ESDH XML export has no text blocks; parse_file reads it")
    if fmt == "pdf":
        from parsers import pdf_extractor

        return pdf_extractor.extract(path)
    if fmt == "html":
        from parsers import html_extractor

        return html_extractor.extract(path)
    from parsers import docx_extractor

    return docx_extractor.extract(path)


def sha256_of_stream(stream: BinaryIO) -> str:
    """The sha256 of everything left in a binary stream, read in 1 MB chunks."""
    h = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return sha256_of_stream(f)


def parse_file(path: str | Path, *, display_path: str | None = None, sha256: str | None = None) -> DocumentRecord:
    """Parse one PDF, DOCX or HTML file into a record. Raises ``ParseError`` on bad input.

    ``display_path`` is stored as ``source.path`` (e.g. ``archive.zip!folder/file.pdf``
    for a zip member extracted to a temporary file); by default the path itself,
    with bytes that are not UTF-8 written as ``\\xNN`` (``parsers.paths``).
    """
    from parsers.structure import build_record

    path = Path(path)
    if sniff_format(path) == "xml":
        from parsers import esdh_xml

        xml_source = Source(
            path=display_path or paths.display_path(str(path)),
            sha256=sha256 or sha256_of(path),
            format="xml",
            page_count=0,
            parser_version=PARSER_VERSION,
        )
        return esdh_xml.parse_export(path, xml_source)
    extracted = extract(path)
    source = Source(
        path=display_path or paths.display_path(str(path)),
        sha256=sha256 or sha256_of(path),
        format=extracted.format,
        page_count=extracted.page_count,
        parser_version=PARSER_VERSION,
    )
    return build_record(extracted, source)
