"""Fixtures shared by test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.analysis import Analyzer
from index.documents import docs_from_record
from index.engine import ENGINES, open_engine
from parsers.serialize import record_from_json

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "sample"


@pytest.fixture(scope="module")
def gold_engines(tmp_path_factory):
    """Both engines, each holding the index documents of every gold record of the sample (built once a module)."""
    gold = sorted(SAMPLE.rglob("*.gold.json"))
    if not gold:
        pytest.skip("no gold records in corpus/sample")
    docs = [d for f in gold for d in docs_from_record(record_from_json(f.read_text(encoding="utf-8")))]
    engines = {}
    for kind in ENGINES:
        eng = open_engine(kind, tmp_path_factory.mktemp(f"gold-{kind}"), Analyzer(), create=True)
        eng.build(docs)
        engines[kind] = eng
    yield docs, engines
    for eng in engines.values():
        eng.close()
