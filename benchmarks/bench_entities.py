"""Entity extraction, personal-data detection and index analysis time of items with 1k, 10k
and 50k entities.

Each item is a table-like text of rows naming an amount, a case number, a date and a
phone number (four entities a row, as in a budget appendix or a contact list). Prints
the seconds per size and the ratio to the previous size: linear work gives a ratio close
to the size ratio (10, 5); quadratic work gives its square (100, 25). ``--json PATH`` writes
the figures as one flat JSON object (``entities_<size>_extract_s``, ``..._over_previous``, ...).

    .venv/bin/python benchmarks/bench_entities.py --json benchmarks/results/bench_entities.json
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index.analysis import Analyzer  # noqa: E402
from index.documents import analysed_fields, docs_from_record  # noqa: E402
from parsers.nlp import extract_entities  # noqa: E402
from parsers.personal_data import find_personal_data  # noqa: E402
from parsers.records import DocumentRecord, Source  # noqa: E402

SIZES = (1_000, 10_000, 50_000)


def item_text(entities: int) -> str:
    rows = []
    for i in range(entities // 4 + 1):
        phone = f"86 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d}"
        rows.append(f"Post {i}: {1000 + i}.500 kr. vedr. sag 22/{10000 + i} bevilget 11-09-2023, tlf. {phone}.")
    return "\n".join(rows)


def _seconds(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH", default=None, help="write the figures as a flat JSON object")
    args = parser.parse_args(argv)
    figures: dict[str, float | int] = {}
    analyzer = Analyzer()
    previous: tuple[int, float, float, float] | None = None
    print(
        f"{'entities':>9} {'found':>7} {'extract s':>10} {'ratio':>6} {'personal s':>10} {'ratio':>6}"
        f" {'index s':>8} {'ratio':>6}"
    )
    for size in SIZES:
        text = item_text(size)
        found = len(extract_entities(text))
        extract = min(_seconds(lambda text=text: extract_entities(text)) for _ in range(3))
        personal = min(_seconds(lambda text=text: find_personal_data(text)) for _ in range(3))
        record = DocumentRecord(source=Source("/bench.pdf", "b" * 64, "pdf", 1, "bench"), kind="other", text=text)
        indexing = _seconds(lambda record=record: [analysed_fields(d, analyzer) for d in docs_from_record(record)])
        ratios = ("", "", "")
        if previous is not None:
            ratios = tuple(
                f"{now / before:.1f}" for now, before in zip((extract, personal, indexing), previous[1:], strict=True)
            )
        print(
            f"{size:>9} {found:>7} {extract:>10.3f} {ratios[0]:>6} {personal:>10.3f} {ratios[1]:>6}"
            f" {indexing:>8.3f} {ratios[2]:>6}"
        )
        figures |= {
            f"entities_{size}_written": size,
            f"entities_{size}_found": found,
            f"entities_{size}_extract_s": round(extract, 4),
            f"entities_{size}_personal_s": round(personal, 4),
            f"entities_{size}_index_s": round(indexing, 4),
        }
        if previous is not None:
            for name, now, before in zip(
                ("extract", "personal", "index"), (extract, personal, indexing), previous[1:], strict=True
            ):
                figures[f"entities_{size}_{name}_over_previous"] = round(now / before, 2)
            figures[f"entities_{size}_size_over_previous"] = round(size / previous[0], 2)
        previous = (size, extract, personal, indexing)
    if args.json:
        write_figures(args.json, figures)


if __name__ == "__main__":
    main()
