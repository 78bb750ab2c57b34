"""Parse (and analyse for the index) on a Dask distributed cluster: ``arkiv ingest PATH --cluster ADDRESS``.

``ClusterPool`` has the interface of ``ingest.workers.WorkerPool``: it takes the
import's tasks lazily and yields one ``Outcome`` per task as results arrive, so
``ingest.batch`` stays the catalog's only writer (one transaction per content, in
the submitting process) and kill-safety and incremental re-runs are those of a
local import: a re-run after the submitting process was killed parses only what
was not committed.

Each task runs ``remote_parse`` on a Dask worker. The worker reads the file from
the path the import names (the cluster shares the file system), or, with
``ship_files``, from bytes the submitting process read and sent with the task.

Per-file ``--timeout`` and ``--max-memory`` hold on the cluster as on one machine.
Dask has no per-task timeout, and a thread cannot stop another thread that is
inside C code (pdfium, lxml): a file whose parse hangs would hold its worker
thread for ever, and the import would never finish. So the Dask task does not
parse in its own thread: each worker thread keeps a one-process
``ingest.workers.WorkerPool`` (the local import's pool) and hands it the file.
That pool kills its process at the file's deadline or when the process's resident
memory passes the limit, and the task returns the local outcome: code ``timeout``
or ``too-large`` with the same one-line reason as on one machine; an OCR page read
starts the deadline again, as locally. The task returns normally, so Dask does not
run it again: one stopped file costs one timeout, not one per retry. The next file
gets a fresh process, and the import goes on.

Why a kept child process, forked from the worker: measured on the 64 documents of
``corpus/sample`` with two workers (``benchmarks/bench_cluster_limits.py``, the three
ways in turns in the same run; CPU time of the workers and their parse processes), a
process kept for ``MAX_TASKS`` files cost 1.03x the CPU of parsing in the task's thread
(the task and its outcome cross one more pipe) and was as fast in wall time; a process
forked for every file cost 1.95x the CPU (about 23 ms more per file: the fork of the
worker process and its page faults) and 1.8x the wall time. A spawned process (a fresh
interpreter) would pay about a second of interpreter start and parser imports out of
its first file's deadline, after every kill; a fork of the worker, which has the parsers
loaded (``WorkerPool`` loads them before it forks), starts at once. The fork is taken
from a worker thread while the worker's event loop runs in another; the child only
parses (it never touches the worker's connections or locks) and is kept, so forks are
rare. A watchdog that ends the whole Dask worker was not chosen: a worker restart costs
seconds, the scheduler then runs the task again elsewhere (``allowed-failures`` times
over), and the client could not tell a timeout from a crash.

The parse process dies with its worker thread (``PR_SET_PDEATHSIG``), so a killed
worker leaves no parse running; its scratch folder goes with the next pool on that
machine (``remove_stale_scratch``). A worker that dies is handled by Dask: the
scheduler runs its task again elsewhere, and a task that kills workers
``distributed.scheduler.allowed-failures`` times over is quarantined as a parser
error, as a file whose parser process died on one machine. Dask's ``--memory-limit``
still bounds the worker process itself.

At most ``window`` tasks are in flight (default: four per worker thread), so the
submitting process holds a bounded number of results and file bytes.

Deployment: every machine has the project installed (same version), and
    dask scheduler --port 8786                      # one machine
    dask worker tcp://scheduler:8786 --nthreads 1 --nworkers auto   # every worker machine
    arkiv ingest /srv/moeder --cluster tcp://scheduler:8786       # or ARKIV_CLUSTER=tcp://...
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ingest.sources import SourceEntry, SourceReader, ZipLimits
from ingest.workers import Outcome, Task, WorkerPool

__all__ = ["CLUSTER_ENV", "MAX_TASKS", "ClusterError", "ClusterPool", "remote_parse"]

CLUSTER_ENV = "ARKIV_CLUSTER"
IDLE_SECONDS = 1.0  # with no result for this long, ``run`` calls its ``idle`` (the writer commits)
_READY_POLL = 0.005  # seconds between looks for a result while waiting to call ``idle``
MAX_TASKS = 200  # files a worker thread's parse process handles before a fresh one is forked


class ClusterError(Exception):
    """The cluster cannot be reached or used (names the address and the reason)."""


@dataclass(frozen=True)
class _Shipped:
    """A file's bytes sent with its task (``--ship-files``)."""

    data: bytes
    suffix: str  # ".pdf": the parsers choose by suffix


@dataclass(frozen=True)
class _Bounds:
    """What a Dask worker thread's parse process is started with; another import's bounds start another."""

    timeout: float | None
    max_memory_mb: float | None
    limits: ZipLimits | None
    max_tasks: int


class _ThreadPool(threading.local):
    bounds: _Bounds | None = None
    pool: WorkerPool | None = None


_THREAD = _ThreadPool()
_OPEN: set[WorkerPool] = set()  # closed when the worker process ends (their scratch folders go with them)


def _close_open_pools() -> None:
    for pool in list(_OPEN):
        pool.close()
    _OPEN.clear()


atexit.register(_close_open_pools)


class _Forking(threading.local):
    active = False  # this thread is handing a file to its parse pool, which may fork


_FORKING = _Forking()


def _plain_signals_in_child() -> None:
    """In a parse process just forked from a Dask worker: the worker's Python signal handlers (a
    ``dask worker --no-nanny`` closes on SIGTERM through its event loop) and the loop's wakeup pipe are
    the worker's, not the parse's; SIGTERM ends the parse process, as it ends a local one."""
    if not _FORKING.active:
        return
    signal.set_wakeup_fd(-1)
    for signum in signal.valid_signals():
        try:
            if callable(signal.getsignal(signum)):
                signal.signal(signum, signal.SIG_DFL)
        except (OSError, ValueError):  # signals Python may not handle
            continue


os.register_at_fork(after_in_child=_plain_signals_in_child)


def _parse_pool(bounds: _Bounds) -> WorkerPool:
    """This worker thread's parse process pool (one process, kept across tasks), started on first use."""
    if _THREAD.pool is not None and _THREAD.bounds == bounds:
        return _THREAD.pool
    if _THREAD.pool is not None:
        _THREAD.pool.close()
        _OPEN.discard(_THREAD.pool)
    # A Dask worker process is daemonic (``distributed.worker.daemon``), and multiprocessing refuses children
    # of a daemonic process. The flag only means "terminate me when my parent exits", which the nanny does
    # anyway; our parse process dies with this worker (``die_with_parent``).
    multiprocessing.current_process().daemon = False
    pool = WorkerPool(
        1,
        timeout=bounds.timeout,
        max_memory_mb=bounds.max_memory_mb,
        max_tasks=bounds.max_tasks,
        limits=bounds.limits,
        catalog=True,
    )
    _OPEN.add(pool)
    _THREAD.pool, _THREAD.bounds = pool, bounds
    return pool


def remote_parse(
    task: Task,
    shipped: _Shipped | None,
    limits: ZipLimits | None,
    timeout: float | None,
    max_memory_mb: float | None = None,
    max_tasks: int = MAX_TASKS,
) -> Outcome:
    """On a Dask worker: parse one task from the shared path, or from the shipped bytes, in this worker
    thread's parse process, which is killed (and the file quarantined as on one machine) past ``timeout``
    seconds or ``max_memory_mb`` MB; a fresh process is forked after ``max_tasks`` files."""
    pool = _parse_pool(_Bounds(timeout, max_memory_mb, limits, max_tasks))
    with tempfile.TemporaryDirectory(prefix="arkiv-cluster-") as tmp:
        local_task = task
        if shipped is not None:
            local = Path(tmp) / f"file{shipped.suffix}"
            local.write_bytes(shipped.data)
            entry = replace(task.entry, container=None, member=None, crc32=None, disk=str(local))
            local_task = Task(task.sha256, entry)
        _FORKING.active = True
        try:
            outcomes = list(pool.run(iter([local_task])))
        finally:
            _FORKING.active = False
    if len(outcomes) != 1:  # pragma: no cover - the pool yields one outcome per task
        raise RuntimeError(f"{task.entry.path}: the parse process gave {len(outcomes)} outcomes for one file")
    return replace(outcomes[0], task=task)


def _suffix(entry: SourceEntry) -> str:
    name = entry.member if entry.member is not None else entry.path
    suffix = os.path.splitext(name)[1]
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""


class ClusterPool:
    """Run tasks on the Dask cluster at ``address``; yield one ``Outcome`` per task, in completion order."""

    def __init__(
        self,
        address: str,
        *,
        ship_files: bool = False,
        timeout: float | None = None,
        max_memory_mb: float | None = None,
        limits: ZipLimits | None = None,
        window: int | None = None,
        retries: int = 2,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as e:  # pragma: no cover - a dependency of the project
            raise ClusterError(f"{address}: dask.distributed is not installed ({e})") from e
        self.address = address
        self.ship_files = ship_files
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self.limits = limits
        self.retries = retries
        self.ocr_pages = 0  # the local pool's counter; pages read on the cluster are not reported back
        try:
            # waits up to dask's distributed.comm.timeouts.connect (env DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
            self._client = Client(address, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise ClusterError(f"{address}: cannot reach the Dask scheduler ({e})") from e
        threads = sum(self._client.nthreads().values()) or 1
        self.window = window or 4 * threads
        self._reader = SourceReader(limits=limits)

    def __enter__(self) -> ClusterPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._reader.close()
        self._client.close()

    def _ship(self, entry: SourceEntry) -> _Shipped | None:
        if not self.ship_files:
            return None
        if entry.container is None:
            return _Shipped(Path(entry.disk_path).read_bytes(), _suffix(entry))
        with tempfile.TemporaryDirectory(prefix="arkiv-ship-") as tmp:
            return _Shipped(self._reader.local_file(entry, Path(tmp)).read_bytes(), _suffix(entry))

    def _submit(self, task: Task) -> Any:
        try:
            shipped = self._ship(task.entry)
        except OSError as e:
            return Outcome(task, None, "unreadable", f"cannot read the file ({e.strerror or e})", 0.0)
        return self._client.submit(
            remote_parse,
            task,
            shipped,
            self.limits,
            self.timeout,
            self.max_memory_mb,
            key=f"arkiv-parse-{task.sha256}-{time.monotonic_ns()}",
            pure=False,
            retries=self.retries,
        )

    def run(self, tasks: Iterator[Task], idle: Callable[[], None] | None = None) -> Iterator[Outcome]:
        """Submit tasks (pulling lazily from ``tasks``, at most ``window`` in flight) and yield outcomes;
        ``idle`` is called whenever no result came for ``IDLE_SECONDS`` (the caller's moment to commit)."""
        from distributed import as_completed

        source = iter(tasks)
        pending: dict[Any, Task] = {}
        ready: list[Outcome] = []
        queue = as_completed(loop=self._client.loop)

        def fill() -> None:
            while len(pending) < self.window:
                task = next(source, None)
                if task is None:
                    return
                submitted = self._submit(task)
                if isinstance(submitted, Outcome):
                    ready.append(submitted)
                    continue
                pending[submitted] = task
                queue.add(submitted)

        fill()
        while ready or pending:
            yield from ready
            ready.clear()
            if not pending:
                fill()
                continue
            if idle is not None and not queue.has_ready():
                deadline = time.monotonic() + IDLE_SECONDS
                while not queue.has_ready() and time.monotonic() < deadline:
                    time.sleep(_READY_POLL)
                if not queue.has_ready():
                    idle()
            future = next(queue)
            task = pending.pop(future)
            yield self._outcome(future, task)
            fill()

    def _outcome(self, future: Any, task: Task) -> Outcome:
        started = time.monotonic()
        try:
            outcome = future.result()
        except Exception as e:  # the task failed on every try, or killed its workers
            reason = " ".join(f"{type(e).__name__}: {e}".split())[:500]
            return Outcome(task, None, "parser-error", f"the cluster could not parse it ({reason})", 0.0)
        finally:
            future.release()
        if not isinstance(outcome, Outcome):
            return Outcome(task, None, "parser-error", "the cluster returned no result", time.monotonic() - started)
        return outcome
