"""Entry point of ``arkiv``: the group from ``search_cli.app`` with every command module registered."""

from __future__ import annotations

import sys

# Each module registers its commands on the group.
from search_cli import (  # noqa: F401
    aktindsigt_commands,
    eval_commands,
    ingest_commands,
    parse_commands,
    search_commands,
)
from search_cli.app import ExitCode, cli

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli.main(prog_name="arkiv", standalone_mode=True)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(ExitCode.INTERRUPTED)
