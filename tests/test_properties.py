"""Property-based tests: the query parser, the Danish recognisers and the structure parser on generated input.

Profiles (``HYPOTHESIS_PROFILE``): ``dev`` (default, random, a few seconds per test), ``ci`` (the same
number of examples, derandomized so a CI run is reproducible; ``make test`` uses it) and ``thorough``
(many more examples, for a run by hand after a parser change).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index.query import (
    QAnd,
    QEmpty,
    QNot,
    QOr,
    QPhrase,
    Query,
    QueryError,
    QWord,
    lower,
    parse_date,
    parse_query,
)
from parsers.casenumbers import case_number_line, find_case_numbers, labelled_case_numbers
from parsers.danish_dates import MONTH_NAMES, find_dates, parse_time_range
from parsers.personal_data import find_personal_data, redact_cpr
from parsers.records import Block, DocumentRecord, ExtractedDocument, Source
from parsers.serialize import record_to_dict
from parsers.structure import build_record

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=60, **_COMMON)
settings.register_profile("ci", max_examples=60, derandomize=True, print_blob=True, **_COMMON)
settings.register_profile("thorough", max_examples=3000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
profile = settings(PROFILE)

SOURCE = Source(path="generated.pdf", sha256="0" * 64, format="pdf", page_count=1, parser_version="test")

# ---------------------------------------------------------------------------
# The query parser
# ---------------------------------------------------------------------------

_QUERY_PIECES = st.sampled_from(
    [
        "sygefravær",
        "budget",
        "skole*",
        "sygefr*",
        "AND",
        "OR",
        "NOT",
        "-",
        "-vej",
        "(",
        ")",
        '"',
        '"cykel sti"',
        '""',
        "title:",
        "title:budget",
        "decision:godkendt",
        "case:22/23184",
        "case:22/231*",
        "case:*",
        "body:Økonomiudvalget",
        "TITLE:x",
        "felt:x",
        "22/23184",
        "20/057417-5",
        "og",
        "af",
        "æøå",
        "aa",
        "2020/21",
        ":",
        "*",
        "\t",
        "\u2011",
        "\x00",
    ]
)
query_texts = st.one_of(
    st.text(max_size=80),
    st.lists(_QUERY_PIECES, max_size=25).map(" ".join),
    st.lists(st.one_of(_QUERY_PIECES, st.text(max_size=6)), max_size=20).map("".join),
)


def render(q: Query) -> str:
    """Query text that parses back to ``q`` (parentheses around every group)."""
    if isinstance(q, QEmpty):
        return ""
    if isinstance(q, QWord):
        return q.text if q.field is None else f"{q.field}:{q.text}"
    if isinstance(q, QPhrase):
        quoted = f'"{q.text}"'
        return quoted if q.field is None else f"{q.field}:{quoted}"
    if isinstance(q, QNot):
        if isinstance(q.child, QWord):
            return "-" + render(q.child)
        return "NOT " + render(q.child)
    joiner = " AND " if isinstance(q, QAnd) else " OR "
    assert isinstance(q, QAnd | QOr)
    return "(" + joiner.join(render(c) for c in q.children) + ")"


def parse_or_usage_error(text: str) -> Query | None:
    try:
        return parse_query(text)
    except QueryError as e:
        assert str(e) and "\n" not in str(e), f"a usage error is one line: {e!r}"
        return None


@profile
@given(query_texts)
@example("(" * 300 + "budget" + ")" * 300)
@example("NOT " * 2500 + "budget")
@example(" ".join(f"ord{i}" for i in range(1400)))
@example(" OR ".join(f"ord{i}" for i in range(1400)))
def test_any_query_text_parses_or_is_a_usage_error(text: str) -> None:
    parsed = parse_or_usage_error(text)
    if parsed is None:
        return
    try:
        lower(parsed)
    except QueryError as e:
        assert str(e) and "\n" not in str(e)


@profile
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["paren", "not", "minus", "or", "and"]))
def test_deep_and_long_queries_never_overflow_the_stack(depth: int, shape: str) -> None:
    text = {
        "paren": "(" * depth + "budget" + ")" * depth,
        "not": "NOT " * depth + "budget",
        "minus": "(-" * depth + "budget" + ")" * depth,
        "or": " OR ".join(["budget"] * depth),
        "and": " ".join(f"ord{i}" for i in range(depth)),
    }[shape]
    parsed = parse_or_usage_error(text)
    if parsed is not None:
        try:
            lower(parsed)
        except QueryError:
            pass


@profile
@given(query_texts)
def test_rendered_query_parses_to_the_same_tree(text: str) -> None:
    parsed = parse_or_usage_error(text)
    if parsed is None:
        return
    again = parse_query(render(parsed))
    assert again == parsed
    assert parse_query(render(again)) == again  # rendering is idempotent


@profile
@given(query_texts)
def test_lowering_depends_only_on_the_parsed_tree(text: str) -> None:
    parsed = parse_or_usage_error(text)
    if parsed is None:
        return
    try:
        first = lower(parsed)
    except QueryError:
        return
    second = lower(render(parsed))
    assert first.node == second.node
    assert first.highlight == second.highlight


@profile
@given(st.text(max_size=30))
def test_any_filter_date_is_iso_or_a_usage_error(text: str) -> None:
    try:
        iso = parse_date(text)
    except QueryError:
        return
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso)
    dt.date.fromisoformat(iso)


# ---------------------------------------------------------------------------
# The Danish recognisers
# ---------------------------------------------------------------------------

# Surrounding text without digits, so a generated value can only be found where we put it.
surrounding = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ .,;:!?()\"'\n\t§%&")),
    max_size=60,
)


def embed(before: str, value: str, after: str) -> str:
    """``value`` between two texts, with a neutral word on its left and a space on its right."""
    return f"{before} sagen {value} {after}"


_DATE_FORMS = ("long", "short", "dash", "dot", "slash", "slash_space", "iso", "dash2")


def format_date(d: dt.date, form: str) -> str:
    month = MONTH_NAMES[d.month - 1]
    return {
        "long": f"{d.day}. {month} {d.year}",
        "short": f"{d.day}. {month[:3]}. {d.year}",
        "dash": f"{d.day:02d}-{d.month:02d}-{d.year}",
        "dot": f"{d.day:02d}.{d.month:02d}.{d.year}",
        "slash": f"{d.day}/{d.month}-{d.year}",
        "slash_space": f"d. {d.day}/{d.month} {d.year}",
        "iso": d.isoformat(),
        "dash2": f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}",
    }[form]


@profile
@given(
    st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2069, 12, 31)),
    st.sampled_from(_DATE_FORMS),
    surrounding,
    surrounding,
)
def test_a_printed_date_is_found_with_its_value(d: dt.date, form: str, before: str, after: str) -> None:
    printed = format_date(d, form)
    text = embed(before, printed, after)
    assert d.isoformat() in [m.iso for m in find_dates(text)], (printed, text)


@profile
@given(st.text(max_size=200))
@example("1" * 5000 + "-" * 5000)
@example("kl. 9" * 2000)
def test_date_and_time_recognisers_never_raise(text: str) -> None:
    for m in find_dates(text):
        dt.date.fromisoformat(m.iso)
        assert 0 <= m.start < m.end <= len(text)
    start, end = parse_time_range(text)
    for value in (start, end):
        assert value is None or re.fullmatch(r"\d{2}:\d{2}", value)


@st.composite
def case_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A printed case number and its normalized form."""
    form = draw(st.sampled_from(["yy_serial", "yy_serial_suffix", "year_serial", "kle", "letter_year", "prefix_year"]))
    digits = st.text(alphabet="0123456789", min_size=1, max_size=1)

    def number(low: int, high: int) -> str:
        return "".join(draw(digits) for _ in range(draw(st.integers(low, high))))

    year = str(draw(st.integers(1990, 2039)))
    if form in ("yy_serial", "yy_serial_suffix"):
        head, serial = f"{draw(st.integers(0, 99)):02d}", number(3, 7)
        if len(serial) == 4 and serial[:2] in ("19", "20") and 1 <= int(head) <= 12:
            serial = "5" + serial  # "11/2023" is a month and a year, not a case
        base = f"{head}/{serial}"
        if form == "yy_serial":
            return base, base
        return f"{base}-{number(1, 4)}", base
    if form == "year_serial":
        raw = f"{year}-{number(5, 8)}"
    elif form == "kle":
        letter = draw(st.sampled_from("ABCGHP"))
        raw = f"{number(2, 2)}.{number(2, 2)}.{number(2, 2)}-{letter}{number(2, 2)}-{number(1, 4)}-{number(2, 2)}"
    elif form == "letter_year":
        raw = f"{draw(st.sampled_from('SKJ'))}{year}-{number(2, 7)}"
    else:
        raw = f"{draw(st.sampled_from(['EMN', 'ACAD', 'BYR']))}-{year}-{number(3, 7)}"
    return raw, raw


@profile
@given(case_numbers(), surrounding, surrounding)
def test_a_printed_case_number_is_found_with_its_value(case: tuple[str, str], before: str, after: str) -> None:
    raw, normalized = case
    found = find_case_numbers(embed(before, raw, after))
    assert (raw, normalized) in [(c.raw, c.normalized) for c in found]


@profile
@given(case_numbers(), st.sampled_from(["Sagsnr.: ", "Sagsnummer ", "J.nr. ", "Sag: ", ""]))
def test_a_case_number_line_is_read_whole(case: tuple[str, str], label: str) -> None:
    raw, normalized = case
    found = case_number_line(label + raw)
    assert found is not None and [(c.raw, c.normalized) for c in found] == [(raw, normalized)]


@profile
@given(st.text(max_size=200))
@example("22/" + "1" * 5000)
@example("Sagsnr.: " + "2" * 5000)
def test_case_number_recognisers_never_raise(text: str) -> None:
    for c in find_case_numbers(text):
        assert c.raw in text and c.normalized
    case_number_line(text)
    labelled_case_numbers(text)


_CPR_DASHES = ("-", "", "\u2013", "\u2011", "\u2010", "\u2012")  # hyphen, none, en dash, non-breaking hyphen, ...


@st.composite
def cpr_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A valid CPR number as ten digits: a real birth date with a 7th digit of the right century."""
    rule = draw(st.sampled_from(["1900s", "4or9", "2000s"]))
    if rule == "1900s":
        born = draw(st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)))
        seventh = draw(st.sampled_from("0123"))
    elif rule == "4or9":
        born = draw(st.dates(dt.date(1937, 1, 1), dt.date(2036, 12, 31)))
        seventh = draw(st.sampled_from("49"))
    else:
        born = draw(st.dates(dt.date(2000, 1, 1), dt.date(2057, 12, 31)))
        seventh = draw(st.sampled_from("5678"))
    serial = seventh + draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return born.strftime("%d%m%y"), serial


@profile
@given(cpr_numbers(), st.sampled_from(_CPR_DASHES), surrounding, surrounding)
def test_a_cpr_number_is_found_and_redacted_whatever_its_dash(
    cpr: tuple[str, str], dash: str, before: str, after: str
) -> None:
    date, serial = cpr
    printed = f"{date}{dash}{serial}"
    text = embed(before, printed, after)
    cprs = [f.value for f in find_personal_data(text, kinds=["cpr"])]
    assert printed in cprs, (printed, cprs)
    redacted, redactions = redact_cpr(text)
    assert serial not in redacted, redacted
    assert [r.original for r in redactions] == [printed]


@profile
@given(cpr_numbers(), st.sampled_from(["CPR ", "CPR-nr.: ", "personnummer "]))
def test_a_labelled_cpr_number_with_a_space_is_found(cpr: tuple[str, str], label: str) -> None:
    date, serial = cpr
    text = f"Borgerens {label}{date} {serial} er noteret."
    assert [f.value for f in find_personal_data(text, kinds=["cpr"])] == [f"{date} {serial}"]


@profile
@given(st.text(max_size=200))
@example("010190-1234" * 2000)
@example("CPR " * 3000)
@example("Sagsbehandler: " + "Anne " * 3000)
def test_personal_data_recognisers_never_raise_and_redaction_is_complete(text: str) -> None:
    findings = find_personal_data(text, known_names=("Anne Hansen",))
    for f in findings:
        assert text[f.start : f.end] == f.value
    redacted, _ = redact_cpr(text)
    assert find_personal_data(redacted, kinds=["cpr"]) == []
    assert redact_cpr(redacted)[0] == redacted


# ---------------------------------------------------------------------------
# The structure parser on generated block streams
# ---------------------------------------------------------------------------

VOCABULARY = (
    "budgettet anlægget cykelstien daginstitutionen renoveringen tilskuddet projektet høringen forslaget "
    "området bevillingen plejecentret trafikken belysningen klimaplanen skolevejen vandløbet borgerne "
    "forvaltningen lokalplanen biblioteket idrætshallen havnen stationen vejbelysning ladestandere "
    "sygefraværet rekrutteringen kapaciteten spildevandet genbrugspladsen naturparken"
).split()
BODIES = ("Økonomiudvalget", "Byrådet", "Teknik- og Miljøudvalget", "Børne- og Ungeudvalget", "Direktionen")
SECTION_HEADINGS = ("Sagsfremstilling", "Baggrund", "Økonomi", "Indstilling", "Vurdering")
CLOSED_FORMS = ("marker_line", "title_dash_lukket", "fortroligt_title", "lukket_moede_line", "lukket_punkt_title")


@dataclass
class GeneratedItem:
    number: int
    title: str
    closed_form: str | None
    paragraphs: list[str]


@dataclass
class GeneratedDocument:
    extracted: ExtractedDocument
    items: list[GeneratedItem]
    body_words: set[str]


@dataclass
class _Line:
    text: str
    bold: bool = False
    size: float = 11.0
    gap: float = 2.0


def _sentence(draw: st.DrawFn, low: int = 3, high: int = 12) -> str:
    chosen = draw(st.lists(st.sampled_from(VOCABULARY), min_size=low, max_size=high))
    return " ".join(chosen).capitalize() + "."


def _item_lines(item: GeneratedItem, family: str, sections: list[tuple[str, list[str]]], referat: bool) -> list[_Line]:
    title = item.title
    if item.closed_form == "title_dash_lukket":
        title = f"{item.title} \u2013 Lukket"
    elif item.closed_form == "fortroligt_title":
        title = f"Fortroligt punkt: {item.title}"
    elif item.closed_form == "lukket_punkt_title":
        title = f"Lukket punkt: {item.title}"
    heading = f"{item.number}. {title}" if family == "dot" else f"Punkt {item.number}: {title}"
    lines = [_Line(heading, bold=True, size=12.0, gap=12.0)]
    if item.closed_form == "marker_line":
        lines.append(_Line("Punktet er lukket.", gap=6.0))
        return lines
    if item.closed_form == "lukket_moede_line":
        lines.append(_Line("Lukket møde", gap=6.0))
        return lines
    if item.closed_form is not None:
        return lines
    for section, paragraphs in sections:
        lines.append(_Line(section, bold=True, gap=8.0))
        lines += [_Line(p, gap=6.0) for p in paragraphs]
    if referat:
        lines.append(_Line("Beslutning", bold=True, gap=8.0))
        lines.append(_Line("Godkendt.", gap=6.0))
    return lines


@st.composite
def generated_documents(draw: st.DrawFn) -> GeneratedDocument:
    """A meeting document as blocks: a head, numbered items with sections, running headers, some closed items."""
    body = draw(st.sampled_from(BODIES))
    referat = draw(st.booleans())
    day = draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
    family = draw(st.sampled_from(["dot", "punkt"]))
    head = [
        _Line(body, bold=True, size=16.0),
        _Line("Referat" if referat else "Dagsorden", bold=True, size=14.0),
        _Line(f"Mødedato: {day.day}. {MONTH_NAMES[day.month - 1]} {day.year}", gap=8.0),
        _Line(f"Mødetid: kl. {draw(st.integers(8, 17)):02d}:00"),
        _Line("Mødested: Rådhuset, mødelokale 2"),
    ]
    items: list[GeneratedItem] = []
    lines = list(head)
    number = 0
    words: set[str] = set()
    for _ in range(draw(st.integers(1, 8))):
        number += draw(st.integers(1, 3))
        title = " ".join(draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=5))).capitalize()
        closed_form = draw(st.one_of(st.none(), st.none(), st.sampled_from(CLOSED_FORMS)))
        sections = [
            (draw(st.sampled_from(SECTION_HEADINGS)), [_sentence(draw) for _ in range(draw(st.integers(1, 3)))])
            for _ in range(draw(st.integers(1, 3)))
        ]
        item = GeneratedItem(number, title, closed_form, [p for _h, ps in sections for p in ps])
        items.append(item)
        lines += _item_lines(item, family, sections, referat)
        words.update(w.lower() for w in title.split())
        if closed_form is None:
            words.update(w.strip(".").lower() for p in item.paragraphs for w in p.split())
    per_page = draw(st.integers(15, 60))
    blocks: list[Block] = []
    pages = 1 + (len(lines) - 1) // per_page
    header = f"{body} - {'Referat' if referat else 'Dagsorden'} - {day.strftime('%d-%m-%Y')}"
    for k, line in enumerate(lines):
        page = 1 + k // per_page
        if k % per_page == 0:
            blocks.append(Block(text=header, page=page, role="header", font_size=8.0, x0=57.0))
        blocks.append(
            Block(text=line.text, page=page, bold=line.bold, font_size=line.size, space_before=line.gap, x0=57.0)
        )
        if k % per_page == per_page - 1 or k == len(lines) - 1:
            blocks.append(Block(text=f"Side {page} af {pages}", page=page, role="footer", font_size=8.0, x0=260.0))
    extracted = ExtractedDocument(format="pdf", page_count=pages, blocks=tuple(blocks), body_font_size=11.0)
    return GeneratedDocument(extracted, items, words)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def record_words(record: DocumentRecord) -> set[str]:
    text = " ".join(_strings(record_to_dict(record))).lower()
    return set(re.findall(r"\w+", text))


@profile
@given(generated_documents())
def test_generated_meeting_keeps_every_item_in_rising_order(doc: GeneratedDocument) -> None:
    record = build_record(doc.extracted, SOURCE)
    assert record.kind == "meeting"
    numbers = [item.number for meeting in record.meetings for item in meeting.items]
    assert numbers == sorted(set(numbers)), f"item numbers do not rise: {numbers}"
    assert numbers == [item.number for item in doc.items]


@profile
@given(generated_documents())
def test_generated_meeting_loses_no_body_word(doc: GeneratedDocument) -> None:
    record = build_record(doc.extracted, SOURCE)
    missing = doc.body_words - record_words(record)
    assert not missing or record.problems, f"words lost without a problem recorded: {sorted(missing)}"


@profile
@given(generated_documents())
def test_generated_closed_items_are_closed_and_open_items_open(doc: GeneratedDocument) -> None:
    record = build_record(doc.extracted, SOURCE)
    parsed = {item.number: item for meeting in record.meetings for item in meeting.items}
    for item in doc.items:
        got = parsed.get(item.number)
        assert got is not None, f"item {item.number} ({item.closed_form or 'open'}) is missing"
        if item.closed_form is None:
            assert not got.closed, f"open item {item.number} {got.title!r} read as closed"
        else:
            assert got.closed, f"item {item.number} closed by {item.closed_form} read as open: {got.title!r}"


def _free_block(draw: st.DrawFn, page: int) -> Block:
    text = draw(
        st.one_of(
            st.text(min_size=1, max_size=60),
            st.sampled_from(
                [
                    "1.",
                    "Punkt 3",
                    "Lukket",
                    "Beslutning",
                    "Bilag",
                    "Bilag: Ingen",
                    "Indhold",
                    "Sagsnr.:",
                    "Sagsnr.: 22/23184",
                    "Mødedato: 31-02-2020",
                    "Kl. 25:99",
                    "Til:",
                    "Fra:",
                    "Lukkede punkter",
                    "Punktet er lukket",
                    "2. behandling af budget ....... 4",
                    "999. Titel",
                    "0. Nul",
                    "\t",
                    "Referat",
                    "Dagsorden",
                    "Økonomiudvalget",
                ]
            ),
            st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8).map(" ".join),
        )
    )
    text = " ".join(text.split()) if "\t" not in text else text
    if not text.strip():
        text = "tekst"
    return Block(
        text=text,
        page=page,
        role=draw(st.sampled_from(["body", "body", "body", "header", "footer"])),
        bold=draw(st.booleans()),
        heading_level=draw(st.one_of(st.none(), st.integers(1, 9))),
        font_size=draw(st.one_of(st.none(), st.floats(4.0, 40.0))),
        list_label=draw(st.one_of(st.none(), st.sampled_from(["1.", "2.", "•", "a)"]))),
        in_table=draw(st.booleans()),
        space_before=draw(st.one_of(st.none(), st.floats(-5.0, 100.0))),
        x0=draw(st.one_of(st.none(), st.floats(0.0, 600.0))),
    )


@st.composite
def free_block_streams(draw: st.DrawFn) -> ExtractedDocument:
    count = draw(st.integers(1, 60))
    blocks = []
    page = 1
    for _ in range(count):
        page += draw(st.sampled_from([0, 0, 0, 1]))
        blocks.append(_free_block(draw, page))
    fmt = draw(st.sampled_from(["pdf", "docx", "html"]))
    return ExtractedDocument(format=fmt, page_count=page, blocks=tuple(blocks), body_font_size=11.0)


@profile
@given(free_block_streams())
def test_structure_parser_never_raises_on_any_block_stream(extracted: ExtractedDocument) -> None:
    record = build_record(extracted, SOURCE)
    assert record.kind in ("meeting", "other")
    for meeting in record.meetings:
        numbers = [item.number for item in meeting.items]
        assert numbers == sorted(numbers), f"item numbers do not rise: {numbers}"
