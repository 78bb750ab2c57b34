"""Worker processes that parse one file at a time, with a deadline per file.

``multiprocessing.Pool`` cannot stop one task that hangs, so this is a small
pool of our own: each worker is a process with its own pipe; the parent sends a
``Task``, waits for the ``Outcome`` and, when a task runs past its deadline,
kills that worker (SIGKILL), reports a ``timeout`` and starts a fresh worker.
Likewise a worker whose resident memory passes ``max_memory_mb`` (checked from
/proc several times a second, Linux only) is killed and the file reported as
``too-large``, so one huge or malicious file cannot take the machine down.
A worker that dies (out of memory, a crash in a C library) is reported the same
way with code ``parser-error``. Workers are recycled after ``max_tasks`` files so
that memory a parser leaks is given back.

Workers die with their parent, even in the middle of a file: on Linux the
kernel sends them SIGKILL when the parent ends (``PR_SET_PDEATHSIG``), elsewhere
a thread in each worker watches the parent's pid. So a killed import leaves no
orphan behind that keeps a core busy or holds a deleted scratch file. The pool's
scratch folder is the caller's (``<archive>/ingest-tmp`` for an import, emptied
by every run) or ``<tmp>/arkiv-scratch-<pid>-*``, removed by the next pool once
the process ``<pid>`` is gone.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ingest.catalog import CatalogRows, StoredAnalysis, catalog_rows
from ingest.sources import MemberTooLarge, SourceEntry, SourceReader, ZipLimits
from parsers.records import DocumentRecord

__all__ = ["SCRATCH_PREFIX", "OcrPageDone", "Outcome", "Task", "WorkerPool", "remove_stale_scratch"]

_MEMORY_POLL = 0.2  # seconds between memory checks of busy workers
_PARENT_POLL = 0.5  # seconds between parent checks where the kernel cannot watch for us
_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
# Tasks in a worker's pipe at once: the next file waits there while the parent takes in a result.
PREFETCH = 4
_ANALYSIS_MARGIN = 1.0  # seconds of a file's timeout the index analysis leaves unused (the pool's deadline)
SCRATCH_PREFIX = "arkiv-scratch-"  # + "<pid>-<random>": a pool's own scratch folder in the temporary directory
try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if os.path.exists("/proc/self/statm") else 0
except (ValueError, OSError, AttributeError):
    _PAGE_SIZE = 0


def _rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE_SIZE / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0


@dataclass(frozen=True)
class Task:
    sha256: str
    entry: SourceEntry  # the path to parse from (its display path becomes source.path)


@dataclass(frozen=True)
class Outcome:
    """What became of one task: the record (or, for an import, its catalog rows), or code and error."""

    task: Task
    record: DocumentRecord | None  # the parsed record, unless the pool makes catalog rows instead
    code: str | None  # set when the file is quarantined (then ``error`` says why)
    error: str | None
    seconds: float
    # The record's index analysis (``index.preanalysis``); None when quarantined, or when the analysis
    # failed or ran out of time here: the index writer then analyses the record itself.
    analysis: StoredAnalysis | None = None
    analysis_seconds: float = 0.0  # of ``seconds``
    rows: CatalogRows | None = None  # for an import: the record as the catalog stores it, made here

    @property
    def parsed(self) -> bool:
        """True when the file was parsed (a record or its rows); False: quarantined with ``code``."""
        return self.record is not None or self.rows is not None

    @property
    def pages(self) -> int:
        """Pages of the parsed file (0 when quarantined)."""
        if self.rows is not None:
            return self.rows.pages
        return self.record.source.page_count if self.record is not None else 0


def analyse(record: DocumentRecord, task: Task, seconds: float | None) -> StoredAnalysis | None:
    """The index analysis of a parsed record, within ``seconds`` (None: unbounded); None when it
    fails or runs out of time (the index writer then does it, under its own time budget)."""
    from index.budget import AnalysisTimeout, time_budget
    from index.preanalysis import PREANALYSIS_VERSION, analyse_record, path_dependent

    if (seconds is not None and seconds <= 0) or path_dependent(record):
        return None
    try:
        with time_budget(seconds):
            result = analyse_record(record, task.sha256, task.entry.path)
    except AnalysisTimeout:
        return None
    except Exception:  # an analysis bug must not cost the parse: the writer tries again and reports it
        return None
    return StoredAnalysis(PREANALYSIS_VERSION, " ".join(result.words), result.to_bytes())


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def parse_task(
    task: Task,
    reader: SourceReader,
    workdir: Path,
    *,
    index_analysis: bool = True,
    timeout: float | None = None,
    catalog: bool = False,
) -> Outcome:
    """Parse one task in this process, and (``index_analysis``) analyse the record for the index, in
    what is left of ``timeout`` seconds. With ``catalog`` the outcome holds the record's catalog rows
    (``ingest.catalog.catalog_rows``) instead of the record. Never raises for a bad file: the outcome
    carries the reason."""
    from parsers import parse_file
    from parsers.errors import ParseError
    from parsers.serialize import record_to_json

    started = time.perf_counter()
    entry = task.entry
    local: Path | None = None
    try:
        local = reader.local_file(entry, workdir)
        record = parse_file(local, display_path=entry.path, sha256=task.sha256)
        if not index_analysis:
            return Outcome(task, record, None, None, time.perf_counter() - started)
        parsed = time.perf_counter()
        left = None if timeout is None else timeout - (parsed - started) - _ANALYSIS_MARGIN
        analysis = analyse(record, task, left)
        done = time.perf_counter()
        if catalog:
            rows = catalog_rows(record, record_to_json(record, indent=None))
            return Outcome(task, None, None, None, done - started, analysis, done - parsed, rows)
        return Outcome(task, record, None, None, done - started, analysis, done - parsed)
    except MemberTooLarge as e:
        return Outcome(task, None, "too-large", _one_line(str(e)), time.perf_counter() - started)
    except ParseError as e:
        message = _one_line(e.reason)
        if local is not None:
            message = message.replace(str(local), entry.path)
        return Outcome(task, None, e.code, message, time.perf_counter() - started)
    except MemoryError:
        return Outcome(task, None, "parser-error", "out of memory while parsing", time.perf_counter() - started)
    except Exception as e:  # a parser bug must not stop the batch: quarantine the file with the reason
        reason = _one_line(f"{type(e).__name__}: {e}")[:500]
        return Outcome(task, None, "parser-error", f"parser error ({reason})", time.perf_counter() - started)
    finally:
        if local is not None and entry.container is not None:
            local.unlink(missing_ok=True)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_POLL)
    os._exit(1)


def die_with_parent(parent_pid: int) -> str:
    """Make this process end when ``parent_pid`` ends; returns how ("prctl" or "thread").

    Linux: the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``);
    the pid is checked once more afterwards, for a parent that died before the
    call. Elsewhere, or when prctl is not available, a daemon thread polls.
    """
    if os.getppid() != parent_pid:
        os._exit(1)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent_pid:
                    os._exit(1)
                return "prctl"
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="watch-parent").start()
    return "thread"


_STOP_SENDING = object()


class _Sender:
    """A worker's messages to the parent, sent in order by a thread of their own: the worker goes on with
    the next file while a result is still on its way (the parent may be busy writing the catalog, and a
    result larger than the socket's buffer would otherwise hold the worker until the parent reads it).
    At most ``PREFETCH`` results wait: a worker has no more tasks than that."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True, name="send-results")
        self._thread.start()

    def send(self, message: object) -> None:
        self._queue.put(message)

    def close(self) -> None:
        """Send what is waiting, then stop the thread."""
        self._queue.put(_STOP_SENDING)
        self._thread.join()

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is _STOP_SENDING:
                return
            try:
                self._conn.send(message)
            except OSError:  # the parent is gone (this process follows it)
                return


def _worker_main(
    conn: Connection,
    parent_pid: int,
    scratch: str,
    limits: ZipLimits | None = None,
    ocr_cache: str | None = None,
    timeout: float | None = None,
    catalog: bool = False,
) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    sender = _Sender(conn)
    _set_up_ocr(sender, ocr_cache)
    reader = SourceReader(limits=limits)
    try:
        # Inside the pool's scratch folder, which the parent removes even when this worker is killed.
        with tempfile.TemporaryDirectory(prefix="worker-", dir=scratch) as tmp:
            workdir = Path(tmp)
            while os.getppid() == parent_pid:
                if not conn.poll(1.0):
                    continue
                try:
                    task = conn.recv()
                except (EOFError, OSError):
                    return
                if task is None:
                    return
                sender.send(parse_task(task, reader, workdir, timeout=timeout, catalog=catalog))
    finally:
        sender.close()
        reader.close()


@dataclass(frozen=True)
class OcrPageDone:
    """Sent by a worker after each page Tesseract read: the file's deadline starts again (each
    page has its own OCR timeout, ``parsers.ocr.PAGE_TIMEOUT``), and the pool counts the page."""

    page: int
    total: int


def _set_up_ocr(sender: _Sender, ocr_cache: str | None) -> None:
    """One OCR thread per worker (the pool is the parallelism), the pool's OCR cache, page reports."""
    from parsers import ocr

    os.environ["OMP_THREAD_LIMIT"] = "1"
    if ocr_cache is not None:
        os.environ[ocr.CACHE_ENV] = ocr_cache
    ocr.set_page_hook(lambda page, total: sender.send(OcrPageDone(page, total)))


class _Worker:
    def __init__(
        self,
        ctx: multiprocessing.context.BaseContext,
        scratch: str,
        limits: ZipLimits | None,
        ocr_cache: str | None = None,
        timeout: float | None = None,
        catalog: bool = False,
    ) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        args = (child, os.getpid(), scratch, limits, ocr_cache, timeout, catalog)
        self.process = ctx.Process(target=_worker_main, args=args, daemon=True)
        self.process.start()
        child.close()
        self.tasks: deque[Task] = deque()  # sent and not answered yet: the first is the one being parsed
        self.started = 0.0  # when the first of ``tasks`` started
        self.sent = 0
        self.done = 0
        self.memory_checked = 0.0  # when its memory was last read (``over_memory``)

    @property
    def task(self) -> Task | None:
        """The task being parsed; None: idle."""
        return self.tasks[0] if self.tasks else None

    def send(self, task: Task) -> None:
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append(task)
        self.sent += 1
        self.conn.send(task)

    def over_memory(self, limit_mb: float) -> bool:
        """True when the worker's resident memory is above ``limit_mb``; read from /proc at most every
        ``_MEMORY_POLL`` seconds (the pool wakes for every result, much more often than that)."""
        now = time.monotonic()
        if now - self.memory_checked < _MEMORY_POLL:
            return False
        self.memory_checked = now
        return _rss_mb(self.process.pid) > limit_mb

    def answered(self) -> Task:
        """The first task is answered; the next one (already in the pipe) starts now."""
        task = self.tasks.popleft()
        self.done += 1
        self.started = time.monotonic()
        return task

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
        self.conn.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_scratch(parent: Path) -> list[Path]:
    """Remove the ``arkiv-scratch-<pid>-*`` folders in ``parent`` whose process is gone; returns them."""
    removed: list[Path] = []
    try:
        candidates = sorted(parent.glob(f"{SCRATCH_PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        pid = folder.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# Imported by the parent before it forks workers: the parsers and the libraries they import on first use
# (a worker is replaced every ``max_tasks`` files, and each would otherwise import them again).
_WARM_MODULES = (
    "parsers.structure",
    "parsers.pdf_extractor",
    "parsers.docx_extractor",
    "parsers.html_extractor",
    "parsers.esdh_xml",
    "parsers.legacy",
    "index.preanalysis",
    "numpy",
    "pypdfium2",
    "pypdfium2.raw",
    "pdfminer.ascii85",
    "pdfminer.pdfdocument",
    "pdfminer.pdfpage",
    "pdfminer.pdfparser",
    "pdfminer.pdftypes",
)


def _warm_up() -> None:
    """Import the parsers once in the parent, so that every forked worker starts with them loaded."""
    import importlib

    for name in _WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a missing extractor shows up as a per-file parser error instead
            continue


class WorkerPool:
    """Run tasks in ``jobs`` worker processes; yield one ``Outcome`` per task, in completion order.

    Zip members are copied to files under ``scratch`` (default: a new
    ``arkiv-scratch-<pid>-*`` folder in the temporary directory), which is
    removed when the pool closes; a killed pool's folder goes with the next pool.
    With ``catalog`` the outcomes hold the records' catalog rows, made in the
    workers, instead of the records (what an import stores).
    """

    def __init__(
        self,
        jobs: int,
        *,
        timeout: float | None = None,
        max_memory_mb: float | None = None,
        max_tasks: int = 200,
        scratch: Path | None = None,
        limits: ZipLimits | None = None,
        ocr_cache: Path | None = None,
        catalog: bool = False,
    ) -> None:
        self.jobs = max(1, jobs)
        self.catalog = catalog
        self.ocr_cache = str(ocr_cache) if ocr_cache is not None else None
        self.ocr_pages = 0  # pages read by Tesseract in this pool so far (cache hits not counted)
        self.limits = limits
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb if _PAGE_SIZE else None
        self.max_tasks = max_tasks
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._ctx = multiprocessing.get_context(method)
        if method == "fork":
            _warm_up()
        self._workers: list[_Worker] = []
        self._exhausted = False
        self._orphans: deque[Task] = deque()  # tasks sent to a worker that was killed before it parsed them
        if scratch is None:
            remove_stale_scratch(Path(tempfile.gettempdir()))
            self._scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        else:  # a folder of the caller's; whatever a killed earlier run left there goes now
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True, exist_ok=True)
            self._scratch = str(scratch)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._workers:
            if worker.task is not None:
                worker.kill()
                worker.conn.close()
            else:
                worker.stop()
        self._workers.clear()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _new_worker(self) -> _Worker:
        return _Worker(self._ctx, self._scratch, self.limits, self.ocr_cache, self.timeout, self.catalog)

    def _replace(self, worker: _Worker) -> None:
        """A fresh worker for a killed or dead one; the tasks waiting behind its first go to the others."""
        self._orphans.extend(list(worker.tasks)[1:])
        worker.tasks.clear()
        self._workers.remove(worker)
        self._workers.append(self._new_worker())

    def run(self, tasks: Iterator[Task], idle: Callable[[], None] | None = None) -> Iterator[Outcome]:
        """Feed tasks to idle workers (pulling lazily from ``tasks``) and yield outcomes as they arrive.

        Every worker has up to ``PREFETCH`` tasks in its pipe, so it starts the next file the moment it
        sends a result, and idle workers get their next tasks before the finished outcomes are yielded:
        they parse while the caller writes the results. A task waiting behind one that timed out or
        killed its worker goes to another worker. ``idle`` is called whenever no result came for a while
        (a second at most): the caller's moment to commit what it has written.
        """
        source = iter(tasks)
        self._exhausted = False
        self._orphans.clear()
        self._dispatch(source)
        while True:
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                return
            wait_for = 1.0 if self.max_memory_mb is None else _MEMORY_POLL
            if self.timeout is not None:
                now = time.monotonic()
                wait_for = max(0.0, min(min(w.started + self.timeout - now for w in busy), wait_for))
            ready = wait([w.conn for w in busy], timeout=wait_for)
            if not ready and idle is not None:
                idle()
            outcomes: list[Outcome] = []
            for worker in busy:
                if worker.conn in ready:
                    outcome = self._collect(worker)
                    if outcome is not None:
                        outcomes.append(outcome)
                elif self.timeout is not None and time.monotonic() - worker.started > self.timeout:
                    reason = f"parsing took longer than {self.timeout:g} s; it was stopped (try a larger --timeout)"
                    outcomes.append(self._expire(worker, "timeout", reason))
                elif self.max_memory_mb is not None and worker.over_memory(self.max_memory_mb):
                    reason = (
                        f"parsing needed more than {self.max_memory_mb:g} MB of memory; it was stopped "
                        "(try a larger --max-memory)"
                    )
                    outcomes.append(self._expire(worker, "too-large", reason))
            self._dispatch(source)
            yield from outcomes

    def _next_task(self, source: Iterator[Task]) -> Task | None:
        if self._orphans:
            return self._orphans.popleft()
        if self._exhausted:
            return None
        task = next(source, None)
        if task is None:
            self._exhausted = True
        return task

    def _dispatch(self, source: Iterator[Task]) -> None:
        """Fill every worker's pipe up to ``PREFETCH`` tasks (starting new workers up to ``jobs``), idle
        workers first; a worker near ``max_tasks`` gets no more than it will parse."""
        while len(self._workers) < self.jobs and (self._orphans or not self._exhausted):
            task = self._next_task(source)
            if task is None:
                return
            worker = self._new_worker()
            self._workers.append(worker)
            worker.send(task)
        for depth in range(1, PREFETCH + 1):
            for worker in self._workers:
                if len(worker.tasks) < depth and worker.sent < self.max_tasks:
                    task = self._next_task(source)
                    if task is None:
                        return
                    worker.send(task)

    def _collect(self, worker: _Worker) -> Outcome | None:
        """The worker's outcome, or None after an OCR page report (its deadline starts again)."""
        task = worker.task
        assert task is not None
        try:
            outcome: Outcome | OcrPageDone = worker.conn.recv()
            if isinstance(outcome, OcrPageDone):
                self.ocr_pages += 1
                worker.started = time.monotonic()
                return None
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            code = worker.process.exitcode
            self._replace(worker)
            reason = f"the parser process died (exit code {code})"
            if code == -signal.SIGKILL:
                reason += "; the system may have run out of memory"
            return Outcome(task, None, "parser-error", reason, time.monotonic() - worker.started)
        worker.answered()
        if worker.done >= self.max_tasks and not worker.tasks:
            worker.stop()
            self._workers.remove(worker)
        return outcome

    def _expire(self, worker: _Worker, code: str, reason: str) -> Outcome:
        task = worker.task
        assert task is not None
        seconds = time.monotonic() - worker.started
        worker.kill()
        worker.conn.close()
        self._replace(worker)
        return Outcome(task, None, code, reason, seconds)
