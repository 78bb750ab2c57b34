"""Aktindsigt packages: the matching items of an archive, listed, flagged and copied into one folder.

``build_package(hits, out_dir, ...)`` writes::

    aktliste.xlsx   sheets "Aktliste" (one row per item/document, numbered by akt nr.),
                    "Flag" (every finding for review) and, with redaction, "Redaktioner"
    aktliste.csv    the "Aktliste" sheet as CSV
    flag.csv        the "Flag" sheet as CSV
    sources/        each source file once, named "<first akt nr>_<file name>" so they sort by akt nr.
                    (not written with ``copy_sources=False``, ``arkiv aktindsigt --no-sources``)
    texts/          each included item's extracted text, "<akt nr>_<title>.txt"
    redactions.csv  with ``redact``: every masked CPR number (file, position, replacement)
    summary.txt     what was searched, when, how many hits, how many flagged
    summary.json    the same as data

Rules (never silent removal):

* Closed items ("lukket punkt") are listed with status "undtaget – lukket
  punkt" and the marker as printed (``Item.closed_reason``) in the column
  "Lukket-markering". Items closed only because a marker is uncertain
  (``Item.closed_review``), and whole non-meeting documents with a
  confidentiality marker in their text ("Fortroligt", "Lukket møde", ...),
  are listed as "tilbageholdt – til vurdering" with a row in the flag list
  saying why. Neither kind has its text written nor any finding from its text
  listed unless ``include_closed``. A source file that holds the text of such
  an item is not copied either (its row says so), because the file would
  carry the closed text out of the package.
* The title of a withheld item stays on the aktliste, since the list must
  identify every akt, but with CPR numbers masked even without ``redact``:
  a personnel case may carry a person's number in its title.
* Findings (CPR numbers, e-mail addresses, phone numbers, names from the
  document's own structure and the meeting's participants) are listed with
  the item's pages and the line/column in the item's text file; CPR numbers
  are shown masked in the lists.
* ``redact`` masks CPR numbers (``ddmmyy-XXXX``, any printed dash) in every
  string and file name that leaves: texts, text and source file names, every
  cell of the aktliste, flag and redaction lists (CSV and XLSX), and the
  summary (including the search itself). Source files are never redacted, so
  with ``redact`` a source file is withheld when a CPR number is found in its
  stored record, its path, or the file read again (every extracted line with
  running headers and footers, the raw bytes, every XML part of a DOCX, PDF
  metadata); a file that cannot be read again is withheld as unchecked.
  Copied source files are marked "kopieret – ikke redigeret" in the column
  "Kildefil status" and the summary says they are unredacted originals.
* The column "Kildefil status" says for every row what happened to its
  source file (copied, withheld and why, not copied, unreadable).

Hits come from the caller: ``hits_for_cases`` matches case numbers in stored
records (the normalization of ``index.documents.case_key``), the command line
turns search results into hits for a free-text query.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aktindsigt.pdf_cuts import PdfCutError, cut_pages, plan_cut
from index.documents import case_key
from parsers.casenumbers import find_case_numbers
from parsers.confidentiality import closed_as_indexed, whole_document_mark
from parsers.errors import ZIP_READ_ERRORS
from parsers.paths import read_display_path
from parsers.personal_data import Finding, Redaction, find_personal_data, mask_cpr, redact_cpr
from parsers.records import Attachment, DocumentRecord, Item, Meeting, document_key, item_key

__all__ = [
    "AktHit",
    "LinkedBilag",
    "PrintedSource",
    "AktindsigtError",
    "CLOSED_STATUS",
    "REVIEW_STATUS",
    "PackageSummary",
    "build_package",
    "filter_dates",
    "exclude",
    "hits_for_cases",
    "hits_from_ids",
    "read_source",
    "sort_hits",
]

CLOSED_STATUS = "undtaget – lukket punkt"
EXCLUDED_STATUS = "undtaget"  # left out by whoever handles the request: "undtaget – <their reason>"
REVIEW_STATUS = "tilbageholdt – til vurdering"
OPEN_STATUS = "udleveres"

# the "Kildefil status" column: what happened to the item's source file
SOURCE_COPIED = "kopieret"
SOURCE_COPIED_UNREDACTED = "kopieret – ikke redigeret"
SOURCE_WITHHELD_CLOSED = "tilbageholdt: indeholder lukket punkt"
SOURCE_WITHHELD_CPR = "tilbageholdt: indeholder CPR-nummer (kildefiler redigeres ikke)"
SOURCE_WITHHELD_UNCHECKED = "tilbageholdt: kunne ikke kontrolleres for CPR-numre"
SOURCE_NOT_COPIED = "ikke kopieret (--no-sources)"
SOURCE_UNREADABLE = "kunne ikke læses"
# an included item of a source that holds a closed item: its own pages cut out of the PDF, or only its text
SOURCE_CUT = "uddrag: punktets egne sider"
SOURCE_CUT_SHARED = "sider udeladt (deles med lukket punkt)"
SOURCE_TEXT_INSTEAD = "tilbageholdt: indeholder lukket punkt; punktets tekst udleveres som tekstfil"
SOURCE_ALL_PAGES_SHARED = (
    "tilbageholdt: alle punktets sider deles med lukket punkt; punktets tekst udleveres som tekstfil"
)
BILAG_CLOSED_STATUS = "undtaget – lukket bilag"
AKTLISTE_COLUMNS = (
    "Akt nr.",
    "Dato",
    "Organ",
    "Dokumenttype",
    "Punkt nr.",
    "Titel",
    "Sagsnr.",
    "Kildefil",
    "Sider",
    "SHA-256",
    "Åben/lukket",
    "Status",
    "Flag",
    "Fundet via",
    "Pakkefil",
    "Tekstfil",
    "Id",
    "Lukket-markering",
    "Kildefil status",
)
FLAG_COLUMNS = ("Akt nr.", "Id", "Type", "Værdi", "Sider", "Linje", "Kolonne", "Tekstfil")
REDACTION_COLUMNS = ("Akt nr.", "Tekstfil", "Linje", "Kolonne", "Start", "Slut", "Erstattet med", "Sider")


class AktindsigtError(Exception):
    """The package cannot be written (names the path and the reason)."""


class StoredLike(Protocol):
    """What a hit needs from a stored record (``ingest.catalog.StoredRecord`` has it)."""

    @property
    def sha256(self) -> str: ...

    @property
    def paths(self) -> tuple[str, ...]: ...

    @property
    def record(self) -> DocumentRecord: ...


@dataclass(frozen=True)
class LinkedBilag:
    """A bilag file linked to an item (``ingest.bilag_links``): listed under the item and handed over with it."""

    attachment: Attachment  # the bilag as the item lists it
    sha256: str
    paths: tuple[str, ...]  # the path the link was found at first, then the content's other present paths
    record: DocumentRecord  # the bilag file's own record (kind "other")
    matched_by: str  # how the file was matched: file, document_number, file_name, title, number

    @property
    def source_path(self) -> str:
        return self.paths[0] if self.paths else self.record.source.path


@dataclass(frozen=True)
class PrintedSource:
    """The printed document of an ESDH export's meeting (the export takes precedence; the print has the pages)."""

    sha256: str
    paths: tuple[str, ...]
    record: DocumentRecord
    meeting_index: int


@dataclass(frozen=True)
class AktHit:
    """One item (or a whole non-meeting document) that belongs in the package."""

    sha256: str
    paths: tuple[str, ...]  # every present path of the content, sorted; the first is copied
    record: DocumentRecord
    meeting_index: int | None  # None: a whole non-meeting document
    item_index: int | None  # None: a whole non-meeting document
    matched_by: str = ""  # how it was found ("sagsnr. 22/23184", "søgning"); "" when not stated
    bilag: tuple[LinkedBilag, ...] = ()  # the bilag files linked to the item (``aktindsigt.links``); empty: none
    printed: PrintedSource | None = None  # an export item's printed source; None: not an export, or no print
    excluded: str = ""  # why whoever handles the request left it out (see ``exclude``); "" when not excluded

    def __post_init__(self) -> None:
        # An item is closed here exactly when the index closes it: also by a marker in its title or text that
        # the parser did not judge (an ESDH export may call such an item public).
        object.__setattr__(self, "record", _as_indexed(self.record))

    @property
    def key(self) -> str:
        if self.meeting_index is None or self.item_index is None:
            return document_key(self.sha256)
        return item_key(self.sha256, self.meeting_index, self.item_index)

    @property
    def meeting(self) -> Meeting | None:
        return None if self.meeting_index is None else self.record.meetings[self.meeting_index]

    @property
    def item(self) -> Item | None:
        meeting = self.meeting
        return None if meeting is None or self.item_index is None else meeting.items[self.item_index]

    @property
    def date(self) -> str | None:
        meeting = self.meeting
        return meeting.date if meeting else None

    @property
    def closed(self) -> bool:
        """A closed item, or a whole non-meeting document that carries a confidentiality marker, or an
        item or document left out of the request (``excluded``): all of them are withheld."""
        if self.excluded:
            return True
        item = self.item
        if item is not None:
            return item.closed
        return self.item_index is None and bool(_document_mark(self.record))

    @property
    def review(self) -> bool:
        """Withheld for a person to decide: an uncertain closed marker (``Item.closed_review``) or a whole
        non-meeting document with a confidentiality marker somewhere in its text."""
        if self.excluded:
            return False
        item = self.item
        return item.closed_review if item is not None else self.closed

    @property
    def closed_reason(self) -> str:
        """Why the hit is closed, as printed ("Punktet er lukket", "Fortroligt"); "" when it is open."""
        if self.excluded:
            return f"udeladt: {self.excluded}"
        item = self.item
        if item is not None:
            return (item.closed_reason or "lukket punkt") if item.closed else ""
        return _document_mark(self.record) if self.item_index is None else ""

    @property
    def title(self) -> str:
        item = self.item
        return item.title if item else (self.record.title or Path(self.source_path).name)

    @property
    def source_path(self) -> str:
        return self.paths[0] if self.paths else self.record.source.path


_AS_INDEXED: dict[int, tuple[DocumentRecord, DocumentRecord]] = {}  # id(record) -> (record, closed_as_indexed)
_AS_INDEXED_MAX = 256


def _as_indexed(record: DocumentRecord) -> DocumentRecord:
    """``closed_as_indexed(record)``, computed once for the many hits of one record."""
    cached = _AS_INDEXED.get(id(record))
    if cached is not None and cached[0] is record:
        return cached[1]
    done = closed_as_indexed(record)
    if len(_AS_INDEXED) >= _AS_INDEXED_MAX:
        _AS_INDEXED.clear()
    _AS_INDEXED[id(record)] = (record, done)
    _AS_INDEXED[id(done)] = (done, done)
    return done


# ---------------------------------------------------------------------------
# Finding the hits
# ---------------------------------------------------------------------------


def _all_hits(stored: StoredLike) -> Iterator[AktHit]:
    record = stored.record
    if record.kind == "other":
        yield AktHit(stored.sha256, stored.paths, record, None, None)
        return
    for mi, meeting in enumerate(record.meetings):
        for ii in range(len(meeting.items)):
            yield AktHit(stored.sha256, stored.paths, record, mi, ii)


def hits_for_cases(stored_records: Iterable[StoredLike], cases: Sequence[str]) -> list[AktHit]:
    """Items whose case numbers (or whose text) name one of ``cases``; whole documents for kind "other".

    Case numbers are compared by ``case_key`` (no ``-N`` suffix, no leading
    zeros in the serial): "20/57417" finds "20/057417-5".
    """
    wanted = {case_key(c): c for c in cases}
    # a text can only mention a wanted case if it holds the case's last run of digits (leading zeros dropped)
    serials = {_last_digits(k) for k in wanted}
    hits: list[AktHit] = []
    for stored in stored_records:
        record = stored.record
        if record.kind == "other":
            head = record.text[:20000]
            found = _wanted_in(find_case_numbers(head), wanted) if any(s in head for s in serials) else ""
            if found:
                hits.append(AktHit(stored.sha256, stored.paths, record, None, None, f"nævnt i teksten: {found}"))
            continue
        for mi, meeting in enumerate(record.meetings):
            meeting_match = _wanted_in(meeting.case_numbers, wanted)
            for ii, item in enumerate(meeting.items):
                found = _wanted_in(item.case_numbers, wanted)
                how = f"sagsnr. {found}" if found else ""
                if not found and meeting_match:
                    how = f"dokumentets sagsnr. {meeting_match}"
                text = item.text if not how else ""
                if text and any(s in text for s in serials):
                    mentioned = _wanted_in(find_case_numbers(text), wanted)
                    how = f"nævnt i teksten: {mentioned}" if mentioned else ""
                if how:
                    hits.append(AktHit(stored.sha256, stored.paths, record, mi, ii, how))
    return hits


def _last_digits(key: str) -> str:
    runs = re.findall(r"\d+", key)
    return (runs[-1].lstrip("0") or "0") if runs else key


def _wanted_in(numbers: Iterable[object], wanted: dict[str, str]) -> str:
    for n in numbers:
        raw = getattr(n, "raw", n)
        if case_key(str(raw)) in wanted:
            return str(raw)
    return ""


_KEY_RE = re.compile(r"^(?P<sha>[0-9a-f]{16})(?:-(?P<m>\d+)-(?P<i>\d+))?$")


def hits_from_ids(
    ids: Iterable[str], lookup: Callable[[str], StoredLike | None], sha256_of: Callable[[str], str | None]
) -> list[AktHit]:
    """Hits for index ids (``item_key``/``document_key``); ``sha256_of`` maps an id to the full hash and
    ``lookup`` a full hash to its stored record. Ids whose content is gone are skipped."""
    hits: list[AktHit] = []
    cache: dict[str, StoredLike | None] = {}
    for doc_id in ids:
        m = _KEY_RE.match(doc_id)
        sha = sha256_of(doc_id)
        if not m or not sha:
            continue
        if sha not in cache:
            cache[sha] = lookup(sha)
        stored = cache[sha]
        if stored is None:
            continue
        if m.group("m") is None:
            hits.append(AktHit(sha, stored.paths, stored.record, None, None, "søgning"))
            continue
        mi, ii = int(m.group("m")), int(m.group("i"))
        if mi < len(stored.record.meetings) and ii < len(stored.record.meetings[mi].items):
            hits.append(AktHit(sha, stored.paths, stored.record, mi, ii, "søgning"))
    return hits


def filter_dates(hits: Iterable[AktHit], date_from: str | None, date_to: str | None) -> list[AktHit]:
    """Hits within [date_from, date_to] (ISO, inclusive). Hits without a date are kept (flagged later):
    leaving out a document because its date could not be read is the worse mistake in aktindsigt."""
    kept = []
    for h in hits:
        d = h.date
        if d is not None and ((date_from and d < date_from) or (date_to and d > date_to)):
            continue
        kept.append(h)
    return kept


def sort_hits(hits: Iterable[AktHit]) -> list[AktHit]:
    """Akt order: by date (undated last), body, source file, meeting, item number; duplicates removed."""
    unique = {h.key: h for h in hits}
    return sorted(
        unique.values(),
        key=lambda h: (
            h.date or "9999-99-99",
            (h.meeting.body if h.meeting else None) or "",
            h.source_path,
            h.meeting_index if h.meeting_index is not None else -1,
            h.item.number if h.item else -1,
        ),
    )


# ---------------------------------------------------------------------------
# Reading sources
# ---------------------------------------------------------------------------


_SOURCE_READ_ERRORS: tuple[type[BaseException], ...] = (KeyError, *ZIP_READ_ERRORS)  # KeyError: a member gone


def read_source(path: str) -> bytes:
    """The bytes of a catalog path: a plain file, or ``archive.zip!member`` read from the zip."""
    try:
        return read_display_path(path)  # also names that are not UTF-8 and repeated members ("a.pdf#2")
    except _SOURCE_READ_ERRORS as e:
        raise AktindsigtError(f"{path}: cannot read source file ({e})") from e


# ---------------------------------------------------------------------------
# Writing the package
# ---------------------------------------------------------------------------


@dataclass
class PackageSummary:
    searched: str
    created: str
    out_dir: str
    hits: int = 0
    documents: int = 0
    included: int = 0
    closed_withheld: int = 0
    sources_copied: int = 0
    sources_withheld: int = 0  # withheld because they hold closed text
    flagged_items: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    redactions: int = 0
    undated: int = 0
    problems: list[str] = field(default_factory=list)  # sources that could not be read
    review_withheld: int = 0  # withheld for a person to decide (an uncertain closed marker)
    excluded_withheld: int = 0  # left out of the request with a reason by whoever handles it
    sources_withheld_cpr: int = 0  # with ``redact``: withheld because they hold a CPR number (or could not be checked)
    sources_not_copied: int = 0  # with ``copy_sources=False``
    redact: bool = False
    sources_redacted: bool = False  # source files are always copied as they are, never redacted
    sources_cut: int = 0  # items whose own pages were cut out of a source PDF that holds a closed item
    bilag: int = 0  # rows of linked bilag files (under their items)
    bilag_included: int = 0  # of those, handed over (text and, unless withheld, the file)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)

    def text(self) -> str:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.findings.items())) or "ingen"
        lines = [
            "Aktindsigt",
            f"Søgning: {self.searched}",
            f"Udarbejdet: {self.created}",
            f"Hits (akter): {self.hits} i {self.documents} dokumenter",
            f"Udleveres: {self.included}",
            f"Undtaget – lukket punkt: {self.closed_withheld}",
            f"Tilbageholdt – til vurdering: {self.review_withheld}",
            f"Undtaget efter vurdering: {self.excluded_withheld}",
            f"Kildefiler kopieret: {self.sources_copied}; tilbageholdt (indeholder lukket punkt): "
            f"{self.sources_withheld}",
            f"Akter med flag til gennemsyn: {self.flagged_items} ({kinds})",
            f"Uden dato: {self.undated}",
        ]
        if self.sources_cut:
            lines.append(f"Uddrag af kildefiler (punktets egne sider): {self.sources_cut}")
        if self.bilag:
            lines.append(f"Bilag: {self.bilag}; udleveres: {self.bilag_included}")
        if self.sources_not_copied:
            lines.append(f"Kildefiler ikke kopieret (--no-sources): {self.sources_not_copied}")
        if self.redact:
            lines.append(f"CPR-numre maskeret i tekster og lister: {self.redactions}")
            lines.append(
                f"Kildefiler tilbageholdt (indeholder CPR-nummer eller kunne ikke kontrolleres): "
                f"{self.sources_withheld_cpr}"
            )
        if self.sources_copied:
            lines.append(
                f"OBS: de {self.sources_copied} kopierede kildefiler i sources/ er originaler og er ikke redigeret"
            )
        if self.problems:
            lines.append(f"Kildefiler der ikke kunne læses: {len(self.problems)}")
            lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines) + "\n"


_SAFE_RE = re.compile(r"[^\w.-]+")


def _safe_name(text: str, limit: int = 100) -> str:
    name = _SAFE_RE.sub("_", text).strip("._")
    return (name[:limit].rstrip("._") or "akt").lower()


def _pages(pages: Sequence[int]) -> str:
    if not pages:
        return ""
    if len(pages) == 1 or list(pages) == list(range(pages[0], pages[-1] + 1)):
        return str(pages[0]) if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
    return ", ".join(str(p) for p in pages)


def item_text(hit: AktHit) -> str:
    """The text written for one hit: a short header, then every section, then the decision if not already there."""
    item, meeting = hit.item, hit.meeting
    if item is None or meeting is None:
        return f"{hit.title}\n\n{hit.record.text}\n"
    head = [
        f"Punkt {item.number}: {item.title}",
        f"{meeting.body or 'Ukendt organ'}, {meeting.document_type}, {meeting.date or 'dato ukendt'}",
    ]
    if item.case_numbers:
        head.append("Sagsnr.: " + ", ".join(c.raw for c in item.case_numbers))
    parts = ["\n".join(head)]
    for s in item.sections:
        parts.append(f"{s.heading}\n{s.text}" if s.heading else s.text)
    if item.decision and not any(item.decision.text in s.text for s in item.sections):
        parts.append(f"Beslutning\n{item.decision.text}")
    return "\n\n".join(p for p in parts if p) + "\n"


def _holds_closed_text(record: DocumentRecord) -> bool:
    """True when a copy of the source would carry closed text: a closed item with text or a decision, or a
    non-meeting document with a confidentiality marker."""
    if record.kind == "other":
        return bool(_document_mark(record))
    return any(i.closed and (i.text.strip() or i.decision) for m in record.meetings for i in m.items)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _shown(f: Finding) -> str:
    return mask_cpr(f.value) if f.kind == "cpr" else f.value


def masked(text: str) -> str:
    """``text`` with every CPR number masked (``ddmmyy-XXXX``)."""
    return redact_cpr(text)[0] if any(c.isdigit() for c in text) else text


def _offset_after_redaction(offset: int, log: Sequence[Redaction]) -> int:
    """Where ``offset`` of the original text lands in the redacted text (the masks may differ in length)."""
    delta = 0
    for r in log:
        if r.end <= offset:
            delta += len(r.replacement) - (r.end - r.start)
        elif r.start < offset:
            return r.start + delta
    return offset + delta


@dataclass(frozen=True)
class _SourceOutcome:
    package_file: str  # "sources/..." or "" when not copied
    status: str  # one of the SOURCE_* values

    @property
    def flag(self) -> str:
        return "" if self.status == SOURCE_COPIED else f"kildefil {self.status}"


@dataclass
class _PackageWriter:
    """The state of one package while its rows are written; ``build_package`` drives it."""

    out_dir: Path
    summary: PackageSummary
    include_closed: bool
    redact: bool
    copy_sources: bool
    read: Callable[[str], bytes]
    rows: list[list[object]] = field(default_factory=list)
    flag_rows: list[list[object]] = field(default_factory=list)
    redaction_rows: list[list[object]] = field(default_factory=list)
    sources: dict[str, _SourceOutcome] = field(default_factory=dict)  # by sha256

    def scrub(self, value: object) -> object:
        """With ``redact``, every string that leaves the package has its CPR numbers masked."""
        return masked(value) if self.redact and isinstance(value, str) else value

    def add(self, n: int, akt: str, hit: AktHit) -> None:
        withheld = hit.closed and not self.include_closed
        if self._cuttable(hit, withheld):
            source = self._cut(hit, akt)
        else:
            if hit.sha256 not in self.sources:
                self.sources[hit.sha256] = self._source(hit, akt)
            source = self.sources[hit.sha256]
        flags = [source.flag] if source.flag else []
        if hit.date is None:
            flags.append("dato ukendt")
            self.summary.undated += 1
        pages = _pages(hit.item.pages) if hit.item else ""
        if hit.review:
            reason = f"usikker lukket-markering: {masked(hit.closed_reason)}"
            self.flag_rows.append([n, hit.key, "til vurdering", reason, pages, "", "", ""])
            flags.append("til vurdering")
        closed_bilag = [a for a in (hit.item.attachments if hit.item else ()) if a.closed]
        for attachment in closed_bilag:  # the bilag file itself must be withheld wherever it is handed over
            value = masked(f"{attachment.title} ({attachment.access})")
            self.flag_rows.append([n, hit.key, "lukket bilag", value, pages, "", "", ""])
        if closed_bilag:
            flags.append(f"lukket bilag: {len(closed_bilag)}")
        text_file = ""
        item_flags: dict[str, int] = {}
        if withheld and hit.excluded:
            self.summary.excluded_withheld += 1
        elif withheld and hit.review:
            self.summary.review_withheld += 1
        elif withheld:
            self.summary.closed_withheld += 1
        else:
            self.summary.included += 1
            text_file, item_flags = self._write_text(n, akt, hit, pages)
        if item_flags:
            self.summary.flagged_items += 1
            for kind, count in item_flags.items():
                self.summary.findings[kind] = self.summary.findings.get(kind, 0) + count
            flags.insert(0, ", ".join(f"{k}: {v}" for k, v in sorted(item_flags.items())))
        status = OPEN_STATUS if not withheld else _withheld_status(hit)
        # a withheld item is listed by its title (the aktliste must identify it) with CPR numbers masked
        title = masked(hit.title) if withheld else hit.title
        item, meeting = hit.item, hit.meeting
        row: list[object] = [
            n,
            hit.date or "",
            (meeting.body if meeting else None) or "",
            meeting.document_type if meeting else "andet",
            item.number if item else "",
            title,
            "; ".join(c.raw for c in (item.case_numbers if item else ())),
            hit.source_path,
            pages,
            hit.sha256,
            "lukket" if hit.closed and not hit.excluded else "åben",
            status,
            "; ".join(flags),
            hit.matched_by,
            source.package_file,
            text_file,
            hit.key,
            masked(hit.closed_reason),
            source.status,
        ]
        self.rows.append([self.scrub(v) for v in row])
        for k, bilag in enumerate(hit.bilag, 1):
            self._add_bilag(f"{n}.{k}", f"{akt}.{k}", hit, bilag, withheld)

    def _write_text(self, n: int | str, akt: str, hit: AktHit, pages: str) -> tuple[str, dict[str, int]]:
        text_file = f"texts/{akt}_{_safe_name(str(self.scrub(hit.title)))}.txt"
        meeting = hit.meeting
        names = (*meeting.participants, *meeting.absent) if meeting else ()
        return self._write_findings(n, hit.key, text_file, item_text(hit), names, pages)

    def _write_findings(
        self, n: int | str, key: str, text_file: str, text: str, names: Sequence[str], pages: str
    ) -> tuple[str, dict[str, int]]:
        """Write one text file (CPR numbers masked with ``redact``) and list what it holds in the flag list."""
        redacted, log = redact_cpr(text) if self.redact else (text, [])
        item_flags: dict[str, int] = {}
        for f in find_personal_data(text, known_names=names):
            item_flags[f.kind] = item_flags.get(f.kind, 0) + 1
            line, col = _line_col(redacted, _offset_after_redaction(f.start, log))
            self.flag_rows.append([n, key, f.kind, self.scrub(_shown(f)), pages, line, col, text_file])
        for r in log:
            line, col = _line_col(redacted, _offset_after_redaction(r.start, log))
            self.redaction_rows.append([n, text_file, line, col, r.start, r.end, r.replacement, pages])
        self.summary.redactions += len(log)
        _write(self.out_dir / text_file, redacted)
        return text_file, item_flags

    def _add_bilag(self, label: str, akt: str, hit: AktHit, bilag: LinkedBilag, item_withheld: bool) -> None:
        """A row for one bilag under its item: withheld with a withheld item, when the bilag itself is closed,
        or for review when its text carries a confidentiality marker; else its text and file are handed over."""
        self.summary.bilag += 1
        attachment, record = bilag.attachment, bilag.record
        marker = _document_mark(record)
        pages = _pages(range(1, record.source.page_count + 1))
        flags: list[str] = []
        if item_withheld:
            status, reason = _withheld_status(hit), hit.closed_reason
        elif attachment.closed and not self.include_closed:
            status, reason = BILAG_CLOSED_STATUS, attachment.access or "lukket bilag"
        elif marker and not self.include_closed:
            status, reason = REVIEW_STATUS, marker
            self.flag_rows.append(
                [label, document_key(bilag.sha256), "til vurdering", masked(marker), pages, "", "", ""]
            )
            flags.append("til vurdering")
        else:
            status, reason = OPEN_STATUS, ""
        withheld = status != OPEN_STATUS
        title = f"Bilag: {attachment.title}"
        text_file = ""
        if withheld:
            source = _SourceOutcome("", SOURCE_WITHHELD_CLOSED if self.copy_sources else SOURCE_NOT_COPIED)
        else:
            self.summary.bilag_included += 1
            text_file = f"texts/{akt}_bilag_{_safe_name(str(self.scrub(attachment.title)))}.txt"
            text = f"{title}\nBilag til punkt {hit.item.number if hit.item else ''}: {hit.title}\n\n{record.text}\n"
            text_file, found = self._write_findings(label, document_key(bilag.sha256), text_file, text, (), pages)
            if found:
                flags.insert(0, ", ".join(f"{k}: {v}" for k, v in sorted(found.items())))
            if bilag.sha256 not in self.sources:
                self.sources[bilag.sha256] = self._source(AktHit(bilag.sha256, bilag.paths, record, None, None), akt)
            source = self.sources[bilag.sha256]
        if source.flag:
            flags.insert(0, source.flag)
        item, meeting = hit.item, hit.meeting
        closed = (item_withheld and not hit.excluded) or attachment.closed or bool(marker)
        row: list[object] = [
            label,
            hit.date or "",
            (meeting.body if meeting else None) or "",
            meeting.document_type if meeting else "andet",
            item.number if item else "",
            masked(title) if withheld else title,
            "; ".join(c.raw for c in (item.case_numbers if item else ())),
            bilag.source_path,
            pages,
            bilag.sha256,
            "lukket" if closed else "åben",
            status,
            "; ".join(flags),
            f"bilag til akt {label.split('.')[0]} (fundet via {bilag.matched_by})",
            source.package_file,
            text_file,
            document_key(bilag.sha256),
            masked(reason),
            source.status,
        ]
        self.rows.append([self.scrub(v) for v in row])

    def _cuttable(self, hit: AktHit, withheld: bool) -> bool:
        """An included item of a source that holds closed text: its own pages may be cut out."""
        return (
            self.copy_sources
            and not withheld
            and not self.include_closed
            and hit.item is not None
            and _holds_closed_text(hit.record)
        )

    def _cut(self, hit: AktHit, akt: str) -> _SourceOutcome:
        """The item's own pages cut out of its source PDF (an export item: out of its printed PDF), without pages
        it shares with a closed item; the item's text file stands in when no page can go."""
        assert hit.meeting_index is not None and hit.item_index is not None and hit.item is not None
        record, paths, mi, ii = hit.record, hit.paths, hit.meeting_index, hit.item_index
        closed_numbers: frozenset[int] = frozenset()
        if record.source.format != "pdf" and hit.printed is not None and hit.printed.record.source.format == "pdf":
            printed = hit.printed.record.meetings[hit.printed.meeting_index]
            match = next((k for k, it in enumerate(printed.items) if it.number == hit.item.number), None)
            if match is not None:
                closed_numbers = frozenset(i.number for i in hit.record.meetings[mi].items if i.closed)
                record, paths, mi, ii = hit.printed.record, hit.printed.paths, hit.printed.meeting_index, match
        if record.source.format != "pdf":
            return _SourceOutcome("", SOURCE_TEXT_INSTEAD)
        plan = plan_cut(record.meetings, mi, ii, closed_numbers=closed_numbers)
        if plan is None:
            return _SourceOutcome("", SOURCE_WITHHELD_CLOSED)
        if not plan.keep:
            return _SourceOutcome("", SOURCE_ALL_PAGES_SHARED)
        path = paths[0] if paths else record.source.path
        try:
            data = cut_pages(self.read(path), plan.keep)
        except (AktindsigtError, PdfCutError) as e:
            self.summary.problems.append(str(self.scrub(f"{path}: cannot cut pages {_pages(plan.keep)} ({e})")))
            return _SourceOutcome("", SOURCE_UNREADABLE)
        if self.redact:
            holds = source_holds_cpr(data, ".pdf")
            if holds is not False:
                self.summary.sources_withheld_cpr += 1
                return _SourceOutcome("", SOURCE_WITHHELD_CPR if holds else SOURCE_WITHHELD_UNCHECKED)
        stem = _safe_name(str(self.scrub(Path(path.split("!")[-1]).stem)), 80)
        name = f"sources/{akt}_{stem}_s{_safe_name(_pages(plan.keep))}.pdf"
        try:
            (self.out_dir / name).write_bytes(data)
        except OSError as e:
            raise AktindsigtError(f"{self.out_dir / name}: cannot write ({e.strerror or e})") from e
        self.summary.sources_cut += 1
        status = f"{SOURCE_CUT} {_pages(plan.keep)}"
        if plan.shared:
            status += f"; {SOURCE_CUT_SHARED}: {_pages(plan.shared)}"
        if self.redact:
            status += " – ikke redigeret"
        return _SourceOutcome(name, status)

    def _source(self, hit: AktHit, akt: str) -> _SourceOutcome:
        """Copy the hit's source file once, unless it would carry closed text or (with ``redact``) a CPR number."""
        if not self.copy_sources:
            self.summary.sources_not_copied += 1
            return _SourceOutcome("", SOURCE_NOT_COPIED)
        if hit.excluded or (not self.include_closed and _holds_closed_text(hit.record)):
            self.summary.sources_withheld += 1
            return _SourceOutcome("", SOURCE_WITHHELD_CLOSED)
        path = hit.source_path
        if self.redact and _record_holds_cpr(hit.record, path):
            self.summary.sources_withheld_cpr += 1
            return _SourceOutcome("", SOURCE_WITHHELD_CPR)
        try:
            data = self.read(path)
        except AktindsigtError as e:
            self.summary.problems.append(str(self.scrub(str(e))))
            return _SourceOutcome("", SOURCE_UNREADABLE)
        if self.redact:
            holds = source_holds_cpr(data, Path(path.split("!")[-1]).suffix.lower())
            if holds is not False:
                self.summary.sources_withheld_cpr += 1
                return _SourceOutcome("", SOURCE_WITHHELD_CPR if holds else SOURCE_WITHHELD_UNCHECKED)
        member = Path(path.split("!")[-1])
        name = f"sources/{akt}_{_safe_name(str(self.scrub(member.stem)))}{member.suffix.lower()}"
        try:
            (self.out_dir / name).write_bytes(data)
        except OSError as e:
            raise AktindsigtError(f"{self.out_dir / name}: cannot write ({e.strerror or e})") from e
        self.summary.sources_copied += 1
        return _SourceOutcome(name, SOURCE_COPIED_UNREDACTED if self.redact else SOURCE_COPIED)


def _document_mark(record: DocumentRecord) -> str:
    """The confidentiality marker of a whole non-meeting document (or a bilag), by the rule that closes it in
    the index (``whole_document_mark``); "" when none."""
    return whole_document_mark(record.title or "", record.text)


def _withheld_status(hit: AktHit) -> str:
    if hit.excluded:
        return f"{EXCLUDED_STATUS} – {hit.excluded}"
    return REVIEW_STATUS if hit.review else CLOSED_STATUS


def exclude(hits: Iterable[AktHit], reasons: Mapping[str, str]) -> list[AktHit]:
    """``hits`` with those whose key is in ``reasons`` left out of the request: each keeps its row on the
    aktliste ("undtaget – <reason>") but nothing of it is handed over. An excluded item counts as a closed
    item of its source for every hit of that source, so no copy or page cut of the source carries it; an
    item that is closed already stays withheld as closed."""
    hits = list(hits)
    left_out: dict[str, set[tuple[int, int]]] = {}
    for hit in hits:
        if hit.key in reasons and hit.item is not None and not hit.item.closed:
            assert hit.meeting_index is not None and hit.item_index is not None
            left_out.setdefault(hit.sha256, set()).add((hit.meeting_index, hit.item_index))
    records = {sha: _with_items_closed(_record_of(hits, sha), positions) for sha, positions in left_out.items()}
    out = []
    for hit in hits:
        record = records.get(hit.sha256, hit.record)
        closed_already = hit.item is not None and hit.item.closed
        reason = "" if closed_already or hit.key not in reasons else (reasons[hit.key].strip() or "udeladt")
        out.append(dataclasses.replace(hit, record=record, excluded=reason))
    return out


def _record_of(hits: Sequence[AktHit], sha: str) -> DocumentRecord:
    return next(h.record for h in hits if h.sha256 == sha)


def _with_items_closed(record: DocumentRecord, positions: set[tuple[int, int]]) -> DocumentRecord:
    meetings = tuple(
        dataclasses.replace(
            m,
            items=tuple(
                dataclasses.replace(it, closed=True, closed_reason="udeladt") if (mi, ii) in positions else it
                for ii, it in enumerate(m.items)
            ),
        )
        for mi, m in enumerate(record.meetings)
    )
    return dataclasses.replace(record, meetings=meetings)


def build_package(
    hits: Sequence[AktHit],
    out_dir: Path,
    *,
    searched: str,
    include_closed: bool = False,
    redact: bool = False,
    copy_sources: bool = True,
    read: Callable[[str], bytes] = read_source,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PackageSummary:
    """Write the package for ``hits`` (any order; sorted here) into ``out_dir`` and return its summary.

    ``out_dir`` must be empty or not exist: a package is never merged into an old one.
    ``copy_sources=False`` writes no ``sources/`` folder (every row says so).
    ``progress(done, total)`` is called after each hit when given.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise AktindsigtError(f"{out_dir}: the output folder is not empty; choose a new folder")
    try:
        (out_dir / "texts").mkdir(parents=True, exist_ok=True)
        if copy_sources:
            (out_dir / "sources").mkdir(exist_ok=True)
    except OSError as e:
        raise AktindsigtError(f"{out_dir}: cannot create the package folder ({e.strerror or e})") from e

    ordered = sort_hits(hits)
    width = max(4, len(str(len(ordered))))
    created = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    summary = PackageSummary(
        searched=masked(searched) if redact else searched,
        created=created,
        out_dir=masked(str(out_dir)) if redact else str(out_dir),
        hits=len(ordered),
        redact=redact,
    )
    writer = _PackageWriter(out_dir, summary, include_closed, redact, copy_sources, read)
    for n, hit in enumerate(ordered, 1):
        writer.add(n, f"{n:0{width}d}", hit)
        if progress is not None:
            progress(n, len(ordered))
    summary.documents = len(writer.sources)
    _write_tables(out_dir, writer.rows, writer.flag_rows, writer.redaction_rows if redact else None)
    _write(out_dir / "summary.txt", summary.text())
    _write(out_dir / "summary.json", json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return summary


# ---------------------------------------------------------------------------
# CPR numbers in source files (checked with ``redact``: source files are never redacted)
# ---------------------------------------------------------------------------


def _has_cpr(text: str) -> bool:
    return any(c.isdigit() for c in text) and bool(find_personal_data(text, kinds=("cpr",)))


def _record_strings(record: DocumentRecord, path: str) -> Iterator[str]:
    """Every string of a stored record, and the file's path: what the parser read from the source."""
    yield path
    yield record.source.path
    yield record.title or ""
    yield record.text
    for meeting in record.meetings:
        yield from (meeting.body or "", meeting.location or "", meeting.municipality or "")
        yield from (*meeting.participants, *meeting.absent, *(c.raw for c in meeting.case_numbers))
        for item in meeting.items:
            yield from (item.title, item.closed_reason or "", item.category or "")
            yield from (c.raw for c in item.case_numbers)
            for section in item.sections:
                yield from (section.heading or "", section.text)
            if item.decision:
                yield from (item.decision.text, item.decision.body or "")
            yield from (a.title for a in item.attachments)
            yield from (h.text for h in item.history)
    yield from (p.message for p in record.problems)


def _record_holds_cpr(record: DocumentRecord, path: str) -> bool:
    return any(_has_cpr(s) for s in _record_strings(record, path))


_TAG_RE = re.compile(rb"<[^>]+>")


def _source_strings(data: bytes, suffix: str) -> Iterator[str]:
    """The text of a source file read again, beyond the stored record: every extracted line (running
    headers and footers too), the raw bytes, every XML part of a DOCX (comments, properties), PDF metadata."""
    import tempfile

    from parsers import extract

    yield data.decode("utf-8", "replace")
    yield data.decode("latin-1")
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name in zf.namelist():
                part = zf.read(name)
                yield _TAG_RE.sub(b"", part).decode("utf-8", "replace")
                yield _TAG_RE.sub(b" ", part).decode("utf-8", "replace")
    with tempfile.TemporaryDirectory(prefix="arkiv-akt-") as tmp:
        copy = Path(tmp) / f"source{suffix or '.bin'}"
        copy.write_bytes(data)
        yield "\n".join(b.text for b in extract(copy).blocks)
        if data[:5] == b"%PDF-":
            import pypdfium2  # type: ignore[import-untyped]

            pdf = pypdfium2.PdfDocument(str(copy))
            try:
                yield "\n".join(str(v) for v in pdf.get_metadata_dict().values())
            finally:
                pdf.close()


def source_holds_cpr(data: bytes, suffix: str) -> bool | None:
    """True when a source file holds a CPR number anywhere we can read; None when it cannot be read
    (then it is withheld too: an unchecked file may not leave a redacted package)."""
    try:
        return any(_has_cpr(s) for s in _source_strings(data, suffix))
    except Exception:  # noqa: BLE001 - any failure to read the file means it was not checked
        return None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise AktindsigtError(f"{path}: cannot write ({e.strerror or e})") from e


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            writer.writerows(rows)
    except OSError as e:
        raise AktindsigtError(f"{path}: cannot write ({e.strerror or e})") from e


def _write_tables(
    out_dir: Path,
    rows: list[list[object]],
    flag_rows: list[list[object]],
    redaction_rows: list[list[object]] | None,
) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    _write_csv(out_dir / "aktliste.csv", AKTLISTE_COLUMNS, rows)
    _write_csv(out_dir / "flag.csv", FLAG_COLUMNS, flag_rows)
    sheets: list[tuple[str, Sequence[str], list[list[object]]]] = [
        ("Aktliste", AKTLISTE_COLUMNS, rows),
        ("Flag", FLAG_COLUMNS, flag_rows),
    ]
    if redaction_rows is not None:
        _write_csv(out_dir / "redactions.csv", REDACTION_COLUMNS, redaction_rows)
        sheets.append(("Redaktioner", REDACTION_COLUMNS, redaction_rows))
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, data in sheets:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in data:
            ws.append(row)
    path = out_dir / "aktliste.xlsx"
    try:
        wb.save(path)
    except OSError as e:
        raise AktindsigtError(f"{path}: cannot write ({e.strerror or e})") from e
