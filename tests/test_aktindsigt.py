"""Aktindsigt packages: the library on records, and `arkiv aktindsigt` on a real ingested archive."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import docx
import pandas as pd
import pytest
from click.testing import CliRunner

from aktindsigt.package import (
    CLOSED_STATUS,
    OPEN_STATUS,
    REVIEW_STATUS,
    SOURCE_COPIED_UNREDACTED,
    SOURCE_NOT_COPIED,
    SOURCE_TEXT_INSTEAD,
    SOURCE_WITHHELD_CLOSED,
    SOURCE_WITHHELD_CPR,
    AktHit,
    AktindsigtError,
    build_package,
    filter_dates,
    hits_for_cases,
    read_source,
    sort_hits,
    source_holds_cpr,
)
from parsers.records import (
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Section,
    Source,
)
from parsers.serialize import record_from_json
from search_cli.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "sample"
SECRET = "Medarbejderen har bedt om fratrædelse efter samtale med chefen"


@dataclass(frozen=True)
class Stored:
    sha256: str
    paths: tuple[str, ...]
    record: DocumentRecord


# ---------------------------------------------------------------------------
# Records and files built here
# ---------------------------------------------------------------------------


def _item(number: int, title: str, case: str, text: str, *, closed: bool = False, decision: str = "") -> Item:
    sections = (Section("Baggrund", text), Section("Beslutning", decision)) if decision else (Section(None, text),)
    return Item(
        number=number,
        title=title,
        case_numbers=(CaseNumber(case, case.split("-")[0] if "/" in case else case),),
        closed=closed,
        sections=sections,
        decision=Decision(decision, "Direktionen", None) if decision else None,
        pages=(number,),
    )


def _record(sha: str, path: str, date: str, body: str, items: tuple[Item, ...]) -> DocumentRecord:
    meeting = Meeting(body=body, document_type="referat", date=date, items=items, participants=("Lars Holte",))
    return DocumentRecord(
        source=Source(path=path, sha256=sha, format="docx", page_count=3, parser_version="test"),
        kind="meeting",
        meetings=(meeting,),
    )


@pytest.fixture()
def stored(tmp_path: Path) -> list[Stored]:
    """Three documents: a later one with a closed item holding text, an earlier one, one inside a zip."""
    later = tmp_path / "src" / "direktionen_2023.docx"
    earlier = tmp_path / "src" / "oekonomiudvalget_2021.docx"
    later.parent.mkdir()
    for path in (later, earlier):
        document = docx.Document()
        document.add_paragraph(path.stem)
        document.save(str(path))
    zipped = tmp_path / "src" / "arkiv.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(earlier, "2022/byraadet_2022.docx")
    a = _record(
        "a" * 64,
        str(later),
        "2023-09-11",
        "Direktionen",
        (
            _item(
                1,
                "Udmøntning af sygefraværspulje",
                "22/023184-3",
                "Sagsbehandler: Trine Groth Rasmussen, tlf. 43 68 68 68. Borger 010190-1234 har klaget.",
                decision="Godkendt.",
            ),
            _item(2, "Personalesag", "22/23184", SECRET, closed=True),
            _item(3, "Andet emne", "23/9850", "Intet om sagen."),
        ),
    )
    b = _record(
        "b" * 64, str(earlier), "2021-03-01", "Økonomiudvalget", (_item(4, "Pulje", "22/23184", "Første drøftelse."),)
    )
    c = _record(
        "c" * 64,
        f"{zipped}!2022/byraadet_2022.docx",
        "2022-05-02",
        "Byrådet",
        (_item(1, "Opfølgning", "24/1", "Jf. sag 22/23184 om puljen."),),
    )
    return [
        Stored(a.source.sha256, (a.source.path,), a),
        Stored(b.source.sha256, (b.source.path,), b),
        Stored(c.source.sha256, (c.source.path,), c),
    ]


def _all_package_text(out: Path) -> str:
    """Every byte of the package as text, with DOCX members unpacked, for leak checks."""
    parts = []
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(f) as zf:
                parts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
        elif f.is_file():
            parts.append(f.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


# ---------------------------------------------------------------------------
# The library
# ---------------------------------------------------------------------------


def test_case_matching_normalizes_and_finds_mentions(stored: list[Stored]) -> None:
    hits = sort_hits(hits_for_cases(stored, ["22/23184"]))
    assert [(h.date, h.item.number if h.item else None) for h in hits] == [
        ("2021-03-01", 4),
        ("2022-05-02", 1),
        ("2023-09-11", 1),
        ("2023-09-11", 2),
    ]
    assert [h.matched_by for h in hits] == [
        "sagsnr. 22/23184",
        "nævnt i teksten: 22/23184",
        "sagsnr. 22/023184-3",
        "sagsnr. 22/23184",
    ]
    assert hits_for_cases(stored, ["22/999"]) == []


def test_filter_dates_keeps_undated(stored: list[Stored]) -> None:
    hits = hits_for_cases(stored, ["22/23184"])
    assert {h.date for h in filter_dates(hits, "2022-01-01", "2022-12-31")} == {"2022-05-02"}
    undated = AktHit("d" * 64, ("x.pdf",), stored[0].record, None, None)
    assert filter_dates([undated], "2022-01-01", None) == [undated]


def test_package_rows_order_files_and_flags(stored: list[Stored], tmp_path: Path) -> None:
    out = tmp_path / "pakke"
    summary = build_package(hits_for_cases(stored, ["22/23184"]), out, searched="sagsnr. 22/23184")
    sheet = pd.read_excel(out / "aktliste.xlsx", sheet_name="Aktliste")
    assert list(sheet["Akt nr."]) == [1, 2, 3, 4]
    assert list(sheet["Dato"]) == ["2021-03-01", "2022-05-02", "2023-09-11", "2023-09-11"]
    assert list(sheet["Organ"]) == ["Økonomiudvalget", "Byrådet", "Direktionen", "Direktionen"]
    assert list(sheet["Status"]) == ["udleveres", "udleveres", "udleveres", CLOSED_STATUS]
    assert list(sheet["Åben/lukket"]) == ["åben", "åben", "åben", "lukket"]
    csv_sheet = pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)
    assert list(csv_sheet["Titel"]) == list(sheet["Titel"])

    # sources: copied once each, named by the first akt nr.; the zip member is read from the zip
    assert sorted(p.name for p in (out / "sources").iterdir()) == [
        "0001_oekonomiudvalget_2021.docx",
        "0002_byraadet_2022.docx",
    ]
    assert (out / "sources" / "0002_byraadet_2022.docx").read_bytes() == read_source(stored[2].paths[0])
    # the document with a closed item's text is not copied, and the row says why
    assert pd.isna(sheet["Pakkefil"][2]) and "kildefil tilbageholdt" in sheet["Flag"][2]

    # flags: CPR (masked), phone, name with position in the text file
    flags = pd.read_excel(out / "aktliste.xlsx", sheet_name="Flag", dtype=str)
    rows = flags[flags["Akt nr."] == "3"]
    assert set(rows["Type"]) == {"cpr", "phone", "name"}
    assert rows[rows["Type"] == "cpr"]["Værdi"].tolist() == ["010190-XXXX"]
    text_file = out / rows["Tekstfil"].iloc[0]
    line = int(rows[rows["Type"] == "phone"]["Linje"].iloc[0])
    col = int(rows[rows["Type"] == "phone"]["Kolonne"].iloc[0])
    assert text_file.read_text(encoding="utf-8").splitlines()[line - 1][col - 1 :].startswith("43 68 68 68")
    assert sheet["Flag"][2].startswith("cpr: 1, name: 1, phone: 1")

    assert (summary.hits, summary.included, summary.closed_withheld, summary.flagged_items) == (4, 3, 1, 1)
    assert summary.findings == {"cpr": 1, "phone": 1, "name": 1}
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["hits"] == 4
    assert "Hits (akter): 4" in (out / "summary.txt").read_text(encoding="utf-8")


def test_a_closed_bilag_of_an_open_item_is_flagged(stored: list[Stored], tmp_path: Path) -> None:
    record = stored[1].record
    bilag = (
        Attachment("Notat om puljen", number=1, access="Åben"),
        Attachment("Lægeerklæring 010190-1234", number=2, access="Lukket", closed=True),
    )
    item = replace(record.meetings[0].items[0], attachments=bilag)
    record = replace(record, meetings=(replace(record.meetings[0], items=(item,)),))
    out = tmp_path / "pakke"
    build_package(hits_for_cases([replace(stored[1], record=record)], ["22/23184"]), out, searched="sagsnr. 22/23184")
    sheet = pd.read_excel(out / "aktliste.xlsx", sheet_name="Aktliste")
    assert list(sheet["Status"]) == [OPEN_STATUS] and "lukket bilag: 1" in sheet["Flag"][0]
    flags = pd.read_excel(out / "aktliste.xlsx", sheet_name="Flag", dtype=str)
    assert flags[flags["Type"] == "lukket bilag"]["Værdi"].tolist() == ["Lægeerklæring 010190-XXXX (Lukket)"]


def test_no_closed_text_leaves_the_package_by_default(stored: list[Stored], tmp_path: Path) -> None:
    hits = hits_for_cases(stored, ["22/23184"])
    build_package(hits, tmp_path / "default", searched="x")
    assert SECRET not in _all_package_text(tmp_path / "default")
    build_package(hits, tmp_path / "with-closed", searched="x", include_closed=True)
    assert SECRET in _all_package_text(tmp_path / "with-closed")
    assert len(list((tmp_path / "with-closed" / "sources").iterdir())) == 3


def test_redaction_masks_texts_and_logs(stored: list[Stored], tmp_path: Path) -> None:
    out = tmp_path / "pakke"
    calls: list[tuple[int, int]] = []
    summary = build_package(
        hits_for_cases(stored, ["22/23184"]), out, searched="x", redact=True, progress=lambda d, t: calls.append((d, t))
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    texts = "\n".join(p.read_text(encoding="utf-8") for p in (out / "texts").iterdir())
    assert "010190-1234" not in texts and "010190-XXXX" in texts
    log = pd.read_csv(out / "redactions.csv", dtype=str)
    assert log["Erstattet med"].tolist() == ["010190-XXXX"] and summary.redactions == 1
    assert "Redaktioner" in pd.ExcelFile(out / "aktliste.xlsx").sheet_names


def _review_record(tmp_path: Path) -> Stored:
    """A meeting with an item closed by a printed marker and one withheld for review, and an open item."""
    path = tmp_path / "src" / "udvalg_010203-1234.docx"
    path.parent.mkdir(exist_ok=True)
    document = docx.Document()
    document.add_paragraph("Udvalget")
    document.save(str(path))
    items = (
        _item(1, "Åbent punkt", "22/23184", "Intet personligt her."),
        replace(
            _item(2, "Personalesag 010203\u20131234", "22/23184", SECRET, closed=True),
            closed_reason="Punktet er lukket",
        ),
        replace(
            _item(3, "Orientering", "22/23184", "Fortroligt: " + SECRET, closed=True),
            closed_reason="Fortroligt",
            closed_review=True,
        ),
    )
    record = _record("e" * 64, str(path), "2023-05-01", "Udvalget", items)
    return Stored(record.source.sha256, (str(path),), record)


def test_closed_and_review_items_are_withheld_with_their_reason(tmp_path: Path) -> None:
    stored = _review_record(tmp_path)
    out = tmp_path / "p"
    summary = build_package(hits_for_cases([stored], ["22/23184"]), out, searched="x")
    sheet = pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)
    assert sheet["Status"].tolist() == [OPEN_STATUS, CLOSED_STATUS, REVIEW_STATUS]
    assert sheet["Lukket-markering"].tolist() == ["", "Punktet er lukket", "Fortroligt"]
    # a withheld item keeps its title on the aktliste, with CPR numbers masked even without --redact
    assert sheet["Titel"].tolist()[1] == "Personalesag 010203-XXXX"
    flags = pd.read_csv(out / "flag.csv", dtype=str, keep_default_na=False)
    review = flags[flags["Type"] == "til vurdering"]
    assert review["Akt nr."].tolist() == ["3"] and "Fortroligt" in review["Værdi"].iloc[0]
    assert "til vurdering" in sheet["Flag"][2]
    assert (summary.included, summary.closed_withheld, summary.review_withheld) == (1, 1, 1)
    # the open item's DOCX holds the closed items: withheld, the item's text stands in for it
    assert sheet["Kildefil status"].tolist() == [SOURCE_TEXT_INSTEAD, SOURCE_WITHHELD_CLOSED, SOURCE_WITHHELD_CLOSED]
    assert "Tilbageholdt – til vurdering: 1" in (out / "summary.txt").read_text(encoding="utf-8")
    everything = _all_package_text(out)
    assert SECRET not in everything and "1234" not in everything.replace("udvalg_010203-1234", "")
    assert len(list((out / "texts").iterdir())) == 1

    build_package(hits_for_cases([stored], ["22/23184"]), tmp_path / "all", searched="x", include_closed=True)
    assert SECRET in _all_package_text(tmp_path / "all")
    flags = pd.read_csv(tmp_path / "all" / "flag.csv", dtype=str)
    assert flags[flags["Type"] == "til vurdering"]["Akt nr."].tolist() == ["3"]


@pytest.mark.parametrize(
    ("marker_line", "shown"),
    [("FORTROLIGT", "FORTROLIGT"), ("Lukket", "Lukket"), ("Offentlig: Nej", "Offentlig: Nej")],
)
def test_non_meeting_document_with_a_marker_is_withheld_for_review(
    tmp_path: Path, marker_line: str, shown: str
) -> None:
    source = tmp_path / "notat.docx"
    docx.Document().save(str(source))
    record = DocumentRecord(
        source=Source(path=str(source), sha256="f" * 64, format="docx", page_count=1, parser_version="test"),
        kind="other",
        title="Notat om sag 22/23184",
        text=f"Notat om sag 22/23184\n{marker_line}\n" + SECRET,
    )
    stored = Stored(record.source.sha256, (str(source),), record)
    hits = hits_for_cases([stored], ["22/23184"])
    summary = build_package(hits, tmp_path / "p", searched="x")
    sheet = pd.read_csv(tmp_path / "p" / "aktliste.csv", dtype=str, keep_default_na=False)
    assert sheet["Status"].tolist() == [REVIEW_STATUS] and sheet["Lukket-markering"].tolist() == [shown]
    assert sheet["Kildefil status"].tolist() == [SOURCE_WITHHELD_CLOSED]
    assert (summary.review_withheld, summary.sources_copied) == (1, 0)
    assert SECRET not in _all_package_text(tmp_path / "p")


def test_redact_masks_cpr_in_every_field_and_file_name(tmp_path: Path) -> None:
    stored = _review_record(tmp_path)
    clean = tmp_path / "src" / "ren_fil.docx"
    docx.Document().save(str(clean))
    open_item = _item(7, "Klage fra 010203\u22121234", "22/23184", "Borger 010203\u00ad1234 og e-mail a@b.dk.")
    other = _record("9" * 64, str(clean), "2023-06-01", "Udvalget", (open_item,))
    out = tmp_path / "p"
    summary = build_package(
        hits_for_cases([stored, Stored(other.source.sha256, (str(clean),), other)], ["22/23184"]),
        out,
        searched="sagsnr. 22/23184 010203-1234",
        redact=True,
    )
    everything = _all_package_text(out) + "\n".join(str(f.relative_to(out)) for f in out.rglob("*"))
    assert not re.search(r"010203\D{0,3}1234", everything)
    sheet = pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)
    assert sheet["Titel"].tolist()[-1] == "Klage fra 010203-XXXX"
    assert sheet["Tekstfil"].tolist()[-1] == "texts/0004_klage_fra_010203-xxxx.txt"
    assert sheet["Kildefil"].tolist()[0].endswith("udvalg_010203-XXXX.docx")
    # the record of the clean file names a CPR number: withheld; nothing is copied unredacted
    assert sheet["Kildefil status"].tolist()[-1] == SOURCE_WITHHELD_CPR
    assert summary.sources_withheld_cpr == 1 and summary.redactions == 2
    assert "010203-XXXX" in (out / "summary.txt").read_text(encoding="utf-8")


def test_redact_copies_clean_sources_and_says_they_are_unredacted(stored: list[Stored], tmp_path: Path) -> None:
    out = tmp_path / "p"
    summary = build_package(hits_for_cases(stored[1:], ["22/23184"]), out, searched="x", redact=True)
    sheet = pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)
    assert sheet["Kildefil status"].tolist() == [SOURCE_COPIED_UNREDACTED] * 2
    assert all("kildefil kopieret – ikke redigeret" in f for f in sheet["Flag"])
    assert summary.sources_copied == 2 and summary.to_dict()["sources_redacted"] is False
    assert "er originaler og er ikke redigeret" in (out / "summary.txt").read_text(encoding="utf-8")


def test_redact_withholds_a_source_whose_running_header_holds_a_cpr(stored: list[Stored], tmp_path: Path) -> None:
    path = Path(stored[1].paths[0])
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Vedr. 010190\u20131234"
    document.add_paragraph("Referat")
    document.save(str(path))
    out = tmp_path / "p"
    summary = build_package(hits_for_cases(stored[1:2], ["22/23184"]), out, searched="x", redact=True)
    assert (summary.sources_copied, summary.sources_withheld_cpr) == (0, 1)
    assert list((out / "sources").iterdir()) == []
    assert source_holds_cpr(path.read_bytes(), ".docx") is True
    assert source_holds_cpr(b"%PDF-1.4 broken", ".pdf") is None  # unreadable: withheld as unchecked


def test_no_sources_writes_no_source_folder(stored: list[Stored], tmp_path: Path) -> None:
    out = tmp_path / "p"
    summary = build_package(hits_for_cases(stored, ["22/23184"]), out, searched="x", copy_sources=False)
    assert not (out / "sources").exists()
    sheet = pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)
    assert set(sheet["Kildefil status"]) == {SOURCE_NOT_COPIED} and set(sheet["Pakkefil"]) == {""}
    assert summary.sources_not_copied == 3 and summary.sources_copied == 0
    assert "ikke kopieret (--no-sources): 3" in (out / "summary.txt").read_text(encoding="utf-8")


def test_output_folder_must_be_new(stored: list[Stored], tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x.txt").write_text("x")
    with pytest.raises(AktindsigtError, match="not empty"):
        build_package([], tmp_path / "old", searched="x")


def test_unreadable_source_is_reported_not_fatal(stored: list[Stored], tmp_path: Path) -> None:
    Path(stored[1].paths[0]).unlink()
    summary = build_package(hits_for_cases(stored[1:2], ["22/23184"]), tmp_path / "p", searched="x")
    assert summary.included == 1 and summary.sources_copied == 0
    assert len(summary.problems) == 1 and "oekonomiudvalget_2021.docx" in summary.problems[0]


def test_gold_records_of_the_sample_corpus(tmp_path: Path) -> None:
    golds = sorted(SAMPLE.rglob("*.gold.json"))
    if not golds:
        pytest.skip("corpus/sample has no gold files")
    stored = []
    for g in golds:
        record = record_from_json(g.read_text(encoding="utf-8"))
        stored.append(Stored(record.source.sha256, (str(g)[: -len(".gold.json")],), record))
    closed = sum(1 for s in stored for m in s.record.meetings for i in m.items if i.closed)
    hits = [
        AktHit(s.sha256, s.paths, s.record, mi, ii)
        for s in stored
        for mi, m in enumerate(s.record.meetings)
        for ii in range(len(m.items))
    ]
    summary = build_package(hits, tmp_path / "p", searched="alt")
    sheet = pd.read_excel(tmp_path / "p" / "aktliste.xlsx", sheet_name="Aktliste", dtype=str)
    assert len(sheet) == len(hits) and summary.closed_withheld == closed
    dated = [d for d in sheet["Dato"] if isinstance(d, str)]
    assert dated == sorted(dated)


# ---------------------------------------------------------------------------
# The command, on an archive ingested with `arkiv ingest`
# ---------------------------------------------------------------------------


def _meeting_docx(path: Path, body: str, date: str, items: list[tuple[int, str, str, str, bool]]) -> None:
    document = docx.Document()
    document.add_heading(f"REFERAT {body} d. {date}", 1)
    document.add_paragraph(f"Mødedato: {date} kl. 09:00")
    document.add_paragraph("Mødedeltagere: Lars Holte, Jørgen Lerhard, Charlotte Markussen")
    for number, title, case, text, closed in items:
        document.add_heading(f"Punkt {number}: {title}", 1)
        document.add_paragraph(case)
        if closed:
            document.add_paragraph("Lukket punkt")
        document.add_heading("Baggrund", 2)
        document.add_paragraph(text)
        document.add_heading(f"Beslutning {body} den {date}", 2)
        document.add_paragraph("Godkendt.")
    document.save(str(path))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("kilder")
    _meeting_docx(
        src / "direktionen_referat_2023-09-11.docx",
        "Direktionen",
        "11-09-2023",
        [
            (1, "Udmøntning af sygefraværspulje", "22/23184", "Pulje på 250.000 kr. Kontakt trgr@aarhus.dk.", False),
            (2, "Personalesag", "22/23184", SECRET + " (CPR 010190-1234).", True),
        ],
    )
    _meeting_docx(
        src / "direktionen_referat_2021-02-01.docx",
        "Direktionen",
        "01-02-2021",
        [(1, "Sygefravær 2020", "22/023184-2", "Borger 020304-1234 har klaget. Tlf. 43 68 68 68.", False)],
    )
    archive = tmp_path_factory.mktemp("arkiv")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(archive), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return archive


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["aktindsigt", *args])


def test_cli_case_package(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "akt"
    result = _run("--case", "22/23184", "--archive", str(archive), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Hits (akter): 3" in result.stdout
    sheet = pd.read_excel(out / "aktliste.xlsx", sheet_name="Aktliste", dtype=str)
    assert sheet["Dato"].tolist() == ["2021-02-01", "2023-09-11", "2023-09-11"]
    assert sheet["Titel"].tolist()[0] == "Sygefravær 2020"
    assert sheet["Status"].tolist() == ["udleveres", "udleveres", CLOSED_STATUS]
    assert "cpr: 1" in sheet["Flag"][0] and "phone: 1" in sheet["Flag"][0]
    assert "email: 1" in sheet["Flag"][1] and "kildefil tilbageholdt" in sheet["Flag"][1]
    assert sorted(p.name for p in (out / "sources").iterdir()) == ["0001_direktionen_referat_2021-02-01.docx"]
    assert len(list((out / "texts").iterdir())) == 2
    assert SECRET not in _all_package_text(out)


def test_cli_dates_redact_and_include_closed(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "akt"
    result = _run("--case", "22/23184", "--from", "01-01-2023", "--include-closed", "--redact", "--json",
                  "--archive", str(archive), "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["hits"], summary["closed_withheld"], summary["redactions"]) == (2, 0, 1)
    texts = "\n".join(p.read_text(encoding="utf-8") for p in (out / "texts").iterdir())
    assert SECRET in texts and "010190-XXXX" in texts and "010190-1234" not in texts


def test_cli_query_mode(archive: Path, tmp_path: Path) -> None:
    indexed = CliRunner().invoke(cli, ["index", "--archive", str(archive)])
    if indexed.exit_code != 0:
        pytest.fail(f"arkiv index failed: {indexed.output}")
    out = tmp_path / "akt"
    result = _run("sygefraværspulje", "--archive", str(archive), "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(out / "aktliste.xlsx", sheet_name="Aktliste", dtype=str)
    assert sheet["Titel"].tolist() == ["Udmøntning af sygefraværspulje"]
    nothing = _run("zyxwvutsrq", "--archive", str(archive), "--out", str(tmp_path / "none"))
    assert nothing.exit_code == 1 and "nothing matches the query «zyxwvutsrq»" in nothing.stderr
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--out", "x"], 2, "either --case"),
        (["--case", "22/1", "ord", "--out", "x"], 2, "either --case"),
        (["--case", "22/1", "--from", "2024-01-01", "--to", "2023-01-01", "--out", "x"], 2, "is after"),
        (["--case", "22/1", "--from", "31-02-2023", "--out", "x"], 2, "--from"),
    ],
)
def test_cli_usage_errors(args: list[str], code: int, message: str, tmp_path: Path) -> None:
    result = _run(*args, "--archive", str(tmp_path))
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--case", "99/999", "--case", "98/1"], "case 99/999, 98/1"),
        (["--case", "22/23184", "--to", "2000-01-01"], "case 22/23184 between … and 2000-01-01"),
    ],
)
def test_cli_nothing_matched_exits_1_without_a_package(
    archive: Path, tmp_path: Path, args: list[str], named: str
) -> None:
    out = tmp_path / "akt"
    result = _run(*args, "--archive", str(archive), "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"Error: nothing matches {named}; no package written to {out}"]
    assert not out.exists()


def test_cli_no_sources_and_redact(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "akt"
    result = _run("--case", "22/23184", "--redact", "--no-sources", "--json", "--archive", str(archive),
                  "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["sources_not_copied"], summary["sources_copied"], summary["redact"]) == (2, 0, True)
    assert not (out / "sources").exists()
    assert "1234" not in _all_package_text(out)


def test_cli_missing_catalog(tmp_path: Path) -> None:
    result = _run("--case", "22/1", "--archive", str(tmp_path / "none"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "no catalog here" in result.stderr


def test_eval_nlp_command_meets_target() -> None:
    result = CliRunner().invoke(cli, ["eval-nlp", "--json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["cpr_missed"] == [] and payload["below_target"] == []
    assert payload["lines"] >= 150
    labels = {row["label"] for row in payload["scores"] if row["kind"] == "outcome"}
    assert {"godkendt", "anbefalet", "taget til efterretning", "udsat", "afvist", "oversendt", "drøftet"} <= labels


def test_eval_nlp_fails_below_target(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = [
        {"id": "1", "task": "outcome", "text": "Godkendt.", "outcome": "afvist"},
        {"id": "2", "task": "entities", "text": "Borger 0101901234.", "entities": []},
        {"id": "3", "task": "entities", "text": "Ingen.", "entities": [{"label": "CPR", "text": "x", "value": None}]},
    ]
    gold.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval-nlp", "--gold", str(gold), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["cpr_missed"] == ["3"] and payload["cpr_false_positives"] == ["2"]
    assert "Below target" in result.stderr


def test_eval_nlp_bad_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"task": "outcome"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval-nlp", "--gold", str(gold)])
    assert result.exit_code == 1 and "gold.jsonl:1" in result.stderr


def test_benchmark_script_runs_small() -> None:
    import subprocess
    import sys

    script = ROOT / "benchmarks" / "bench_aktindsigt.py"
    done = subprocess.run(
        [sys.executable, str(script), "--items", "400", "--cases", "3"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["items"] == 400 and result["hits"] > 0 and result["target_met"] is True
