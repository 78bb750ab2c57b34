"""Deciding bodies in their normalized definite form."""

from __future__ import annotations

import pytest

from parsers.bodies import find_body, find_municipality, normalize_body


@pytest.mark.parametrize(
    ("text", "body", "municipality"),
    [
        ("REFERAT Direktionen d. 11-09-2023", "Direktionen", None),
        ("Dagsorden til Aarhus Byråd", "Byrådet", "Aarhus Kommune"),
        ("Referat Byrådsmøde 10. marts 2021", "Byrådet", None),
        ("Rådmandsmøde (Rådmandsmøde)", "Rådmandsmødet", None),
        ("Emne: Social- og Beskæftigelsesudvalgsmøde", "Social- og Beskæftigelsesudvalget", None),
        ("Referat Børne- og Ungeudvalget", "Børne- og Ungeudvalget", None),
        ("Teknik- og Miljøudvalg", "Teknik- og Miljøudvalget", None),
        ("ØKONOMIUDVALGET", "Økonomiudvalget", None),
        ("Odder Kommunalbestyrelse", "Kommunalbestyrelsen", "Odder Kommune"),
        ("Kommunalbestyrelsesmøde", "Kommunalbestyrelsen", None),
        ("Mødesystemgruppen", "Mødesystemgruppen", None),
        ("Teknisk Udvalg", "Teknisk Udvalg", None),
        ("Regionsrådet", "Regionsrådet", None),
        ("Teknik og Miljøudvalget", "Teknik og Miljøudvalget", None),
        ("Direktionen og Økonomiudvalget", "Direktionen", None),
        ("Referat § 17, stk. 4-udvalget", "§ 17, stk. 4-udvalget", None),
        ("MED-udvalget", "MED-udvalget", None),
        ("FORRETNINGSUDVALGETS BESLUTNING", "Forretningsudvalget", None),
    ],
)
def test_bodies(text: str, body: str, municipality: str | None) -> None:
    assert find_body(text) == (body, municipality)


@pytest.mark.parametrize("text", ["Tværgående møder", "Rådgiver Hansen", "Budget 2021", "Rådhuset, lokale 390"])
def test_not_bodies(text: str) -> None:
    assert find_body(text)[0] is None


def test_normalize_is_idempotent() -> None:
    for name in ["Byråd", "Direktion", "Social- og Beskæftigelsesudvalg", "Handicapråd"]:
        once = normalize_body(name)
        assert normalize_body(once) == once


def test_municipality() -> None:
    assert find_municipality("Aarhus Kommune, Borgmesterens Afdeling") == "Aarhus Kommune"
    assert find_municipality("Region Hovedstaden") == "Region Hovedstaden"
    assert find_municipality("Referat kommune") is None
