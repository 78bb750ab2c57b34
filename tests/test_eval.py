"""`parsers.evaluation` and `arkiv eval`: gold against gold scores 1.0, perturbations cost where expected."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from parsers.evaluation import FIELDS, compare, evaluate, token_f1
from parsers.records import Decision, DocumentRecord, Item, Meeting, Section
from parsers.serialize import record_from_json
from search_cli.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
GOLDS = sorted(SAMPLE.rglob("*.gold.json"))


def _load(path: Path) -> DocumentRecord:
    return record_from_json(path.read_text(encoding="utf-8"))


def _referat() -> DocumentRecord:
    """A referat with at least three open items with decisions and attachments somewhere."""
    for path in GOLDS:
        record = _load(path)
        if record.kind != "meeting" or len(record.meetings) != 1:
            continue
        items = record.meetings[0].items
        if sum(1 for i in items if i.decision and i.sections) >= 3 and any(i.attachments for i in items):
            return record
    raise AssertionError("the sample has no suitable referat")


def _with_meeting(record: DocumentRecord, **changes) -> DocumentRecord:
    meeting = dataclasses.replace(record.meetings[0], **changes)
    return dataclasses.replace(record, meetings=(meeting, *record.meetings[1:]))


def _with_items(record: DocumentRecord, items: tuple[Item, ...]) -> DocumentRecord:
    return _with_meeting(record, items=items)


def _f1(score, name: str) -> float:
    return score.fields[name].f1


def test_gold_against_itself_scores_one_for_every_sample_record():
    for path in GOLDS:
        record = _load(path)
        score = compare(record, record)
        assert score.score == 1.0, (path, score.differences)
        assert not score.differences


def test_wrong_date_costs_only_the_date():
    gold = _referat()
    score = compare(gold, _with_meeting(gold, date="1999-01-01"))
    assert _f1(score, "date") == 0.0
    assert all(_f1(score, f) == 1.0 for f in FIELDS if f != "date")
    assert any("date" in d and "1999-01-01" in d for d in score.differences)


def test_missing_item_costs_recall_not_precision():
    gold = _referat()
    items = gold.meetings[0].items
    score = compare(gold, _with_items(gold, items[:-1]))
    numbers = score.fields["item_numbers"]
    assert numbers.precision == 1.0 and numbers.recall == pytest.approx((len(items) - 1) / len(items))
    assert score.fields["item_text"].precision == 1.0
    assert score.fields["item_text"].recall < 1.0 or not items[-1].text
    assert any("missing" in d for d in score.differences)


def test_extra_item_costs_precision():
    gold = _referat()
    extra = Item(number=99, title="Godkendelse af dagsorden", sections=(Section(None, "Dagsordenen blev godkendt."),))
    score = compare(gold, _with_items(gold, (*gold.meetings[0].items, extra)))
    assert score.fields["item_numbers"].recall == 1.0
    assert score.fields["item_numbers"].precision < 1.0
    assert score.fields["item_text"].precision < 1.0


def test_text_given_to_the_wrong_item_costs_precision_and_recall():
    gold = _referat()
    items = list(gold.meetings[0].items)
    k = next(i for i, it in enumerate(items[:-1]) if it.sections and items[i + 1].sections)
    moved = items[k + 1].sections[-1]
    items[k] = dataclasses.replace(items[k], sections=(*items[k].sections, moved))
    items[k + 1] = dataclasses.replace(items[k + 1], sections=items[k + 1].sections[:-1])
    score = compare(gold, _with_items(gold, tuple(items)))
    text = score.fields["item_text"]
    assert text.precision < 1.0 and text.recall < 1.0
    assert _f1(score, "item_titles") == 1.0


def test_decision_text_matches_at_token_f1_of_0_9():
    base = _referat()
    items = list(base.meetings[0].items)
    k = next(i for i, it in enumerate(items) if it.decision)
    decision = items[k].decision
    assert decision is not None
    long_text = (
        "Direktionen godkendte at udbyde pulje på 250.000 kr., som arbejdspladser kan ansøge. De resterende "
        "100.000 kr. afventer en drøftelse."
    )
    items[k] = dataclasses.replace(items[k], decision=dataclasses.replace(decision, text=long_text))
    gold = _with_items(base, tuple(items))
    nearly = long_text + " Bemærk."  # one extra word
    assert token_f1(long_text, nearly) >= 0.9
    items[k] = dataclasses.replace(items[k], decision=dataclasses.replace(decision, text=nearly))
    assert _f1(compare(gold, _with_items(gold, tuple(items))), "decision_text") == 1.0

    items[k] = dataclasses.replace(items[k], decision=Decision("Udsat.", decision.body, decision.date))
    score = compare(gold, _with_items(gold, tuple(items)))
    assert _f1(score, "decision_text") < 1.0
    assert _f1(score, "decision_body") == 1.0


def test_decision_body_and_date_are_scored():
    gold = _referat()
    items = tuple(
        dataclasses.replace(i, decision=dataclasses.replace(i.decision, body="Byrådet", date=None)) if i.decision else i
        for i in gold.meetings[0].items
    )
    score = compare(gold, _with_items(gold, items))
    assert _f1(score, "decision_date") == 0.0
    assert score.fields["decision_body"].f1 < 1.0 or gold.meetings[0].body == "Byrådet"
    assert _f1(score, "decision_text") == 1.0


def test_case_numbers_are_compared_normalized():
    gold = _referat()
    items = list(gold.meetings[0].items)
    k = next(i for i, it in enumerate(items) if it.case_numbers)
    case = items[k].case_numbers[0]
    other_raw = dataclasses.replace(case, raw=case.raw + " (kopi)")
    items[k] = dataclasses.replace(items[k], case_numbers=(other_raw,))
    assert _f1(compare(gold, _with_items(gold, tuple(items))), "case_numbers") == 1.0
    items[k] = dataclasses.replace(items[k], case_numbers=(dataclasses.replace(case, normalized="99/99999"),))
    assert _f1(compare(gold, _with_items(gold, tuple(items))), "case_numbers") < 1.0


def test_pages_attachments_and_closed():
    gold = _referat()
    items = tuple(
        dataclasses.replace(i, pages=tuple(p + 1 for p in i.pages), attachments=(), closed=not i.closed)
        for i in gold.meetings[0].items
    )
    score = compare(gold, _with_items(gold, items))
    assert _f1(score, "pages") < 1.0
    assert score.fields["attachments"].recall == 0.0
    assert _f1(score, "closed") == 0.0


def test_kind_other_text_is_scored_by_tokens():
    other = next(r for r in map(_load, GOLDS) if r.kind == "other")
    half = " ".join(other.text.split()[: len(other.text.split()) // 2])
    score = compare(other, dataclasses.replace(other, text=half))
    assert score.fields["document_text"].precision == 1.0
    assert score.fields["document_text"].recall == pytest.approx(0.5, abs=0.1)
    as_meeting = compare(
        other,
        DocumentRecord(
            source=other.source, kind="meeting", meetings=(Meeting(body=None, document_type="dagsorden", date=None),)
        ),
    )
    assert _f1(as_meeting, "kind") == 0.0


def test_failed_parse_misses_everything():
    gold = _referat()
    score = compare(gold, None, error="CorruptFile: broken")
    assert score.error == "CorruptFile: broken"
    assert score.score == 0.0
    assert all(s.tp == 0 and s.fp == 0 for s in score.fields.values())


def test_evaluate_directory_with_a_given_parser(tmp_path):
    for path in GOLDS[:6]:
        doc = path.with_name(path.name.removesuffix(".gold.json"))
        target = tmp_path / doc.relative_to(SAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(doc, target)
        shutil.copy(path, target.with_name(target.name + ".gold.json"))
    broken = sorted(tmp_path.rglob("*.gold.json"))[0]

    def from_gold(path: Path, display: str) -> DocumentRecord:
        if path.name + ".gold.json" == broken.name:
            raise ValueError("cannot read this one")
        return _load(path.with_name(path.name + ".gold.json"))

    report = evaluate(tmp_path, parser=from_gold)
    assert len(report.documents) == 6
    assert [d.path for d in report.failures] == [broken.relative_to(tmp_path).as_posix().removesuffix(".gold.json")]
    assert 0.0 < report.overall < 1.0
    assert report.worst(1)[0].error is not None
    data = report.to_dict()
    assert data["failures"][0]["error"] == "ValueError: cannot read this one"


def test_evaluate_empty_directory_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        evaluate(tmp_path)


def test_eval_command_table_json_and_min_score(tmp_path):
    gold = GOLDS[0]
    # a gold record whose document is missing: a scored failure, whatever the parser does
    shutil.copy(gold, tmp_path / gold.name)
    runner = CliRunner()
    result = runner.invoke(cli, ["eval", str(tmp_path), "--min-score", "0.5", "--verbose", "-q"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].split() == ["field", "precision", "recall", "f1", "gold", "parsed"]
    assert "overall" in result.stdout and "0.000" in result.stdout
    assert "Worst documents" in result.stdout
    assert "1 of 1 documents failed to parse" in result.stderr
    assert "below --min-score 0.5" in result.stderr
    assert "Traceback" not in result.output

    result = runner.invoke(cli, ["eval", str(tmp_path), "--json", "-q"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["overall"] == 0.0 and data["failures"][0]["error"].startswith("the document")

    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["eval", str(empty)])
    assert result.exit_code == 1
    assert "no gold records" in result.stderr and "arkiv generate-corpus" in result.stderr


def test_eval_command_names_an_unreadable_gold_record(tmp_path):
    (tmp_path / "broken.pdf.gold.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(tmp_path), "-q"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "broken.pdf.gold.json: not a valid gold record" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
