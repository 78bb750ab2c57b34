"""Aktindsigt packages with linked bilag and PDF page cuts, through `arkiv ingest` and `arkiv aktindsigt`."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pypdfium2  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from aktindsigt.package import (
    BILAG_CLOSED_STATUS,
    CLOSED_STATUS,
    OPEN_STATUS,
    SOURCE_COPIED,
    SOURCE_WITHHELD_CLOSED,
    SOURCE_WITHHELD_CPR,
    AktHit,
    LinkedBilag,
    build_package,
)
from aktindsigt.pdf_cuts import CutPlan, PdfCutError, cut_pages, plan_cut
from parsers import parse_file
from parsers.records import Attachment, DocumentRecord, Item, Meeting, Section, Source
from search_cli.cli import cli

sys.path.insert(0, str(Path(__file__).parent))
from bilag_files import BILAG_CPR, BILAG_SECRET, BILAG_WORD, CASE, ITEM_SECRET, MEETING, write_all  # noqa: E402
from test_package_leaks import package_texts  # noqa: E402


def _pdf_pages(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(path)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    write_all(src)
    target = tmp_path_factory.mktemp("arkiv")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(target), "--jobs", "1", "-q"])
    assert result.exit_code == 0, result.output
    return target


def package(archive: Path, out: Path, *args: str) -> pd.DataFrame:
    result = CliRunner().invoke(cli, ["aktindsigt", *args, "--archive", str(archive), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "aktliste.csv", dtype=str, keep_default_na=False)


def test_bilag_rows_sit_under_their_items_and_go_or_stay_with_them(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    sheet = package(archive, out, "--case", CASE)
    assert sheet["Akt nr."].tolist() == ["1", "1.1", "1.2", "2", "2.1", "3", "3.1"]
    assert sheet["Titel"].tolist()[1] == "Bilag: Bilag 1: Notat om vandværket"
    assert (
        sheet["Status"].tolist()
        == [OPEN_STATUS, OPEN_STATUS, OPEN_STATUS, CLOSED_STATUS, CLOSED_STATUS] + [OPEN_STATUS] * 2
    )
    bilag = sheet.set_index("Akt nr.")
    assert bilag.loc["1.1", "Fundet via"] == "bilag til akt 1 (fundet via file_name)"
    assert bilag.loc["1.2", "Fundet via"] == "bilag til akt 1 (fundet via title)"
    assert "cpr: 1" in bilag.loc["1.1", "Flag"]
    assert bilag.loc["1.1", "Kildefil status"] == SOURCE_COPIED and bilag.loc["1.1", "Pakkefil"].startswith("sources/")
    # the bilag of the closed item is withheld with it: no text, no file, and its secret nowhere
    assert (bilag.loc["2.1", "Tekstfil"], bilag.loc["2.1", "Pakkefil"]) == ("", "")
    assert bilag.loc["2.1", "Kildefil status"] == SOURCE_WITHHELD_CLOSED
    everything = package_texts(out)
    assert BILAG_SECRET not in everything and ITEM_SECRET not in everything
    assert BILAG_WORD in (out / bilag.loc["1.1", "Tekstfil"]).read_text(encoding="utf-8")
    assert BILAG_CPR in (out / bilag.loc["1.1", "Tekstfil"]).read_text(encoding="utf-8")


def test_included_items_get_their_own_pages_cut_out_of_the_pdf(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    rows = package(archive, out, "--case", CASE).set_index("Akt nr.")
    assert rows.loc["1", "Kildefil status"] == "uddrag: punktets egne sider 1"
    assert (
        rows.loc["3", "Kildefil status"] == "uddrag: punktets egne sider 3; sider udeladt (deles med lukket punkt): 2"
    )
    assert rows.loc["2", "Kildefil status"] == SOURCE_WITHHELD_CLOSED and rows.loc["2", "Pakkefil"] == ""
    one, three = (_pdf_pages(out / rows.loc[n, "Pakkefil"]) for n in ("1", "3"))
    assert len(one) == 1 and "Renovering af vandværket" in one[0] and "Personalesag" not in one[0]
    assert len(three) == 1 and "Cykelstien fortsætter til skolen" in three[0]
    assert all(ITEM_SECRET not in page for page in one + three)
    # with --include-closed the whole source goes, and the closed item's bilag with it
    everything = tmp_path / "all"
    rows = package(archive, everything, "--case", CASE, "--include-closed").set_index("Akt nr.")
    assert set(rows["Kildefil status"]) == {SOURCE_COPIED}
    assert len(_pdf_pages(everything / rows.loc["1", "Pakkefil"])) == 3
    assert BILAG_SECRET in package_texts(everything)


def test_redact_masks_cpr_in_bilag_texts_and_withholds_their_files(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "p"
    rows = package(archive, out, "--case", CASE, "--redact").set_index("Akt nr.")
    assert rows.loc["1.1", "Kildefil status"] == SOURCE_WITHHELD_CPR
    assert rows.loc["1", "Kildefil status"] == "uddrag: punktets egne sider 1 – ikke redigeret"
    everything = package_texts(out)
    assert BILAG_CPR not in everything and "010203-XXXX" in everything


def test_a_query_that_matches_a_bilag_packs_its_item(archive: Path, tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["index", "--archive", str(archive), "-q"])
    sheet = package(archive, tmp_path / "p", BILAG_WORD)
    assert sheet["Akt nr."].tolist() == ["1", "1.1", "1.2"]
    assert sheet["Fundet via"].tolist()[0] == "søgning"


def _record(items: tuple[Item, ...], fmt: str = "pdf", sha: str = "a" * 64) -> DocumentRecord:
    meeting = Meeting(body="Byrådet", document_type="referat", date="2024-01-10", items=items)
    return DocumentRecord(Source(f"/x/{sha[:4]}.{fmt}", sha, fmt, 4, "t"), "meeting", (meeting,))  # type: ignore[arg-type]


def test_a_closed_bilag_of_an_open_item_is_withheld(tmp_path: Path) -> None:
    note = tmp_path / "notat.pdf"
    note.write_bytes(b"%PDF-1.4 not read")
    bilag_record = DocumentRecord(Source(str(note), "b" * 64, "pdf", 1, "t"), "other", text="Fortrolig tekst QXZ")
    attachment = Attachment("Notat", number=1, access="Lukket", closed=True)
    item = Item(1, "Sag", sections=(Section(None, "Åben tekst"),), attachments=(attachment,), pages=(1,))
    hit = AktHit(
        "a" * 64,
        ("/x/a.pdf",),
        _record((item,)),
        0,
        0,
        "test",
        (LinkedBilag(attachment, "b" * 64, (str(note),), bilag_record, "file"),),
    )
    build_package([hit], tmp_path / "p", searched="x", copy_sources=False)
    sheet = pd.read_csv(tmp_path / "p" / "aktliste.csv", dtype=str, keep_default_na=False)
    assert sheet["Status"].tolist() == [OPEN_STATUS, BILAG_CLOSED_STATUS]
    assert "QXZ" not in package_texts(tmp_path / "p")


def test_plan_cut_leaves_out_shared_pages_and_refuses_unknown_pages() -> None:
    items = (
        Item(1, "Åben", pages=(1, 2)),
        Item(2, "Lukket", closed=True, pages=(2,)),
        Item(3, "Åben igen", pages=(3, 4)),
    )
    meetings = _record(items).meetings
    assert plan_cut(meetings, 0, 0) == CutPlan(keep=(1,), shared=(2,))
    assert plan_cut(meetings, 0, 2) == CutPlan(keep=(3, 4), shared=())
    # an export that closes item 3 of the print: its pages are closed pages too
    assert plan_cut(meetings, 0, 0, closed_numbers=frozenset({1, 3})) == CutPlan(keep=(1,), shared=(2,))
    unknown = _record((Item(1, "Åben", pages=(1,)), Item(2, "Lukket", closed=True))).meetings
    assert plan_cut(unknown, 0, 0) is None
    assert plan_cut(_record((Item(1, "Åben"),)).meetings, 0, 0) is None


def test_cut_pages_keeps_the_pages_asked_for_and_refuses_missing_ones(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_all(src)
    data = (src / MEETING).read_bytes()
    (tmp_path / "cut.pdf").write_bytes(cut_pages(data, [3, 1]))
    pages = _pdf_pages(tmp_path / "cut.pdf")
    assert len(pages) == 2 and "Cykelstien fortsætter" in pages[0] and "Renovering" in pages[1]
    record = parse_file(tmp_path / "cut.pdf")
    assert record.source.page_count == 2
    with pytest.raises(PdfCutError, match="page 4 is not in the PDF"):
        cut_pages(data, [4])
    with pytest.raises(PdfCutError, match="cannot open"):
        cut_pages(b"%PDF-1.4 broken", [1])


def test_an_export_item_is_cut_out_of_its_printed_pdf(tmp_path: Path) -> None:
    """An ESDH export holding a closed item is withheld; its open items get their pages cut out of the print,
    and an item the export closes counts as closed in the print even where the print does not say so."""
    from aktindsigt.package import PrintedSource

    src = tmp_path / "src"
    write_all(src)
    printed = parse_file(src / MEETING)
    print_items = printed.meetings[0].items
    assert [i.pages for i in print_items] == [(1,), (2,), (2, 3)]
    # the export: same items, item 3 closed there too (the print says only item 2 is)
    export_items = tuple(
        Item(i.number, i.title, closed=i.number in (2, 3), sections=(Section(None, f"Tekst {i.number}"),))
        for i in print_items
    )
    export = _record(export_items, fmt="xml", sha="e" * 64)
    (tmp_path / "e.xml").write_text("<Publication/>", encoding="utf-8")
    source = PrintedSource(printed.source.sha256, (str(src / MEETING),), printed, 0)
    hit = AktHit("e" * 64, (str(tmp_path / "e.xml"),), export, 0, 0, "test", printed=source)
    build_package([hit], tmp_path / "p", searched="x")
    rows = pd.read_csv(tmp_path / "p" / "aktliste.csv", dtype=str, keep_default_na=False)
    assert rows["Kildefil status"].tolist() == ["uddrag: punktets egne sider 1"]
    (cut,) = _pdf_pages(tmp_path / "p" / rows["Pakkefil"][0])
    assert "Renovering af vandværket" in cut and ITEM_SECRET not in cut
    plan = plan_cut(printed.meetings, 0, 2, closed_numbers=frozenset({3}))
    assert plan == CutPlan(keep=(3,), shared=(2,))  # item 3 itself is no closed item to itself


def test_a_case_named_only_in_a_bilag_brings_in_its_item(archive: Path, tmp_path: Path) -> None:
    """The bilag of item 2 names the case in its text; item 2 carries the case itself, so it says so. The
    item found only through its bilag says that instead."""
    rows = package(archive, tmp_path / "p", "--case", CASE).set_index("Akt nr.")
    assert rows.loc["2", "Fundet via"] == f"sagsnr. {CASE}"
    from aktindsigt.links import with_links

    class Stored:
        def __init__(self, sha: str, record: DocumentRecord) -> None:
            self.sha256, self.paths, self.record = sha, (record.source.path,), record

    meeting = _record((Item(1, "Punkt", pages=(1,)),), sha="a" * 64)
    note = DocumentRecord(Source("/x/b.pdf", "b" * 64, "pdf", 1, "t"), "other", text=f"Sag {CASE}")
    found = {"a" * 64: Stored("a" * 64, meeting), "b" * 64: Stored("b" * 64, note)}
    bilag_hit = AktHit("b" * 64, ("/x/b.pdf",), note, None, None, f"nævnt i teksten: {CASE}")
    link = ("a" * 16 + "-0-0", 0, "a" * 64, "b" * 64, "/x/b.pdf", "file_name")
    (hit,) = with_links([bilag_hit], [link], [], found.get)
    assert (hit.key, hit.matched_by) == ("a" * 16 + "-0-0", f"bilag: nævnt i teksten: {CASE}")
