"""The sample corpus generator: committed sample, determinism, gold pages, coverage."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import jsonschema
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from corpus.generator import archive
from corpus.generator.content import normalize_case
from corpus.generator.gold import GOLD_SUFFIX
from parsers.serialize import record_from_json
from search_cli.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
DOCS = sorted(p for p in SAMPLE.rglob("*") if p.suffix in (".pdf", ".docx"))
GOLDS = {p: p.with_name(p.name + GOLD_SUFFIX) for p in DOCS}


def _gold(path: Path):
    return record_from_json(GOLDS[path].read_text(encoding="utf-8"))


def _pdf_pages_text(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(re.sub(r"\s+", " ", textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def _docx_page_breaks(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return xml.count('w:type="page"')


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_sample_size_and_pairs():
    assert 40 <= len(DOCS) <= 80
    for doc, gold in GOLDS.items():
        assert gold.exists(), f"{doc} has no gold record"
    orphans = [g for g in SAMPLE.rglob(f"*{GOLD_SUFFIX}") if not g.with_name(g.name[: -len(GOLD_SUFFIX)]).exists()]
    assert not orphans
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_sample_covers_bodies_years_types_and_formats():
    records = [_gold(p) for p in DOCS]
    meetings = [m for r in records for m in r.meetings]
    assert len({m.municipality for m in meetings}) >= 2
    assert len({m.body for m in meetings}) >= 4
    assert len({m.date[:4] for m in meetings if m.date}) >= 5
    assert {m.document_type for m in meetings} == {"dagsorden", "referat"}
    assert {r.source.format for r in records} == {"pdf", "docx"}
    assert sum(r.kind == "other" for r in records) >= 3
    assert any(len(r.meetings) == 2 for r in records), "an eDoc agenda bundle with two meetings"
    assert any(i.closed for m in meetings for i in m.items)
    assert any(i.category == "Til orientering" for m in meetings for i in m.items)


def test_gold_sha256_is_the_files_hash():
    for doc in DOCS:
        assert _gold(doc).source.sha256 == hashlib.sha256(doc.read_bytes()).hexdigest(), doc
        assert _gold(doc).source.parser_version == "gold"


def test_regenerated_files_are_byte_identical(tmp_path):
    # one file of every layout family and format, from the default seed
    seen: dict[tuple[str, str], int] = {}
    for index in range(len(DOCS)):
        plan = archive.plan(archive.DEFAULT_SEED, index)
        seen.setdefault((plan.family, plan.fmt), index)
    for index in sorted(seen.values())[:12]:
        path = archive.write_one(tmp_path, archive.DEFAULT_SEED, index)
        rel = path.relative_to(tmp_path)
        committed = SAMPLE / rel
        assert committed.exists(), f"{rel} is not in the committed sample; regenerate it"
        gold = rel.with_name(rel.name + GOLD_SUFFIX)
        assert (tmp_path / gold).read_text(encoding="utf-8") == (SAMPLE / gold).read_text(encoding="utf-8")
        assert path.read_bytes() == committed.read_bytes()


def test_other_seed_gives_other_files(tmp_path):
    a = archive.write_one(tmp_path / "a", 1, 0)
    b = archive.write_one(tmp_path / "b", 2, 0)
    assert a.read_bytes() != b.read_bytes()


@pytest.mark.parametrize("doc", [d for d in DOCS if d.suffix == ".pdf"], ids=lambda p: p.name)
def test_pdf_gold_pages_are_where_the_items_are(doc):
    record = _gold(doc)
    pages = _pdf_pages_text(doc)
    assert record.source.page_count == len(pages)
    for meeting in record.meetings:
        for item in meeting.items:
            assert item.pages, f"item {item.number} has no pages"
            first = pages[item.pages[0] - 1]
            # the heading is on the first page (it may wrap, so look for its first words)
            words = item.title.split()[:3]
            assert " ".join(words) in first, f"item {item.number} {item.title!r} not on page {item.pages[0]}"
            last_text = item.sections[-1].text.split("\n")[-1] if item.sections else ""
            if last_text and not last_text.startswith("- "):
                tail = " ".join(last_text.split()[-3:])
                assert tail in pages[item.pages[-1] - 1], f"item {item.number}: {tail!r} not on page {item.pages[-1]}"


@pytest.mark.parametrize("doc", [d for d in DOCS if d.suffix == ".docx"], ids=lambda p: p.name)
def test_docx_gold_pages_follow_explicit_page_breaks(doc):
    record = _gold(doc)
    assert record.source.page_count == _docx_page_breaks(doc) + 1
    for meeting in record.meetings:
        for item in meeting.items:
            assert item.pages and all(1 <= p <= record.source.page_count for p in item.pages)


def test_gold_text_is_printed_in_the_pdf():
    for doc in (d for d in DOCS if d.suffix == ".pdf"):
        text = _collapse(" ".join(_pdf_pages_text(doc)))
        record = _gold(doc)
        for meeting in record.meetings:
            for item in meeting.items:
                for case in item.case_numbers:
                    assert case.raw in text
                if item.decision:
                    assert _collapse(item.decision.text.split("\n")[0]) in text, (doc, item.number)
        if record.kind == "other":
            first_line = record.text.split("\n")[0]
            assert _collapse(first_line) in text


def test_item_numbers_are_unique_and_closed_items_have_no_text():
    for doc in DOCS:
        for meeting in _gold(doc).meetings:
            numbers = [i.number for i in meeting.items]
            assert len(numbers) == len(set(numbers)), doc
            for item in meeting.items:
                if item.closed:
                    assert not item.sections and item.decision is None
                if meeting.document_type == "dagsorden":
                    assert item.decision is None


def test_case_numbers_normalize_only_the_yy_document_suffix():
    assert normalize_case("20/057417-5") == "20/057417"
    assert normalize_case("22/23184") == "22/23184"
    assert normalize_case("00.01.00-A00-1-23") == "00.01.00-A00-1-23"
    assert normalize_case("2023-012345") == "2023-012345"
    assert normalize_case("EMN-2025-010561") == "EMN-2025-010561"


def test_case_numbers_recur_across_bodies_and_years():
    seen: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    forms: set[str] = set()
    for doc in DOCS:
        for meeting in _gold(doc).meetings:
            for item in meeting.items:
                for case in item.case_numbers:
                    seen[case.normalized].add((meeting.body, (meeting.date or "")[:4]))
                    forms.add(re.sub(r"\d", "9", case.raw))
    assert any(len({body for body, _ in v}) >= 2 for v in seen.values())
    assert any(len({year for _, year in v}) >= 2 for v in seen.values())
    assert {"99/99999", "99.99.99-A99-9-99"} & forms
    assert any(f.startswith("EMN-") for f in forms) and any(f.startswith("S9999-") for f in forms)


def test_a_few_items_carry_a_cpr_like_number():
    pattern = re.compile(r"\b(\d{2})(\d{2})\d{2}-\d{4}\b")
    hits = 0
    for doc in DOCS:
        for meeting in _gold(doc).meetings:
            for item in meeting.items:
                for day, month in pattern.findall(item.text):
                    assert 1 <= int(day) <= 31 and 1 <= int(month) <= 12
                    hits += 1
    assert 1 <= hits <= 4


def test_search_vocabulary_is_in_the_sample():
    text = " ".join(
        json.dumps(json.loads(g.read_text(encoding="utf-8")), ensure_ascii=False) for g in GOLDS.values()
    ).casefold()
    for word in (
        "sygefravær",
        "skolestruktur",
        "klimatilpasning",
        "åbenrå",
        "aabenraa",
        "styrelsesloven",
        "§ 17, stk. 4",
    ):
        assert word in text, word


def test_generate_corpus_command_writes_nested_archive(tmp_path):
    out = tmp_path / "archive"
    result = CliRunner().invoke(cli, ["generate-corpus", str(out), "--count", "8", "--seed", "5", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Wrote 8 files" in result.stderr
    docs = [p for p in out.rglob("*") if p.suffix in (".pdf", ".docx")]
    assert len(docs) == 8
    assert all(len(p.relative_to(out).parts) == 3 for p in docs)  # municipality/year/file
    schema = json.loads((ROOT / "parsers" / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    for doc in docs:
        gold = json.loads(doc.with_name(doc.name + GOLD_SUFFIX).read_text(encoding="utf-8"))
        jsonschema.validate(gold, schema)
        assert gold["source"]["path"] == doc.relative_to(out).as_posix()


def test_python_module_entry_point(tmp_path):
    from corpus.generate import main

    assert main(["--out", str(tmp_path), "--count", "3", "--seed", "9"]) == 0
    assert len(list(tmp_path.rglob(f"*{GOLD_SUFFIX}"))) == 3
