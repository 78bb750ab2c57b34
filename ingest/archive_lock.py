"""One lock per archive for every command that writes into it.

``ingest``, ``index`` and ``doctor --repair`` hold ``<archive>/archive.lock``
while they write; a second writer gets ``ArchiveBusy`` naming the holder (the
command, its pid and since when), or waits for it with ``wait`` seconds.
Readers (search, status, show, case, export, aktindsigt, stats) never take it.

It is a POSIX record lock (``fcntl.lockf``): the kernel releases it when the
holding process ends, even by SIGKILL, so a stale lock file never blocks the
next run, and forked parser workers do not inherit it (a ``flock`` would be,
and would outlive a killed parent until its workers exit). Record locks belong
to the process, not to a file handle, so this module keeps one handle per lock
file and counts nested holders: ``ingest`` holding the lock may call the
index update, which takes it again.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

__all__ = ["LOCK_FILE", "ArchiveBusy", "LockHolder", "archive_lock", "lock_holder"]

LOCK_FILE = "archive.lock"
_POLL_SECONDS = 0.2


class ArchiveBusy(Exception):
    """Another process holds the archive lock (or the lock file cannot be used); one line for the user."""


@dataclass(frozen=True)
class LockHolder:
    """What the lock file says about the process that holds (or last held) the lock."""

    command: str
    pid: int
    since: str

    def line(self) -> str:
        return f"{self.command} (pid {self.pid}) since {self.since}"

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        """The holder from the lock file's one line ``pid<TAB>since<TAB>command``; None when empty or foreign."""
        parts = text.strip().split("\t", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            return None
        return cls(command=parts[2], pid=int(parts[0]), since=parts[1])


@dataclass
class _Held:
    handle: TextIO
    depth: int


_held: dict[Path, _Held] = {}


def _lock_path(archive: Path) -> Path:
    return Path(os.path.abspath(archive)) / LOCK_FILE


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _read_holder(handle: TextIO) -> LockHolder | None:
    handle.seek(0)
    return LockHolder.parse(handle.read())


def _busy_message(archive: Path, holder: LockHolder | None, waited: float) -> str:
    who = (
        f"{holder.command} (pid {holder.pid}) has held it since {holder.since}"
        if holder
        else "another process holds it"
    )
    after = f" (waited {waited:g} s)" if waited > 0 else ""
    return f"archive {archive} is busy: {who}{after}; try again when it has finished, or pass --wait SECONDS"


def _acquire(handle: TextIO, archive: Path, wait: float) -> None:
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise ArchiveBusy(_busy_message(archive, _read_holder(handle), wait)) from None
            time.sleep(_POLL_SECONDS)


@contextmanager
def archive_lock(archive: Path, command: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the archive's write lock for ``command`` (e.g. "arkiv ingest"); waits up to ``wait`` seconds."""
    path = _lock_path(archive)
    held = _held.get(path)
    if held is not None:
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")
    except OSError as e:
        raise ArchiveBusy(f"{path}: cannot open the archive lock file ({e.strerror or e})") from e
    try:
        _acquire(handle, Path(archive), wait)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\t{_now()}\t{command}\n")
        handle.flush()
        _held[path] = _Held(handle, 1)
        try:
            yield
        finally:
            del _held[path]
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.lockf(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def lock_holder(archive: Path) -> tuple[LockHolder | None, bool]:
    """(what the lock file names, whether a live process holds the lock now). Does not take the lock."""
    path = _lock_path(archive)
    if path in _held:
        return _read_holder(_held[path].handle), True
    try:
        handle = open(path, encoding="utf-8")
    except FileNotFoundError:
        return None, False
    except OSError as e:
        raise ArchiveBusy(f"{path}: cannot read the archive lock file ({e.strerror or e})") from e
    with handle:
        holder = _read_holder(handle)
        try:
            # A shared test lock on a read-only handle; released at once.
            fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return holder, True
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return holder, False
