"""Entity extraction, personal-data detection and index analysis time of items with 1k, 10k
and 50k entities.

Each item is a table-like text of rows naming an amount, a case number, a date and a
phone number (four entities a row, as in a budget appendix or a contact list). Prints
the seconds per size and the ratio to the previous size: linear work gives a ratio close
to the size ratio (10, 5); quadratic work gives its square (100, 25).

    .venv/bin/python benchmarks/bench_entities.py
"""

from __future__ import annotations

import time

from index.analysis import Analyzer
from index.documents import analysed_fields, docs_from_record
from parsers.nlp import extract_entities
from parsers.personal_data import find_personal_data
from parsers.records import DocumentRecord, Source

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


def main() -> None:
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
        previous = (size, extract, personal, indexing)


if __name__ == "__main__":
    main()
