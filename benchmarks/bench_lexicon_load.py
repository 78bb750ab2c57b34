"""How long loading the compound lexicon takes at the start of ``arkiv ingest`` / ``arkiv index``
(``index.lexicon.load_lexicon``, inside ``index.analysis.Analyzer``).

Both ways a start can load it, alternating ``--rounds`` times in CPU seconds (medians, and their ratio):

* table: hash the dictionary, read the cached TSV table and build the lexicon from it (every start before
  the binary cache, and a start whose binary cache does not match);
* binary: what ``load_lexicon`` does now, from the binary cache beside the table.

Both caches live in a temporary cache folder (the table copied from the ordinary one, built there first if
need be); the two lexicons are checked to be equal. Prints one line per figure; ``--json PATH`` writes them
as a flat JSON object.

    python benchmarks/bench_lexicon_load.py --json benchmarks/results/comparisons/bench_lexicon_load.json
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

from index import lexicon  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", metavar="PATH", default=None, help="Write the figures here as a flat JSON object.")
    args = parser.parse_args()
    dic = lexicon.dictionary_path()
    if dic is None:
        raise SystemExit("no hunspell dictionary (make setup installs hunspell-da)")
    digest = lexicon.load_lexicon(dic).source.rsplit("sha256:", 1)[1]
    table = lexicon._cache_dir() / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.tsv"
    with tempfile.TemporaryDirectory(prefix="bench-lexicon-") as tmp:
        os.environ["XDG_CACHE_HOME"] = tmp
        (Path(tmp) / "arkiv").mkdir()
        shutil.copyfile(table, Path(tmp) / "arkiv" / table.name)
        lexicon._load.cache_clear()
        lexicon.load_lexicon(dic)  # writes the binary cache
        cached = Path(tmp) / "arkiv" / table.name

        def from_table() -> lexicon.CompoundLexicon:
            found = hashlib.sha256(dic.read_bytes()).hexdigest()[:16]
            return lexicon._read_table(cached.read_text(encoding="utf-8"), f"{dic} sha256:{found}")

        def from_binary() -> lexicon.CompoundLexicon:
            lexicon._load.cache_clear()
            return lexicon.load_lexicon(dic)

        ways = {"table": from_table, "binary": from_binary}
        times: dict[str, list[float]] = {name: [] for name in ways}
        for round_ in range(args.rounds):
            for name in ways if round_ % 2 == 0 else reversed(list(ways)):
                started = time.process_time()
                ways[name]()  # dropped before the next load, as in a process that loads it once
                times[name].append(time.process_time() - started)
        if from_table() != from_binary():
            raise SystemExit("the lexicons differ")
        binary_bytes = (Path(tmp) / "arkiv" / table.with_suffix(".bin").name).stat().st_size
    old, new = statistics.median(times["table"]), statistics.median(times["binary"])
    figures = {
        "entries_in_table": sum(1 for _ in table.open(encoding="utf-8")),
        "table_bytes": table.stat().st_size,
        "binary_bytes": binary_bytes,
        "same_lexicon": True,
        "rounds": args.rounds,
        "table_load_cpu_s": round(old, 4),
        "binary_load_cpu_s": round(new, 4),
        "table_over_binary": round(old / new, 2),
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    if args.json:
        write_figures(args.json, figures)


if __name__ == "__main__":
    main()
