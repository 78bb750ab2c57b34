"""Search benchmark: both engines side by side on a generated archive of N items.

    python benchmarks/bench_search.py --items 20000 --json benchmarks/results/bench_search.json
    python benchmarks/bench_search.py --items 1000000 --engines tantivy --analyzers dictionary

Items are generated directly as index documents (not PDFs) from a Danish
vocabulary (the built-in word parts, their compounds with and without a
linking -s-/-e-, and inflected forms) with Zipf-distributed word frequencies,
grouped into files of 5 items, spread over 10 years and 8 bodies. Reported per
engine and analyzer: build time and rate, index size, query latency p50/p95 for
one-word, two-word, phrase, filtered, faceted (all facets) and broad queries (a
word in about a third of the items, without and with all facets), and the time
to apply 100 changed files (delete + re-add their items); and the peak resident
memory of the whole run. Items are generated and added in batches, so memory
does not grow with the archive.

Analyzers (``--analyzers``): ``builtin`` splits compounds with the built-in
parts and the learned words only (the analysis before the Danish dictionary),
``dictionary`` adds the hunspell-da compound lexicon (``index.lexicon``); both
in one run give the before/after indexing rates on the same machine state.
Figures go to stdout as a table, and with ``--json PATH`` to PATH as one flat
JSON object (keys ``<engine>_<analyzer>_<figure>``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index.analysis import BUILTIN_PARTS, Analyzer  # noqa: E402
from index.documents import IndexDoc  # noqa: E402
from index.engine import Engine, open_engine  # noqa: E402
from index.lexicon import EMPTY, load_lexicon  # noqa: E402
from index.query import Filters, lower  # noqa: E402

BODIES = (
    "Byrådet",
    "Økonomiudvalget",
    "Direktionen",
    "Social- og Beskæftigelsesudvalget",
    "Teknik- og Miljøudvalget",
    "Børne- og Ungeudvalget",
    "Rådmandsmødet",
    "Kommunalbestyrelsen",
)
OUTCOMES = ("godkendt", "anbefalet", "taget til efterretning", "udsat", "afvist", "drøftet", None)
ITEMS_PER_FILE = 5
WORDS_PER_ITEM = (60, 200)


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    parts = sorted(w for w in BUILTIN_PARTS if len(w) >= 3)
    words = list(parts)
    endings = ("en", "er", "erne", "et", "s", "")
    while len(words) < size:
        head, tail = rng.choice(parts), rng.choice(parts)
        link = rng.choice(("", "s", "e"))
        words.append(head + link + tail + rng.choice(endings))
    rng.shuffle(words)
    return words


BATCH = 20_000  # items generated and added at a time


def generate(n_items: int, seed: int = 7) -> tuple[Iterator[IndexDoc], list[str]]:
    """The items (generated as they are consumed) and the vocabulary, most frequent word first."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    return _items(n_items, seed, rng, vocab), vocab


def _items(n_items: int, seed: int, rng: random.Random, vocab: list[str]) -> Iterator[IndexDoc]:
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    made = 0
    file_no = 0
    while made < n_items:
        sha = hashlib.sha256(f"file {seed} {file_no}".encode()).hexdigest()
        body = rng.choice(BODIES)
        year = 2015 + rng.randrange(10)
        date = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        doc_type = rng.choice(("dagsorden", "referat"))
        for item_index in range(ITEMS_PER_FILE):
            if made >= n_items:
                break
            n_words = rng.randint(*WORDS_PER_ITEM)
            text_words = rng.choices(vocab, cum_weights=cum_weights, k=n_words)
            title = " ".join(rng.choices(vocab, cum_weights=cum_weights, k=4)).capitalize()
            decision = "Indstillingen blev godkendt." if doc_type == "referat" else ""
            made += 1
            yield (
                IndexDoc(
                    id=f"{sha[:16]}-0-{item_index}",
                    sha256=sha,
                    kind="item",
                    title=title,
                    text=" ".join(text_words) + ".",
                    decision=decision,
                    attachments=(),
                    case_numbers=(f"{year % 100:02d}/{rng.randrange(1000, 99999)}-{item_index + 1}",),
                    body=body,
                    municipality="Skovlund Kommune",
                    document_type=doc_type,
                    date=date,
                    closed=rng.random() < 0.05,
                    outcome=rng.choice(OUTCOMES) if decision else None,
                    personal_data=False,
                    source_path=f"/arkiv/{year}/{file_no}.pdf",
                    pages=(item_index + 1,),
                    item_number=item_index + 1,
                    details={"sections": [], "decision": None, "category": None, "meeting": None, "source": {}},
                )
            )
        file_no += 1


def broad_word(docs: list[IndexDoc], vocab: list[str]) -> tuple[str, float]:
    """The frequent word whose share of items is nearest a third, and that share."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(set(doc.text.rstrip(".").split()))
    shares = {w: counts[w] / len(docs) for w in vocab[:300]}
    word = min(shares, key=lambda w: (abs(shares[w] - 1 / 3), w))
    return word, shares[word]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return _percentiles(samples)


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _filters(rng: random.Random) -> Filters:
    return Filters(year=2015 + rng.randrange(10), body=rng.choice(BODIES))


def _runner(engine: Engine, cases: list[tuple[str, Filters | None, bool]]) -> Callable[[], object]:
    it = iter(cases * 2)

    def run_one() -> None:
        text, filters, facets = next(it)
        engine.search(lower(text, filters), limit=10, facets=facets)

    return run_one


def _analyzer(name: str) -> Analyzer:
    return Analyzer(dictionary=EMPTY if name == "builtin" else load_lexicon())


def bench_engine(
    kind: str, analysis: str, n_items: int, seed: int, workdir: Path, queries: int
) -> dict[str, float | int | str]:
    directory = workdir / f"{kind}-{analysis}"
    analyzer = _analyzer(analysis)
    engine: Engine = open_engine(kind, directory, analyzer, create=True)
    docs, vocab = generate(n_items, seed)
    sample: list[IndexDoc] = []
    build = 0.0
    while True:
        batch = list(itertools.islice(docs, BATCH))
        if not batch:
            break
        if len(sample) < 5000:
            sample.extend(batch[: 5000 - len(sample)])
        start = time.perf_counter()
        engine.add(batch)
        build += time.perf_counter() - start
        sys.stderr.write(f"\r{kind}/{analysis}: {engine.count()} items in {build:.0f} s")
    sys.stderr.write("\n")
    row: dict[str, float | int | str] = {
        "build_s": round(build, 1),
        "docs_per_s": round(n_items / build),
        "size_mb": round(_size(directory) / 1e6, 1),
    }
    rng = random.Random(11)
    common = vocab[:300]  # the most frequent words (Zipf rank)
    broad, share = broad_word(sample, vocab)
    row["broad_word_share"] = round(share, 3)
    mixes: dict[str, Callable[[], tuple[str, Filters | None, bool]]] = {
        "one_word": lambda: (rng.choice(common), None, False),
        "two_words": lambda: (f"{rng.choice(common)} {rng.choice(common)}", None, False),
        "phrase": lambda: (f'"{rng.choice(common)} {rng.choice(common)}"', None, False),
        "filtered": lambda: (rng.choice(common), _filters(rng), False),
        "faceted": lambda: (rng.choice(common), None, True),
        "broad": lambda: (broad, None, False),
        "broad_faceted": lambda: (broad, None, True),
    }
    with engine:
        for name, make in mixes.items():
            p50, p95 = _time(_runner(engine, [make() for _ in range(queries)]), queries - 1)
            row[f"{name}_p50_ms"] = round(p50, 1)
            row[f"{name}_p95_ms"] = round(p95, 1)
        changed_files = sorted({d.sha256 for d in sample})[:100]
        wanted = set(changed_files)
        changed = [d for d in sample if d.sha256 in wanted]
        start = time.perf_counter()
        engine.delete_sha256s(changed_files)
        engine.add(changed)
        row["update_100_files_s"] = round(time.perf_counter() - start, 2)
        row["count_after_update"] = engine.count()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated: whoosh,tantivy")
    parser.add_argument(
        "--analyzers", default="builtin,dictionary", help="comma-separated: builtin (before), dictionary (after)"
    )
    parser.add_argument("--queries", type=int, default=60, help="queries per mix")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="PATH", default=None, help="write the figures here as a flat JSON object")
    args = parser.parse_args(argv)
    figures: dict[str, float | int | str] = {"items": args.items}
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    rows: dict[str, dict[str, float | int | str]] = {}
    try:
        for kind in (k.strip() for k in args.engines.split(",")):
            for analysis in (a.strip() for a in args.analyzers.split(",")):
                row = bench_engine(kind, analysis, args.items, args.seed, workdir, args.queries)
                rows[f"{kind}_{analysis}"] = row
                figures.update({f"{kind}_{analysis}_{k}": v for k, v in row.items()})
                sys.stderr.write(json.dumps({"system": f"{kind}_{analysis}", **row}) + "\n")
                shutil.rmtree(workdir / f"{kind}-{analysis}", ignore_errors=True)
            before, after = rows.get(f"{kind}_builtin"), rows.get(f"{kind}_dictionary")
            if before and after:
                figures[f"{kind}_indexing_rate_after_vs_before"] = round(
                    float(after["docs_per_s"]) / float(before["docs_per_s"]), 3
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json is not None:
        write_figures(args.json, figures)
    systems = list(rows)
    print("\t".join(["figure", *systems]))
    for key in rows[systems[0]] if systems else []:
        print("\t".join([key, *[str(rows[s].get(key)) for s in systems]]))
    for key, value in figures.items():
        if "_after_vs_before" in key or key == "peak_rss_mb":
            print(f"{key}\t{value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
