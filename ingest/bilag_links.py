"""Bilag files linked to the items that list them, and ESDH exports that take precedence over their print.

Two derived relations of the catalog, computed after every import from what is
present at that moment (never from the order files arrived in):

* ``bilag_links``: an item's listed bilag (``Attachment``) → the bilag file that
  holds it. Candidates are the documents of kind "other" in the same folder as
  the meeting document or in a folder right under it ("Bilag/"), or in the same
  zip, and the file an ESDH XML export references (``Attachment.file``, relative
  to the export, at any depth). Matches, strongest
  first: the export's file reference (``file``), the bilag's document number in
  the file name (``document_number``), the printed title equal to the file name
  (``file_name``) or to the bilag document's own title (``title``), and a file
  named only "Bilag N" for the one attachment numbered N (``number``). Titles
  and names are compared folded: case, diacritics (æ = ae = a, ø = oe = o, å = aa = a),
  punctuation, a file extension and numbering such as "Bilag 2:" do not count.
  An attachment that two different files match equally well is not linked (no
  guess); one file may be the bilag of several items.
* ``printed_versions``: a meeting of a printed document (PDF, DOCX, HTML) that an
  ESDH XML export in the same folder or zip also holds. The export is exact, so
  its meeting is the one the index and aktindsigt use; the print is kept as the
  export's printed source (its pages). Same meeting: same body, date and
  document type, and at least half of the export's items agree with the
  print's items by number and title or case number.

``update_links`` recomputes both for the folders and zips an import touched
(every path whose generation is the run's), or for the whole catalog when the
relations were never computed (a new or repaired catalog). A content whose
links or precedence changed gets the run's generation, so ``arkiv index``
re-indexes it: the item with its bilag text, the bilag no longer (or again) as
a document of its own.
"""

from __future__ import annotations

import bisect
import functools
import json
import posixpath
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from ingest.catalog import Catalog
from parsers.records import FORMAT_VERSION, Meeting, item_key

__all__ = [
    "LINKS_META_KEY",
    "LINKS_VERSION",
    "BilagCandidate",
    "BilagLink",
    "ListedBilag",
    "PrintedVersion",
    "group_of",
    "match_bilag",
    "name_keys",
    "same_meeting",
    "update_links",
]

# Bump when the matching rules change: every link is computed again on the next import.
LINKS_VERSION = "1"
LINKS_META_KEY = "links_version"  # meta key: the LINKS_VERSION the relations were computed with

METHODS = ("file", "document_number", "file_name", "title", "number")  # strongest first

_EXTENSION_RE = re.compile(
    r"\.(pdf|docx?|docm|dotx?|rtf|odt|wpd|msg|eml|txt|xlsx?|ods|pptx?|html?|tiff?|jpe?g|png)$", re.IGNORECASE
)
# "Bilag 2:", "Bilag 1.2 -", "Bilag nr. 3", "Bil. 4)" at the start of a title or a file name
_BILAG_PREFIX_RE = re.compile(
    r"^\s*(?:bilag|bil\.?)[\s_-]*(?:nr\.?[\s_-]*)?(\d+(?:\.\d+)*)(?![\d])\s*[:.)\-–—_]?\s*", re.IGNORECASE
)
# "2:", "2.1 -", "3)" or "4 " before a title: printed list numbering
_NUMBER_PREFIX_RE = re.compile(r"^\s*(\d+(?:\.\d+)*)(?:\s*[:.)\-–—_]\s*|\s+)(?=\S)")
_MIN_KEY_CHARS = 3


@functools.lru_cache(maxsize=65536)  # each file name and title is folded once per run, not once per candidate pair
def fold_name(text: str) -> str:
    """Lower case, accents dropped, æ/ø/å and their spellings ae/oe/aa (or a/o/a, as file names often have
    them) all read alike, anything not a letter or digit a space: "Høringssvar" = "hoeringssvar" = "horingssvar"."""
    lowered = text.lower().replace("æ", "a").replace("ø", "o").replace("å", "a")
    if lowered.isascii():  # NFKD leaves ASCII as it is, and no ASCII character is combining
        plain = lowered
    else:
        plain = "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
    return " ".join(_plain_vowels(w) for w in re.sub(r"[^a-z0-9]+", " ", plain).split())


def _plain_vowels(word: str) -> str:
    """aa, ae -> a and oe -> o until none is left (so folding twice changes nothing)."""
    while True:
        shorter = word.replace("aa", "a").replace("ae", "a").replace("oe", "o")
        if shorter == word:
            return word
        word = shorter


def _without_extension(text: str) -> str:
    """Without a file extension, or two ("budget.xlsx.pdf": a converted file keeps its first one)."""
    return _EXTENSION_RE.sub("", _EXTENSION_RE.sub("", text.strip()))


def bilag_number(text: str) -> str | None:
    """The number of "Bilag 2: ..." / "Bilag 1.2 - ..." ("2", "1.2"); None when the text does not start so."""
    m = _BILAG_PREFIX_RE.match(text)
    return m.group(1) if m else None


@functools.lru_cache(maxsize=65536)
def name_keys(text: str) -> frozenset[str]:
    """The folded forms a title or file name is compared by: as written, and without numbering such as
    "Bilag 2:" or "3 " in front (both without a file extension). Keys shorter than 3 characters are dropped."""
    base = _without_extension(text)
    forms = {base}
    stripped = _BILAG_PREFIX_RE.sub("", base, count=1)
    forms.add(stripped)
    forms.add(_NUMBER_PREFIX_RE.sub("", stripped, count=1))
    keys = {fold_name(f) for f in forms}
    return frozenset(k for k in keys if len(k) >= _MIN_KEY_CHARS)


def _document_number_key(number: str | None) -> str | None:
    """A document number as folded words ("123456/13" -> "123456 13"); None when it has fewer than 5 digits."""
    if not number or sum(c.isdigit() for c in number) < 5:
        return None
    return fold_name(number) or None


class AttachmentLike(Protocol):
    """What the matcher reads of a listed bilag: a ``parsers.records.Attachment`` or the catalog's view of one."""

    @property
    def title(self) -> str: ...
    @property
    def number(self) -> int | None: ...
    @property
    def document_number(self) -> str | None: ...
    @property
    def file(self) -> str | None: ...


@dataclass(frozen=True)
class BilagCandidate:
    """A document of kind "other" that may be a listed bilag."""

    sha256: str
    path: str  # the display path of the file ("/dir/b.pdf", "/dir/m.zip!Enclosures/1.pdf")
    title: str | None  # the document's own title (first heading); None: none found


@dataclass(frozen=True)
class ListedBilag:
    """One bilag an item lists."""

    item_key: str
    attachment_index: int
    attachment: AttachmentLike


@dataclass(frozen=True)
class BilagLink:
    item_key: str
    attachment_index: int
    bilag_sha256: str
    bilag_path: str
    method: str  # one of METHODS


@dataclass(frozen=True)
class PrintedVersion:
    """A meeting of a printed document that an ESDH export holds too (the export takes precedence)."""

    sha256: str  # the printed document
    meeting_index: int
    export_sha256: str  # the XML export
    export_meeting_index: int


def group_of(path: str) -> str:
    """Where a file was delivered: its zip for a zip member, else its folder."""
    if "!" in path:
        return path.split("!", 1)[0]
    return posixpath.dirname(path)


def _resolve(meeting_path: str, reference: str) -> str:
    """The display path a relative file reference of an export names (inside the same zip for a member)."""
    if "!" in meeting_path:
        container, member = meeting_path.split("!", 1)
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(member), reference))
        return f"{container}!{joined.lstrip('/')}"
    return posixpath.normpath(posixpath.join(posixpath.dirname(meeting_path), reference))


@functools.lru_cache(maxsize=65536)  # a candidate is matched for every meeting document beside it
def _stem(path: str) -> str:
    return posixpath.basename(path.split("!", 1)[-1])


class _CandidateIndex:
    """Candidate files folded once for every listed bilag matched against them, of one meeting document or of
    all those that share them (by position; what only some bilag need is folded when first asked for)."""

    def __init__(self, candidates: Sequence[BilagCandidate]) -> None:
        self.candidates = candidates
        self.stems = [_stem(c.path) for c in candidates]
        self.names: dict[str, list[int]] = {}
        self.titles: dict[str, list[int]] = {}
        for n, (c, stem) in enumerate(zip(candidates, self.stems, strict=True)):
            for key in name_keys(stem):
                self.names.setdefault(key, []).append(n)
            if c.title:
                for key in name_keys(c.title):
                    self.titles.setdefault(key, []).append(n)

    @functools.cached_property
    def by_path(self) -> dict[str, int]:
        return {c.path.casefold(): n for n, c in enumerate(self.candidates)}

    @functools.cached_property
    def padded(self) -> list[str]:
        """Each file name folded, between spaces (" 123456 13 notat "): document numbers are looked for in it."""
        return [f" {fold_name(stem)} " for stem in self.stems]

    @functools.cached_property
    def bare(self) -> dict[str, list[int]]:
        """Folded file name without extension ("bilag 2") → the candidates so named."""
        out: dict[str, list[int]] = {}
        for n, stem in enumerate(self.stems):
            out.setdefault(fold_name(_without_extension(stem)), []).append(n)
        return out


def match_bilag(
    meeting_paths: Sequence[str], listed: Sequence[ListedBilag], candidates: Sequence[BilagCandidate]
) -> list[BilagLink]:
    """The links of one meeting document's listed bilag to candidate files (see the module docstring).

    ``meeting_paths`` are the present paths of the meeting document; ``candidates`` the documents of kind
    "other" next to any of them. The result is sorted and does not depend on the order of the inputs.
    """
    return _match(meeting_paths, listed, _CandidateIndex(candidates))


def _match(meeting_paths: Sequence[str], listed: Sequence[ListedBilag], index: _CandidateIndex) -> list[BilagLink]:
    numbers: dict[str, int] = {}
    for b in listed:
        n = _listed_number(b.attachment)
        if n is not None:
            numbers[n] = numbers.get(n, 0) + 1
    links: list[BilagLink] = []
    for b in sorted(listed, key=lambda x: (x.item_key, x.attachment_index)):
        found = _best(b.attachment, meeting_paths, index, numbers)
        if found is not None:
            method, cand = found
            links.append(BilagLink(b.item_key, b.attachment_index, cand.sha256, cand.path, method))
    return links


def _listed_number(a: AttachmentLike) -> str | None:
    return bilag_number(a.title) or (str(a.number) if a.number is not None else None)


def _best(
    a: AttachmentLike, meeting_paths: Sequence[str], index: _CandidateIndex, numbers: dict[str, int]
) -> tuple[str, BilagCandidate] | None:
    """The strongest method that finds exactly one content for this attachment, and that content's first path."""
    tiers: list[tuple[str, Iterable[int]]] = []
    if a.file:
        by_path = index.by_path
        wanted = {_resolve(m, a.file).casefold() for m in meeting_paths}
        tiers.append(("file", [by_path[p] for p in wanted if p in by_path]))
    doc_key = _document_number_key(a.document_number)
    if doc_key:
        padded_key = f" {doc_key} "
        tiers.append(("document_number", [n for n, name in enumerate(index.padded) if padded_key in name]))
    keys = name_keys(a.title)
    tiers.append(("file_name", [n for k in keys for n in index.names.get(k, ())]))
    tiers.append(("title", [n for k in keys for n in index.titles.get(k, ())]))
    n = _listed_number(a)
    if n is not None and numbers.get(n) == 1:
        tiers.append(("number", index.bare.get(f"bilag {fold_name(n)}", ())))
    candidates = index.candidates
    for method, positions in tiers:
        found = [candidates[p] for p in positions]
        if len(found) == 1:
            return method, found[0]
        shas = {c.sha256 for c in found}
        if len(shas) == 1:
            return method, min(found, key=lambda c: c.path)
        if len(shas) > 1:
            return None  # two different files fit equally well: no guess
    return None


# ---------------------------------------------------------------------------
# Export and print of the same meeting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _MeetingKey:
    """What ``same_meeting`` compares of a meeting, folded once however many meetings it is compared with."""

    date: str | None
    document_type: str
    body: str  # folded
    items: tuple[tuple[int, str, frozenset[str]], ...]  # number, folded title, normalized case numbers
    by_number: dict[int, tuple[str, frozenset[str]]]  # the last item of each number (as printed)


def _meeting_key(meeting: Meeting) -> _MeetingKey:
    return _key_of(
        meeting.date,
        meeting.document_type,
        meeting.body,
        [(i.number, i.title, [c.normalized for c in i.case_numbers]) for i in meeting.items],
    )


def _stored_meeting_key(meeting: _StoredMeeting) -> _MeetingKey:
    return _key_of(meeting.date, meeting.document_type, meeting.body, meeting.items)


def _key_of(
    date: str | None, document_type: str, body: str | None, items: Iterable[tuple[int, str, Iterable[str]]]
) -> _MeetingKey:
    folded = tuple((number, fold_name(title), frozenset(cases)) for number, title, cases in items)
    return _MeetingKey(date, document_type, fold_name(body or ""), folded, {number: (t, c) for number, t, c in folded})


def same_meeting(export: Meeting, printed: Meeting) -> bool:
    """True when a printed meeting is the export's meeting: body, date and document type agree, and at least
    half of the export's items have an item of the print with the same number and a matching title or case."""
    return _same_meeting(_meeting_key(export), _meeting_key(printed))


def _same_meeting(export: _MeetingKey, printed: _MeetingKey) -> bool:
    if not export.date or export.date != printed.date or export.document_type != printed.document_type:
        return False
    if not export.body or export.body != printed.body:
        return False
    if not export.items:
        return not printed.items
    agree = 0
    for number, a, cases in export.items:
        other = printed.by_number.get(number)
        if other is None:
            continue
        b, other_cases = other
        if (a and b and (a == b or a in b or b in a)) or cases & other_cases:
            agree += 1
    return 2 * agree >= len(export.items)


def _printed_versions(records: dict[str, _Record], group_members: dict[str, set[str]]) -> list[PrintedVersion]:
    """Printed meetings held by an export in the same folder or zip (one export per printed meeting: the first
    by hash when several fit)."""
    found: dict[tuple[str, int], PrintedVersion] = {}
    keys: dict[tuple[str, int], _MeetingKey] = {}

    def key(sha: str, index: int) -> _MeetingKey:
        k = keys.get((sha, index))
        if k is None:
            k = keys[(sha, index)] = _stored_meeting_key(records[sha].meetings[index])
        return k

    for members in group_members.values():
        shas = sorted(members)
        exports = [s for s in shas if records[s].format == "xml"]
        if not exports:
            continue  # nothing to pair a print with
        prints = [s for s in shas if records[s].format != "xml"]
        for p in prints:
            for pm in range(len(records[p].meetings)):
                if (p, pm) in found:
                    continue
                printed = key(p, pm)
                for e in exports:
                    hit = next(
                        (em for em in range(len(records[e].meetings)) if _same_meeting(key(e, em), printed)), None
                    )
                    if hit is not None:
                        found[(p, pm)] = PrintedVersion(p, pm, e, hit)
                        break
    return sorted(found.values(), key=lambda v: (v.sha256, v.meeting_index))


# ---------------------------------------------------------------------------
# Keeping the catalog's relations up to date
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkReport:
    links: int  # links in the catalog afterwards
    changed_contents: int  # contents given the run's generation because their links or precedence changed


def update_links(catalog: Catalog, generation: int) -> LinkReport:
    """Recompute the bilag links and printed versions for the folders and zips changed in ``generation``
    (everything when they were never computed with this ``LINKS_VERSION``); see the module docstring."""
    conn = catalog.connection
    full = _meta(conn) != LINKS_VERSION
    changed = [r[0] for r in conn.execute("SELECT path FROM files WHERE generation = ?", (generation,))]
    if not full and not changed:
        return LinkReport(_count(conn), 0)  # nothing changed in this run: the relations stand
    present = _present(conn)
    if full:
        groups = {group_of(path) for path in present}
    else:
        groups = {group_of(p) for p in changed}
        # a file in a subfolder can be the bilag of a meeting document in a folder above it
        groups |= {g for p in changed for g in _ancestors(group_of(p))}
    paths_of: dict[str, list[str]] = {}
    meetings_in: dict[str, set[str]] = {}
    others: dict[str, list[tuple[str, _Present]]] = {}
    for path, p in sorted(present.items()):
        paths_of.setdefault(p.sha256, []).append(path)
        if p.kind == "meeting":
            meetings_in.setdefault(group_of(path), set()).add(p.sha256)
        else:
            others.setdefault(group_of(path), []).append((path, p))
    # the meeting contents with a path in an affected group, and the meetings beside them (export and print)
    affected = {sha for g in groups for sha in meetings_in.get(g, ())}
    near = {g: meetings_in[g] for sha in affected for g in {group_of(p) for p in paths_of[sha]}}
    records = _records(conn, {sha for shas in near.values() for sha in shas})
    printed = [v for v in _printed_versions(records, near) if v.sha256 in affected or v.export_sha256 in affected]
    affected |= {v.sha256 for v in printed} | {v.export_sha256 for v in printed}
    superseded = {(v.sha256, v.meeting_index) for v in printed}
    names = sorted(others)
    made: dict[str, list[BilagCandidate]] = {}
    indexes: dict[tuple[tuple[str, str], ...], _CandidateIndex] = {}
    links: list[tuple[str, BilagLink]] = []
    for sha in sorted(affected):
        record = records.get(sha)
        if record is None:
            continue
        listed = _listed(sha, record, superseded)
        if listed:
            candidates = _candidates(paths_of[sha], listed, others, names, present, made)
            # the meeting documents of one folder share their candidates: folded once for all of them
            key = tuple((c.path, c.sha256) for c in candidates)
            index = indexes.get(key)
            if index is None:
                index = indexes[key] = _CandidateIndex(candidates)
            links += [(sha, link) for link in _match(paths_of[sha], listed, index)]
    present_shas = {p.sha256 for p in present.values()}
    return _store(catalog, generation, affected, links, printed, present_shas, full)


def _ancestors(folder: str) -> list[str]:
    out = []
    while folder and folder != "/" and "!" not in folder:
        folder = posixpath.dirname(folder)
        out.append(folder)
    return out


def _candidates(
    meeting_paths: Sequence[str],
    listed: Sequence[ListedBilag],
    others: dict[str, list[tuple[str, _Present]]],
    names: Sequence[str],
    present: dict[str, _Present],
    made: dict[str, list[BilagCandidate]],
) -> list[BilagCandidate]:
    """Documents of kind "other" in the meeting document's folder or zip, in the folders right under its folder
    ("Bilag/", a zip of bilag beside it), and the files an export references, wherever they are (``names`` are
    ``others``' keys, sorted; ``made`` the candidates of each group made so far, filled as needed)."""
    found: set[str] = set()
    for root in {group_of(p) for p in meeting_paths}:
        found.add(root)
        prefix = root.rstrip("/") + "/"
        for name in names[bisect.bisect_left(names, prefix) :]:
            if not name.startswith(prefix):
                break
            if "/" not in name[len(prefix) :]:
                found.add(name)
    out = {(c.path, c.sha256): c for g in found for c in _group_candidates(g, others, made)}
    for b in listed:
        if not b.attachment.file:
            continue
        for meeting_path in meeting_paths:
            target = _resolve(meeting_path, b.attachment.file)
            hit = (target, present[target]) if target in present else _casefold_lookup(target, others)
            if hit is not None and hit[1].kind == "other":
                out[(hit[0], hit[1].sha256)] = BilagCandidate(hit[1].sha256, hit[0], hit[1].title)
    return sorted(out.values(), key=lambda c: c.path)


def _group_candidates(
    group: str, others: dict[str, list[tuple[str, _Present]]], made: dict[str, list[BilagCandidate]]
) -> list[BilagCandidate]:
    """The candidates of one folder or zip, made once for all the meeting documents beside them."""
    found = made.get(group)
    if found is None:
        found = made[group] = [BilagCandidate(p.sha256, path, p.title) for path, p in others.get(group, ())]
    return found


def _casefold_lookup(target: str, others: dict[str, list[tuple[str, _Present]]]) -> tuple[str, _Present] | None:
    """The file at ``target`` in any case ("Enclosures/1.PDF" for "enclosures/1.pdf"), or None."""
    wanted, group = target.casefold(), group_of(target).casefold()
    for name, entries in others.items():
        if name.casefold() == group:
            for path, p in entries:
                if path.casefold() == wanted:
                    return path, p
    return None


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM bilag_links").fetchone()[0])


def _meta(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LINKS_META_KEY,)).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class _Present:
    sha256: str
    kind: str  # meeting/other
    title: str | None


def _present(conn: sqlite3.Connection) -> dict[str, _Present]:
    """Every present path of parsed content, with its content's hash, kind and title."""
    rows = conn.execute(
        "SELECT f.path, f.sha256, c.kind, c.title FROM files f JOIN contents c ON c.sha256 = f.sha256 "
        "WHERE f.status = 'present' AND c.status IN ('ok', 'partial') AND c.record_json IS NOT NULL"
    )
    return {path: _Present(sha, kind, title) for path, sha, kind, title in rows}


class _AttachmentView(NamedTuple):
    """What the matcher reads of a stored attachment (``AttachmentLike``)."""

    title: str
    number: int | None
    document_number: str | None
    file: str | None


class _StoredMeeting(NamedTuple):
    """What the relations read of a stored meeting: what ``same_meeting`` compares, and the listed bilag."""

    date: str | None
    document_type: str
    body: str | None
    items: tuple[tuple[int, str, tuple[str, ...]], ...]  # number, title, normalized case numbers
    attachments: tuple[tuple[int, int, _AttachmentView], ...]  # item index, attachment index, attachment


class _Record(NamedTuple):
    """The part of a stored record the relations are computed from (the rest of it is not kept)."""

    format: str  # source.format
    meetings: tuple[_StoredMeeting, ...]


def _record_view(data: dict[str, Any]) -> _Record:
    """The record as ``record_from_dict`` reads it (``record_to_dict``'s shape), only what the relations read."""
    version = data.get("format_version", FORMAT_VERSION)
    if version > FORMAT_VERSION:
        raise ValueError(f"record format_version {version} is newer than this program ({FORMAT_VERSION})")
    meetings = []
    for m in data.get("meetings", ()):
        items = m.get("items", ())
        compared = tuple(
            (i["number"], i["title"], tuple(c["normalized"] for c in i.get("case_numbers", ()))) for i in items
        )
        listed = tuple(
            (ii, ai, _AttachmentView(a["title"], a.get("number"), a.get("document_number"), a.get("file")))
            for ii, i in enumerate(items)
            for ai, a in enumerate(i.get("attachments", ()))
        )
        meetings.append(_StoredMeeting(m.get("date"), m["document_type"], m.get("body"), compared, listed))
    return _Record(data["source"]["format"], tuple(meetings))


def _listed(sha: str, record: _Record, superseded: set[tuple[str, int]]) -> list[ListedBilag]:
    """The bilag the record's items list (of its meetings no export supersedes)."""
    return [
        ListedBilag(item_key(sha, mi, ii), ai, a)
        for mi, m in enumerate(record.meetings)
        if (sha, mi) not in superseded
        for ii, ai, a in m.attachments
    ]


_RECORDS_AT_ONCE = 500  # hashes per query (SQLite allows 32,766 parameters)


def _records(conn: sqlite3.Connection, shas: Iterable[str]) -> dict[str, _Record]:
    wanted = sorted(set(shas))
    out: dict[str, _Record] = {}
    for start in range(0, len(wanted), _RECORDS_AT_ONCE):
        chunk = wanted[start : start + _RECORDS_AT_ONCE]
        rows = conn.execute(
            f"SELECT sha256, record_json FROM contents WHERE sha256 IN ({','.join('?' * len(chunk))}) "
            "AND record_json IS NOT NULL",
            chunk,
        )
        for sha, record_json in rows:
            out[sha] = _record_view(json.loads(record_json))
    return {sha: out[sha] for sha in wanted if sha in out}


def _store(
    catalog: Catalog,
    generation: int,
    affected: set[str],
    links: list[tuple[str, BilagLink]],
    printed: list[PrintedVersion],
    present_shas: set[str],
    full: bool,
) -> LinkReport:
    """Replace the relations of the affected contents (all of them when ``full``); give every content whose
    relations changed the run's generation."""
    conn = catalog.connection
    LinkRow = tuple[str, int, str, str, str, str]
    with catalog.transaction():
        old_links: dict[tuple[str, int], LinkRow] = {
            (r[0], r[1]): (r[0], r[1], r[2], r[3], r[4], r[5])
            for r in conn.execute(
                "SELECT item_key, attachment_index, sha256, bilag_sha256, bilag_path, method FROM bilag_links"
            )
        }
        old_printed = {
            (r[0], r[1]): (r[2], r[3])
            for r in conn.execute(
                "SELECT sha256, meeting_index, export_sha256, export_meeting_index FROM printed_versions"
            )
        }

        def kept(meeting: str, other: str) -> bool:
            return not full and meeting not in affected and meeting in present_shas and other in present_shas

        new_links = {k: row for k, row in old_links.items() if kept(row[2], row[3])}
        for sha, link in links:
            new_links[(link.item_key, link.attachment_index)] = (
                link.item_key,
                link.attachment_index,
                sha,
                link.bilag_sha256,
                link.bilag_path,
                link.method,
            )
        new_printed = {k: v for k, v in old_printed.items() if kept(k[0], v[0]) and v[0] not in affected}
        for v in printed:
            new_printed[(v.sha256, v.meeting_index)] = (v.export_sha256, v.export_meeting_index)
        touched: set[str] = set()
        for key in set(old_links) | set(new_links):
            before, after = old_links.get(key), new_links.get(key)
            if before != after:
                touched |= {sha for row in (before, after) if row is not None for sha in (row[2], row[3])}
        for pkey in set(old_printed) | set(new_printed):
            was, now = old_printed.get(pkey), new_printed.get(pkey)
            if was != now:
                touched.add(pkey[0])
                touched |= {p[0] for p in (was, now) if p is not None}
        # a linked bilag parsed again in this run changes the text of the items it is linked to
        stored = {r[0] for r in conn.execute("SELECT sha256 FROM contents WHERE generation = ?", (generation,))}
        touched |= {row[2] for row in new_links.values() if row[3] in stored}
        # a bilag whose listings changed may have become closed (or open) for every item that lists it
        # (``index.linked.closed_bilag``): each of its meeting documents is indexed again
        touched |= {row[2] for row in new_links.values() if row[3] in touched}
        conn.executemany(
            "DELETE FROM bilag_links WHERE item_key = ? AND attachment_index = ?",
            sorted(k for k in old_links if k not in new_links),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO bilag_links (item_key, attachment_index, sha256, bilag_sha256, bilag_path, method) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [new_links[k] for k in sorted(new_links) if old_links.get(k) != new_links[k]],
        )
        conn.executemany(
            "DELETE FROM printed_versions WHERE sha256 = ? AND meeting_index = ?",
            sorted(k for k in old_printed if k not in new_printed),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO printed_versions (sha256, meeting_index, export_sha256, export_meeting_index) "
            "VALUES (?, ?, ?, ?)",
            [(k[0], k[1], v[0], v[1]) for k, v in sorted(new_printed.items()) if old_printed.get(k) != v],
        )
        bumped = sorted(sha for sha in touched if sha in present_shas and sha not in stored)
        conn.executemany("UPDATE contents SET generation = ? WHERE sha256 = ?", [(generation, s) for s in bumped])
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (LINKS_META_KEY, LINKS_VERSION))
    if bumped:
        catalog.mark_changed()
    return LinkReport(len(new_links), len(bumped))
