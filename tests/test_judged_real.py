"""The judged queries written from the real documents (index/data/judged_real.json): the documents
are imported once per session into a temporary archive, then both engines and the baseline are scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.documents import IndexDoc
from index.judged import REAL_QUERIES, JudgedSetError, evaluate_real, load_real_queries
from search_cli.cli import cli
from search_cli.eval_commands import realdocs_index_docs

REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"


@pytest.fixture(scope="session")
def real_docs(tmp_path_factory) -> list[IndexDoc]:
    if not REALDOCS.is_dir():
        pytest.skip(f"{REALDOCS} not available")
    documents, _queries = load_real_queries(REAL_QUERIES)
    return realdocs_index_docs(REALDOCS, documents, tmp_path_factory.mktemp("realdocs"))


def test_the_real_set_has_sixty_queries_over_the_documents_it_names():
    documents, queries = load_real_queries(REAL_QUERIES)
    assert len(queries) >= 60
    assert len({q.id for q in queries}) == len(queries)
    for q in queries:
        assert q.judgment["real"], q.id
        assert {entry["file"] for entry in q.judgment["real"]} <= set(documents), q.id


def test_real_queries_meet_the_recall_target_with_the_same_hits_on_both_engines(real_docs, tmp_path):
    report = evaluate_real(REAL_QUERIES, real_docs, tmp_path)
    summary = report.summary()
    assert summary["whoosh"]["recall@10"] >= 0.97
    assert summary["tantivy"]["recall@10"] >= 0.97
    assert summary["whoosh"]["recall@10"] == summary["tantivy"]["recall@10"]
    assert report.differing == []
    assert summary["baseline"]["recall@10"] < summary["whoosh"]["recall@10"]


def test_a_judged_item_missing_from_the_import_is_named(real_docs, tmp_path):
    broken = json.loads(REAL_QUERIES.read_text(encoding="utf-8"))
    broken["queries"][0]["relevant"] = [{"file": broken["documents"][0], "item": 999}]
    path = tmp_path / "judged.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(JudgedSetError, match=r"query r01: no item 999 in"):
        evaluate_real(path, real_docs, tmp_path)


def test_eval_search_reports_the_real_set_next_to_the_generated_one(tmp_path):
    if not REALDOCS.is_dir():
        pytest.skip(f"{REALDOCS} not available")
    result = CliRunner().invoke(cli, ["eval-search", "--realdocs", str(REALDOCS), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["queries"] >= 60 and data["systems"]["tantivy"]["recall@10"] >= 0.97
    real = data["real"]
    assert real["queries"] >= 60 and real["differing"] == []
    assert set(real["systems"]) == {"whoosh", "tantivy", "baseline"}
    assert real["systems"]["tantivy"]["recall@10"] >= 0.97


def test_split_precision_and_recall_on_the_held_out_gold_compounds(real_docs):
    """The analyzer as ``arkiv index`` builds it for these documents (dictionary + their words), scored
    on the half of the hand-split compounds the splitting rules were not tuned on."""
    from index.analysis import Analyzer, learn_lexicon
    from index.compound_eval import gold_half, load_gold_splits, score_splits

    analyzer = Analyzer(learn_lexicon(f"{d.title}\n{d.text}\n{d.decision}" for d in real_docs))
    held_out = [g for g in load_gold_splits() if gold_half(g.word) == "held_out"]
    score = score_splits(analyzer, held_out)
    assert score.precision >= 0.95, score.wrong
    assert score.recall >= 0.95, score.wrong
