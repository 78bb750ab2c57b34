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
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", type=int, default=500)
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--bilag", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", default=None, help="Write the figures here as a flat JSON object.")
    args = parser.parse_args()
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
