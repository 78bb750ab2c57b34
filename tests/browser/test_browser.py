"""`arkiv serve` in chromium: search → facet → item → PDF page, the case timeline, an aktindsigt
request down to its zip, keyboard-only search, axe-core on every page, and a crawl of the public view."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from browser_support import Server, assert_accessible, screenshot
from playwright.sync_api import Page, expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from web_archive import CPR, CPR_DIGITS, HISTORY_CASE, MEMO_SECRET, SECRET  # noqa: E402


def test_search_facet_item_and_pdf_page(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/search?q={quote('sygefravær OR pier')}")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^5 punkter"))).to_be_visible()
    expect(page.locator(".snippet mark").first).to_have_text(re.compile("sygefravær", re.I))
    assert_accessible(page)
    screenshot(page, "search")

    page.locator("#facet-body + ul").get_by_role("link", name=re.compile("Økonomiudvalget")).click()
    expect(page).to_have_url(re.compile(r"body=%C3%98konomiudvalget"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^3 punkter"))).to_be_visible()
    assert "q=sygefrav%C3%A6r+OR+pier" in page.url  # the whole search stays in the address

    page.get_by_role("link", name="Klage over sagsbehandling").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Punkt 2: Klage over sagsbehandling")
    assert_accessible(page)
    screenshot(page, "item")
    pdf_link = page.get_by_role("link", name=re.compile("Åbn PDF på side 3"))
    href = pdf_link.get_attribute("href")
    assert href is not None and href.endswith("#page=3")
    response = page.request.get(urljoin(server.url, href.split("#")[0]))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    others = page.get_by_role("region", name="Andre punkter på mødet")
    expect(others.get_by_role("link")).to_have_count(2)

    page.get_by_role("link", name=re.compile("Økonomiudvalget, dagsorden, 2023-03-01")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Økonomiudvalget, 2023-03-01")
    expect(page.get_by_text("Anna Andersen, Bo Berg")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "meeting")


def test_docx_item_is_shown_as_extracted_text(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/search?q=Magistraten+anbefaler&type=referat")
    page.get_by_role("link", name="Udviklingsplan for Pier 3 - endelig vedtagelse").first.click()
    expect(page.get_by_text("DOCX-fil, vist som udtrukket tekst herunder")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Åbn PDF"))).to_have_count(0)
    assert_accessible(page)


def test_case_timeline_with_earlier_treatments(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/case?nr={quote(HISTORY_CASE)}")
    steps = page.locator(".timeline > li h2").all_inner_texts()
    assert steps == [
        "2025-06-02 · Magistraten · punkt 7",
        "2025-06-11 · Byrådet · punkt 12",
        "2025-10-01 · Teknisk Udvalg · punkt 1",
    ]
    history = page.locator(".timeline > li.history")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("Tidligere behandling, nævnt i")
    expect(page.locator(".timeline .outcome").first).to_contain_text("oversendt")
    assert_accessible(page)
    screenshot(page, "case")


def test_statistics_page(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/stats?q=")
    expect(page.get_by_role("img", name=re.compile("Antal punkter pr. år"))).to_be_visible()
    expect(page.locator("svg rect.bar")).to_have_count(3)  # 2023, 2025 and the undated memo
    # Magistraten, Teknisk Udvalg, no body (the memo), Økonomiudvalget
    expect(page.get_by_role("row", name="2023 0 0 0 3 3")).to_have_count(1)
    expect(page.get_by_role("row", name=re.compile("^I alt"))).to_contain_text("8")
    assert_accessible(page)
    screenshot(page, "stats")


def test_bad_query_is_a_400_page_with_the_cli_message(page: Page, server: Server) -> None:
    response = page.goto(f"{server.url}/search?q=%22uf%C3%A6rdig")
    assert response is not None and response.status == 400
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"^Error: .*quote"))
    assert_accessible(page)


def test_aktindsigt_request_from_case_and_hits_to_zip(page: Page, server: Server, web_archive: Path) -> None:
    page.goto(f"{server.url}/aktindsigt")
    assert_accessible(page)
    page.get_by_label("Navn på ny anmodning").fill("Aktindsigt 2025-017 (journalist)")
    page.get_by_role("button", name="Opret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktindsigt 2025-017 (journalist)")

    page.get_by_label("Hel sag (sagsnummer)").fill(HISTORY_CASE)
    page.get_by_role("button", name="Tilføj sagen").click()
    expect(page.locator("table.akttable tbody tr")).to_have_count(2)

    page.goto(f"{server.url}/search?q={quote('sygefravær')}&body={quote('Økonomiudvalget')}")
    page.get_by_label("Vælg til aktindsigt").nth(0).check()
    page.get_by_label("Vælg til aktindsigt").nth(1).check()
    page.get_by_label("Vælg til aktindsigt").nth(2).check()
    page.get_by_role("button", name="Tilføj valgte").click()
    rows = page.locator("table.akttable tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("table.akttable .flag", has_text="lukket punkt")).to_have_count(1)
    expect(page.locator("table.akttable .flag", has_text="personoplysninger")).to_have_count(1)

    grønne = rows.filter(has_text="Magistraten").filter(has_text="punkt 7")
    grønne.get_by_label("Begrundelse for at udelade").fill("Internt arbejdsdokument, offentlighedsloven § 23")
    grønne.get_by_role("button", name="Udelad").click()
    expect(page.locator(".status", has_text="Udelades: Internt arbejdsdokument")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "aktindsigt")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Hent pakken (zip)").click()
    data = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        folder = names[0].split("/")[0]
        assert {f"{folder}/aktliste.xlsx", f"{folder}/aktliste.csv", f"{folder}/udeladt.csv"} <= set(names)
        aktliste = list(csv.DictReader(io.StringIO(zf.read(f"{folder}/aktliste.csv").decode("utf-8-sig"))))
        excluded = list(csv.DictReader(io.StringIO(zf.read(f"{folder}/udeladt.csv").decode("utf-8"))))
        summary = json.loads(zf.read(f"{folder}/summary.json"))
    assert len(aktliste) == 5 and summary["hits"] == 5  # the excluded item keeps its row
    assert [r["Status"] for r in aktliste].count("undtaget – lukket punkt") == 1
    left_out = [r for r in aktliste if r["Status"] == "undtaget – Internt arbejdsdokument, offentlighedsloven § 23"]
    assert [(r["Titel"], r["Tekstfil"]) for r in left_out] == [("Udviklingsplan for Pier 3 - endelig vedtagelse", "")]
    assert [r["Status"] for r in aktliste].count("udleveres") == 3
    assert {r["Fundet via"] for r in aktliste} == {f"sag {HISTORY_CASE}", "valgt fra søgning"}
    assert [(r["Titel"], r["Begrundelse"]) for r in excluded] == [
        ("Udviklingsplan for Pier 3 - endelig vedtagelse", "Internt arbejdsdokument, offentlighedsloven § 23")
    ]
    with page.expect_download() as xlsx_info:
        page.get_by_role("link", name="Aktliste (XLSX)").click()
    assert Path(xlsx_info.value.path()).read_bytes()[:2] == b"PK"
    saved = list((web_archive / "aktindsigt" / "requests").glob("*.json"))
    assert len(saved) == 1  # saved in the archive: a restarted server reads it again


def test_keyboard_only_search(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/search")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Gå til indhold")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("id", "q")
    page.keyboard.type("sygefravær")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=sygefrav%C3%A6r"))

    def tab_to(pattern: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if re.search(pattern, page.evaluate("document.activeElement.textContent || ''")):
                return
        raise AssertionError(f"no focusable element matching {pattern!r} within 80 tabs")

    tab_to(r"^Økonomiudvalget")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"body=%C3%98konomiudvalget"))
    tab_to(r"^Nyeste først$")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    tab_to(r"^Sygefraværspulje 2023$")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Punkt 1: Sygefraværspulje 2023")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag == "form" and name == "action")):
                self.links.append(value)


def _forbidden(text: str) -> list[str]:
    forbidden = (SECRET, MEMO_SECRET, "Fortroligt", CPR, CPR_DIGITS, "lukket punkt", "personoplysninger")
    return [s for s in forbidden if s.lower() in text.lower()]


def test_public_view_shows_no_closed_item_and_no_cpr_number(page: Page, public_server: Server) -> None:
    base = public_server.url
    api = page.request
    start = ["/search", "/search?q=", "/search?q=sygefrav%C3%A6r", "/stats", "/stats?q=", "/search?q=&sort=oldest"]
    start += ["/api/search?q=", "/api/stats?q=", "/api/search?q=cpr", "/api/search?q=lukket", "/api/search?q=notat"]
    queue, seen = deque(start), set(start)
    item_ids: set[str] = set()
    pdf_documents: set[str] = set()
    while queue:
        path = queue.popleft()
        response = api.get(base + path)
        body = response.body()
        if response.headers.get("content-type", "").startswith("application/pdf"):
            pdf_documents.add(path.rsplit("/", 1)[-1].rsplit("-", 2)[0])
            import pypdfium2

            pdf = pypdfium2.PdfDocument(body)
            text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            pdf.close()
            assert "Teknisk Udvalg" in text, path
        else:
            text = body.decode("utf-8")
        assert _forbidden(text) == [], f"{path}: {_forbidden(text)}"
        found: list[str] = []
        if path.startswith("/api/"):
            data = json.loads(text)
            if path.startswith("/api/search"):
                assert set(data["facets"]["closed"]) <= {"open"} and "personal_data" not in data["facets"]
                found += [f"/api/item/{h['id']}" for h in data["hits"]]
        elif "text/html" in response.headers.get("content-type", ""):
            parser = _Links()
            parser.feed(text)
            found += parser.links
        for link in found:
            target = urlsplit(urljoin(base + path, link))
            if target.netloc != urlsplit(base).netloc:
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            if target.path.startswith("/item/"):
                item_id = target.path.rsplit("/", 1)[-1]
                item_ids.add(item_id)
                local_api = [f"/api/item/{item_id}", f"/source/{item_id}", f"/api/meeting/{item_id.rsplit('-', 1)[0]}"]
            elif target.path == "/case":
                local_api = [f"/api/case?{target.query}"]
            elif target.path.startswith("/meeting/"):
                local_api = ["/api" + target.path]
            else:
                local_api = []
            for one in [local, *local_api]:
                if one not in seen and len(seen) < 400:
                    seen.add(one)
                    queue.append(one)
    assert len(item_ids) == 6  # every open item reached
    assert len(pdf_documents) == 1  # only the PDF without closed items and CPR numbers is served
    klage = api.get(f"{base}/api/search?q=klage").json()["hits"][0]
    assert klage["title"] == "Klage over sagsbehandling"
    closed_id = klage["id"].rsplit("-", 2)[0]  # the meeting whose item 3 is closed
    for path in (f"/item/{closed_id}-0-2", f"/api/item/{closed_id}-0-2", f"/source/{closed_id}-0-0", "/aktindsigt"):
        response = api.get(base + path)
        assert response.status == 404 and _forbidden(response.text()) == [], path
    for query in (SECRET, "lukkede døre", MEMO_SECRET, "vejbelysning", "fortroligt"):
        data = api.get(f"{base}/api/search?q={quote(query)}").json()  # the query is shown back, no hits or counts
        assert data["total"] == 0 and not any(data["facets"].values()), query
        assert api.get(f"{base}/api/stats?q={quote(query)}").json()["total"] == 0
    # searching by a CPR number, its birth date or a prefix of one is refused, not answered with a count
    for query in (CPR, CPR_DIGITS, CPR[:6], f"{CPR[:6]} {CPR[7:]}", f"klage {CPR[:6]}", f"NOT {CPR[:6]}", "0101*"):
        for path in ("/api/search", "/api/stats", "/search", "/stats"):
            response = api.get(f"{base}{path}?q={quote(query)}")
            assert response.status == 400 and "CPR" in response.text(), (path, query)
            assert _forbidden(response.text()) == [] and CPR[:6] not in response.text(), (path, query)
    page.goto(base + "/search?q=klage")
    expect(page.locator(".snippet")).to_contain_text("010190-XXXX")
    assert_accessible(page)
    page.get_by_role("link", name="Klage over sagsbehandling").click()
    expect(page.get_by_role("link", name=re.compile("Åbn PDF"))).to_have_count(1)
    assert_accessible(page)
