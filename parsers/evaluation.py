"""Score the parser against gold records: per-field precision, recall and F1.

``evaluate(directory)`` parses every file that has a gold record next to it
(``NAME.pdf`` + ``NAME.pdf.gold.json``) and compares the two records field by
field; ``compare(gold, predicted)`` scores one pair. How the fields are counted:

* ``kind`` and the meeting fields (``body``, ``document_type``, ``date``,
  ``start_time``, ``end_time``, ``location``, ``municipality``): a stated gold
  value that the parser matches is
  a true positive; a wrong value is a false positive and a false negative; a
  missing value a false negative; a value where gold has none a false positive.
  Meetings are paired in document order.
* ``participants``, ``absent``, ``item_numbers``, ``case_numbers`` (normalized form, item
  and meeting level), ``attachments``, ``pages``: set overlap.
* Items are paired per meeting by their number. ``item_titles``, ``closed``
  (closed is the positive class), ``category``, ``decision_text`` (a match is a token F1 of
  at least 0.9), ``decision_body`` and ``decision_date`` are scored on pairs;
  an unpaired gold item counts as misses of all its values, an unpaired parsed
  item as false positives.
* ``item_text``: word tokens of each item's text (all sections), so text given
  to the wrong item costs precision there and recall where it belongs.
  ``document_text`` does the same for documents of kind "other".

Text is compared after collapsing whitespace; tokens are case-folded words.
The overall score is the mean F1 of the fields that have any gold or parsed
values. A file that fails to parse counts as missing everything and is listed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.records import DocumentRecord, Item, Meeting
from parsers.serialize import record_from_json

GOLD_SUFFIX = ".gold.json"
DECISION_MATCH = 0.9

FIELDS: tuple[str, ...] = (
    "kind",
    "body",
    "document_type",
    "date",
    "start_time",
    "end_time",
    "location",
    "municipality",
    "participants",
    "absent",
    "item_numbers",
    "item_titles",
    "case_numbers",
    "closed",
    "category",
    "decision_text",
    "decision_body",
    "decision_date",
    "attachments",
    "item_text",
    "document_text",
    "pages",
)


@dataclass
class FieldScore:
    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def add(self, other: FieldScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def support(self) -> float:
        return self.tp + self.fp + self.fn

    @property
    def gold(self) -> float:
        """How many gold values there were (found or missed)."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        if not self.support:
            return 1.0
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)


@dataclass
class DocumentScore:
    path: str
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    differences: list[str] = field(default_factory=list)
    error: str | None = None  # why the file could not be parsed; None: it was parsed

    @property
    def score(self) -> float:
        return _mean_f1(self.fields)

    def worst_fields(self) -> list[str]:
        scored = [(s.f1, name) for name, s in self.fields.items() if s.support and s.f1 < 1.0]
        return [name for _, name in sorted(scored)]


@dataclass
class EvalReport:
    fields: dict[str, FieldScore]
    documents: list[DocumentScore]

    @property
    def overall(self) -> float:
        return _mean_f1(self.fields)

    @property
    def failures(self) -> list[DocumentScore]:
        return [d for d in self.documents if d.error is not None]

    def worst(self, n: int = 10) -> list[DocumentScore]:
        return sorted((d for d in self.documents if d.score < 1.0 or d.error), key=lambda d: (d.score, d.path))[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": round(self.overall, 4),
            "documents": len(self.documents),
            "failures": [{"path": d.path, "error": d.error} for d in self.failures],
            "fields": {
                name: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for name, s in self.fields.items()
                if s.support
            },
            "per_document": [
                {
                    "path": d.path,
                    "score": round(d.score, 4),
                    "worst_fields": d.worst_fields(),
                    "differences": d.differences,
                }
                for d in sorted(self.documents, key=lambda d: (d.score, d.path))
            ],
        }


def _mean_f1(fields: dict[str, FieldScore]) -> float:
    scored = [s.f1 for s in fields.values() if s.support]
    return sum(scored) / len(scored) if scored else 1.0


# ---------------------------------------------------------------------------
# Normalizers
# ---------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def norm_text(text: str | None) -> str | None:
    return None if text is None else _WS.sub(" ", text).strip()


def tokens(text: str | None) -> Counter[str]:
    return Counter(_TOKEN.findall((text or "").casefold()))


def token_f1(gold: str | None, predicted: str | None) -> float:
    g, p = tokens(gold), tokens(predicted)
    if not g and not p:
        return 1.0
    overlap = sum((g & p).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(p.values())
    recall = overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _short(value: Any, width: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 4] + "...'"


# ---------------------------------------------------------------------------
# Comparison of one pair of records
# ---------------------------------------------------------------------------


class _Scorer:
    def __init__(self, doc: DocumentScore) -> None:
        self.doc = doc

    def scalar(self, name: str, where: str, gold: Any, pred: Any) -> None:
        s = self.doc.fields[name]
        if gold is None and pred is None:
            return
        if gold is not None and pred is not None and gold == pred:
            s.tp += 1
            return
        if gold is not None:
            s.fn += 1
        if pred is not None:
            s.fp += 1
        self.doc.differences.append(f"{where} {name}: expected {_short(gold)}, got {_short(pred)}")

    def sets(self, name: str, where: str, gold: Iterable[Any], pred: Iterable[Any]) -> None:
        g, p = Counter(gold), Counter(pred)
        s = self.doc.fields[name]
        overlap = sum((g & p).values())
        s.tp += overlap
        s.fp += sum(p.values()) - overlap
        s.fn += sum(g.values()) - overlap
        missing, extra = sorted(map(str, (g - p).elements())), sorted(map(str, (p - g).elements()))
        if missing or extra:
            detail = []
            if missing:
                detail.append(f"missing {_short(missing)}")
            if extra:
                detail.append(f"extra {_short(extra)}")
            self.doc.differences.append(f"{where} {name}: {', '.join(detail)}")

    def text(self, name: str, where: str, gold: str | None, pred: str | None) -> None:
        g, p = tokens(gold), tokens(pred)
        overlap = sum((g & p).values())
        s = self.doc.fields[name]
        s.tp += overlap
        s.fp += sum(p.values()) - overlap
        s.fn += sum(g.values()) - overlap
        if overlap < max(sum(g.values()), sum(p.values())):
            pr = overlap / sum(p.values()) if p else 1.0
            rc = overlap / sum(g.values()) if g else 1.0
            self.doc.differences.append(f"{where} {name}: token precision {pr:.2f}, recall {rc:.2f}")


def _case_set(cases: Iterable[Any]) -> list[str]:
    return [norm_text(c.normalized) or "" for c in cases]


def _item_values(sc: _Scorer, where: str, gold: Item | None, pred: Item | None) -> None:
    """Score one item pair; either side may be missing."""
    sc.scalar("item_titles", where, norm_text(gold.title) if gold else None, norm_text(pred.title) if pred else None)
    sc.sets(
        "case_numbers",
        where,
        _case_set(gold.case_numbers) if gold else [],
        _case_set(pred.case_numbers) if pred else [],
    )
    sc.scalar("closed", where, True if gold and gold.closed else None, True if pred and pred.closed else None)
    sc.scalar("category", where, norm_text(gold.category) if gold else None, norm_text(pred.category) if pred else None)
    g_dec = gold.decision if gold else None
    p_dec = pred.decision if pred else None
    s = sc.doc.fields["decision_text"]
    if g_dec is not None and p_dec is not None:
        f1 = token_f1(g_dec.text, p_dec.text)
        if f1 >= DECISION_MATCH:
            s.tp += 1
        else:
            s.fp += 1
            s.fn += 1
            sc.doc.differences.append(
                f"{where} decision_text: token F1 {f1:.2f}: expected {_short(g_dec.text)}, got {_short(p_dec.text)}"
            )
    elif g_dec is not None:
        s.fn += 1
        if pred is not None:
            sc.doc.differences.append(f"{where} decision_text: missing {_short(g_dec.text)}")
    elif p_dec is not None:
        s.fp += 1
        if gold is not None:
            sc.doc.differences.append(f"{where} decision_text: extra {_short(p_dec.text)}")
    if g_dec is not None or p_dec is not None:
        sc.scalar("decision_body", where, g_dec.body if g_dec else None, p_dec.body if p_dec else None)
        sc.scalar("decision_date", where, g_dec.date if g_dec else None, p_dec.date if p_dec else None)
    sc.sets(
        "attachments",
        where,
        [norm_text(a.title) for a in gold.attachments] if gold else [],
        [norm_text(a.title) for a in pred.attachments] if pred else [],
    )
    sc.text("item_text", where, gold.text if gold else None, pred.text if pred else None)
    sc.sets("pages", where, gold.pages if gold else [], pred.pages if pred else [])


def _by_number(items: Iterable[Item]) -> dict[int, Item]:
    out: dict[int, Item] = {}
    for item in items:
        out.setdefault(item.number, item)
    return out


def _meeting_values(sc: _Scorer, where: str, gold: Meeting | None, pred: Meeting | None) -> None:
    for name in ("body", "document_type", "date", "start_time", "end_time"):
        sc.scalar(name, where, getattr(gold, name) if gold else None, getattr(pred, name) if pred else None)
    for name in ("location", "municipality"):
        sc.scalar(
            name,
            where,
            norm_text(getattr(gold, name)) if gold else None,
            norm_text(getattr(pred, name)) if pred else None,
        )
    for name in ("participants", "absent"):
        sc.sets(
            name,
            where,
            [norm_text(p) for p in getattr(gold, name)] if gold else [],
            [norm_text(p) for p in getattr(pred, name)] if pred else [],
        )
    sc.sets(
        "case_numbers",
        where,
        _case_set(gold.case_numbers) if gold else [],
        _case_set(pred.case_numbers) if pred else [],
    )
    g_items = _by_number(gold.items) if gold else {}
    p_items = _by_number(pred.items) if pred else {}
    sc.sets("item_numbers", where, list(g_items), list(p_items))
    quiet = gold is None or pred is None  # a whole missing meeting is reported once
    for number in sorted(set(g_items) | set(p_items)):
        g, p = g_items.get(number), p_items.get(number)
        before = len(sc.doc.differences)
        _item_values(sc, f"{where} item {number}", g, p)
        if quiet or g is None or p is None:
            del sc.doc.differences[before:]


def compare(
    gold: DocumentRecord, predicted: DocumentRecord | None, path: str = "", error: str | None = None
) -> DocumentScore:
    """Score ``predicted`` against ``gold``; ``None`` (a failed parse) misses everything."""
    doc = DocumentScore(path=path or gold.source.path, error=error)
    sc = _Scorer(doc)
    sc.scalar("kind", "document", gold.kind, predicted.kind if predicted else None)
    if gold.kind == "other" or (predicted is not None and predicted.kind == "other"):
        sc.text(
            "document_text",
            "document",
            gold.text if gold.kind == "other" else None,
            predicted.text if predicted is not None and predicted.kind == "other" else None,
        )
    g_meetings = list(gold.meetings)
    p_meetings = list(predicted.meetings) if predicted else []
    for i in range(max(len(g_meetings), len(p_meetings))):
        g = g_meetings[i] if i < len(g_meetings) else None
        p = p_meetings[i] if i < len(p_meetings) else None
        where = f"meeting {i + 1}"
        if predicted is not None and g is None:
            doc.differences.append(f"{where}: extra meeting with {len(p.items) if p else 0} items")
        elif predicted is not None and p is None:
            doc.differences.append(f"{where}: missing meeting ({g.body if g else ''} {g.date if g else ''})")
        _meeting_values(sc, where, g, p)
        if g is not None and p is not None:
            _report_item_lists(doc, where, g, p)
    return doc


def _report_item_lists(doc: DocumentScore, where: str, gold: Meeting, pred: Meeting) -> None:
    g = {i.number: i.title for i in gold.items}
    p = {i.number: i.title for i in pred.items}
    for number in sorted(set(g) - set(p)):
        doc.differences.append(f"{where} item {number}: missing ({_short(g[number], 50)})")
    for number in sorted(set(p) - set(g)):
        doc.differences.append(f"{where} item {number}: extra ({_short(p[number], 50)})")


# ---------------------------------------------------------------------------
# A whole directory
# ---------------------------------------------------------------------------


def gold_files(directory: Path) -> list[Path]:
    """Every gold record under ``directory``, in a stable order."""
    return sorted(directory.rglob(f"*{GOLD_SUFFIX}"))


def load_gold(path: Path) -> DocumentRecord:
    try:
        return record_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a valid gold record ({e})") from e


Parser = Callable[[Path, str], DocumentRecord]


def _default_parser(path: Path, display: str) -> DocumentRecord:
    from parsers import parse_file

    return parse_file(path, display_path=display)


def evaluate(
    directory: str | Path,
    *,
    parser: Parser | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Parse every document in ``directory`` that has a gold record and score it.

    ``parser(path, display_path)`` defaults to ``parsers.parse_file``. Raises
    ``FileNotFoundError`` if the directory holds no gold records and
    ``ValueError`` for an unreadable gold record.
    """
    directory = Path(directory)
    golds = gold_files(directory)
    if not golds:
        raise FileNotFoundError(f"{directory}: no gold records (*{GOLD_SUFFIX}) found")
    parse = parser or _default_parser
    totals = {f: FieldScore() for f in FIELDS}
    documents: list[DocumentScore] = []
    for gold_path in golds:
        gold = load_gold(gold_path)
        doc_path = gold_path.with_name(gold_path.name[: -len(GOLD_SUFFIX)])
        display = doc_path.relative_to(directory).as_posix()
        predicted: DocumentRecord | None = None
        error: str | None = None
        if not doc_path.exists():
            error = "the document of this gold record is missing"
        else:
            try:
                predicted = parse(doc_path, display)
            except Exception as e:  # any parser failure is a scored miss, not a crash
                error = f"{type(e).__name__}: {e}"
        score = compare(gold, predicted, display, error)
        documents.append(score)
        for name, s in score.fields.items():
            totals[name].add(s)
        if progress is not None:
            progress(display)
    return EvalReport(fields=totals, documents=documents)


def report_json(report: EvalReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
