"""The index and queries survive hostile content: capped fields, documents an engine rejects left out
and listed, bounded queries and pages, empty indexes, word prefixes; on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from test_engines import records

import index.documents as documents
from index.analysis import Analyzer
from index.build import index_dir, update_index
from index.documents import (
    MAX_TERM_OCCURRENCES,
    IndexDoc,
    analysed_fields,
    cap_term_occurrences,
    docs_from_record,
)
from index.engine import FAILURES_FILE, Engine, open_engine, read_failures
from index.query import (
    MAX_QUERY_DEPTH,
    MAX_QUERY_WORDS,
    MAX_RESULT_WINDOW,
    Prefix,
    QueryError,
    lower,
)
from ingest.catalog import Catalog, FileEntry
from parsers.records import DocumentRecord
from search_cli.cli import cli

ENGINES = ("whoosh", "tantivy")
REPEATED = "sygefravær " * 100_000


def _doc(key: str, text: str, title: str = "Punkt") -> IndexDoc:
    return IndexDoc(
        id=key,
        sha256=key.ljust(64, "0"),
        kind="other",
        title=title,
        text=text,
        decision="",
        attachments=(),
        case_numbers=(),
        body=None,
        municipality=None,
        document_type="other",
        date=None,
        closed=False,
        outcome=None,
        personal_data=False,
        source_path=f"/arkiv/{key}.pdf",
        pages=(1,),
        item_number=None,
        details={},
    )


def _ids(engine: Engine, query: str, limit: int = 50) -> set[str]:
    return {h.doc.id for h in engine.search(lower(query), limit=limit, facets=False).hits}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------------------
# Caps and documents left out
# ---------------------------------------------------------------------------


def test_cap_term_occurrences_keeps_the_first_occurrences_in_order():
    assert cap_term_occurrences("a b a c a b", limit=2) == "a b a c b"
    assert cap_term_occurrences("a b c", limit=1) == "a b c"


def test_analysed_fields_cap_a_term_repeated_100000_times():
    fields = analysed_fields(_doc("r", REPEATED), Analyzer())
    assert fields["text"].split().count("sygefravær") == MAX_TERM_OCCURRENCES


def test_a_very_long_word_is_cut_the_same_in_index_and_query():
    word = "x" * 3_000
    fields = analysed_fields(_doc("w", f"budget {word}"), Analyzer())
    assert fields["text"].split()[-1] == "x" * 64
    assert lower(word).node == lower("x" * 64).node


@pytest.mark.parametrize("kind", ENGINES)
def test_a_term_repeated_100000_times_is_indexed_and_found(kind, tmp_path):
    with open_engine(kind, tmp_path, Analyzer(), create=True) as eng:
        report = eng.add([_doc("a", "budget"), _doc("r", REPEATED), _doc("b", "skole")])
        assert (report.added, report.failed) == (3, ())
        assert _ids(eng, "sygefravær") == {"r"}
        assert eng.get("r").text == REPEATED  # the stored document keeps its full text


@pytest.mark.parametrize("kind", ENGINES)
def test_without_the_cap_whoosh_rejects_the_document_and_keeps_the_others(kind, tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_TERM_OCCURRENCES", 10**9)
    docs = [_doc(f"d{i}", f"budget nummer {i}") for i in range(7)]
    docs.insert(3, _doc("r", REPEATED))
    with open_engine(kind, tmp_path, Analyzer(), create=True) as eng:
        report = eng.add(docs)
        if kind == "whoosh":  # the 16-bit length of a position list: struct.error at commit
            assert report.added == 7
            assert [(f.id, f.source_path) for f in report.failed] == [("r", "/arkiv/r.pdf")]
            assert "whoosh index rejected it" in report.failed[0].reason
            assert "struct.error" in report.failed[0].reason
        else:
            assert (report.added, report.failed) == (8, ())
        assert _ids(eng, "budget") == {f"d{i}" for i in range(7)}
        assert eng.add([_doc("later", "budget")]).added == 1  # the index takes more documents afterwards
        assert eng.count() == report.added + 1


class _FailingAnalyzer(Analyzer):
    """The real analysis, except that it fails on one word (as hostile text could)."""

    def analyze(self, text: str) -> tuple[str, str]:
        if "ødelagt" in text:
            raise ValueError("cannot analyse 'ødelagt'")
        return super().analyze(text)


@pytest.mark.parametrize("kind", ENGINES)
def test_a_document_that_cannot_be_analysed_is_left_out_and_reported(kind, tmp_path):
    with open_engine(kind, tmp_path, _FailingAnalyzer(), create=True) as eng:
        report = eng.add([_doc("a", "budget"), _doc("bad", "budget ødelagt"), _doc("b", "budget")])
        assert report.added == 2
        assert [f.id for f in report.failed] == ["bad"]
        assert "cannot analyse" in report.failed[0].reason
        assert _ids(eng, "budget") == {"a", "b"}


def docs_record(key: str, text: str) -> DocumentRecord:
    from parsers.records import Source

    return DocumentRecord(source=Source(f"/arkiv/{key}.pdf", key * 64, "pdf", 1, "test"), kind="other", text=text)


def _catalog_run(archive: Path, stored: list[DocumentRecord], removed: tuple[str, ...] = ()) -> None:
    with Catalog.open(archive) as catalog:
        generation = catalog.begin_run()
        for record in stored:
            catalog.store_record(record, [FileEntry(record.source.path, 1000, 0.0)], generation, size=1000)
        catalog.mark_removed(removed, generation)
        catalog.finish_run(generation, {"added": len(stored)})


def test_build_and_update_record_the_documents_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_TERM_OCCURRENCES", 10**9)
    _catalog_run(tmp_path, [docs_record("a", "budget og skole"), docs_record("b", REPEATED)])
    (report,) = update_index(tmp_path, "whoosh")
    assert report.total == 1
    failures = read_failures(index_dir(tmp_path, "whoosh"))
    assert [(f.sha256, f.source_path) for f in failures] == [("b" * 64, "/arkiv/b.pdf")]
    result = run("status", "--archive", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    (listed,) = json.loads(result.output)["index_failures"]
    assert (listed["engine"], listed["path"]) == ("whoosh", "/arkiv/b.pdf")
    assert "struct.error" in listed["reason"]
    text = run("status", "--archive", str(tmp_path)).output
    assert "Left out of the search index (1)" in text
    _catalog_run(tmp_path, [docs_record("c", "budget igen")])  # a later run does not fail because of it
    (report,) = update_index(tmp_path, "whoosh")
    assert report.total == 2
    assert [f.sha256 for f in read_failures(index_dir(tmp_path, "whoosh"))] == ["b" * 64]
    _catalog_run(tmp_path, [], removed=("/arkiv/b.pdf",))  # the file is gone: so is its failure
    update_index(tmp_path, "whoosh")
    assert read_failures(index_dir(tmp_path, "whoosh")) == []
    assert not (index_dir(tmp_path, "whoosh") / FAILURES_FILE).exists()


def _docx_with_a_repeated_word(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Notat om sygefravær", level=1)
    document.add_paragraph("Notatet beskriver sygefravær i forvaltningen.")
    for _ in range(100):
        document.add_paragraph("sygefravær " * 1_000)
    document.save(str(path))
    return path


@pytest.mark.parametrize("kind", ENGINES)
def test_ingest_of_a_docx_with_a_word_repeated_100000_times(kind, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _docx_with_a_repeated_word(folder / "gentaget.docx")
    archive = tmp_path / "arkiv"
    result = run("ingest", str(folder), "--archive", str(archive), "--no-index", "--quiet")
    assert result.exit_code == 0, result.output
    result = run("index", "--archive", str(archive), "--engine", kind, "--quiet")
    assert result.exit_code == 0, result.output
    result = run("search", "sygefravær", "--archive", str(archive), "--engine", kind, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["total"] == 1
    assert payload["hits"][0]["source_path"].endswith("gentaget.docx")
    assert not (index_dir(archive, kind) / FAILURES_FILE).exists()


# ---------------------------------------------------------------------------
# Queries and pages
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory) -> Engine:
    eng = open_engine(request.param, tmp_path_factory.mktemp(request.param), Analyzer(), create=True)
    eng.build(d for r in records() for d in docs_from_record(r))
    yield eng
    eng.close()


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("(" * 300 + "budget" + ")" * 300, f"limit is {MAX_QUERY_WORDS}"),
        ("NOT " * 2500 + "budget", "limit is 4000"),
        ("NOT " * 40 + "budget", f"{MAX_QUERY_DEPTH} levels"),
        ("(" * 40 + "budget" + ")" * 40, f"{MAX_QUERY_DEPTH} levels"),
        (" ".join(["x"] * 1400), f"limit is {MAX_QUERY_WORDS}"),
        ("b" * 5000, "limit is 4000"),
    ],
)
def test_deep_and_long_queries_are_usage_errors_naming_the_limit(query, limit):
    with pytest.raises(QueryError, match=limit):
        lower(query)


def test_queries_at_the_limits_run_on_both_engines(engine):
    deep = "(" * (MAX_QUERY_DEPTH - 1) + "sygefravær" + ")" * (MAX_QUERY_DEPTH - 1)
    assert engine.search(lower(deep)).total == 2
    assert engine.search(lower("NOT " * MAX_QUERY_DEPTH + "sygefravær")).total == 2
    long_or = " OR ".join(["sygefravær"] * (MAX_QUERY_WORDS // 2))
    assert engine.search(lower(long_or)).total == 2
    long_and = " ".join(["sygefravær"] * MAX_QUERY_WORDS)
    assert engine.search(lower(long_and)).total == 2


def test_pages_beyond_the_result_window_are_usage_errors(engine):
    with pytest.raises(QueryError, match=f"first {MAX_RESULT_WINDOW} results"):
        engine.search(lower("sygefravær"), limit=10, offset=999_999_990)
    with pytest.raises(QueryError, match="limit of 1 or more"):
        engine.search(lower("sygefravær"), limit=0)
    last = engine.search(lower("sygefravær"), limit=10, offset=MAX_RESULT_WINDOW - 10)
    assert (last.total, last.hits) == (2, [])


def test_cli_rejects_a_far_page_and_a_bad_limit(tmp_path):
    _catalog_run(tmp_path, [docs_record("a", "budget og skole")])
    assert run("index", "--archive", str(tmp_path), "--engine", "tantivy", "--quiet").exit_code == 0
    for args, message in (
        (("--page", "1000000000"), "first 10000 results"),
        (("--page", "1001", "--limit", "10"), "results 10001-10010"),
        (("--limit", "0"), "--limit"),
    ):
        result = run("search", "budget", "--archive", str(tmp_path), *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1


# ---------------------------------------------------------------------------
# Empty indexes and no index
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ENGINES)
def test_an_engine_without_documents_gives_empty_results(kind, tmp_path):
    with open_engine(kind, tmp_path, Analyzer(), create=True) as eng:
        eng.build([])
        for query in ("sygefravær", "", "case:22/*", "klima*"):
            result = eng.search(lower(query))
            assert (result.total, result.hits) == (0, [])
            assert all(counts == {} for counts in result.facets.values())
            assert eng.all_docs(lower(query)) == []
        assert eng.get("x") is None


@pytest.mark.parametrize("kind", ENGINES)
def test_commands_on_an_index_of_zero_documents(kind, tmp_path):
    _catalog_run(tmp_path, [])
    assert run("index", "--archive", str(tmp_path), "--engine", kind, "--quiet").exit_code == 0
    archive = ("--archive", str(tmp_path))
    result = run("search", "sygefravær", *archive, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 0
    result = run("stats", *archive, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 0
    out = tmp_path / "export.csv"
    result = run("export", "", "--format", "csv", "--out", str(out), *archive)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") == 1  # the header only
    for args in (("case", "22/23184"), ("show", "abc-0-0")):
        result = run(*args, *archive)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_commands_without_an_index_say_what_to_do(tmp_path):
    _catalog_run(tmp_path, [docs_record("a", "budget")])
    out = tmp_path / "x.csv"
    for args in (
        ("search", "budget"),
        ("case", "22/23184"),
        ("show", "abc-0-0"),
        ("stats",),
        ("export", "", "--format", "csv", "--out", str(out)),
    ):
        result = run(*args, "--archive", str(tmp_path))
        assert result.exit_code == 1, (args, result.output)
        assert result.output.strip().splitlines() == [result.output.strip()]
        assert "run `arkiv index" in result.output


# ---------------------------------------------------------------------------
# Word prefixes
# ---------------------------------------------------------------------------


def _all_ids(eng: Engine, query: str) -> set[str]:
    return {d.id for d in eng.all_docs(lower(query))}


def test_prefix_of_a_word_finds_what_the_word_finds(gold_engines):
    _docs, engines = gold_engines
    for eng in engines.values():
        whole = _all_ids(eng, "sygefravær")
        assert whole
        assert whole <= _all_ids(eng, "sygefr*")
        assert _all_ids(eng, "Sygefr*") == _all_ids(eng, "sygefr*")  # folded like a word
    assert _all_ids(engines["whoosh"], "sygefr*") == _all_ids(engines["tantivy"], "sygefr*")


def test_klima_prefix_finds_the_klima_compounds_on_both_engines(gold_engines):
    docs, engines = gold_engines
    expected = {d.id for d in docs if any(w.lower().startswith("klima") for w in f"{d.title} {d.text}".split())}
    assert expected
    for eng in engines.values():
        found = _all_ids(eng, "klima*")
        assert expected <= found
        result = eng.search(lower("klima*"), limit=5)
        assert result.total == len(found)
        assert all("**" in h.snippet for h in result.hits)


def test_prefix_expansion_is_capped_the_same_on_both_engines(gold_engines):
    _docs, engines = gold_engines
    node = Prefix("text", "s", 1.0, 3)
    expanded = {kind: eng.expand_prefixes(node) for kind, eng in engines.items()}
    assert len(expanded["whoosh"].should) == 3
    assert expanded["whoosh"] == expanded["tantivy"]


@pytest.mark.parametrize("query", ["kl*", "k*", "*", "title:ab*", "sygefravær-ind*"])
def test_short_or_multi_word_prefixes_are_usage_errors(query):
    with pytest.raises(QueryError, match="prefix"):
        lower(query)


def test_case_number_prefixes_keep_working(engine):
    assert len(_ids(engine, "case:21/12*")) == 1
    assert _ids(engine, "case:20/5741*") == _ids(engine, "case:20/057417")
