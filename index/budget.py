"""A time budget for the index work of one document.

Indexing runs in the importing process after the parse (``index.build``). A document
whose analysis takes longer than the budget (``arkiv ingest --timeout``, the same
bound as its parse) is left out of the index and reported like any document the
engine rejects, so one pathological item can neither stall an import nor cost the
index.

The budget is a real-time interval timer (``SIGALRM``): the analysis is pure Python,
so the timer interrupts it between bytecodes. It only works in the main thread of a
POSIX process; elsewhere the work is unbounded, as before.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["AnalysisTimeout", "time_budget"]


class AnalysisTimeout(Exception):
    """The work of one document ran past its time budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"analysis took longer than {seconds:g} s")
        self.seconds = seconds


def _can_time() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ``AnalysisTimeout`` inside the block when it runs longer than ``seconds``.

    ``None`` (or a thread that cannot take signals): no bound. Budgets do not nest: an
    inner budget replaces the outer one until it ends, then the outer one is not resumed.
    """
    if seconds is None or seconds <= 0 or not _can_time():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise AnalysisTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
