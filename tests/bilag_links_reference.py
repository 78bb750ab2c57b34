"""The link pass of ``ingest.bilag_links`` as it was before it read only what it needs of each stored record:
the reference the fast pass must agree with row for row (``tests/test_bilag_links_reference.py``,
``benchmarks/bench_links.py --compare``). Not used by the program; do not change it.

It builds every meeting record whole (``record_from_json``) and folds each candidate file's name once per
listed bilag. Its own docstring follows.

Bilag files linked to the items that list them, and ESDH exports that take precedence over their print.

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
import posixpath
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.catalog import Catalog
from parsers.records import Attachment, DocumentRecord, Meeting, item_key
from parsers.serialize import record_from_json

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
    attachment: Attachment


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


def _stem(path: str) -> str:
    return posixpath.basename(path.split("!", 1)[-1])


def match_bilag(
    meeting_paths: Sequence[str], listed: Sequence[ListedBilag], candidates: Sequence[BilagCandidate]
) -> list[BilagLink]:
    """The links of one meeting document's listed bilag to candidate files (see the module docstring).

    ``meeting_paths`` are the present paths of the meeting document; ``candidates`` the documents of kind
    "other" next to any of them. The result is sorted and does not depend on the order of the inputs.
    """
    by_path = {c.path.casefold(): c for c in candidates}
    name_index: dict[str, set[BilagCandidate]] = {}
    title_index: dict[str, set[BilagCandidate]] = {}
    for c in candidates:
        for key in name_keys(_stem(c.path)):
            name_index.setdefault(key, set()).add(c)
        for key in name_keys(c.title or ""):
            title_index.setdefault(key, set()).add(c)
    numbers: dict[str, int] = {}
    for b in listed:
        n = _listed_number(b.attachment)
        if n is not None:
            numbers[n] = numbers.get(n, 0) + 1
    links: list[BilagLink] = []
    for b in sorted(listed, key=lambda x: (x.item_key, x.attachment_index)):
        found = _best(b.attachment, meeting_paths, by_path, name_index, title_index, candidates, numbers)
        if found is not None:
            method, cand = found
            links.append(BilagLink(b.item_key, b.attachment_index, cand.sha256, cand.path, method))
    return links


def _listed_number(a: Attachment) -> str | None:
    return bilag_number(a.title) or (str(a.number) if a.number is not None else None)


def _best(
    a: Attachment,
    meeting_paths: Sequence[str],
    by_path: dict[str, BilagCandidate],
    name_index: dict[str, set[BilagCandidate]],
    title_index: dict[str, set[BilagCandidate]],
    candidates: Sequence[BilagCandidate],
    numbers: dict[str, int],
) -> tuple[str, BilagCandidate] | None:
    """The strongest method that finds exactly one content for this attachment, and that content's first path."""
    tiers: list[tuple[str, set[BilagCandidate]]] = []
    if a.file:
        wanted = {_resolve(m, a.file).casefold() for m in meeting_paths}
        tiers.append(("file", {by_path[p] for p in wanted if p in by_path}))
    doc_key = _document_number_key(a.document_number)
    if doc_key:
        tiers.append(("document_number", {c for c in candidates if f" {doc_key} " in f" {fold_name(_stem(c.path))} "}))
    keys = name_keys(a.title)
    tiers.append(("file_name", {c for k in keys for c in name_index.get(k, ())}))
    tiers.append(("title", {c for k in keys for c in title_index.get(k, ())}))
    n = _listed_number(a)
    if n is not None and numbers.get(n) == 1:
        only = f"bilag {fold_name(n)}"
        tiers.append(("number", {c for c in candidates if fold_name(_without_extension(_stem(c.path))) == only}))
    for method, found in tiers:
        shas = {c.sha256 for c in found}
        if len(shas) == 1:
            return method, min(found, key=lambda c: c.path)
        if len(shas) > 1:
            return None  # two different files fit equally well: no guess
    return None


# ---------------------------------------------------------------------------
# Export and print of the same meeting
# ---------------------------------------------------------------------------


def _fold_body(body: str | None) -> str:
    return fold_name(body or "")


def same_meeting(export: Meeting, printed: Meeting) -> bool:
    """True when a printed meeting is the export's meeting: body, date and document type agree, and at least
    half of the export's items have an item of the print with the same number and a matching title or case."""
    if not export.date or export.date != printed.date or export.document_type != printed.document_type:
        return False
    if not _fold_body(export.body) or _fold_body(export.body) != _fold_body(printed.body):
        return False
    if not export.items:
        return not printed.items
    by_number = {i.number: i for i in printed.items}
    agree = 0
    for item in export.items:
        other = by_number.get(item.number)
        if other is None:
            continue
        a, b = fold_name(item.title), fold_name(other.title)
        cases = {c.normalized for c in item.case_numbers} & {c.normalized for c in other.case_numbers}
        if (a and b and (a == b or a in b or b in a)) or cases:
            agree += 1
    return 2 * agree >= len(export.items)


def _printed_versions(records: dict[str, DocumentRecord], group_members: dict[str, set[str]]) -> list[PrintedVersion]:
    """Printed meetings held by an export in the same folder or zip (one export per printed meeting: the first
    by hash when several fit)."""
    found: dict[tuple[str, int], PrintedVersion] = {}
    for members in group_members.values():
        shas = sorted(members)
        exports = [s for s in shas if records[s].source.format == "xml"]
        prints = [s for s in shas if records[s].source.format != "xml"]
        for p in prints:
            for pm, printed in enumerate(records[p].meetings):
                if (p, pm) in found:
                    continue
                for e in exports:
                    hit = next((em for em, m in enumerate(records[e].meetings) if same_meeting(m, printed)), None)
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
    links: list[tuple[str, BilagLink]] = []
    for sha in sorted(affected):
        record = records.get(sha)
        if record is None:
            continue
        listed = [
            ListedBilag(item_key(sha, mi, ii), ai, a)
            for mi, m in enumerate(record.meetings)
            if (sha, mi) not in superseded
            for ii, item in enumerate(m.items)
            for ai, a in enumerate(item.attachments)
        ]
        if listed:
            candidates = _candidates(paths_of[sha], listed, others, names, present)
            links += [(sha, link) for link in match_bilag(paths_of[sha], listed, candidates)]
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
) -> list[BilagCandidate]:
    """Documents of kind "other" in the meeting document's folder or zip, in the folders right under its folder
    ("Bilag/", a zip of bilag beside it), and the files an export references, wherever they are (``names`` are
    ``others``' keys, sorted)."""
    found: set[str] = set()
    for root in {group_of(p) for p in meeting_paths}:
        found.add(root)
        prefix = root.rstrip("/") + "/"
        for name in names[bisect.bisect_left(names, prefix) :]:
            if not name.startswith(prefix):
                break
            if "/" not in name[len(prefix) :]:
                found.add(name)
    out = {(path, p.sha256): BilagCandidate(p.sha256, path, p.title) for g in found for path, p in others.get(g, ())}
    for b in listed:
        if not b.attachment.file:
            continue
        for meeting_path in meeting_paths:
            target = _resolve(meeting_path, b.attachment.file)
            hit = (target, present[target]) if target in present else _casefold_lookup(target, others)
            if hit is not None and hit[1].kind == "other":
                out[(hit[0], hit[1].sha256)] = BilagCandidate(hit[1].sha256, hit[0], hit[1].title)
    return sorted(out.values(), key=lambda c: c.path)


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


def _records(conn: sqlite3.Connection, shas: Iterable[str]) -> dict[str, DocumentRecord]:
    out: dict[str, DocumentRecord] = {}
    for sha in sorted(set(shas)):
        row = conn.execute("SELECT record_json FROM contents WHERE sha256 = ?", (sha,)).fetchone()
        if row is not None and row[0] is not None:
            out[sha] = record_from_json(row[0])
    return out


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
