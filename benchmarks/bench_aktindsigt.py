"""Benchmark: an aktindsigt over an archive of 100,000 items (target: under 30 s).

Records are synthesized in memory (documents of 20 items, realistic Danish
item text, case numbers from a pool so that one case recurs across bodies and
years, a few CPR numbers/phones/e-mails, closed items); each document has a
small real DOCX source file on disk. Measured, in one run:

* ``load_records``: parsing every record's JSON, as reading the catalog does;
* ``select``: ``hits_for_cases`` over every item of the archive;
* ``package``: ``build_package`` for the hits (copies, texts, flags, xlsx/csv);
* ``full``: the worst case, a package of *every* item (with ``--full``);
* ``reference``: writing the same number of plain text files of the same
  size, the I/O floor of a package, so the ratio is comparable across
  machines.

    python benchmarks/bench_aktindsigt.py --items 100000 [--full]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx
from results_io import write_figures  # noqa: E402

from aktindsigt.package import AktHit, build_package, hits_for_cases, item_text
from parsers.records import CaseNumber, Decision, DocumentRecord, Item, Meeting, Section, Source
from parsers.serialize import record_from_json, record_to_json

BODIES = ("Direktionen", "Økonomiudvalget", "Byrådet", "Børne- og Ungeudvalget", "Teknik- og Miljøudvalget")
PARAGRAPHS = (
    "Sygefraværet i kommunen har i det seneste år ligget over landsgennemsnittet, særligt i ældreplejen.",
    "Der er afsat en pulje på 250.000 kr., som arbejdspladser kan søge til målrettede tiltag.",
    "Juridisk Kontor har vurderet, at kommunen har hjemmel efter kommunalfuldmagtsreglerne.",
    "Tidsplanen forudsætter, at der træffes beslutning inden udgangen af juni.",
    "Sagsbehandler: Trine Groth Rasmussen, tlf. 43 68 68 68, trgr@kommune.dk.",
    "Forslaget er i overensstemmelse med kommunens vision og udviklingsstrategi.",
)
DECISIONS = ("Godkendt.", "Anbefales over for Byrådet.", "Taget til efterretning.", "Udsat.")


@dataclass(frozen=True)
class Stored:
    sha256: str
    paths: tuple[str, ...]
    record: DocumentRecord


def synthesize(items: int, per_doc: int, cases: int, src: Path, seed: int = 7) -> list[Stored]:
    rng = random.Random(seed)
    template = src / "template.docx"
    document = docx.Document()
    document.add_paragraph("Referat")
    document.save(str(template))
    data = template.read_bytes()
    stored = []
    for d in range(items // per_doc):
        sha = hashlib.sha256(f"doc-{d}".encode()).hexdigest()
        path = src / f"{d // 1000:03d}" / f"referat_{d:06d}.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        year = 2012 + d % 13
        built = []
        for n in range(1, per_doc + 1):
            case = f"{year % 100:02d}/{rng.randrange(cases):05d}-{rng.randint(1, 9)}"
            text = "\n".join(rng.sample(PARAGRAPHS, 4))
            if rng.random() < 0.02:
                text += (
                    f"\nBorger (cpr.nr. {rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99)}-1234)."
                )
            decision = rng.choice(DECISIONS)
            built.append(
                Item(
                    number=n,
                    title=f"Punkt om emne {rng.randrange(500)}",
                    case_numbers=(CaseNumber(case, case.rsplit("-", 1)[0]),),
                    closed=rng.random() < 0.03,
                    sections=(Section("Baggrund", text), Section("Beslutning", decision)),
                    decision=Decision(decision, None, None),
                    pages=(n // 3 + 1,),
                )
            )
        meeting = Meeting(
            body=BODIES[d % len(BODIES)],
            document_type="referat",
            date=f"{year}-{1 + d % 12:02d}-{1 + d % 28:02d}",
            items=tuple(built),
            participants=("Lars Holte", "Charlotte Markussen"),
        )
        record = DocumentRecord(source=Source(str(path), sha, "docx", 10, "bench"), kind="meeting", meetings=(meeting,))
        stored.append(Stored(sha, (str(path),), record))
    return stored


def _reference(hits: list[AktHit], out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    for n, h in enumerate(hits):
        (out / f"{n:06d}.txt").write_text(item_text(h), encoding="utf-8")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--per-doc", type=int, default=20)
    parser.add_argument("--cases", type=int, default=100, help="distinct case serials per year (fewer: more hits)")
    parser.add_argument("--full", action="store_true", help="also package every item (worst case)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures there as one flat JSON object")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-akt-") as tmp:
        root = Path(tmp)
        (root / "src").mkdir()
        t0 = time.perf_counter()
        stored = synthesize(args.items, args.per_doc, args.cases, root / "src")
        synth = time.perf_counter() - t0
        # what reading the records back from the catalog costs: their JSON parsed again
        blobs = [record_to_json(st.record, indent=None) for st in stored]
        t0 = time.perf_counter()
        loaded = [Stored(st.sha256, st.paths, record_from_json(b)) for st, b in zip(stored, blobs, strict=True)]
        load = time.perf_counter() - t0
        stored = loaded
        # the first case of a 2020 meeting; with --cases 100 it recurs in about 1 % of that year's items
        case = stored[min(8, len(stored) - 1)].record.meetings[0].items[0].case_numbers[0].normalized
        t0 = time.perf_counter()
        hits = hits_for_cases(stored, [case])
        select = time.perf_counter() - t0
        t0 = time.perf_counter()
        summary = build_package(hits, root / "package", searched=f"sagsnr. {case}")
        package = time.perf_counter() - t0
        reference = _reference(hits, root / "reference")
        result: dict[str, object] = {
            "items": sum(len(m.items) for s in stored for m in s.record.meetings),
            "documents": len(stored),
            "synthesize_s": round(synth, 2),
            "hits": len(hits),
            "load_records_s": round(load, 2),
            "select_s": round(select, 2),
            "package_s": round(package, 2),
            "total_s": round(load + select + package, 2),
            "reference_write_s": round(reference, 3),
            "package_vs_reference": round(package / reference, 1) if reference else None,
            "flagged": summary.flagged_items,
            "target_met": load + select + package < 30,
        }
        if args.full:
            every = [
                AktHit(s.sha256, s.paths, s.record, 0, i)
                for s in stored
                for i in range(len(s.record.meetings[0].items))
            ]
            t0 = time.perf_counter()
            build_package(every, root / "full", searched="alle")
            result["full_package_items"] = len(every)
            result["full_package_s"] = round(time.perf_counter() - t0, 2)
        print(json.dumps(result, indent=2))
        if args.json:
            write_figures(args.json, result)


if __name__ == "__main__":
    main()
