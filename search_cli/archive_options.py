"""The ``--archive`` option and opening an archive's catalog, shared by the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ingest.catalog import CATALOG_FILE, Catalog, CatalogError
from search_cli.app import ArkivError

ARCHIVE_HELP = "Archive directory holding the catalog and index (default: $ARKIV_HOME, else ./arkiv-data)."


def archive_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--archive", "archive", type=click.Path(file_okay=False), default=None, help=ARCHIVE_HELP)(fn)


def open_existing_catalog(archive: Path) -> Catalog:
    """The archive's catalog, or a one-line error telling how to create it."""
    if not (archive / CATALOG_FILE).exists():
        raise ArkivError(f"{archive}: no catalog here; run `arkiv ingest PATH --archive {archive}` first")
    try:
        return Catalog.open(archive)
    except CatalogError as e:
        raise ArkivError(str(e)) from e
