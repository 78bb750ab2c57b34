"""The records that pass between the stages of moedearkiv.

This module is the whole contract: the extractors produce ``Block`` objects in an
``ExtractedDocument``; the structure parser turns them into one
``DocumentRecord``; the catalog stores records and the index is built from them.
``arkiv parse FILE --json`` prints ``DocumentRecord`` through
``parsers.serialize``; ``parsers/schema/record.schema.json`` is the published
JSON Schema of that output.

Conventions
-----------
* Records are frozen; sequences are tuples.
* ``None`` means "the document does not state it" and is only allowed where a
  comment says so.
* Dates are ISO ``YYYY-MM-DD`` strings, times ``HH:MM``.
* ``__post_init__`` validates and raises ``ValueError`` naming the bad value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

FORMAT_VERSION = 1

DocumentKind = Literal["meeting", "other"]
DocumentType = Literal["dagsorden", "referat"]
SourceFormat = Literal["pdf", "docx", "html", "xml"]
BlockRole = Literal["body", "header", "footer"]
Status = Literal["ok", "partial"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}$")


def _check_date(name: str, value: str | None) -> None:
    if value is not None and not _DATE_RE.match(value):
        raise ValueError(f"{name} must be an ISO date YYYY-MM-DD, got {value!r}")


def _check_time(name: str, value: str | None) -> None:
    if value is not None and not _TIME_RE.match(value):
        raise ValueError(f"{name} must be HH:MM, got {value!r}")


# ---------------------------------------------------------------------------
# Extractor output: layout-independent blocks with style hints
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One unit of text as the extractor saw it, in reading order.

    PDF extractors emit one block per visual line; DOCX emits one block per
    paragraph (and one per table row). The structure parser never looks at the
    file format, only at these hints.
    """

    text: str  # whitespace-normalized, never empty
    page: int  # 1-based page number
    role: BlockRole = "body"  # running header/footer text is kept but marked
    bold: bool = False  # all (or nearly all) characters bold
    heading_level: int | None = None  # 1..9 from a heading style/outline level; None: not a styled heading
    font_size: float | None = None  # dominant size in points; None: unknown
    list_label: str | None = None  # automatic list numbering/bullet ("3.", "•"); None: not an auto list
    in_table: bool = False  # text from a table row; cells are joined by "\t"
    space_before: float | None = None  # vertical gap to previous line in points (PDF); None: unknown
    x0: float | None = None  # left edge in points (PDF); None: unknown

    def __post_init__(self) -> None:
        if not self.text or not self.text.strip():
            raise ValueError("Block.text must not be empty")
        if self.page < 1:
            raise ValueError(f"Block.page must be >= 1, got {self.page!r}")
        if self.heading_level is not None and not 1 <= self.heading_level <= 9:
            raise ValueError(f"Block.heading_level must be 1..9, got {self.heading_level!r}")


@dataclass(frozen=True)
class ExtractedDocument:
    """What an extractor returns for one file."""

    format: SourceFormat
    page_count: int  # PDF: pages; DOCX: explicit page breaks + 1
    blocks: tuple[Block, ...]
    body_font_size: float | None = None  # most common font size in the body; None: unknown
    # parts that could not be read while the rest could (a page with a damaged content stream)
    problems: tuple[Problem, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (scans without a text layer); empty: none
    ocr_confidence: float | None = None  # mean OCR word confidence 0-100; None: no page OCR'd
    converted_from: str | None = None  # the legacy format converted to DOCX (parsers.legacy); None: no conversion


# ---------------------------------------------------------------------------
# The normalized record
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    path: str
    sha256: str
    format: SourceFormat
    page_count: int
    parser_version: str
    ocr_pages: tuple[int, ...] = ()  # pages whose text comes from OCR (scanned pages); empty: none
    ocr_confidence: float | None = None  # mean Tesseract word confidence (0-100) on those pages; None: no OCR
    converted_from: str | None = None  # legacy format converted to DOCX ("doc", "rtf", ...); None: none


@dataclass(frozen=True)
class CaseNumber:
    raw: str  # as printed, e.g. "20/057417-5"
    normalized: str  # the case without a trailing document suffix, e.g. "20/057417"

    def __post_init__(self) -> None:
        if not self.raw or not self.normalized:
            raise ValueError(f"CaseNumber needs raw and normalized, got {self.raw!r}/{self.normalized!r}")


@dataclass(frozen=True)
class Section:
    heading: str | None  # heading as printed, trailing ":" removed; None: untitled text
    text: str


@dataclass(frozen=True)
class Decision:
    text: str
    body: str | None  # deciding body; None only when neither heading nor meeting names one
    date: str | None  # ISO date; None only when neither heading nor meeting states one

    def __post_init__(self) -> None:
        _check_date("Decision.date", self.date)


@dataclass(frozen=True)
class Attachment:
    title: str  # the title as printed, without the fields below
    number: int | None = None  # running number printed before the title ("2 Åben Notat ..."); None: none printed
    access: str | None = None  # access word as printed ("Åben", "Lukket"); None: none printed
    document_number: str | None = None  # document number of the case system ("123456/13"); None: none printed
    date: str | None = None  # ISO date printed in the bilag line ("14.03.2013"); None: none printed
    # the access word withholds the bilag from the public ("Lukket", "Fortrolig", "Ikke offentlig")
    closed: bool = False
    # the bilag file an ESDH XML export references, relative to the export ("Enclosures/1.pdf"); None: none
    file: str | None = None

    def __post_init__(self) -> None:
        _check_date("Attachment.date", self.date)
        if self.number is not None and self.number < 0:
            raise ValueError(f"Attachment.number must be >= 0, got {self.number!r}")


@dataclass(frozen=True)
class HistoryEntry:
    """An earlier treatment of the item's case, as printed inside the item ("Sagsforløb")."""

    body: str | None  # the body that treated the case, normalized as Meeting.body; None: not printed
    date: str | None  # ISO date of that meeting; None: not printed
    number: int | None  # the item number at that meeting ("Punktnummer: 7"); None: not printed
    text: str  # what was decided or noted then

    def __post_init__(self) -> None:
        _check_date("HistoryEntry.date", self.date)


@dataclass(frozen=True)
class Item:
    number: int  # the number printed in the document (numbering may skip)
    title: str
    case_numbers: tuple[CaseNumber, ...] = ()
    closed: bool = False
    sections: tuple[Section, ...] = ()
    decision: Decision | None = None  # None: no decision recorded (an agenda, or a closed item)
    attachments: tuple[Attachment, ...] = ()
    pages: tuple[int, ...] = ()  # source pages the item spans; empty when unknown
    category: str | None = None  # group heading ("Til orientering", "Lukkede punkter"); None: ungrouped
    # why the item is closed: the marker as printed ("Punktet er lukket", "Lukket møde", "Lukkede punkter");
    # None for an open item
    closed_reason: str | None = None
    # closed only because a marker is uncertain ("fortrolig" in the text, a damaged closed part): a person
    # decides before release; always False for an open item
    closed_review: bool = False
    # earlier treatments of the case printed inside the item, oldest first; their lines are not section text
    history: tuple[HistoryEntry, ...] = ()

    def __post_init__(self) -> None:
        if self.number < 0:
            raise ValueError(f"Item.number must be >= 0, got {self.number!r}")
        if self.closed_review and not self.closed:
            raise ValueError("Item.closed_review needs Item.closed: an item for review is withheld")

    @property
    def text(self) -> str:
        """All section text of the item, in order."""
        return "\n".join(s.text for s in self.sections if s.text)


@dataclass(frozen=True)
class Meeting:
    body: str | None  # normalized deciding body; None: not stated
    document_type: DocumentType
    date: str | None  # ISO date; None: not stated
    items: tuple[Item, ...] = ()
    municipality: str | None = None  # e.g. "Aarhus Kommune"; None: not stated
    start_time: str | None = None  # HH:MM; None: not stated
    end_time: str | None = None  # HH:MM; None: not stated
    location: str | None = None  # None: not stated
    participants: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    case_numbers: tuple[CaseNumber, ...] = ()  # case numbers of the document as a whole

    def __post_init__(self) -> None:
        if self.document_type not in ("dagsorden", "referat"):
            raise ValueError(f"Meeting.document_type must be dagsorden/referat, got {self.document_type!r}")
        _check_date("Meeting.date", self.date)
        _check_time("Meeting.start_time", self.start_time)
        _check_time("Meeting.end_time", self.end_time)


@dataclass(frozen=True)
class Problem:
    code: str  # short stable code, e.g. "W001"
    message: str
    page: int | None = None  # None: not tied to a page


@dataclass(frozen=True)
class DocumentRecord:
    source: Source
    kind: DocumentKind
    meetings: tuple[Meeting, ...] = ()
    title: str | None = None  # first heading/title line; None: none found
    text: str = ""  # full text when kind == "other" (so it can be indexed); "" for meetings
    status: Status = "ok"
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in ("meeting", "other"):
            raise ValueError(f"DocumentRecord.kind must be meeting/other, got {self.kind!r}")
        if self.kind == "other" and self.meetings:
            raise ValueError("a document of kind 'other' has no meetings")
        if self.kind == "meeting" and not self.meetings:
            raise ValueError("a document of kind 'meeting' needs at least one meeting")


def item_key(sha256: str, meeting_index: int, item_index: int) -> str:
    """The stable id of one item: the file's content hash and the item's position.

    Used by the catalog, the index (``arkiv show ID``) and aktindsigt lists.
    Non-meeting documents use ``document_key(sha256)`` instead.
    """
    return f"{sha256[:16]}-{meeting_index}-{item_index}"


def document_key(sha256: str) -> str:
    """The stable id of a whole document (used for kind "other")."""
    return f"{sha256[:16]}"
