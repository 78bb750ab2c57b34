"""Two leaks of the public view, closed as classes.

* A document or item that the confidentiality rules mark is closed in the index whatever its format: a
  memo (not a meeting) marked "Fortroligt" or "Lukket" as PDF, DOCX or HTML, and an ESDH XML item whose
  title or text carries a marker although the export's access fields call it public.
* A public reader cannot search by CPR number: a CPR number in any dash form, its birth date (DDMMYY), a
  prefix of one, also under NOT, in a phrase or a field, is refused with the one-line message and HTTP 400,
  on both engines, through the library and through a real `arkiv serve --public`.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
from test_bilag_decisions_history import _print_pdf

from archive_api.archive import PUBLIC_CPR_MESSAGE, Archive, check_public_query
from index.documents import docs_from_record
from index.engine import ENGINES
from index.query import QueryError
from parsers import parse_file

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "browser"))
from browser_support import Server  # noqa: E402
from web_archive import CPR, CPR_DIGITS, MEMO_SECRET, build_archive  # noqa: E402

TITLE = "Notat om vejbelysning i Kragefjeldet"
BODY = ("Forvaltningen har undersøgt vejbelysningen.", "Udgiften skønnes at være 40.000 kr.")


def _memo(folder: Path, suffix: str, lines: tuple[str, ...]) -> Path:
    """A memo (not a meeting) with ``lines`` under its title, written as a real PDF, DOCX or HTML file."""
    path = folder / f"notat{suffix}"
    if suffix == ".pdf":
        _print_pdf(path, [(TITLE, "title")] + [(t, "p") for t in lines], "Notat")
    elif suffix == ".docx":
        document = docx.Document()
        document.add_heading(TITLE, 1)
        for line in lines:
            document.add_paragraph(line)
        document.save(str(path))
    else:
        paragraphs = "".join(f"<p>{line}</p>" for line in lines)
        path.write_text(
            f"<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'><title>Notat</title></head>"
            f"<body><h1>{TITLE}</h1>{paragraphs}</body></html>",
            encoding="utf-8",
        )
    return path


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html"])
@pytest.mark.parametrize("marker", ["Fortroligt", "Lukket", "Ikke offentligt", "Offentlig: Nej"])
def test_marked_memo_is_closed_in_the_index_in_every_format(tmp_path: Path, suffix: str, marker: str) -> None:
    record = parse_file(_memo(tmp_path, suffix, (marker, *BODY)))
    assert record.kind == "other"
    assert [d.closed for d in docs_from_record(record)] == [True]


@pytest.mark.parametrize("suffix", [".pdf", ".docx", ".html"])
def test_unmarked_memo_stays_open(tmp_path: Path, suffix: str) -> None:
    record = parse_file(_memo(tmp_path, suffix, ("Vejene i området blev lukket for trafik i juli.", *BODY)))
    assert record.kind == "other"
    assert [d.closed for d in docs_from_record(record)] == [False]


EDOC_MARKED = """<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <Committee>Økonomiudvalget</Committee>
  <MeetingDate>4. marts 2024</MeetingDate>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber><FullText>Sagen handler om vejbelysning.</FullText>
        <Document documentid="1"><Title>Vejbelysning</Title><PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>2</AgendaItemNumber><FullText>Sagen handler om et grundsalg.</FullText>
        <Document documentid="2"><Title>Salg af grund (Lukket)</Title>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>3</AgendaItemNumber><FullText>Punktet er lukket jf. styrelseslovens § 10.
Sagen handler om en medarbejder.</FullText>
        <Document documentid="3"><Title>Personaleforhold</Title>
          <PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""


def test_xml_items_with_markers_are_closed_in_the_index(tmp_path: Path) -> None:
    path = tmp_path / "dagsorden.xml"
    path.write_text(EDOC_MARKED, encoding="utf-8")
    record = parse_file(path)
    assert record.source.format == "xml"
    assert [(d.title, d.closed) for d in docs_from_record(record)] == [
        ("Vejbelysning", False),
        ("Salg af grund (Lukket)", True),
        ("Personaleforhold", True),
    ]


# --- searching by CPR number in the public view ----------------------------------------------------------

REFUSED = [
    CPR,  # 010190-1234
    CPR_DIGITS,  # 0101901234
    "010190",  # the birth date alone
    "010190–1234",  # en dash
    "010190\u20111234",  # non-breaking hyphen
    "010190 - 1234",
    "010190 1234",  # the serial next to its date part
    f'"{CPR}"',
    "klage 010190",
    "klage OR 010190",
    "NOT 010190",
    "-010190",
    "text:010190",
    'title:"010190 1234"',
    "0101*",  # a prefix of a date part
    "01019*",
    "0101901*",
    "290200",  # 29 February 2000
    "０１０１９０-１２３４",  # full-width digits, found and masked as a CPR number like ASCII ones
    "٠١٠١٩٠",  # Arabic-Indic digits
]
ALLOWED = ["klage", "1234", "2023", "202*", "290201", "43686868", "22/23184", "250000", "010190123456", "¹²³⁴⁵⁶"]


@pytest.mark.parametrize("query", REFUSED)
def test_public_query_by_cpr_number_is_refused(query: str) -> None:
    with pytest.raises(QueryError) as refused:
        check_public_query(query)
    assert str(refused.value) == PUBLIC_CPR_MESSAGE and "\n" not in str(refused.value)


@pytest.mark.parametrize("query", ALLOWED)
def test_public_query_without_a_cpr_number_is_allowed(query: str) -> None:
    check_public_query(query)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("leaks"))


@pytest.mark.parametrize("engine", ENGINES)
def test_archive_api_public_reader_cannot_search_by_cpr(archive: Path, engine: str) -> None:
    with Archive(archive, engine) as staff, Archive(archive, engine, public=True) as public:
        for query in ("010190", CPR, "010190 1234", "0101*", CPR_DIGITS):
            if query != CPR_DIGITS:  # the text prints the number with a dash
                assert staff.search(query).total == 1, query  # the query finds the item for staff
            with pytest.raises(QueryError, match="cannot be searched by CPR number"):
                public.search(query)
            with pytest.raises(QueryError, match="cannot be searched by CPR number"):
                public.stats(query)
        assert public.search("klage").total == 1
        memo = staff.search(MEMO_SECRET).hits
        assert [(h.doc.kind, h.doc.closed) for h in memo] == [("other", True)]
        assert public.search(MEMO_SECRET).total == 0
        assert "closed" not in public.search("").facets["closed"]


@pytest.fixture(scope="module", params=ENGINES)
def public_server(archive: Path, request: pytest.FixtureRequest) -> Iterator[Server]:
    running = Server(archive, "--public", "--engine", request.param)
    yield running
    running.stop()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_public_server_refuses_cpr_queries_and_withholds_the_marked_memo(public_server: Server) -> None:
    base = public_server.url
    for query in ("010190", CPR, CPR_DIGITS, "010190 – 1234", "0101*", "NOT 010190"):
        for path in ("/api/search", "/api/stats"):
            status, body = _get(f"{base}{path}?q={quote(query)}")
            assert (status, json.loads(body)) == (400, {"error": f"Error: {PUBLIC_CPR_MESSAGE}"}), query
        status, page = _get(f"{base}/search?q={quote(query)}")
        assert status == 400 and f"Error: {PUBLIC_CPR_MESSAGE}" in page and "010190" not in page
    status, body = _get(f"{base}/api/search?q={quote(MEMO_SECRET)}")
    assert status == 200 and json.loads(body)["total"] == 0
    status, body = _get(f"{base}/api/search?q=")
    everything = json.loads(body)
    assert MEMO_SECRET not in body and everything["facets"]["document_type"].get("other", 0) == 0
