"""Both engines behind one interface: same hits, filters, facets, deletes, reopen, snippets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from index.analysis import Analyzer
from index.documents import IndexDoc, amount_band, amount_number, docs_from_record, law_key
from index.engine import Engine, EngineError, open_engine
from index.query import Filters, lower
from parsers.records import (
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Section,
    Source,
    item_key,
)
from parsers.serialize import record_from_json

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
ENGINES = ("whoosh", "tantivy")


def _case(raw: str) -> CaseNumber:
    head, _, tail = raw.rpartition("-")
    normalized = head if "/" in raw and head and tail.isdigit() else raw
    return CaseNumber(raw=raw, normalized=normalized)


def _item(number: int, title: str, text: str, *, cases=(), decision=None, closed=False, attachments=()) -> Item:
    return Item(
        number=number,
        title=title,
        case_numbers=tuple(_case(c) for c in cases),
        closed=closed,
        sections=(Section("Sagsfremstilling", text),),
        decision=decision,
        attachments=tuple(Attachment(a) for a in attachments),
        pages=(number,),
    )


def _meeting_record(sha: str, body: str, date: str, doc_type: str, items: tuple[Item, ...]) -> DocumentRecord:
    return DocumentRecord(
        source=Source(f"/arkiv/{body}/{date}.pdf", sha, "pdf", len(items), "test"),
        kind="meeting",
        meetings=(Meeting(body=body, document_type=doc_type, date=date, items=items, municipality="Aabenraa Kommune"),),
    )


def records() -> list[DocumentRecord]:
    """Hand-built records covering compounds, aa/å, phrases, case numbers and filters."""
    a = "a" * 64
    b = "b" * 64
    c = "c" * 64
    filler = " ".join(f"ord{i}" for i in range(45))  # a gap of 46 positions between two phrase words
    return [
        _meeting_record(
            a,
            "Direktionen",
            "2021-03-01",
            "referat",
            (
                _item(
                    1,
                    "Udmøntning af sygefraværspulje 2021",
                    "Der er afsat en sygefraværspulje på 2 mio. kr. Raadmand Hansen deltog.",
                    cases=("20/057417-5",),
                    decision=Decision("Indstillingen blev godkendt.", "Direktionen", "2021-03-01"),
                    attachments=("Oversigt over puljen",),
                ),
                _item(
                    2,
                    "Svømmehal i Aabenraa",
                    "Svømmehallen i Aabenraa er fra 1974 og skal renoveres.",
                    cases=("21/1234",),
                ),
                _item(3, "Lukket punkt", "Personalesag.", closed=True),
            ),
        ),
        _meeting_record(
            b,
            "Økonomiudvalget",
            "2022-05-02",
            "dagsorden",
            (
                _item(
                    1,
                    "Sygefraværsindsatser",
                    "Indsatser mod højt sygefravær blandt pædagoger. Kontraafgift.",
                    cases=("20/57417",),
                ),
                _item(2, "Budget 2023", f"Budgettet tages {filler} efterretning af udvalget.", cases=("S2022-1234",)),
            ),
        ),
        _meeting_record(
            c,
            "Børne- og Ungeudvalget",
            "2020-11-12",
            "referat",
            (
                _item(
                    4,
                    "Ny skolestruktur i Rødekro",
                    "Forvaltningen har udarbejdet tre modeller for en ny skolestruktur.",
                    cases=("20/9999",),
                    decision=Decision("Sagen blev udsat til næste møde.", "Børne- og Ungeudvalget", "2020-11-12"),
                ),
            ),
        ),
        DocumentRecord(
            source=Source("/arkiv/notat.pdf", "d" * 64, "pdf", 1, "test"),
            kind="other",
            title="Stillings- og kompetenceprofil",
            text="Stillings- og kompetenceprofil for en leder af Åbenrå Svømmehal. Sag: 19/4321-2",
        ),
    ]


def _id(sha_char: str, meeting: int, item: int) -> str:
    return item_key(sha_char * 64, meeting, item)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory) -> Engine:
    directory = tmp_path_factory.mktemp(request.param)
    eng = open_engine(request.param, directory, Analyzer(), create=True)
    eng.build(d for r in records() for d in docs_from_record(r))
    yield eng
    eng.close()


def ids(engine: Engine, query: str, filters: Filters | None = None, limit: int = 20) -> set[str]:
    return {h.doc.id for h in engine.search(lower(query, filters), limit=limit, facets=False).hits}


CASES = [
    ("sygefravær", {_id("a", 0, 0), _id("b", 0, 0)}),
    ("pulje", {_id("a", 0, 0)}),
    ("indsats", {_id("b", 0, 0)}),
    ("skole", {_id("c", 0, 0)}),
    ("Åbenrå", {_id("a", 0, 1), "d" * 16}),
    ("rådmand", {_id("a", 0, 0)}),
    ('"sygefravær blandt"', {_id("b", 0, 0)}),
    ('"blandt sygefravær"', set()),
    ("kontraafgift", {_id("b", 0, 0)}),
    ("case:20/057417", {_id("a", 0, 0), _id("b", 0, 0)}),
    ("20/57417-5", {_id("a", 0, 0), _id("b", 0, 0)}),
    ("case:21/12*", {_id("a", 0, 1)}),
    ("S2022-1234", {_id("b", 0, 1)}),
    ("19/4321", {"d" * 16}),
    ("sygefravær -pulje", {_id("b", 0, 0)}),
    ("title:svømmehal OR decision:godkendt", {_id("a", 0, 0), _id("a", 0, 1)}),
    ("decision:udsættes", {_id("c", 0, 0)}),
    ("title:puljen", {_id("a", 0, 0)}),
    ("oversigt", {_id("a", 0, 0)}),  # attachment titles are searchable
    ("body:økonomi", {_id("b", 0, 0), _id("b", 0, 1)}),
    ("kompetenceprofil", {"d" * 16}),
    ("og", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_hits(engine, query, expected):
    assert ids(engine, query) == expected


FILTERS = [
    (Filters(year=2022), {_id("b", 0, 0)}),
    (Filters(body="Direktionen"), {_id("a", 0, 0)}),
    (Filters(body="direktion"), {_id("a", 0, 0)}),
    (Filters(date_from="2022-01-01"), {_id("b", 0, 0)}),
    (Filters(date_to="01-04-2021"), {_id("a", 0, 0)}),
    (Filters(document_type="dagsorden"), {_id("b", 0, 0)}),
    (Filters(case="20/057417-5"), {_id("a", 0, 0), _id("b", 0, 0)}),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
def test_filters(engine, filters, expected):
    assert ids(engine, "sygefravær", filters) == expected


def test_open_and_closed(engine):
    assert ids(engine, "", Filters(closed=True)) == {_id("a", 0, 2)}
    assert _id("a", 0, 2) not in ids(engine, "", Filters(closed=False))


def test_phrase_with_a_position_gap_of_46(engine):
    # whoosh-ng decodes such a position list as a legacy pickle unless VarintPositions is used
    assert ids(engine, '"budgettet efterretning"') == set()
    assert ids(engine, '"ord44 efterretning"') == {_id("b", 0, 1)}


def test_facets_count_the_whole_result_set(engine):
    result = engine.search(lower("sygefravær OR skolestruktur OR svømmehal"), limit=1)
    assert result.total == 5
    assert len(result.hits) == 1
    assert result.facets["year"] == {"2022": 1, "2021": 2, "2020": 1, "unknown": 1}
    assert result.facets["body"]["Direktionen"] == 2
    assert result.facets["document_type"] == {"referat": 3, "dagsorden": 1, "other": 1}
    assert result.facets["closed"] == {"open": 5}


def test_paging(engine):
    first = engine.search(lower("sygefravær OR skolestruktur OR svømmehal"), limit=2, offset=0)
    second = engine.search(lower("sygefravær OR skolestruktur OR svømmehal"), limit=2, offset=2)
    assert len(first.hits) == 2 and len(second.hits) == 2
    assert not {h.doc.id for h in first.hits} & {h.doc.id for h in second.hits}


def test_snippet_marks_compound_and_old_spelling(engine):
    [pulje] = engine.search(lower("pulje"), limit=1).hits
    assert "**sygefraværspulje**" in pulje.snippet
    hits = engine.search(lower("Åbenrå"), limit=5).hits
    assert any("**Aabenraa**" in h.snippet for h in hits)


def test_get_returns_the_stored_item(engine):
    doc = engine.get(_id("a", 0, 0))
    assert doc is not None
    assert doc.title == "Udmøntning af sygefraværspulje 2021"
    assert doc.details["meeting"]["body"] == "Direktionen"
    assert doc.pages == (1,)
    assert engine.get("nope") is None


def test_all_docs(engine):
    assert {d.id for d in engine.all_docs(lower("sygefravær"))} == {_id("a", 0, 0), _id("b", 0, 0)}


@pytest.mark.parametrize("kind", ENGINES)
def test_delete_add_replace_and_reopen(kind, tmp_path):
    eng = open_engine(kind, tmp_path, Analyzer(), create=True)
    docs = [d for r in records() for d in docs_from_record(r)]
    eng.build(docs)
    total = eng.count()
    eng.add(docs[:2])  # same ids again: replaced, not duplicated
    assert eng.count() == total
    eng.delete_sha256s(["a" * 64])
    assert ids(eng, "pulje") == set()
    eng.close()
    reopened = open_engine(kind, tmp_path, Analyzer())
    assert reopened.count() == total - 3
    assert ids(reopened, "indsats") == {_id("b", 0, 0)}
    reopened.close()


def test_whoosh_commit_does_not_look_for_missing_length_columns_once_per_posting(tmp_path, monkeypatch):
    """whoosh-ng 5.4 stats the disk for every posting of a field without a lengths column
    (about 100 per item); the index writer remembers the answer per field."""
    import os

    eng = open_engine("whoosh", tmp_path, Analyzer(), create=True)
    docs = [d for r in records() for d in docs_from_record(r)] * 20  # same ids: replaced, still postings
    stats = Counter()
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        stats[str(path).rsplit(".", 1)[-1]] += 1
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    eng.build(docs)
    monkeypatch.undo()
    assert stats["col"] < 100, stats  # without the memo: 2,844 for these 140 documents
    assert ids(eng, "pulje") == {_id("a", 0, 0)}
    eng.close()


@pytest.mark.parametrize("kind", ENGINES)
def test_opening_a_missing_index_names_the_folder(kind, tmp_path):
    with pytest.raises(EngineError, match=str(tmp_path)):
        open_engine(kind, tmp_path / "none", Analyzer())


def test_unknown_engine():
    with pytest.raises(EngineError, match="unknown engine"):
        open_engine("lucene", Path("."))


@pytest.mark.skipif(not SAMPLE.exists(), reason="corpus/sample not generated")
def test_both_engines_agree_on_the_sample_corpus(tmp_path):
    gold = sorted(SAMPLE.rglob("*.gold.json"))[:40]
    if not gold:
        pytest.skip("no gold records in corpus/sample")
    docs = [d for f in gold for d in docs_from_record(record_from_json(f.read_text(encoding="utf-8")))]
    engines = {k: open_engine(k, tmp_path / k, Analyzer(), create=True) for k in ENGINES}
    for eng in engines.values():
        eng.build(docs)
    for query in ("sygefravær", "pulje", "Aabenraa", '"offentlig høring"', "budget -regnskab", "skole OR bolig"):
        lowered = lower(query)
        results = {k: e.search(lowered, limit=500) for k, e in engines.items()}
        assert results["whoosh"].total == results["tantivy"].total
        assert {h.doc.id for h in results["whoosh"].hits} == {h.doc.id for h in results["tantivy"].hits}
        assert results["whoosh"].facets == results["tantivy"].facets


# ---------------------------------------------------------------------------
# Amount and law facets and filters
# ---------------------------------------------------------------------------

BEVILLING = (
    "Der søges en anlægsbevilling på 12,5 mio. kr. til ny skole, og driften giver et underskud på -250.000 kr. "
    "Sagen behandles efter Styrelseslovens § 20 og serviceloven § 108, stk. 1."
)


def _facts_record() -> DocumentRecord:
    sha = "f" * 64
    items = (
        _item(1, "Anlægsbevilling", BEVILLING, decision=Decision("Indstillingen blev godkendt.", "Byrådet", None)),
        _item(2, "Tilskud", "Foreningen får et tilskud på 38.000 kroner, jf. § 18 i lov om social service."),
        _item(3, "Orientering", "Orientering om status uden beløb eller paragraffer."),
    )
    return _meeting_record(sha, "Byrådet", "2023-01-10", "referat", items)


def test_amount_band_boundaries():
    assert amount_band(None) == "none"
    assert amount_band(0.0) == "under 100.000 kr."
    assert amount_band(99_999.99) == "under 100.000 kr."
    assert amount_band(100_000.0) == "100.000–1 mio. kr."
    assert amount_band(999_999.0) == "100.000–1 mio. kr."
    assert amount_band(1_000_000.0) == "1–10 mio. kr."
    assert amount_band(10_000_000.0) == "over 10 mio. kr."
    assert amount_band(-2_000_000.0) == "1–10 mio. kr."


def test_law_key_and_amount_number():
    assert law_key("  Styrelseslovens ") == "styrelsesloven"
    assert law_key("Lov om  social service") == "serviceloven"
    assert law_key("lov om kommunernes styrelse") == "styrelsesloven"
    assert law_key("lov om kommunernes styrelsesvedtægt") == "lov om kommunernes styrelsesvedtægt"
    assert law_key("lov om social service kommunen") == "serviceloven"
    assert law_key("lov om socialtilsyn") == "lov om socialtilsyn"
    assert law_key("lov nr. 1, af 2020") == "lov nr. 1 af 2020"
    assert amount_number(0.29) == 29
    assert amount_number(12_500_000.0) == 1_250_000_000


def test_index_doc_keeps_the_largest_amount_and_the_cited_laws():
    first, second, third = docs_from_record(_facts_record())
    assert first.max_amount == 12_500_000.0
    assert first.laws == ("styrelsesloven", "serviceloven")
    assert second.max_amount == 38_000.0 and second.laws == ("serviceloven",)
    assert third.max_amount is None and third.laws == ()
    stored = IndexDoc.from_stored(first.to_stored())
    assert stored == first


@pytest.fixture(scope="module")
def facts_engines(tmp_path_factory):
    """Both engines over the hand-built records plus the amount/law record, the latter in its own
    segment (a whoosh segment without any law must not break the law facet)."""
    engines = {}
    for kind in ENGINES:
        eng = open_engine(kind, tmp_path_factory.mktemp(f"facts-{kind}"), Analyzer(), create=True)
        eng.build(d for r in records() for d in docs_from_record(r))
        eng.add(docs_from_record(_facts_record()))
        eng.add(
            docs_from_record(
                _meeting_record("9" * 64, "Byrådet", "2023-02-01", "dagsorden", (_item(1, "Intet", "Ingen."),))
            )
        )
        engines[kind] = eng
    yield engines
    for eng in engines.values():
        eng.close()


FACT_FILTERS = [
    (Filters(min_amount=1_000_000), {_id("f", 0, 0), _id("a", 0, 0)}),
    (Filters(min_amount=10_000_000), {_id("f", 0, 0)}),
    (Filters(max_amount=2_000_000), {_id("a", 0, 0), _id("f", 0, 1)}),
    (Filters(min_amount=38_000, max_amount=38_000), {_id("f", 0, 1)}),
    (Filters(min_amount=0), {_id("a", 0, 0), _id("f", 0, 0), _id("f", 0, 1)}),
    (Filters(law="serviceloven"), {_id("f", 0, 0), _id("f", 0, 1)}),
    (Filters(law="Styrelseslovens"), {_id("f", 0, 0)}),
    (Filters(law="planloven"), set()),
    (Filters(law="serviceloven", max_amount=100_000), {_id("f", 0, 1)}),
    (Filters(outcome="godkendt"), {_id("a", 0, 0), _id("f", 0, 0)}),
    (Filters(outcome="udsat"), {_id("c", 0, 0)}),
    (Filters(outcome="godkendt", min_amount=5_000_000), {_id("f", 0, 0)}),
]


@pytest.mark.parametrize(("filters", "expected"), FACT_FILTERS)
def test_amount_law_and_outcome_filters_on_both_engines(facts_engines, filters, expected):
    for eng in facts_engines.values():
        assert ids(eng, "", filters) == expected


def test_outcome_unknown_selects_items_without_decision(facts_engines):
    for eng in facts_engines.values():
        found = ids(eng, "", Filters(outcome="unknown"), limit=50)
        assert _id("f", 0, 1) in found and _id("a", 0, 0) not in found and _id("f", 0, 0) not in found


def test_amount_and_law_facets_count_the_whole_result_set(facts_engines):
    for eng in facts_engines.values():
        result = eng.search(lower(""), limit=1)
        assert result.total == 11
        assert result.facets["amount"] == {
            "none": 8,
            "under 100.000 kr.": 1,
            "1–10 mio. kr.": 1,
            "over 10 mio. kr.": 1,
        }
        assert result.facets["law"] == {"serviceloven": 2, "styrelsesloven": 1}
        assert list(result.facets)[-2:] == ["amount", "law"]
        filtered = eng.search(lower("", Filters(law="styrelsesloven")), limit=1)
        assert filtered.facets["law"] == {"serviceloven": 1, "styrelsesloven": 1}
        assert filtered.facets["amount"] == {"over 10 mio. kr.": 1}


def _expected(docs: list[IndexDoc], filters: Filters) -> set[str]:
    """The ids the filters select, computed from the documents without an index."""
    selected = set()
    for d in docs:
        if filters.min_amount is not None and (d.max_amount is None or d.max_amount < filters.min_amount):
            continue
        if filters.max_amount is not None and (d.max_amount is None or d.max_amount > filters.max_amount):
            continue
        if filters.law is not None and law_key(filters.law) not in d.laws:
            continue
        if filters.outcome is not None and (d.outcome or "unknown") != filters.outcome:
            continue
        selected.add(d.id)
    return selected


GOLD_FILTERS = [
    Filters(),
    Filters(min_amount=1_000_000),
    Filters(min_amount=100_000, max_amount=999_999),
    Filters(max_amount=99_999.99),
    Filters(law="serviceloven"),
    Filters(law="offentlighedsloven"),
    Filters(law="styrelsesloven", outcome="godkendt"),
    Filters(outcome="godkendt"),
    Filters(outcome="taget til efterretning", min_amount=1),
]


@pytest.mark.skipif(not SAMPLE.exists(), reason="corpus/sample not generated")
@pytest.mark.parametrize("filters", GOLD_FILTERS)
def test_gold_corpus_filters_and_facets_agree_on_both_engines(gold_engines, filters):
    docs, engines = gold_engines
    expected = _expected(docs, filters)
    results = {k: e.search(lower("", filters), limit=1000) for k, e in engines.items()}
    for result in results.values():
        assert {h.doc.id for h in result.hits} == expected
        assert result.total == len(expected)
    assert results["whoosh"].facets == results["tantivy"].facets
    chosen = [d for d in docs if d.id in expected]
    laws = Counter(law for d in chosen for law in d.laws)
    bands = Counter(amount_band(d.max_amount) for d in chosen)
    assert results["whoosh"].facets["law"] == dict(laws)
    assert results["whoosh"].facets["amount"] == dict(bands)


@pytest.mark.skipif(not SAMPLE.exists(), reason="corpus/sample not generated")
def test_gold_corpus_has_amounts_and_laws_to_filter(gold_engines):
    docs, engines = gold_engines
    facets = engines["tantivy"].search(lower(""), limit=1).facets
    assert facets["amount"]["over 10 mio. kr."] > 0 and facets["amount"]["none"] < len(docs)
    assert {"serviceloven", "offentlighedsloven", "styrelsesloven"} <= set(facets["law"])
    text = engines["whoosh"].search(lower("budget", Filters(min_amount=1_000_000)), limit=1000)
    assert text.total > 0 and all(h.doc.max_amount >= 1_000_000 for h in text.hits)


def test_whoosh_formats_count_space_separated_words_as_whoosh_tokenizes_them():
    """The formats' own word counting gives what whoosh's tokenizer chain gives, including words with
    unusual whitespace, positions and repeated words."""
    from whoosh import formats as whoosh_formats
    from whoosh.analysis import SpaceSeparatedTokenizer

    from index.whoosh_engine import SpaceFrequency, VarintPositions

    tokens = SpaceSeparatedTokenizer()
    value = "skole  skole\tbudget\nbyråd\r\nx\u00a0y skole  "
    for ours, theirs in (
        (VarintPositions(), whoosh_formats.Positions()),
        (SpaceFrequency(), whoosh_formats.Frequency()),
    ):
        assert sorted(ours.word_values(value, tokens)) == sorted(theirs.word_values(value, tokens))
    positions = {
        w: VarintPositions().decode_positions(v) for w, _f, _w, v in VarintPositions().word_values(value, tokens)
    }
    assert positions["skole"] == [0, 1, 5] and positions["x\u00a0y"] == [4]


def _whoosh_postings(directory: Path) -> list[tuple]:
    from whoosh import index as whoosh_index

    out = []
    with whoosh_index.open_dir(str(directory)).reader() as reader:
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            while matcher.is_active():
                out.append((fieldname, term, matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
        out.append(tuple(reader.stored_fields(n)["id"] for n in range(reader.doc_count_all())))
    return out


def test_whoosh_writer_spilling_postings_to_disk_writes_the_same_index(tmp_path, monkeypatch):
    """The compact posting pool holds what fits and spills sorted runs past its limit: an index written
    through a hundred spilled runs equals one written from memory."""
    import index.whoosh_engine as whoosh_engine

    docs = [d for r in records() for d in docs_from_record(r)]
    in_memory = open_engine("whoosh", tmp_path / "memory", Analyzer(), create=True)
    in_memory.build(docs)
    in_memory.close()
    spills = Counter()
    save = whoosh_engine._CompactPool.save
    monkeypatch.setattr(whoosh_engine, "_POOL_MB", 0.002)  # about 20 postings
    monkeypatch.setattr(whoosh_engine._CompactPool, "save", lambda pool: (spills.update(["run"]), save(pool)))
    spilled = open_engine("whoosh", tmp_path / "spilled", Analyzer(), create=True)
    spilled.build(docs)
    assert ids(spilled, "pulje") == {_id("a", 0, 0)}
    spilled.close()
    assert spills["run"] > 10
    assert _whoosh_postings(tmp_path / "spilled") == _whoosh_postings(tmp_path / "memory")
