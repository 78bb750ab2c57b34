"""Accuracy of outcome classification, vote parsing and entity detection on a gold set.

The gold set (``corpus/nlp_gold.jsonl``) has one JSON object per line with
``id``, ``task`` and ``text``, and by task:

* ``"outcome"``: ``outcome``, the expected label (see ``parsers.outcome.LABELS``);
* ``"entities"``: ``entities``, *every* entity of the seven types in the
  text as ``{label, text, value}``; an empty list means the text holds none
  (the tricky negatives: phone numbers, case numbers, impossible dates);
* ``"votes"``: ``votes``, ``{"for"|"imod"|"undlod": [parties, count] | null}``
  or null when the text states no vote.

Entities are matched on (label, text); a matched entity's value is scored
separately. The target is F1 >= 0.95 for every outcome label and every
entity type with gold support, and no missed CPR number.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.evaluation import FieldScore as Score
from parsers.nlp import ENTITY_LABELS, extract_entities
from parsers.outcome import LABELS, classify_outcome, parse_votes

TARGET_F1 = 0.95


class GoldSetError(ValueError):
    """The gold file is missing or a line is malformed; the message names the line."""


@dataclass(frozen=True)
class Miss:
    id: str
    expected: str
    got: str
    detail: str = ""


@dataclass
class NlpReport:
    outcomes: dict[str, Score] = field(default_factory=dict)
    entities: dict[str, Score] = field(default_factory=dict)
    values: dict[str, tuple[int, int]] = field(default_factory=dict)  # label -> (correct, matched)
    votes: tuple[int, int] = (0, 0)  # (correct, total)
    cpr_missed: list[str] = field(default_factory=list)  # gold line ids
    cpr_false: list[str] = field(default_factory=list)
    errors: list[Miss] = field(default_factory=list)
    lines: int = 0

    def failures(self) -> list[str]:
        """What misses the target, one phrase each; empty when on target."""
        bad = [f"outcome {k} F1 {s.f1:.3f}" for k, s in self.outcomes.items() if s.gold and s.f1 < TARGET_F1]
        bad += [f"entity {k} F1 {s.f1:.3f}" for k, s in self.entities.items() if s.gold and s.f1 < TARGET_F1]
        if self.cpr_missed:
            bad.append(f"{len(self.cpr_missed)} missed CPR number(s)")
        return bad


def load_gold(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise GoldSetError(f"{path}: cannot read gold set ({e.strerror or e})") from e
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldSetError(f"{path}:{n}: not JSON ({e.msg})") from e
        if not isinstance(row, dict) or row.get("task") not in ("outcome", "entities", "votes") or "text" not in row:
            raise GoldSetError(f"{path}:{n}: needs task outcome/entities/votes and text")
        if row["task"] == "outcome" and row.get("outcome") not in LABELS:
            raise GoldSetError(f"{path}:{n}: unknown outcome {row.get('outcome')!r}")
        rows.append(row)
    return rows


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 0.005
    return a == b


def _votes_dict(text: str) -> dict[str, Any] | None:
    votes = parse_votes(text)
    if votes is None:
        return None
    out: dict[str, Any] = {}
    for name, group in (("for", votes.in_favour), ("imod", votes.against), ("undlod", votes.abstained)):
        out[name] = [list(group.parties), group.count] if group else None
    return out


def evaluate_nlp(rows: Iterable[dict[str, Any]]) -> NlpReport:
    report = NlpReport()
    outcome_counts: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    entity_counts: dict[str, Counter[str]] = {label: Counter() for label in ENTITY_LABELS}
    value_counts: dict[str, Counter[str]] = {label: Counter() for label in ENTITY_LABELS}
    votes_ok = votes_total = 0
    for row in rows:
        report.lines += 1
        rid, text = str(row.get("id", report.lines)), row["text"]
        if row["task"] == "outcome":
            gold, got = row["outcome"], classify_outcome(text)
            if got.label == gold:
                outcome_counts[gold]["tp"] += 1
            else:
                outcome_counts[gold]["fn"] += 1
                outcome_counts[got.label]["fp"] += 1
                report.errors.append(Miss(rid, gold, got.label, got.rule))
        elif row["task"] == "votes":
            votes_total += 1
            got_votes = _votes_dict(text)
            if got_votes == row["votes"]:
                votes_ok += 1
            else:
                report.errors.append(Miss(rid, json.dumps(row["votes"]), json.dumps(got_votes, ensure_ascii=False)))
        else:
            found = extract_entities(text)
            pending = list(found)
            for g in row["entities"]:
                match = next((e for e in pending if e.label == g["label"] and e.text == g["text"]), None)
                if match is None:
                    entity_counts[g["label"]]["fn"] += 1
                    report.errors.append(Miss(rid, f"{g['label']} {g['text']}", "-"))
                    if g["label"] == "CPR":
                        report.cpr_missed.append(rid)
                    continue
                pending.remove(match)
                entity_counts[g["label"]]["tp"] += 1
                value_counts[g["label"]]["matched"] += 1
                if _same_value(match.value, g.get("value")):
                    value_counts[g["label"]]["correct"] += 1
                else:
                    report.errors.append(Miss(rid, f"{g['label']} value {g.get('value')!r}", repr(match.value)))
            for e in pending:
                entity_counts[e.label]["fp"] += 1
                report.errors.append(Miss(rid, "-", f"{e.label} {e.text}"))
                if e.label == "CPR":
                    report.cpr_false.append(rid)
    report.outcomes = {k: Score(c["tp"], c["fp"], c["fn"]) for k, c in outcome_counts.items()}
    report.entities = {k: Score(c["tp"], c["fp"], c["fn"]) for k, c in entity_counts.items()}
    report.values = {k: (c["correct"], c["matched"]) for k, c in value_counts.items()}
    report.votes = (votes_ok, votes_total)
    return report
