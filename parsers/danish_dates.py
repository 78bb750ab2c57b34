"""Danish dates and clock times as printed in agendas and minutes.

    >>> parse_date("Mandag d. 11. september 2023 kl. 09:00")
    '2023-09-11'
    >>> parse_time_range("Mødetid: Kl. 14.30 – 16.00")
    ('14:30', '16:00')

Recognised date forms: "11. september 2023", "5. aug. 2020", "11-09-2023",
"11.09.2023", "11/9-2023", "d. 11/9 2023", "2023-09-11" (ISO) and two-digit
years ("11-09-23"). A weekday name and "d."/"den" in front are allowed.
Impossible dates (31-02-2020) are not dates. Times: "kl. 9", "kl. 09.00",
"09:00", ranges "13:00 - 15:00" and "Kl. 14.30 – 16.00".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTH_NAMES = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WORD_DATE_RE = re.compile(
    rf"(?<![\w.])(\d{{1,2}})\s*\.?\s*({_MONTH_ALT})(?![a-zæøå])\.?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_ISO_DATE_RE = re.compile(r"(?<![\d/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/-])")
_NUM_DATE_RE = re.compile(r"(?<![\d/.,-])(\d{1,2})\s?([-./])\s?(\d{1,2})\s?([-./ ])\s?(\d{4}|\d{2})(?![\d/,]|\.\d)")

_CLOCK = r"(\d{1,2})(?:[.:](\d{2}))?"
_KL_TIME_RE = re.compile(rf"\bkl\.?\s*{_CLOCK}(?!\d)", re.IGNORECASE)
_COLON_TIME_RE = re.compile(r"(?<![\d:.,])(\d{1,2}):(\d{2})(?![\d:])")
_RANGE_TAIL_RE = re.compile(
    rf"\s*(?:[-–—]|til)\s*(?:ca\.?\s*)?(?:kl\.?\s*)?(?:ca\.?\s*)?{_CLOCK}(?![\d/-])", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMatch:
    iso: str
    start: int
    end: int


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def find_dates(text: str) -> list[DateMatch]:
    """All valid dates in ``text``, in order of appearance (overlaps resolved left to right)."""
    found: list[DateMatch] = []
    for m in _WORD_DATE_RE.finditer(text):
        iso = _valid(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append(DateMatch(iso, m.start(), m.end()))
    for m in _ISO_DATE_RE.finditer(text):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append(DateMatch(iso, m.start(), m.end()))
    for m in _NUM_DATE_RE.finditer(text):
        sep1, sep2, year = m.group(2), m.group(4), m.group(5)
        if sep2 == " " and sep1 != "/":
            continue  # "11.9 2023" is too loose; "11/9 2023" is a known form
        if len(year) == 2 and sep1 != sep2:
            continue
        iso = _valid(_year(year), int(m.group(3)), int(m.group(1)))
        if iso:
            found.append(DateMatch(iso, m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    result: list[DateMatch] = []
    for d in found:
        if result and d.start < result[-1].end:
            continue
        result.append(d)
    return result


def parse_date(text: str) -> str | None:
    """The first valid date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    dates = find_dates(text)
    return dates[0].iso if dates else None


def format_date(iso: str) -> str:
    """ISO date in the long Danish form, e.g. "11. september 2023"."""
    d = dt.date.fromisoformat(iso)
    return f"{d.day}. {MONTH_NAMES[d.month - 1]} {d.year}"


def _hhmm(hour: str, minute: str | None) -> str | None:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h % 24:02d}:{m:02d}"


def _blank_dates(text: str) -> str:
    """``text`` with every date replaced by spaces, so date digits never read as times."""
    chars = list(text)
    for d in find_dates(text):
        chars[d.start : d.end] = " " * (d.end - d.start)
    return "".join(chars)


def parse_time_range(text: str) -> tuple[str | None, str | None]:
    """Start and end time ("HH:MM") stated in ``text``; (None, None) when none is."""
    clean = _blank_dates(text)
    candidates: list[tuple[int, int, str | None]] = []
    for m in _KL_TIME_RE.finditer(clean):
        candidates.append((m.start(), m.end(), _hhmm(m.group(1), m.group(2))))
    for m in _COLON_TIME_RE.finditer(clean):
        candidates.append((m.start(), m.end(), _hhmm(m.group(1), m.group(2))))
    candidates = [c for c in candidates if c[2]]
    if not candidates:
        return None, None
    candidates.sort()
    start_pos, end_pos, start = candidates[0]
    tail = _RANGE_TAIL_RE.match(clean, end_pos)
    end = _hhmm(tail.group(1), tail.group(2)) if tail else None
    if end is None:
        later = [c for c in candidates[1:] if c[0] >= end_pos]
        if later and clean[end_pos : later[0][0]].strip() in ("", "-", "–", "—", "til", "og"):
            end = later[0][2]
    return start, end
