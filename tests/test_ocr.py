"""Scanned PDFs through Tesseract: word boxes to lines, mixed files, the cache, a missing Tesseract,
accuracy of scanned gold documents against their text versions, a typewritten agenda, a real scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from corpus.scanned import sample_pdfs, scan_gold_set, scan_pdf, typewriter_agenda
from ingest.batch import IngestOptions, ingest
from ingest.catalog import Catalog
from ingest.report import catalog_status
from parsers import ocr, parse_file
from parsers.evaluation import evaluate
from parsers.pdf_extractor import PAGE_ERROR, extract
from parsers.serialize import record_from_json, record_to_json

REPO = Path(__file__).resolve().parents[1]
REAL_SCAN = REPO.parent / "shared" / "realdocs" / "ballerup_sfu_bilag_bygningsliste_2012-12-04_SCANNED.pdf"
MEETING = REPO / "corpus/sample/aarhus/2016/aarhus_social--og-beskaeftigelsesudvalget_dagsorden_2016-11-25_00034.pdf"
MISSING = "/nonexistent/tesseract"


@pytest.fixture(scope="module")
def scanned_meeting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "dagsorden.pdf"
    scan_pdf(MEETING, path)
    return path


def _mixed(tmp_path: Path, scanned: Path) -> Path:
    """Page 1 from the text PDF, page 2 from its scan."""
    out = pdfium.PdfDocument.new()
    text, scan = pdfium.PdfDocument(str(MEETING)), pdfium.PdfDocument(str(scanned))
    out.import_pages(text, [0])
    out.import_pages(scan, [1])
    path = tmp_path / "blandet.pdf"
    out.save(str(path))
    for pdf in (out, text, scan):
        pdf.close()
    return path


def test_scanned_meeting_is_read_with_lines_sizes_and_items(scanned_meeting: Path, tmp_path: Path) -> None:
    doc = extract(scanned_meeting, ocr_cache=tmp_path / "cache")
    assert doc.ocr_pages == (1, 2)
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 80
    texts = [b.text for b in doc.blocks]
    assert "Mødedato: 25. november 2016" in texts
    assert doc.body_font_size == 10.0
    title = next(b for b in doc.blocks if b.text == "Dagsorden")
    assert title.font_size is not None and title.font_size > doc.body_font_size  # the 13 pt heading stays larger
    assert texts.index("Mødedato: 25. november 2016") < texts.index("Mødested: Byrådssalen")  # reading order
    record = parse_file(scanned_meeting)
    assert [i.number for i in record.meetings[0].items] == [1, 2, 3, 4]
    assert record.source.ocr_pages == (1, 2)
    assert record_from_json(record_to_json(record)).source == record.source  # the JSON keeps the OCR fields


def test_mixed_file_is_read_page_by_page(scanned_meeting: Path, tmp_path: Path) -> None:
    doc = extract(_mixed(tmp_path, scanned_meeting))
    assert doc.ocr_pages == (2,)
    pages = {b.page for b in doc.blocks}
    assert pages == {1, 2}
    assert any(b.page == 2 and "Eventuelt" in b.text for b in doc.blocks)


def test_cache_means_no_second_ocr(scanned_meeting: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = extract(scanned_meeting, ocr_cache=cache)
    assert list(cache.rglob("*.json"))
    monkeypatch.setenv(ocr.TESSERACT_ENV, MISSING)  # a second read may not run Tesseract at all
    again = extract(scanned_meeting, ocr_cache=cache)
    assert again.blocks == first.blocks and again.ocr_confidence == first.ocr_confidence


def test_without_tesseract_a_scan_is_refused_naming_the_packages(
    scanned_meeting: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ocr.TESSERACT_ENV, MISSING)
    with pytest.raises(ocr.OcrUnavailable, match="tesseract-ocr and tesseract-ocr-dan"):
        extract(scanned_meeting)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "arkiv"), "parse", str(scanned_meeting), "--json"],
        capture_output=True,
        text=True,
        env={"ARKIV_TESSERACT": MISSING, "PATH": "/usr/bin:/bin"},
        cwd=REPO,
    )
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(scanned_meeting) in lines[0] and "tesseract-ocr-dan" in lines[0]
    # a mixed file keeps its text pages; the scanned page is a page problem naming the packages
    doc = extract(_mixed(tmp_path, scanned_meeting))
    assert doc.ocr_pages == () and {b.page for b in doc.blocks} == {1}
    [problem] = doc.problems
    assert problem.code == PAGE_ERROR and problem.page == 2 and "tesseract-ocr" in problem.message


def test_ingest_ocrs_once_and_status_lists_low_confidence(
    scanned_meeting: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "dagsorden.pdf").write_bytes(scanned_meeting.read_bytes())
    archive = tmp_path / "arkiv"
    report = ingest(archive, [folder], IngestOptions(jobs=1))
    assert report.added == 1 and not report.quarantined
    assert list((archive / "ocr-cache").rglob("*.json"))
    monkeypatch.setenv(ocr.TESSERACT_ENV, MISSING)  # the reparse reads the cache, not Tesseract
    again = ingest(archive, [folder], IngestOptions(jobs=1, reparse=True))
    assert again.reparsed == 1 and not again.quarantined
    monkeypatch.setattr("ingest.report.LOW_CONFIDENCE", 101.0)
    with Catalog.open(archive) as catalog:
        rows = [r for r in catalog_status(catalog).suspicious if r["code"] == "low-ocr-confidence"]
    assert len(rows) == 1 and "page 1, 2" in rows[0]["problem"]
    monkeypatch.undo()
    monkeypatch.setenv(ocr.TESSERACT_ENV, MISSING)
    (folder / "dagsorden.pdf").write_bytes(scanned_meeting.read_bytes() + b"\n")  # new content, no cache
    refused = ingest(tmp_path / "andet", [folder], IngestOptions(jobs=1))
    [(path, code, reason)] = refused.quarantined
    assert code == "ocr-unavailable" and "tesseract-ocr-dan" in reason


def test_scanned_gold_documents_score_at_least_nine_tenths_of_the_text(tmp_path: Path) -> None:
    sources = [MEETING, *sample_pdfs(1, max_pages=1)]
    scan_gold_set(tmp_path, sources)
    text = evaluate(tmp_path / "text").overall
    scanned = evaluate(tmp_path / "scanned").overall
    assert scanned >= 0.90 * text, (scanned, text)


def test_typewritten_1990s_agenda_comes_out_with_its_items(tmp_path: Path) -> None:
    path = tmp_path / "dagsorden_1994.pdf"
    typewriter_agenda(path)
    record = parse_file(path)
    [meeting] = record.meetings
    assert meeting.date == "1994-03-15" and meeting.document_type == "dagsorden"
    titles = {i.number: i.title for i in meeting.items}
    assert titles[1] == "Godkendelse af dagsorden"
    assert titles[3] == "Salg af grund på Møllevej 12"
    assert titles[5] == "Eventuelt"
    assert sorted(titles) == [1, 2, 3, 4, 5]  # "2." misread as "2:" is still the item number
    assert titles[2].startswith("Budgetopfølgning pr.")


def test_table_of_contents_leader_dots_do_not_reach_item_titles(tmp_path: Path) -> None:
    """Leader dots of a scanned table of contents are one leader word with the page number after it."""
    source = REPO / "corpus/sample/aarhus/2019/aarhus_raadmandsmoedet_dagsorden_2019-10-11_00035.pdf"
    path = tmp_path / "indhold.pdf"
    scan_pdf(source, path)
    doc = extract(path, ocr_cache=tmp_path / "cache")
    toc = "\n".join(b.text for b in doc.blocks if b.page == 1)
    for entry in ("1: Dagsorden", "3: Beskæftigelsesplan 2019", "4: Beskæftigelsesplan 2018"):
        assert f"{entry} {ocr.LEADER} 2" in toc
    titles = [i.title for i in parse_file(path).meetings[0].items]
    assert "Beskæftigelsesplan 2019" in titles and all(ocr.LEADER not in t for t in titles)


def test_real_scan_comes_out_with_its_text() -> None:
    if not REAL_SCAN.exists():
        pytest.fail(f"{REAL_SCAN} is missing")
    [page] = ocr.ocr_pages(REAL_SCAN, [1])  # the pages lie upside down: turned upright first
    words = " ".join(c.text for c in page.chars)
    assert "Ejendomsoversigt" in words and "Kultur- og Fritidsudvalget" in words and "Damgårdsparken" in words
    assert ocr.mean_confidence([page]) is not None and ocr.mean_confidence([page]) > 80
    assert json.dumps([list(c) for c in page.chars])  # what the cache stores
