"""The ``--archive``, ``--wait`` and per-file limit options, opening an archive's catalog and taking its write lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ingest.archive_lock import ArchiveBusy, archive_lock
from ingest.catalog import CATALOG_FILE, Catalog, CatalogError, has_index
from search_cli.app import ArkivError

ARCHIVE_HELP = "Archive directory holding the catalog and index (default: $ARKIV_HOME, else ./arkiv-data)."
WAIT_HELP = "When another command is writing into the archive, wait up to this many seconds for it (default: 0)."


def archive_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--archive", "archive", type=click.Path(file_okay=False), default=None, help=ARCHIVE_HELP)(fn)


def wait_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--wait", "wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS", help=WAIT_HELP)(
        fn
    )


def limit_option(flag: str, default: float, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A positive bound on the work of one file (``--timeout``, ``--max-memory``, ...), default shown."""
    return click.option(
        flag, type=click.FloatRange(min=0, min_open=True), default=default, show_default=True, help=help
    )


def open_existing_catalog(archive: Path, *, verify: bool = False) -> Catalog:
    """The archive's catalog, or a one-line error naming the file, the reason and the fix.

    ``verify``: also ``PRAGMA quick_check`` (writers, before they change anything).
    """
    if not (archive / CATALOG_FILE).exists() and not has_index(archive):
        raise ArkivError(f"{archive}: no catalog here; run `arkiv ingest PATH --archive {archive}` first")
    try:
        return Catalog.open(archive, verify=verify)
    except CatalogError as e:
        raise ArkivError(str(e)) from e


@contextmanager
def writer_lock(archive: Path, command: str, wait: float = 0.0) -> Iterator[None]:
    """Hold the archive's write lock for the whole command; a busy archive is a one-line error (exit 1)."""
    try:
        with archive_lock(archive, command, wait=wait):
            yield
    except ArchiveBusy as e:
        raise ArkivError(str(e)) from None
