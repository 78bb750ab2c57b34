"""Evaluation of the judged query sets: ``corpus/queries.json`` on the sample corpus, and
``index/data/judged_real.json`` on the real documents of ``../shared/realdocs``.

The judged set names, for each query, which items should be found. A judgment
is either a list of items (``[gold file, meeting index, item number]``) or a
rule over the gold records (``match``: regular expressions that must occur in
the item's title/text/decision, plus optional metadata conditions), so it stays
valid when the sample corpus is regenerated. Items are resolved to ids at eval
time.

Three systems are indexed from the gold records in a temporary folder and
scored with the same filters: our analysis on whoosh, our analysis on tantivy,
and the baseline: whoosh's plain ``StandardAnalyzer`` (lowercase, no stemming,
no compounds, no aa→å) with whoosh's own query parser. Metrics: recall@10
(relevant found in the top 10, divided by ``min(10, relevant)``), MRR and
nDCG@10 with binary gains.

The real-document set (``evaluate_real``) was written by reading the documents: each query names
its relevant items by file name and item number (``null`` for an attachment read as one
document), which stay the same across imports. The caller imports the documents and passes their
index documents (``search_cli.eval_commands.realdocs_index_docs``), since ``index`` does not import.
The report also lists the queries whose top 10 differ between the two engines (``differing``).
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.analysis import Analyzer
from index.build import analyzer_for
from index.documents import IndexDoc, case_key, docs_from_record
from index.engine import Hit, open_engine
from index.query import Filters, lower
from parsers.records import DocumentRecord, item_key
from parsers.serialize import record_from_json

__all__ = [
    "REAL_QUERIES",
    "EvalReport",
    "JudgedQuery",
    "QueryScore",
    "evaluate",
    "evaluate_real",
    "load_gold",
    "load_queries",
    "load_real_queries",
]

REAL_QUERIES = Path(__file__).resolve().parent / "data" / "judged_real.json"

SYSTEMS = ("whoosh", "tantivy", "baseline")
K = 10


class JudgedSetError(ValueError):
    """The judged query file or the gold corpus is unusable (names the file and the reason)."""


@dataclass(frozen=True)
class JudgedQuery:
    id: str
    query: str
    covers: str  # what the query tests: stemming, compound, aa, phrase, case, filter, ...
    filters: dict[str, Any]
    judgment: dict[str, Any]


@dataclass(frozen=True)
class QueryScore:
    query: JudgedQuery
    relevant: int
    recall: dict[str, float]
    rr: dict[str, float]
    ndcg: dict[str, float]


@dataclass
class EvalReport:
    scores: list[QueryScore] = field(default_factory=list)
    documents: int = 0
    differing: list[str] = field(default_factory=list)  # ids of queries whose top 10 differ between engines

    def mean(self, metric: str, system: str) -> float:
        values = [getattr(s, metric)[system] for s in self.scores]
        return sum(values) / len(values) if values else 0.0

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            system: {
                "recall@10": round(self.mean("recall", system), 4),
                "mrr": round(self.mean("rr", system), 4),
                "ndcg@10": round(self.mean("ndcg", system), 4),
            }
            for system in SYSTEMS
        }


def load_gold(sample_dir: Path) -> list[DocumentRecord]:
    """The gold records of the sample corpus, in path order."""
    files = sorted(Path(sample_dir).rglob("*.gold.json"))
    if not files:
        raise JudgedSetError(f"{sample_dir}: no *.gold.json files; generate the sample corpus first")
    return [record_from_json(f.read_text(encoding="utf-8")) for f in files]


def load_queries(path: Path) -> list[JudgedQuery]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise JudgedSetError(f"{path}: cannot read the judged queries ({e})") from e
    return [
        JudgedQuery(q["id"], q["query"], q.get("covers", ""), q.get("filters", {}), q["relevant"])
        for q in data["queries"]
    ]


def _filters(spec: dict[str, Any]) -> Filters:
    return Filters(
        body=spec.get("body"),
        date_from=spec.get("from"),
        date_to=spec.get("to"),
        year=spec.get("year"),
        document_type=spec.get("type"),
        case=spec.get("case"),
        closed=spec.get("closed"),
        outcome=spec.get("outcome"),
        law=spec.get("law"),
        min_amount=spec.get("min_amount"),
        max_amount=spec.get("max_amount"),
    )


def _matches_rule(doc: IndexDoc, rule: dict[str, Any]) -> bool:
    fields = rule.get("fields", ["title", "text", "decision"])
    haystack = "\n".join(getattr(doc, f) for f in fields)
    patterns = rule.get("match", [])
    if patterns and not any(re.search(p, haystack, re.IGNORECASE) for p in patterns):
        return False
    for pattern in rule.get("all", []):
        if not re.search(pattern, haystack, re.IGNORECASE):
            return False
    for pattern in rule.get("none", []):
        if re.search(pattern, haystack, re.IGNORECASE):
            return False
    if "body" in rule and doc.body != rule["body"]:
        return False
    if "year" in rule and doc.year != rule["year"]:
        return False
    if "type" in rule and doc.document_type != rule["type"]:
        return False
    if "closed" in rule and doc.closed != rule["closed"]:
        return False
    if "case" in rule and case_key(rule["case"]) not in {case_key(c) for c in doc.case_numbers}:
        return False
    if "from" in rule and (doc.date is None or doc.date < rule["from"]):
        return False
    if "to" in rule and (doc.date is None or doc.date > rule["to"]):
        return False
    return True


def _relevant(q: JudgedQuery, docs: Sequence[IndexDoc], records: dict[str, DocumentRecord]) -> set[str]:
    if "items" in q.judgment:
        ids: set[str] = set()
        for path, meeting_index, number in q.judgment["items"]:
            record = records.get(path)
            if record is None:
                raise JudgedSetError(f"query {q.id}: no gold record for {path}")
            items = record.meetings[meeting_index].items
            index = next((i for i, item in enumerate(items) if item.number == number), None)
            if index is None:
                raise JudgedSetError(f"query {q.id}: {path} has no item {number}")
            ids.add(item_key(record.source.sha256, meeting_index, index))
        return ids
    return {d.id for d in docs if _matches_rule(d, q.judgment)}


def _metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    top = ranked[:K]
    found = [i for i, doc_id in enumerate(top) if doc_id in relevant]
    recall = len(found) / min(K, len(relevant)) if relevant else 1.0
    rr = 1.0 / (found[0] + 1) if found else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i in found)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return recall, rr, (dcg / ideal if ideal else 1.0)


class _Baseline:
    """whoosh with its plain StandardAnalyzer on raw text, and whoosh's own query parser."""

    def __init__(self, directory: Path, docs: Sequence[IndexDoc]) -> None:
        from whoosh import fields, index
        from whoosh.analysis import StandardAnalyzer

        from index.engine import EXACT_FIELDS, KEYWORD_FIELDS, index_fields
        from index.whoosh_engine import phrase_field, schema

        base = schema()
        spec = {name: base[name] for name in base.names() if name not in ("title", "text", "decision")}
        spec = {k: v for k, v in spec.items() if not k.endswith("_parts")}
        for name in ("title", "text", "decision"):
            spec[name] = phrase_field(StandardAnalyzer())
        directory.mkdir(parents=True, exist_ok=True)
        self.ix = index.create_in(str(directory), fields.Schema(**spec))
        plain = Analyzer()
        writer = self.ix.writer()
        for doc in docs:
            values = index_fields(doc, plain)
            row = {k: values[k] for k in ("id", "sha256", "date", *KEYWORD_FIELDS, *EXACT_FIELDS)}
            row["title"] = doc.title
            row["text"] = "\n".join([doc.title, doc.text, *doc.attachments, doc.decision])
            row["decision"] = doc.decision
            writer.add_document(**{k: v for k, v in row.items() if v is not None})
        writer.commit()

    def ranked(self, text: str, filters: Filters) -> list[str]:
        from whoosh import query as wq
        from whoosh.qparser import MultifieldParser

        from index.whoosh_engine import translate

        parser = MultifieldParser(["title", "text"], self.ix.schema)
        q = parser.parse(text) if text.strip() else wq.Every()
        filter_node = lower("", filters).node
        with self.ix.searcher() as searcher:
            combined = q if filter_node.__class__.__name__ == "All" else wq.And([q, translate(filter_node)])
            return [hit["id"] for hit in searcher.search(combined, limit=K)]


def _ids(hits: Sequence[Hit]) -> list[str]:
    return [h.doc.id for h in hits]


def evaluate(queries_path: Path, sample_dir: Path, work_dir: Path | None = None) -> EvalReport:
    """Index the gold corpus with every system and score every judged query."""
    records = load_gold(sample_dir)
    by_path = {r.source.path: r for r in records}
    docs = [d for r in records for d in docs_from_record(r)]
    queries = load_queries(queries_path)
    judged = [(q, _relevant(q, docs, by_path)) for q in queries]
    return _score(judged, docs, work_dir, "the sample corpus")


def load_real_queries(path: Path = REAL_QUERIES) -> tuple[list[str], list[JudgedQuery]]:
    """(the file names of the documents, the queries) of the real-document judged set."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        documents = [str(name) for name in data["documents"]]
        queries = [
            JudgedQuery(q["id"], q["query"], q.get("covers", ""), q.get("filters", {}), {"real": q["relevant"]})
            for q in data["queries"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise JudgedSetError(f"{path}: cannot read the judged queries ({e})") from e
    return documents, queries


def _real_relevant(q: JudgedQuery, by_item: dict[tuple[str, int | None], list[str]]) -> set[str]:
    ids: set[str] = set()
    for entry in q.judgment["real"]:
        key = (str(entry["file"]), entry["item"])
        found = by_item.get(key)
        if not found:
            raise JudgedSetError(
                f"query {q.id}: no item {entry['item']} in {entry['file']} among the imported documents"
            )
        ids.update(found)
    return ids


def evaluate_real(queries_path: Path, docs: Sequence[IndexDoc], work_dir: Path | None = None) -> EvalReport:
    """Score the real-document judged set on ``docs`` (the index documents of the imported files)."""
    _documents, queries = load_real_queries(queries_path)
    by_item: dict[tuple[str, int | None], list[str]] = {}
    for doc in docs:
        by_item.setdefault((Path(doc.source_path).name, doc.item_number), []).append(doc.id)
    judged = [(q, _real_relevant(q, by_item)) for q in queries]
    return _score(judged, list(docs), work_dir, "the real documents")


def _score(
    judged: list[tuple[JudgedQuery, set[str]]], docs: list[IndexDoc], work_dir: Path | None, where: str
) -> EvalReport:
    analyzer = analyzer_for(docs)
    report = EvalReport(documents=len(docs))
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        engines = {}
        for kind in ("whoosh", "tantivy"):
            engine = open_engine(kind, Path(tmp) / kind, analyzer, create=True)
            engine.add(docs)
            engines[kind] = engine
        baseline = _Baseline(Path(tmp) / "baseline", docs)
        for q, relevant in judged:
            if not relevant:
                raise JudgedSetError(f"query {q.id} ({q.query!r}): no relevant item in {where}")
            filters = _filters(q.filters)
            lowered = lower(q.query, filters)
            runs = {kind: _ids(eng.search(lowered, K, facets=False).hits) for kind, eng in engines.items()}
            runs["baseline"] = baseline.ranked(q.query, filters)
            if set(runs["whoosh"]) != set(runs["tantivy"]):
                report.differing.append(q.id)
            recall, rr, ndcg = {}, {}, {}
            for system, ranked in runs.items():
                recall[system], rr[system], ndcg[system] = _metrics(ranked, relevant)
            report.scores.append(QueryScore(q, len(relevant), recall, rr, ndcg))
        for engine in engines.values():
            engine.close()
    return report
