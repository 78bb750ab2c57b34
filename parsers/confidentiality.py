"""Closed and confidential items: the one table of markers and the functions that apply them.

Danish agenda systems mark a closed (not public) item in several ways; all of
them are in ``MARKERS`` below, each with the scope it applies to:

* ``title``: the item's title says it ("Lukket punkt: X", "Lukket: X",
  "LUKKET - X", "X – Lukket", "X - lukket punkt", "X (Lukket)", "X [Lukket]",
  "(Lukket) X", "Fortroligt punkt: X", "X (fortroligt)", "Lukket sag",
  "Lukket personalesag");
* ``line``: a line (or table cell) of its own anywhere in the item
  ("Punktet er lukket", "Sagen behandles for lukkede døre", "Ikke offentligt",
  "Fortroligt – må ikke videregives", "Status: Lukket", "Åben/Lukket: Lukket",
  "Lukket jf. kommunestyrelseslovens § 10");
* ``meeting``: the meeting's title area ("Lukket møde", a document type
  "Lukket dagsorden"/"Lukket referat"/"Lukket beslutningsprotokol"): every
  item of the meeting is closed;
* ``part``: a part heading of a combined document ("Lukket dagsorden",
  "Lukket referat", "Lukkede punkter", "Lukket del"): every later item is
  closed until an open part ("Åben dagsorden", "Åbne punkter") starts again.

``document_marker`` is the broader test for a whole non-meeting document (a
memo, a bilag): a confidentiality word anywhere in it ("Fortroligt", "Ikke
offentligt") is enough for an aktindsigt package to withhold it for review.

``OPEN_MARKERS`` are the explicit opposites ("Åbent punkt", "Åben",
"Status: Åben", "Offentlig: Ja").

Marker lines are recognised only as whole lines that start with a capital
letter: a marker phrase in running prose ("... blev behandlet som lukket punkt
i Movias dagsorden") does not close an item. Ordinary words are never markers:
"Lukning af Vestskolen", "lukket afdeling på plejecenteret", "udvidelse af
lukketid", "lukkeloven" (``_ORDINARY_RE``).

When in doubt the item is withheld: a closed word near the item's head (its
title and first ``HEAD_LINES`` lines) that is not a clean marker ("Eventuelt
lukket punkt", "Fortrolig information om ...", "kan være omfattet af
tavshedspligt") makes the item closed *for review* (``ClosedMark.review``); the
reason is the text seen. An explicit open marker in the item outweighs such a
hint, never a clean closed marker or a closed part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from parsers.records import DocumentRecord, Item

Scope = Literal["title", "line", "meeting", "part"]
HEAD_LINES = 3  # lines after the title that count as the item's head for uncertain hints
MAX_HEAD_WORDS = 14  # a meeting or part marker is a short title line, not a sentence

_CLOSED_WORD = r"(?:lukket|fortroligt?)"
_CLOSED_NOUN = r"(?:punkt|sag|personsag|personalesag|emne)"
# what may follow a marker phrase at the start of a line: the end, punctuation or a justification
_TAIL = r"(?=\s*$|\s*[.,:;(–—\-]|\s+(?:jf|jævnfør|da|idet|fordi|under|med henvisning|i henhold|efter|på grund)\b)"
_LAW = r"(?:kommune)?styrelseslovens\s*§\s*10"


@dataclass(frozen=True)
class Marker:
    """One way of printing that something is closed (or open), and where it counts."""

    scope: Scope
    pattern: re.Pattern[str]
    example: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


MARKERS: tuple[Marker, ...] = (
    # --- the item's title -------------------------------------------------------------------
    Marker("title", _rx(rf"^{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?\s*\.?$"), "Lukket punkt"),
    Marker("title", _rx(rf"^{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?\s*[:.–—\-]\s*(?=\S)"), "Lukket punkt: Salg af grund"),
    Marker("title", _rx(rf"^[(\[]\s*{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?\s*[)\]]"), "(Lukket) Salg af grund"),
    Marker("title", _rx(rf"^{_CLOSED_WORD}\s+(?:sag|personsag|personalesag)\b"), "Lukket personalesag"),
    Marker("title", _rx(rf"\s[–—\-:,]\s*{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?\s*\.?$"), "Salg af grund – Lukket"),
    Marker("title", _rx(rf"[(\[]\s*{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?\s*[)\]]\s*\.?$"), "Salg af grund (Lukket)"),
    # --- a line or table cell of its own, anywhere in the item -------------------------------
    Marker(
        "line",
        _rx(rf"^(?:punktet|sagen)\s+er\s+(?:et\s+)?lukket(?:\s+punkt)?(?:\s+for\s+offentligheden)?{_TAIL}"),
        "Punktet er lukket",
    ),
    Marker("line", _rx(rf"^{_CLOSED_WORD}(?:\s+{_CLOSED_NOUN})?{_TAIL}"), "Lukket punkt"),
    Marker(
        "line",
        _rx(rf"^(?:(?:sagen|punktet)\s+)?(?:behandles|afgøres|drøftes)\s+(?:for|bag)\s+lukkede\s+døre{_TAIL}"),
        "Sagen behandles for lukkede døre",
    ),
    Marker(
        "line",
        _rx(rf"^(?:(?:sagen|punktet)\s+)?(?:behandles|afgøres)\s+(?:på|i)\s+(?:et\s+)?lukket\s+møde{_TAIL}"),
        "Behandles på lukket møde",
    ),
    Marker(
        "line",
        _rx(rf"^(?:(?:sagen|punktet)\s+(?:er\s+)?)?lukket\s+for\s+offentligheden{_TAIL}"),
        "Lukket for offentligheden",
    ),
    Marker("line", _rx(rf"^(?:punktet\s+er\s+)?ikke\s+offentligt?{_TAIL}"), "Ikke offentligt"),
    Marker("line", _rx(rf"^ikke\s+til\s+offentliggørelse{_TAIL}"), "Ikke til offentliggørelse"),
    Marker(
        "line",
        _rx(rf"^{_CLOSED_WORD}(?:\s+punkt)?\s*,?\s*(?:jf\.?|jævnfør|i henhold til|efter)\s+{_LAW}"),
        "Lukket jf. styrelseslovens § 10",
    ),
    Marker(
        "line",
        _rx(
            r"^(?:status|åben\s*/\s*lukket|åbent\s*/\s*lukket|lukket\s*/\s*åben|offentlighed|punkttype|"
            r"behandling|adgang|type)\s*(?::|\t)\s*(?:lukket|fortroligt?|ikke\s+offentligt?)\b"
        ),
        "Åben/Lukket: Lukket",
    ),
    Marker("line", _rx(r"^offentlig(?:t|hed)?\s*(?::|\t)\s*nej\b"), "Offentlig: Nej"),
    # --- the meeting's title area -----------------------------------------------------------
    Marker("meeting", _rx(r"(?:^|[-–:|,(]\s*)lukket\s+møde\b"), "Økonomiudvalget – Lukket møde"),
    Marker(
        "meeting",
        _rx(r"^lukket\s+(?:dagsorden|referat|beslutningsprotokol|beslutningsreferat|mødeprotokol|protokol)\b"),
        "Lukket referat",
    ),
    Marker(
        "meeting",
        _rx(r"\b(?:dagsorden|referat|beslutningsprotokol)\s*(?:[-–:]\s*|\(\s*)(?:lukket|fortroligt?)\b"),
        "Referat (lukket)",
    ),
    # --- a part heading of a combined document ----------------------------------------------
    Marker(
        "part",
        _rx(
            r"^(?:lukket|lukkede|fortroligt?|fortrolige)\s+(?:dagsorden|referat|beslutningsprotokol|punkter|"
            r"dagsordenspunkter|sager|del|møde)\b[^.]{0,60}$"
        ),
        "Lukkede punkter",
    ),
)

OPEN_MARKERS: tuple[Marker, ...] = (
    Marker("line", _rx(r"^(?:åben|åbent|åbne)(?:\s+(?:punkt|sag|møde))?\s*\.?$"), "Åbent punkt"),
    Marker(
        "line",
        _rx(
            r"^(?:status|åben\s*/\s*lukket|åbent\s*/\s*lukket|lukket\s*/\s*åben|offentlighed|punkttype|"
            r"behandling|adgang|type)\s*(?::|\t)\s*(?:åben|åbent|offentlig)\s*\.?$"
        ),
        "Status: Åben",
    ),
    Marker("line", _rx(r"^offentlig(?:t|hed)?\s*(?::|\t)\s*ja\s*\.?$"), "Offentlig: Ja"),
    Marker(
        "part",
        _rx(
            r"^(?:åben|åbent|åbne)\s+(?:dagsorden|referat|beslutningsprotokol|punkter|dagsordenspunkter|"
            r"sager|del|møde)\b[^.]{0,60}$"
        ),
        "Åbne punkter",
    ),
)

# a closed word that is not a clean marker: near the item's head it means "withhold and review"
_HINT_RE = _rx(
    r"\b(?:lukket|lukkede|fortrolig\w*|tavshedspligt\w*|ikke[- ]offentlig\w*|"
    r"undtaget\s+(?:fra\s+)?(?:offentlighed|aktindsigt))\b"
)
# ordinary words and phrases: a closed school or ward, opening hours, the shop-hours act
_ORDINARY_RE = _rx(
    r"\blukke(?:t|de)\s+(?:afdeling|afsnit|enhed|bo(?:form|tilbud|enhed)|tilbud|institution|skole|børnehave|"
    r"dagtilbud|vej|gade|bro|plads|parkering|ordning|kredsløb|system|anlæg|bassin|deponi|grund|have|"
    r"område|gruppe|forløb|facebookgruppe|svømmehal|bibliotek|station|linje|rute)\w*"
    r"|\blukket\s+for\s+(?:trafik|gennemkørsel|biltrafik|kørsel|besøgende|indtag|tilmelding)"
    r"|\b(?:er|var|blev|bliver|har\s+været|holdes|være|forbliver|midlertidigt)\s+lukket\s+"
    r"(?:i\s+|om\s+|fra\s+|pr\.|siden|ned|ind)"
    r"|\bholdes\s+lukket\b|\blukket\s+ned\b|\bcentralt\s+lukket\b"
)


@dataclass(frozen=True)
class ClosedMark:
    """Why an item is closed: the marker as printed, and whether a person must review it."""

    reason: str
    review: bool = False


def _clean(text: str) -> str:
    return " ".join(text.split())  # no-break spaces too: str.split splits at every Unicode space


def _scope_pattern(table: tuple[Marker, ...], scope: Scope) -> re.Pattern[str] | tuple[re.Pattern[str], ...]:
    """The markers of ``scope`` as one pattern when every one of them is anchored at the start of the
    line: the alternation in table order matches what the first matching marker matches, in one call.
    Otherwise the patterns, to be searched one by one."""
    patterns = tuple(m.pattern for m in table if m.scope == scope)
    if patterns and all(p.pattern.startswith("^") and p.flags == patterns[0].flags for p in patterns):
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    return patterns


_SCOPES: tuple[Scope, ...] = ("title", "line", "meeting", "part")
# the markers of each scope of the two tables, prepared once
_SCOPED = {(id(table), scope): _scope_pattern(table, scope) for table in (MARKERS, OPEN_MARKERS) for scope in _SCOPES}


def _closed_or_open(scope: Scope) -> re.Pattern[str]:
    """The closed markers of ``scope``, then the open ones, as one pattern: group "closed" or "open" matches."""
    closed, opened = _SCOPED[(id(MARKERS), scope)], _SCOPED[(id(OPEN_MARKERS), scope)]
    assert isinstance(closed, re.Pattern) and isinstance(opened, re.Pattern) and closed.flags == opened.flags
    return re.compile(f"(?P<closed>{closed.pattern})|(?P<open>{opened.pattern})", closed.flags)


_PART_RE = _closed_or_open("part")
_LINE_RE = _closed_or_open("line")


def _search(scope: Scope, text: str, table: tuple[Marker, ...] = MARKERS) -> str | None:
    """The text of the first marker of ``scope`` found in ``text``, as printed."""
    scoped = _SCOPED.get((id(table), scope))
    if scoped is None:
        scoped = _scope_pattern(table, scope)
    if isinstance(scoped, re.Pattern):
        m = scoped.match(text)
        return None if m is None else m.group(0).strip(" :.,") or text
    for pattern in scoped:
        m = pattern.search(text)
        if m:
            return m.group(0).strip(" :.,") or text
    return None


def _cells(text: str) -> list[str]:
    """A line, its table cells and "Label<tab>Value" pairs as "Label: Value"."""
    cells = [c.strip() for c in text.split("\t") if c.strip()]
    if len(cells) <= 1:
        return [_clean(text)]
    pairs = [f"{a}{'' if a.endswith(':') else ':'} {b}" for a, b in zip(cells, cells[1:], strict=False)]
    return [_clean(c) for c in pairs + cells]


def title_marker(title: str) -> str | None:
    """The closed marker in an item title ("Lukket punkt: X" → "Lukket punkt:"), as printed."""
    text = _clean(title)
    for marker in MARKERS:
        if marker.scope == "title":
            m = marker.pattern.search(text)
            if m:
                return m.group(0).strip() or text
    return None


def line_marker(text: str) -> tuple[Literal["closed", "open"], str] | None:
    """("closed", marker) or ("open", marker) for a marker line or table cell; None for text.

    A marker line starts with a capital letter: a lower-case start is a wrapped line of prose.
    """
    if "\t" not in text:  # one cell, the common case: the closed and open line markers in one match
        cell = _clean(text)
        if not cell[:1].isupper():
            return None
        m = _LINE_RE.match(cell)
        if (m is not None and m.lastgroup == "closed") or part_marker(cell) == "closed":
            return "closed", cell
        return None if m is None else ("open", cell)
    cells = [cell for cell in _cells(text) if cell[:1].isupper()]
    for cell in cells:
        if _search("line", cell) is not None or part_marker(cell) == "closed":
            return "closed", cell
    for cell in cells:
        if _search("line", cell, OPEN_MARKERS) is not None:
            return "open", cell
    return None


def meeting_marker(text: str) -> str | None:
    """A short title-area line that marks a closed meeting ("Økonomiudvalget – Lukket møde"), as printed."""
    line = _clean(text.replace("\t", " "))
    if len(line.split()) > MAX_HEAD_WORDS or re.search(r"\båbe[nt]t?\b|\båbne\b", line, re.IGNORECASE):
        return None  # "Åbent og lukket referat" is a combined document: its parts decide
    return line if _search("meeting", line) is not None else None


def part_marker(text: str) -> Literal["closed", "open"] | None:
    """A part heading of a combined document: "closed" ("Lukket referat", "Lukkede punkter"), "open"
    ("Åben dagsorden", "Åbne punkter"), else None."""
    # the same tests on the raw text first, cheaper for the long lines of prose: the cleaned line starts
    # with the text's first non-space character, and dropping its trailing colons removes one word at most
    if not text.lstrip()[:1].isupper() or len(text.split()) > 9:
        return None
    line = _clean(text).rstrip(":").strip()
    if not line[:1].isupper() or len(line.split()) > 8:
        return None  # a heading: capitalised and short
    m = _PART_RE.match(line)
    return None if m is None else "closed" if m.lastgroup == "closed" else "open"


def hint(text: str) -> str | None:
    """The text when it holds a closed word that is not an ordinary word ("Eventuelt lukket punkt")."""
    line = _clean(text)
    stripped = _ORDINARY_RE.sub(" ", line)
    return line if _HINT_RE.search(stripped) else None


@dataclass(frozen=True)
class ItemClosure:
    """The verdict on one item: its mark (None: open) and which of its lines are marker lines."""

    mark: ClosedMark | None
    marker_lines: frozenset[int]


# a confidentiality word anywhere in a non-meeting document (a memo, a bilag): the document may hold
# closed text, so an aktindsigt package withholds it for review; broader than the item markers on purpose
_DOCUMENT_MARKER_RE = re.compile(
    r"(?<!\w)(?:fortrolig\w*|lukket punkt|punktet er lukket|lukket møde|lukkede punkter|lukket dagsorden"
    r"|lukket referat|ikke offentlig\w*|undtaget fra (?:aktindsigt|offentlighed\w*))(?!\w)",
    re.IGNORECASE,
)


def document_marker(text: str) -> str:
    """The first confidentiality marker in a whole document's text, as printed ("Fortroligt"); "" when none."""
    m = _DOCUMENT_MARKER_RE.search(text)
    return m.group(0) if m else ""


def stored_item_mark(title: str, text: str) -> ClosedMark | None:
    """The certain markers of ``judge_item`` (a title marker, a closed marker line) in an item as any
    parser stores it: its title and its text; None when there is none.

    The index applies it to every item, whatever the format, so that an item whose parser did not
    judge its text (an ESDH XML export closes items by its own access fields) is closed by the same
    markers as a PDF, DOCX or HTML item. Uncertain hints near the head are left to the parser: which
    lines form the head depends on the layout it saw, not on the stored text.
    """
    certain = title_marker(title)
    if certain is None:
        found = (line_marker(line) for line in text.splitlines() if line.strip())
        certain = next((f[1] for f in found if f is not None and f[0] == "closed"), None)
    return None if certain is None else ClosedMark(certain)


def item_mark(item: Item) -> ClosedMark | None:
    """Why an item is withheld, as the index decides it for every format: the parser's verdict
    (``Item.closed``), else the certain markers of ``stored_item_mark`` in its title, text and decision
    (an ESDH export may call such an item public); None for an open item. Every output that hands out
    items (the search index, the public view, aktindsigt packages) applies this one rule."""
    if item.closed:
        return ClosedMark(item.closed_reason or "lukket punkt", item.closed_review)
    decision = item.decision.text if item.decision else ""
    return stored_item_mark(item.title, f"{item.text}\n{decision}")


def closed_as_indexed(record: DocumentRecord) -> DocumentRecord:
    """``record`` with every item that ``item_mark`` closes marked closed (``closed_reason`` the marker as
    printed), so that code reading ``Item.closed`` withholds what the index withholds; the record itself
    when nothing changes."""
    import dataclasses

    changed = False
    meetings = []
    for meeting in record.meetings:
        items = []
        for item in meeting.items:
            mark = None if item.closed else item_mark(item)
            if mark is not None:
                item = dataclasses.replace(item, closed=True, closed_reason=mark.reason, closed_review=mark.review)
                changed = True
            items.append(item)
        meetings.append(dataclasses.replace(meeting, items=tuple(items)) if changed else meeting)
    return dataclasses.replace(record, meetings=tuple(meetings)) if changed else record


def whole_document_mark(title: str, text: str) -> str:
    """The confidentiality marker of a whole non-meeting document (a memo, a bilag), as printed; "" when
    none: a ``document_marker`` anywhere in it, or a title or marker line of the item rules ("Lukket",
    "Status: Lukket", "Offentlig: Nej")."""
    found = document_marker(f"{title}\n{text}")
    if found:
        return found
    mark = stored_item_mark(title, text)
    return mark.reason if mark is not None else ""


def judge_item(title: str, lines: Sequence[str], inherited: ClosedMark | None) -> ItemClosure:
    """Decide whether an item is closed.

    ``lines`` are the item's lines after the title (case-number lines left out);
    ``inherited`` is the mark of a closed meeting or closed part the item sits in.
    Certain markers win (title, then marker lines, then the inherited mark); an
    explicit open marker inside a closed part or meeting keeps the item closed
    but for review; a closed word near the head that is no clean marker closes
    it for review unless the item says it is open.
    """
    marker_lines: set[int] = set()
    closed_lines: list[str] = []
    open_seen = False
    for k, line in enumerate(lines):
        found = line_marker(line)
        if found is None:
            continue
        if len([c for c in line.split("\t") if c.strip()]) <= 2:
            marker_lines.add(k)  # a row with more cells holds other facts too: it stays text
        if found[0] == "closed":
            closed_lines.append(found[1])
        else:
            open_seen = True
    in_title = title_marker(title)
    certain = in_title or (closed_lines[0] if closed_lines else None)
    if certain is not None:
        return ItemClosure(ClosedMark(certain), frozenset(marker_lines))
    if inherited is not None:
        return ItemClosure(ClosedMark(inherited.reason, inherited.review or open_seen), frozenset(marker_lines))
    if open_seen:
        return ItemClosure(None, frozenset(marker_lines))
    head = [title] + [line for k, line in enumerate(lines[:HEAD_LINES]) if k not in marker_lines]
    seen = next((h for h in map(hint, head) if h), None)
    if seen is not None:
        return ItemClosure(ClosedMark(seen[:160], review=True), frozenset(marker_lines))
    return ItemClosure(None, frozenset(marker_lines))
