"""Bilag files linked to their items through a real `arkiv ingest` (folder, zip, later runs) and the real
documents, searched and shown through the command line."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_cli.cli import cli

sys.path.insert(0, str(Path(__file__).parent))
from bilag_files import (  # noqa: E402
    BILAG_FILES,
    BILAG_WORD,
    HEARING_WORD,
    MEETING,
    OTHER_WORD,
    UNLISTED,
    write_all,
    write_bilag,
    write_meeting,
)

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def ingest(src: Path, archive: Path, *extra: str) -> None:
    code, out, err = run("ingest", str(src), "--archive", str(archive), "--jobs", "1", "-q", *extra)
    assert code == 0, out + err


def links(archive: Path) -> list[tuple[int, int, str, str]]:
    """(item number, attachment index, bilag file name, method) of every link."""
    with sqlite3.connect(archive / "catalog.sqlite") as conn:
        rows = conn.execute("SELECT item_key, attachment_index, bilag_path, method FROM bilag_links").fetchall()
    return sorted((int(k.rsplit("-", 1)[1]) + 1, i, p.replace("!", "/").rsplit("/", 1)[1], m) for k, i, p, m in rows)


EXPECTED = [
    (1, 0, BILAG_FILES["Bilag 1: Notat om vandværket"], "file_name"),
    (1, 1, BILAG_FILES["Bilag 2: Høringssvar fra Grundejerforeningen"], "title"),
    (2, 0, BILAG_FILES["Bilag 1: Redegørelse i personalesagen"], "file_name"),
    (3, 0, BILAG_FILES["Bilag 1: Kort over cykelstien"], "file_name"),
]


def search(archive: Path, query: str) -> dict[str, object]:
    code, out, err = run("search", query, "--archive", str(archive), "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def folder_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    rendered = write_all(src)
    assert rendered.item_pages == {(0, 0): [1], (0, 1): [2], (0, 2): [2, 3]}
    archive = tmp_path_factory.mktemp("arkiv")
    ingest(src, archive)
    return archive


def test_listed_bilag_in_the_folder_are_linked_by_file_name_and_title(folder_archive: Path) -> None:
    assert links(folder_archive) == EXPECTED


def test_a_search_finds_the_item_by_its_bilag_and_says_in_which(folder_archive: Path) -> None:
    data = search(folder_archive, BILAG_WORD)
    assert data["total"] == 1  # the item, not the bilag file on its own
    (hit,) = data["hits"]  # type: ignore[misc]
    assert (hit["item"], hit["type"], hit["in_bilag"]) == (1, "referat", "Bilag 1: Notat om vandværket")
    assert f"**{BILAG_WORD}**" in hit["snippet"]
    hearing = search(folder_archive, HEARING_WORD)["hits"]
    assert [h["in_bilag"] for h in hearing] == ["Bilag 2: Høringssvar fra Grundejerforeningen"]  # type: ignore[attr-defined]
    # a match in the item's own text is no bilag match
    own = search(folder_archive, "vandværket renoveres")["hits"]
    assert [(h["item"], h["in_bilag"]) for h in own] == [(1, None)]  # type: ignore[attr-defined]
    code, table, _ = run("search", BILAG_WORD, "--archive", str(folder_archive))
    assert code == 0 and "in bilag: Bilag 1: Notat om vandværket" in table


def test_an_unlisted_document_stays_a_document_of_its_own(folder_archive: Path) -> None:
    hits = search(folder_archive, OTHER_WORD)["hits"]
    assert [(h["type"], h["in_bilag"]) for h in hits] == [("other", None)]  # type: ignore[attr-defined]


def test_show_prints_the_bilag_with_their_text(folder_archive: Path) -> None:
    item_id = search(folder_archive, BILAG_WORD)["hits"][0]["id"]  # type: ignore[index]
    code, out, _ = run("show", item_id, "--archive", str(folder_archive))
    assert code == 0
    assert "## Bilag: Bilag 1: Notat om vandværket" in out and BILAG_WORD in out
    assert "## Bilag: Bilag 2: Høringssvar fra Grundejerforeningen" in out and "matched by title" in out
    code, out, _ = run("show", item_id, "--archive", str(folder_archive), "--json")
    bilag = json.loads(out)["bilag"]
    assert [(b["title"], b["matched_by"], b["format"]) for b in bilag] == [
        ("Bilag 1: Notat om vandværket", "file_name", "pdf"),
        ("Bilag 2: Høringssvar fra Grundejerforeningen", "title", "docx"),
    ]


def test_bilag_in_a_zip_are_linked_the_same_way(tmp_path: Path) -> None:
    src = tmp_path / "files"
    write_all(src)
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(tmp_path / "in" / "moede.zip", "w") as zf:
        zf.write(src / MEETING, f"Teknisk Udvalg/{MEETING}")
        for name in [*BILAG_FILES.values(), UNLISTED]:
            zf.write(src / name, f"Teknisk Udvalg/bilag/{name}")
    ingest(tmp_path / "in", tmp_path / "arkiv")
    assert links(tmp_path / "arkiv") == EXPECTED
    assert [h["in_bilag"] for h in search(tmp_path / "arkiv", BILAG_WORD)["hits"]] == [  # type: ignore[attr-defined]
        "Bilag 1: Notat om vandværket"
    ]


def test_bilag_in_a_folder_right_under_the_meeting_link_and_deeper_ones_do_not(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_meeting(src)
    write_bilag(src / "Bilag", unlisted=False)
    deeper = src / "2019" / "andet møde"
    deeper.mkdir(parents=True)
    name = BILAG_FILES["Bilag 1: Kort over cykelstien"]
    shutil.move(src / "Bilag" / name, deeper / name)
    ingest(src, tmp_path / "arkiv")
    assert links(tmp_path / "arkiv") == EXPECTED[:3]


def test_links_follow_later_runs_whatever_order_files_arrive_in(tmp_path: Path) -> None:
    src, archive = tmp_path / "src", tmp_path / "arkiv"
    src.mkdir()
    write_bilag(src)  # the bilag first: nothing lists them yet, so they are documents of their own
    ingest(src, archive)
    assert links(archive) == []
    assert [h["type"] for h in search(archive, BILAG_WORD)["hits"]] == ["other"]  # type: ignore[attr-defined]
    write_meeting(src)  # the meeting in a later run: its bilag link now, and leave the index as documents
    ingest(src, archive)
    assert links(archive) == EXPECTED
    hits = search(archive, BILAG_WORD)["hits"]
    assert [(h["type"], h["in_bilag"]) for h in hits] == [("referat", "Bilag 1: Notat om vandværket")]  # type: ignore[attr-defined]
    # a bilag removed from the source unlinks, and its words no longer find the item
    (src / BILAG_FILES["Bilag 1: Notat om vandværket"]).unlink()
    ingest(src, archive, "--prune")
    assert links(archive) == EXPECTED[1:]
    assert search(archive, BILAG_WORD)["total"] == 0
    # the same files imported in one run give the same links
    fresh = tmp_path / "fresh"
    ingest(src, fresh)
    assert links(fresh) == links(archive)
    # and a re-run changes nothing
    before = links(archive)
    ingest(src, archive)
    assert links(archive) == before
    # a catalog whose links were never computed (written before they existed) gets them on the next run
    with sqlite3.connect(archive / "catalog.sqlite") as conn:
        conn.execute("DELETE FROM bilag_links")
        conn.execute("DELETE FROM meta WHERE key = 'links_version'")
    ingest(src, archive)
    assert links(archive) == before
    assert [h["in_bilag"] for h in search(archive, HEARING_WORD)["hits"]] == [  # type: ignore[attr-defined]
        "Bilag 2: Høringssvar fra Grundejerforeningen"
    ]


# ---------------------------------------------------------------------------
# The real documents
# ---------------------------------------------------------------------------

# Listed bilag in the real documents: the Ballerup export's item 3 lists Enclosures/1.pdf, which is
# ballerup_sbsys_bilag_monopolbruddet_2013.pdf (the MANIFEST names that file in the export's zip). The
# other real bilag belong to meetings that are not among the real documents (Aarhus byråd 2025-08-26,
# SFU 2012-12-04, Syddjurs PUK) and none of the listed titles of the real meetings names them.
REAL_FILES = (
    "aarhus_sbsys_moedesystemgruppen_publication_2016-10-06.xml",
    "aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf",
    "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml",
    "ballerup_sbsys_bilag_monopolbruddet_2013.pdf",
    "ballerup_sfu_bilag_notat-takstreduktion_2012-11-19.pdf",
    "aarhus_bilag_byraad_henvendelse-havnens-perle_2025-08-26.pdf",
    "aarhus_byraad_dagsorden_2025-10-08.html",
    "middelfart_edoc_testudvalg_dagsorden_2017-05-02.html",
    "middelfart_edoc_testudvalg_dagsorden_2017-05-02.xml",
    "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml",
)


@pytest.fixture(scope="module")
def real_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REALDOCS.is_dir():
        pytest.skip("../shared/realdocs is not here")
    src = tmp_path_factory.mktemp("real")
    for name in REAL_FILES:
        shutil.copy(REALDOCS / name, src / name)
    # the Ballerup export as published: Publication32.zip with the export and its Enclosures folder
    with zipfile.ZipFile(src / "Publication32.zip", "w") as zf:
        zf.write(REALDOCS / REAL_FILES[2], "Publication32/Publication32.xml")
        zf.write(REALDOCS / REAL_FILES[3], "Publication32/Enclosures/1.pdf")
    archive = tmp_path_factory.mktemp("real-arkiv")
    ingest(src, archive)
    return archive


def test_real_export_links_its_enclosure_and_flat_real_bilag_stay_documents(real_archive: Path) -> None:
    assert links(real_archive) == [(3, 0, "1.pdf", "file")]
    hits = search(real_archive, "Weidekampsgade")["hits"]  # printed only in the KL letter (the enclosure)
    assert [(h["body"], h["item"], h["in_bilag"]) for h in hits] == [  # type: ignore[attr-defined]
        ("IT-udvalget", 3, "Brev fra KL til Kommunalbestyrelsen vedr Monopolbrud")
    ]
    # the other real bilag are not listed by any meeting here: documents of their own
    assert [h["type"] for h in search(real_archive, "Udviklingshæmmede")["hits"]] == ["other"]  # type: ignore[attr-defined]


def test_an_export_takes_precedence_over_its_print(real_archive: Path) -> None:
    with sqlite3.connect(real_archive / "catalog.sqlite") as conn:
        pairs = conn.execute(
            "SELECT fp.path, fe.path FROM printed_versions v JOIN files fp ON fp.sha256 = v.sha256 "
            "JOIN files fe ON fe.sha256 = v.export_sha256 ORDER BY fp.path"
        ).fetchall()
    names = [(Path(p).name, Path(e).name) for p, e in pairs]
    assert names == [
        (REAL_FILES[1], REAL_FILES[0]),  # the Aarhus referat PDF and its SBSYS export
        ("middelfart_edoc_testudvalg_dagsorden_2017-05-02.html", "middelfart_edoc_testudvalg_dagsorden_2017-05-02.xml"),
    ]
    # one meeting in the index: the export's items, each pointing at its pages in the print
    hits = search(real_archive, "GetOrganized")["hits"]
    assert [(h["item"], Path(h["source_path"]).suffix) for h in hits] == [(2, ".xml")]  # type: ignore[attr-defined]
    code, out, _ = run("show", hits[0]["id"], "--archive", str(real_archive), "--json")  # type: ignore[index]
    printed = json.loads(out)["printed"]
    assert Path(printed["path"]).name == REAL_FILES[1] and printed["pages"] == [3, 4]
    code, out, _ = run("show", hits[0]["id"], "--archive", str(real_archive))  # type: ignore[index]
    assert f"Printed: {printed['path']} p. 3-4" in out
    middelfart = search(real_archive, "Fejloprettet")["hits"]
    assert {Path(h["source_path"]).suffix for h in middelfart} == {".xml"}  # type: ignore[attr-defined]


def test_scanned_and_legacy_word_bilag_are_read_and_linked(tmp_path: Path) -> None:
    """A scanned bilag (read by OCR) and the real Word 97 bilag (converted by LibreOffice) link like any other."""
    from corpus.generator.layout import Para
    from corpus.generator.pdf_render import render_pdf
    from corpus.scanned import scan_pdf

    if not REALDOCS.is_dir():
        pytest.skip("../shared/realdocs is not here")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REALDOCS / "syddjurs_bilag_kulturpolitik_2009.doc", src / "Politik for kultur og fritid.doc")
    letter = tmp_path / "brev.pdf"
    render_pdf([Para("Brev fra foreningen", "title"), Para("Foreningen ønsker en skøjtebane ved hallen.")], letter)
    scan_pdf(letter, src / "Scannet brev fra foreningen.pdf", dpi=200, seed=3)
    meeting = [
        Para("Referat Kultur- og Fritidsudvalget", "title"),
        Para("Mødedato: 4. maj 2009 kl. 16:00", "body"),
        Para("Punkt 1: Kulturpolitik og foreningernes ønsker", "h1", tag=(0, 0)),
        Para("Sagsnr.: 09/1234", "body", tag=(0, 0)),
        Para("Baggrund", "h2", tag=(0, 0)),
        Para("Udvalget drøfter politikken og et brev.", "body", tag=(0, 0)),
        Para("Bilag", "h2", tag=(0, 0)),
        Para("Bilag 1: Politik for kultur og fritid", "body", tag=(0, 0)),
        Para("Bilag 2: Scannet brev fra foreningen", "body", tag=(0, 0)),
    ]
    render_pdf(meeting, src / "referat_kultur.pdf", title="Referat")
    archive = tmp_path / "arkiv"
    ingest(src, archive)
    assert links(archive) == [
        (1, 0, "Politik for kultur og fritid.doc", "file_name"),
        (1, 1, "Scannet brev fra foreningen.pdf", "file_name"),
    ]
    scanned = search(archive, "skøjtebane")["hits"]
    assert [h["in_bilag"] for h in scanned] == ["Bilag 2: Scannet brev fra foreningen"]  # type: ignore[attr-defined]
    legacy = search(archive, '"lokalt engagement"')["hits"]
    assert [h["in_bilag"] for h in legacy] == ["Bilag 1: Politik for kultur og fritid"]  # type: ignore[attr-defined]


SBSYS_EXPORTS = {  # export -> how its print is titled
    "aarhus_sbsys_moedesystemgruppen_publication_2016-10-06.xml": "Referat",
    "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml": "Dagsorden",
    "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml": "Dagsorden",
}


def test_the_three_sbsys_exports_take_precedence_over_their_rendered_prints(tmp_path: Path) -> None:
    """Each real SBSYS export beside a print of it (PDF for all three, DOCX for one): one meeting each in the
    index, the export's, and every print kept as the printed source of its export."""
    from esdh_render import load_meeting
    from esdh_render import render_docx as esdh_docx
    from esdh_render import render_pdf as esdh_pdf

    if not REALDOCS.is_dir():
        pytest.skip("../shared/realdocs is not here")
    src = tmp_path / "src"
    for n, (name, document) in enumerate(SBSYS_EXPORTS.items()):
        folder = src / f"moede{n}"
        folder.mkdir(parents=True)
        shutil.copy(REALDOCS / name, folder / name)
        meeting = load_meeting(REALDOCS / name)
        esdh_pdf(meeting, folder / "print.pdf", "bold", document=document)
        if n == 1:
            esdh_docx(meeting, folder / "print.docx", "heading", document=document)
    archive = tmp_path / "arkiv"
    ingest(src, archive)
    with sqlite3.connect(archive / "catalog.sqlite") as conn:
        pairs = conn.execute(
            "SELECT fp.path, fe.path FROM printed_versions v JOIN files fp ON fp.sha256 = v.sha256 "
            "JOIN files fe ON fe.sha256 = v.export_sha256 ORDER BY fp.path"
        ).fetchall()
        meetings = conn.execute("SELECT count(*) FROM meetings").fetchone()[0]
    got = sorted((Path(p).parent.name, Path(p).name, Path(e).name) for p, e in pairs)
    assert got == [
        ("moede0", "print.pdf", "aarhus_sbsys_moedesystemgruppen_publication_2016-10-06.xml"),
        ("moede1", "print.docx", "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml"),
        ("moede1", "print.pdf", "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml"),
        ("moede2", "print.pdf", "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml"),
    ]
    assert meetings == 7  # the catalog keeps every record; the index holds the three exports' meetings
    code, out, err = run("search", "", "--archive", str(archive), "--json", "--limit", "100")
    assert code == 0, err
    sources = {Path(h["source_path"]).suffix for h in json.loads(out)["hits"]}
    assert sources == {".xml"}


@pytest.mark.parametrize("marker", ["Fortroligt", "Offentlig: Nej"])  # a document marker; a marker line
def test_a_bilag_marked_confidential_is_listed_but_its_text_is_neither_found_nor_shown(
    tmp_path: Path, marker: str
) -> None:
    from corpus.generator.docx_render import render_docx
    from corpus.generator.layout import Para

    src = tmp_path / "src"
    write_all(src)
    secret_word = "grusgravsforløbet"
    render_docx(
        [Para(marker, style="title"), Para(f"Kortet viser {secret_word} fra Skovvej til skolen.")],
        src / BILAG_FILES["Bilag 1: Kort over cykelstien"],
        title="Kort",
    )
    ingest(src, tmp_path / "arkiv")
    assert links(tmp_path / "arkiv") == EXPECTED  # still linked to item 3 by its file name
    assert search(tmp_path / "arkiv", secret_word)["total"] == 0
    item = search(tmp_path / "arkiv", "cykelstien")["hits"][0]  # type: ignore[index]
    code, out, _ = run("show", item["id"], "--archive", str(tmp_path / "arkiv"), "--json")
    assert code == 0
    (bilag,) = json.loads(out)["bilag"]
    assert (bilag["title"], bilag["closed"], bilag["text"]) == ("Bilag 1: Kort over cykelstien", True, "")
    assert secret_word not in out
