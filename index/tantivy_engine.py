"""The tantivy engine (Rust; for large archives).

Text fields use tantivy's built-in ``whitespace`` tokenizer over the
pre-analysed tokens of ``index.analysis`` (no lowercasing or stemming of its
own), so it indexes exactly the terms whoosh indexes. Facets are terms
aggregations over fast ``raw`` fields (a multi-valued field such as ``law`` holds
one value per law, so a document counts once under each); dates (YYYYMMDD) and
amounts (øre) are fast integer fields for range filters. The stored document is a bytes field (JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy

from index.analysis import Analyzer
from index.documents import IndexDoc
from index.engine import (
    EXACT_FIELDS,
    FACET_FIELDS,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    MULTI_FIELDS,
    PARTS_FIELDS,
    POSITION_FIELDS,
    Engine,
    EngineError,
    IndexValue,
)
from index.query import All, And, Lowered, Node, Nothing, Or, Phrase, Prefix, Range, Term

__all__ = ["TantivyEngine", "schema"]

_HEAP = 128_000_000
_FACET_SIZE = 10_000


def schema() -> tantivy.Schema:
    """The tantivy schema, declared once."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sha256", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("stored", stored=True)
    for name in INTEGER_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in POSITION_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    for name in PARTS_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    for name in (*EXACT_FIELDS, *MULTI_FIELDS):
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _document(values: dict[str, IndexValue]) -> tantivy.Document:
    """One document's ``index_fields`` as a tantivy document (empty values left out)."""
    document = tantivy.Document()
    for name, value in values.items():
        if value is None or value == "":
            continue
        if name == "stored":
            document.add_bytes(name, str(value).encode("utf-8"))
        elif isinstance(value, int) and name in INTEGER_FIELDS:
            document.add_integer(name, value)
        elif isinstance(value, tuple):
            for one in value:
                document.add_text(name, one)
        else:
            document.add_text(name, str(value))
    return document


class TantivyEngine(Engine):
    kind = "tantivy"

    def __init__(self, directory: Path, analyzer: Analyzer, *, create: bool = False) -> None:
        super().__init__(directory, analyzer)
        try:
            if (directory / "meta.json").exists():
                self._ix = tantivy.Index.open(str(directory))
            elif create:
                directory.mkdir(parents=True, exist_ok=True)
                self._ix = tantivy.Index(schema(), path=str(directory))
            else:
                raise EngineError(f"{directory}: no tantivy index here; run `arkiv index --engine tantivy`")
        except (OSError, ValueError) as e:
            raise EngineError(f"{directory}: cannot open the tantivy index ({e})") from e
        self._schema = self._ix.schema

    # -- translation -----------------------------------------------------------

    def translate(self, node: Node) -> tantivy.Query:
        """The lowered query tree as a tantivy query."""
        schema_ = self._schema
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, Term):
            q = Q.term_query(schema_, node.field, node.term)
            return q if node.boost == 1.0 else Q.boost_query(q, node.boost)
        if isinstance(node, Phrase):
            return Q.phrase_query(schema_, node.field, list(node.terms))
        if isinstance(node, Prefix):  # a word prefix is expanded to terms before (``Engine.expand_prefixes``)
            return Q.regex_query(schema_, node.field, re.escape(node.prefix) + ".*")
        if isinstance(node, Range):
            return Q.range_query(schema_, node.field, tantivy.FieldType.Integer, node.low, node.high)
        if isinstance(node, All):
            return Q.all_query()
        if isinstance(node, Nothing):
            return Q.empty_query()
        if isinstance(node, Or):
            return Q.boolean_query([(Occur.Should, self.translate(n)) for n in node.should])
        if isinstance(node, And):
            clauses = [(Occur.Must, self.translate(n)) for n in node.must]
            clauses += [(Occur.MustNot, self.translate(n)) for n in node.must_not]
            return Q.boolean_query(clauses)
        raise TypeError(f"unknown query node {node!r}")

    # -- writing ---------------------------------------------------------------

    def _write(self, values: Iterable[dict[str, IndexValue]]) -> int:
        replace = self.count() > 0
        writer = self._ix.writer(heap_size=_HEAP)
        count = 0
        try:
            for one in values:
                if replace:
                    writer.delete_documents_by_term("id", str(one["id"]))
                writer.add_document(_document(one))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()
        self._ix.reload()
        return count

    def _expand(self, field_name: str, prefix: str) -> list[tuple[str, int]]:
        return [(str(term), int(n)) for term, n in self._ix.searcher().terms_with_prefix(field_name, prefix)]

    def delete_sha256s(self, sha256s: Sequence[str]) -> None:
        if not sha256s:
            return
        writer = self._ix.writer(heap_size=_HEAP)
        for sha in sha256s:
            writer.delete_documents_by_term("sha256", sha)
        writer.commit()
        writer.wait_merging_threads()
        self._ix.reload()

    def clear(self) -> None:
        writer = self._ix.writer(heap_size=_HEAP)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        self._ix.reload()

    def count(self) -> int:
        return int(self._ix.searcher().num_docs)

    # -- reading ---------------------------------------------------------------

    def _load(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> IndexDoc:
        stored = searcher.doc(address)["stored"][0]
        return IndexDoc.from_stored(bytes(stored).decode("utf-8"))

    def _search(
        self, lowered: Lowered, limit: int, offset: int, facets: bool, order: str = "relevance"
    ) -> tuple[int, list[tuple[IndexDoc, float]], dict[str, dict[str, int]]]:
        q = self.translate(self.expand_prefixes(lowered.node))
        searcher = self._ix.searcher()
        if order == "relevance":
            result = searcher.search(q, limit=max(limit, 1), count=True, offset=offset)
            page = [(self._load(searcher, address), float(score)) for score, address in result.hits][:limit]
        else:  # by the date fast field; the score is not computed
            direction = tantivy.Order.Desc if order == "newest" else tantivy.Order.Asc
            result = searcher.search(
                q, limit=max(limit, 1), count=True, offset=offset, order_by_field="date", order=direction
            )
            page = [(self._load(searcher, address), 0.0) for _date, address in result.hits][:limit]
        counts: dict[str, dict[str, int]] = {}
        if facets:
            spec = {facet: {"terms": {"field": name, "size": _FACET_SIZE}} for facet, name in FACET_FIELDS.items()}
            aggregated = searcher.aggregate(q, spec)
            for facet in FACET_FIELDS:
                counts[facet] = {b["key"]: int(b["doc_count"]) for b in aggregated.get(facet, {}).get("buckets", [])}
        return int(result.count or 0), page, counts

    def all_docs(self, lowered: Lowered) -> list[IndexDoc]:
        q = self.translate(self.expand_prefixes(lowered.node))
        searcher = self._ix.searcher()
        total = searcher.search(q, limit=1, count=True).count or 0
        if not total:
            return []
        result = searcher.search(q, limit=int(total), count=False)
        return [self._load(searcher, address) for _score, address in result.hits]

    def get(self, doc_id: str) -> IndexDoc | None:
        searcher = self._ix.searcher()
        result = searcher.search(tantivy.Query.term_query(self._schema, "id", doc_id), limit=1)
        if not result.hits:
            return None
        return self._load(searcher, result.hits[0][1])
