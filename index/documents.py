"""Records → index documents: one per agenda item (with its meeting's fields), one per non-meeting document.

``docs_from_record`` works from a ``DocumentRecord`` alone, so the engines can be
tested without a catalog. ``analysed_fields`` turns one ``IndexDoc`` into the
pre-analysed token strings that both engines index (see ``index.analysis``).

Hostile content is capped before it reaches an engine (``analysed_fields``), the same for
both engines: a field is analysed from at most ``MAX_FIELD_CHARS`` characters, and one term is
indexed at most ``MAX_TERM_OCCURRENCES`` times per field. whoosh-ng stores the encoded position
list of a term that occurs in one document only in a record with a 16-bit length: each
occurrence takes 1-3 bytes (a varint position gap below 2**21), so a term repeated 100,000
times (or 33,000 times 200 words apart) raised ``struct.error`` at commit and left no index.
20,000 occurrences take at most 60,004 bytes, below 65,535 with margin, and a field of
``MAX_FIELD_CHARS`` characters has fewer than 2**21 words, so no gap needs a fourth byte. The
stored document keeps its full text; only what is searchable is capped.

Amounts and legal references come from ``parsers.nlp.text_facts`` over the item
text and decision: an item keeps its largest amount (``max_amount``, for range
filters and the ``amount`` band facet) and the names of the laws it cites
(``laws``, the multi-valued ``law`` facet and filter).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from index.analysis import Analyzer, fold
from parsers.casenumbers import find_case_numbers
from parsers.confidentiality import stored_item_mark, whole_document_mark
from parsers.nlp import text_facts
from parsers.personal_data import find_personal_data
from parsers.records import DocumentRecord, Item, Meeting, document_key, item_key

__all__ = [
    "AMOUNT_BANDS",
    "EarlierStep",
    "FACETS",
    "LAW_ALIASES",
    "MAX_FIELD_CHARS",
    "MAX_TERM_OCCURRENCES",
    "MULTI_VALUED_FACETS",
    "NO_AMOUNT",
    "IndexDoc",
    "amount_band",
    "amount_number",
    "analysed_fields",
    "body_key",
    "case_key",
    "cap_term_occurrences",
    "case_keys",
    "docs_from_record",
    "earlier_steps",
    "facet_value",
    "facet_values",
    "law_key",
]

# The facets every search reports, in display order.
FACETS = ("year", "body", "document_type", "outcome", "closed", "personal_data", "amount", "law")
# Facets where one document can count under several values (or none).
MULTI_VALUED_FACETS = ("law",)

# Amount bands by the largest amount of an item: (label, lower bound inclusive in kr.), ascending.
AMOUNT_BANDS: tuple[tuple[str, float], ...] = (
    ("under 100.000 kr.", 0.0),
    ("100.000–1 mio. kr.", 100_000.0),
    ("1–10 mio. kr.", 1_000_000.0),
    ("over 10 mio. kr.", 10_000_000.0),
)
NO_AMOUNT = "none"
_GENITIVE_LAW_RE = re.compile(r"(loven|forordningen|vedtægten|bekendtgørelsen)s$")
# Official titles cited in full ("§ 41 i lov om kommunernes styrelse") → the short name the same law is
# usually cited by, so that one law is one facet value. A title matches the cited name, or its start
# followed by more words (the reference scan may run on into the sentence).
LAW_ALIASES: dict[str, str] = {
    "lov om kommunernes styrelse": "styrelsesloven",
    "lov om social service": "serviceloven",
    "lov om offentlighed i forvaltningen": "offentlighedsloven",
    "lov om planlægning": "planloven",
    "lov om folkeskolen": "folkeskoleloven",
    "lov om arbejdsmiljø": "arbejdsmiljøloven",
    "lov om aktiv socialpolitik": "aktivloven",
    "lov om en aktiv beskæftigelsesindsats": "beskæftigelsesloven",
    "lov om retssikkerhed": "retssikkerhedsloven",
    "lov om almene boliger": "almenboligloven",
    "lov om miljøbeskyttelse": "miljøbeskyttelsesloven",
    "lov om naturbeskyttelse": "naturbeskyttelsesloven",
    "lov om kommunal udligning": "udligningsloven",
    "lov om vandforsyning": "vandforsyningsloven",
    "lov om byfornyelse": "byfornyelsesloven",
    "lov om kommunal ejendomsskat": "ejendomsskatteloven",
}

# Caps on what one document sends to an engine (see the module docstring for the reasons).
MAX_FIELD_CHARS = 2_000_000
MAX_TERM_OCCURRENCES = 20_000

_YY_CASE_RE = re.compile(r"^(\d{2})/0*(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class IndexDoc:
    """One searchable unit: an agenda item with its meeting's fields, or a whole non-meeting document."""

    id: str  # item_key(...) or document_key(...)
    sha256: str
    kind: str  # "item" or "other"
    title: str
    text: str  # all section text of the item (the full text for kind "other")
    decision: str  # "" when no decision is recorded
    attachments: tuple[str, ...]
    case_numbers: tuple[str, ...]  # as printed
    body: str | None  # None: not stated
    municipality: str | None  # None: not stated
    document_type: str  # dagsorden, referat or other
    date: str | None  # ISO date of the meeting; None: not stated
    closed: bool
    outcome: str | None  # classify_outcome label of the decision; None: no decision or not classified
    personal_data: bool  # the item text holds personal data (CPR numbers and the like)
    source_path: str
    pages: tuple[int, ...]
    item_number: int | None  # None for kind "other"
    details: dict[str, Any]  # everything ``arkiv show`` prints: sections, decision, meeting details
    # The largest amount named in the text or decision, in kr. (by absolute value: a deficit of
    # 2 mio. kr. counts as 2 mio. kr.); None: no amount is named.
    max_amount: float | None = None
    laws: tuple[str, ...] = ()  # the laws cited in the text or decision (``law_key`` form), in text order
    # the bilag files linked to the item (``index.linked``): the titles as the item lists them and each file's
    # text, kept apart from the item's own text; empty when none is linked
    bilag_titles: tuple[str, ...] = ()
    bilag_texts: tuple[str, ...] = ()

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def date_number(self) -> int | None:
        """The date as YYYYMMDD (for range filters); None when not stated."""
        return int(self.date.replace("-", "")) if self.date else None

    @property
    def amount_ore(self) -> int | None:
        """The largest amount in øre (for range filters); None when no amount is named."""
        return None if self.max_amount is None else amount_number(self.max_amount)

    def to_stored(self) -> str:
        """The document as the JSON both engines store and return."""
        # the fields one level deep: every value is JSON already (``asdict`` would deep-copy ``details``)
        return json.dumps({name: getattr(self, name) for name in _DOC_FIELDS}, ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_stored(text: str) -> IndexDoc:
        data = json.loads(text)
        data["attachments"] = tuple(data["attachments"])
        data["case_numbers"] = tuple(data["case_numbers"])
        data["pages"] = tuple(data["pages"])
        data["laws"] = tuple(data.get("laws", ()))
        data["bilag_titles"] = tuple(data.get("bilag_titles", ()))
        data["bilag_texts"] = tuple(data.get("bilag_texts", ()))
        return IndexDoc(**data)


_DOC_FIELDS = tuple(f.name for f in fields(IndexDoc))


def case_key(number: str) -> str:
    """The canonical form of one case: lowercase, no ``-N`` document suffix, no leading zeros in a
    ``YY/NNNNN`` serial. ``20/057417-5`` and ``20/57417`` give the same key; other forms keep their text."""
    number = number.strip().lower()
    m = _YY_CASE_RE.match(number)
    if m:
        return f"{m.group(1)}/{int(m.group(2))}"
    return number


def case_keys(numbers: Sequence[str]) -> list[str]:
    """Every term the printed case numbers are findable by: as printed (lowercase), and the canonical
    case key with and without the ``-N`` document suffix."""
    keys: list[str] = []
    for number in numbers:
        raw = number.strip().lower()
        keys += [raw, case_key(raw)]
        m = _YY_CASE_RE.match(raw)
        if m and m.group(3):
            keys.append(f"{m.group(1)}/{int(m.group(2))}-{m.group(3)}")
    return list(dict.fromkeys(keys))


def amount_band(amount: float | None) -> str:
    """The band of ``AMOUNT_BANDS`` an amount in kr. falls in; ``"none"`` for no amount."""
    if amount is None:
        return NO_AMOUNT
    label = AMOUNT_BANDS[0][0]
    for name, low in AMOUNT_BANDS:
        if abs(amount) >= low:
            label = name
    return label


def amount_number(kr: float) -> int:
    """An amount in kr. as the whole number of øre that the index stores and range filters compare
    (rounded to the nearest øre, so ``0,29`` kr. is 29 øre despite binary floating point)."""
    return round(kr * 100)


def law_key(name: str) -> str:
    """The form a law name is indexed and filtered by: lower case, single spaces, no genitive ``s``,
    no commas, and the short name for an official title of ``LAW_ALIASES``
    (``Styrelseslovens`` and ``lov om kommunernes styrelse`` → ``styrelsesloven``)."""
    key = _GENITIVE_LAW_RE.sub(r"\1", " ".join(name.replace(",", " ").lower().split()))
    for title, short in LAW_ALIASES.items():
        if key == title or key.startswith(title + " "):
            return short
    return key


def facet_values(doc: IndexDoc, facet: str) -> tuple[str, ...]:
    """Every value a document counts under in one facet (one value, except for multi-valued facets)."""
    if facet == "law":
        return doc.laws
    return (facet_value(doc, facet),)


def facet_value(doc: IndexDoc, facet: str) -> str:
    """The value a document counts under in one single-valued facet."""
    if facet == "year":
        return str(doc.year) if doc.year else "unknown"
    if facet == "body":
        return doc.body or "unknown"
    if facet == "document_type":
        return doc.document_type
    if facet == "outcome":
        return doc.outcome or "unknown"
    if facet == "closed":
        return "closed" if doc.closed else "open"
    if facet == "personal_data":
        return "yes" if doc.personal_data else "no"
    if facet == "amount":
        return amount_band(doc.max_amount)
    raise ValueError(f"unknown facet {facet!r}")


def _outcome(decision_text: str) -> str | None:
    if not decision_text.strip():
        return None
    try:
        from parsers.outcome import classify_outcome
    except ImportError:
        return None
    return classify_outcome(decision_text).label


def _facts(text: str) -> tuple[float | None, tuple[str, ...], bool]:
    """(largest amount in kr. by absolute value or None, the cited laws in ``law_key`` form, whether the
    text holds personal data). The CPR numbers, e-mail addresses and phone numbers are looked for once:
    ``text_facts`` needs them too (an amount never overlaps one of them)."""
    if not text.strip():
        return None, (), False
    personal = find_personal_data(text, kinds=("cpr", "email", "phone"))
    facts = text_facts(text, personal)
    largest = max((abs(a) for a in facts.amounts), default=None)
    laws = tuple(dict.fromkeys(k for k in (law_key(name) for name in facts.laws) if k))
    # ``find_personal_data(text)`` holds a name only where no CPR number, e-mail or phone number is
    has_personal = bool(personal) or bool(find_personal_data(text, kinds=("name",)))
    return largest, laws, has_personal


def _item_doc(record: DocumentRecord, sha: str, path: str, mi: int, ii: int, meeting: Meeting, item: Item) -> IndexDoc:
    decision = item.decision
    decision_text = decision.text if decision else ""
    text = item.text
    details: dict[str, Any] = {
        "sections": [{"heading": s.heading, "text": s.text} for s in item.sections],
        "decision": None if decision is None else {"text": decision.text, "body": decision.body, "date": decision.date},
        "category": item.category,
        # earlier treatments of the case printed in the item (``arkiv case`` shows them as earlier steps)
        "history": [{"body": h.body, "date": h.date, "number": h.number, "text": h.text} for h in item.history],
        "meeting": {
            "body": meeting.body,
            "document_type": meeting.document_type,
            "date": meeting.date,
            "start_time": meeting.start_time,
            "end_time": meeting.end_time,
            "location": meeting.location,
            "municipality": meeting.municipality,
            "participants": list(meeting.participants),
            "absent": list(meeting.absent),
            "item_count": len(meeting.items),
        },
        "source": {"format": record.source.format, "page_count": record.source.page_count},
    }
    max_amount, laws, personal_data = _facts(f"{text}\n{decision_text}")
    return IndexDoc(
        id=item_key(sha, mi, ii),
        sha256=sha,
        kind="item",
        title=item.title,
        text=text,
        decision=decision_text,
        attachments=tuple(a.title for a in item.attachments),
        case_numbers=tuple(c.raw for c in item.case_numbers),
        body=meeting.body,
        municipality=meeting.municipality,
        document_type=meeting.document_type,
        date=meeting.date,
        # the parser's verdict, or the confidentiality markers in what it stored (the same for every format)
        closed=item.closed or stored_item_mark(item.title, f"{text}\n{decision_text}") is not None,
        outcome=_outcome(decision_text),
        personal_data=personal_data,
        source_path=path,
        pages=item.pages,
        item_number=item.number,
        details=details,
        max_amount=max_amount,
        laws=laws,
    )


def docs_from_record(record: DocumentRecord, sha256: str | None = None, path: str | None = None) -> list[IndexDoc]:
    """The index documents of one record (``sha256``/``path`` default to the record's source)."""
    sha = sha256 or record.source.sha256
    source_path = path or record.source.path
    if record.kind == "other":
        case_numbers = tuple(c.raw for c in find_case_numbers(record.text[:5000]))
        max_amount, laws, personal_data = _facts(record.text)
        return [
            IndexDoc(
                id=document_key(sha),
                sha256=sha,
                kind="other",
                title=record.title or source_path.rsplit("/", 1)[-1],
                text=record.text,
                decision="",
                attachments=(),
                case_numbers=case_numbers,
                body=None,
                municipality=None,
                document_type="other",
                date=None,
                # a whole document that carries a confidentiality marker ("Fortroligt", "Lukket") is withheld
                closed=bool(whole_document_mark(record.title or "", record.text)),
                outcome=None,
                personal_data=personal_data,
                source_path=source_path,
                pages=tuple(range(1, record.source.page_count + 1)),
                item_number=None,
                details={
                    "sections": [{"heading": None, "text": record.text}],
                    "decision": None,
                    "category": None,
                    "meeting": None,
                    "source": {"format": record.source.format, "page_count": record.source.page_count},
                },
                max_amount=max_amount,
                laws=laws,
            )
        ]
    docs: list[IndexDoc] = []
    for mi, meeting in enumerate(record.meetings):
        for ii, item in enumerate(meeting.items):
            docs.append(_item_doc(record, sha, source_path, mi, ii, meeting, item))
    return docs


@dataclass(frozen=True)
class EarlierStep:
    """A treatment of a case known only from the history printed in a later item (``Item.history``)."""

    body: str | None
    date: str | None
    number: int | None  # the item number at that meeting; None: not printed
    text: str
    printed_in: IndexDoc  # the later item that prints it


def earlier_steps(docs: Sequence[IndexDoc]) -> list[EarlierStep]:
    """The printed history of the items ``docs``, each treatment once, without those the archive holds.

    A treatment is the same as an item of ``docs`` when body, date and item number agree (the
    number only when printed); the same treatment printed by several later items counts once
    (the first in ``docs`` order names it).
    """
    held = {(body_key(d.body), d.date, d.item_number) for d in docs if d.kind == "item"}
    held_undated_number = {(body_key(d.body), d.date) for d in docs if d.kind == "item"}
    seen: set[tuple[str, str | None, int | None]] = set()
    steps: list[EarlierStep] = []
    for doc in docs:
        for h in (doc.details or {}).get("history") or []:
            key = (body_key(h.get("body")), h.get("date"), h.get("number"))
            in_archive = key in held if key[2] is not None else key[:2] in held_undated_number
            if in_archive or key in seen:
                continue
            seen.add(key)
            steps.append(EarlierStep(h.get("body"), h.get("date"), h.get("number"), h.get("text") or "", doc))
    return steps


def body_key(body: str | None) -> str:
    """The folded body name used for body filters (``Børne- og Ungeudvalget`` → ``børne- og ungeudvalget``)."""
    return " ".join(fold(w) for w in (body or "").split())


def cap_term_occurrences(tokens: str, limit: int | None = None) -> str:
    """The whitespace-separated ``tokens`` with every occurrence of a term past the first ``limit``
    (default ``MAX_TERM_OCCURRENCES``) dropped."""
    limit = MAX_TERM_OCCURRENCES if limit is None else limit
    if len(tokens) < 2 * limit:
        return tokens  # fewer than ``limit`` + 1 tokens (each takes a character and a separator): nothing to drop
    seen: dict[str, int] = {}
    kept: list[str] = []
    dropped = False
    for token in tokens.split():
        n = seen.get(token, 0)
        if n < limit:
            kept.append(token)
            seen[token] = n + 1
        else:
            dropped = True
    return " ".join(kept) if dropped else tokens


def _capped_analysis(analyzer: Analyzer, text: str) -> tuple[str, str]:
    """(main, parts) tokens of at most ``MAX_FIELD_CHARS`` characters, each term at most
    ``MAX_TERM_OCCURRENCES`` times."""
    main, parts = analyzer.analyze(text[:MAX_FIELD_CHARS])
    return cap_term_occurrences(main), cap_term_occurrences(parts)


# A parts value that starts with this mark holds compound candidates whose parts are decided later
# (``index.preanalysis``): such values are joined under one mark.
DEFERRED_MARK = "\x00"


def _joined(tokens: str, more: str) -> str:
    """Two analysed token strings as one (one leading ``DEFERRED_MARK`` kept when they carry it)."""
    mark = DEFERRED_MARK if tokens.startswith(DEFERRED_MARK) or more.startswith(DEFERRED_MARK) else ""
    joined = f"{tokens.removeprefix(DEFERRED_MARK)} {more.removeprefix(DEFERRED_MARK)}".strip()
    return mark + joined


def analysed_fields(doc: IndexDoc, analyzer: Analyzer) -> dict[str, str]:
    """The pre-analysed, whitespace-separated token strings of one document, per indexed field
    (capped: ``MAX_FIELD_CHARS``, ``MAX_TERM_OCCURRENCES``)."""
    title, title_parts = _capped_analysis(analyzer, doc.title)
    full = "\n".join([doc.title, doc.text, *doc.attachments, doc.decision])
    text, text_parts = _capped_analysis(analyzer, full)
    if doc.bilag_titles or doc.bilag_texts:  # analysed on their own and appended: the item's tokens stay as they are
        bilag, bilag_parts = _capped_analysis(analyzer, "\n".join([*doc.bilag_titles, *doc.bilag_texts]))
        text = cap_term_occurrences(_joined(text, bilag))
        text_parts = cap_term_occurrences(_joined(text_parts, bilag_parts))
    decision, decision_parts = _capped_analysis(analyzer, doc.decision)
    keys = case_keys(doc.case_numbers)
    return {
        "title": title,
        "title_parts": title_parts,
        "text": text,
        "text_parts": text_parts,
        "decision": decision,
        "decision_parts": decision_parts,
        "case": " ".join(keys[:MAX_TERM_OCCURRENCES]),
    }
