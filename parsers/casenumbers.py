"""Case numbers (sagsnumre / journalnumre) as printed by Danish ESDH systems.

Forms: ``22/23184`` and ``20/057417-5`` (SBSYS/eDoc: year/serial, optional
document suffix), ``2023-012345`` (year-serial), KLE-style
``00.01.00-A00-1-23``, ``S2023-1234`` and ``EMN-2025-01234`` (FirstAgenda/
Acadre prefixes). ``normalized`` drops only a trailing ``-N`` of the
``YY/NNNNN-N`` form; every other form is kept as printed.

False positives that are rejected: dates (11-09-2023, 2023-09-11, 11/9-2023),
page numbers "2/3", amounts "250.000", phone numbers and year ranges "2023-2024".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parsers.records import CaseNumber

_PATTERNS = (
    r"\d{2}\.\d{2}\.\d{2}-[A-ZÆØÅ]\d{2}-\d{1,4}-\d{2}",  # KLE 00.01.00-A00-1-23
    r"[A-ZÆØÅ]{2,5}-(?:19|20)\d{2}-\d{3,7}",  # EMN-2025-01234
    r"[A-Z](?:19|20)\d{2}-\d{2,7}",  # S2023-1234
    r"\d{2}/\d{3,7}(?:-\d{1,4})?",  # 22/23184, 20/057417-5
    r"(?:19|20)\d{2}-(?:\d{5,8}|0\d{3})",  # 2023-012345
)
_CASE_RE = re.compile(r"(?<![\w/.,-])(" + "|".join(_PATTERNS) + r")(?![\w/]|[.,-]\d)")
_SUFFIX_RE = re.compile(r"^(\d{2}/\d+)-\d+$")
_LABEL_RE = re.compile(
    r"^\s*(?:sags?\s*\.?\s*nr|sagsnummer|sags\s*id|sag|j\s*\.?\s*nr|journal\s*nr|journalnummer|emne\s*nr)"
    r"(?![a-zæøå])\s*\.?\s*:?\s*",
    re.IGNORECASE,
)
_SERIAL_RE = re.compile(r"^\s*(\d{5,12}(?:-\d{1,4})?)\s*$")
_SEPARATORS_RE = re.compile(r"^[\s,;/&og]*$")
_DIGIT_RE = re.compile(r"\d")


def normalize_case_number(raw: str) -> str:
    """Drop a trailing ``-N`` document suffix from ``YY/NNNNN-N``; keep other forms."""
    raw = raw.strip()
    m = _SUFFIX_RE.match(raw)
    return m.group(1) if m else raw


def _plausible(raw: str) -> bool:
    if "/" in raw and "-" not in raw:
        head, tail = raw.split("/", 1)
        # "11/2023" is a month and a year, not a case
        if len(tail) == 4 and tail[:2] in ("19", "20") and 1 <= int(head) <= 12:
            return False
    return True


def iter_case_number_spans(text: str) -> Iterator[tuple[CaseNumber, int, int]]:
    """Every plausible case number in ``text`` with its start and end offsets, repeats included."""
    for m in _CASE_RE.finditer(text):
        raw = m.group(1)
        if _plausible(raw):
            yield CaseNumber(raw=raw, normalized=normalize_case_number(raw)), m.start(1), m.end(1)


def find_case_numbers(text: str) -> list[CaseNumber]:
    """Every case number in ``text``, in order, without duplicates."""
    seen: set[str] = set()
    result: list[CaseNumber] = []
    for number, _start, _end in iter_case_number_spans(text):
        if number.raw not in seen:
            seen.add(number.raw)
            result.append(number)
    return result


def case_number_line(text: str) -> list[CaseNumber] | None:
    """The case numbers of a line that holds nothing else (bare or after a label such as
    "Sagsnr.:"), else None."""
    label = _LABEL_RE.match(text)
    rest = text[label.end() :] if label else text
    if _DIGIT_RE.search(rest) is None:
        return None  # every case number and serial has digits: most lines of prose end here
    numbers = find_case_numbers(rest)
    if not numbers and label:
        serial = _SERIAL_RE.match(rest)
        if serial:  # after a label, a plain serial is a case number too ("Sagsnr.: 200906126")
            return [CaseNumber(raw=serial.group(1), normalized=serial.group(1))]
    if not numbers:
        return None
    leftover = _CASE_RE.sub(" ", rest)
    if not _SEPARATORS_RE.match(leftover.replace(" og ", " ")):
        return None
    return numbers


def labelled_case_numbers(text: str) -> list[CaseNumber] | None:
    """Case numbers after a label ("Sag: 20/063701-1", "J.nr. 2023-012345 (ref)"), else None."""
    label = _LABEL_RE.match(text)
    if not label:
        return None
    rest = text[label.end() :]
    numbers = find_case_numbers(rest)
    if not numbers or not rest.lstrip().startswith(numbers[0].raw):
        return case_number_line(text)
    return numbers
