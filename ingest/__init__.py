"""Batch import of archives into the catalog (an SQLite database).

    >>> from ingest import archive_dir
    >>> from ingest.catalog import Catalog
    >>> catalog = Catalog.open(archive_dir(None))

``ingest.catalog`` owns the database (schema, migrations, read/write API),
``ingest.sources`` turns folders and zip files into source entries,
``ingest.batch`` runs the parallel, resumable import and ``ingest.export``
writes the stored records back out as JSON lines or Parquet.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEFAULT_ARCHIVE_DIR", "archive_dir"]

DEFAULT_ARCHIVE_DIR = "arkiv-data"


def archive_dir(option: str | None) -> Path:
    """The archive directory: the option if given, else ``$ARKIV_HOME``, else ``./arkiv-data``."""
    if option:
        return Path(option)
    env = os.environ.get("ARKIV_HOME")
    if env:
        return Path(env)
    return Path(DEFAULT_ARCHIVE_DIR)
