"""Do the words of our records agree with the words ``pdftotext`` reads from the same pages?

Usage:

    python benchmarks/word_agreement.py [PATH ...] [--esdh N] [--target 0.995] [--json]

PATHs are PDF files or folders searched for PDFs (default: ``../shared/realdocs``
and ``corpus/sample``). ``--esdh N`` also prints the real ESDH XML exports of
``../shared/realdocs`` in the first N PDF print layouts of ``tests/esdh_render.py``
(0: none, -1: all) into a temporary folder and checks those.

For each PDF the record's words (every text field: document title and text,
meeting location, participants and absentees, item titles, case numbers as
printed, section headings and text, decision text, bilag titles, treatment
history, closed markers) are compared with the words ``pdftotext`` finds on the
pages the record was read from, both as multisets of normalised tokens:

* NFKC (ligatures spelt out), lower case, soft hyphens removed;
* punctuation stripped from both ends of a token ("punkt:" is "punkt"), inner
  punctuation kept ("20/057417-5", "1.250.000");
* a hyphen at the end of a pdftotext line joins the next line's first word when
  that starts with a lower-case letter ("kommunal-" + "bestyrelsen"); hyphens
  inside tokens are then dropped on both sides, so either spelling agrees.

``agreement`` is the share of our tokens that pdftotext also has. ``joined`` lists
our tokens that pdftotext does not have but that equal two adjacent pdftotext
tokens written together ("afforslaget" for "af" "forslaget"): a lost word space.
The target is ``agreement >= --target`` and no joined word, per file; the command
prints a table and exits 1 when a file misses it, 2 when pdftotext is missing.
A PDF without a text layer (a scan) is listed and not scored.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_io import write_figures  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
DEFAULT_PATHS = (REALDOCS, ROOT / "corpus" / "sample")
TARGET = 0.995
# stripped from both ends of a token
_EDGE_PUNCTUATION = "".join(
    chr(c) for c in range(0x2070) if unicodedata.category(chr(c)).startswith(("P", "S")) and chr(c) not in "%§$€£"
)
_HYPHENS = "-\u2010\u2011"
_SOFT_HYPHEN = "\u00ad"


@dataclass
class FileAgreement:
    path: str
    pages: int = 0
    ours: int = 0  # our tokens
    matched: int = 0  # of ours, also in pdftotext's tokens
    joined: list[str] = field(default_factory=list)  # ours == two adjacent pdftotext tokens
    only_ours: list[str] = field(default_factory=list)  # every other token pdftotext lacks (first 20)
    skipped: str | None = None  # why the file was not scored (no text layer)
    error: str | None = None  # why the file could not be compared

    @property
    def agreement(self) -> float:
        return self.matched / self.ours if self.ours else 1.0

    def passes(self, target: float) -> bool:
        return self.skipped is not None or (self.error is None and self.agreement >= target and not self.joined)


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------


def normalise(token: str) -> str:
    token = unicodedata.normalize("NFKC", token).replace(_SOFT_HYPHEN, "").lower()
    token = token.strip(_EDGE_PUNCTUATION)
    for hyphen in _HYPHENS:
        token = token.replace(hyphen, "")
    return token


def tokens(text: str) -> list[str]:
    return [t for t in (normalise(raw) for raw in text.split()) if t]


def pdftotext_tokens(text: str) -> list[str]:
    """pdftotext's words in reading order, with words hyphenated at a line end joined."""
    words: list[str] = []
    dangling = False  # the previous line ended in a hyphen after a letter
    for line in text.splitlines():
        raw = line.split()
        if not raw:
            continue
        if dangling and words and raw[0][:1].islower():
            words[-1] = words[-1] + raw.pop(0)
        words.extend(raw)
        last = raw[-1] if raw else ""
        dangling = len(last) > 1 and last[-1] in _HYPHENS and last[-2].isalpha()
    return [t for t in (normalise(w) for w in words) if t]


def record_texts(record: Any) -> Iterator[str]:
    """Every text field of a record as printed (normalised fields such as ISO dates left out)."""
    for value in (record.title, record.text):
        if value:
            yield value
    for meeting in record.meetings:
        if meeting.location:
            yield meeting.location
        yield from meeting.participants
        yield from meeting.absent
        yield from (case.raw for case in meeting.case_numbers)
        for item in meeting.items:
            yield item.title
            yield from (case.raw for case in item.case_numbers)
            if item.closed_reason:
                yield item.closed_reason
            for section in item.sections:
                if section.heading:
                    yield section.heading
                yield section.text
            if item.decision is not None:
                yield item.decision.text
            yield from (attachment.title for attachment in item.attachments)
            yield from (entry.text for entry in getattr(item, "history", ()))


def distinct_texts(texts: Iterable[str]) -> list[str]:
    """The texts without those printed inside another one: a bilag title is also a line of the
    item's "Bilag" section, so its words are counted once, as pdftotext reads them once."""
    spaced = [" ".join(tokens(text)) for text in texts]
    unique = sorted({text for text in spaced if text}, key=len, reverse=True)
    kept: list[str] = []
    for text in unique:
        if not any(f" {text} " in f" {longer} " for longer in kept):
            kept.append(text)
    return kept


def compare(ours: list[str], reference: list[str]) -> tuple[int, list[str], list[str]]:
    """(matched count, joined words, other unmatched words) of ``ours`` against ``reference``."""
    have = Counter(reference)
    missing: Counter[str] = Counter()
    matched = 0
    for token in ours:
        if have[token] > 0:
            have[token] -= 1
            matched += 1
        else:
            missing[token] += 1
    pairs = {a + b for a, b in zip(reference, reference[1:], strict=False)}
    joined = sorted(t for t in missing if t in pairs)
    others = sorted(t for t in missing if t not in pairs)
    return matched, joined, others


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def run_pdftotext(exe: str, path: Path, pages: int | None = None) -> str:
    """The text pdftotext finds on the first ``pages`` pages (None: every page)."""
    last = ["-l", str(max(pages, 1))] if pages is not None else []
    done = subprocess.run(
        [exe, "-q", "-enc", "UTF-8", "-f", "1", *last, str(path), "-"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pdftotext exit {done.returncode}")
    return done.stdout.decode("utf-8", errors="replace")


def check_file(exe: str, path: Path) -> FileAgreement:
    import parsers
    from parsers.errors import NoTextLayer, ParseError

    result = FileAgreement(str(path))
    try:
        reference = pdftotext_tokens(run_pdftotext(exe, path, None))
    except (OSError, RuntimeError) as e:
        result.error = f"pdftotext failed: {e}"
        return result
    if not reference:  # a scan: its words come from OCR, and pdftotext has no text layer to compare with
        result.skipped = "no text layer (a scan, read by OCR)"
        return result
    try:
        record = parsers.parse_file(path)
    except NoTextLayer as e:
        result.skipped = e.reason if hasattr(e, "reason") else str(e)
        return result
    except ParseError as e:
        result.error = str(e)
        return result
    result.pages = record.source.page_count
    if record.source.ocr_pages:
        result.skipped = f"pages {', '.join(map(str, record.source.ocr_pages))} read by OCR"
        return result
    ours = [t for text in distinct_texts(record_texts(record)) for t in tokens(text)]
    result.ours = len(ours)
    result.matched, result.joined, others = compare(ours, reference)
    result.only_ours = others[:20]
    return result


def pdf_files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()))
        elif path.is_file():
            found.append(path)
    return found


def esdh_renderings(target: Path, layouts: int) -> list[Path]:
    """The ESDH XML exports printed in the first ``layouts`` PDF layouts (-1: all) of the ESDH tests."""
    sys.path.insert(0, str(ROOT / "tests"))
    from esdh_render import load_meeting, render_pdf
    from test_esdh_renderings import LAYOUTS, XML_FILES

    pdf_layouts = [(variant, options) for fmt, variant, options in LAYOUTS if fmt == "pdf"]
    if layouts >= 0:
        pdf_layouts = pdf_layouts[:layouts]
    files: list[Path] = []
    for name in XML_FILES:
        source = REALDOCS / name
        if not source.is_file():
            continue
        meeting = load_meeting(source)
        for variant, options in pdf_layouts:
            path = target / f"{source.stem}-{variant}-{'-'.join(options) or 'plain'}.pdf"
            render_pdf(meeting, path, variant, **options)  # type: ignore[arg-type]
            files.append(path)
    return files


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _label(path: str) -> str:
    for base in (REALDOCS, ROOT):
        try:
            return str(Path(path).relative_to(base))
        except ValueError:
            continue
    return Path(path).name


def summary(results: list[FileAgreement], target: float) -> dict[str, Any]:
    """The figures of a run: files scored, words, agreement over all words, the lowest file, glued words."""
    scored = [r for r in results if r.skipped is None and r.error is None]
    ours = sum(r.ours for r in scored)
    matched = sum(r.matched for r in scored)
    lowest = min(scored, key=lambda r: r.agreement, default=None)
    return {
        "files": len(results),
        "files_scored": len(scored),
        "files_skipped": len(results) - len(scored),
        "words": ours,
        "agreement": matched / ours if ours else 1.0,
        "lowest_file_agreement": lowest.agreement if lowest else 1.0,
        "joined_words": sum(len(r.joined) for r in scored),
        "files_below_target": sum(not r.passes(target) for r in results),
        "target": target,
    }


def print_table(results: list[FileAgreement], target: float) -> None:
    width = max([len(_label(r.path)) for r in results] + [4])
    print(f"{'file':<{width}} {'pages':>5} {'words':>7} {'agreement':>9} {'joined':>6}  result")
    for r in results:
        label = _label(r.path)
        if r.skipped is not None or r.error is not None:
            status = f"skipped: {r.skipped}" if r.skipped is not None else f"ERROR: {r.error}"
            print(f"{label:<{width}} {'':>5} {'':>7} {'':>9} {'':>6}  {status}")
            continue
        status = "ok" if r.passes(target) else "BELOW TARGET"
        print(f"{label:<{width}} {r.pages:>5} {r.ours:>7} {r.agreement:>9.2%} {len(r.joined):>6}  {status}")
        if r.joined:
            print(f"{'':<{width}}   joined: {' '.join(r.joined[:30])}")
        if not r.passes(target) and r.only_ours:
            print(f"{'':<{width}}   only ours: {' '.join(r.only_ours)}")
    scored = [r for r in results if r.skipped is None and r.error is None]
    ours = sum(r.ours for r in scored)
    matched = sum(r.matched for r in scored)
    failed = sum(not r.passes(target) for r in results)
    print(
        f"{len(results)} PDFs, {len(scored)} scored: {matched / ours if ours else 1.0:.3%} of {ours} words agree, "
        f"{sum(len(r.joined) for r in scored)} joined; {failed} below the target "
        f"(>= {target:.1%} and 0 joined per file)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="PDF files or folders (default: realdocs and corpus/sample)")
    ap.add_argument("--esdh", type=int, default=0, metavar="N", help="also check N ESDH PDF layouts (-1: all)")
    ap.add_argument("--target", type=float, default=TARGET, help="minimum agreement per file (default 0.995)")
    ap.add_argument(
        "--json", nargs="?", const="-", metavar="PATH", help="print JSON; with PATH: write flat figures there"
    )
    args = ap.parse_args(argv)

    exe = shutil.which("pdftotext")
    if exe is None:
        print("word_agreement: pdftotext is not installed (Debian package poppler-utils; make setup installs it)")
        return 2
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="word-agreement-") as tmp:
        files = pdf_files(args.paths or [p for p in DEFAULT_PATHS if p.exists()])
        if args.esdh:
            files += esdh_renderings(Path(tmp), args.esdh)
        if not files:
            print("word_agreement: no PDF files found in " + ", ".join(map(str, args.paths or DEFAULT_PATHS)))
            return 2
        results = [check_file(exe, path) for path in files]
    if args.json and args.json != "-":
        write_figures(args.json, summary(results, args.target))
    elif args.json:
        payload = [asdict(r) | {"agreement": r.agreement, "passes": r.passes(args.target)} for r in results]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print_table(results, args.target)
    return 0 if all(r.passes(args.target) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
