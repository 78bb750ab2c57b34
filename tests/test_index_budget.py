"""The index work of one document is bounded in time: a document past its budget is left out of the
index and listed, the others are indexed; `arkiv ingest --timeout` sets the budget."""

from __future__ import annotations

import time

import pytest
from test_index_limits import _catalog_run, _doc, _ids, docs_record

from index.analysis import Analyzer
from index.budget import AnalysisTimeout, time_budget
from index.build import build_index, index_dir, update_index
from index.engine import open_engine, read_failures

ENGINES = ("whoosh", "tantivy")
# a long item: making its index documents takes far longer than the budget below, a short one far less
LONG_TEXT = " ".join(f"sygefraværspulje{i % 5000} budgetopfølgning" for i in range(150_000))
BUDGET = 0.2


def test_time_budget_stops_work_that_runs_past_it():
    started = time.perf_counter()
    with pytest.raises(AnalysisTimeout, match=r"longer than 0.05 s"), time_budget(0.05):
        while True:
            pass
    assert time.perf_counter() - started < 2


def test_time_budget_lets_short_work_finish_and_leaves_no_timer():
    with time_budget(1.0):
        total = sum(range(1000))
    assert total == 499500
    time.sleep(1.2)  # a timer left running would raise here


def test_no_budget_is_unbounded():
    with time_budget(None):
        time.sleep(0.05)


class _StallingAnalyzer(Analyzer):
    """The real analysis, except that it spins for 30 s on one word (as a pathological text could)."""

    def analyze(self, text: str) -> tuple[str, str]:
        if "endeløs" in text:
            stop = time.monotonic() + 30
            while time.monotonic() < stop:
                pass
        return super().analyze(text)


@pytest.mark.parametrize("kind", ENGINES)
def test_a_document_past_its_budget_is_left_out_and_reported(tmp_path, kind):
    with open_engine(kind, tmp_path, _StallingAnalyzer(), create=True) as eng:
        eng.doc_seconds = BUDGET
        report = eng.add([_doc("a", "budget"), _doc("long", "budget endeløs"), _doc("b", "budget")])
        assert report.added == 2
        assert [f.id for f in report.failed] == ["long"]
        assert f"longer than {BUDGET:g} s" in report.failed[0].reason
        assert _ids(eng, "budget") == {"a", "b"}


def test_build_and_update_bound_each_document_and_list_it(tmp_path):
    _catalog_run(tmp_path, [docs_record("a", "budget og skole"), docs_record("b", LONG_TEXT)])
    report = build_index(tmp_path, "whoosh", doc_seconds=BUDGET)
    assert report.total == 1
    (failure,) = read_failures(index_dir(tmp_path, "whoosh"))
    assert (failure.sha256, failure.source_path) == ("b" * 64, "/arkiv/b.pdf")
    assert "left out of the index" in failure.reason
    _catalog_run(tmp_path, [docs_record("c", LONG_TEXT + " igen")])
    (report,) = update_index(tmp_path, "whoosh", doc_seconds=BUDGET)
    assert report.total == 1
    assert sorted(f.sha256 for f in read_failures(index_dir(tmp_path, "whoosh"))) == ["b" * 64, "c" * 64]
    (report,) = update_index(tmp_path, "whoosh")  # nothing changed: the failures stay listed
    assert len(read_failures(index_dir(tmp_path, "whoosh"))) == 2
