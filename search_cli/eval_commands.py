"""Commands of `arkiv` (module eval_commands)."""

from __future__ import annotations

from search_cli.app import cli  # noqa: F401
