"""The click group, exit codes and the shared output options of ``arkiv``.

Command modules register themselves on ``cli`` (see ``search_cli.cli``).
stdout carries data only; progress, warnings and errors go to stderr.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import click


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    PARTIAL = 3  # some files failed; the count is on stderr
    INTERRUPTED = 130


class ArkivError(click.ClickException):
    """An error shown to the user as one line, with a given exit code."""

    def __init__(self, message: str, exit_code: int = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


class UsageProblem(ArkivError):
    def __init__(self, message: str) -> None:
        super().__init__(message, ExitCode.USAGE)


# Commands that read documents: a bad ARKIV_PDF_CHARS fails them once, before any file is read.
DOCUMENT_COMMANDS = frozenset({"parse", "ingest", "eval", "eval-search"})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="moedearkiv", prog_name="arkiv")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """moedearkiv: parse and search archives of Danish municipal agendas and minutes.

    Example:

        arkiv ingest corpus/sample && arkiv search "sygefravær" --body Direktionen
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if ctx.invoked_subcommand in DOCUMENT_COMMANDS and not ctx.resilient_parsing:
        from parsers.pdf_chars import CharSourceSettingError, configured_source

        try:
            configured_source()
        except CharSourceSettingError as e:
            raise ArkivError(str(e)) from e


@dataclass(frozen=True)
class OutputOptions:
    json: bool
    csv: bool

    def emit_rows(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, payload: Any = None) -> None:
        """Print rows as a table (default), CSV, or JSON (``payload`` if given, else the rows)."""
        if self.json:
            click.echo(json.dumps(rows if payload is None else payload, ensure_ascii=False, indent=2, default=str))
        elif self.csv:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: _cell(row.get(c)) for c in columns})
            click.echo(buf.getvalue(), nl=False)
        else:
            click.echo(format_table(rows, columns))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)


def format_table(rows: Iterable[dict[str, Any]], columns: Sequence[str], max_width: int = 60) -> str:
    rows = list(rows)
    cells = [[_cell(r.get(c))[:max_width] for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --json/--csv and pass one ``output: OutputOptions`` to the command."""
    fn = click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, as_json: bool, as_csv: bool, **kwargs: Any) -> Any:
        if as_json and as_csv:
            raise UsageProblem("choose one of --json and --csv")
        return fn(*args, output=OutputOptions(json=as_json, csv=as_csv), **kwargs)

    return wrapper


def show_progress(quiet: bool) -> bool:
    """Progress bars only on a terminal and without --quiet."""
    return not quiet and sys.stderr.isatty()
