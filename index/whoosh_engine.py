"""The whoosh engine (pure Python; the default for small and medium archives).

Text fields take the pre-analysed tokens of ``index.analysis`` through a plain
whitespace tokenizer, so whoosh adds no analysis of its own. Facets are counted
from the column of each facet field over the matching document numbers
(``docs_for_query``), not with ``groupedby``, which is several times slower.
A multi-valued field (``law``) is a comma-separated KEYWORD field for filters,
plus a column (``law_facet``) of the comma-joined values that its facet splits
again. That column gets a value in every document ("-" for none): whoosh-ng
5.4 writes no column for a segment where no document has a value, and then
fails to read the column of the whole index (``IndexError`` in
``MultiColumnReader``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import fields, formats, index, query
from whoosh.analysis import RegexTokenizer, SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader
from whoosh.formats import _INT_SIZE
from whoosh.system import pack_uint, unpack_uint
from whoosh.writing import IndexWriter, SegmentWriter
from whoosh.writing.posting_pool import PostingPool

from index.analysis import Analyzer
from index.documents import IndexDoc
from index.engine import (
    EXACT_FIELDS,
    FACET_FIELDS,
    KEYWORD_FIELDS,
    MULTI_FIELDS,
    PARTS_FIELDS,
    POSITION_FIELDS,
    AddReport,
    Engine,
    EngineError,
    IndexFailure,
    IndexValue,
)
from index.query import All, And, Lowered, Node, Nothing, Or, Phrase, Prefix, Range, Term

if TYPE_CHECKING:
    from index.preanalysis import AnalysedDoc

__all__ = ["VarintPositions", "WhooshEngine", "phrase_field", "schema", "translate"]


# The index gets analysed token streams (``index.documents.analysed_fields``): words separated by
# spaces, split again by whoosh's ``SpaceSeparatedTokenizer`` (this pattern). whoosh makes a Token
# object per word on the way; the formats below count the same words from one regex scan.
_SPACE_SEPARATED = r"[^ \t\r\n]+"
_WORDS = re.compile(_SPACE_SEPARATED)


def _space_separated(value: Any, analyzer: Any) -> bool:
    """``value`` is a string and ``analyzer`` whoosh's ``SpaceSeparatedTokenizer``: the words of
    ``value`` are ``_WORDS.findall(value)``, at positions 0, 1, 2, ... with boost 1.0."""
    return (
        isinstance(value, str)
        and type(analyzer) is RegexTokenizer
        and not analyzer.gaps
        and analyzer.expression.pattern == _SPACE_SEPARATED
    )


class SpaceFrequency(formats.Frequency):
    """whoosh's ``Frequency`` format, counting space-separated words without Token objects."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        if not _space_separated(value, analyzer):
            return super().word_values(value, analyzer, **kwargs)
        fb = self.field_boost
        return ((w, freq, freq * fb, pack_uint(freq)) for w, freq in Counter(_WORDS.findall(value)).items())


class VarintPositions(formats.Positions):
    """whoosh-ng's ``Positions`` without its legacy-pickle fallback.

    whoosh-ng 5.4 decodes a position list whose last varint byte happens to be
    ``b"."`` (a position gap of 46) as a pickle from old whoosh versions and
    fails with ``UnpicklingError``. Indexes written here always use the varint
    encoding, so decoding never needs the fallback.
    """

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple[str, int, float, bytes]]:
        """whoosh's word values (word, frequency, weight, encoded positions), for space-separated words
        without Token objects."""
        if not _space_separated(value, analyzer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(_WORDS.findall(value)):
            positions.setdefault(word, []).append(position)
        fb = self.field_boost
        for word, found in positions.items():
            yield (word, len(found), len(found) * fb, self.encode(found))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        n = unpack_uint(valuestring[:_INT_SIZE])[0]
        positions: list[int] = []
        offset, position = _INT_SIZE, 0
        for _ in range(n):
            byte = valuestring[offset]
            offset += 1
            delta, shift = byte & 0x7F, 7
            while byte & 0x80:
                byte = valuestring[offset]
                offset += 1
                delta |= (byte & 0x7F) << shift
                shift += 7
            position += delta
            positions.append(position)
        return positions


class _LengthsReader(W3PerDocReader):
    """whoosh-ng's per-document reader as a committing writer uses it: field lengths from memory.

    While a writer commits, whoosh-ng 5.4 asks for the field length of every posting. For a field
    without a lengths column (the facet and identifier fields) it looks for the column's file on
    disk again each time: one ``stat`` per posting, about 400,000 for 4,000 documents; for a field
    with one it seeks and reads one byte of the file. A finished segment's columns do not change,
    so each field's answer is read once: no column, or its lengths (one byte per document)."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._lengths: dict[str, Any] = {}

    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        if column is not LENGTHS_COLUMN:
            return super()._cached_reader(fieldname, column)
        if fieldname not in self._lengths:
            reader = super()._cached_reader(fieldname, column)
            self._lengths[fieldname] = None if reader is None else reader.load()
        return self._lengths[fieldname]


class _CompactPool(PostingPool):
    """whoosh-ng's posting pool holding each posting in about a third of the memory.

    A posting is a tuple (field, term bytes, document number, weight, value bytes). Across the postings of
    a writer the same term bytes, weights and value bytes (a frequency, a short position list) recur
    thousands of times; whoosh-ng keeps a new object for each. This pool keeps one object per distinct
    value, so the postings of a 4,000-file import fit where whoosh-ng would spill them to disk twice
    (pickle, read back, merge). It counts what it holds in postings of ``POSTING_BYTES`` (measured:
    tuple, list slot and the share of the distinct values) and spills past ``limitmb``, as whoosh-ng does
    past its own (lower) estimate; the spilled runs and the sorted order are whoosh-ng's."""

    POSTING_BYTES = 110

    def __init__(self, tempstore: Any, segment: Any, limitmb: float = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.max_postings = max(1, int(limitmb * 1024 * 1024 / self.POSTING_BYTES))
        self._terms: dict[bytes, bytes] = {}
        self._values: dict[bytes, bytes] = {}
        self._weights: dict[float, float] = {}

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, term, docnum, weight, value = item
        if len(self.current) >= self.max_postings:
            self.save()
        term = self._terms.setdefault(term, term)
        weight = self._weights.setdefault(weight, weight)
        if value is not None:
            value = self._values.setdefault(value, value)
        self.current.append((fieldname, term, docnum, weight, value))

    def save(self) -> None:
        super().save()
        self._terms.clear()
        self._values.clear()
        self._weights.clear()


class _SegmentWriter(SegmentWriter):
    """whoosh-ng's segment writer with ``_CompactPool``, committing through ``_LengthsReader``."""

    def __init__(self, ix: Any, *, limitmb: float = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _CompactPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self) -> Any:
        if self.perdocwriter.is_closed and type(self.codec) is W3Codec:
            return _LengthsReader(self.storage, self.get_segment())
        return super().per_document_reader()


_WRITER_TIMEOUT = 30.0
# Megabytes of postings one writer holds before it spills a run to disk (``_CompactPool`` counts what
# they take; whoosh-ng's own count, 64 MB before, stood for about 180 MB held).
_POOL_MB = 160


def phrase_field(analyzer: Any) -> fields.TEXT:
    """A TEXT field with positions, decoded by ``VarintPositions``."""
    text_field = fields.TEXT(analyzer=analyzer, phrase=True)
    text_field.format = VarintPositions(field_boost=text_field.format.field_boost)
    return text_field


def schema() -> fields.Schema:
    """The whoosh schema, declared once."""
    tokens = SpaceSeparatedTokenizer()
    spec: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True),
        "sha256": fields.ID(),
        "stored": fields.STORED(),
        # signed: whoosh-ng 5.4 mis-handles open ranges on unsigned fields
        "date": fields.NUMERIC(int),
        "amount": fields.NUMERIC(int, bits=64),  # øre: 10 mio. kr. is already 1e9
    }
    for name in POSITION_FIELDS:
        spec[name] = phrase_field(tokens)
    for name in PARTS_FIELDS:
        spec[name] = fields.TEXT(analyzer=tokens, phrase=False)
        spec[name].format = SpaceFrequency(field_boost=spec[name].format.field_boost)
    for name in KEYWORD_FIELDS:
        spec[name] = fields.KEYWORD(lowercase=False, commas=False, scorable=True)
    for name in EXACT_FIELDS:
        spec[name] = fields.ID(sortable=True)
    for name in MULTI_FIELDS:
        spec[name] = fields.KEYWORD(commas=True, lowercase=False)
        spec[_column(name)] = fields.ID(sortable=True)
    return fields.Schema(**spec)


def _column(multi_field: str) -> str:
    return f"{multi_field}_facet"


_NONE = "-"  # the column value of a document without values in a multi-valued field


def _whoosh_values(values: dict[str, Any]) -> dict[str, Any]:
    """``index_fields`` as whoosh takes them: multi-valued fields joined by commas, empty values left out."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, tuple):
            value = ",".join(value)
            out[_column(name)] = value or _NONE
        if value is None or value == "":
            continue
        out[name] = value
    return out


def translate(node: Node) -> query.Query:
    """The lowered query tree as a whoosh query."""
    if isinstance(node, Term):
        return query.Term(node.field, node.term, boost=node.boost)
    if isinstance(node, Phrase):
        return query.Phrase(node.field, list(node.terms))
    if isinstance(node, Prefix):  # a word prefix is expanded to terms before (``Engine.expand_prefixes``)
        return query.Prefix(node.field, node.prefix)
    if isinstance(node, Range):
        return query.NumericRange(node.field, node.low, node.high)
    if isinstance(node, All):
        return query.Every()
    if isinstance(node, Nothing):
        return query.NullQuery
    if isinstance(node, Or):
        return query.Or([translate(n) for n in node.should])
    if isinstance(node, And):
        positive = [translate(n) for n in node.must]
        base: query.Query = positive[0] if len(positive) == 1 else query.And(positive)
        if node.must_not:
            return query.AndNot(base, query.Or([translate(n) for n in node.must_not]))
        return base
    raise TypeError(f"unknown query node {node!r}")


def _text(term: bytes | str) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _abandon(writer: IndexWriter) -> None:
    """Drop what a failed writer wrote and release the index lock, also when it failed inside ``commit``."""
    if getattr(writer, "is_closed", False):
        return
    try:
        writer.cancel()
    except Exception:
        if not getattr(writer, "is_closed", True):
            writer._finish()  # releases the lock; cancel fails on a segment whose commit failed half-way


def _die_with_parent(parent: int) -> None:
    """End this shard writer when the process that started it ends (Linux: ``PR_SET_PDEATHSIG``)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


class _ShardFailed(Exception):
    """A shard writer process failed; nothing it wrote is committed."""


class WhooshEngine(Engine):
    kind = "whoosh"

    def __init__(self, directory: Path, analyzer: Analyzer, *, create: bool = False) -> None:
        super().__init__(directory, analyzer)
        try:
            if index.exists_in(str(directory)):
                self._ix = index.open_dir(str(directory))
            elif create:
                directory.mkdir(parents=True, exist_ok=True)
                self._ix = index.create_in(str(directory), schema())
            else:
                raise EngineError(f"{directory}: no whoosh index here; run `arkiv index --engine whoosh`")
        except (OSError, index.IndexError) as e:
            raise EngineError(f"{directory}: cannot open the whoosh index ({e})") from e

    def _writer(self) -> IndexWriter:
        return _SegmentWriter(self._ix, timeout=_WRITER_TIMEOUT, limitmb=_POOL_MB)

    def _write(self, values: Iterable[dict[str, IndexValue]]) -> int:
        count = 0
        writer = self._writer()
        try:
            for one in values:
                writer.update_document(**_whoosh_values(one))
                count += 1
            writer.commit()
        except BaseException:
            _abandon(writer)
            raise
        return count

    def add_shards(self, shards: Sequence[Callable[[], Iterable[IndexDoc | AnalysedDoc]]]) -> AddReport:
        """Each shard is analysed and written into a segment of its own by a process of its own (on
        Linux), and the segments are committed in shard order: the documents get the numbers one
        writer would give them, so searches (ties included) do not depend on the number of shards.
        When a process fails, nothing of it is kept and the shards are written one by one (``add``)."""
        if len(shards) < 2 or not sys.platform.startswith("linux"):
            return super().add_shards(shards)
        try:
            return self._add_in_parallel(shards)
        except _ShardFailed:
            return super().add_shards(shards)

    def _add_in_parallel(self, shards: Sequence[Callable[[], Iterable[IndexDoc | AnalysedDoc]]]) -> AddReport:
        ctx = multiprocessing.get_context("fork")
        writer = self._writer()  # holds the index lock for the shard writers
        started: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        try:
            for shard in shards:
                receive, send = ctx.Pipe(duplex=False)
                child = ctx.Process(target=self._write_shard, args=(shard, send, os.getpid()), daemon=True)
                child.start()
                send.close()
                started.append((child, receive))
            segments = []
            added = 0
            failed: list[IndexFailure] = []
            for process, receive in started:
                try:
                    outcome = receive.recv()
                except (EOFError, OSError):
                    outcome = None
                process.join()
                if not isinstance(outcome, tuple):
                    raise _ShardFailed(f"a shard writer ended with exit code {process.exitcode}")
                count, segment, shard_failed = outcome
                added += count
                failed += shard_failed
                if segment is not None:
                    segments.append(segment)
            final = writer._merge_segments(None, None, None)
            writer._close_segment()
            writer._commit_toc(final + segments)
            writer._finish()
        except BaseException:
            for process, _ in started:
                if process.is_alive():
                    process.kill()
                process.join()
            _abandon(writer)
            raise
        finally:
            for _, receive in started:
                receive.close()
        return AddReport(added, tuple(failed))

    def _write_shard(
        self, shard: Callable[[], Iterable[IndexDoc | AnalysedDoc]], send: Connection, parent: int
    ) -> None:
        """In a forked process: write one shard as a finished segment and send (count, segment, failures),
        or an error text."""
        _die_with_parent(parent)
        try:
            writer = _SegmentWriter(self._ix, _lk=False, limitmb=_POOL_MB)
            failed: dict[str, IndexFailure] = {}
            count = 0
            for values in self._values(shard(), failed):
                writer.add_document(**_whoosh_values(values))
                count += 1
            segment = writer._finalize_segment() if count else None
            if segment is None:
                writer._close_segment()
            writer._tempstorage.destroy()
            send.send((count, segment, list(failed.values())))
        except BaseException as e:  # the parent writes the shards one by one instead
            send.send(f"{type(e).__name__}: {e}")
        finally:
            send.close()
            os._exit(0)

    def _expand(self, field_name: str, prefix: str) -> list[tuple[str, int]]:
        with self._ix.reader() as reader:
            terms = reader.expand_prefix(field_name, prefix)
            return [(_text(term), reader.doc_frequency(field_name, term)) for term in terms]

    def delete_sha256s(self, sha256s: Sequence[str]) -> None:
        if not sha256s:
            return
        writer = self._writer()
        try:
            for sha in sha256s:
                writer.delete_by_term("sha256", sha)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def clear(self) -> None:
        self._ix = index.create_in(str(self.directory), schema())

    def count(self) -> int:
        return self._ix.doc_count()

    def _search(
        self, lowered: Lowered, limit: int, offset: int, facets: bool, order: str = "relevance"
    ) -> tuple[int, list[tuple[IndexDoc, float]], dict[str, dict[str, int]]]:
        if self.count() == 0:  # whoosh-ng has no facet columns in an index without documents
            return 0, [], {facet: {} for facet in FACET_FIELDS} if facets else {}
        q = translate(self.expand_prefixes(lowered.node))
        with self._ix.searcher() as searcher:
            if order == "relevance":
                results = searcher.search(q, limit=offset + limit)
            else:
                results = searcher.search(q, limit=offset + limit, sortedby="date", reverse=order == "newest")
            page = [(IndexDoc.from_stored(hit["stored"]), float(hit.score or 0.0)) for hit in results[offset:]]
            counts: dict[str, dict[str, int]] = {}
            if facets:
                docnums = list(searcher.docs_for_query(q))
                total = len(docnums)
                reader = searcher.reader()
                for facet, field_name in FACET_FIELDS.items():
                    if field_name in MULTI_FIELDS:
                        column = reader.column_reader(_column(field_name))
                        combined: Counter[str] = Counter()
                        for joined, n in Counter(column[d] for d in docnums).items():
                            if joined != _NONE:
                                for value in joined.split(","):
                                    combined[value] += n
                        counts[facet] = dict(combined)
                    else:
                        column = reader.column_reader(field_name)
                        counts[facet] = dict(Counter(column[d] for d in docnums))
            else:
                total = len(results)
        return total, page, counts

    def all_docs(self, lowered: Lowered) -> list[IndexDoc]:
        q = translate(self.expand_prefixes(lowered.node))
        with self._ix.searcher() as searcher:
            return [IndexDoc.from_stored(searcher.stored_fields(d)["stored"]) for d in searcher.docs_for_query(q)]

    def get(self, doc_id: str) -> IndexDoc | None:
        with self._ix.searcher() as searcher:
            stored = searcher.document(id=doc_id)
            if stored is None:
                return None
            docnum = searcher.document_number(id=doc_id)
            return IndexDoc.from_stored(searcher.stored_fields(docnum)["stored"])
