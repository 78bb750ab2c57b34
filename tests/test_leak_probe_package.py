"""Aktindsigt packages withhold what the index withholds: an item whose title or text carries a closed marker
is closed although its ESDH export calls it public.

The index closes such an item (``parsers.confidentiality.item_mark``), so the public view never shows it; a
package must not hand its text or its source file over either. A real eDoc export is ingested and packed
with ``arkiv aktindsigt`` by case and by query, and through the web application's zip; the whole package is
read back (file names, every file decoded) and searched for the closed items' words.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_cli.cli import cli

sys.path.insert(0, str(Path(__file__).parent))
from test_package_leaks import package_texts  # noqa: E402

CASE = "24/5001"
QUERY = "grundsalg"
SECRETS = ("Gnuskrotte", "Pelikanhegn", "Sommerfuglevej")  # each in one closed item only
OPEN_WORD = "vejbelysning"

# eDoc publishing export: every item "SKAL PUBLICERES", items 2 and 3 marked closed in their title or text,
# item 4 closed by the line "Sagen behandles for lukkede døre" in its decision
EXPORT = f"""<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <Committee>Økonomiudvalget</Committee>
  <MeetingDate>4. marts 2024</MeetingDate>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber>
        <FullText>Sagen handler om {OPEN_WORD} ved et grundsalg.</FullText>
        <Document documentid="1"><Title>Vejbelysning</Title><CaseNumber>{CASE}</CaseNumber>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>2</AgendaItemNumber>
        <FullText>Grundsalg til {SECRETS[0]} ApS.</FullText>
        <Document documentid="2"><Title>Salg af grund (Lukket)</Title><CaseNumber>{CASE}</CaseNumber>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>3</AgendaItemNumber>
        <FullText>&lt;p&gt;Punktet er lukket jf. styrelseslovens § 10.&lt;/p&gt;&lt;p&gt;Grundsalg og medarbejderen
          {SECRETS[1]}.&lt;/p&gt;</FullText>
        <Document documentid="3"><Title>Personaleforhold</Title><CaseNumber>{CASE}</CaseNumber>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>4</AgendaItemNumber>
        <FullText>&lt;p&gt;Lukket punkt&lt;/p&gt;&lt;p&gt;Grundsalg på {SECRETS[2]}.&lt;/p&gt;</FullText>
        <Document documentid="4"><Title>Ekspropriation</Title><CaseNumber>{CASE}</CaseNumber>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""

MODES: dict[str, list[str]] = {
    "case": ["--case", CASE],
    "case no-sources": ["--case", CASE, "--no-sources"],
    "case redact": ["--case", CASE, "--redact"],
    "query": [QUERY],
    "query redact": [QUERY, "--redact"],
    "case include-closed": ["--case", CASE, "--include-closed"],
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("export")
    (src / "dagsorden.xml").write_text(EXPORT, encoding="utf-8")
    archive = tmp_path_factory.mktemp("arkiv")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(archive), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    return archive


@pytest.fixture(scope="module")
def packages(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pakker")
    out: dict[str, Path] = {}
    for mode, args in MODES.items():
        target = root / mode.replace(" ", "_")
        result = CliRunner().invoke(cli, ["aktindsigt", *args, "--archive", str(archive), "--out", str(target), "-q"])
        assert result.exit_code == 0, f"{mode}: {result.output}"
        out[mode] = target
    return out


def _rows(package: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((package / "aktliste.csv").read_text(encoding="utf-8-sig"))))


def test_the_index_closes_the_marked_export_items(archive: Path) -> None:
    result = CliRunner().invoke(cli, ["search", QUERY, "--json", "--archive", str(archive)])
    assert result.exit_code == 0, result.output
    hits = {h["item"]: h["closed"] for h in json.loads(result.output)["hits"]}
    assert hits == {1: False, 2: True, 3: True, 4: True}


@pytest.mark.parametrize("mode", [m for m in MODES if "include-closed" not in m])
def test_marked_export_items_never_leave_a_package(packages: dict[str, Path], mode: str) -> None:
    text = package_texts(packages[mode])
    assert OPEN_WORD in text  # the open item is handed over
    assert [s for s in SECRETS if s in text] == [], mode
    rows = {r["Punkt nr."]: r for r in _rows(packages[mode])}
    assert rows["1"]["Status"] == "udleveres"
    for number in ("2", "3", "4"):
        assert rows[number]["Status"] == "undtaget – lukket punkt", (mode, number)
        assert rows[number]["Åben/lukket"] == "lukket"
        assert rows[number]["Tekstfil"] == ""
    assert not list(packages[mode].glob("sources/*.xml"))  # the export holds the closed items' text


def test_include_closed_hands_the_marked_items_over(packages: dict[str, Path]) -> None:
    text = package_texts(packages["case include-closed"])
    assert [s for s in SECRETS if s in text] == list(SECRETS)


def _zip_texts(data: bytes, folder: Path) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(folder)
    yield package_texts(folder)


def test_the_web_package_of_a_request_withholds_them_too(archive: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():  # starlette warns that its test client will move from httpx to another client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(archive)) as client:
        created = client.post("/api/aktindsigt", json={"name": "Grundsalg"})
        assert created.status_code == 201, created.text
        key = created.json()["key"]
        added = client.post(f"/api/aktindsigt/{key}/add", json={"scope": "case", "case": CASE})
        assert added.status_code == 200 and len(added.json()["entries"]) == 4, added.text
        for url in (f"/aktindsigt/{key}/download.zip", f"/aktindsigt/{key}/download.csv"):
            response = client.get(url)
            assert response.status_code == 200, url
            if url.endswith(".zip"):
                text = "".join(_zip_texts(response.content, tmp_path / "zip"))
            else:
                text = response.content.decode("utf-8-sig")
                assert text.count("undtaget – lukket punkt") == 3
            assert [s for s in SECRETS if s in text] == [], url
