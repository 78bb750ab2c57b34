"""Personal data in item text: CPR numbers, e-mail addresses, phone numbers, names.

Detection is regex only (no spaCy), so the index can call it for every item.
Each hit is a ``Finding`` with the character offsets into the text it was
found in and, when the caller knows it, the page.

CPR numbers
    ``ddmmyy-xxxx`` or ``ddmmyyxxxx``; the dash may be any printed dash
    (hyphen, non-breaking hyphen, figure/en/em dash, minus sign, soft hyphen,
    or the replacement mark a PDF shows for a dash it cannot map:
    ``CPR_DASHES``), with one space (ordinary, no-break or thin) on either
    side: "010190 – 1234". "_" counts as a separator, so CPR numbers in
    file names are found ("klage_010190-1234.pdf"). The six first digits must be a real
    date, with the century taken from the 7th digit (the CPR office's rules;
    29 February only in leap years). Not CPR numbers: phone numbers
    ("43 68 68 68", "+45 12345678"), case numbers ("22/23184",
    "20/057417-5"), KLE numbers, amounts ("1.250.000"), dates
    ("11-09-2023") and production-unit/EAN/account numbers when the label in
    front says so ("P-nr. 1003388394"). After a "CPR"/"personnummer" label a
    space (of any width) alone or a dash between two spaces on each side may
    separate the two parts ("CPR 010190 1234", "CPR 010190  –  1234").

Phone numbers
    Danish eight-digit numbers that start with 2-9: in pairs "43 68 68 68",
    after "+45"/"0045", or after a label (tlf., telefon, mobil, tel.) in any
    grouping ("tlf. 8940 2000", "telefon 89402000").

Names
    Only names the document itself marks as names: after "Sagsbehandler",
    "Kontaktperson", "Udarbejdet af", "Ansvarlig", "Mødedeltagere" and "v/"
    ("Kultur og Borgerservice v/ Anne Hansen"), plus any ``known_names`` the
    caller passes (a meeting's participants).
"""

from __future__ import annotations

import bisect
import calendar
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

FindingKind = Literal["cpr", "email", "phone", "name"]
KINDS: tuple[FindingKind, ...] = ("cpr", "email", "phone", "name")


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    value: str  # the text as found (a name: the name only, without its label)
    start: int  # offset into the searched text
    end: int
    page: int | None = None  # None: the caller did not give a page


@dataclass(frozen=True)
class Redaction:
    """One masked CPR number in a redacted text."""

    original: str
    replacement: str
    start: int  # offset into the original text
    end: int
    page: int | None = None


# ---------------------------------------------------------------------------
# CPR
# ---------------------------------------------------------------------------

_DIGIT_RE = re.compile(r"\d")
_CPR_LABEL = r"(?:cpr|cpr[-.]?nr|cpr-?nummer|personnummer|personnr)\.?\s*:?\s*"
# every dash a word processor or PDF may print between the two parts: hyphen-minus, hyphen, non-breaking
# hyphen, figure dash, en dash, em dash, minus sign, soft hyphen, small and full-width hyphen-minus, and
# what a PDF's text layer shows for a dash its font has no glyph for (replacement character, black square)
CPR_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212\u00ad\ufe63\uff0d\ufffd\u25a0"
# spaces that may stand around such a dash, one on each side: no-break, figure, thin, hair, narrow no-break
# (text extraction turns these into ordinary spaces, so one ordinary space is allowed too)
CPR_NARROW_SPACES = "\u00a0\u2007\u2009\u200a\u202f"
_DASHES_IN_CLASS = re.escape(CPR_DASHES)  # "-" escaped, so it never forms a range
_DASH = f"[{_DASHES_IN_CLASS}]"
# "_" separates like a space, so file names ("klage_010190-1234.pdf") are searched too
_CPR_RE = re.compile(
    rf"(?<![^\W_])(?<![/,+{_DASHES_IN_CLASS}])(?<!\d\.)(?P<date>\d{{6}})"
    rf"(?:(?P<dash>[ {CPR_NARROW_SPACES}]?{_DASH}[ {CPR_NARROW_SPACES}]?)"
    rf"|(?P<space>(?<=\d)(?: {{1,2}}{_DASH} {{1,2}}|[ {CPR_NARROW_SPACES}])(?=\d{{4}}(?![^\W_]))))?"
    rf"(?P<serial>\d{{4}})(?![^\W_]|/|[.,{_DASHES_IN_CLASS}]\d)"
)
_CPR_LABEL_BEFORE_RE = re.compile(_CPR_LABEL + r"$", re.IGNORECASE)
# labels of other ten-digit numbers
_NOT_CPR_LABEL_RE = re.compile(
    r"(?:p-?nr|p-?nummer|ean|ean-?nr|gln|konto|kontonr|reg\.?\s*nr|faktura\w*|ordre\w*|tlf|telefon|mobil)"
    r"\.?\s*:?\s*$",
    re.IGNORECASE,
)


def cpr_birth_date(digits: str) -> str | None:
    """The ISO birth date of a CPR number (10 digits, dash allowed), or None when invalid."""
    digits = "".join(c for c in digits if not (c.isspace() or c in CPR_DASHES))
    if len(digits) != 10 or not digits.isdigit():
        return None
    day, month, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    year = century + yy
    if not 1 <= month <= 12:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _find_cpr(text: str, *, spaced: bool = False) -> list[tuple[int, int]]:
    """The spans of CPR numbers in ``text``. Two parts with only a space between them ("010190 1234")
    count when a CPR label stands before them, or always with ``spaced`` (masking: a number that may be
    a CPR number is masked rather than let through; the personal-data flags need the label)."""
    spans = []
    for m in _CPR_RE.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        labelled = bool(_CPR_LABEL_BEFORE_RE.search(before))
        if m.group("space") and not labelled and not spaced:
            continue
        if not labelled and _NOT_CPR_LABEL_RE.search(before):
            continue
        if cpr_birth_date(m.group("date") + m.group("serial")) is None:
            continue
        spans.append((m.start(), m.end()))
    return spans


# ---------------------------------------------------------------------------
# E-mail and phone
# ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9ÆØÅæøå._%+-]+@[A-Za-z0-9ÆØÅæøå-]+(?:\.[A-Za-z0-9ÆØÅæøå-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_PHONE_LABEL = r"(?:tlf|telefon|telefonnr|telefonnummer|mobil|mob|mobilnr|tel|direkte|fax)\.?\s*(?:nr\.?)?\s*:?\s*"
_PHONE_RE = re.compile(
    r"(?<![\w/.,+-])(?:"
    rf"(?P<label>{_PHONE_LABEL})(?P<lnum>(?:\+45\s?|0045\s?)?[2-9]\d(?:\s?\d){{6}})"
    r"|(?P<intl>(?:\+45|0045)\s?[2-9]\d(?:\s?\d){6})"
    r"|(?P<pairs>[2-9]\d \d\d \d\d \d\d)"
    r")(?![\w/]|[.,-]\d|\s\d)",
    re.IGNORECASE,
)


def _find_phones(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _PHONE_RE.finditer(text):
        name = "lnum" if m.group("lnum") else "intl" if m.group("intl") else "pairs"
        after = text[m.end(name) : m.end(name) + 5].lower()
        if after.lstrip().startswith(("kr", "mio", "dkk")):
            continue
        spans.append((m.start(name), m.end(name)))
    return spans


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

_NAME_WORD = r"[A-ZÆØÅ][a-zæøåéü]+(?:-[A-ZÆØÅ][a-zæøåéü]+)?"
_NAME = rf"{_NAME_WORD}(?:[^\S\n]+(?:{_NAME_WORD}|[A-ZÆØÅ]\.))*[^\S\n]+{_NAME_WORD}"
_NAME_LABEL_RE = re.compile(
    r"(?:(?<![\w])(?:sagsbehandler|kontaktperson|udarbejdet af|ansvarlig|mødedeltagere|deltagere|referent)"
    r"[\s:*]*|(?<![\w/])v/\s*)",
    re.IGNORECASE,
)
_NAME_LIST_RE = re.compile(rf"{_NAME}(?:\s*\([^)]*\))?")
_LIST_SEP_RE = re.compile(r"\s*(?:,|;|\bog\b)\s*")
# capitalised words that start a sentence or name a role, not a person
_NOT_NAMES = frozenset(
    """Direktionen Byrådet Kommunalbestyrelsen Forvaltningen Udvalget Kommune Center Afdeling
    Borgerservice Sekretariat Kultur Teknik Miljø Social Beskæftigelse Økonomi Ingen Se Der Det
    Den Sagen Punktet""".split()
)


# Every label of ``_NAME_LABEL_RE`` holds one of these (lower case), so a text whose lower case holds none
# has no labelled name and is not scanned. Three letters match a label letter when the case is ignored but
# lower-case to another letter (or two); a text with any of them is scanned whatever its words
# (``tests/test_personal_data.py`` checks both against the pattern and every character).
NAME_LABEL_WORDS = ("sagsbehandler", "kontaktperson", "udarbejdet", "ansvarlig", "deltagere", "referent", "v/")
NAME_LABEL_ODD_LETTERS = "\u0130\u0131\u017f"  # İ ı ſ


def _may_hold_name_label(text: str) -> bool:
    lower = text.lower()
    return any(w in lower for w in NAME_LABEL_WORDS) or any(c in text for c in NAME_LABEL_ODD_LETTERS)


def _find_labelled_names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if not _may_hold_name_label(text):
        return spans
    for label in _NAME_LABEL_RE.finditer(text):
        pos = label.end()
        # a list of names: "Mødedeltagere: Lars Holte, Jørgen Lerhard og Anya Krogh"
        while True:
            m = _NAME_LIST_RE.match(text, pos)
            if not m:
                break
            name_end = m.start() + len(m.group(0).split("(")[0].rstrip())
            first = text[m.start() : name_end].split()[0]
            if first not in _NOT_NAMES:
                spans.append((m.start(), name_end))
            sep = _LIST_SEP_RE.match(text, m.end())
            if not sep or sep.end() == m.end() or "\n" in text[m.end() : sep.end()]:
                break
            pos = sep.end()
    return spans


@functools.lru_cache(maxsize=1024)
def _known_names_re(names: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for name in sorted({" ".join(n.split()) for n in names}, key=len, reverse=True):
        if len(name.split()) < 2:
            continue  # a first name alone is too ambiguous to flag
        alternatives.append(r"\s+".join(re.escape(w) for w in name.split()))
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def _find_known_names(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    pattern = _known_names_re(tuple(names))
    return [] if pattern is None else [(m.start(), m.end()) for m in pattern.finditer(text)]


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


class _Spans:
    """Non-overlapping character spans, kept sorted, so that each overlap check is a binary search
    (a table of 50,000 phone numbers is checked in linear-logarithmic time, not quadratic)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def take(self, start: int, end: int) -> bool:
        """Add the non-empty span ``[start, end)`` unless it overlaps a span already taken; True when added."""
        i = bisect.bisect_left(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return False
        if i < len(self._starts) and self._starts[i] < end:
            return False
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True


def find_personal_data(
    text: str, *, page: int | None = None, known_names: Iterable[str] = (), kinds: Iterable[str] = KINDS
) -> list[Finding]:
    """Every CPR number, e-mail, phone number and marked name in ``text``, by position.

    Overlaps are resolved in the order CPR, e-mail, phone, name (a CPR number
    is never also reported as a phone number).
    """
    wanted = set(kinds)
    found: list[Finding] = []
    taken = _Spans()

    def add(kind: FindingKind, spans: Iterable[tuple[int, int]]) -> None:
        for start, end in spans:
            if taken.take(start, end):
                found.append(Finding(kind=kind, value=text[start:end], start=start, end=end, page=page))

    # CPR and phone numbers are made of ``\\d`` digits: a text without one holds neither
    digits = ("cpr" in wanted or "phone" in wanted) and _DIGIT_RE.search(text) is not None
    if "cpr" in wanted and digits:
        add("cpr", _find_cpr(text))
    if "email" in wanted and "@" in text:
        add("email", [(m.start(), m.end()) for m in _EMAIL_RE.finditer(text)])
    if "phone" in wanted and digits:
        add("phone", _find_phones(text))
    if "name" in wanted:
        spans = _find_labelled_names(text)
        if known_names:
            spans += _find_known_names(text, known_names)
        add("name", sorted(set(spans)))
    found.sort(key=lambda f: (f.start, f.end))
    return found


def has_personal_data(text: str) -> bool:
    """True when ``text`` holds a CPR number, e-mail address, phone number or marked name."""
    return bool(find_personal_data(text))


def mask_cpr(value: str) -> str:
    """ "010190-1234" and "0101901234" become "010190-XXXX"."""
    digits = "".join(c for c in value if c.isdigit())
    return f"{digits[:6]}-XXXX"


def redact_cpr(text: str, *, page: int | None = None) -> tuple[str, list[Redaction]]:
    """``text`` with every CPR number masked as ``ddmmyy-XXXX``, and the list of what was masked; two
    parts with only a space between them are masked without a CPR label before them too."""
    redactions: list[Redaction] = []
    parts: list[str] = []
    pos = 0
    for start, end in _find_cpr(text, spaced=True):
        original = text[start:end]
        replacement = mask_cpr(original)
        parts += [text[pos:start], replacement]
        redactions.append(Redaction(original=original, replacement=replacement, start=start, end=end, page=page))
        pos = end
    parts.append(text[pos:])
    return "".join(parts), redactions
