"""Meeting metadata from the lines before the first item (the "head" of a meeting).

Labelled lines ("Mødedato:", "Mødested:", "Deltagere:", "Afbud:"), labels without
a colon ("Mødedato Mandag d. 11. september 2023"), tab-separated table rows
("Mødedato:<tab>1. oktober 2025") and unlabelled title lines ("REFERAT
Direktionen d. 11-09-2023", "04-08-2020 08:30" followed by a location line) all
feed one ``MeetingHead``. Running headers/footers are a fallback for the body,
municipality and date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from parsers.bodies import find_body, find_municipality
from parsers.casenumbers import labelled_case_numbers
from parsers.danish_dates import find_dates, parse_date, parse_time_range
from parsers.records import Block, CaseNumber, DocumentType

DOC_TYPE_RE = re.compile(
    r"\b(dagsorden|referat|beslutningsprotokol|mødeprotokol|protokol|beslutningsreferat)\b", re.IGNORECASE
)
META_LABEL_RE = re.compile(r"^([A-ZÆØÅa-zæøå][\wæøåÆØÅ .\-/]{0,30}?)\s*:\s*(.*)$")
DATE_LABELS = {"mødedato", "dato", "tidspunkt", "mødetidspunkt", "dato og tid", "tid og sted", "afholdt", "møde"}
TIME_LABELS = {"mødetid", "tid", "tidspunkt", "mødetidspunkt", "klokken", "kl"}
PLACE_LABELS = {"mødested", "sted", "lokale", "mødelokale", "adresse"}
PEOPLE_LABELS = {"mødedeltagere", "deltagere", "til stede", "medlemmer", "deltog", "fremmødte", "tilstede"}
ABSENT_LABELS = {"afbud", "fraværende", "fravær", "afbud fra", "fraværende med afbud"}
ALL_LABELS = DATE_LABELS | TIME_LABELS | PLACE_LABELS | PEOPLE_LABELS | ABSENT_LABELS
# labels printed without a colon ("Mødedato Mandag d. 11. september 2023")
_INLINE_LABELS = {"mødedato", "mødested", "mødetid", "mødedeltagere", "deltagere", "afbud", "fraværende", "tidspunkt"}
_BODY_LABELS = {"udvalg", "forum", "mødeforum", "emne", "møde"}
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
# a role after a name in a member list: "Doris Børger (A) - formand", "Hans Toft, næstformand" is split on the comma
_ROLE_RE = re.compile(r"\s+[-–]\s+[a-zæøå][\wæøå.\- ]{0,40}$")
# "i Mødelokale 2 på Rådhuset": a place line under the date line
_PLACE_PREFIX_RE = re.compile(r"^(?:i|på)\s+(?=\S)", re.IGNORECASE)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|\n|\s+og\s+|\s+&\s+)\s*")
_NONE_WORDS = {"ingen", "-", "–", "nej", "ingen afbud", "ingen fraværende", ""}
# minutes without a title word: a note on substitutes, or items opening with what was decided
_MINUTE_NOTE_RE = re.compile(r"\b(?:stedfortræder|deltog som|har meldt afbud|var fraværende)\b", re.IGNORECASE)
_MINUTE_RE = re.compile(
    r"^(?:godkendt|vedtaget|drøftet|taget til efterretning|anbefales)\b"
    r"|\b(?:blev|er) (?:godkendt|vedtaget|drøftet|taget til efterretning|anbefalet|afvist|udsat)\b"
    r"|\b(?:godkendte|vedtog|besluttede|tog \S+(?: \S+)? til efterretning)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MeetingHead:
    """What the head of one meeting states; None/() where it states nothing."""

    body: str | None
    municipality: str | None
    date: str | None
    start_time: str | None
    end_time: str | None
    location: str | None
    participants: tuple[str, ...]
    absent: tuple[str, ...]
    case_numbers: tuple[CaseNumber, ...]


def words(text: str) -> int:
    """The number of words (runs of non-space characters, as ``\\S+`` finds them)."""
    return len(text.split())


def is_label_line(text: str) -> bool:
    """ "Label: value" with a label that holds no digits ("Kl. 9-9.30: ..." is not a label)."""
    m = META_LABEL_RE.match(text)
    return m is not None and not re.search(r"\d", m.group(1))


def pair_cells(cells: Sequence[str]) -> list[str]:
    """Table cells as lines, a "Label:" cell joined with the value cell after it."""
    lines: list[str] = []
    k = 0
    while k < len(cells):
        cell = cells[k]
        if cell.endswith(":") and k + 1 < len(cells) and not cells[k + 1].endswith(":"):
            lines.append(f"{cell} {cells[k + 1]}")
            k += 2
        else:
            lines.append(cell)
            k += 1
    return lines


def read_head(
    head: Sequence[Block],
    furniture: Sequence[Block],
    paragraph_gap: float,
    ends_value: Callable[[str], bool],
) -> MeetingHead:
    """The metadata of one meeting. ``ends_value(text)`` says that a line is structure
    (an item heading, a category, a TOC title) and cannot continue a participant list."""
    labelled = _labelled(head, paragraph_gap, ends_value)
    body, municipality = _body(head, furniture, labelled)
    date, start, end = _when(head, furniture, labelled)
    location = next((v for k, v in labelled if k in PLACE_LABELS and v), None) or _place_line(head, ends_value)
    case_numbers: list[CaseNumber] = []
    for b in head:
        numbers = labelled_case_numbers(b.text)
        if numbers:
            case_numbers.extend(n for n in numbers if n not in case_numbers)
    return MeetingHead(
        body=body,
        municipality=municipality,
        date=date,
        start_time=start,
        end_time=end,
        location=" ".join(location.split()) if location else None,
        participants=_names([v for k, v in labelled if k in PEOPLE_LABELS]),
        absent=_names([v for k, v in labelled if k in ABSENT_LABELS]),
        case_numbers=tuple(case_numbers),
    )


def document_type(
    head: Sequence[Block], furniture: Sequence[Block], item_openings: Sequence[Sequence[str]]
) -> DocumentType:
    """The title word (Dagsorden/Referat/Beslutningsprotokol); without one, minute language decides:
    a note on substitutes in the head, or items that open with what was decided."""
    for b in list(head[:15]) + list(furniture[:6]):
        m = DOC_TYPE_RE.search(b.text)
        if m and words(b.text) <= 12:
            return "dagsorden" if m.group(1).lower() == "dagsorden" else "referat"
    if any(_MINUTE_NOTE_RE.search(b.text) for b in head):
        return "referat"
    minuted = sum(1 for lines in item_openings if any(_MINUTE_RE.search(t) for t in lines))
    return "referat" if item_openings and minuted >= max(1, 0.5 * len(item_openings)) else "dagsorden"


def _place_line(head: Sequence[Block], ends_value: Callable[[str], bool]) -> str | None:
    """An unlabelled location line right after the meeting's date line (eDoc title pages):
    "04-08-2020 08:30" / "Mødelokale 1", "onsdag den 7. marts 2012, kl. 15:30" / "i Mødelokale 2 på Rådhuset"."""
    for k, b in enumerate(head[:8]):
        dated = find_dates(b.text) and (words(b.text) <= 6 or (words(b.text) <= 12 and parse_time_range(b.text)[0]))
        if dated and not META_LABEL_RE.match(b.text) and k + 1 < len(head):
            nxt = head[k + 1].text.strip()
            if (
                words(nxt) <= 10
                and not find_dates(nxt)
                and not META_LABEL_RE.match(nxt)
                and not DOC_TYPE_RE.search(nxt)
                and not ends_value(nxt)
                and not find_body(nxt)[0]
                and not find_municipality(nxt)
                and not _name_list_label(nxt)
            ):
                return _PLACE_PREFIX_RE.sub("", nxt)
            return None
    return None


def _label_key(label: str) -> str:
    """The label as a key: "Afbud/Fraværende" is an absent list, "Tilstede/Deltagere" a participant list."""
    key = " ".join(label.split()).lower()
    parts = [part.strip() for part in key.split("/")]
    if len(parts) > 1 and all(part in ABSENT_LABELS for part in parts):
        return parts[0]
    if len(parts) > 1 and all(part in PEOPLE_LABELS for part in parts):
        return parts[0]
    return key


def _name_list_label(text: str) -> bool:
    """ "Tilstede", "Afbud/Fraværende": the label of a name list, with or without a colon."""
    label = text.strip().rstrip(":").strip().lower()
    return (
        label in PEOPLE_LABELS
        or label in ABSENT_LABELS
        or all(part.strip() in ABSENT_LABELS for part in label.split("/"))
    )


def _head_lines(head: Sequence[Block]) -> list[Block]:
    lines: list[Block] = []
    for b in head:
        cells = [c.strip() for c in b.text.split("\t") if c.strip()]
        if b.in_table and len(cells) > 2:
            lines.extend(Block(text=c, page=b.page) for c in pair_cells(cells))
        else:
            lines.append(b)
    return lines


def _labelled(head: Sequence[Block], paragraph_gap: float, ends_value: Callable[[str], bool]) -> list[tuple[str, str]]:
    """("label", "value") pairs; continuation lines of a list join the value with "\\n"."""
    pairs: list[tuple[str, str]] = []
    open_label = False
    for b in _head_lines(head):
        text = b.text.strip()
        m = META_LABEL_RE.match(text)
        parts = text.split("\t")
        if m is None and len(parts) == 2 and words(parts[0]) <= 3:
            m = META_LABEL_RE.match(f"{parts[0]}: {parts[1]}")
        if m and words(m.group(1)) <= 4:
            pairs.append((_label_key(m.group(1)), m.group(2).strip()))
            open_label = True
            continue
        if _name_list_label(text):  # "Tilstede" / "Afbud/Fraværende" over the names, no colon
            pairs.append((_label_key(text.rstrip(":")), ""))
            open_label = True
            continue
        head_word = text.split(" ", 1)[0].lower().rstrip(":")
        if head_word in _INLINE_LABELS and " " in text and words(text) <= 60:
            pairs.append((head_word, text.split(" ", 1)[1].strip()))
            open_label = True
            continue
        if open_label and pairs and not b.bold and not _ends_list(text, ends_value):
            key, value = pairs[-1]
            if key in PEOPLE_LABELS | ABSENT_LABELS | PLACE_LABELS:
                gap = b.space_before is not None and b.space_before > paragraph_gap
                if not gap or not value or (key in PEOPLE_LABELS | ABSENT_LABELS and _spaced_name_entry(value, b)):
                    pairs[-1] = (key, f"{value}\n{text}" if value else text)
                    continue
        open_label = False
    return pairs


def _name_like(text: str) -> bool:
    """A short capitalised line without digits or sentence end: one entry of a name list."""
    text = _PAREN_RE.sub("", text).strip()
    return bool(text) and text[:1].isupper() and words(text) <= 5 and not re.search(r"\d|[.:;!?]$", text)


def _spaced_name_entry(value: str, b: Block) -> bool:
    """A name list printed one paragraph per name (SBSYS front pages): the gap does not end it
    while every entry so far, and this line, is a name."""
    return "," not in value and all(_name_like(ln) for ln in value.split("\n")) and _name_like(b.text)


def _ends_list(text: str, ends_value: Callable[[str], bool]) -> bool:
    return bool(ends_value(text) or DOC_TYPE_RE.search(text) or find_dates(text))


def _body(
    head: Sequence[Block], furniture: Sequence[Block], labelled: list[tuple[str, str]]
) -> tuple[str | None, str | None]:
    municipality = None
    for b in list(head[:20]) + list(furniture[:10]):
        municipality = municipality or find_municipality(b.text)
    for key, value in labelled:
        if key in _BODY_LABELS:
            body, muni = find_body(value)
            if body:
                return body, municipality or muni
    titled = [b for b in head[:20] if DOC_TYPE_RE.search(b.text)]
    for b in titled + list(head[:20]) + list(furniture[:10]):
        if is_label_line(b.text) and not DOC_TYPE_RE.search(b.text):
            continue
        body, muni = find_body(b.text)
        if body and body != "Udvalget":
            return body, municipality or muni
    return None, municipality


def _when(
    head: Sequence[Block], furniture: Sequence[Block], labelled: list[tuple[str, str]]
) -> tuple[str | None, str | None, str | None]:
    date: str | None = None
    start: str | None = None
    end: str | None = None
    for key, value in labelled:
        if key in DATE_LABELS and date is None:
            date = parse_date(value)
            if date:
                start, end = parse_time_range(value)
    for key, value in labelled:
        if key in TIME_LABELS:
            s, e = parse_time_range(value)
            if s is None:
                s, e = parse_time_range("kl. " + value)
            if s:
                start, end = s, e or end
                break
    if date is None:
        for b in head[:25]:
            if is_label_line(b.text) and not DOC_TYPE_RE.search(b.text):
                continue
            date = parse_date(b.text)
            if date:
                if start is None:
                    start, end = parse_time_range(b.text)
                break
    if date is None:
        date = next((d for b in furniture[:10] if (d := parse_date(b.text))), None)
    return date, start, end


def _names(values: list[str]) -> tuple[str, ...]:
    """One name per entry: split on commas, semicolons, lines and " og "; titles in parentheses dropped.
    Lines without commas are one name each; with commas, lines are wrapped text and joined first."""
    names: list[str] = []
    for value in values:
        lines = [ln.strip() for ln in value.split("\n") if ln.strip()]
        parts: list[str] = []
        if any("," in ln or ";" in ln for ln in lines):
            parts = _NAME_SPLIT_RE.split(" ".join(lines))
        else:
            for ln in lines:
                parts.extend(_NAME_SPLIT_RE.split(ln))
        for p in parts:
            name = " ".join(_ROLE_RE.sub("", _PAREN_RE.sub("", p)).split()).strip(" .,-–")
            if name and name.lower() not in _NONE_WORDS and name not in names:
                names.append(name)
    return tuple(names)
