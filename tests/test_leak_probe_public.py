"""Attacks on the public view (`arkiv serve --public`) that the crawl of tests/browser does not make.

* A search for a CPR number's serial alone (four digits, allowed) marks the serial in the snippet
  (``010190-**1234**``); the mark must not hide the number from the masking.
* A meeting whose every item is closed (a "Lukket møde") is no public page: its time, place and
  participants would say that a closed meeting was held.
* A "did you mean" shows a word as an item writes it; for a public reader that item is an open one, never
  a closed item that holds the only spelling.
* A CPR number in any field an export has (the case number too), in a filter value (``case=``), or in the
  file name of a served source PDF (its ``Content-Disposition`` header) is masked or refused.
* No answer counts a meeting's closed items, and an unpublished source does not say why.
* A differential crawl: no word that only closed items hold is in any public page, API answer or header.

Real files (the archive of tests/web_archive.py and PDFs written here), ingested and indexed by `arkiv`,
served by the Starlette application as `arkiv serve --public` runs it, on both engines.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():  # starlette warns that its test client will move from httpx to another client
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from archive_api.archive import Archive, mask_snippet
from index.documents import IndexDoc
from index.engine import ENGINES
from search_cli.cli import cli
from web.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from test_bilag_decisions_history import _first_agenda_lines, _print_pdf  # noqa: E402
from web_archive import build_archive, import_folder  # noqa: E402

CPR_RE = re.compile(r"010190\D{0,12}1234")  # the planted number, whatever marks or dashes sit inside it


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("probe"))


@pytest.fixture(scope="module", params=ENGINES)
def public(archive: Path, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    with TestClient(create_app(archive, request.param, public=True)) as client:
        yield client


# --- CPR numbers in highlighted snippets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "shown"),
    [
        ("med cpr-nr. 010190-**1234** har **klaget**", "med cpr-nr. 010190-XXXX har **klaget**"),
        ("**010190**–**1234** og **cpr** 0101901234", "010190-XXXX og **cpr** 010190-XXXX"),
        ("**0101901234**", "010190-XXXX"),
        ("uden tal **her**", "uden tal **her**"),
        ("ulige ** 010190-1234", "ulige  010190-XXXX"),
    ],
)
def test_mask_snippet_masks_through_the_marks(snippet: str, shown: str) -> None:
    assert mask_snippet(snippet) == shown


@pytest.mark.parametrize("query", ["1234", "klaget 1234", '"1234"', "123*"])
def test_a_search_for_the_serial_shows_no_cpr_number(public: TestClient, query: str) -> None:
    answer = public.get(f"/api/search?q={quote(query)}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 1
    assert not CPR_RE.search(answer.text), answer.json()["hits"][0]["snippet"]
    assert "010190-XXXX" in answer.json()["hits"][0]["snippet"]
    page = public.get(f"/search?q={quote(query)}")
    assert page.status_code == 200 and "010190-XXXX" in page.text
    assert not CPR_RE.search(page.text)


# --- a closed meeting -------------------------------------------------------------------------------------

CLOSED_MEETING_PLACE = "Mødelokale Spurvehøgen"
CLOSED_MEETING_MEMBER = "Ditlev Damgaard"


def _closed_meeting_pdf(path: Path) -> None:
    _print_pdf(
        path,
        [
            ("Referat", "title"),
            ("Lukket møde", "b"),
            ("Beskæftigelsesudvalget", "p"),
            ("Mødedato: 12. februar 2024, kl. 15.00", "p"),
            (f"Mødested: {CLOSED_MEETING_PLACE}", "p"),
            (f"Medlemmer: {CLOSED_MEETING_MEMBER}", "p"),
            ("Punkt 1: Personalesag", "h"),
            ("Sagsnr.: 24/7001", "p"),
            ("Sagen drejer sig om en medarbejder.", "p"),
            ("Punkt 2: Erstatningssag", "h"),
            ("Sagsnr.: 24/7002", "p"),
            ("Sagen drejer sig om et forlig.", "p"),
        ],
        "Referat",
    )


@pytest.fixture(scope="module")
def closed_meeting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    src = tmp_path_factory.mktemp("lukket")
    _closed_meeting_pdf(src / "beskaeftigelsesudvalget_referat_2024-02-12.pdf")
    archive = tmp_path_factory.mktemp("lukket-arkiv")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(archive), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    with Archive(archive) as staff:
        docs = staff.matching("")
    assert docs and all(d.closed for d in docs) and all(d.kind == "item" for d in docs), docs
    meeting_id = docs[0].id.rsplit("-", 1)[0]
    return archive, meeting_id


@pytest.mark.parametrize("engine", ENGINES)
def test_a_meeting_of_closed_items_only_is_not_public(closed_meeting: tuple[Path, str], engine: str) -> None:
    archive, meeting_id = closed_meeting
    CliRunner().invoke(cli, ["index", "--archive", str(archive), "--engine", engine])
    with TestClient(create_app(archive, engine)) as staff:
        shown = staff.get(f"/api/meeting/{meeting_id}")
        assert shown.status_code == 200 and len(shown.json()["items"]) == 2
        assert CLOSED_MEETING_MEMBER in staff.get(f"/meeting/{meeting_id}").text
    with TestClient(create_app(archive, engine, public=True)) as public:
        for url in (f"/api/meeting/{meeting_id}", f"/meeting/{meeting_id}"):
            answer = public.get(url)
            assert answer.status_code == 404, url
            assert CLOSED_MEETING_MEMBER not in answer.text and CLOSED_MEETING_PLACE not in answer.text
        assert json.loads(public.get("/api/search?q=").text)["total"] == 0


# --- "did you mean" -------------------------------------------------------------------------------------

# the open item writes "tilbud" and "Petersen", the closed one (closed by its title; the export calls it
# public) "tilbuddet" and the names "Gnuskrotte" and "Pedersen", which no open item holds
SUGGEST_EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <Committee>Økonomiudvalget</Committee>
  <MeetingDate>4. marts 2024</MeetingDate>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber>
        <FullText>Der er indhentet et tilbud på vejbelysning fra firmaet Petersen.</FullText>
        <Document documentid="1"><Title>Vejbelysning</Title><PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>2</AgendaItemNumber>
        <FullText>Tilbuddet fra Gnuskrotte. Tilbuddet er lavt. Gnuskrotte og tilbuddet accepteres. Pedersen.</FullText>
        <Document documentid="2"><Title>Tilbuddet på grunden (Lukket)</Title>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""


@pytest.fixture(scope="module")
def suggest_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("forslag")
    (src / "dagsorden.xml").write_text(SUGGEST_EXPORT, encoding="utf-8")
    archive = tmp_path_factory.mktemp("forslag-arkiv")
    return import_folder(src, archive)


def _suggestion(client: TestClient, query: str) -> object:
    answer = client.get(f"/api/search?q={quote(query)}")
    assert answer.status_code == 200, answer.text
    return answer.json()["suggestion"]


@pytest.mark.parametrize("engine", ENGINES)
def test_did_you_mean_offers_only_words_as_open_items_write_them(suggest_archive: Path, engine: str) -> None:
    with TestClient(create_app(suggest_archive, engine)) as staff:
        assert _suggestion(staff, "tillbud") == {"query": "tilbuddet", "corrections": [["tillbud", "tilbuddet"]]}
        assert _suggestion(staff, "Gnusktotte") is not None
    with TestClient(create_app(suggest_archive, engine, public=True)) as public:
        assert _suggestion(public, "tillbud") == {"query": "tilbud", "corrections": [["tillbud", "tilbud"]]}
        assert _suggestion(public, "Gnusktotte") is None
        for query in ("tillbud", "tilbudet", "Gnusktotte", "gnuskrottes"):
            for url in (f"/api/search?q={quote(query)}", f"/search?q={quote(query)}"):
                text = public.get(url).text.lower()
                assert "tilbuddet" not in text and "gnuskrotte" not in text.replace(query.lower(), ""), url


# --- CPR numbers in the fields of an export, and as a filter value ------------------------------------------

# an eDoc export with a CPR number in every field it has, each printed another way; the case number is a
# person's CPR number, as some case systems number a person's case
FIELD_CPRS = {
    "case number": "150585-1234",
    "title": "160686\u20132345",
    "text": "170787 - 3456",
    "location": "180888\u20114567",
    "bilag title": "190989-5678",
}
FIELDS_EXPORT = f"""<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <Committee>Økonomiudvalget</Committee>
  <MeetingDate>4. marts 2024</MeetingDate>
  <MeetingLocation>Hos borgeren, cpr-nr. {FIELD_CPRS["location"]}</MeetingLocation>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber>
        <FullText>Klage over vejbelysning fra borger med cpr-nr. {FIELD_CPRS["text"]}.</FullText>
        <Document documentid="1"><Title>Vejbelysning, klage fra {FIELD_CPRS["title"]}</Title>
          <CaseNumber>{FIELD_CPRS["case number"]}</CaseNumber><PublishingType>SKAL PUBLICERES</PublishingType>
          <Attachments><Attachment><Title>Klage fra {FIELD_CPRS["bilag title"]}</Title></Attachment></Attachments>
        </Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""


def _field_cprs(text: str) -> list[str]:
    found = []
    for name, cpr in FIELD_CPRS.items():
        digits = "".join(c for c in cpr if c.isdigit())
        if re.search(rf"{digits[:6]}\D{{0,12}}{digits[6:]}", text):
            found.append(name)
    return found


@pytest.fixture(scope="module")
def fields_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("felter")
    (src / "dagsorden.xml").write_text(FIELDS_EXPORT, encoding="utf-8")
    archive = tmp_path_factory.mktemp("felter-arkiv")
    return import_folder(src, archive)


@pytest.mark.parametrize("engine", ENGINES)
def test_cpr_numbers_in_every_export_field_are_masked(fields_archive: Path, engine: str) -> None:
    with TestClient(create_app(fields_archive, engine)) as staff:
        hit = staff.get("/api/search?q=vejbelysning").json()["hits"][0]
        assert hit["cases"] == [FIELD_CPRS["case number"]]  # the attack reaches the field
        assert _field_cprs(staff.get(f"/api/item/{hit['id']}").text) == list(FIELD_CPRS)
    meeting = hit["id"].rsplit("-", 1)[0]
    with TestClient(create_app(fields_archive, engine, public=True)) as public:
        urls = ["/api/search?q=vejbelysning", "/search?q=vejbelysning", "/api/stats?q=vejbelysning"]
        urls += [f"/api/item/{hit['id']}", f"/item/{hit['id']}", f"/api/meeting/{meeting}", f"/meeting/{meeting}"]
        for url in urls:
            answer = public.get(url)
            assert answer.status_code == 200, url
            assert _field_cprs(answer.text) == [], url
        assert public.get("/api/search?q=vejbelysning").json()["hits"][0]["cases"] == ["150585-XXXX"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "url",
    [
        "/api/case?nr=150585-1234",
        "/case?nr=150585-1234",
        "/api/case?nr=1505851234",
        "/api/search?case=150585-1234",
        "/api/search?q=vejbelysning&case=150585*",
        "/search?case=1505*",
        "/api/stats?case=150585",
        "/stats?case=150585-1234",
    ],
)
def test_a_public_case_filter_by_cpr_number_is_refused(fields_archive: Path, engine: str, url: str) -> None:
    with TestClient(create_app(fields_archive, engine, public=True)) as public:
        answer = public.get(url)
        assert answer.status_code == 400, url
        assert "cannot be searched by CPR number" in answer.text and _field_cprs(answer.text) == []
        assert "150585" not in answer.text
    with TestClient(create_app(fields_archive, engine)) as staff:
        # staff are never refused; they find the person's case (not by the number written without a dash)
        assert staff.get(url).status_code == (404 if "1505851234" in url else 200), url


# --- a CPR number in the name of a served source file ---------------------------------------------------------


@pytest.fixture(scope="module")
def named_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An open referat PDF without a CPR number in its text, whose file name holds one."""
    src = tmp_path_factory.mktemp("navn")
    items = [(1, "Vejbelysning", [("Sagen handler om vejbelysning.", "p")]), (2, "Cykelsti", [("Om en sti.", "p")])]
    _print_pdf(
        src / "referat_klage_150585-1234.pdf",
        _first_agenda_lines("Teknisk Udvalg", "1. oktober 2025", items),
        "Referat",
    )
    archive = tmp_path_factory.mktemp("navn-arkiv")
    result = CliRunner().invoke(cli, ["ingest", str(src), "--archive", str(archive), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    with Archive(archive) as staff:
        item_id = staff.search("vejbelysning").hits[0].doc.id
    return archive, item_id


def test_a_served_source_file_name_is_masked(named_archive: tuple[Path, str]) -> None:
    archive, item_id = named_archive
    with TestClient(create_app(archive, public=True)) as public:
        answer = public.get(f"/source/{item_id}")
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
        assert answer.headers["content-disposition"] == "inline; filename*=UTF-8''referat_klage_150585-XXXX.pdf"
        for url in (f"/item/{item_id}", f"/api/item/{item_id}", "/api/search?q=vejbelysning"):
            assert _field_cprs(public.get(url).text) == [], url
    with TestClient(create_app(archive)) as staff:
        assert "150585-1234" in staff.get(f"/source/{item_id}").headers["content-disposition"]


# --- counts that include closed items ---------------------------------------------------------------------


def test_no_answer_counts_the_closed_items_of_a_meeting(archive: Path, public: TestClient) -> None:
    with TestClient(create_app(archive)) as staff:
        hit = staff.get("/api/search?q=sygefraværspulje").json()["hits"][0]
        assert staff.get(f"/api/item/{hit['id']}").json()["meeting"]["item_count"] == 3  # one of them closed
    shown = public.get(f"/api/item/{hit['id']}").json()
    assert "item_count" not in shown["meeting"]
    assert len(public.get(f"/api/meeting/{hit['id'].rsplit('-', 1)[0]}").json()["items"]) == 2
    for found in public.get("/api/search?q=sygefravær").json()["hits"]:
        assert "item_count" not in public.get(f"/api/item/{found['id']}").text


def test_a_withheld_source_does_not_say_why(archive: Path, public: TestClient) -> None:
    """The answer for a source PDF that shares its file with a closed item is the same as for any other
    unpublished source: it does not tell that the document holds a closed item (or a CPR number)."""
    with TestClient(create_app(archive)) as staff:
        hits = staff.get("/api/search?q=sygefravær").json()["hits"]
    shares_closed = next(h for h in hits if h["title"].startswith("Sygefraværspulje"))  # item 3 is closed
    holds_cpr = next(h for h in hits if h["title"].startswith("Klage"))
    answers = [public.get(f"/source/{h['id']}") for h in (shares_closed, holds_cpr)]
    assert [a.status_code for a in answers] == [404, 404]
    pages = [a.text.replace(h["id"], "ID") for a, h in zip(answers, (shares_closed, holds_cpr), strict=True)]
    assert pages[0] == pages[1]
    main = pages[0].split("<main", 1)[1].split("</main>", 1)[0].lower()  # the page's own footer names both rules
    assert "not published" in main
    assert "lukket" not in main and "closed" not in main and "cpr" not in main, main


@pytest.mark.parametrize("engine", ENGINES)
def test_did_you_mean_does_not_tell_whether_a_closed_item_holds_a_word(suggest_archive: Path, engine: str) -> None:
    """A word that only a closed item holds is no "known" word for a public reader: the answer is the one an
    archive without the closed item gives ("Pedersen" → "petersen"), not silence, which would tell a
    public reader that some closed item names Pedersen."""
    with TestClient(create_app(suggest_archive, engine)) as staff:
        assert staff.get("/api/search?q=pedersen").json()["total"] == 1
        assert _suggestion(staff, "pedersen") is None  # known to staff
    with TestClient(create_app(suggest_archive, engine, public=True)) as public:
        assert public.get("/api/search?q=pedersen").json()["total"] == 0
        assert _suggestion(public, "pedersen") == {"query": "petersen", "corrections": [["pedersen", "petersen"]]}
        assert _suggestion(public, "hansen") is None  # no open neighbour: as for any unknown word


# --- a differential crawl: no word that only closed items hold is in any public answer ------------------------

_WORD_RE = re.compile(r"[^\W\d_]{5,}")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD_RE.findall(text.replace("\\n", " "))}


def test_no_public_answer_holds_a_word_only_closed_items_hold(archive: Path, public: TestClient) -> None:
    """Every page and API answer of the public view about every open item, meeting and case, and about
    every closed item's id and case number, and searches (word, prefix, misspellings, field, NOT) for each
    word that only closed items hold: none of those words is in an answer (except where the query itself
    is echoed)."""
    with Archive(archive) as staff:
        docs = staff.matching("")

    def doc_words(d: IndexDoc) -> set[str]:
        parts = [d.title, d.text, d.decision, *d.attachments, *d.bilag_titles, *d.bilag_texts, json.dumps(d.details)]
        return _words(" ".join(parts))

    chrome = _words(public.get("/search?q=&closed=open").text + public.get("/item/none").text)
    open_words = set().union(*(doc_words(d) for d in docs if not d.closed)) | chrome
    secret = sorted(set().union(*(doc_words(d) for d in docs if d.closed)) - open_words)
    assert {"zebrafinkesagen", "kragefjeldet"} <= set(secret)  # the closed item's and the memo's words
    urls = ["/search", "/api/search?q=", "/stats", "/api/stats?q=", "/api/search?q=&sort=newest&page=2"]
    for d in docs:
        urls += [f"/item/{d.id}", f"/api/item/{d.id}", f"/source/{d.id}"]
        if d.kind == "item":
            urls += [f"/meeting/{d.id.rsplit('-', 1)[0]}", f"/api/meeting/{d.id.rsplit('-', 1)[0]}"]
        urls += [u for c in d.case_numbers for u in (f"/case?nr={quote(c)}", f"/api/case?nr={quote(c)}")]
    for w in secret:
        for q in (w, f"{w[:5]}*", w[:-1], w[:2] + w[3:], f"title:{w}", f"NOT {w}"):
            urls += [f"/api/search?q={quote(q)}", f"/search?q={quote(q)}", f"/api/stats?q={quote(q)}"]
    for url in dict.fromkeys(urls):
        answer = public.get(url)
        assert answer.status_code < 500, url
        shown = _words(answer.text + " " + " ".join(answer.headers.values()))
        echoed = _words(unquote(url))
        assert [w for w in secret if w in shown and w not in echoed and w[:5] not in unquote(url)] == [], url
