"""The query model: parsing, errors with one-line reasons, lowering to engine-neutral nodes."""

from __future__ import annotations

import pytest

from index.analysis import stem
from index.query import (
    All,
    And,
    Filters,
    Nothing,
    Or,
    Phrase,
    Prefix,
    QAnd,
    QNot,
    QOr,
    QPhrase,
    QueryError,
    QWord,
    Range,
    Term,
    lower,
    parse_date,
    parse_query,
)


def test_words_are_anded():
    assert parse_query("sygefravær pulje") == QAnd((QWord("sygefravær"), QWord("pulje")))


def test_operators_phrases_fields_and_negation():
    q = parse_query('title:budget OR (decision:"taget til efterretning" NOT lukket) -pulje')
    assert q == QOr(
        (
            QWord("budget", "title"),
            QAnd((QAnd((QPhrase("taget til efterretning", "decision"), QNot(QWord("lukket")))), QNot(QWord("pulje")))),
        )
    )


def test_explicit_and_is_the_same_as_juxtaposition():
    assert parse_query("a AND b") == parse_query("a b")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('"sygefravær pulje', "unbalanced quote"),
        ("farve:rød", "unknown field 'farve'"),
        ("(budget", "unbalanced '('"),
        ("budget)", "unexpected ')'"),
        ("budget OR", "ends with an operator"),
        ("AND budget", "needs a word on both sides"),
        ("title:", "needs a value"),
    ],
)
def test_bad_queries_raise_query_error_with_reason(text, reason):
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("bad", ["31-02-2020", "2020-13-01", "i går", "2020/02/30"])
def test_bad_dates_are_query_errors(bad):
    with pytest.raises(QueryError, match="not a valid date"):
        Filters(date_from=bad)


def test_dates_in_danish_order_are_accepted():
    assert parse_date("28-02-2020") == "2020-02-28"
    assert parse_date("28.02.2020") == "2020-02-28"
    assert Filters(date_to="1/3/2021").date_to == "2021-03-01"


def test_from_after_to_is_an_error():
    with pytest.raises(QueryError, match="after"):
        Filters(date_from="2021-01-01", date_to="2020-01-01")


def test_a_word_searches_title_text_and_their_parts():
    node = lower("Sygefraværet").node
    assert isinstance(node, Or)
    s = stem("sygefravær")
    assert {(t.field, t.term) for t in node.should} == {
        ("title", s),
        ("title_parts", s),
        ("text", s),
        ("text_parts", s),
    }


def test_phrase_drops_stop_words_and_keeps_order():
    node = lower('"tages til efterretning"').node
    assert Phrase("text", (stem("tages"), stem("efterretning"))) in node.should


def test_a_bare_case_number_searches_the_case_field_by_its_canonical_key():
    node = lower("20/057417-5").node
    assert Term("case", "20/57417") in node.should
    assert Term("case", "20/057417-5", 2.0) in node.should


def test_case_prefix():
    assert lower("case:22/23*").node == Prefix("case", "22/23")


def test_stop_words_only_match_nothing_and_are_ignored_inside_a_query():
    assert isinstance(lower("og").node, Nothing)
    assert lower("og budget").node == lower("budget").node


def test_negation_alone_means_everything_but():
    node = lower("-pulje").node
    assert isinstance(node, And) and node.must == (All(),) and len(node.must_not) == 1


def test_filters_become_and_clauses():
    node = lower("budget", Filters(body="Børne", year=2021, document_type="referat", closed=False)).node
    assert isinstance(node, And)
    assert Prefix("body", "børne") in node.must
    assert Range("date", 20210101, 20211231) in node.must
    assert Term("document_type", "referat") in node.must
    assert Term("closed", "open") in node.must


def test_highlight_stems_come_from_positive_terms_only():
    lowered = lower("sygefravær -pulje")
    assert lowered.highlight == {stem("sygefravær")}
