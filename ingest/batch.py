"""The import run: walk the sources, decide what to do per path, parse in workers, write the catalog.

Deciding is cheap by design. A path whose size and mtime (and CRC for a zip
member) match the catalog, and whose content was parsed by the current parser
version, is skipped without reading it. Only the others are hashed: a known
content at a new path is linked without parsing (duplicates, moves, restored
files), and only new content is parsed, once per content even when it appears
at several paths in the same run.

The parent process is the catalog's only writer. Each content's rows are one
all-or-nothing write, and the writes are committed in groups (``COMMIT_WRITES``
files or ``COMMIT_SECONDS``, and whenever no result came for a second), so an
import killed at any moment leaves a consistent catalog, and the next run
continues with what was not committed.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.archive_lock import ArchiveBusy, archive_lock
from ingest.bilag_links import update_links
from ingest.catalog import CATALOG_FILE, Catalog, CatalogError, ContentState, FileEntry, FileState, catalog_rows
from ingest.sources import DEFAULT_MAX_MEMBER_MB, ZIP_SEPARATOR, SourceEntry, SourceReader, Walk, ZipLimits
from ingest.workers import Outcome, Task, WorkerPool
from parsers import PARSER_VERSION
from parsers.errors import ZIP_READ_ERRORS
from parsers.legacy import conversion_cache
from parsers.paths import display_path

if TYPE_CHECKING:
    from ingest.cluster import ClusterPool

__all__ = [
    "DEFAULT_MAX_MEMBER_MB",
    "DEFAULT_MAX_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "IngestOptions",
    "IngestReport",
    "PlannedAction",
    "Progress",
    "default_jobs",
    "ingest",
    "plan",
]

DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_MEMORY_MB = 1024.0
CONVERT_CACHE_DIR = "convert-cache"  # legacy files converted to DOCX by LibreOffice, by content hash; kept
OCR_CACHE_DIR = "ocr-cache"  # OCR results of scanned pages by page hash, so a --reparse does not OCR again
SCRATCH_DIR = "ingest-tmp"  # zip members being parsed; emptied by every run (under the lock)
_TOUCH_BATCH = 500
# The writer commits after this many files or seconds, whichever comes first, and whenever the workers
# have had nothing to report for a second: a killed import parses at most those files again.
COMMIT_WRITES = 32
COMMIT_SECONDS = 0.5


def default_jobs(cgroup_root: Path = Path("/sys/fs/cgroup"), proc_cgroup: Path = Path("/proc/self/cgroup")) -> int:
    """The number of cores this process may use: the CPUs it may run on (affinity), fewer when its
    cgroup's CPU quota (``cpu.max``, or ``cpu.cfs_quota_us`` in cgroup v1) allows less (rounded up)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = cgroup_cpu_quota(cgroup_root, proc_cgroup)
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return max(1, cores)


def cgroup_cpu_quota(cgroup_root: Path, proc_cgroup: Path) -> float | None:
    """CPUs' worth of time the cgroup of this process may use (quota / period); None: no limit or unknown."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    limits: list[float] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        relative = path.lstrip("/")
        if controllers == "":  # cgroup v2: cpu.max of this group and of every parent
            folder = cgroup_root / relative
            while True:
                limit = _read_quota(folder / "cpu.max")
                if limit is not None:
                    limits.append(limit)
                if folder == cgroup_root or cgroup_root not in folder.parents:
                    break
                folder = folder.parent
        elif "cpu" in controllers.split(","):
            for base in (cgroup_root / "cpu,cpuacct", cgroup_root / "cpu"):
                quota = _read_number(base / relative / "cpu.cfs_quota_us")
                period = _read_number(base / relative / "cpu.cfs_period_us")
                if quota is not None and period and quota > 0:
                    limits.append(quota / period)
                    break
    return min(limits) if limits else None


def _read_quota(path: Path) -> float | None:
    """``cpu.max`` ("max 100000" or "200000 100000") as CPUs, None without a limit."""
    try:
        fields = path.read_text().split()
    except OSError:
        return None
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        quota, period = float(fields[0]), float(fields[1])
    except ValueError:
        return None
    return quota / period if period > 0 else None


def _read_number(path: Path) -> float | None:
    try:
        return float(path.read_text().strip())
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class IngestOptions:
    jobs: int = field(default_factory=default_jobs)
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per file; None: no limit
    max_memory_mb: float | None = DEFAULT_MAX_MEMORY_MB  # resident memory per worker; None: no limit
    reparse: bool = False  # parse every content again, whatever its parser version
    retry_failed: bool = False  # parse all quarantined content again (parser errors are always retried)
    prune: bool = False  # mark paths under the given roots that are gone as removed
    max_member_mb: float = DEFAULT_MAX_MEMBER_MB  # a zip member that expands to more is quarantined unread
    lock_wait: float = 0.0  # seconds to wait for another writer to release the archive; 0: fail at once
    cluster: str | None = None  # a Dask scheduler address: parse there (``ingest.cluster``); None: local workers
    ship_files: bool = False  # with ``cluster``: send the files' bytes with the tasks (no shared file system)

    def zip_limits(self) -> ZipLimits:
        return ZipLimits(max_member_bytes=int(self.max_member_mb * 1024 * 1024))


@dataclass(frozen=True)
class PlannedAction:
    """What an import does (or would do) with one path."""

    action: str  # add, change, reparse, skip, remove
    path: str
    detail: str = ""  # "parse", "same content as a stored file", "quarantine: reason", ...


@dataclass(frozen=True)
class Progress:
    done: int  # paths handled (parsed, linked, quarantined)
    total: int  # paths that needed work (unchanged paths are not counted)
    pages: int  # pages parsed so far
    elapsed: float  # seconds since the run started


@dataclass
class IngestReport:
    generation: int
    scanned: int = 0
    ignored: int = 0  # files in folders that are not documents (not recorded)
    unchanged: int = 0
    added: int = 0
    changed: int = 0
    reparsed: int = 0
    linked: int = 0  # paths stored without parsing: their content was already known
    removed: int = 0
    parsed_files: int = 0
    parsed_pages: int = 0
    elapsed: float = 0.0
    quarantined: list[tuple[str, str, str]] = field(default_factory=list)  # (path, code, reason without the path)
    folder_errors: list[tuple[str, str]] = field(default_factory=list)  # (folder, reason): its files are kept as is
    still_quarantined: int = 0  # present paths in the quarantine after the run (this run's and earlier ones)
    bilag_links: int = 0  # bilag files linked to the items listing them, in the whole catalog after the run

    def summary(self) -> dict[str, int]:
        return {
            "scanned": self.scanned,
            "ignored": self.ignored,
            "unchanged": self.unchanged,
            "added": self.added,
            "changed": self.changed,
            "reparsed": self.reparsed,
            "linked": self.linked,
            "removed": self.removed,
            "parsed_files": self.parsed_files,
            "parsed_pages": self.parsed_pages,
            "quarantined": len(self.quarantined),
        }


@dataclass(frozen=True)
class _Step:
    entry: SourceEntry
    label: str  # add, change, reparse, unchanged
    op: str  # touch, attach, parse, quarantine, unreadable
    sha256: str | None
    error: str | None = None


class _Decider:
    """Decides per path: skip, link to known content, or parse. Shared by ``plan`` and ``ingest``."""

    def __init__(self, states: dict[str, FileState], contents: dict[str, ContentState], options: IngestOptions) -> None:
        self.states = states
        self.contents = contents
        self.options = options
        self.scheduled: set[str] = set()

    def current(self, sha: str | None) -> bool:
        """True when the stored outcome for this content stands: same parser version, nothing forces a retry.

        A ``parser-error`` (a bug, not a property of the file) is retried on every run.
        """
        content = self.contents.get(sha) if sha else None
        if content is None or content.parser_version != PARSER_VERSION or self.options.reparse:
            return False
        if content.status != "quarantined":
            return True
        return not (self.options.retry_failed or content.error_code == "parser-error")

    def unchanged(self, entry: SourceEntry) -> bool:
        """True when the path is known with the same size/mtime and current content: no need to read it.

        An entry that is never read (a FIFO, an unsafe zip member name, a zip bomb) is
        unchanged when the catalog already holds it with the same problem.
        """
        st = self.states.get(entry.path)
        if not entry.readable:
            return (
                st is not None
                and st.status == "present"
                and st.sha256 is None
                and st.error_code == entry.problem_code
                and (st.size, st.mtime, st.crc32) == (entry.size, entry.mtime, entry.crc32)
            )
        return (
            st is not None
            and st.status == "present"
            and st.sha256 is not None
            and st.size == entry.size
            and st.mtime == entry.mtime
            and st.crc32 == entry.crc32
            and self.current(st.sha256)
        )

    def steps(self, entries: Iterable[SourceEntry], reader: SourceReader) -> Iterator[_Step]:
        for entry in entries:
            st = self.states.get(entry.path)
            present = st is not None and st.status == "present"
            same_stat = present and st.size == entry.size and st.mtime == entry.mtime and st.crc32 == entry.crc32
            if not entry.readable:
                assert entry.problem is not None
                yield _Step(entry, "change" if present else "add", "unreadable", None, entry.problem)
                continue
            if same_stat and st.sha256 is not None:
                sha: str | None = st.sha256
            else:
                try:
                    sha = reader.sha256(entry)
                except ZIP_READ_ERRORS as e:
                    label = "change" if present else "add"
                    reason = entry.problem or f"cannot read the file ({e})"
                    yield _Step(entry, label, "unreadable", None, reason)
                    continue
            assert sha is not None
            if not present:
                label = "add"
            elif st.sha256 != sha:
                label = "change"
            else:
                label = "unchanged" if self.current(sha) else "reparse"
            if sha in self.scheduled or self.current(sha):
                op = "touch" if present and st.sha256 == sha else "attach"
                yield _Step(entry, label, op, sha)
                continue
            self.scheduled.add(sha)
            yield _Step(entry, label, "quarantine" if entry.problem_code else "parse", sha)


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(
        path == r or path.startswith(r.rstrip(os.sep) + os.sep) or path.startswith(r + ZIP_SEPARATOR) for r in roots
    )


def _gone(
    states: dict[str, FileState], seen: set[str], roots: Sequence[Path], unread_folders: Sequence[str] = ()
) -> list[str]:
    """Present paths under ``roots`` that the walk did not see; paths under a folder it could not read are kept."""
    absolute = [display_path(os.path.normpath(os.path.abspath(r))) for r in roots]
    return sorted(
        path
        for path, st in states.items()
        if st.status == "present" and path not in seen and _under(path, absolute) and not _under(path, unread_folders)
    )


@contextmanager
def _run_lock(archive: Path, wait: float = 0.0) -> Iterator[None]:
    """One writer at a time per archive: the archive lock (``ingest.archive_lock``), as "arkiv ingest"."""
    try:
        with archive_lock(archive, "arkiv ingest", wait=wait):
            yield
    except ArchiveBusy as e:
        raise CatalogError(str(e)) from None


def _quarantined_paths(catalog: Catalog) -> int:
    """Present paths whose file could not be read or whose content could not be parsed."""
    row = catalog.connection.execute("SELECT count(*) FROM file_catalog WHERE status = 'quarantined'").fetchone()
    return int(row[0])


def _load_states(archive: Path) -> tuple[dict[str, FileState], dict[str, ContentState]]:
    if not (archive / CATALOG_FILE).exists():
        return {}, {}
    with Catalog.open(archive) as catalog:
        return catalog.file_states(), catalog.content_states()


def plan(archive: Path, roots: Sequence[Path], options: IngestOptions) -> list[PlannedAction]:
    """What ``ingest`` would do, without writing anything (hashes only what changed)."""
    states, contents = _load_states(archive)
    decider = _Decider(states, contents, options)
    walker = Walk(roots, exclude=archive, limits=options.zip_limits())
    entries = list(walker)
    actions: list[PlannedAction] = []
    reader = SourceReader(limits=options.zip_limits())
    try:
        to_check = []
        for entry in entries:
            if decider.unchanged(entry):
                actions.append(PlannedAction("skip", entry.path))
            else:
                to_check.append(entry)
        for step in decider.steps(to_check, reader):
            detail = {
                "touch": "same content",
                "attach": "same content as a stored file",
                "parse": "parse",
                "quarantine": f"quarantine: {step.entry.problem}",
                "unreadable": f"quarantine: {step.error}",
            }[step.op]
            actions.append(PlannedAction("skip" if step.label == "unchanged" else step.label, step.entry.path, detail))
    finally:
        reader.close()
    unread = [folder for folder, _ in walker.folder_errors]
    if options.prune:
        seen = {e.path for e in entries}
        gone = _gone(states, seen, roots, unread)
        actions += [PlannedAction("remove", path, "gone from the source") for path in gone]
    order = {e.path: i for i, e in enumerate(entries)}
    actions.sort(key=lambda a: order.get(a.path, len(order)))  # walk order; removals last
    return actions + [PlannedAction("error", folder, reason) for folder, reason in walker.folder_errors]


def ingest(
    archive: Path,
    roots: Sequence[Path],
    options: IngestOptions,
    progress: Callable[[Progress], None] | None = None,
) -> IngestReport:
    """Import the files under ``roots`` into the catalog in ``archive``; see the module docstring."""
    started = time.monotonic()
    try:
        archive.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CatalogError(f"{archive}: cannot create the archive directory ({e.strerror or e})") from e
    with _run_lock(archive, options.lock_wait), Catalog.open(archive, verify=True) as catalog:
        generation = catalog.begin_run()
        report = IngestReport(generation=generation)
        states = catalog.file_states()
        decider = _Decider(states, catalog.content_states(), options)
        limits = options.zip_limits()
        walker = Walk(roots, exclude=archive, limits=limits)
        entries = list(walker)
        report.scanned = len(entries)
        report.ignored = walker.ignored
        report.folder_errors = list(walker.folder_errors)
        to_check = [e for e in entries if not decider.unchanged(e)]
        report.unchanged = len(entries) - len(to_check)
        run = _Run(catalog, report, generation, len(to_check), started, progress)
        reader = SourceReader(limits=limits)
        try:
            with (
                conversion_cache(archive / CONVERT_CACHE_DIR),
                _pool(archive, options) as pool,
                catalog.grouped(COMMIT_SECONDS, COMMIT_WRITES),
            ):
                for outcome in pool.run(run.tasks(decider.steps(to_check, reader)), idle=catalog.commit_group):
                    run.finish(outcome)
                run.flush_touches()
        finally:
            reader.close()
        if options.prune:
            unread = [folder for folder, _ in report.folder_errors]
            report.removed = catalog.mark_removed(_gone(states, {e.path for e in entries}, roots, unread), generation)
        report.bilag_links = update_links(catalog, generation).links
        report.elapsed = time.monotonic() - started
        catalog.finish_run(generation, report.summary())
        report.still_quarantined = _quarantined_paths(catalog)
    return report


def _pool(archive: Path, options: IngestOptions) -> WorkerPool | ClusterPool:
    """The local worker processes, or the Dask cluster of ``options.cluster``."""
    limits = options.zip_limits()
    if options.cluster:
        from ingest.cluster import ClusterError, ClusterPool

        try:
            return ClusterPool(
                options.cluster,
                ship_files=options.ship_files,
                timeout=options.timeout,
                max_memory_mb=options.max_memory_mb,
                limits=limits,
            )
        except ClusterError as e:
            raise CatalogError(str(e)) from e
    return WorkerPool(
        options.jobs,
        timeout=options.timeout,
        max_memory_mb=options.max_memory_mb,
        scratch=archive / SCRATCH_DIR,
        limits=limits,
        ocr_cache=archive / OCR_CACHE_DIR,
        catalog=True,
    )


class _Run:
    """The writer side of one import: applies steps and outcomes to the catalog, one transaction each."""

    def __init__(
        self,
        catalog: Catalog,
        report: IngestReport,
        generation: int,
        total: int,
        started: float,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        self.catalog = catalog
        self.report = report
        self.generation = generation
        self.total = total
        self.started = started
        self.progress = progress
        self.done = 0
        self.pending: dict[str, list[FileEntry]] = {}
        self.touches: list[FileEntry] = []

    def _advance(self, n: int = 1) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(Progress(self.done, self.total, self.report.parsed_pages, time.monotonic() - self.started))

    def _count(self, label: str) -> None:
        if label == "add":
            self.report.added += 1
        elif label == "change":
            self.report.changed += 1
        elif label == "reparse":
            self.report.reparsed += 1
        else:
            self.report.unchanged += 1

    def flush_touches(self) -> None:
        if self.touches:
            self.catalog.touch_files(self.touches)
            self.touches = []

    def tasks(self, steps: Iterator[_Step]) -> Iterator[Task]:
        catalog, generation = self.catalog, self.generation
        for step in steps:
            self._count(step.label)
            entry = step.entry
            file = entry.file_entry()
            if step.op == "touch":
                self.touches.append(file)
                if len(self.touches) >= _TOUCH_BATCH:
                    self.flush_touches()
            elif step.op == "attach":
                assert step.sha256 is not None
                self.report.linked += 1
                if step.sha256 in self.pending:
                    self.pending[step.sha256].append(file)
                    continue  # counted when the content's parse is committed
                catalog.attach_paths(step.sha256, [file], generation)
                quarantined = catalog.quarantine_reason(step.sha256)
                if quarantined is not None:
                    self.report.quarantined.append((entry.path, *quarantined))
            elif step.op == "unreadable":
                assert step.error is not None
                code = entry.problem_code or "unreadable"
                catalog.store_unreadable(file, generation, code=code, error=step.error)
                self.report.quarantined.append((entry.path, code, step.error))
            elif step.op == "quarantine":
                assert step.sha256 is not None and entry.problem_code and entry.problem
                catalog.store_quarantined(
                    step.sha256,
                    [file],
                    generation,
                    size=entry.size,
                    format=entry.suffix,
                    parser_version=PARSER_VERSION,
                    code=entry.problem_code,
                    error=entry.problem,
                )
                self.report.quarantined.append((entry.path, entry.problem_code, entry.problem))
            else:
                assert step.sha256 is not None
                self.pending[step.sha256] = [file]
                yield Task(step.sha256, entry)
                continue
            self._advance()

    def finish(self, outcome: Outcome) -> None:
        task = outcome.task
        files = self.pending.pop(task.sha256)
        entry = task.entry
        if outcome.parsed:
            rows = outcome.rows
            if rows is None:  # a pool that sent the record itself
                assert outcome.record is not None
                rows = catalog_rows(outcome.record)
            self.catalog.store_rows(
                rows,
                files,
                self.generation,
                size=entry.size,
                parse_seconds=outcome.seconds - outcome.analysis_seconds,
                analysis=outcome.analysis,
            )
            self.report.parsed_files += 1
            self.report.parsed_pages += outcome.pages
        else:
            code, error = outcome.code or "parser-error", outcome.error or "not parsed"
            self.catalog.store_quarantined(
                task.sha256,
                files,
                self.generation,
                size=entry.size,
                format=entry.suffix,
                parser_version=PARSER_VERSION,
                code=code,
                error=error,
                parse_seconds=outcome.seconds,
            )
            self.report.quarantined += [(f.path, code, error) for f in files]
        self._advance(len(files))
