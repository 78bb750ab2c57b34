"""DOCX extraction: the zip + lxml package reader against the python-docx reader it replaced.

    python benchmarks/bench_docx.py
    python benchmarks/bench_docx.py --repeat 5 --json benchmarks/results/bench_docx.json

Reads every DOCX in ``corpus/sample``, in ``../shared/realdocs`` (when present) and in
a generated archive (``arkiv generate-corpus WORK --count 600 --seed 11``, kept in
``--work`` and reused) with both readers and compares their results: every
``ExtractedDocument`` (all blocks with all attributes, page count, body font size)
must be equal, and a file one reader refuses the other must refuse with the same
error class. Any difference is printed and makes the exit code 1. The same
comparison runs on ``--mutants`` damaged packages made from the DOCX seeds of
the fuzz corpus and a sample file (bytes changed in a part, a part left out or
cut short, content types and relationships rewritten, a macro-enabled main
part), with a fixed seed, and on the seeds themselves: the two readers must accept the same ones and refuse
the others with the same error class.

The reference reader is ``parsers/docx_extractor.py`` as it was at
``REFERENCE_COMMIT`` (python-docx's ``docx.Document`` opens the package), taken
from git with ``git show``; the current reader is ``parsers.docx_extractor``.
Both run in this process on the same files, alternating, ``--repeat`` times; the
fastest pass of each counts. The current reader keeps the styles of documents made from one
template (``docx_extractor.forget_styles`` empties it): every timed pass starts with it
empty, and the row "no cache" empties it before every file. The machine is shared, so read the ratio (measured
in the same run) rather than the absolute milliseconds. ``pdftotext`` is no
reference here: it reads no DOCX.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from results_io import write_figures  # noqa: E402

from parsers import docx_extractor  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from parsers.records import ExtractedDocument  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
# The last commit whose DOCX extractor opened packages with python-docx.
REFERENCE_COMMIT = "6d6b7f3eebb57d432283f5cacf62c11eecd234e7"
TARGET_RATIO = 0.5  # new time / old time, at most

Outcome = ExtractedDocument | tuple[str, str]  # the document, or (error class, reason)
Extract = Callable[[Path], ExtractedDocument]


def reference_reader() -> ModuleType:
    """``parsers/docx_extractor.py`` at ``REFERENCE_COMMIT``, imported as a module of its own."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{REFERENCE_COMMIT}:parsers/docx_extractor.py"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"bench_docx: cannot read the reference reader from git commit {REFERENCE_COMMIT[:7]} ({e})")
    path = Path(tempfile.mkdtemp(prefix="bench-docx-")) / "docx_extractor_python_docx.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("docx_extractor_python_docx", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def generated_archive(work: Path, count: int, seed: int) -> Path:
    if not any(work.rglob("*.docx")):
        arkiv = [sys.executable, "-c", "from search_cli.cli import main; main()"]
        cmd = [*arkiv, "generate-corpus", str(work), "--count", str(count), "--seed", str(seed)]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return work


MUTATIONS = ("flip", "delete", "truncate", "content-type", "target", "rel-type", "docm")
_REL_TYPES = (b"/styles", b"/numbering", b"/header", b"/footer", b"/image", b"/officeDocument", b"/settings")


def mutants(seeds: list[Path], count: int, seed: int, out: Path) -> list[Path]:
    """``count`` damaged copies of the seed packages, each with one mutation, the same for one seed."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        with zipfile.ZipFile(rng.choice(seeds)) as zf:
            members = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
        k = rng.randrange(len(members))
        name, data = members[k]
        op = rng.choice(MUTATIONS)
        if op == "flip" and data:
            changed = bytearray(data)
            for _ in range(rng.randint(1, 5)):
                changed[rng.randrange(len(changed))] = rng.choice(b'<>"=/ &;x09-\x00\xff')
            members[k] = (name, bytes(changed))
        elif op == "delete":
            del members[k]
        elif op == "truncate":
            members[k] = (name, data[: rng.randrange(len(data) + 1)])
        elif op == "content-type":
            old, new = rng.choice([(b"document.main+xml", b"document.mainx+xml"), (b"styles+xml", b"stylesx+xml")])
            members = [(n, d.replace(old, new) if n == "[Content_Types].xml" else d) for n, d in members]
        elif op == "target":
            members = [(n, d.replace(b'Target="', b'Target="../', 1) if n.endswith(".rels") else d) for n, d in members]
        elif op == "rel-type":
            a, b = rng.sample(_REL_TYPES, 2)
            members = [
                (n, d.replace(a + b'"', b + b'"', rng.randint(1, 2)) if n.endswith(".rels") else d) for n, d in members
            ]
        elif op == "docm":
            macro = b"ms-word.document.macroEnabled.main+xml"
            members = [
                (n, d.replace(b"wordprocessingml.document.main+xml", macro) if n == "[Content_Types].xml" else d)
                for n, d in members
            ]
        path = out / f"mutant-{i:04d}-{op}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a member name twice
            for n, d in members:
                zf.writestr(n, d)
        made.append(path)
    return made


def compare(readers: dict[str, Extract], files: list[Path]) -> tuple[int, int]:
    """(differences, files the reference reader refused); each difference is printed."""
    differences = 0
    refused = 0
    for path in files:
        old = outcome(readers["python-docx"], path)
        refused += isinstance(old, tuple)
        for name in ("package", "package-nocache"):
            new = outcome(readers[name], path)
            if not same(old, new):
                differences += 1
                print(f"DIFFERENT ({name}) {path}: {describe(old, new)}", file=sys.stderr)
    return differences, refused


def docx_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*") if p.suffix.lower() == ".docx" and p.is_file())


def outcome(extract: Extract, path: Path) -> Outcome:
    try:
        return extract(path)
    except ParseError as e:
        return (type(e).__name__, e.reason)


def describe(old: Outcome, new: Outcome) -> str:
    if isinstance(old, tuple) or isinstance(new, tuple):
        return f"old {old if isinstance(old, tuple) else 'ok'}, new {new if isinstance(new, tuple) else 'ok'}"
    for field in ("format", "page_count", "body_font_size", "problems"):
        if getattr(old, field) != getattr(new, field):
            return f"{field}: old {getattr(old, field)!r}, new {getattr(new, field)!r}"
    if len(old.blocks) != len(new.blocks):
        return f"{len(old.blocks)} blocks, new {len(new.blocks)}"
    for i, (a, b) in enumerate(zip(old.blocks, new.blocks, strict=True)):
        if a != b:
            return f"block {i}: old {a}, new {b}"
    return "equal"


def same(old: Outcome, new: Outcome) -> bool:
    if isinstance(old, tuple) or isinstance(new, tuple):
        return isinstance(old, tuple) and isinstance(new, tuple) and old[0] == new[0]
    return old == new


def uncached(path: Path) -> ExtractedDocument:
    """The package reader with its styles cache emptied before every file."""
    docx_extractor.forget_styles()
    return docx_extractor.extract(path)


def timed_pass(extract: Extract, files: list[Path]) -> float:
    docx_extractor.forget_styles()  # every pass starts cold
    gc.collect()
    start = time.perf_counter()
    for path in files:
        outcome(extract, path)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "docxbench")
    parser.add_argument("--count", type=int, default=600, help="documents in the generated archive")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per reader; the fastest counts")
    parser.add_argument("--mutants", type=int, default=400, help="damaged packages compared (not timed)")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON to PATH")
    args = parser.parse_args(argv)

    sets = {
        "sample": docx_files(ROOT / "corpus" / "sample"),
        "realdocs": docx_files(REALDOCS),
        "generated": docx_files(generated_archive(args.work, args.count, args.seed)),
    }
    files = [p for paths in sets.values() for p in paths]
    old_reader = reference_reader()
    readers: dict[str, Extract] = {
        "python-docx": old_reader.extract,
        "package": docx_extractor.extract,
        "package-nocache": uncached,
    }

    differences, refused = compare(readers, files)
    seeds = docx_files(ROOT / "fuzz" / "corpus" / "docx") + sets["sample"][:1]
    with tempfile.TemporaryDirectory(prefix="bench-docx-mutants-") as scratch:
        zips = [p for p in seeds if zipfile.is_zipfile(p)]
        damaged = seeds + mutants(zips, args.mutants, args.seed, Path(scratch))
        mutant_differences, mutants_refused = compare(readers, damaged)

    best = {name: float("inf") for name in readers}
    for _ in range(args.repeat):
        for name, extract in readers.items():
            best[name] = min(best[name], timed_pass(extract, files))
    old_ms = best["python-docx"] * 1000 / len(files)
    new_ms = best["package"] * 1000 / len(files)
    nocache_ms = best["package-nocache"] * 1000 / len(files)
    ratio = best["package"] / best["python-docx"]

    counts = ", ".join(f"{len(paths)} {name}" for name, paths in sets.items())
    print(f"{len(files)} DOCX files ({counts}); {refused} refused by both readers alike")
    print(f"differences between the readers: {differences}")
    print(
        f"{len(damaged)} fuzz seeds and damaged packages: {mutants_refused} refused by the reference reader, "
        f"differences between the readers: {mutant_differences}"
    )
    print(f"{'reader':<14}{'ms/file':>10}")
    print(f"{'python-docx':<14}{old_ms:>10.2f}")
    print(f"{'package':<14}{new_ms:>10.2f}")
    print(f"{'  no cache':<14}{nocache_ms:>10.2f}  (styles parsed for every file)")
    print(f"package / python-docx time: {ratio:.2f} (target at most {TARGET_RATIO})")
    if args.json:
        figures = {
            "files": len(files),
            **{f"files_{name}": len(paths) for name, paths in sets.items()},
            "refused": refused,
            "differences": differences,
            "mutants": len(damaged),
            "mutants_refused": mutants_refused,
            "mutant_differences": mutant_differences,
            "python_docx_ms_per_file": round(old_ms, 3),
            "package_ms_per_file": round(new_ms, 3),
            "package_nocache_ms_per_file": round(nocache_ms, 3),
            "time_ratio": round(ratio, 3),
            "time_ratio_nocache": round(best["package-nocache"] / best["python-docx"], 3),
            "target_ratio": TARGET_RATIO,
            "repeat": args.repeat,
            "reference_commit": REFERENCE_COMMIT,
        }
        write_figures(args.json, figures)
    return 1 if differences or mutant_differences else 0


if __name__ == "__main__":
    sys.exit(main())
