"""The small interface both search engines implement, the schema they share, and shared result code.

An engine stores ``IndexDoc`` objects (as JSON) and indexes the pre-analysed
fields from ``index.documents.analysed_fields``; it translates the lowered query
tree of ``index.query`` one-to-one. Snippets and facet names are computed here,
once, so both engines present results the same way.

    >>> engine = open_engine("whoosh", Path("arkiv-data/index/whoosh"), create=True)
    >>> engine.add(docs)
    >>> result = engine.search(lower("sygefravær", Filters(year=2021)), limit=10)
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.analysis import Analyzer, tokenize
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
from index.query import Lowered

__all__ = [
    "ENGINES",
    "SCHEMA_VERSION",
    "Engine",
    "EngineError",
    "Hit",
    "SearchResult",
    "index_fields",
    "open_engine",
    "snippet",
]

ENGINES = ("whoosh", "tantivy")
# The version of the indexed fields below; an index written with another version is rebuilt.
# 2: the amount (øre) range field, the amount_band facet and the multi-valued law field.
SCHEMA_VERSION = 2

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


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


IndexValue = str | int | tuple[str, ...] | None


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


def snippet(doc: IndexDoc, stems: set[str], analyzer: Analyzer, width: int = 24) -> str:
    """The window of about ``width`` words of the item text with the most query matches,
    matched words marked as ``**word**``. Without matches: the start of the decision or text."""
    candidates = [t for t in (doc.text, doc.decision, doc.title) if t]
    best: tuple[int, str, list[tuple[str, int, int]], int, set[int]] | None = None
    for text in candidates:
        tokens = tokenize(text)
        if not tokens:
            continue
        hits = {i for i, (w, _s, _e) in enumerate(tokens) if stems and analyzer.word_matches(w, stems)}
        if not hits:
            if best is None:
                best = (0, text, tokens, 0, hits)
            continue
        start, score = 0, -1
        for i in sorted(hits):
            begin = max(0, i - width // 4)
            found = len({tokens[j][0].lower() for j in hits if begin <= j < begin + width})
            if found > score:
                start, score = begin, found
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
    suffix = " …" if end < len(tokens) else ""
    return f"{prefix}{out}{suffix}"


class Engine(abc.ABC):
    """One search index on disk. ``build`` = ``clear`` + ``add``; writes are committed per call."""

    kind: str

    def __init__(self, directory: Path, analyzer: Analyzer) -> None:
        self.directory = directory
        self.analyzer = analyzer

    @abc.abstractmethod
    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Index documents (replacing any with the same id); returns how many were added."""

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
        self, query: Lowered, limit: int, offset: int, facets: bool
    ) -> tuple[int, list[tuple[IndexDoc, float]], dict[str, dict[str, int]]]:
        """(total, [(doc, score)] of the page, facet counts over every match)."""

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

    def build(self, docs: Iterable[IndexDoc]) -> int:
        self.clear()
        return self.add(docs)

    def search(self, query: Lowered, limit: int = 10, offset: int = 0, facets: bool = True) -> SearchResult:
        """Ranked hits of one page with snippets, the total and (optionally) facet counts."""
        total, page, counts = self._search(query, limit, offset, facets)
        hits = [Hit(doc, score, snippet(doc, query.highlight, self.analyzer)) for doc, score in page]
        ordered = {name: _sorted_counts(name, counts.get(name, {})) for name in FACETS} if facets else {}
        return SearchResult(total=total, hits=hits, facets=ordered)


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
