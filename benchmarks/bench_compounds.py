"""Compound splitting on real words: split precision/recall and the coverage of candidate lexicons.

    python benchmarks/bench_compounds.py --json benchmarks/results/bench_compounds.json
    python benchmarks/bench_compounds.py --spacy-wheel spacy_lookups_data-1.0.5-py2.py3-none-any.whl

Split precision and recall are counted over split points of the hand-split real compounds in
``index/data/compounds_gold.tsv`` (``index.compound_eval``), for the analyzer with the Danish
dictionary alone and with the words learned from the real documents of the judged set (what
``arkiv index`` does for an archive of them), and for the built-in parts list of before
(dictionary switched off) as the reference.

Analysis speed: words of the real documents analysed per second by each analyzer, caches cold
(the indexing cost the dictionary adds; ``bench_search.py`` measures whole index builds).

Coverage of a lexicon, over the distinct words of 4+ letters of those documents: the share it
knows, as a form or through its stem; and over the parts of the gold compounds (linking -s-/-e-
dropped when the rest is a word): the share it knows. spaCy's Danish lookup table
(``spacy-lookups-data``, form → lemma) is read from its wheel when ``--spacy-wheel`` is given
(``pip download spacy-lookups-data --no-deps``); it is measured, not used: its words, taken as
compound parts the way the archive's words are, give the split figures ``spacy_lookups_and_archive_*``.

Each split figure is also given for the two halves of the gold table (``index.compound_eval.gold_half``):
``*_tune_*`` is the half the rules were tuned on, ``*_held_out_*`` the half they were not.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index import analysis  # noqa: E402
from index.analysis import Analyzer, learn_lexicon, stem, words  # noqa: E402
from index.compound_eval import HALVES, gold_half, load_gold_splits, score_splits  # noqa: E402
from index.judged import REAL_QUERIES, load_real_queries  # noqa: E402
from index.lexicon import EMPTY, load_lexicon  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _texts(realdocs: Path) -> list[str]:
    from search_cli.eval_commands import realdocs_index_docs

    documents, _queries = load_real_queries(REAL_QUERIES)
    with tempfile.TemporaryDirectory(prefix="bench-compounds-") as tmp:
        docs = realdocs_index_docs(realdocs, documents, Path(tmp))
    return [f"{d.title}\n{d.text}\n{d.decision}" for d in docs]


def _gold_parts() -> list[str]:
    parts: list[str] = []
    for entry in load_gold_splits():
        cuts = [0, *sorted(entry.points), len(entry.word)]
        if len(cuts) > 2:
            parts.extend(entry.word[a:b] for a, b in zip(cuts, cuts[1:], strict=False))
    return parts


def _spacy_forms(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        table = json.loads(gzip.decompress(archive.read("spacy_lookups_data/data/da_lemma_lookup.json.gz")))
    return {w.lower() for w in table} | {str(v).lower() for v in table.values()}


def _coverage(known: set[str], known_stems: set[str], vocabulary: set[str], parts: list[str]) -> dict[str, float]:
    def knows(word: str) -> bool:
        return word in known or stem(word) in known_stems

    def knows_part(part: str) -> bool:
        return knows(part) or (part[-1:] in ("s", "e") and knows(part[:-1]))

    return {
        "words": round(sum(knows(w) for w in vocabulary) / len(vocabulary), 4),
        "compound_parts": round(sum(knows_part(p) for p in parts) / len(parts), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--realdocs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--spacy-wheel", type=Path, default=None, help="the spacy-lookups-data wheel to measure")
    parser.add_argument("--json", metavar="PATH", default=None, help="write the figures here as a flat JSON object")
    args = parser.parse_args(argv)

    texts = _texts(args.realdocs)
    learned = learn_lexicon(texts)
    gold = load_gold_splits()
    figures: dict[str, float | int | str] = {
        "gold_words": len(gold),
        "gold_compounds": sum(bool(g.points) for g in gold),
    }
    halves = {half: [g for g in gold if gold_half(g.word) == half] for half in HALVES}
    for half, entries in halves.items():
        figures[f"gold_{half}_words"] = len(entries)
    start = time.perf_counter()
    dictionary = load_lexicon()
    figures["dictionary"] = dictionary.source
    figures["dictionary_load_s"] = round(time.perf_counter() - start, 2)
    systems = {
        "builtin_parts": Analyzer(learned, dictionary=EMPTY),
        "dictionary": Analyzer(dictionary=dictionary),
        "dictionary_and_archive": Analyzer(learned, dictionary=dictionary),
    }
    n_words = sum(len(words(t)) for t in texts)
    figures["analysed_words"] = n_words
    for name, analyzer in systems.items():
        analysis._stem_cache.clear()  # the module's stem cache is shared by all analyzers
        start = time.perf_counter()
        for text in texts:  # the real documents' text, each analyzer with cold caches
            analyzer.analyze(text)
        figures[f"{name}_analyse_words_per_s"] = round(n_words / (time.perf_counter() - start))
        score = score_splits(analyzer, gold)
        figures[f"{name}_precision"] = round(score.precision, 4)
        figures[f"{name}_recall"] = round(score.recall, 4)
        for half, entries in halves.items():
            score = score_splits(analyzer, entries)
            figures[f"{name}_{half}_precision"] = round(score.precision, 4)
            figures[f"{name}_{half}_recall"] = round(score.recall, 4)

    vocabulary = {w for text in texts for w in words(text) if len(w) >= 4 and w.isalpha()}
    parts = _gold_parts()
    figures["vocabulary_words"] = len(vocabulary)
    hunspell = _coverage(set(dictionary.known), set(dictionary.known_stems), vocabulary, parts)
    figures["hunspell_da_word_coverage"] = hunspell["words"]
    figures["hunspell_da_part_coverage"] = hunspell["compound_parts"]
    if args.spacy_wheel is not None:
        forms = _spacy_forms(args.spacy_wheel)
        spacy = _coverage(forms, {stem(f) for f in forms}, vocabulary, parts)
        figures["spacy_lookups_da_word_coverage"] = spacy["words"]
        figures["spacy_lookups_da_part_coverage"] = spacy["compound_parts"]
        # the lookup table as a plain word list of parts (it says nothing about compound positions or links)
        lemmas = {w for w in forms if w.isalpha() and len(w) >= 3}
        score = score_splits(Analyzer([*learned, *lemmas], dictionary=EMPTY), gold)
        figures["spacy_lookups_and_archive_precision"] = round(score.precision, 4)
        figures["spacy_lookups_and_archive_recall"] = round(score.recall, 4)

    for key, value in figures.items():
        print(f"{key}\t{value}")
    if args.json is not None:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
