"""The index analysis of one record, done where it is parsed (an ingest worker) and stored with it.

The Danish analysis (folding, stemming, compound splitting) is most of the work
of indexing, and all of it but one step depends only on the record: the
documents (``docs_from_record``), their stored JSON, facet values and main-field
tokens, and the words the record adds to the compound lexicon (``learn_lexicon``).
An ingest worker computes these next to the parse (``analyse_record``) and the
catalog keeps them with the record, so the index writer adds documents that are
already analysed.

The one step that needs the whole archive is the compound split: the parts
fields depend on the lexicon learned from every record. So a worker stores, per
parts field, the folded words that may be compounds (``index.analysis.analyze_main``),
and the writer joins their ``Analyzer.parts`` (``finish``), once the lexicon is the
union of the stored word lists. Both the union and the per-word split are independent
of the order in which records were parsed and of the number of workers, so the same
archive gives the same index. ``finish(analysed, analyzer)`` equals
``index_fields(doc, analyzer)`` of the same document; ``tests/test_ingest_parallel.py``
holds them together.

A field another part of the program composes at index time (from other records)
is added by the writer to the finished values; this module only covers what one
record determines on its own.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from index.analysis import ANALYSIS_VERSION, Analyzer, analyze_main, learn_lexicon
from index.budget import time_budget
from index.documents import DEFERRED_MARK, IndexDoc, cap_term_occurrences, docs_from_record
from index.engine import SCHEMA_VERSION, IndexValue, index_fields
from parsers.records import DocumentRecord

__all__ = [
    "PREANALYSIS_VERSION",
    "AnalysedDoc",
    "RecordAnalysis",
    "analyse_record",
    "finish",
    "lexicon_of",
    "path_dependent",
]

# The version of the stored form; a stored analysis of another version (or of another analysis or
# schema version) is not used: the writer analyses that record again.
PREANALYSIS_VERSION = f"1/{ANALYSIS_VERSION}/{SCHEMA_VERSION}"
_DEFERRED = DEFERRED_MARK  # prefix of a field value that holds compound candidates instead of parts tokens


class _Deferring:
    """Stands in for an ``Analyzer`` in ``analysed_fields``: main tokens as usual, and instead of the
    parts tokens the words whose parts the lexicon decides (marked with ``_DEFERRED``)."""

    def analyze(self, text: str) -> tuple[str, str]:
        main, maybe = analyze_main(text)
        return main, _DEFERRED + " ".join(maybe)


@dataclass(frozen=True)
class AnalysedDoc:
    """One index document, analysed but for its compound parts."""

    id: str
    sha256: str
    source_path: str
    values: dict[str, IndexValue]  # ``index_fields`` with the parts fields still as deferred compound candidates

    def with_path(self, path: str) -> AnalysedDoc:
        """The document as held by another path (the stored JSON names the source path)."""
        if path == self.source_path:
            return self
        stored = json.loads(str(self.values["stored"]))
        stored["source_path"] = path
        values = dict(self.values)
        values["stored"] = json.dumps(stored, ensure_ascii=False, sort_keys=True)
        return AnalysedDoc(self.id, self.sha256, path, values)

    def as_index_doc(self) -> IndexDoc:
        return IndexDoc.from_stored(str(self.values["stored"]))


@dataclass(frozen=True)
class RecordAnalysis:
    """What one record contributes to the index: its documents and its lexicon words."""

    words: tuple[str, ...]  # sorted: the words ``learn_lexicon`` takes from its documents
    docs: tuple[AnalysedDoc, ...]

    def to_bytes(self) -> bytes:
        """The stored form (zlib-compressed JSON)."""
        payload = {
            "version": PREANALYSIS_VERSION,
            "docs": [[d.id, d.sha256, d.source_path, d.values] for d in self.docs],
        }
        return zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 1)

    @staticmethod
    def from_bytes(data: bytes, words: str) -> RecordAnalysis | None:
        """The stored form back (``words`` as stored beside it, space-separated); None when it is of
        another version or unreadable."""
        try:
            payload = json.loads(zlib.decompress(data).decode("utf-8"))
        except (zlib.error, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict) or payload.get("version") != PREANALYSIS_VERSION:
            return None
        docs = []
        for doc_id, sha, path, raw in payload["docs"]:
            values = {k: tuple(v) if isinstance(v, list) else v for k, v in cast(dict[str, Any], raw).items()}
            docs.append(AnalysedDoc(doc_id, sha, path, values))
        return RecordAnalysis(tuple(words.split()), tuple(docs))


def path_dependent(record: DocumentRecord) -> bool:
    """Whether the record's documents depend on the path they are indexed under, beyond the stored
    ``source_path``: a document without a title is titled by its file name. Such a record is analysed by
    the index writer, under the path the index names (the first present path)."""
    return record.kind == "other" and not record.title


def analyse_doc(doc: IndexDoc) -> AnalysedDoc:
    values = index_fields(doc, cast(Analyzer, _Deferring()))
    return AnalysedDoc(doc.id, doc.sha256, doc.source_path, values)


def analyse_record(
    record: DocumentRecord, sha256: str | None = None, path: str | None = None, seconds: float | None = None
) -> RecordAnalysis:
    """The analysis of one record (``sha256``/``path`` as in ``docs_from_record``), each document within
    ``seconds`` (``index.budget``; ``AnalysisTimeout`` past it)."""
    docs = docs_from_record(record, sha256, path)
    words = learn_lexicon(f"{d.title}\n{d.text}\n{d.decision}" for d in docs)
    analysed = []
    for doc in docs:
        with time_budget(seconds):
            analysed.append(analyse_doc(doc))
    return RecordAnalysis(tuple(sorted(words)), tuple(analysed))


def lexicon_of(analyses: Iterable[Sequence[str]]) -> set[str]:
    """The learned lexicon of an archive: the union of its records' words (order does not matter)."""
    lexicon: set[str] = set()
    for words in analyses:
        lexicon.update(words)
    return lexicon


class Finisher:
    """Joins the compound parts into analysed documents with one analyzer (parts cached per word)."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._parts: dict[str, tuple[str, ...]] = {}

    def parts(self, word: str) -> tuple[str, ...]:
        found = self._parts.get(word)
        if found is None:
            found = tuple(self.analyzer.parts(word))
            if len(self._parts) < 1_000_000:
                self._parts[word] = found
        return found

    def __call__(self, doc: AnalysedDoc) -> dict[str, IndexValue]:
        values = dict(doc.values)
        for name, value in doc.values.items():
            if isinstance(value, str) and value.startswith(_DEFERRED):
                pieces: list[str] = []
                for word in value[len(_DEFERRED) :].split():
                    pieces.extend(self.parts(word))
                values[name] = cap_term_occurrences(" ".join(pieces))
        return values


def finish(doc: AnalysedDoc, analyzer: Analyzer) -> dict[str, IndexValue]:
    """``index_fields`` of the document with this analyzer (its lexicon decides the compound parts)."""
    return Finisher(analyzer)(doc)
