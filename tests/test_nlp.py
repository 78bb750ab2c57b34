"""Entities in item text, by the fast scan and through the spaCy pipeline."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from parsers.nlp import (
    Entity,
    entities_from_doc,
    extract_entities,
    get_nlp,
    law_name,
    parse_amount,
    pipeline_name,
    resolve_overlaps,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

TEXT = (
    "Direktionen godkendte at udbyde pulje på 250.000 kr., som arbejdspladser kan ansøge. "
    "De resterende 100.000 kr afventer. Rammen er 1,2 mio. kr. Sag 22/23184 og 20/057417-5 "
    "behandlet d. 11-09-2023. Borger 010190-1234, tlf. 43 68 68 68, jens@aarhus.dk. "
    "Jf. § 17, stk. 4 i styrelsesloven og offentlighedsloven."
)


def entities(text: str) -> list[tuple[str, str, object]]:
    return [(e.label, e.text, e.value) for e in extract_entities(text)]


def test_all_types() -> None:
    assert entities(TEXT) == [
        ("AMOUNT", "250.000 kr.", 250000.0),
        ("AMOUNT", "100.000 kr", 100000.0),
        ("AMOUNT", "1,2 mio. kr.", 1200000.0),
        ("CASE_NUMBER", "22/23184", "22/23184"),
        ("CASE_NUMBER", "20/057417-5", "20/057417"),
        ("DATE", "11-09-2023", "2023-09-11"),
        ("CPR", "010190-1234", "1990-01-01"),
        ("PHONE", "43 68 68 68", "43686868"),
        ("EMAIL", "jens@aarhus.dk", "jens@aarhus.dk"),
        ("LAW_REF", "§ 17, stk. 4 i styrelsesloven", "§ 17, stk. 4 styrelsesloven"),
        ("LAW_REF", "offentlighedsloven", "offentlighedsloven"),
    ]
    for e in extract_entities(TEXT):
        assert TEXT[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("38.000 kr", 38000.0),
        ("kr. 5.000", 5000.0),
        ("1.250.000,50 kr.", 1250000.5),
        ("250 t.kr.", 250000.0),
        ("2,5 mia. kr.", 2.5e9),
        ("3 mio.kr.", 3e6),
        ("500 kroner", 500.0),
        ("DKK 1,2 mio.", 1.2e6),
    ],
)
def test_amount_forms(text: str, value: float) -> None:
    found = extract_entities(f"Beløbet er {text} i alt")
    assert [(e.label, e.value) for e in found] == [("AMOUNT", value)]


def test_parse_amount() -> None:
    assert parse_amount("1.250.000,50") == 1250000.5
    assert parse_amount("1,2", "mio") == 1200000.0


@pytest.mark.parametrize(
    ("text", "value", "law"),
    [
        ("offentlighedslovens § 30, nr. 1", "§ 30, nr. 1 offentlighedsloven", "offentlighedsloven"),
        ("efter §§ 3 og 4", "§§ 3 og 4", None),
        ("lov om kommunernes styrelse og andet", "lov om kommunernes styrelse", "lov om kommunernes styrelse"),
        ("serviceloven § 85", "§ 85 serviceloven", "serviceloven"),
    ],
)
def test_law_refs(text: str, value: str, law: str | None) -> None:
    found = [e for e in extract_entities(text) if e.label == "LAW_REF"]
    assert [e.value for e in found] == [value]
    assert law_name(found[0]) == law


def test_words_ending_in_lov_are_not_references() -> None:
    assert entities("Hun har barselsorlov og ferielov.") == []


def test_spacy_pipeline_gives_the_same_entities() -> None:
    nlp = get_nlp()
    assert "moedearkiv_entities" in nlp.pipe_names
    assert pipeline_name()
    doc = nlp(TEXT)
    from_doc = [(e.label, e.text, e.value) for e in entities_from_doc(doc)]
    assert from_doc == entities(TEXT)


def test_seed_minutes() -> None:
    seed = SEEDS / "direktionen-referat-2023-09-11.md"
    if not seed.exists():
        pytest.skip("shared seeds not available")
    found = extract_entities(seed.read_text(encoding="utf-8"))
    amounts = [e.value for e in found if e.label == "AMOUNT"]
    assert amounts[:3] == [250000.0, 100000.0, 250000.0]
    assert 38000.0 in amounts
    assert {e.value for e in found if e.label == "CASE_NUMBER"} == {"22/23184", "23/4324", "23/9850", "23/3751"}
    assert not [e for e in found if e.label in ("CPR", "PHONE")]


def test_scan_is_fast_enough_for_indexing() -> None:
    paragraphs = [TEXT] * 2000
    start = time.perf_counter()
    for p in paragraphs:
        extract_entities(p)
    rate = len(paragraphs) / (time.perf_counter() - start)
    assert rate > 1000, f"{rate:.0f} paragraphs/s"


def test_text_facts_for_facets() -> None:
    from parsers.nlp import text_facts

    facts = text_facts(
        "Økonomiudvalget bevilgede 1,2 mio. kr. og kr. 5.000 jf. styrelseslovens § 17, stk. 4 "
        "og § 17, stk. 4 i styrelsesloven samt offentlighedsloven."
    )
    assert facts.amounts == (1200000.0, 5000.0)
    assert facts.law_refs == ("§ 17, stk. 4 styrelsesloven", "offentlighedsloven")
    assert facts.laws == ("styrelsesloven", "offentlighedsloven")
    assert text_facts("Intet her.") == type(facts)((), (), ())


def _reference_overlaps(ordered: list[Entity]) -> list[Entity]:
    """The simple quadratic rule: keep an entity when it overlaps no entity kept before it."""
    kept: list[Entity] = []
    for e in ordered:
        if not any(e.start < k.end and k.start < e.end for k in kept):
            kept.append(e)
    return kept


def test_linear_overlap_resolution_equals_the_simple_rule_on_random_spans() -> None:
    rng = random.Random(8)
    for _ in range(500):
        length = rng.randint(1, 120)
        spans = []
        for _ in range(rng.randint(0, 40)):
            start = rng.randrange(length)
            end = rng.randint(start + 1, min(length, start + rng.choice((1, 3, 10, 60))))
            spans.append(Entity(rng.choice(("AMOUNT", "DATE", "CPR")), "x", start, end))
        assert resolve_overlaps(spans, length) == _reference_overlaps(spans)
