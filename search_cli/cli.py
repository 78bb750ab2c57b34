"""Entry point of ``arkiv``: the group from ``search_cli.app`` with every command module registered."""

from __future__ import annotations

import sqlite3
import sys

from ingest.archive_lock import ArchiveBusy
from ingest.catalog import CatalogError, damaged_message, last_opened_catalog

# Each module registers its commands on the group.
from search_cli import (  # noqa: F401
    aktindsigt_commands,
    doctor_commands,
    eval_commands,
    ingest_commands,
    parse_commands,
    search_commands,
    serve_commands,
)
from search_cli.app import ExitCode, cli

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli.main(prog_name="arkiv", standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(ExitCode.INTERRUPTED)
    except (CatalogError, ArchiveBusy) as e:
        sys.stderr.write(f"Error: {e}\n")
        sys.exit(ExitCode.ERROR)
    except sqlite3.DatabaseError as e:
        sys.stderr.write(f"Error: {_catalog_failure(e)}\n")
        sys.exit(ExitCode.ERROR)


def _catalog_failure(error: sqlite3.DatabaseError) -> str:
    """One line for an SQLite error that reached the top: the catalog file, the reason, the fix."""
    db = last_opened_catalog()
    if db is None:
        return f"SQLite error ({error})"
    return damaged_message(db, str(error))
