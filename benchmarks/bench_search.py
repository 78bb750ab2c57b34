"""Search benchmark: both engines side by side on a generated archive of N items.

    python benchmarks/bench_search.py --items 20000
    python benchmarks/bench_search.py --items 200000 --engines tantivy

Items are generated directly as index documents (not PDFs) from a Danish
vocabulary (the built-in word parts, their compounds with and without a
linking -s-/-e-, and inflected forms) with Zipf-distributed word frequencies,
grouped into files of 5 items, spread over 10 years and 8 bodies. Reported per
engine: build time and rate, index size, query latency p50/p95 for one-word,
two-word, phrase, filtered and faceted (all facets) queries, and the time to
apply 100 changed files (delete + re-add their items). Figures go to stdout as
a table, or as JSON with --json.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index.analysis import BUILTIN_PARTS, Analyzer
from index.documents import IndexDoc
from index.engine import Engine, open_engine
from index.query import Filters, lower

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


def generate(n_items: int, seed: int = 7) -> tuple[list[IndexDoc], list[str]]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    docs: list[IndexDoc] = []
    file_no = 0
    while len(docs) < n_items:
        sha = hashlib.sha256(f"file {seed} {file_no}".encode()).hexdigest()
        body = rng.choice(BODIES)
        year = 2015 + rng.randrange(10)
        date = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        doc_type = rng.choice(("dagsorden", "referat"))
        for item_index in range(ITEMS_PER_FILE):
            if len(docs) >= n_items:
                break
            n_words = rng.randint(*WORDS_PER_ITEM)
            text_words = rng.choices(vocab, cum_weights=cum_weights, k=n_words)
            title = " ".join(rng.choices(vocab, cum_weights=cum_weights, k=4)).capitalize()
            decision = "Indstillingen blev godkendt." if doc_type == "referat" else ""
            docs.append(
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
    return docs, vocab


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


def bench_engine(kind: str, docs: list[IndexDoc], vocab: list[str], workdir: Path, queries: int) -> dict[str, object]:
    directory = workdir / kind
    analyzer = Analyzer()
    engine: Engine = open_engine(kind, directory, analyzer, create=True)
    start = time.perf_counter()
    engine.add(docs)
    build = time.perf_counter() - start
    row: dict[str, object] = {
        "engine": kind,
        "items": len(docs),
        "build_s": round(build, 1),
        "docs_per_s": round(len(docs) / build),
        "size_mb": round(_size(directory) / 1e6, 1),
    }
    rng = random.Random(11)
    common = vocab[:300]  # the most frequent words (Zipf rank)
    mixes: dict[str, Callable[[], tuple[str, Filters | None, bool]]] = {
        "one_word": lambda: (rng.choice(common), None, False),
        "two_words": lambda: (f"{rng.choice(common)} {rng.choice(common)}", None, False),
        "phrase": lambda: (f'"{rng.choice(common)} {rng.choice(common)}"', None, False),
        "filtered": lambda: (rng.choice(common), _filters(rng), False),
        "faceted": lambda: (rng.choice(common), None, True),
    }
    with engine:
        for name, make in mixes.items():
            p50, p95 = _time(_runner(engine, [make() for _ in range(queries)]), queries - 1)
            row[f"{name}_p50_ms"] = round(p50, 1)
            row[f"{name}_p95_ms"] = round(p95, 1)
        changed_files = sorted({d.sha256 for d in docs})[:100]
        changed = [d for d in docs if d.sha256 in set(changed_files)]
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
    parser.add_argument("--queries", type=int, default=60, help="queries per mix")
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    docs, vocab = generate(args.items)
    sys.stderr.write(f"generated {len(docs)} items in {time.perf_counter() - start:.1f} s\n")
    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        for kind in args.engines.split(","):
            sys.stderr.write(f"{kind}: building {len(docs)} items...\n")
            rows.append(bench_engine(kind.strip(), docs, vocab, workdir, args.queries))
            sys.stderr.write(json.dumps(rows[-1]) + "\n")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json and args.json != "-":
        write_figures(args.json, {"items": args.items, **{str(r["engine"]): r for r in rows}})
    if args.json == "-":
        print(json.dumps(rows, indent=2))
    else:
        keys = list(rows[0])
        print("\t".join(["metric", *[str(r["engine"]) for r in rows]]))
        for key in keys[1:]:
            print("\t".join([key, *[str(r.get(key)) for r in rows]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
