"""How long linking bilag to items takes after an import (``ingest.bilag_links.update_links``).

A catalog is filled with synthetic records (no parsing): ``--folders`` meeting folders,
each with one meeting document (``--items`` items listing ``--bilag`` bilag each, printed
as "Bilag N: <title>"), its bilag files named after the titles in another spelling, and
two unrelated notes. Timed, fastest of ``--repeat``:

* the full pass (every folder; what a new or repaired catalog gets);
* an incremental pass after one folder changed (what a nightly import usually does);
* a pass after a run that changed nothing;
* reference, same run: reading every stored record once (``Catalog.iter_records``).

Prints one line per figure; ``--json PATH`` writes them as a flat JSON object.

    python benchmarks/bench_links.py --folders 1000 --json benchmarks/results/bench_links.json

``--compare`` times the full pass against the pass it replaced (``tests/bilag_links_reference.py``, which
built every record whole), alternating the two ``--rounds`` times on copies of the same catalog, in CPU
seconds (medians, and their ratio), with the word-folding caches emptied before every pass as in a new
process; it first checks that both write the same rows. The catalog is the synthetic one above, or with
``--catalog PATH`` a copy of an archive's ``catalog.sqlite`` (e.g. one ``bench_ingest.py`` generated):

    python benchmarks/bench_links.py --compare --catalog /tmp/links-arc/catalog.sqlite \
        --json benchmarks/results/comparisons/bench_links_compare.json
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from ingest import bilag_links  # noqa: E402
from ingest.bilag_links import LINKS_META_KEY, update_links  # noqa: E402
from ingest.catalog import Catalog, FileEntry  # noqa: E402
from parsers import PARSER_VERSION  # noqa: E402
from parsers.records import Attachment, DocumentRecord, Item, Meeting, Section, Source  # noqa: E402

WORDS = "vandværk høring cykelsti budget notat kort redegørelse skole plan takst".split()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _store(catalog: Catalog, path: str, record: DocumentRecord, generation: int) -> None:
    catalog.store_record(record, [FileEntry(path, 1000, 1.0)], generation, size=1000)


def fill(catalog: Catalog, folders: int, items: int, bilag: int, generation: int, tag: str = "") -> None:
    for f in range(folders):
        folder = f"/arkiv/{f // 100:03d}/moede-{f:05d}"
        listed_items = []
        for i in range(items):
            attachments = []
            for b in range(bilag):
                title = f"{WORDS[(f + i + b) % len(WORDS)]} {f} {i} {b} {WORDS[b % len(WORDS)]}"
                attachments.append(Attachment(f"Bilag {b + 1}: {title.capitalize()}"))
                file_name = f"bilag_{b + 1}_{title.replace(' ', '_').replace('ø', 'oe').replace('æ', 'ae')}.pdf"
                path = f"{folder}/{file_name}"
                sha = _sha(path + tag)
                _store(catalog, path, _other(path, sha, title), generation)
            listed_items.append(
                Item(i + 1, f"Punkt {i + 1}", sections=(Section(None, "tekst"),), attachments=tuple(attachments))
            )
        for n in range(2):
            path = f"{folder}/andet_{n}.pdf"
            _store(catalog, path, _other(path, _sha(path + tag), f"Andet notat {n}"), generation)
        path = f"{folder}/referat.pdf"
        meeting = Meeting(body="Teknisk Udvalg", document_type="referat", date="2024-01-10", items=tuple(listed_items))
        source = Source(path, _sha(path + tag), "pdf", items, PARSER_VERSION)
        _store(catalog, path, DocumentRecord(source, "meeting", (meeting,)), generation)


def _other(path: str, sha: str, title: str) -> DocumentRecord:
    return DocumentRecord(Source(path, sha, "pdf", 1, PARSER_VERSION), "other", title=title.upper(), text=title)


def fastest(repeat: int, setup: Callable[[], None], work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        setup()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _rows(conn: sqlite3.Connection) -> tuple[list[tuple[object, ...]], ...]:
    return (
        conn.execute("SELECT * FROM bilag_links ORDER BY item_key, attachment_index").fetchall(),
        conn.execute("SELECT * FROM printed_versions ORDER BY sha256, meeting_index").fetchall(),
        conn.execute("SELECT sha256, generation FROM contents ORDER BY sha256").fetchall(),
    )


def _clear_caches(module: object) -> None:
    for name in ("fold_name", "name_keys", "_stem"):
        cached = getattr(module, name, None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


def compare(args: argparse.Namespace) -> dict[str, object]:
    """CPU seconds of the full pass, the previous one and this one alternating on copies of one catalog."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import bilag_links_reference as reference

    passes = {"old": reference, "new": bilag_links}
    with tempfile.TemporaryDirectory(prefix="bench-links-") as tmp:
        source = Path(tmp) / "source"
        if args.catalog:
            source.mkdir()
            with sqlite3.connect(args.catalog) as src, sqlite3.connect(source / "catalog.sqlite") as dst:
                src.backup(dst)
        else:
            catalog = Catalog.open(source)
            generation = catalog.begin_run()
            fill(catalog, args.folders, args.items, args.bilag, generation)
            catalog.finish_run(generation, {})
            catalog.close()
        catalogs = {}
        for name in passes:
            shutil.copytree(source, Path(tmp) / name)
            catalogs[name] = Catalog.open(Path(tmp) / name)
        conn = catalogs["new"].connection
        generation = int(conn.execute("SELECT max(generation) FROM files").fetchone()[0])
        files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        meetings = conn.execute("SELECT count(*) FROM contents WHERE kind = 'meeting'").fetchone()[0]
        times: dict[str, list[float]] = {name: [] for name in passes}
        rows = {}
        for round_ in range(args.rounds + 1):  # round 0: the first pass on each copy, rows compared, not timed
            order = list(passes) if round_ % 2 == 0 else list(reversed(passes))
            for name in order:
                catalog = catalogs[name]
                catalog.connection.execute("DELETE FROM meta WHERE key = ?", (LINKS_META_KEY,))
                _clear_caches(passes[name])
                started = time.process_time()
                passes[name].update_links(catalog, generation)  # type: ignore[attr-defined]
                spent = time.process_time() - started
                if round_ == 0:
                    rows[name] = _rows(catalog.connection)
                else:
                    times[name].append(spent)
        if rows["old"] != rows["new"]:
            raise SystemExit("the passes wrote different rows")
        for catalog in catalogs.values():
            catalog.close()
    old, new = statistics.median(times["old"]), statistics.median(times["new"])
    return {
        "catalog": "synthetic" if not args.catalog else "archive",
        "files": files,
        "meeting_contents": meetings,
        "links": len(rows["new"][0]),
        "printed_versions": len(rows["new"][1]),
        "same_rows": True,
        "rounds": args.rounds,
        "old_full_pass_cpu_s": round(old, 4),
        "new_full_pass_cpu_s": round(new, 4),
        "old_over_new": round(old / new, 2),
        "old_min_cpu_s": round(min(times["old"]), 4),
        "new_min_cpu_s": round(min(times["new"]), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", type=int, default=500)
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--bilag", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", default=None, help="Write the figures here as a flat JSON object.")
    parser.add_argument("--compare", action="store_true", help="Time the full pass against the previous one.")
    parser.add_argument("--rounds", type=int, default=7, help="--compare: timed passes of each.")
    parser.add_argument("--catalog", metavar="PATH", default=None, help="--compare: copy this catalog.sqlite.")
    args = parser.parse_args()
    if args.compare:
        figures = compare(args)
        for key, value in figures.items():
            print(f"{key}: {value}")
        if args.json:
            write_figures(args.json, figures)
        return
    with tempfile.TemporaryDirectory(prefix="bench-links-") as tmp:
        catalog = Catalog.open(Path(tmp))
        generation = catalog.begin_run()
        fill(catalog, args.folders, args.items, args.bilag, generation)
        catalog.finish_run(generation, {})
        conn = catalog.connection
        files = conn.execute("SELECT count(*) FROM files").fetchone()[0]

        def forget() -> None:
            conn.execute("DELETE FROM meta WHERE key = ?", (LINKS_META_KEY,))

        reference = fastest(args.repeat, lambda: None, lambda: sum(1 for _ in catalog.iter_records()))
        full = fastest(args.repeat, forget, lambda: update_links(catalog, generation))
        links = conn.execute("SELECT count(*) FROM bilag_links").fetchone()[0]
        nothing = fastest(args.repeat, lambda: None, lambda: update_links(catalog, generation + 1))

        def one_folder() -> None:
            nonlocal generation
            generation += 1
            fill(catalog, 1, args.items, args.bilag, generation, tag=f"#{generation}")

        incremental = fastest(args.repeat, one_folder, lambda: update_links(catalog, generation))
        catalog.close()
    listed = args.folders * args.items * args.bilag
    figures = {
        "folders": args.folders,
        "files": files,
        "listed_bilag": listed,
        "links": links,
        "full_pass_s": round(full, 4),
        "incremental_one_folder_s": round(incremental, 4),
        "no_change_s": round(nothing, 5),
        "reference_read_all_records_s": round(reference, 4),
        "full_pass_vs_reference": round(full / reference, 2),
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    if args.json:
        write_figures(args.json, figures)


if __name__ == "__main__":
    main()
