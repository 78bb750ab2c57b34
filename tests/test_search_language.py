"""Danish municipal language on both engines: compounds from the dictionary without flooding,
synonyms of local government, and "did you mean" (index.analysis, index.synonyms, index.suggest)."""

from __future__ import annotations

import hashlib

import pytest

from index.analysis import Analyzer, learn_lexicon
from index.documents import IndexDoc
from index.engine import Engine, open_engine
from index.query import lower
from index.suggest import edit_distance, suggest
from index.synonyms import SynonymTableError, parse_synonyms

ENGINES = ("whoosh", "tantivy")

TEXTS = {
    "forslag-1": ("Forslag til budget 2024", "Økonomiudvalget drøftede forslaget til budget."),
    "forslag-2": ("Ændringsforslag fra Enhedslisten", "Ændringsforslaget blev forkastet."),
    "forslag-3": ("Borgerforslag om cykelstier", "Et borgerforslag om nye cykelstier i midtbyen."),
    "slag": ("Slaget ved havnen", "Et slag om havnens fremtid: byrådet holder fast i planen."),
    "festival-1": ("Støtte til festival", "Festivalen på havnen får tilskud fra kulturpuljen."),
    "festival-2": ("Festivalplads", "En ny festivalplads ved stranden; pladsen ryddes efter hver festival."),
    "fest": ("Byfest i midtbyen", "Kommunen holder en byfest for borgerne; festen er gratis."),
    "by": ("Handel i en lille by", "Butikkerne i en by ved havnen får ny parkering."),
    "rygestop": ("Rygestopkurser", "Tilbud om rygestopkurser til borgere i sundhedscentret."),
    "tandpleje": ("Tandsundhedsplanen", "Byrådet godkendte tandsundhedsplanen for børn og unge."),
    "service": ("Hjælp efter lov om social service", "Bevilling af hjælp efter lov om social service § 85."),
    "paragraf": ("Møde i § 17, stk. 4-udvalget", "Paragraf 17, stk. 4-udvalget om ældreliv mødtes."),
    "afstemning": ("Budgetforlig", "For stemte: A, V og C. Imod stemte Enhedslisten."),
    "sygefravær-1": ("Sygefravær i ældreplejen", "Sygefraværet er faldet; sygefravær følges månedligt."),
    "sygefravær-2": ("Sygefravær på skolerne", "Indsats mod sygefravær blandt lærerne."),
    "sygefravær-3": ("Sygefraværspulje", "Puljen til nedbringelse af sygefravær fordeles."),
    "sygefravær-4": ("Sygefravær i administrationen", "Status for sygefravær i administrationen."),
    "sygefravær-5": ("Sygefravær og trivsel", "Sygefravær og trivsel i dagtilbud."),
    "sygefravær-6": ("Sygefravær 2023", "Årsopgørelse over sygefravær."),
}


def _doc(key: str, title: str, text: str) -> IndexDoc:
    sha = hashlib.sha256(key.encode()).hexdigest()
    return IndexDoc(
        id=key,
        sha256=sha,
        kind="item",
        title=title,
        text=text,
        decision="",
        attachments=(),
        case_numbers=(),
        body="Byrådet",
        municipality="Aarhus Kommune",
        document_type="referat",
        date="2024-05-01",
        closed=False,
        outcome=None,
        personal_data=False,
        source_path=f"/arkiv/{key}.pdf",
        pages=(1,),
        item_number=1,
        details={"sections": [], "decision": None, "category": None, "meeting": None, "source": {}},
    )


DOCS = [_doc(key, title, text) for key, (title, text) in TEXTS.items()]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory) -> Engine:
    analyzer = Analyzer(learn_lexicon(f"{d.title}\n{d.text}" for d in DOCS))
    eng = open_engine(request.param, tmp_path_factory.mktemp(request.param), analyzer, create=True)
    eng.add(DOCS)
    yield eng
    eng.close()


def ids(engine: Engine, query: str) -> set[str]:
    return {h.doc.id for h in engine.search(lower(query), limit=50, facets=False).hits}


def test_slag_does_not_return_every_forslag(engine):
    assert ids(engine, "slag") == {"slag"}
    assert ids(engine, "forslag") >= {"forslag-1", "forslag-2", "forslag-3"}


def test_a_two_letter_part_is_no_term_of_its_own(engine):
    assert ids(engine, "by") == {"by"}  # not every item that names the byråd, the byfest or the midtby
    assert {"slag", "tandpleje"} <= ids(engine, "byråd")
    assert "slag" in ids(engine, "råd")  # the other part of by|råd is still found


def test_fest_does_not_return_every_festival(engine):
    assert ids(engine, "fest") == {"fest"}
    assert ids(engine, "festival") == {"festival-1", "festival-2"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("rygestop", "rygestop"), ("tandsundhed", "tandpleje"), ("kurser", "rygestop"), ("plan", "tandpleje")],
)
def test_compound_parts_from_the_dictionary_find_the_compound(engine, query, expected):
    assert expected in ids(engine, query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ØU", {"forslag-1"}),
        ("serviceloven", {"service"}),
        ("servicelov", {"service"}),
        ("§ 17, stk. 4-udvalg", {"paragraf"}),
        ('"paragraf 17 stk. 4-udvalg"', {"paragraf"}),
        ("Ø", {"forslag-2", "afstemning"}),
        ("BR", {"slag", "tandpleje"}),
    ],
)
def test_synonyms_of_local_government(engine, query, expected):
    assert ids(engine, query) == expected


def test_synonyms_give_the_same_hits_on_both_engines(tmp_path):
    analyzer = Analyzer(learn_lexicon(f"{d.title}\n{d.text}" for d in DOCS))
    runs = {}
    for kind in ENGINES:
        eng = open_engine(kind, tmp_path / kind, analyzer, create=True)
        eng.add(DOCS)
        runs[kind] = [ids(eng, q) for q in ("ØU", "lov om social service", "Ø", "A", "KB", "§ 17, stk. 4-udvalg")]
        eng.close()
    assert runs["whoosh"] == runs["tantivy"]


def test_a_party_letter_finds_the_party_but_not_the_other_way_round():
    table = parse_synonyms("Ø => enhedslisten\nØU = økonomiudvalget\n")
    assert table.others(table.key("Ø")) == [table.key("enhedslisten")]
    assert table.others(table.key("enhedslisten")) == []
    assert table.others(table.key("økonomiudvalget")) == [table.key("ØU")]


def test_a_broken_synonym_line_names_the_file_and_line():
    with pytest.raises(SynonymTableError, match=r"table.tsv:2: write"):
        parse_synonyms("a = b\nkun ét ord\n", "table.tsv")


def test_edit_distance_counts_swaps_as_one_edit():
    assert edit_distance("sygefravær", "sygefravær") == 0
    assert edit_distance("sygefarvær", "sygefravær") == 1
    assert edit_distance("sygefrvr", "sygefravær") == 2
    assert edit_distance("budget", "sygefravær") == 3


@pytest.mark.parametrize(
    ("query", "corrected"),
    [("sygefravr", "sygefravær"), ("sygefarvær", "sygefravær"), ("sygfravær skolerne", "sygefravær skolerne")],
)
def test_did_you_mean_corrects_a_misspelled_word(engine, query, corrected):
    found = suggest(engine, query)
    assert found is not None and found.query == corrected


def test_did_you_mean_keeps_words_the_archive_knows(engine):
    assert suggest(engine, "sygefravær") is None
    assert suggest(engine, "rygestop") is None  # known as a compound part
    assert suggest(engine, '"sygefravr" -fest case:22/1234') is None
