"""One atheris (libFuzzer) process for one target: ``python fuzz/harness.py TARGET [libFuzzer flags] DIRS...``.

``fuzz/run.py`` starts it with a time budget, a per-input timeout, a memory limit and the corpus folders;
run it by hand to pass other libFuzzer flags (``-help=1`` lists them) or to replay a crash file:
``python fuzz/harness.py pdf fuzz/crashes/pdf-crash-...``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with atheris.instrument_imports(include=["parsers", "ingest", "docx", "fuzz"]):
    # the extractors are imported lazily by parsers.extract: import them here so they are instrumented too
    import parsers.docx_extractor
    import parsers.html_extractor
    import parsers.pdf_extractor
    import parsers.structure  # noqa: F401
    from fuzz.targets import TARGETS


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: harness.py {{{','.join(TARGETS)}}} [libFuzzer flags] [corpus dirs or files]")
    target = TARGETS[argv[1]]
    atheris.Setup([argv[0], *argv[2:]], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
