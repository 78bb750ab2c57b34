"""`arkiv serve` without a browser: the JSON API agrees with the command line, bad input, escaping,
the public view, form posts from other sites, bind rules, saved aktindsigt requests and date orders."""

from __future__ import annotations

import json
import multiprocessing
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from markupsafe import escape
from test_engines import records

from aktindsigt.requests import RequestError, RequestStore
from index.analysis import Analyzer
from index.documents import docs_from_record
from index.engine import ENGINES, ORDERS, open_engine
from index.query import lower
from search_cli.cli import cli
from web.app import create_app
from web.serve import BindRefused, check_bind

with warnings.catch_warnings():  # starlette warns that its test client will move from httpx to another client
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))
from web_archive import CPR, HISTORY_CASE, MEMO_SECRET, SECRET, build_archive  # noqa: E402


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("webapi"))


@pytest.fixture(scope="module")
def client(archive: Path) -> Iterator[TestClient]:
    with TestClient(create_app(archive)) as c:
        yield c


@pytest.fixture(scope="module")
def public(archive: Path) -> Iterator[TestClient]:
    with TestClient(create_app(archive, "tantivy", public=True)) as c:
        yield c


def _cli_json(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_api_and_command_line_give_the_same_answers(client: TestClient, archive: Path) -> None:
    api = client.get("/api/search", params={"q": "sygefravær OR pier", "limit": 20}).json()
    cli_hits = _cli_json("search", "sygefravær OR pier", "--archive", str(archive), "--limit", "20", "--json")
    assert isinstance(cli_hits, dict)
    assert [{k: v for k, v in h.items() if k != "in_attachments"} for h in api["hits"]] == cli_hits["hits"]
    assert api["facets"] == cli_hits["facets"] and api["total"] == cli_hits["total"] == 5

    case = client.get("/api/case", params={"nr": HISTORY_CASE}).json()
    assert case == _cli_json("case", HISTORY_CASE, "--archive", str(archive), "--json")
    assert [r["type"] for r in case["items"]] == ["referat", "history", "referat"]

    item_id = api["hits"][0]["id"]
    assert client.get(f"/api/item/{item_id}").json() == _cli_json("show", item_id, "--archive", str(archive), "--json")
    stats = client.get("/api/stats", params={"q": ""}).json()
    assert stats == _cli_json("stats", "", "--archive", str(archive), "--json")


def test_search_filters_sort_and_attachment_matches(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "trafikafvikling"}).json()
    assert [h["in_attachments"] for h in data["hits"]] == [["Bilag 2: Notat om trafikafvikling"]]
    page = client.get("/search", params={"q": "trafikafvikling"}).text
    assert "I bilag: Bilag 2: Notat om trafikafvikling" in page and "<mark>trafikafvikling</mark>" in page
    newest = client.get("/api/search", params={"q": "", "sort": "newest"}).json()["hits"]
    dated = [h["date"] for h in newest if h["date"] is not None]
    assert dated == sorted(dated, reverse=True) and newest[-1]["date"] is None  # the undated memo last
    filtered = client.get("/api/search", params={"q": "", "year": "2023", "closed": "open"}).json()
    assert filtered["total"] == 2 and filtered["facets"]["closed"] == {"open": 2}
    band = client.get("/api/search", params={"q": "", "min_amount": "0", "max_amount": "99999.99"}).json()
    assert band["total"] == 0  # no item names an amount


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"unclosed'}, None),
        ({"q": "x", "year": "tyve"}, "Error: year 'tyve' is not a whole number"),
        ({"q": "x", "from": "2020-13-45"}, None),
        ({"q": "x", "sort": "random"}, "Error: unknown sort order 'random'; use one of: relevance, newest, oldest"),
        ({"q": "x", "page": "0"}, "Error: page 0 is out of range; give 1 to 500"),
    ],
)
def test_bad_input_is_a_400_with_one_line(client: TestClient, archive: Path, params: dict[str, str], message) -> None:
    if message is None:  # the same words as `arkiv search`
        args = ["search", params["q"], "--archive", str(archive)]
        if "from" in params:
            args += ["--from", params["from"]]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2
        message = result.stderr.strip()
    api = client.get("/api/search", params=params)
    assert api.status_code == 400 and api.json() == {"error": message}
    page = client.get("/search", params=params)
    shown = str(escape(message))
    assert page.status_code == 400 and f'role="alert">{shown}</p>' in page.text


def test_user_input_is_escaped(client: TestClient) -> None:
    attack = '<script>alert("x")</script>'
    for path in ("/search", "/stats"):
        page = client.get(path, params={"q": attack, "body": attack}).text
        assert "<script>" not in page and "&lt;script&gt;" in page
    missing = client.get("/item/" + quote("<img src=x onerror=alert(1)>", safe=""))
    assert missing.status_code == 404 and "<img" not in missing.text
    assert client.get("/case", params={"nr": attack}).status_code == 404


def test_pages_carry_security_headers_and_refuse_cross_site_posts(client: TestClient) -> None:
    response = client.get("/search")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    refused = client.post("/aktindsigt", data={"name": "x"}, headers={"origin": "http://evil.example"})
    assert refused.status_code == 403
    assert client.post("/aktindsigt", data={"name": "x"}, headers={"sec-fetch-site": "cross-site"}).status_code == 403


def test_public_view_hides_closed_items_flags_and_aktindsigt(public: TestClient, client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": ""}).json()
    closed = [h for h in everything["hits"] if h["closed"]]
    titles = " | ".join(sorted(h["title"] for h in closed))
    assert len(closed) == 2 and SECRET in titles and MEMO_SECRET in titles
    data = public.get("/api/search", params={"q": ""}).json()
    assert data["total"] == everything["total"] - 2
    assert "personal_data" not in data["facets"] and data["facets"]["closed"] == {"open": 6}
    for hidden in closed:  # a closed item and a memo marked "Fortroligt"
        for path in (f"/api/item/{hidden['id']}", f"/item/{hidden['id']}", f"/source/{hidden['id']}"):
            assert public.get(path).status_code == 404
    refused = public.get(f"/api/search?q={quote(CPR)}")
    assert refused.status_code == 400 and "CPR number" in refused.json()["error"]
    closed_item = next(h for h in closed if SECRET in h["title"])
    meeting = public.get(f"/api/meeting/{closed_item['id'].rsplit('-', 1)[0]}").json()
    assert [i["item"] for i in meeting["items"]] == [1, 2] and SECRET not in json.dumps(meeting)
    klage = public.get("/api/search", params={"q": "klage"}).json()["hits"][0]
    assert "010190-XXXX" in klage["snippet"] and CPR not in json.dumps(klage)
    for path in ("/aktindsigt", "/api/aktindsigt"):
        assert public.get(path).status_code == 404
    assert public.post("/api/aktindsigt", json={"name": "x"}).status_code in (404, 405)
    assert public.get(f"/source/{klage['id']}").status_code == 404  # its PDF holds a closed item and a CPR number


@pytest.mark.parametrize(
    ("host", "public_view", "allow_remote", "outcome"),
    [
        ("127.0.0.1", False, False, None),
        ("::1", False, False, None),
        ("localhost", False, False, None),
        ("0.0.0.0", True, False, None),
        ("0.0.0.0", False, True, "warning"),
        ("192.168.1.10", False, False, "refused"),
    ],
)
def test_bind_rules(host: str, public_view: bool, allow_remote: bool, outcome: str | None) -> None:
    if outcome == "refused":
        with pytest.raises(BindRefused, match="--public"):
            check_bind(host, public_view, allow_remote)
        return
    warning = check_bind(host, public_view, allow_remote)
    assert (warning is not None and "no login" in warning) if outcome == "warning" else warning is None


def test_serve_refuses_remote_bind_and_a_missing_index(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--archive", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-remote" in result.stderr and len(result.stderr.splitlines()) == 1
    result = CliRunner().invoke(cli, ["serve", "--archive", str(tmp_path)])
    assert result.exit_code == 1 and "arkiv index" in result.stderr and len(result.stderr.splitlines()) == 1


def test_aktindsigt_api_round_trip_survives_a_new_application(client: TestClient, archive: Path) -> None:
    created = client.post("/api/aktindsigt", json={"name": "Anmodning fra API"})
    assert created.status_code == 201
    key = created.json()["key"]
    added = client.post(f"/api/aktindsigt/{key}/add", json={"scope": "search", "q": "sygefravær"}).json()
    assert len(added["entries"]) == 3 and {e["added_via"] for e in added["entries"]} == {"søgning «sygefravær»"}
    bad = client.post(f"/api/aktindsigt/{key}/decide", json={"id": added["entries"][0]["id"], "action": "exclude"})
    assert bad.status_code == 400 and "reason" in bad.json()["error"]
    with TestClient(create_app(archive)) as restarted:
        assert restarted.get(f"/api/aktindsigt/{key}").json() == added
    with pytest.raises(RequestError, match="exists already"):
        RequestStore(archive).create("Anmodning  fra API")


def _add_many(archive: str, key: str, start: int) -> None:
    store = RequestStore(Path(archive))
    for n in range(start, start + 25):
        store.add(key, [(f"{n:016x}-0-0", f"{n:064x}")], "test")


def test_requests_survive_concurrent_writers(tmp_path: Path) -> None:
    store = RequestStore(tmp_path)
    key = store.create("Samtidige skrivere").key
    workers = [multiprocessing.Process(target=_add_many, args=(str(tmp_path), key, s)) for s in (0, 100)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(RequestStore(tmp_path).get(key).entries) == 50  # no writer lost another's entries
    assert not list((tmp_path / "aktindsigt" / "requests").glob("*.tmp"))
    with pytest.raises(RequestError, match="give the request a name"):
        store.create("   ")
    with pytest.raises(RequestError, match="no aktindsigt request"):
        store.get("../../etc-00000000")


@pytest.mark.parametrize("kind", ENGINES)
def test_date_orders_put_undated_documents_last(kind: str, tmp_path: Path) -> None:
    engine = open_engine(kind, tmp_path, Analyzer(), create=True)
    engine.build(d for r in records() for d in docs_from_record(r))
    with engine:
        everything = lower("")
        for order in ORDERS[1:]:
            dates = [h.doc.date for h in engine.search(everything, limit=20, order=order).hits]
            dated = [d for d in dates if d is not None]
            assert dates[-1] is None and None not in dates[:-1]
            assert dated == sorted(dated, reverse=order == "newest")
            paged = [h.doc.date for p in range(len(dates)) for h in engine.search(everything, 1, p, order=order).hits]
            assert paged == dates


def test_web_and_archive_api_do_not_import_the_command_line() -> None:
    import ast

    root = Path(__file__).resolve().parents[1]
    for package in ("web", "archive_api"):
        for path in sorted((root / package).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
            imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
            assert not [m for m in imported if m.split(".")[0] in ("search_cli", "click")], path


def test_did_you_mean_is_offered_but_never_with_a_word_of_a_closed_item(client: TestClient, public: TestClient) -> None:
    typo = SECRET[:-3] + "xen"  # two edits from the word that only the closed item holds
    staff = client.get("/api/search", params={"q": typo}).json()
    assert staff["suggestion"]["corrections"] == [[typo, SECRET.lower()]]
    page = client.get("/search", params={"q": typo}).text
    assert "Mente du" in page
    citizen = public.get("/api/search", params={"q": typo}).json()
    assert citizen["total"] == 0 and citizen["suggestion"] is None
    assert SECRET.lower() not in public.get("/search", params={"q": typo}).text.lower()
    sick = public.get("/api/search", params={"q": "sygefravr"}).json()  # a word open items hold
    assert sick["suggestion"]["query"] == "sygefravær"


def test_an_excluded_item_is_listed_with_its_reason_and_nothing_of_it_leaves(client: TestClient) -> None:
    import io
    import subprocess
    import zipfile

    key = client.post("/api/aktindsigt", json={"name": "Udeladt punkt"}).json()["key"]
    hits = client.get("/api/search", params={"q": "sygefravær", "limit": 20}).json()["hits"]
    ids = {h["title"]: h["id"] for h in hits if h["type"] == "dagsorden"}
    pulje, klage = ids["Sygefraværspulje 2023"], ids["Klage over sagsbehandling"]
    client.post(f"/api/aktindsigt/{key}/add", json={"scope": "ids", "ids": [pulje, klage]})
    reason = "private forhold, offentlighedslovens § 30"
    decided = client.post(f"/api/aktindsigt/{key}/decide", json={"id": klage, "action": "exclude", "reason": reason})
    assert decided.status_code == 200
    aktliste = client.get(f"/aktindsigt/{key}/download.csv").content.decode("utf-8-sig")
    rows = {line.split(",")[5]: line for line in aktliste.splitlines()[1:]}
    assert f"undtaget – {reason}" in rows["Klage over sagsbehandling"]
    assert "udleveres" in rows["Sygefraværspulje 2023"]
    package = zipfile.ZipFile(io.BytesIO(client.get(f"/aktindsigt/{key}/download.zip").content))
    texts = [n for n in package.namelist() if "/texts/" in n]
    assert len(texts) == 1 and "hjemmeplejen" not in package.read(texts[0]).decode()
    sources = [n for n in package.namelist() if "/sources/" in n]
    assert len(sources) == 1
    for name in sources:  # only the included item's own pages
        assert name.endswith(".pdf")
        text = subprocess.run(["pdftotext", "-", "-"], input=package.read(name), capture_output=True).stdout
        assert b"hjemmeplejen" not in text and b"Puljen" in text
