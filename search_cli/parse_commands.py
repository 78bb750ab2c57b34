"""``arkiv parse``: one file to one record.

The file is parsed in a child process with the same bounds as ``arkiv ingest``:
a deadline (``--timeout``) and a memory limit (``--max-memory``); a file that
passes either is stopped with a one-line error. Files that are not regular
files (FIFOs, sockets, devices, folders) are refused without opening them.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ingest.batch import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT
from ingest.sources import SourceEntry, not_regular
from ingest.workers import Task, WorkerPool
from parsers import sha256_of
from parsers.paths import display_path
from parsers.records import DocumentRecord
from parsers.serialize import record_to_json
from search_cli.app import ArkivError, cli
from search_cli.archive_options import limit_option


def _parse_bounded(file: Path, timeout: float, max_memory_mb: float) -> DocumentRecord:
    """Parse ``file`` in one worker process; ``ArkivError`` (one line, exit 1) for anything that stops it."""
    name = str(file)
    shown = display_path(name)
    try:
        st = os.stat(name)
    except OSError as e:
        raise ArkivError(f"{shown}: cannot read the file ({e.strerror or e})") from e
    what = not_regular(st.st_mode)
    if what is not None:
        raise ArkivError(f"{shown}: not a regular file ({what}); only regular files are parsed")
    try:
        sha = sha256_of(file)
    except OSError as e:
        raise ArkivError(f"{shown}: cannot read the file ({e.strerror or e})") from e
    entry = SourceEntry(shown, st.st_size, st.st_mtime, disk=None if shown == name else name)
    with WorkerPool(1, timeout=timeout, max_memory_mb=max_memory_mb, max_tasks=1) as pool:
        [outcome] = list(pool.run(iter([Task(sha, entry)])))
    if outcome.record is None:
        raise ArkivError(f"{shown}: {outcome.error or 'not parsed'}")
    return outcome.record


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full record as JSON (the stable contract).")
@limit_option(
    "--timeout",
    DEFAULT_TIMEOUT,
    "Seconds the file may take; parsing is stopped after that (exit code 1).",
)
@limit_option(
    "--max-memory",
    DEFAULT_MAX_MEMORY_MB,
    "Megabytes of memory the parser may use; parsing is stopped above that (exit code 1).",
)
def parse(file: Path, as_json: bool, timeout: float, max_memory: float) -> None:
    """Parse one agenda or minutes file (PDF, DOCX or HTML) into a normalized record.

    Example:

        arkiv parse corpus/sample/aarhus-byraadet-2021-03-10-dagsorden.pdf --json
    """
    if not os.path.lexists(file):
        raise ArkivError(f"{display_path(str(file))}: no such file")
    record = _parse_bounded(file, timeout, max_memory)
    if as_json:
        click.echo(record_to_json(record))
        return
    click.echo(f"{record.source.path}  [{record.source.format}, {record.source.page_count} pages, kind={record.kind}]")
    for meeting in record.meetings:
        when = " ".join(x for x in (meeting.date, meeting.start_time) if x)
        click.echo(f"{meeting.body or '?'} – {meeting.document_type} {when}".rstrip())
        for item in meeting.items:
            flags = " [lukket]" if item.closed else ""
            cases = ", ".join(c.raw for c in item.case_numbers)
            click.echo(f"  {item.number:>3}. {item.title}{flags}" + (f"  ({cases})" if cases else ""))
            if item.decision:
                click.echo(f"       Beslutning: {item.decision.text[:100]}")
    for problem in record.problems:
        click.echo(f"warning: {problem.code} {problem.message}", err=True)
