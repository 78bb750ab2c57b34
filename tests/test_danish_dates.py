"""Danish dates and times as printed in agendas and minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.danish_dates import find_dates, format_date, parse_date, parse_time_range


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Mandag d. 11. september 2023 kl. 09:00", "2023-09-11"),
        ("04-08-2020 08:30", "2020-08-04"),
        ("5. august 2020", "2020-08-05"),
        ("5. aug. 2020", "2020-08-05"),
        ("11.09.2023", "2023-09-11"),
        ("d. 11/9-2023", "2023-09-11"),
        ("Onsdag den 1. oktober 2025 kl. 15.00", "2025-10-01"),
        ("Beslutning Direktionen den 11-09-2023", "2023-09-11"),
        ("Beslutning i Byrådet den 10. marts 2021", "2021-03-10"),
        ("heldagsmøde den 11. september2023", "2023-09-11"),
        ("2023-09-11", "2023-09-11"),
        ("11-09-23", "2023-09-11"),
        ("28. juli 2020 / Side 2 af 3", "2020-07-28"),
    ],
)
def test_date_forms(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["31-02-2020", "30. februar 2021", "1.250.000,50", "Tlf. 43 68 68 68", "Side 2/3", ""])
def test_not_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("Mandag d. 11. september 2023 kl. 09:00", ("09:00", None)),
        ("04-08-2020 08:30", ("08:30", None)),
        ("Mødetid: Kl. 14.30 – 16.00", ("14:30", "16:00")),
        ("Tid: 13:00 - 15:00", ("13:00", "15:00")),
        ("Onsdag den 1. oktober 2025 kl. 15.00", ("15:00", None)),
        ("kl. 9 til 12", ("09:00", "12:00")),
        ("Mødetid: kl. 16.00 – ca. 18.30", ("16:00", "18:30")),
        ("fra kl. 10.00 til kl. 12.00", ("10:00", "12:00")),
        ("11.09.2023", (None, None)),
        ("Budget 2021", (None, None)),
    ],
)
def test_time_ranges(text: str, times: tuple[str | None, str | None]) -> None:
    assert parse_time_range(text) == times


def test_two_dates_in_order() -> None:
    found = find_dates("fra 1. marts 2021 til 31-03-2021")
    assert [d.iso for d in found] == ["2021-03-01", "2021-03-31"]


dates = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2069, 12, 31))


@given(dates)
def test_long_form_round_trip(d: dt.date) -> None:
    assert parse_date(format_date(d.isoformat())) == d.isoformat()


@given(dates, st.sampled_from(["{d:02d}-{m:02d}-{y}", "{d}.{m}.{y}", "{d}/{m}-{y}", "d. {d}/{m} {y}"]))
def test_numeric_round_trip(d: dt.date, pattern: str) -> None:
    text = pattern.format(d=d.day, m=d.month, y=d.year)
    assert parse_date(text) == d.isoformat()


@given(st.text(max_size=60))
def test_parse_is_idempotent_and_safe(text: str) -> None:
    iso = parse_date(text)
    if iso is not None:
        assert parse_date(iso) == iso
    parse_time_range(text)
