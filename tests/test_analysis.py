"""The Danish analysis shared by both engines: folding, aa→å, stop words, stemming, compounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analysis import STOP_WORDS, Analyzer, fold, fold_aa, learn_lexicon, stem, tokenize, words
from index.lexicon import EMPTY, load_lexicon


@pytest.mark.parametrize(
    ("old", "new"),
    [("Aabenraa", "Åbenrå"), ("Raadmand", "Rådmand"), ("AARHUS", "Århus"), ("Aastien", "Åstien"), ("aaen", "åen")],
)
def test_old_spelling_aa_is_å(old, new):
    assert fold(old) == fold(new)
    assert stem(fold(old)) == stem(fold(new))


@pytest.mark.parametrize("word", ["kontraafgift", "ekstraarbejde", "dataanalyse", "Kontraangreb"])
def test_aa_across_a_known_morpheme_boundary_stays(word):
    assert "aa" in fold(word)
    assert fold_aa(word.lower()) == word.lower()


def test_danish_letters_stay_distinct():
    assert len({fold("sæl"), fold("søl"), fold("sål"), fold("sal")}) == 4
    assert fold("Ærø") == "ærø"


def test_foreign_accents_are_dropped_but_swedish_letters_map_to_danish():
    assert fold("Café") == "cafe"
    assert fold("Malmö") == "malmø"


def test_tokenize_keeps_offsets_and_splits_on_punctuation():
    text = "Sagen, jf. bilag 2."
    assert [(w, text[s:e]) for w, s, e in tokenize(text)] == [(w, w) for w in ("Sagen", "jf", "bilag", "2")]


def test_stop_words_are_dropped_from_terms():
    analyzer = Analyzer()
    assert analyzer.terms("Det er til orientering") == [stem("orientering")]
    assert {"og", "til", "af"} <= STOP_WORDS


@pytest.mark.parametrize(
    "forms",
    [
        ("indsats", "indsatser", "indsatsen"),
        ("budget", "budgettet", "budgetter"),
        ("godkende", "godkendt", "godkendes", "godkendelse"),
        ("udsat", "udsættes", "udsætte"),
        ("beslutning", "beslutningen", "beslutninger"),
        ("sygefravær", "sygefraværet"),
    ],
)
def test_inflected_forms_share_one_stem(forms):
    assert len({stem(fold(f)) for f in forms}) == 1


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("sygefraværspulje", "sygefravær"),
        ("sygefraværspulje", "pulje"),
        ("sygefraværsindsatser", "sygefravær"),
        ("sygefraværsindsatser", "indsats"),
        ("børnehave", "have"),
        ("skolestruktur", "skole"),
        ("klimatilpasning", "tilpasning"),
        ("anlægspuljen", "pulje"),
        ("styrelsesvedtægten", "vedtægt"),
        ("merforbruget", "forbrug"),
        ("budgetforliget", "budget"),
        ("handicapområdet", "området"),
    ],
)
def test_compound_parts_are_indexed(compound, part):
    assert stem(fold(part)) in Analyzer().parts(fold(compound))


def test_words_that_are_not_compounds_are_not_split():
    analyzer = Analyzer()
    for word in (
        "beslutning",
        "forslag",
        "forvaltningernes",
        "boligerne",
        "festival",
        "indstilling",
        "institutioner",
        "organisation",
        "dagsorden",
    ):
        assert analyzer.parts(fold(word)) == []


def test_learned_lexicon_adds_parts_the_builtin_list_lacks():
    plain = Analyzer(dictionary=EMPTY)
    assert plain.split("havnebadsordning") is None
    learned = Analyzer(learn_lexicon(["Havnebad er populært. En ny ordning."]), dictionary=EMPTY)
    assert learned.split("havnebadsordning") == ("havnebad", "ordning")


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("rygestopkurser", "rygestop"),
        ("tandsundhedsplanen", "tandsundhed"),
        ("tandsundhedsplanen", "plan"),
        ("aflastningstilbud", "aflastning"),
        ("asbesthåndteringen", "håndtering"),
        ("grundvandsbeskyttelse", "grundvand"),
        ("arbejdsmiljøorganisation", "arbejdsmiljø"),
        ("kommunalbestyrelsen", "bestyrelse"),
    ],
)
def test_the_danish_dictionary_splits_compounds_of_ordinary_words(compound, part):
    """Words no built-in list holds, split with the hunspell-da lexicon (index.lexicon)."""
    assert load_lexicon().source, "hunspell-da is not installed (make setup installs it)"
    assert stem(fold(part)) in Analyzer().parts(fold(compound))


def test_compound_lexicon_is_cached_and_the_same_from_the_cache(tmp_path, monkeypatch):
    from index import lexicon

    dic = Path(lexicon.DEFAULT_DIC)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lexicon._load.cache_clear()
    first = lexicon.load_lexicon(dic)
    assert list((tmp_path / "arkiv").glob("compound-lexicon-v*.tsv"))
    lexicon._load.cache_clear()
    again = lexicon.load_lexicon(dic)
    assert again == first
    assert "arbejds" in first.heads and "be" not in first.heads and "forslag" in first.tails


def test_short_parts_come_from_the_dictionarys_own_compounds():
    """Two- and three-letter parts are those that begin or end many of hunspell-da's own compounds."""
    lexicon = load_lexicon()
    assert {"by", "el"} <= lexicon.short_heads and not {"bo", "ko", "hø"} & lexicon.short_heads
    assert {"sag", "tid", "tal", "vogn", "værk"} <= lexicon.productive_tails
    assert not {"ion", "ler", "lighed", "ende"} & lexicon.productive_tails
    analyzer = Analyzer()
    assert analyzer.split("byfortætning") == ("by", "fortætning")
    assert analyzer.split("elaftaler") == ("el", "aftaler")
    assert analyzer.split("befolkningstal") == ("befolknings", "tal")
    assert analyzer.split("kunstværk") == ("kunst", "værk")
    for whole in ("velfærd", "baggrund", "institutioner", "forslag", "festival"):
        assert analyzer.split(whole) is None, whole


def test_a_lexicalised_word_splits_after_a_short_head_only_if_it_inflects_like_its_tail():
    """``byråd`` inflects like ``råd`` in hunspell-da; ``fritid`` not like ``tid``, ``deltager`` is no verb form."""
    analyzer = Analyzer()
    assert analyzer.split("byrådet") == ("by", "rådet")
    assert analyzer.split("byråds") == ("by", "råds")
    for whole in ("fritiden", "deltager", "generation", "fortegnelse"):
        assert analyzer.split(whole) is None, whole


def test_dictionary_entries_with_morphological_fields_are_read(tmp_path, monkeypatch):
    """hunspell-da writes ``kælder/14,10,13,39,31 al:kældere``: the flags before the space count."""
    from index import lexicon

    dic = tmp_path / "da_DK.dic"
    dic.write_text("3\nkælder/31 al:kældere\nlokale/39\na cappella\n", encoding="utf-8")
    (tmp_path / "da_DK.aff").write_bytes(lexicon.DEFAULT_DIC.with_suffix(".aff").read_bytes())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    read = lexicon.load_lexicon(dic)
    assert "kælder" in read.heads and "lokale" in read.tails and "cappella" not in read.known
    assert Analyzer(dictionary=read).split("kælderlokale") == ("kælder", "lokale")


def test_split_precision_and_recall_on_the_gold_compounds():
    """The hand-written splits of real compounds (index/data/compounds_gold.tsv)."""
    from index.compound_eval import load_gold_splits, score_splits

    gold = load_gold_splits()
    assert len(gold) >= 300
    score = score_splits(Analyzer(), gold)
    assert score.precision >= 0.95
    assert score.recall >= 0.93


def test_the_gold_compounds_are_cut_in_two_fixed_halves():
    from index.compound_eval import gold_half, load_gold_splits

    gold = load_gold_splits()
    held_out = [g for g in gold if gold_half(g.word) == "held_out"]
    assert 0.4 * len(gold) < len(held_out) < 0.6 * len(gold)
    assert gold_half("byrådsmedlem") == gold_half("byrådsmedlem")
    assert {gold_half(g.word) for g in gold} == {"tune", "held_out"}


def test_analyze_gives_whole_words_and_parts_separately():
    main, parts = Analyzer().analyze("Udmøntning af sygefraværspulje")
    assert main.split() == [stem("udmøntning"), stem("sygefraværspulje")]
    assert stem("pulje") in parts.split() and stem("sygefraværspulje") not in parts.split()


def test_word_matches_uses_stems_and_parts():
    analyzer = Analyzer()
    assert analyzer.word_matches("Sygefraværspuljen", {stem("pulje")})
    assert analyzer.word_matches("AABENRAA", {stem("åbenrå")})
    assert not analyzer.word_matches("og", {"og"})


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåÆØÅAÉé -", max_size=30))
def test_fold_is_idempotent(text):
    once = [fold(w) for w in text.split()]
    assert [fold(w) for w in once] == once


@given(st.text(alphabet="abcæøå", min_size=1, max_size=12))
def test_fold_keeps_æøå(word):
    folded = fold(word)
    assert folded.count("æ") == word.count("æ") and folded.count("ø") == word.count("ø")
    assert folded.count("å") >= word.count("å")


@given(st.text(max_size=60))
def test_words_never_fails_and_yields_lowercase(text):
    assert all(w == w.lower() for w in words(text))


def test_the_analysis_does_not_depend_on_the_order_texts_arrive_in():
    texts = ["Havnebad og ordning.", "Sygefravær i plejen; asbesthåndtering.", "Rygestopkurser tilbydes."]
    one = Analyzer(learn_lexicon(texts))
    other = Analyzer(learn_lexicon(reversed(texts)))
    sample = "Havnebadsordningen, sygefraværspuljen, asbesthåndteringen og rygestopkurserne"
    assert one.analyze(sample) == other.analyze(sample)
    assert one.lexicon == other.lexicon


def test_without_the_dictionary_the_builtin_and_learned_parts_still_split(monkeypatch):
    from index import lexicon

    monkeypatch.setenv("ARKIV_HUNSPELL_DIC", "")
    assert lexicon.dictionary_path() is None
    assert lexicon.load_lexicon() is EMPTY
    analyzer = Analyzer(learn_lexicon(["Havnebad er populært. En ny ordning."]), dictionary=lexicon.load_lexicon())
    assert stem("pulje") in analyzer.parts("sygefraværspulje")
    assert analyzer.split("havnebadsordning") == ("havnebad", "ordning")


def test_a_broken_gold_split_line_names_the_file_and_line(tmp_path):
    from index.compound_eval import GoldSplitError, load_gold_splits

    path = tmp_path / "gold.tsv"
    path.write_text("# comment\nanlægsbevilling\tanlægs|bevilling\nforslag\tfor|slagx\n", encoding="utf-8")
    with pytest.raises(GoldSplitError, match=r"gold.tsv:3: write"):
        load_gold_splits(path)


def test_the_c_stemmer_in_use_gives_the_stems_of_the_python_snowball_stemmer() -> None:
    """PyStemmer (C) stems the index; the pure-Python Snowball Danish stemmer it replaced gives the same stems,
    so an index built with either is the same. Every fifth word of the Danish dictionary, in its printed and
    folded forms, the irregular forms and words with the letters the analysis keeps."""
    from snowballstemmer.danish_stemmer import DanishStemmer

    from index import analysis
    from index.analysis import IRREGULAR
    from index.lexicon import dictionary_path

    assert type(analysis._stemmer).__module__ == "Stemmer"
    python = DanishStemmer()
    sample = {*IRREGULAR, *IRREGULAR.values(), "godkendelsesprocedurerne", "budgettet", "indsatser", "ældreområdet"}
    dic = dictionary_path()
    if dic is not None:
        lines = dic.read_text(encoding="utf-8", errors="replace").splitlines()[1::5]
        sample |= {w for line in lines if line.strip() for w in (line.split("/")[0].split()[0],) for w in (w, fold(w))}
    for word in sorted(sample):
        once = python.stemWord(word)
        assert (analysis._stemmer.stemWord(word), analysis._stemmer.stemWord(once)) == (once, python.stemWord(once))
