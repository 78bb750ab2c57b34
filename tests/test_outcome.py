"""Decision outcome classification and vote parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.outcome import LABELS, OutcomeResult, VoteGroup, classify_outcome, parse_votes

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Godkendt.", "godkendt"),
        ("Indstillingen blev godkendt.", "godkendt"),
        ("Godkendt som indstillet.", "godkendt"),
        ("Indstillingen tiltrådt.", "godkendt"),
        ("Direktionen godkendte indstillingen og bevilligede 38.000 kr. til opstartworkshop.", "godkendt"),
        ("Anbefales over for Byrådet.", "anbefalet"),
        ("Økonomiudvalget anbefaler indstillingen over for Byrådet.", "anbefalet"),
        ("Anbefalet og oversendt til Byrådet.", "anbefalet"),
        ("Taget til efterretning.", "taget til efterretning"),
        ("Direktionen tog drøftelsen til efterretning.", "taget til efterretning"),
        ("Orienteringen blev taget til efterretning.", "taget til efterretning"),
        ("Udsat.", "udsat"),
        ("Sagen blev udsat til næste møde.", "udsat"),
        ("Udvalget besluttede at udsætte sagen.", "udsat"),
        ("Indstillingen blev afvist.", "afvist"),
        ("Udvalget kunne ikke tiltræde indstillingen.", "afvist"),
        ("Indstillingen godkendes ikke.", "afvist"),
        ("Oversendt til Byrådet uden anbefaling.", "oversendt"),
        ("Sagen oversendes til Teknik- og Miljøudvalget.", "oversendt"),
        ("Drøftet.", "drøftet"),
        ("Udvalget drøftede sagen. Forvaltningen arbejder videre med de faldne bemærkninger.", "drøftet"),
        ("Udvalget drøftede sagen og godkendte indstillingen.", "godkendt"),
        ("Intet til referat.", "other"),
        ("", "other"),
    ],
)
def test_classify(text: str, label: str) -> None:
    result = classify_outcome(text)
    assert result.label == label, result
    assert result.label in LABELS


def test_rule_is_kept_for_inspection() -> None:
    assert classify_outcome("Indstillingen godkendes ikke.") == OutcomeResult("afvist", "godkendes-ikke")
    assert classify_outcome("Tiltrådt.") == OutcomeResult("godkendt", "tiltraadt")
    assert classify_outcome("Ingenting.") == OutcomeResult("other", "no-match")


def test_mixed_decision_uses_first_outcome() -> None:
    # the seed's item 2: approval first, a later discussion mentioned in passing
    text = (
        "Direktionen godkendte at udbyde pulje på 250.000 kr., som arbejdspladser kan ansøge. "
        "De resterende 100.000 kr. afventer en drøftelse og sag i direktionen."
    )
    assert classify_outcome(text).label == "godkendt"


def test_seed_decisions() -> None:
    seed = SEEDS / "direktionen-referat-2023-09-11.md"
    if not seed.exists():
        pytest.skip("shared seeds not available")
    lines = seed.read_text(encoding="utf-8").splitlines()
    decisions = [
        next(line for line in lines[i + 1 :] if line.strip())
        for i, line in enumerate(lines)
        if line.lstrip("# *").startswith("Beslutning")
    ]
    labels = [classify_outcome(d).label for d in decisions]
    assert labels == ["godkendt", "taget til efterretning", "godkendt", "taget til efterretning"]


def test_votes_full() -> None:
    text = (
        "Indstillingen blev sat til afstemning.\n"
        "For stemte: A, V (12)\n"
        "Imod stemte: O (3)\n"
        "Undlod at stemme: F\n"
        "Indstillingen blev godkendt."
    )
    votes = parse_votes(text)
    assert votes is not None
    assert votes.in_favour == VoteGroup(("A", "V"), 12)
    assert votes.against == VoteGroup(("O",), 3)
    assert votes.abstained == VoteGroup(("F",), None)
    assert votes.by_party() == {"A": "for", "V": "for", "O": "imod", "F": "undlod"}
    assert votes.counts() == {"for": 12, "imod": 3, "undlod": None}


def test_votes_other_wordings() -> None:
    votes = parse_votes("A, V og Ø (15) stemte for. O stemte imod.")
    assert votes is not None
    assert votes.in_favour == VoteGroup(("A", "V", "Ø"), 15)
    assert votes.against == VoteGroup(("O",), None)
    tally = parse_votes("Afstemning: 12 for, 3 imod, 1 undlod.")
    assert tally is not None and tally.counts() == {"for": 12, "imod": 3, "undlod": 1}


@pytest.mark.parametrize(
    "text",
    ["Godkendt.", "For stemte Alle medlemmer", "Udvalget stemte om sagen.", "Forslaget A blev drøftet."],
)
def test_no_votes(text: str) -> None:
    assert parse_votes(text) is None
