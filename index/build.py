"""Building and updating the index of an archive from its catalog.

The index of engine E lives in ``<archive>/index/E/``: the engine's files, the
learned compound lexicon (``lexicon.txt``) and ``state.json`` recording the
catalog generation the index reflects. ``update_index`` adds what changed in the
catalog since then and deletes what was removed; ``build_index`` starts over
(what ``arkiv index --rebuild`` does, and what happens when the analysis
version or the schema version of the indexed fields changed). The index is
derived data: deleting the folder and building again gives the same results.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.analysis import ANALYSIS_VERSION, Analyzer, learn_lexicon
from index.documents import IndexDoc, docs_from_record
from index.engine import ENGINES, SCHEMA_VERSION, Engine, EngineError, open_engine

if TYPE_CHECKING:
    from ingest.catalog import StoredRecord

__all__ = [
    "DEFAULT_ENGINE",
    "TANTIVY_SUGGESTED_AT",
    "IndexReport",
    "build_index",
    "existing_engines",
    "index_dir",
    "open_index",
    "update_index",
]

DEFAULT_ENGINE = "whoosh"
TANTIVY_SUGGESTED_AT = 50_000
STATE_FILE = "state.json"
LEXICON_FILE = "lexicon.txt"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class IndexReport:
    engine: str
    directory: Path
    full: bool  # True: built from scratch
    added: int  # index documents written
    deleted_contents: int  # file contents whose documents were removed
    total: int  # documents in the index afterwards
    generation: int  # the catalog generation the index now reflects
    seconds: float


def index_dir(archive_dir: Path, engine: str) -> Path:
    return Path(archive_dir) / "index" / engine


def existing_engines(archive_dir: Path) -> list[str]:
    """The engines that have an index in this archive."""
    return [e for e in ENGINES if (index_dir(archive_dir, e) / STATE_FILE).exists()]


def _read_state(directory: Path) -> dict[str, int] | None:
    try:
        return json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_state(directory: Path, generation: int, total: int) -> None:
    state = {
        "generation": generation,
        "analysis_version": ANALYSIS_VERSION,
        "schema_version": SCHEMA_VERSION,
        "documents": total,
    }
    tmp = directory / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(directory / STATE_FILE)


def _current(state: dict[str, int] | None) -> bool:
    """The index was written with this analysis and this schema."""
    return (
        state is not None
        and state.get("analysis_version") == ANALYSIS_VERSION
        and state.get("schema_version") == SCHEMA_VERSION
    )


def _load_analyzer(directory: Path) -> Analyzer:
    path = directory / LEXICON_FILE
    words = path.read_text(encoding="utf-8").split() if path.exists() else []
    return Analyzer(words)


def open_index(archive_dir: Path, engine: str | None = None) -> Engine:
    """Open the archive's index for searching (``engine`` None: the one that exists, whoosh first)."""
    if engine is None:
        found = existing_engines(archive_dir)
        if not found:
            raise EngineError(f"{Path(archive_dir) / 'index'}: no search index yet; run `arkiv index` first")
        engine = found[0]
    directory = index_dir(archive_dir, engine)
    if not (directory / STATE_FILE).exists():
        raise EngineError(f"{directory}: no {engine} index yet; run `arkiv index --engine {engine}`")
    if not _current(_read_state(directory)):
        raise EngineError(
            f"{directory}: the {engine} index was built by an older version; run `arkiv index --engine {engine}`"
        )
    return open_engine(engine, directory, _load_analyzer(directory))


def _docs(stored: Iterable[StoredRecord]) -> Iterator[IndexDoc]:
    for s in stored:
        yield from docs_from_record(s.record, s.sha256, s.paths[0] if s.paths else None)


def analyzer_for(docs: list[IndexDoc]) -> Analyzer:
    """The analyzer with a lexicon learned from these documents."""
    return Analyzer(learn_lexicon(f"{d.title}\n{d.text}\n{d.decision}" for d in docs))


def build_index(archive_dir: Path, engine: str = DEFAULT_ENGINE, *, progress: Progress | None = None) -> IndexReport:
    """Build the engine's index of the archive from scratch."""
    from ingest.catalog import Catalog

    started = time.perf_counter()
    directory = index_dir(archive_dir, engine)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    catalog = Catalog.open(Path(archive_dir))
    try:
        generation = catalog.generation()
        docs = list(_docs(catalog.iter_records()))
    finally:
        catalog.close()
    analyzer = analyzer_for(docs)
    (directory / LEXICON_FILE).write_text("\n".join(sorted(analyzer.lexicon)) + "\n", encoding="utf-8")
    eng = open_engine(engine, directory, analyzer, create=True)
    try:
        added = eng.add(_counting(docs, progress))
        total = eng.count()
    finally:
        eng.close()
    _write_state(directory, generation, total)
    return IndexReport(engine, directory, True, added, 0, total, generation, time.perf_counter() - started)


def _counting(docs: list[IndexDoc], progress: Progress | None) -> Iterator[IndexDoc]:
    for doc in docs:
        yield doc
        if progress is not None:
            progress(1)


def _changes(archive_dir: Path, since: int) -> tuple[int, list[str], list[StoredRecord]]:
    """(catalog generation, contents removed since ``since``, contents changed since ``since``)."""
    from ingest.catalog import Catalog

    catalog = Catalog.open(Path(archive_dir))
    try:
        generation = catalog.generation()
        if generation <= since:
            return generation, [], []
        return generation, catalog.removed_sha256s(since), list(catalog.iter_records(since))
    finally:
        catalog.close()


def update_index(
    archive_dir: Path, engine: str | None = None, *, progress: Progress | None = None
) -> list[IndexReport]:
    """Bring the archive's indexes up to date with its catalog (what ``arkiv ingest`` calls).

    ``engine`` None: every index that exists, or the default engine's when none does.
    An index that is missing, of an older analysis or schema version, or ahead of the catalog
    (the catalog was recreated) is rebuilt.
    """
    engines = [engine] if engine else (existing_engines(archive_dir) or [DEFAULT_ENGINE])
    reports: list[IndexReport] = []
    for name in engines:
        directory = index_dir(archive_dir, name)
        state = _read_state(directory)
        if state is None or not _current(state):
            reports.append(build_index(archive_dir, name, progress=progress))
            continue
        started = time.perf_counter()
        since = int(state["generation"])
        generation, removed, changed = _changes(archive_dir, since)
        if generation < since:
            reports.append(build_index(archive_dir, name, progress=progress))
            continue
        with open_engine(name, directory, _load_analyzer(directory)) as eng:
            added = 0
            if generation > since:
                eng.delete_sha256s(sorted(set(removed) | {s.sha256 for s in changed}))
                added = eng.add(_counting(list(_docs(changed)), progress))
            total = eng.count()
        _write_state(directory, generation, total)
        seconds = time.perf_counter() - started
        reports.append(IndexReport(name, directory, False, added, len(removed), total, generation, seconds))
    return reports
