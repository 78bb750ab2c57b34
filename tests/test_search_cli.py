"""`arkiv index/search/case/show/export/stats/eval-search` against a real catalog in a temporary archive."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_engines import records

from index.build import update_index
from index.engine import SCHEMA_VERSION
from ingest.catalog import Catalog, FileEntry
from parsers.records import Decision, DocumentRecord, Item, Meeting, Section, Source, item_key
from parsers.serialize import record_to_json
from search_cli.cli import cli


def _store(catalog: Catalog, record: DocumentRecord, generation: int) -> None:
    catalog.store_record(record, [FileEntry(record.source.path, 1000, 0.0)], generation, size=1000)


def _run(archive: Path, stored: list[DocumentRecord], removed: tuple[str, ...] = ()) -> int:
    """One ingest run that stores these records and marks these paths removed; returns its generation."""
    with Catalog.open(archive) as catalog:
        generation = catalog.begin_run()
        for record in stored:
            _store(catalog, record, generation)
        catalog.mark_removed(removed, generation)
        catalog.finish_run(generation, {"added": len(stored)})
    return generation


def _extra_record() -> DocumentRecord:
    item = Item(number=1, title="Havnebad ved Åstien", sections=(Section(None, "Et nyt havnebad foreslås."),))
    return DocumentRecord(
        source=Source("/arkiv/havnebad.pdf", "e" * 64, "pdf", 1, "test"),
        kind="meeting",
        meetings=(Meeting(body="Byrådet", document_type="dagsorden", date="2023-06-01", items=(item,)),),
    )


@pytest.fixture
def archive(tmp_path) -> Path:
    assert _run(tmp_path, records()) == 1
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    return result


@pytest.fixture
def indexed(archive) -> Path:
    result = run("index", "--archive", str(archive))
    assert result.exit_code == 0, result.output
    return archive


def test_index_builds_and_reports_on_stderr(archive):
    result = run("index", "--archive", str(archive))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "built" in result.stderr and "7 documents" in result.stderr
    state = json.loads((archive / "index" / "whoosh" / "state.json").read_text())
    assert state["generation"] == 1


def test_index_without_catalog_is_an_error(tmp_path):
    result = run("index", "--archive", str(tmp_path / "nothing"))
    assert result.exit_code == 1
    assert "no catalog" in result.stderr and "arkiv ingest" in result.stderr


def test_search_before_index_says_what_to_do(archive):
    result = run("search", "pulje", "--archive", str(archive))
    assert result.exit_code == 1
    assert "arkiv index" in result.stderr
    assert "Traceback" not in result.output


def test_search_json(indexed):
    result = run("search", "sygefravær", "--archive", str(indexed), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 2
    assert {h["id"] for h in data["hits"]} == {item_key("a" * 64, 0, 0), item_key("b" * 64, 0, 0)}
    hit = next(h for h in data["hits"] if h["id"] == item_key("a" * 64, 0, 0))
    assert hit["body"] == "Direktionen" and hit["date"] == "2021-03-01" and hit["type"] == "referat"
    assert hit["item"] == 1 and hit["cases"] == ["20/057417-5"]
    assert hit["source"] == "/arkiv/Direktionen/2021-03-01.pdf p. 1"
    assert "**sygefraværspulje**" in hit["snippet"]
    assert data["facets"]["year"] == {"2022": 1, "2021": 1}
    assert set(data["facets"]) >= {"year", "body", "document_type", "outcome", "closed"}


def test_search_table_and_csv(indexed):
    table = run("search", "pulje", "--archive", str(indexed))
    assert table.exit_code == 0
    assert "Udmøntning af sygefraværspulje 2021" in table.stdout
    assert "1 items match" in table.stdout and "body: Direktionen (1)" in table.stdout
    csv = run("search", "pulje", "--archive", str(indexed), "--csv")
    assert csv.stdout.splitlines()[0] == "rank,id,date,body,type,item,title,cases,snippet,source,in_bilag"
    assert len(csv.stdout.splitlines()) == 2


def test_search_filters_and_paging(indexed):
    result = run("search", "sygefravær", "--archive", str(indexed), "--json", "--body", "Økonomi", "--year", "2022")
    assert [h["id"] for h in json.loads(result.stdout)["hits"]] == [item_key("b" * 64, 0, 0)]
    page2 = run("search", "sygefravær OR svømmehal", "--archive", str(indexed), "--json", "--limit", "2", "--page", "2")
    data = json.loads(page2.stdout)
    assert data["total"] == 4 and len(data["hits"]) == 2 and data["hits"][0]["rank"] == 3
    closed = run("search", "", "--archive", str(indexed), "--json", "--closed")
    assert [h["title"] for h in json.loads(closed.stdout)["hits"]] == ["Lukket punkt"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['"sygefravær pulje'], "unbalanced quote"),
        (["farve:rød"], "unknown field"),
        (["budget", "--from", "31-02-2020"], "not a valid date"),
        (["budget", "--from", "2021-01-01", "--to", "2020-01-01"], "after"),
    ],
)
def test_bad_queries_exit_2_with_one_line(indexed, args, message):
    result = run("search", *args, "--archive", str(indexed))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("number", ["20/057417-5", "20/057417", "20/57417"])
def test_case_history_in_date_order(indexed, number):
    result = run("case", number, "--archive", str(indexed), "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [i["date"] for i in items] == ["2021-03-01", "2022-05-02"]
    assert items[0]["decision"] == "Indstillingen blev godkendt." and items[0]["body"] == "Direktionen"


def test_unknown_case(indexed):
    result = run("case", "99/99999", "--archive", str(indexed))
    assert result.exit_code == 1 and "no item carries case number 99/99999" in result.stderr


def test_show(indexed):
    item_id = item_key("a" * 64, 0, 0)
    text = run("show", item_id, "--archive", str(indexed))
    assert text.exit_code == 0
    for expected in ("## Sagsfremstilling", "Indstillingen blev godkendt.", "- Oversigt over puljen", "Direktionen"):
        assert expected in text.stdout
    data = json.loads(run("show", item_id, "--archive", str(indexed), "--json").stdout)
    assert data["sections"][0]["heading"] == "Sagsfremstilling"
    assert data["meeting"]["municipality"] == "Aabenraa Kommune"
    missing = run("show", "0000-0-0", "--archive", str(indexed))
    assert missing.exit_code == 1 and "no item with id" in missing.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_writes_the_full_result_set(indexed, tmp_path, fmt):
    out = tmp_path / f"hits.{fmt}"
    result = run("export", "", "--archive", str(indexed), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    frame = {"csv": pd.read_csv, "xlsx": pd.read_excel, "parquet": pd.read_parquet}[fmt](out)
    assert len(frame) == 7
    assert list(frame["date"].dropna())[:2] == ["2020-11-12", "2021-03-01"]
    assert "7 items written" in result.stderr


def test_stats_crosstab_and_chart(indexed):
    result = run("stats", "sygefravær OR skolestruktur", "--archive", str(indexed), "--json")
    counts = json.loads(result.stdout)["counts"]
    assert counts["2021"]["Direktionen"] == 1 and counts["2020"]["Børne- og Ungeudvalget"] == 1
    assert counts["total"]["total"] == 3
    table = run("stats", "", "--archive", str(indexed))
    assert "█" in table.stdout and "Økonomiudvalget" in table.stdout


def _search_ids(archive: Path, query: str) -> tuple[int, set[str], dict]:
    data = json.loads(run("search", "--archive", str(archive), "--json", "--limit", "50", "--", query).stdout)
    return data["total"], {h["id"] for h in data["hits"]}, data["facets"]


QUERIES = ("havnebad OR pulje OR Åstien", "sygefravær", "", "case:20/57417", "-indsats")


def test_incremental_update_matches_a_rebuild(indexed):
    assert _run(indexed, [_extra_record()], ("/arkiv/Direktionen/2021-03-01.pdf",)) == 2
    [report] = update_index(indexed)
    assert not report.full and report.added == 1 and report.deleted_contents == 1
    total, found, _facets = _search_ids(indexed, "havnebad OR pulje OR Åstien")
    assert found == {item_key("e" * 64, 0, 0)}
    incremental = {q: _search_ids(indexed, q) for q in QUERIES}
    assert run("index", "--archive", str(indexed), "--rebuild").exit_code == 0
    assert {q: _search_ids(indexed, q) for q in QUERIES} == incremental


def test_deleting_the_index_and_indexing_again_gives_the_same_results(indexed):
    import shutil

    before = {q: _search_ids(indexed, q) for q in QUERIES}
    shutil.rmtree(indexed / "index")
    assert run("index", "--archive", str(indexed)).exit_code == 0
    assert {q: _search_ids(indexed, q) for q in QUERIES} == before


def test_index_with_nothing_new_writes_nothing(indexed):
    result = run("index", "--archive", str(indexed))
    assert result.exit_code == 0 and "updated" in result.stderr and "0 documents written" in result.stderr


def test_tantivy_gives_the_same_hits(indexed):
    assert run("index", "--archive", str(indexed), "--engine", "tantivy").exit_code == 0
    for query in ("sygefravær", "Aabenraa", '"ny skolestruktur"', "case:20/57*", "-pulje"):
        hits = {}
        for engine in ("whoosh", "tantivy"):
            out = run("search", "--archive", str(indexed), "--engine", engine, "--json", "--limit", "50", "--", query)
            data = json.loads(out.stdout)
            hits[engine] = ({h["id"] for h in data["hits"]}, data["total"], data["facets"])
        assert hits["whoosh"] == hits["tantivy"]


ECONOMY_PATH = "/arkiv/Økonomiudvalget/2022-05-02.pdf"


def test_eval_search_on_a_small_judged_set(tmp_path):
    sample = tmp_path / "sample"
    sample.mkdir()
    for i, record in enumerate(records()):
        (sample / f"doc{i}.pdf.gold.json").write_text(record_to_json(record), encoding="utf-8")
    queries = tmp_path / "queries.json"
    queries.write_text(
        json.dumps(
            {
                "queries": [
                    {"id": "q1", "query": "pulje", "covers": "compound", "relevant": {"match": ["pulje"]}},
                    {"id": "q2", "query": "Åbenrå", "covers": "aa", "relevant": {"match": ["aabenraa", "åbenrå"]}},
                    {
                        "id": "q3",
                        "query": "sygefravær",
                        "relevant": {"items": [["/arkiv/Økonomiudvalget/2022-05-02.pdf", 0, 1]]},
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    result = run("eval-search", "--queries", str(queries), "--sample", str(sample), "--json")
    assert result.exit_code == 0, result.output
    systems = json.loads(result.stdout)["systems"]
    assert systems["whoosh"]["recall@10"] == systems["tantivy"]["recall@10"] == 1.0
    assert systems["baseline"]["recall@10"] < 1.0


# ---------------------------------------------------------------------------
# Outcome, amount and law filters and facets
# ---------------------------------------------------------------------------


def _law_record() -> DocumentRecord:
    items = (
        Item(
            number=1,
            title="Anlægsbevilling til daginstitution",
            sections=(Section(None, "Der søges en anlægsbevilling på 14,2 mio. kr., jf. styrelseslovens § 40."),),
            decision=Decision("Anbefales godkendt.", "Økonomiudvalget", "2023-03-01"),
        ),
        Item(
            number=2,
            title="Tilskud til forening",
            sections=(Section(None, "Tilskud på 45.000 kr. efter serviceloven § 18."),),
        ),
    )
    return DocumentRecord(
        source=Source("/arkiv/bevilling.pdf", "7" * 64, "pdf", 2, "test"),
        kind="meeting",
        meetings=(Meeting(body="Økonomiudvalget", document_type="referat", date="2023-03-01", items=items),),
    )


@pytest.fixture
def with_laws(archive) -> Path:
    _run(archive, [_law_record()])
    assert run("index", "--archive", str(archive)).exit_code == 0
    return archive


def _search(archive: Path, *args: str, engine: str = "whoosh") -> dict:
    result = run("search", "--archive", str(archive), "--engine", engine, "--json", "--limit", "50", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_search_by_law_amount_and_outcome(with_laws):
    law = _search(with_laws, "", "--law", "Styrelsesloven")
    assert [h["id"] for h in law["hits"]] == [item_key("7" * 64, 0, 0)]
    assert law["hits"][0]["laws"] == ["styrelsesloven"] and law["hits"][0]["max_amount"] == 14_200_000.0
    assert law["facets"]["law"] == {"styrelsesloven": 1}
    assert law["facets"]["amount"] == {"over 10 mio. kr.": 1}
    by_title = _search(with_laws, "", "--law", "lov om kommunernes styrelse")
    assert [h["id"] for h in by_title["hits"]] == [item_key("7" * 64, 0, 0)]
    amounts = _search(with_laws, "", "--min-amount", "40000", "--max-amount", "3000000")
    assert {h["id"] for h in amounts["hits"]} == {item_key("a" * 64, 0, 0), item_key("7" * 64, 0, 1)}
    outcome = _search(with_laws, "", "--outcome", "udsat")
    assert [h["title"] for h in outcome["hits"]] == ["Ny skolestruktur i Rødekro"]
    everything = _search(with_laws, "")
    assert set(everything["facets"]) == {
        "year",
        "body",
        "document_type",
        "outcome",
        "closed",
        "personal_data",
        "amount",
        "law",
    }
    assert everything["facets"]["law"] == {"serviceloven": 1, "styrelsesloven": 1}
    assert everything["facets"]["amount"]["none"] == everything["total"] - 3


def test_law_and_amount_filters_agree_on_tantivy(with_laws):
    assert run("index", "--archive", str(with_laws), "--engine", "tantivy").exit_code == 0
    for args in (["--law", "serviceloven"], ["--min-amount", "1000000"], ["--outcome", "godkendt"], []):
        whoosh, tantivy = (_search(with_laws, "", *args, engine=engine) for engine in ("whoosh", "tantivy"))
        assert whoosh["total"] == tantivy["total"] > 0
        assert {h["id"] for h in whoosh["hits"]} == {h["id"] for h in tantivy["hits"]}
        assert whoosh["facets"] == tantivy["facets"]


def test_table_output_lists_the_new_facets(with_laws):
    table = run("search", "", "--archive", str(with_laws))
    assert table.exit_code == 0
    assert "law: serviceloven (1), styrelsesloven (1)" in table.stdout
    assert "amount: none (" in table.stdout and "over 10 mio. kr. (1)" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-amount", "-5"], "--min-amount -5 is not an amount"),
        (["--max-amount", "nan"], "--max-amount nan is not an amount"),
        (["--min-amount", "2000000", "--max-amount", "1000"], "--min-amount 2e+06 is more than --max-amount 1000"),
        (["--outcome", "vedtaget"], "unknown outcome 'vedtaget'"),
        (["--law", "  "], "--law needs a law name"),
    ],
)
@pytest.mark.parametrize("command", ["search", "export", "stats"])
def test_bad_filter_values_exit_2_with_one_line(indexed, tmp_path, command, args, message):
    extra = ["--format", "csv", "--out", str(tmp_path / "out.csv")] if command == "export" else []
    result = run(command, "budget", *args, *extra, "--archive", str(indexed))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_an_index_of_an_older_schema_is_rebuilt_and_not_searched(indexed):
    state_file = indexed / "index" / "whoosh" / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    del state["schema_version"]
    state_file.write_text(json.dumps(state), encoding="utf-8")
    stale = run("search", "pulje", "--archive", str(indexed))
    assert stale.exit_code != 0 and "older version" in stale.stderr and "arkiv index" in stale.stderr
    [report] = update_index(indexed)
    assert report.full
    assert json.loads(state_file.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION
    assert _search(indexed, "pulje")["total"] == 1


def test_search_help_documents_the_new_filters():
    result = run("search", "--help")
    for option in ("--outcome", "--law", "--min-amount", "--max-amount", "taget til efterretning"):
        assert option in result.stdout


def test_export_with_amount_filter_has_amount_and_law_columns(with_laws, tmp_path):
    out = tmp_path / "bevillinger.csv"
    args = ["--min-amount", "40000", "--max-amount", "3000000", "--format", "csv", "--out", str(out)]
    result = run("export", "", *args, "--archive", str(with_laws))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert sorted(frame["max_amount"]) == [45_000.0, 2_000_000.0]
    assert list(frame["laws"].fillna("")) == ["", "serviceloven"]


def test_search_suggests_a_corrected_query_for_a_misspelled_word(indexed):
    data = json.loads(run("search", "--archive", str(indexed), "--json", "sygefravr").stdout)
    assert data["total"] == 0
    assert data["suggestion"] == {"query": "sygefravær", "corrections": [["sygefravr", "sygefravær"]]}
    text = run("search", "--archive", str(indexed), "sygefravr")
    assert text.exit_code == 0
    assert "Did you mean: sygefravær" in text.stdout
    known = json.loads(run("search", "--archive", str(indexed), "--json", "sygefravær").stdout)
    assert known["total"] > 0 and known["suggestion"] is None
