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
    """Return "pdf", "docx", "html" or a legacy format LibreOffice converts ("doc", "rtf", "odt",
    "wpd", "docm", "dotx"; see ``parsers.legacy``) from the file's content, or raise UnsupportedFormat."""
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
        from parsers.legacy import sniff_zip

        return sniff_zip(path) or "docx"
    from parsers.legacy import sniff as sniff_legacy

    legacy = sniff_legacy(path, head)
    if legacy is not None:
        return legacy
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
        str(path),
        f"unsupported file type {suffix or '(no suffix)'}; moedearkiv reads PDF, DOCX, HTML, "
        "and .doc/.rtf/.odt/.wpd/.docm through LibreOffice",
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


def extract(path: str | Path, *, sha256: str | None = None) -> ExtractedDocument:
    """Run the extractor that fits the file's content (``sha256``: the file's, when known)."""
    path = Path(path)
    fmt = sniff_format(path)
    if fmt == "xml":
        raise UnsupportedFormat(str(path), "an ESDH XML export has no text blocks; parse_file reads it")
    if fmt not in ("pdf", "html", "docx"):
        return _extract_converted(path, fmt, sha256 or sha256_of(path))
    if fmt == "pdf":
        from parsers import pdf_extractor

        return pdf_extractor.extract(path)
    if fmt == "html":
        from parsers import html_extractor

        return html_extractor.extract(path)
    from parsers import docx_extractor

    return docx_extractor.extract(path)


def _extract_converted(path: Path, fmt: str, sha256: str) -> ExtractedDocument:
    """A legacy word-processor file: its DOCX conversion (``parsers.legacy``), read by the DOCX extractor."""
    import dataclasses

    from parsers import docx_extractor, legacy

    conversion = legacy.convert(path, fmt, sha256)
    try:
        extracted = docx_extractor.extract(conversion.docx)
    except ParseError as e:
        reason = e.reason.replace(str(conversion.docx), str(path))
        raise type(e)(str(path), f"{reason} (after converting the {fmt} file to DOCX)") from e
    return dataclasses.replace(extracted, converted_from=conversion.converted_from)


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
    extracted = extract(path, sha256=sha256)
    source = Source(
        path=display_path or paths.display_path(str(path)),
        sha256=sha256 or sha256_of(path),
        format=extracted.format,
        page_count=extracted.page_count,
        parser_version=PARSER_VERSION,
        ocr_pages=extracted.ocr_pages,
        ocr_confidence=extracted.ocr_confidence,
        converted_from=extracted.converted_from,
    )
    return build_record(extracted, source)
