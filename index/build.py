"""Building and updating the index of an archive from its catalog.

The index of engine E lives in ``<archive>/index/E/``: the engine's files, the
learned compound lexicon (``lexicon.txt``) and ``state.json`` recording the
catalog generation the index reflects. ``update_index`` adds what changed in the
catalog since then and deletes what was removed; ``build_index`` starts over
(what ``arkiv index --rebuild`` does, and what happens when the analysis
version or the schema version of the indexed fields changed). The index is
derived data: deleting the folder and building again gives the same results.

``build_index`` never touches the working index until the new one is complete:
it checks the catalog (``PRAGMA quick_check``), builds in a hidden folder beside
the old index (``index/.E.building-<stamp>``), renames that to ``index/E.<stamp>``
and then swaps the symbolic link ``index/E`` to it in one atomic rename; the old
index is removed after the swap. A failure at any step leaves the old index as
it was. Searches open the folder the link points to, so they keep working while
a build runs and across the swap. Writers hold the archive lock
(``ingest.archive_lock``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from index.analysis import ANALYSIS_VERSION, Analyzer, learn_lexicon
from index.budget import AnalysisTimeout, time_budget
from index.documents import IndexDoc, docs_from_record
from index.engine import (
    ENGINES,
    SCHEMA_VERSION,
    Engine,
    EngineError,
    IndexFailure,
    open_engine,
    read_failures,
    write_failures,
)
from index.linked import LinkContext, load_context
from index.preanalysis import PREANALYSIS_VERSION, AnalysedDoc, RecordAnalysis, analyse_doc, path_dependent
from parsers.records import document_key

if TYPE_CHECKING:
    from ingest.catalog import Catalog

T = TypeVar("T")

__all__ = [
    "DEFAULT_ENGINE",
    "TANTIVY_SUGGESTED_AT",
    "IndexReport",
    "build_index",
    "existing_engines",
    "index_dir",
    "index_state",
    "leftover_builds",
    "open_index",
    "update_index",
]

DEFAULT_ENGINE = "whoosh"
TANTIVY_SUGGESTED_AT = 50_000
STATE_FILE = "state.json"
LEXICON_FILE = "lexicon.txt"
BUILDING_MARK = ".building-"  # index/.E.building-<stamp>: a build in progress (or left by a killed one)
_OPEN_ATTEMPTS = 3  # a search that races a swap opens the new index on its next attempt

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
    """Open the archive's index for searching (``engine`` None: the one that exists, whoosh first).

    Opens the folder ``index/E`` points to at this moment; when a rebuild swaps
    and removes it in between, the next attempt opens the new one.
    """
    if engine is None:
        found = existing_engines(archive_dir)
        if not found:
            raise EngineError(f"{Path(archive_dir) / 'index'}: no search index yet; run `arkiv index` first")
        engine = found[0]
    directory = index_dir(archive_dir, engine)
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            return _open_current(directory, engine)
        except EngineError:
            if attempt + 1 == _OPEN_ATTEMPTS or not (directory / STATE_FILE).exists():
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def _open_current(directory: Path, engine: str) -> Engine:
    resolved = directory.resolve()
    if not (resolved / STATE_FILE).exists():
        raise EngineError(f"{directory}: no {engine} index yet; run `arkiv index --engine {engine}`")
    if not _current(_read_state(resolved)):
        raise EngineError(
            f"{directory}: the {engine} index was built by an older version; run `arkiv index --engine {engine}`"
        )
    return open_engine(engine, resolved, _load_analyzer(resolved))


class _Analyses:
    """The analysed documents of the catalog's parsed contents, for one index write.

    Most contents carry the analysis their ingest worker made (``index.preanalysis``). The others
    (stored before analyses were kept, or whose analysis failed or depends on the path) are
    analysed here, each document within ``doc_seconds``; those past it are listed in ``failed``.
    Complete analyses made here are kept in the catalog for the next write.
    """

    def __init__(self, archive_dir: Path, since: int | None, doc_seconds: float | None) -> None:
        from ingest.catalog import Catalog, StoredAnalysis

        self.archive_dir = Path(archive_dir)
        self.doc_seconds = doc_seconds
        self.links = LinkContext()
        self.failed: list[IndexFailure] = []
        self.here: dict[str, bytes] = {}  # sha256 → RecordAnalysis.to_bytes() of the analyses made here
        catalog = Catalog.open(self.archive_dir)
        try:
            self.generation = catalog.generation()
            self.contents = catalog.live_contents(since)
            # what the catalog links to these contents (bilag, printed sources): their documents are composed
            # with the links and analysed here, never taken from (or kept as) the worker's analysis
            self.links = load_context(catalog, None if since is None else {sha for sha, _p, _g in self.contents})
            stored = catalog.analysis_words(PREANALYSIS_VERSION)
            self.analysed: set[str] = set()  # contents with documents to index
            self._lexicon: set[str] = set()  # the union of their words (one string per distinct word)
            keep: list[tuple[str, StoredAnalysis]] = []
            for sha, paths, _gen in self.contents:
                if sha in stored and not self.links.affects(sha):
                    self.analysed.add(sha)
                    self._lexicon.update(stored.pop(sha).split())
                    continue
                made = self._analyse_here(catalog, sha, paths[0])
                if made is None:
                    continue
                analysis, complete = made
                data = analysis.to_bytes()
                self.analysed.add(sha)
                self._lexicon.update(analysis.words)
                self.here[sha] = data
                if complete:
                    keep.append((sha, StoredAnalysis(PREANALYSIS_VERSION, " ".join(analysis.words), data)))
            if keep:
                catalog.store_analyses(keep)
        finally:
            catalog.close()

    def _analyse_here(self, catalog: Catalog, sha: str, path: str) -> tuple[RecordAnalysis, bool] | None:
        """(the analysis, whether it is complete and may be kept), or None when the record is left out."""
        record = catalog.record(sha)
        if record is None:
            return None
        try:
            with time_budget(self.doc_seconds):
                docs = self.links.compose(sha, record, docs_from_record(record, sha, path))
        except AnalysisTimeout as e:
            self.failed.append(IndexFailure(document_key(sha), sha, path, f"left out of the index: {e}"))
            return None
        words = learn_lexicon(f"{d.title}\n{d.text}\n{d.decision}" for d in docs)
        analysed = []
        for doc in docs:
            try:
                with time_budget(self.doc_seconds):
                    analysed.append(analyse_doc(doc))
            except AnalysisTimeout as e:
                self.failed.append(IndexFailure.of(doc, f"left out of the index: {e}"))
            except (RecursionError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as e:
                reason = f"cannot analyse it for the index ({type(e).__name__}: {e})"
                self.failed.append(IndexFailure.of(doc, reason))
        complete = len(analysed) == len(docs) and not path_dependent(record) and not self.links.affects(sha)
        return RecordAnalysis(tuple(sorted(words)), tuple(analysed)), complete

    def lexicon(self) -> set[str]:
        """The learned lexicon: the union of the contents' words (whatever the order they were parsed in)."""
        return self._lexicon

    def shards(self, count: int) -> list[Callable[[], Iterator[AnalysedDoc]]]:
        """The documents in sha256 order, cut into at most ``count`` consecutive runs of contents."""
        contents = [(sha, paths[0]) for sha, paths, _gen in self.contents if sha in self.analysed]
        count = max(1, min(count, len(contents)))
        size, extra = divmod(len(contents), count)
        runs, start = [], 0
        for k in range(count):
            end = start + size + (1 if k < extra else 0)
            runs.append(contents[start:end])
            start = end
        return [functools.partial(self._docs, run) for run in runs if run]

    def _docs(self, run: list[tuple[str, str]]) -> Iterator[AnalysedDoc]:
        from ingest.catalog import Catalog

        catalog = Catalog.open(self.archive_dir)
        try:
            paths = dict(run)
            for sha, stored in catalog.analyses([sha for sha, _ in run], PREANALYSIS_VERSION):
                data = self.here.get(sha) or (None if stored is None else stored.docs)
                analysis = None if data is None else RecordAnalysis.from_bytes(data, "")
                if analysis is None:  # unreadable: analysed again (the lexicon is set already)
                    made = self._analyse_here(catalog, sha, paths[sha])
                    analysis = None if made is None else made[0]
                for doc in analysis.docs if analysis is not None else ():
                    yield doc.with_path(paths[sha])
        finally:
            catalog.close()


def analyzer_for(docs: list[IndexDoc]) -> Analyzer:
    """The analyzer with a lexicon learned from these documents."""
    return Analyzer(learn_lexicon(f"{d.title}\n{d.text}\n{d.decision}" for d in docs))


def build_index(
    archive_dir: Path,
    engine: str = DEFAULT_ENGINE,
    *,
    progress: Progress | None = None,
    doc_seconds: float | None = None,
    jobs: int = 1,
    catalog_checked: bool = False,
) -> IndexReport:
    """Build the engine's index of the archive from scratch, beside the working one, and swap it in.

    The catalog is checked first (``CatalogError`` when damaged), unless ``catalog_checked`` (the caller
    checked it before its own writes: ``arkiv ingest``); the old index stays untouched and usable unless
    the new one is complete. A damaged page found while reading is a ``CatalogError`` too. ``doc_seconds``
    bounds the analysis of one document (``index.budget``); a document past it is left out and reported.
    ``jobs``: processes that write the index at the same time (engines that can; the index is the same).
    """
    from ingest.archive_lock import archive_lock
    from ingest.catalog import Catalog

    started = time.perf_counter()
    directory = index_dir(archive_dir, engine)
    with archive_lock(Path(archive_dir), "arkiv index"):
        Catalog.open(Path(archive_dir), verify=not catalog_checked).close()
        analyses = _Analyses(Path(archive_dir), None, doc_seconds)
        stamp = f"{time.time_ns():x}"
        building = directory.parent / f".{engine}{BUILDING_MARK}{stamp}"
        try:
            added, total = _build_into(building, engine, analyses, progress, doc_seconds, jobs)
            built = building.rename(directory.parent / f"{engine}.{stamp}")
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        _swap_in(directory, built)
    seconds = time.perf_counter() - started
    return IndexReport(engine, directory, True, added, 0, total, analyses.generation, seconds)


def _build_into(
    building: Path,
    engine: str,
    analyses: _Analyses,
    progress: Progress | None,
    doc_seconds: float | None,
    jobs: int,
) -> tuple[int, int]:
    """Write a complete index (lexicon, engine files, state) into the new folder ``building``."""
    try:
        building.mkdir(parents=True)
    except OSError as e:
        raise EngineError(f"{building}: cannot create the index folder ({e.strerror or e})") from e
    analyzer = Analyzer(analyses.lexicon())
    analyses.lexicon().clear()  # the analyzer has its own copy; the shard writers need no second one
    (building / LEXICON_FILE).write_text("\n".join(sorted(analyzer.lexicon)) + "\n", encoding="utf-8")
    eng = open_engine(engine, building, analyzer, create=True)
    eng.doc_seconds = doc_seconds
    try:
        shards = analyses.shards(jobs if jobs > 1 else 1)
        if len(shards) == 1:
            only = shards[0]
            report = eng.add(_counting(only(), progress))
        else:
            report = eng.add_shards(shards)
            if progress is not None:
                progress(report.added + len(report.failed))
        total = eng.count()
    finally:
        eng.close()
    write_failures(building, [*analyses.failed, *report.failed])
    _write_state(building, analyses.generation, total)
    return report.added, total


def _swap_in(directory: Path, built: Path) -> None:
    """Point ``directory`` (a symbolic link) at ``built`` in one atomic rename, then remove the old index.

    An index from before this layout is a real folder: it is renamed aside first
    (searches that start in that instant retry; see ``open_index``).
    """
    link = directory.parent / f".{directory.name}.link-{built.name}"
    os.symlink(built.name, link)
    old: Path | None = None
    try:
        if directory.is_symlink():
            old = directory.resolve()
        elif directory.is_dir():
            old = directory.parent / f".{directory.name}.old-{built.name}"
            directory.rename(old)
        os.replace(link, directory)
    except BaseException:
        link.unlink(missing_ok=True)
        if old is not None and not directory.exists() and not directory.is_symlink() and old.is_dir():
            old.rename(directory)
        raise
    _fsync_dir(directory.parent)
    if old is not None and old != built and old.is_dir():
        shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def leftover_builds(archive_dir: Path) -> list[Path]:
    """Index folders no link points to: builds a killed process left behind (safe to remove without the lock)."""
    root = Path(archive_dir) / "index"
    if not root.is_dir():
        return []
    current = {index_dir(archive_dir, e).resolve() for e in ENGINES if index_dir(archive_dir, e).is_symlink()}
    current |= {index_dir(archive_dir, e) for e in ENGINES if index_dir(archive_dir, e).is_dir()}
    found = []
    for entry in sorted(root.iterdir()):
        if entry.is_symlink():
            if entry.name.startswith(".") and entry not in current:
                found.append(entry)
            continue
        name = entry.name.lstrip(".")
        if entry.is_dir() and any(name.startswith(f"{e}.") for e in ENGINES) and entry.resolve() not in current:
            found.append(entry)
    return found


def index_state(archive_dir: Path, engine: str) -> dict[str, int] | None:
    """The state of the engine's working index (its generation and document count), or None."""
    return _read_state(index_dir(archive_dir, engine))


def _counting(docs: Iterable[T], progress: Progress | None) -> Iterator[T]:
    for doc in docs:
        yield doc
        if progress is not None:
            progress(1)


def _changes(archive_dir: Path, since: int) -> tuple[int, list[str]]:
    """(catalog generation, contents removed since ``since``)."""
    from ingest.catalog import Catalog

    catalog = Catalog.open(Path(archive_dir))
    try:
        generation = catalog.generation()
        if generation <= since:
            return generation, []
        return generation, catalog.removed_sha256s(since)
    finally:
        catalog.close()


def update_index(
    archive_dir: Path,
    engine: str | None = None,
    *,
    progress: Progress | None = None,
    doc_seconds: float | None = None,
    jobs: int = 1,
    catalog_checked: bool = False,
) -> list[IndexReport]:
    """Bring the archive's indexes up to date with its catalog (what ``arkiv ingest`` calls).

    ``engine`` None: every index that exists, or the default engine's when none does.
    An index that is missing, of an older analysis or schema version, or ahead of the catalog
    (the catalog was recreated) is rebuilt. ``doc_seconds`` bounds the analysis of one
    document, as in ``build_index``; ``jobs`` and ``catalog_checked`` as in ``build_index``.
    """
    from ingest.archive_lock import archive_lock

    with archive_lock(Path(archive_dir), "arkiv index"):
        return _update_engines(archive_dir, engine, progress, doc_seconds, jobs, catalog_checked)


def _update_engines(
    archive_dir: Path,
    engine: str | None,
    progress: Progress | None,
    doc_seconds: float | None,
    jobs: int,
    catalog_checked: bool = False,
) -> list[IndexReport]:
    engines = [engine] if engine else (existing_engines(archive_dir) or [DEFAULT_ENGINE])

    def rebuild(name: str) -> IndexReport:
        return build_index(
            archive_dir, name, progress=progress, doc_seconds=doc_seconds, jobs=jobs, catalog_checked=catalog_checked
        )

    reports: list[IndexReport] = []
    for name in engines:
        directory = index_dir(archive_dir, name)
        state = _read_state(directory)
        if state is None or not _current(state):
            reports.append(rebuild(name))
            continue
        started = time.perf_counter()
        since = int(state["generation"])
        generation, removed = _changes(archive_dir, since)
        if generation < since:
            reports.append(rebuild(name))
            continue
        with open_engine(name, directory, _load_analyzer(directory)) as eng:
            eng.doc_seconds = doc_seconds
            added = 0
            if generation > since:
                changed = _Analyses(Path(archive_dir), since, doc_seconds)
                dropped = set(removed) | {sha for sha, _paths, _gen in changed.contents}
                eng.delete_sha256s(sorted(dropped))
                failed = changed.failed
                report = eng.add(_counting([d for shard in changed.shards(1) for d in shard()], progress))
                added = report.added
                kept = [f for f in read_failures(directory) if f.sha256 not in dropped]
                write_failures(directory, [*kept, *failed, *report.failed])
            total = eng.count()
        _write_state(directory, generation, total)
        seconds = time.perf_counter() - started
        reports.append(IndexReport(name, directory, False, added, len(removed), total, generation, seconds))
    return reports
