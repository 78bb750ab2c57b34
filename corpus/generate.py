"""Write a sample archive: ``python -m corpus.generate --out DIR --seed N --count K``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from corpus.generator.archive import DEFAULT_COUNT, DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate(args.out, seed=args.seed, count=args.count)
    elapsed = time.perf_counter() - start
    sys.stderr.write(f"wrote {len(paths)} files with gold records to {args.out} in {elapsed:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
