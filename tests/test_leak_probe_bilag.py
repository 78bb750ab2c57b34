"""A bilag file that one item lists as closed and another as open is withheld with both.

An eDoc export lists the same file (``Bilag/lejekontrakt.pdf``) under two items: as "Lukket: Lejekontrakt"
under one, as "Lejekontrakt" under the other, in the same export and across two exports in one folder. The
file is one document: its text must not be found, shown or served through the open listing, and an
aktindsigt package must not hand it over under either item. Real files, ingested and indexed by `arkiv`,
the public view through the Starlette application, packages through `arkiv aktindsigt`.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette warns that its test client will move from httpx to another client
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from index.engine import ENGINES
from search_cli.cli import cli
from web.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from test_bilag_decisions_history import _print_pdf  # noqa: E402
from test_package_leaks import package_texts  # noqa: E402
from web_archive import import_folder  # noqa: E402

SECRET = "Musvitsejl"  # only in the bilag file


def _item(number: int, title: str, case: str, bilag_title: str) -> str:
    return f"""      <MeetingAgendaItem><AgendaItemNumber>{number}</AgendaItemNumber><FullText>Om havnen.</FullText>
        <Document documentid="{number}"><Title>{title}</Title><CaseNumber>{case}</CaseNumber>
          <PublishingType>SKAL PUBLICERES</PublishingType>
          <Attachments><Attachment><Title>{bilag_title}</Title><PDFDocument>Bilag/lejekontrakt.pdf</PDFDocument>
          </Attachment></Attachments></Document>
      </MeetingAgendaItem>
"""


def _export(date: str, items: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <Committee>Økonomiudvalget</Committee>
  <MeetingDate>{date}</MeetingDate>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
{items}    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""


CLOSED = _item(1, "Lejemål på havnen", "24/6001", "Lukket: Lejekontrakt")
OPEN = _item(2, "Havnens budget", "24/6002", "Lejekontrakt")
LAYOUTS = {
    "one export": {"dagsorden.xml": _export("4. marts 2024", CLOSED + OPEN)},
    "two exports": {
        "dagsorden_marts.xml": _export("4. marts 2024", CLOSED),
        "dagsorden_april.xml": _export("8. april 2024", OPEN),
    },
}


@pytest.fixture(scope="module", params=list(LAYOUTS))
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("kilder")
    (src / "Bilag").mkdir()
    _print_pdf(src / "Bilag" / "lejekontrakt.pdf", [("Lejekontrakt", "title"), (f"Lejer: {SECRET} ApS.", "p")], "Bilag")
    for name, text in LAYOUTS[request.param].items():
        (src / name).write_text(text, encoding="utf-8")
    archive = tmp_path_factory.mktemp("arkiv")
    return import_folder(src, archive)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_file_is_withheld_with_the_open_listing_in_the_public_view(archive: Path, engine: str) -> None:
    with TestClient(create_app(archive, engine)) as staff:
        hits = {h["item"]: h for h in staff.get("/api/search?q=lejekontrakt").json()["hits"]}
        assert set(hits) == {1, 2}  # both items list the file, by title
        listed = staff.get(f"/api/item/{hits[2]['id']}").json()["bilag"]
        assert [(b["path"].endswith("lejekontrakt.pdf"), b["closed"]) for b in listed] == [(True, True)]
    with TestClient(create_app(archive, engine, public=True)) as public:
        assert public.get(f"/api/search?q={SECRET}").json()["total"] == 0
        for url in (f"/api/item/{hits[2]['id']}", f"/item/{hits[2]['id']}"):
            answer = public.get(url)
            assert answer.status_code == 200 and SECRET not in answer.text, url


@pytest.mark.parametrize("cases", [["24/6002"], ["24/6001", "24/6002"]])
def test_no_package_hands_the_file_over(archive: Path, tmp_path: Path, cases: list[str]) -> None:
    out = tmp_path / "pakke"
    args = [a for c in cases for a in ("--case", c)]
    result = CliRunner().invoke(cli, ["aktindsigt", *args, "--archive", str(archive), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "Havnens budget" in package_texts(out)  # the open item is handed over
    assert SECRET not in package_texts(out)
    assert not list(out.glob("sources/*lejekontrakt*"))
    rows = (out / "aktliste.csv").read_text(encoding="utf-8-sig")
    assert "Bilag: Lejekontrakt" in rows and "undtaget – lukket bilag" in rows


@pytest.mark.parametrize("engine", ENGINES)
def test_a_later_closed_listing_withholds_the_file_from_an_earlier_open_one(tmp_path: Path, engine: str) -> None:
    """The export that lists the file as open is imported and indexed first; the one that closes it comes in
    a later import. The incremental index update withholds the file from the open item too."""
    src = tmp_path / "kilder"
    (src / "Bilag").mkdir(parents=True)
    _print_pdf(src / "Bilag" / "lejekontrakt.pdf", [("Lejekontrakt", "title"), (f"Lejer: {SECRET} ApS.", "p")], "Bilag")
    (src / "dagsorden_april.xml").write_text(_export("8. april 2024", OPEN), encoding="utf-8")
    archive = tmp_path / "arkiv"

    def run(*args: str) -> None:
        result = CliRunner().invoke(cli, [*args, "--archive", str(archive)])
        assert result.exit_code == 0, result.output

    run("ingest", str(src), "--jobs", "1")
    run("index", "--engine", engine)  # later imports update it
    with TestClient(create_app(archive, engine, public=True)) as public:
        assert public.get(f"/api/search?q={SECRET}").json()["total"] == 1  # open: the bilag text is found
    (src / "dagsorden_marts.xml").write_text(_export("4. marts 2024", CLOSED), encoding="utf-8")
    run("ingest", str(src), "--jobs", "1")
    with TestClient(create_app(archive, engine, public=True)) as public:
        assert public.get(f"/api/search?q={SECRET}").json()["total"] == 0
