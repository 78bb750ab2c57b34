"""Parse speed of ESDH agenda exports (XML): meetings per second.

Usage:

    python benchmarks/bench_xml.py [DIR] [--repeat N] [--json]

Every ``.xml`` file under DIR (default ``../shared/realdocs``) is parsed with
``parsers.parse_file`` (defused XML parsing, schema recognition, the record with
its decisions) N times (default 20); the fastest pass counts, since the machine
is shared. A file the parser refuses is counted and left out of the timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from parsers import parse_file
from parsers.errors import ParseError

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def readable_exports(directory: Path) -> tuple[list[Path], list[str]]:
    """The XML files under ``directory`` that parse, and the one-line errors of those that do not."""
    good: list[Path] = []
    refused: list[str] = []
    for path in sorted(directory.rglob("*.xml")):
        try:
            parse_file(path)
        except ParseError as e:
            refused.append(str(e))
        else:
            good.append(path)
    return good, refused


def fastest_pass(paths: list[Path], repeat: int) -> tuple[float, int, int]:
    """(seconds of the fastest pass over all files, meetings, items) of ``repeat`` passes."""
    best = float("inf")
    meetings = items = 0
    for _ in range(repeat):
        start = time.perf_counter()
        records = [parse_file(p) for p in paths]
        best = min(best, time.perf_counter() - start)
        meetings = sum(len(r.meetings) for r in records)
        items = sum(len(m.items) for r in records for m in r.meetings)
    return best, meetings, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    args = parser.parse_args()
    paths, refused = readable_exports(args.directory)
    if not paths:
        raise SystemExit(f"{args.directory}: no readable XML export")
    seconds, meetings, items = fastest_pass(paths, max(1, args.repeat))
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    result = {
        "files": len(paths),
        "refused": len(refused),
        "meetings": meetings,
        "items": items,
        "megabytes": round(size_mb, 3),
        "seconds": round(seconds, 4),
        "meetings_per_s": round(meetings / seconds, 1),
        "items_per_s": round(items / seconds, 1),
        "mb_per_s": round(size_mb / seconds, 2),
    }
    if args.json and args.json != "-":
        write_figures(args.json, result)
    elif args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['files']} exports ({result['megabytes']} MB, {result['refused']} refused): ")
    print(f"  {meetings} meetings, {items} items in {seconds * 1000:.1f} ms (fastest of {args.repeat} passes)")
    print(f"  {result['meetings_per_s']} meetings/s, {result['items_per_s']} items/s, {result['mb_per_s']} MB/s")


if __name__ == "__main__":
    main()
