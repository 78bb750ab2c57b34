"""Case numbers: the forms of the ESDH systems and the false positives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.casenumbers import case_number_line, find_case_numbers, labelled_case_numbers, normalize_case_number


@pytest.mark.parametrize(
    ("text", "raw", "normalized"),
    [
        ("22/23184", "22/23184", "22/23184"),
        ("23/4324", "23/4324", "23/4324"),
        ("Sagsnr.: 20/057417-5", "20/057417-5", "20/057417"),
        ("Sagsnummer: 2023-012345", "2023-012345", "2023-012345"),
        ("J.nr. 00.01.00-A00-1-23", "00.01.00-A00-1-23", "00.01.00-A00-1-23"),
        ("Journalnr.: S2023-1234", "S2023-1234", "S2023-1234"),
        ("Sag: EMN-2025-01234", "EMN-2025-01234", "EMN-2025-01234"),
    ],
)
def test_forms(text: str, raw: str, normalized: str) -> None:
    numbers = case_number_line(text)
    assert numbers is not None
    assert [(n.raw, n.normalized) for n in numbers] == [(raw, normalized)]


@pytest.mark.parametrize(
    "text",
    ["11-09-2023", "2023-09-11", "d. 11/9-2023", "Side 2/3", "250.000 kr.", "2023-2024", "Tlf. 43 68 68 68", "11/2023"],
)
def test_false_positives(text: str) -> None:
    assert find_case_numbers(text) == []


def test_case_line_must_hold_only_case_numbers() -> None:
    assert case_number_line("Budget 2021 for 22/23184 og andet") is None
    assert case_number_line("Sagsbehandler: Jens Jensen") is None
    assert [n.raw for n in case_number_line("22/23184, 23/9850") or []] == ["22/23184", "23/9850"]


def test_labelled_letter_head() -> None:
    numbers = labelled_case_numbers("Sag: 20/063701-1")
    assert numbers is not None and numbers[0].normalized == "20/063701"
    assert labelled_case_numbers("Sagen drejer sig om 20/063701-1") is None


@given(st.integers(0, 99), st.integers(100, 9999999), st.one_of(st.none(), st.integers(1, 999)))
def test_suffix_normalization(year: int, serial: int, suffix: int | None) -> None:
    raw = f"{year:02d}/{serial:06d}" + (f"-{suffix}" if suffix is not None else "")
    found = find_case_numbers(f"Sagsnr. {raw}")
    assert [n.raw for n in found] == [raw]
    assert found[0].normalized == f"{year:02d}/{serial:06d}"
    assert normalize_case_number(found[0].normalized) == found[0].normalized


@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_case_number(text)
    assert normalize_case_number(once) == once
