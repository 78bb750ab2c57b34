"""Entities in item text: case numbers, dates, amounts, CPR, e-mail, phone, legal references.

Two ways in, one set of rules:

* ``extract_entities(text)`` runs the patterns straight over the string
  (no spaCy object; the index calls it for every item).
* ``get_nlp()`` is a spaCy pipeline, ``spacy.blank("da")`` plus our
  ``moedearkiv_entities`` component, which runs the same patterns once over
  ``doc.text`` and turns the hits into ``doc.ents`` with ``doc.char_span``
  (one compiled regex per type over the whole text is about twice as fast as
  token patterns in an ``entity_ruler``). When a trained Danish pipeline
  (``da_core_news_*``) is installed, it is loaded instead of the blank one and
  our component runs after its NER; our spans win where they overlap.

Normalized values (``Entity.value``): AMOUNT the amount in kroner as a number
("1,2 mio. kr." is 1200000.0); DATE the ISO date; CPR the birth date;
CASE_NUMBER the case without a ``-N`` document suffix; LAW_REF the reference
with collapsed spacing and the law's name in lower case; EMAIL lower case;
PHONE the eight digits.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from parsers.casenumbers import iter_case_number_spans
from parsers.danish_dates import find_dates
from parsers.personal_data import Finding, cpr_birth_date, find_personal_data

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

EntityLabel = Literal["CASE_NUMBER", "DATE", "AMOUNT", "CPR", "EMAIL", "PHONE", "LAW_REF"]
ENTITY_LABELS: tuple[EntityLabel, ...] = ("CASE_NUMBER", "DATE", "AMOUNT", "CPR", "EMAIL", "PHONE", "LAW_REF")
TRAINED_PIPELINES = ("da_core_news_trf", "da_core_news_lg", "da_core_news_md", "da_core_news_sm")
COMPONENT = "moedearkiv_entities"


@dataclass(frozen=True)
class Entity:
    label: str  # one of ENTITY_LABELS
    text: str  # as printed
    start: int  # character offsets into the text
    end: int
    value: str | float | None = None  # normalized value (see the module docstring); None: not meaningful


# ---------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_SCALE = r"(?P<scale>mio|mill|millioner|million|mia|mias|milliard|milliarder|t|tusind|tus)"
_KR = r"(?:kr\.?|kroner|dkk)"
_AMOUNT_RE = re.compile(
    r"(?<![\w.,/-])(?P<sign>[-−](?=\d))?(?:"
    # 250.000 kr. / 1,2 mio. kr. / 250 t.kr. / 38.000 kroner / 2 mio.kr.
    rf"(?P<num>{_NUMBER})\s*(?:{_SCALE}\.?\s*)?(?:{_KR}|(?P<tkr>tkr\.?|t\.kr\.?))"
    # kr. 250.000 / DKK 1,2 mio.
    rf"|(?:kr\.?|dkk)\s*(?P<num2>{_NUMBER})(?:,-)?(?:\s*(?P<scale2>mio|mia)\.?)?"
    r")(?![\wæøå])",
    re.IGNORECASE,
)
_SCALES = {
    "mio": 1e6,
    "mill": 1e6,
    "millioner": 1e6,
    "million": 1e6,
    "mia": 1e9,
    "mias": 1e9,
    "milliard": 1e9,
    "milliarder": 1e9,
    "t": 1e3,
    "tusind": 1e3,
    "tus": 1e3,
}


def parse_amount(number: str, scale: str | None = None) -> float:
    """ "1.250.000,50" -> 1250000.5; with scale "mio" -> times a million."""
    value = float(number.replace(".", "").replace(",", "."))
    if scale:
        value *= _SCALES[scale.lower()]
    return round(value, 2)


def _amounts(text: str) -> Iterable[Entity]:
    for m in _AMOUNT_RE.finditer(text):
        if m.group("num") is not None:
            scale = m.group("scale") or ("t" if m.group("tkr") else None)
            value = parse_amount(m.group("num"), scale)
        else:
            value = parse_amount(m.group("num2"), m.group("scale2"))
        if m.group("sign"):
            value = -value
        yield Entity("AMOUNT", m.group(0), m.start(), m.end(), value)


# ---------------------------------------------------------------------------
# Legal references
# ---------------------------------------------------------------------------

# words that end a law's title ("lov om kommunernes styrelse skal ...")
_STOP = (
    r"(?!(?:og|samt|eller|jf|i|som|der|at|for|med|til|af|på|ved|efter|så|hvor|skal|kan|må|er|var|blev|"
    r"bliver|har|vil|gælder|fastsætter|finder|kræver|giver|siger|foreskriver|indebærer|betyder)\b)"
)
_LAW_NAME = (
    r"(?:[a-zæøå]{3,}(?:loven|lovens|lov|forordningen|forordningens|bekendtgørelsen|vedtægten|vedtægtens)"
    r"|lov\s+om\s+offentlighed\s+i\s+forvaltningen"
    rf"|lov\s+om\s+[a-zæøå]+(?:\s+{_STOP}[a-zæøå]+){{0,4}}"
    r"|(?:lov|lbk|lovbekendtgørelse|bekendtgørelse|bkg)\.?\s+nr\.\s*\d+(?:\s+af\s+\d{1,2}\.\s*\w+\s+\d{4})?)"
)
_PARAGRAPH = (
    r"§§?\s*\d+\s?[a-z]?(?![\wæøå])(?:\s*(?:,\s*|\s)stk\.\s*\d+)?(?:\s*(?:,\s*|\s)(?:nr\.|litra)\s*\w+)?"
    r"(?:\s*(?:og|,|-|–)\s*\d+\s?[a-z]?(?![\wæøå]|\.\d))*"
)
_LAW_RE = re.compile(
    r"(?<![\wæøå])(?:"
    rf"(?P<law_first>{_LAW_NAME})\s+(?P<par_after>{_PARAGRAPH})"
    rf"|(?P<par>{_PARAGRAPH})(?:\s*,?\s*(?:i\s+|jf\.?\s*)?(?P<law>{_LAW_NAME}))?"
    rf"|(?P<law_only>{_LAW_NAME})"
    r")(?![\wæøå])",
    re.IGNORECASE,
)
_GENITIVE_RE = re.compile(r"(loven|forordningen|vedtægten)s$")


def _law_value(name: str) -> str:
    name = " ".join(name.split()).lower()
    return _GENITIVE_RE.sub(r"\1", name)


def _norm_paragraph(text: str) -> str:
    """ "§17,  Stk. 4" -> "§ 17, stk. 4"."""
    text = re.sub(r"(§+)\s*", r"\1 ", " ".join(text.split()))
    return re.sub(r"\b(stk|nr|litra)\.", lambda m: m.group(1).lower() + ".", text, flags=re.IGNORECASE)


def _law_refs(text: str) -> Iterable[Entity]:
    lower = text.lower()
    if "§" not in text and "lov" not in lower and "forordning" not in lower and "vedtægt" not in lower:
        return
    for m in _LAW_RE.finditer(text):
        law = m.group("law_first") or m.group("law") or m.group("law_only")
        paragraph = m.group("par_after") or m.group("par")
        if paragraph is None and law is not None:
            name = law.lower()
            if name.endswith("lov") and not name.startswith("lov"):
                continue  # "barselsorlov" alone is a word, not a reference
        parts = [_norm_paragraph(paragraph)] if paragraph else []
        if law:
            parts.append(_law_value(law))
        yield Entity("LAW_REF", m.group(0), m.start(), m.end(), " ".join(parts))


def law_name(entity: Entity) -> str | None:
    """The law named by a LAW_REF ("styrelsesloven"), or None when it cites a § only."""
    m = _LAW_IN_VALUE_RE.search(str(entity.value or ""))
    return m.group(1) if m else None


_LAW_IN_VALUE_RE = re.compile(
    r"(?:^|\s)((?:lov|lbk|lovbekendtgørelse|bekendtgørelse|bkg|[a-zæøå]{3,}"
    r"(?:loven|lov|forordningen|bekendtgørelsen|vedtægten))(?![\wæøå]).*)$"
)


# ---------------------------------------------------------------------------
# The scan
# ---------------------------------------------------------------------------


def _case_numbers(text: str) -> Iterable[Entity]:
    for number, start, end in iter_case_number_spans(text):
        yield Entity("CASE_NUMBER", number.raw, start, end, number.normalized)


def _personal(text: str) -> Iterable[Entity]:
    return _personal_entities(find_personal_data(text, kinds=("cpr", "email", "phone")))


_DIGIT_RE = re.compile(r"\d")

# Overlaps: the earlier source in this order wins (a CPR number is not a date).
_PRIORITY = {"CPR": 0, "EMAIL": 1, "PHONE": 2, "AMOUNT": 3, "LAW_REF": 4, "CASE_NUMBER": 5, "DATE": 6}


def extract_entities(text: str) -> list[Entity]:
    """Every entity in ``text`` in order of position; overlapping hits resolved by type priority."""
    found: list[Entity] = []
    if any(c.isdigit() for c in text) or "@" in text:
        found += _personal(text)
        found += _amounts(text)
        found += _case_numbers(text)
        found += (Entity("DATE", text[d.start : d.end], d.start, d.end, d.iso) for d in find_dates(text))
    found += _law_refs(text)
    found.sort(key=lambda e: (_PRIORITY[e.label], e.start))
    kept = resolve_overlaps(found, len(text))
    kept.sort(key=lambda e: (e.start, e.end))
    return kept


def resolve_overlaps(ordered: list[Entity], length: int) -> list[Entity]:
    """The entities of ``ordered`` (non-empty spans within ``length`` characters) that overlap no
    earlier kept one, in the order given.

    A map of the characters already taken makes each check cost the length of one entity, so the
    whole pass is linear in the text (comparing each entity with every kept one was quadratic:
    a table of 50,000 amounts took minutes)."""
    taken = bytearray(length)
    kept: list[Entity] = []
    for e in ordered:
        if taken.find(1, e.start, e.end) == -1:
            taken[e.start : e.end] = b"\x01" * (e.end - e.start)
            kept.append(e)
    return kept


# ---------------------------------------------------------------------------
# spaCy
# ---------------------------------------------------------------------------


def _entities_component(doc: Doc) -> Doc:
    from spacy.util import filter_spans

    ours = []
    for e in extract_entities(doc.text):
        span = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
        if span is not None:
            ours.append(span)
    ours = filter_spans(ours)
    taken = {i for span in ours for i in range(span.start, span.end)}
    others = [s for s in doc.ents if not any(i in taken for i in range(s.start, s.end))]
    doc.ents = sorted([*others, *ours], key=lambda s: s.start)
    return doc


@functools.cache
def _register() -> None:
    from spacy.language import Language

    Language.component(COMPONENT, func=_entities_component)


@functools.cache
def get_nlp() -> Language:
    """The shared pipeline: a trained Danish pipeline if installed, else ``spacy.blank("da")``, plus ours."""
    import spacy

    _register()
    nlp = None
    for name in TRAINED_PIPELINES:
        try:
            nlp = spacy.load(name)
            break
        except OSError:
            continue
    if nlp is None:
        nlp = spacy.blank("da")
    nlp.add_pipe(COMPONENT, last=True)
    return nlp


def pipeline_name() -> str:
    """Which base pipeline ``get_nlp`` uses ("blank da" or the trained package's name)."""
    nlp = get_nlp()
    meta_name = nlp.meta.get("name", "")
    return "blank da" if meta_name in ("", "pipeline") else f"{nlp.meta.get('lang')}_{meta_name}"


def entities_from_doc(doc: Doc) -> list[Entity]:
    """Our entity labels from a processed ``Doc`` (spans snapped to tokens)."""
    found = extract_entities(doc.text)
    result = []
    for span in doc.ents:
        if span.label_ not in ENTITY_LABELS:
            continue
        inside = [e for e in found if e.label == span.label_ and span.start_char <= e.start and e.end <= span.end_char]
        value = inside[0].value if inside else None
        result.append(Entity(span.label_, span.text, span.start_char, span.end_char, value))
    return result


@dataclass(frozen=True)
class TextFacts:
    """The facet values of one text: amounts in kroner, legal references, and the laws they name."""

    amounts: tuple[float, ...]
    law_refs: tuple[str, ...]  # normalized references ("§ 17, stk. 4 styrelsesloven"), in text order, unique
    laws: tuple[str, ...]  # law names only ("styrelsesloven"), unique


def _personal_entities(found: Iterable[Finding]) -> Iterable[Entity]:
    for f in found:
        if f.kind == "cpr":
            yield Entity("CPR", f.value, f.start, f.end, cpr_birth_date(f.value))
        elif f.kind == "email":
            yield Entity("EMAIL", f.value, f.start, f.end, f.value.lower())
        elif f.kind == "phone":
            yield Entity("PHONE", f.value, f.start, f.end, "".join(c for c in f.value if c.isdigit())[-8:])


def text_facts(text: str, personal: Sequence[Finding] | None = None) -> TextFacts:
    """Amounts and legal references of ``text`` for search facets and filters. ``personal``: the
    ``find_personal_data(text, kinds=("cpr", "email", "phone"))`` of ``text`` when the caller has them.

    The amounts and references are those ``extract_entities`` keeps. Case numbers and dates rank
    below both in its overlap order, so they never take a span from an amount or a reference and
    are not looked for here."""
    if personal is None:
        personal = find_personal_data(text, kinds=("cpr", "email", "phone"))
    found: list[Entity] = [*_personal_entities(personal)]
    if _DIGIT_RE.search(text):  # every amount holds a digit (``\\d``)
        found += _amounts(text)
    found += _law_refs(text)
    found.sort(key=lambda e: (_PRIORITY[e.label], e.start))
    kept = resolve_overlaps(found, len(text))
    kept.sort(key=lambda e: (e.start, e.end))
    amounts: list[float] = []
    refs: list[str] = []
    laws: list[str] = []
    for e in kept:
        if e.label == "AMOUNT" and isinstance(e.value, float):
            amounts.append(e.value)
        elif e.label == "LAW_REF":
            refs.append(str(e.value))
            name = law_name(e)
            if name:
                laws.append(name)
    return TextFacts(tuple(amounts), tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(laws)))
