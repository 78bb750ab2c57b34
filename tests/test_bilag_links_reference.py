"""The link pass (``ingest.bilag_links.update_links``) gives exactly the rows of its reference implementation
(``tests/bilag_links_reference.py``, the pass that built every record whole) on varied catalogs: bilag by
file name, title, document number, "Bilag N" and export file reference, in folders, subfolders and zips,
ambiguous names and copies, exports and their prints; a full pass and later incremental ones."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest import bilag_links
from ingest.catalog import Catalog, FileEntry
from parsers import PARSER_VERSION
from parsers.records import Attachment, CaseNumber, DocumentRecord, Item, Meeting, Section, Source

sys.path.insert(0, str(Path(__file__).parent))
import bilag_links_reference as reference  # noqa: E402

WORDS = "vandværk høring cykelsti budget notat kort redegørelse skole plan takst ældreliv økonomi".split()
BODIES = ("Teknisk Udvalg", "Byrådet", "Økonomiudvalget")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _other(paths: list[str], sha: str, title: str | None) -> tuple[DocumentRecord, list[str]]:
    source = Source(paths[0], sha, "pdf", 1, PARSER_VERSION)
    return DocumentRecord(source, "other", title=title, text=title or "tekst"), paths


def _spelled(title: str, rng: random.Random) -> str:
    """The title as a file name, in one of the spellings files have."""
    name = title
    if rng.random() < 0.5:
        name = name.replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
    if rng.random() < 0.5:
        name = name.replace(" ", "_").lower()
    return name + rng.choice([".pdf", ".PDF", ".docx", ".pdf.pdf", ""])


def _folder(rng: random.Random, f: int, tag: str) -> list[tuple[DocumentRecord, list[str]]]:
    """The documents of one meeting folder (a print, often an export of the same meeting, bilag, notes)."""
    root = f"/arkiv/{f % 3}/m{f:03d}" if rng.random() < 0.8 else f"/arkiv/{f % 3}"
    in_zip = rng.random() < 0.4
    export_dir = f"{root}/pub{f}.zip!Pub" if in_zip else root
    body, date = rng.choice(BODIES), f"2024-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}"
    kind = rng.choice(["dagsorden", "referat"])
    out: list[tuple[DocumentRecord, list[str]]] = []
    items = []
    enclosure = 0
    for i in range(rng.randint(0, 5)):
        attachments = []
        for b in range(rng.randint(0, 4)):
            title = " ".join(rng.sample(WORDS, rng.randint(1, 3))) + f" {f} {rng.randint(0, 3)}"
            number = rng.choice([None, b + 1, rng.randint(1, 3)])
            printed = rng.choice([f"Bilag {b + 1}: {title.capitalize()}", title, f"{b + 1} {title}"])
            doc_number = rng.choice([None, None, f"{rng.randint(100000, 100009)}/{rng.randint(12, 13)}"])
            file = None
            if rng.random() < 0.4:
                enclosure += 1
                file = f"Enclosures/{enclosure}.pdf"
            attachments.append(Attachment(printed, number=number, document_number=doc_number, file=file))
            where = rng.choice([root, root, f"{root}/Bilag", f"{root}/Bilag/gamle", f"{root}/bilag.zip!"])
            sep = "" if where.endswith("!") else "/"
            if file is not None and rng.random() < 0.6:  # the export's enclosure, in any case
                own_title = rng.choice([None, title])
                path = f"{export_dir}/{file if rng.random() < 0.7 else file.upper()}"
                out.append(_other([path], _sha(path + tag), own_title))
                continue
            style = rng.random()
            if style < 0.4:
                name, own_title = _spelled(title, rng), None
            elif style < 0.55:
                name, own_title = f"scan{rng.randint(0, 20):04d}.pdf", title.upper()
            elif style < 0.7 and doc_number:
                name, own_title = f"{doc_number.replace('/', '-')} {rng.choice(WORDS)}.pdf", None
            elif style < 0.8:
                name, own_title = f"Bilag {rng.randint(1, 3)}.pdf", None
            else:
                continue  # not delivered
            path = f"{where}{sep}{name}"
            paths = [path]
            if rng.random() < 0.1:  # a copy of the same content elsewhere
                paths.append(f"{root}/kopi/{name}")
            sha = _sha(path + tag) if rng.random() < 0.9 else _sha(f"shared {rng.randint(0, 5)}")
            out.append(_other(paths, sha, own_title))
        cases = tuple(CaseNumber(f"24/{n:05d}-1", f"24/{n:05d}") for n in rng.sample(range(20), rng.randint(0, 2)))
        items.append(
            Item(
                rng.choice([i + 1, i + 1, 1]),
                " ".join(rng.sample(WORDS, 2)).capitalize(),
                case_numbers=cases,
                sections=(Section(None, "tekst"),),
                attachments=tuple(attachments),
            )
        )
    meeting = Meeting(body=body, document_type=kind, date=date, items=tuple(items))  # type: ignore[arg-type]
    printed_path = f"{root}/{kind}_{f}.{rng.choice(['pdf', 'docx', 'html'])}"
    printed_items = tuple(
        Item(
            it.number,
            it.title if rng.random() < 0.8 else rng.choice(WORDS),
            case_numbers=it.case_numbers if rng.random() < 0.5 else (),
            attachments=tuple(Attachment(a.title, a.number, document_number=a.document_number) for a in it.attachments),
        )
        for it in items
        if rng.random() < 0.8
    )
    printed_body = body.upper() if rng.random() < 0.9 else rng.choice(BODIES)
    printed = Meeting(body=printed_body, document_type=kind, date=date, items=printed_items)  # type: ignore[arg-type]
    fmt = printed_path.rsplit(".", 1)[1]
    sha = _sha(printed_path + tag)
    meetings = (printed, meeting) if rng.random() < 0.2 else (printed,)
    out.append((DocumentRecord(Source(printed_path, sha, fmt, 1, PARSER_VERSION), "meeting", meetings), [printed_path]))  # type: ignore[arg-type]
    if rng.random() < 0.6:
        export_path = f"{export_dir}/Pub{f}.xml"
        sha = _sha(export_path + tag)
        record = DocumentRecord(Source(export_path, sha, "xml", 1, PARSER_VERSION), "meeting", (meeting,))
        out.append((record, [export_path]))
    for n in range(rng.randint(0, 2)):
        path = f"{root}/notat_{n}.pdf"
        out.append(_other([path], _sha(path + tag), f"Andet notat {n}"))
    return out


def _fill(catalog: Catalog, seed: int, folders: range, generation: int, tag: str = "") -> None:
    rng = random.Random(seed)
    for f in folders:
        for record, paths in _folder(rng, f, tag):
            catalog.store_record(record, [FileEntry(p, 1000, 1.0) for p in paths], generation, size=1000)


def _rows(catalog: Catalog) -> dict[str, list[tuple[object, ...]]]:
    conn: sqlite3.Connection = catalog.connection
    return {
        "bilag_links": conn.execute("SELECT * FROM bilag_links ORDER BY item_key, attachment_index").fetchall(),
        "printed_versions": conn.execute("SELECT * FROM printed_versions ORDER BY sha256, meeting_index").fetchall(),
        "contents": conn.execute("SELECT sha256, generation FROM contents ORDER BY sha256").fetchall(),
        "meta": conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall(),
    }


@pytest.mark.parametrize("seed", range(6))
def test_the_link_pass_gives_the_rows_of_the_reference_pass(tmp_path: Path, seed: int) -> None:
    catalogs = {}
    for name in ("reference", "fast"):
        catalog = Catalog.open(tmp_path / name)
        generation = catalog.begin_run()
        _fill(catalog, seed, range(30), generation)
        catalogs[name] = (catalog, generation)
    ref, generation = catalogs["reference"]
    fast, _ = catalogs["fast"]
    ref_report = reference.update_links(ref, generation)
    fast_report = bilag_links.update_links(fast, generation)
    rows = _rows(fast)
    assert rows == _rows(ref)
    assert (fast_report.links, fast_report.changed_contents) == (ref_report.links, ref_report.changed_contents)
    assert rows["bilag_links"], "the catalog links nothing: the comparison would prove nothing"
    assert {r[5] for r in rows["bilag_links"]} >= {"file", "file_name", "title", "number"}
    assert rows["printed_versions"]
    # later runs: new folders, and new content in folders already linked (each on both catalogs alike)
    for run, folders in ((1, range(30, 36)), (2, range(0, 40, 4))):
        for catalog, _ in catalogs.values():
            later = catalog.begin_run()
            _fill(catalog, seed * 100 + run, folders, later, tag=f"#{run}")
        ref_report = reference.update_links(ref, later)
        fast_report = bilag_links.update_links(fast, later)
        assert _rows(fast) == _rows(ref), f"run {run}"
        assert (fast_report.links, fast_report.changed_contents) == (ref_report.links, ref_report.changed_contents)
    for catalog, _ in catalogs.values():
        catalog.close()


def test_same_meeting_and_match_bilag_agree_with_the_reference() -> None:
    rng = random.Random(7)
    agreed = disagreed = 0
    for f in range(200):
        docs = _folder(rng, f, "")
        meetings = [m for record, _ in docs for m in record.meetings]
        for a in meetings:
            for b in meetings:
                same = bilag_links.same_meeting(a, b)
                assert same == reference.same_meeting(a, b)
                agreed += same
                disagreed += not same
        for record, paths in docs:
            listed = [
                bilag_links.ListedBilag(f"k-{mi}-{ii}", ai, a)
                for mi, m in enumerate(record.meetings)
                for ii, item in enumerate(m.items)
                for ai, a in enumerate(item.attachments)
            ]
            cands = [
                bilag_links.BilagCandidate(r.source.sha256, p, r.title)
                for r, ps in docs
                if r.kind == "other"
                for p in ps
            ]
            ref_cands = [reference.BilagCandidate(c.sha256, c.path, c.title) for c in cands]
            ref_listed = [reference.ListedBilag(b.item_key, b.attachment_index, b.attachment) for b in listed]  # type: ignore[arg-type]
            got = [vars(link) for link in bilag_links.match_bilag(paths, listed, cands)]
            assert got == [vars(link) for link in reference.match_bilag(paths, ref_listed, ref_cands)]
    assert agreed and disagreed


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("æøåÆØÅéüß -_.:0123456789")))
def test_names_fold_as_the_reference_folds_them(text: str) -> None:
    assert bilag_links.fold_name(text) == reference.fold_name(text)
    assert bilag_links.name_keys(text) == reference.name_keys(text)
