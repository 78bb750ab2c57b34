"""The small interface both search engines implement, the schema they share, and shared result code.

An engine stores ``IndexDoc`` objects (as JSON) and indexes the pre-analysed
fields from ``index.documents.analysed_fields``; it translates the lowered query
tree of ``index.query`` one-to-one. Snippets and facet names are computed here,
once, so both engines present results the same way.

    >>> engine = open_engine("whoosh", Path("arkiv-data/index/whoosh"), create=True)
    >>> engine.add(docs)
    >>> result = engine.search(lower("sygefravær", Filters(year=2021)), limit=10)

One bad document never costs the index: ``add`` analyses each document on its own
and, when the engine rejects a batch, finds the documents it rejects by halving the
batch (a few extra commits, only when something failed). Those documents are left
out and reported (``AddReport.failed``, with a reason); ``index.build`` keeps them in
``index-failures.json`` beside the index (``write_failures``), which ``arkiv status`` lists.
Errors of the index as a whole (disk, locks) still stop the write.
"""

from __future__ import annotations

import abc
import bisect
import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.analysis import Analyzer, tokenize
from index.budget import AnalysisTimeout, time_budget
from index.documents import (
    AMOUNT_BANDS,
    FACETS,
    MULTI_VALUED_FACETS,
    NO_AMOUNT,
    IndexDoc,
    analysed_fields,
    body_key,
    facet_value,
    facet_values,
)
from index.query import And, Lowered, Node, Nothing, Or, Prefix, Range, Term, check_page

if TYPE_CHECKING:
    from index.preanalysis import AnalysedDoc, Finisher


__all__ = [
    "ENGINES",
    "FAILURES_FILE",
    "SCHEMA_VERSION",
    "AddReport",
    "Engine",
    "EngineError",
    "Hit",
    "IndexFailure",
    "SearchResult",
    "index_fields",
    "open_engine",
    "read_failures",
    "snippet",
    "write_failures",
]

ENGINES = ("whoosh", "tantivy")
# Orders of search results: by score, or by meeting date (newest or oldest first).
ORDERS = ("relevance", "newest", "oldest")
_FIRST_DATE, _LAST_DATE = 10000101, 99991231  # the date field (YYYYMMDD) of every dated document
# The version of the indexed fields below; an index written with another version is rebuilt.
# 2: the amount (øre) range field, the amount_band facet and the multi-valued law field.
# 3: closed also marks non-meeting documents with a confidentiality marker and items whose stored text
#    carries one (whatever the format).
SCHEMA_VERSION = 3

# Analysed text fields with positions (phrases), analysed fields without positions, keyword fields.
POSITION_FIELDS = ("title", "text", "decision")
PARTS_FIELDS = ("title_parts", "text_parts", "decision_parts")
KEYWORD_FIELDS = ("case",)  # several whitespace-separated keys
# Single-valued exact fields: filters (body is folded for prefix filters) and facet columns.
EXACT_FIELDS = ("body", "document_type", "closed", "outcome", "personal_data", "year", "body_facet", "amount_band")
# Integer fields for range filters: the meeting date (YYYYMMDD) and the largest amount (øre).
INTEGER_FIELDS = ("date", "amount")
# Exact fields with any number of values per document, each one term (filters and facet counts).
MULTI_FIELDS = ("law",)
# facet name → the exact field it is counted on
FACET_FIELDS = {
    "year": "year",
    "body": "body_facet",
    "document_type": "document_type",
    "outcome": "outcome",
    "closed": "closed",
    "personal_data": "personal_data",
    "amount": "amount_band",
    "law": "law",
}


class EngineError(Exception):
    """An index cannot be opened or written (names the directory and the reason)."""


@dataclass(frozen=True)
class Hit:
    doc: IndexDoc
    score: float
    snippet: str
    in_bilag: str | None = None  # the title of the linked bilag the snippet is from; None: the item's own text


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexFailure:
    """A document the index left out, and why."""

    id: str
    sha256: str
    source_path: str
    reason: str

    @staticmethod
    def of(doc: IndexDoc | AnalysedDoc, reason: str) -> IndexFailure:
        return IndexFailure(doc.id, doc.sha256, doc.source_path, reason)


@dataclass(frozen=True)
class AddReport:
    """What ``Engine.add`` did: documents written, and documents left out with their reasons."""

    added: int
    failed: tuple[IndexFailure, ...] = ()


FAILURES_FILE = "index-failures.json"


def read_failures(directory: Path) -> list[IndexFailure]:
    """The documents an index left out (``FAILURES_FILE`` in its folder; none when it is missing or unreadable)."""
    try:
        rows = json.loads((Path(directory) / FAILURES_FILE).read_text(encoding="utf-8"))
        return [IndexFailure(**row) for row in rows]
    except (OSError, ValueError, TypeError):
        return []


def write_failures(directory: Path, failures: Iterable[IndexFailure]) -> None:
    """Record the documents an index left out (one per id, by id); no failures: no file."""
    unique = {f.id: f for f in failures}
    path = Path(directory) / FAILURES_FILE
    if not unique:
        path.unlink(missing_ok=True)
        return
    rows = [asdict(unique[key]) for key in sorted(unique)]
    tmp = path.with_name(FAILURES_FILE + ".tmp")
    tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


# Errors of the index as a whole: no single document is to blame, so ``add`` does not isolate them.
_WHOLE_INDEX_ERRORS: tuple[type[BaseException], ...] = (OSError, MemoryError, EngineError)

IndexValue = str | int | tuple[str, ...] | None


def _error_text(error: BaseException) -> str:
    """``struct.error: ...``: the exception's module-qualified name (unless built in) and message."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{name}: {error}"


def index_fields(doc: IndexDoc, analyzer: Analyzer) -> dict[str, IndexValue]:
    """Every indexed value of one document, by field name (the same for both engines).
    ``MULTI_FIELDS`` hold a tuple of values; integer fields are None when the document has no value."""
    values: dict[str, IndexValue] = dict(analysed_fields(doc, analyzer))
    values.update(
        {
            "id": doc.id,
            "sha256": doc.sha256,
            "body": body_key(doc.body),
            "date": doc.date_number,
            "amount": doc.amount_ore,
            "stored": doc.to_stored(),
        }
    )
    for facet, field_name in FACET_FIELDS.items():
        if facet in MULTI_VALUED_FACETS:
            values[field_name] = facet_values(doc, facet)
        else:
            values[field_name] = facet_value(doc, facet)
    return values


# Characters of one text a snippet is looked for in: a hit shows its first matches, however long the item.
SNIPPET_SCAN_CHARS = 200_000


def _best_window(tokens: list[tuple[str, int, int]], hits: list[int], width: int) -> tuple[int, int]:
    """(start, number of distinct matched words) of the first window of ``width`` words with the most
    distinct matched words, each window starting a quarter width before a match (``hits`` ascending)."""
    start, score = 0, -1
    for i in hits:
        begin = max(0, i - width // 4)
        low = bisect.bisect_left(hits, begin)
        high = bisect.bisect_left(hits, begin + width)
        found = len({tokens[j][0].lower() for j in hits[low:high]})
        if found > score:
            start, score = begin, found
    return start, score


def snippet(
    doc: IndexDoc, stems: set[str], analyzer: Analyzer, width: int = 24, prefixes: frozenset[str] = frozenset()
) -> str:
    """The window of about ``width`` words of the item text with the most query matches,
    matched words marked as ``**word**``. Without matches: the start of the decision or text.
    Only the first ``SNIPPET_SCAN_CHARS`` characters of each text are looked at."""
    candidates = [t[:SNIPPET_SCAN_CHARS] for t in (doc.text, doc.decision, doc.title) if t]
    longer = {t[:SNIPPET_SCAN_CHARS]: len(t) > SNIPPET_SCAN_CHARS for t in (doc.text, doc.decision, doc.title) if t}
    best: tuple[int, str, list[tuple[str, int, int]], int, set[int]] | None = None
    for text in candidates:
        tokens = tokenize(text)
        if not tokens:
            continue
        matched = sorted(
            i
            for i, (w, _s, _e) in enumerate(tokens)
            if (stems or prefixes) and analyzer.word_matches(w, stems, prefixes)
        )
        hits = set(matched)
        if not hits:
            if best is None:
                best = (0, text, tokens, 0, hits)
            continue
        start, score = _best_window(tokens, matched, width)
        if best is None or score > best[0]:
            best = (score, text, tokens, start, hits)
        if score > 0:
            break  # the item text has matches: no need to look at the decision or title
    if best is None:
        return ""
    _score, text, tokens, start, hits = best
    end = min(len(tokens), start + width)
    pieces: list[str] = []
    cursor = tokens[start][1]
    for i in range(start, end):
        word, s, e = tokens[i]
        pieces.append(text[cursor:s])
        pieces.append(f"**{word}**" if i in hits else word)
        cursor = e
    out = "".join(pieces)
    out = " ".join(out.split())
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) or longer.get(text, False) else ""
    return f"{prefix}{out}{suffix}"


class Engine(abc.ABC):
    """One search index on disk. ``build`` = ``clear`` + ``add``; writes are committed per call."""

    kind: str

    def __init__(self, directory: Path, analyzer: Analyzer) -> None:
        self.directory = directory
        self.analyzer = analyzer
        self.doc_seconds: float | None = None  # time budget for analysing one document; None: unbounded
        self._finisher: Finisher | None = None

    @abc.abstractmethod
    def _write(self, values: Iterable[dict[str, IndexValue]]) -> int:
        """Write documents given as ``index_fields`` (replacing any with the same id) and commit;
        on any error write nothing and raise. Returns how many were written."""

    @abc.abstractmethod
    def _expand(self, field_name: str, prefix: str) -> list[tuple[str, int]]:
        """Every indexed term of a field that starts with ``prefix``, with its document frequency."""

    @abc.abstractmethod
    def delete_sha256s(self, sha256s: Sequence[str]) -> None:
        """Remove every document of these file contents."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document."""

    @abc.abstractmethod
    def count(self) -> int:
        """The number of documents in the index."""

    @abc.abstractmethod
    def _search(
        self, query: Lowered, limit: int, offset: int, facets: bool, order: str = "relevance"
    ) -> tuple[int, list[tuple[IndexDoc, float]], dict[str, dict[str, int]]]:
        """(total, [(doc, score)] of the page in ``order`` (one of ``ORDERS``), facet counts over every match)."""

    @abc.abstractmethod
    def all_docs(self, query: Lowered) -> list[IndexDoc]:
        """Every matching document, in no particular order."""

    @abc.abstractmethod
    def get(self, doc_id: str) -> IndexDoc | None:
        """One document by id, or None."""

    def close(self) -> None:  # noqa: B027 - engines without resources need nothing here
        """Release files and locks."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build(self, docs: Iterable[IndexDoc]) -> AddReport:
        self.clear()
        return self.add(docs)

    def add_shards(self, shards: Sequence[Callable[[], Iterable[IndexDoc | AnalysedDoc]]]) -> AddReport:
        """``add`` of the documents of every shard, in shard order. An engine may write the shards at
        the same time (each in a process of its own); the index is the same as one ``add``."""
        return self.add(doc for shard in shards for doc in shard())

    def add(self, docs: Iterable[IndexDoc | AnalysedDoc]) -> AddReport:
        """Index documents (replacing any with the same id). A document that cannot be analysed or
        that the engine rejects is left out and reported; the others are written."""
        failed: dict[str, IndexFailure] = {}
        pending = iter(docs)
        consumed: list[IndexDoc | AnalysedDoc] = []

        def tracked() -> Iterator[IndexDoc | AnalysedDoc]:
            for doc in pending:
                consumed.append(doc)
                yield doc

        try:
            added = self._write(self._values(tracked(), failed))
        except _WHOLE_INDEX_ERRORS:
            raise
        except Exception:
            added = self._isolate([*consumed, *pending], failed)
        return AddReport(added, tuple(failed.values()))

    def _fields(self, doc: IndexDoc | AnalysedDoc) -> dict[str, IndexValue]:
        if isinstance(doc, IndexDoc):
            return index_fields(doc, self.analyzer)
        if self._finisher is None:
            from index.preanalysis import Finisher

            self._finisher = Finisher(self.analyzer)
        return self._finisher(doc)

    def _values(
        self, docs: Iterable[IndexDoc | AnalysedDoc], failed: dict[str, IndexFailure]
    ) -> Iterator[dict[str, IndexValue]]:
        for doc in docs:
            if doc.id in failed:
                continue
            try:
                with time_budget(self.doc_seconds):
                    values = self._fields(doc)
            except AnalysisTimeout as e:
                failed[doc.id] = IndexFailure.of(doc, f"left out of the index: {e}")
                continue
            except (RecursionError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as e:
                failed[doc.id] = IndexFailure.of(doc, f"cannot analyse it for the index ({_error_text(e)})")
                continue
            yield values

    def _isolate(self, docs: list[IndexDoc | AnalysedDoc], failed: dict[str, IndexFailure]) -> int:
        """Write ``docs``; when the engine rejects them, write each half on its own, down to the
        single documents it rejects, which are recorded in ``failed``."""
        try:
            return self._write(self._values(docs, failed))
        except _WHOLE_INDEX_ERRORS:
            raise
        except Exception as e:
            if len(docs) == 1:
                reason = f"the {self.kind} index rejected it ({_error_text(e)})"
                failed[docs[0].id] = IndexFailure.of(docs[0], reason)
                return 0
            middle = len(docs) // 2
            return self._isolate(docs[:middle], failed) + self._isolate(docs[middle:], failed)

    def expand_prefixes(self, node: Node) -> Node:
        """The query tree with every word prefix (``Prefix`` with a ``limit``) replaced by its most
        frequent indexed terms (at most ``limit``, ties in alphabetical order), the same on both engines."""
        if isinstance(node, Prefix) and node.limit is not None:
            found = sorted(self._expand(node.field, node.prefix), key=lambda tf: (-tf[1], tf[0]))
            terms = [Term(node.field, term, node.boost) for term, _freq in found[: node.limit]]
            return Or(tuple(terms)) if terms else Nothing()
        if isinstance(node, Or):
            return Or(tuple(self.expand_prefixes(n) for n in node.should))
        if isinstance(node, And):
            return And(
                tuple(self.expand_prefixes(n) for n in node.must), tuple(self.expand_prefixes(n) for n in node.must_not)
            )
        return node

    def _by_date(
        self, query: Lowered, limit: int, offset: int, facets: bool, order: str
    ) -> tuple[int, list[tuple[IndexDoc, float]], dict[str, dict[str, int]]]:
        """A page in date order: the dated matches sorted by the engine, then the undated ones."""
        dated = Range("date", _FIRST_DATE, _LAST_DATE)
        with_date = dataclasses.replace(query, node=And((query.node, dated)))
        dated_total, page, _none = self._search(with_date, limit, offset, False, order)
        if len(page) < limit:
            without = dataclasses.replace(query, node=And((query.node,), (dated,)))
            _n, rest, _none = self._search(without, limit - len(page), max(0, offset - dated_total), False, "relevance")
            page = page + rest
        total, _first, counts = self._search(query, 1, 0, facets, "relevance")
        return total, page, counts

    def search(
        self, query: Lowered, limit: int = 10, offset: int = 0, facets: bool = True, order: str = "relevance"
    ) -> SearchResult:
        """Hits of one page with snippets, the total and (optionally) facet counts; ``order`` is one of
        ``ORDERS`` (by meeting date: documents without a date come last in both date orders).
        Raises ``QueryError`` for a page beyond the results that can be paged (``check_page``)."""
        check_page(limit, offset)
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")
        if order == "relevance":
            total, page, counts = self._search(query, limit, offset, facets, order)
        else:
            total, page, counts = self._by_date(query, limit, offset, facets, order)
        prefixes = frozenset(query.prefixes)
        hits = [self._hit(doc, score, query.highlight, prefixes) for doc, score in page]
        ordered = {name: _sorted_counts(name, counts.get(name, {})) for name in FACETS} if facets else {}
        return SearchResult(total=total, hits=hits, facets=ordered)

    def _hit(self, doc: IndexDoc, score: float, stems: set[str], prefixes: frozenset[str]) -> Hit:
        """A hit with its snippet from the item's own text, or from the first linked bilag that matches when
        the item's text does not."""
        own = snippet(doc, stems, self.analyzer, prefixes=prefixes)
        if "**" in own or not doc.bilag_texts:
            return Hit(doc, score, own)
        for title, text in zip(doc.bilag_titles, doc.bilag_texts, strict=False):
            part = snippet(
                dataclasses.replace(doc, text=text, decision="", title=title), stems, self.analyzer, prefixes=prefixes
            )
            if "**" in part:
                return Hit(doc, score, part, in_bilag=title)
        return Hit(doc, score, own)


_BAND_ORDER = {label: i for i, label in enumerate([NO_AMOUNT, *(label for label, _low in AMOUNT_BANDS)])}


def _sorted_counts(name: str, counts: dict[str, int]) -> dict[str, int]:
    if name == "year":
        return dict(sorted(counts.items(), reverse=True))
    if name == "amount":  # the bands in ascending order, "none" first
        return dict(sorted(counts.items(), key=lambda kv: _BAND_ORDER.get(kv[0], len(_BAND_ORDER))))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def open_engine(kind: str, directory: Path, analyzer: Analyzer | None = None, *, create: bool = False) -> Engine:
    """Open (or with ``create``, create if missing) the index of one engine in ``directory``."""
    analyzer = analyzer or Analyzer()
    if kind == "whoosh":
        from index.whoosh_engine import WhooshEngine

        return WhooshEngine(Path(directory), analyzer, create=create)
    if kind == "tantivy":
        from index.tantivy_engine import TantivyEngine

        return TantivyEngine(Path(directory), analyzer, create=create)
    raise EngineError(f"unknown engine {kind!r}; choose one of {', '.join(ENGINES)}")
