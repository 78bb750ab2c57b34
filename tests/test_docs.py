"""Every command documents itself, with an example, and the README names real commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from search_cli.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.commands)


def test_there_are_commands():
    assert {"parse", "eval", "ingest", "status", "index", "search", "case", "show", "aktindsigt"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    command = cli.commands[name]
    assert command.help and "Example:" in command.help, f"arkiv {name} needs help text with an Example: block"


def test_readme_starts_with_the_two_fresh_machine_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:1500]
    assert "make demo" in head and "make test" in head


def test_readme_mentions_only_existing_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\barkiv ([a-z][a-z-]+)", readme))
    unknown = {u for u in used if u not in cli.commands}
    assert not unknown, f"README mentions unknown commands: {unknown}"


def test_group_is_a_click_group():
    assert isinstance(cli, click.Group)
