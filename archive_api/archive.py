"""One archive as the search faces see it: search, one item, a case, a meeting, counts, and what a
public reader may see.

``Archive`` keeps its index open between calls and opens it again when ``arkiv index`` has swapped in a
new one. With ``public=True`` closed items are filtered out inside every query (so they count in no
total and no facet), personal-data flags are dropped and CPR numbers are masked in every string handed
out. The command line (``search_cli``) and the web application (``web``) both call this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aktindsigt.package import AktindsigtError, masked, read_source, source_holds_cpr
from archive_api.rows import StatsTable, case_rows, row, show_data, stats_table
from index.analysis import tokenize, words
from index.build import STATE_FILE, existing_engines, index_dir, open_index
from index.documents import FACETS, IndexDoc
from index.engine import ORDERS, Engine, EngineError
from index.query import Filters, Lowered, QAnd, QNot, QOr, Query, QueryError, check_page, lower, parse_query
from index.suggest import Suggestion, suggest
from ingest.catalog import CATALOG_FILE, Catalog
from parsers.confidentiality import item_mark, whole_document_mark
from parsers.personal_data import cpr_birth_date, redact_cpr
from parsers.records import Item

__all__ = [
    "Archive",
    "ArchiveError",
    "HitView",
    "MeetingView",
    "NotFound",
    "ORDERS",
    "SearchPage",
    "SourceFile",
    "check_public_filters",
    "check_public_query",
    "mask",
    "mask_snippet",
]


class ArchiveError(Exception):
    """The archive's index cannot be opened or read (one line: the folder and the reason)."""


class NotFound(ArchiveError):
    """No item, case or meeting with that name (or not visible to a public reader)."""


def mask(text: str) -> str:
    """``text`` with every CPR number masked as ``ddmmyy-XXXX`` (the rule of the aktindsigt package)."""
    return masked(text) if text else text


SNIPPET_MARK = "**"


def mask_snippet(snippet: str) -> str:
    """A snippet with its ``**matched**`` words, CPR numbers masked as by ``mask``. The marks are taken out
    before CPR numbers are looked for (a mark inside a number, as a search for its serial puts there, would
    hide the number from the finder) and put back around the words they marked; a mark that falls within a
    masked number is dropped. A snippet whose marks do not pair up is masked without marks."""
    pieces = snippet.split(SNIPPET_MARK)
    if len(pieces) == 1:
        return mask(snippet)
    if len(pieces) % 2 == 0:
        return mask("".join(pieces))
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, piece in enumerate(pieces):
        if k % 2 == 1:
            spans.append((pos, pos + len(piece)))
        pos += len(piece)
    plain = "".join(pieces)
    masked_plain, log = redact_cpr(plain)
    if not log:
        return snippet

    def moved(offset: int) -> int:
        """Where ``offset`` of the plain text (outside every masked number) lands in the masked text."""
        return offset + sum(len(r.replacement) - (r.end - r.start) for r in log if r.end <= offset)

    inserts = [
        p
        for start, end in spans
        if not any(start < r.end and end > r.start for r in log)
        for p in (moved(start), moved(end))
    ]
    out = masked_plain
    for offset in sorted(inserts, reverse=True):
        out = f"{out[:offset]}{SNIPPET_MARK}{out[offset:]}"
    return out


# the 7th digit of a CPR number picks the century: 0 (1900s), 4 (2000s to -36, else 1900s), 5 (2000s to -57,
# else 1800s); a date part is valid when one of them makes it a real date
_CENTURY_DIGITS = "045"
PUBLIC_CPR_MESSAGE = (
    "the public archive cannot be searched by CPR number: leave out the CPR number and its six-digit birth date"
)


def _cpr_date(six: str) -> bool:
    """``six`` digits that are a valid date part (DDMMYY) of a CPR number."""
    return len(six) == 6 and six.isdecimal() and any(cpr_birth_date(six + c + "000") for c in _CENTURY_DIGITS)


def _cpr_term(token: str) -> bool:
    """A folded query word that an indexed CPR number is made of: its date part, or the whole number
    written without a dash (with a dash, the analysis splits it into the date part and the serial). Digits
    are any decimal digits, as for the CPR finder ("٠١٠١٩٠", "０１０１９０")."""
    if not token.isdecimal():
        return False
    return _cpr_date(token) if len(token) == 6 else len(token) == 10 and cpr_birth_date(token) is not None


def _cpr_prefix(head: str) -> bool:
    """Digits a prefix search (``0101*``) starts with that the date part of a CPR number can start with."""
    if not head.isdecimal() or len(head) > 10:
        return False
    if len(head) >= 6:
        return _cpr_date(head[:6])
    rest = 6 - len(head)
    return any(_cpr_date(head + f"{n:0{rest}d}") for n in range(10**rest))


def _cpr_in(query: Query) -> bool:
    if isinstance(query, (QAnd, QOr)):
        return any(_cpr_in(child) for child in query.children)
    if isinstance(query, QNot):
        return _cpr_in(query.child)
    text = getattr(query, "text", "")
    if text.endswith("*"):
        head = words(text.rstrip("*"))
        if len(head) == 1 and _cpr_prefix(head[0]):
            return True
    return any(_cpr_term(w) for w in words(text))


def check_public_query(query: str) -> Query:
    """The parsed query of a public reader. Raises ``QueryError`` when a word, phrase or prefix of it
    (also under NOT or a field) is a CPR number in any dash form, the valid birth date (DDMMYY) of one, or
    the start of one: its hits or counts would tell whether the archive holds a person's number, although
    every CPR number served is masked. The serial alone (four digits) is no such word; next to a date part
    the query is refused for the date part."""
    parsed = parse_query(query)
    if _cpr_in(parsed):
        raise QueryError(PUBLIC_CPR_MESSAGE)
    return parsed


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_value(v) for v in value)
    return value


_UNMASKED_FIELDS = frozenset({"id", "sha256", "kind"})  # names the archive gives, not text of a document


def public_doc(doc: IndexDoc) -> IndexDoc:
    """The document as a public reader sees it: CPR numbers masked in every field that holds text of the
    document (title, texts, case numbers, body, bilag, paths, details, ...), no personal-data flag, and no
    count of the meeting's items (closed ones included)."""
    masked_fields = {
        f.name: _mask_value(getattr(doc, f.name)) for f in dataclasses.fields(doc) if f.name not in _UNMASKED_FIELDS
    }
    details = masked_fields["details"]
    if isinstance(details.get("meeting"), dict):
        # the meeting's item count includes its closed items: a public reader learns it from no answer
        details["meeting"] = {k: v for k, v in details["meeting"].items() if k != "item_count"}
    return dataclasses.replace(doc, **{**masked_fields, "personal_data": False})


def _cpr_value(value: str) -> bool:
    """A filter value (a case number, a body, ...) that names a CPR number, its birth date or the start of
    one, by the rule of ``check_public_query``."""
    text = value.strip()
    if text.endswith("*"):
        head = words(text.rstrip("*"))
        if len(head) == 1 and _cpr_prefix(head[0]):
            return True
    return any(_cpr_term(w) for w in words(text))


def check_public_filters(filters: Filters) -> None:
    """Raises ``QueryError`` when a text filter of a public reader (``case``, ``body``, ``type``, ``outcome``,
    ``law``) names a CPR number as ``check_public_query`` refuses it in the query: a case number filter
    ``010190-1234`` (some case systems number a person's case by the person's CPR number) would tell
    whether the archive holds it."""
    values = (filters.case, filters.body, filters.document_type, filters.outcome, filters.law)
    if any(v and _cpr_value(v) for v in values):
        raise QueryError(PUBLIC_CPR_MESSAGE)


@dataclass(frozen=True)
class HitView:
    """One ranked hit: the document, its rank and score, the snippet (matches as ``**word**``) and the
    attachment titles the query matches ("i bilag")."""

    rank: int
    doc: IndexDoc
    score: float
    snippet: str
    in_attachments: tuple[str, ...] = ()
    in_bilag: str | None = None  # the linked bilag the snippet is from; None: the item's own text

    def row(self) -> dict[str, Any]:
        """The keys of an ``arkiv search --json`` hit."""
        shown = {"rank": self.rank, **row(self.doc), "score": round(self.score, 4), "snippet": self.snippet}
        return {**shown, "in_bilag": self.in_bilag}


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    limit: int
    hits: list[HitView]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: Suggestion | None = None  # "did you mean", see index.suggest

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


@dataclass(frozen=True)
class SourceFile:
    """The bytes of an item's source document, to be served as they are."""

    data: bytes
    media_type: str
    name: str


SOURCE_TYPES = {".pdf": "application/pdf"}  # served as files; DOCX and HTML are shown as their extracted text


@dataclass(frozen=True)
class MeetingView:
    """One meeting of a document: its fields (from the first item's details) and its items in order."""

    id: str  # "<sha256 prefix>-<meeting index>"
    body: str | None
    document_type: str
    date: str | None
    details: dict[str, Any]  # start_time, end_time, location, municipality, participants, absent
    items: list[IndexDoc]


class Archive:
    """The search side of one archive directory (catalog + index)."""

    def __init__(self, directory: Path, engine: str | None = None, *, public: bool = False) -> None:
        self.directory = Path(directory)
        self.engine_name = engine
        self.public = public
        self._engine: Engine | None = None
        self._opened: tuple[str, float] | None = None  # (resolved index folder, state.json mtime)

    # -- the index -------------------------------------------------------------

    def _marker(self) -> tuple[str, float] | None:
        names = [self.engine_name] if self.engine_name else existing_engines(self.directory)
        if not names:
            return None
        folder = index_dir(self.directory, names[0]).resolve()
        try:
            return str(folder), (folder / STATE_FILE).stat().st_mtime
        except OSError:
            return None

    def engine(self) -> Engine:
        """The open index; opened again when a rebuild or an update changed it since the last call."""
        marker = self._marker()
        if self._engine is None or marker != self._opened:
            self.close()
            try:
                self._engine = open_index(self.directory, self.engine_name)
            except EngineError as e:
                raise ArchiveError(str(e)) from e
            self._opened = marker
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------

    def visible(self, filters: Filters | None) -> Filters:
        """``filters`` with closed items left out for a public reader."""
        filters = filters or Filters()
        return dataclasses.replace(filters, closed=False) if self.public else filters

    def lower(self, query: str, filters: Filters | None = None) -> Lowered:
        """The query as the engines take it; raises ``QueryError`` (one line, as the CLI prints it).
        A public reader cannot search by CPR number (``check_public_query``), so that a search cannot test
        whether the archive holds a person's number."""
        if not self.public:
            return lower(query, self.visible(filters))
        parsed = check_public_query(query)
        check_public_filters(self.visible(filters))
        return lower(parsed, self.visible(filters))

    def _shown(self, doc: IndexDoc) -> IndexDoc:
        return public_doc(doc) if self.public else doc

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        *,
        page: int = 1,
        limit: int = 10,
        order: str = "relevance",
        facets: bool = True,
    ) -> SearchPage:
        """One page of ranked hits with snippets and (optionally) the facet counts over all matches.

        ``order``: relevance, newest or oldest (meeting date; undated documents last).
        Raises ``QueryError`` for a query that cannot be parsed or a page past the pageable window."""
        if order not in ORDERS:
            raise QueryError(f"unknown sort order {order!r}; use one of: {', '.join(ORDERS)}")
        lowered = self.lower(query, filters)
        offset = (page - 1) * limit
        check_page(limit, offset)
        engine = self.engine()
        result = engine.search(lowered, limit=limit, offset=offset, facets=facets, order=order)
        prefixes = frozenset(lowered.prefixes)
        hits = []
        for rank, hit in enumerate(result.hits, start=offset + 1):
            bilag = tuple(
                title
                for title in hit.doc.attachments
                if (lowered.highlight or prefixes)
                and any(engine.analyzer.word_matches(w, lowered.highlight, prefixes) for w, _s, _e in tokenize(title))
            )
            doc = self._shown(hit.doc)
            shown_bilag = tuple(mask(b) for b in bilag) if self.public else bilag
            snippet = mask_snippet(hit.snippet) if self.public else hit.snippet
            in_bilag = mask(hit.in_bilag) if self.public and hit.in_bilag else hit.in_bilag
            hits.append(HitView(rank, doc, hit.score, snippet, shown_bilag, in_bilag))
        counts = dict(result.facets)
        if self.public:
            counts.pop("personal_data", None)
        suggestion = self._suggestion(query, filters)
        return SearchPage(total=result.total, page=page, limit=limit, hits=hits, facets=counts, suggestion=suggestion)

    def _suggestion(self, query: str, filters: Filters | None) -> Suggestion | None:
        """The "did you mean" of ``query``. A public reader is offered only words that visible items hold,
        so a suggestion never reveals a word of a closed item."""
        found = suggest(self.engine(), query, open_only=self.public)
        if found is None or not self.public:
            return found
        for _typed, word in found.corrections:
            if self.engine().search(self.lower(f'"{word}"', filters), limit=1, facets=False).total == 0:
                return None
        return found

    def matching(self, query: str, filters: Filters | None = None) -> list[IndexDoc]:
        """Every document that matches (not one page), in index order."""
        lowered = self.lower(query, filters)
        return [self._shown(d) for d in self.engine().all_docs(lowered)]

    def get(self, doc_id: str) -> IndexDoc:
        """One document by id; ``NotFound`` when there is none (or it is closed and the reader public)."""
        doc = self.engine().get(doc_id.strip())
        if doc is None or (self.public and doc.closed):
            raise NotFound(f"no item with id {doc_id!r} in the index; ids come from `arkiv search`")
        return self._shown(doc)

    def show(self, doc_id: str) -> dict[str, Any]:
        """One item in full (the keys of ``arkiv show --json``)."""
        return show_data(self.get(doc_id))

    def case(self, number: str) -> list[dict[str, Any]]:
        """The timeline of one case (the rows of ``arkiv case --json``); ``NotFound`` when no item carries it."""
        if not number.strip():
            raise QueryError("give a case number, e.g. arkiv case 22/23184")
        docs = self.matching("", Filters(case=number))
        if not docs:
            raise NotFound(f"no item carries case number {number}; try `arkiv search {number}`")
        return case_rows(docs)

    def stats(self, query: str = "", filters: Filters | None = None) -> StatsTable:
        """Year × body counts of the matching items."""
        return stats_table(self.matching(query, filters))

    def meeting(self, meeting_id: str) -> MeetingView:
        """The meeting ``<sha256 prefix>-<meeting index>`` with its items in order; for a public reader only
        its visible items, and ``NotFound`` when it has none."""
        engine = self.engine()
        first = engine.get(f"{meeting_id}-0") if _meeting_id_ok(meeting_id) else None
        meeting = (first.details.get("meeting") if first is not None else None) or None
        if first is None or meeting is None:
            raise NotFound(f"no meeting with id {meeting_id!r} in the index")
        items: list[IndexDoc] = [first]
        for ii in range(1, int(meeting.get("item_count") or 1)):
            doc = engine.get(f"{meeting_id}-{ii}")
            if doc is not None:
                items.append(doc)
        shown = [self._shown(d) for d in items if not (self.public and d.closed)]
        if self.public and not shown:
            # a meeting of closed items only ("Lukket møde"): its time, place and participants would tell a
            # public reader that a closed meeting was held, so it is not found, as an unknown id is not
            raise NotFound(f"no meeting with id {meeting_id!r} in the index")
        details = {k: v for k, v in meeting.items() if k not in ("body", "document_type", "date", "item_count")}
        if self.public:
            details = _mask_value(details)
        return MeetingView(meeting_id, first.body, first.document_type, first.date, details, shown)

    def source(self, doc_id: str) -> SourceFile:
        """The source PDF of an item. For a public reader only when the document holds no closed item
        (not even its title), no confidentiality marker and no CPR number anywhere it can be read."""
        doc = self.get(doc_id)
        raw = self.engine().get(doc.id)
        path = raw.source_path if raw is not None else doc.source_path
        suffix = Path(path.split("!")[-1]).suffix.lower()
        media_type = SOURCE_TYPES.get(suffix)
        if media_type is None:
            raise NotFound(f"{doc_id}: the source is {suffix or 'a file'} and is shown as extracted text")
        try:
            data = read_source(path)
        except AktindsigtError as e:
            raise NotFound(str(e)) from e
        if self.public and not self._publishable(doc.sha256, data, suffix):
            # one message for every reason, so that the answer does not tell whether the document holds a
            # closed item or a CPR number
            raise NotFound(f"{doc_id}: the source file is not published; the item's text is on its page")
        name = Path(path.split("!")[-1]).name
        # the file's name goes out in a header: masked like every other string a public reader is given
        return SourceFile(data, media_type, mask(name) if self.public else name)

    def _publishable(self, sha256: str, data: bytes, suffix: str) -> bool:
        if not (self.directory / CATALOG_FILE).exists():
            return False
        with Catalog.open(self.directory) as catalog:
            record = catalog.record(sha256)
        if record is None:
            return False
        if record.kind == "other":
            if whole_document_mark(record.title or "", record.text):
                return False
        elif any(_withheld(item) for m in record.meetings for item in m.items):
            return False
        return source_holds_cpr(data, suffix) is False

    def facet_names(self) -> Sequence[str]:
        return [f for f in FACETS if not (self.public and f == "personal_data")]


def _withheld(item: Item) -> bool:
    """An item closed by its parser or, as the index decides, by a marker in its title or text."""
    return item_mark(item) is not None


def meeting_id_of(doc: IndexDoc) -> str | None:
    """The meeting id of an item (``<sha256 prefix>-<meeting index>``); None for a whole document."""
    if doc.kind != "item":
        return None
    return doc.id.rsplit("-", 1)[0]


def _meeting_id_ok(meeting_id: str) -> bool:
    head, _sep, tail = meeting_id.partition("-")
    return len(head) == 16 and all(c in "0123456789abcdef" for c in head) and tail.isdigit()
