"""``arkiv parse``: one file to one record."""

from __future__ import annotations

from pathlib import Path

import click

from parsers import ParseError, parse_file
from parsers.serialize import record_to_json
from search_cli.app import ArkivError, cli


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the full record as JSON (the stable contract).")
def parse(file: Path, as_json: bool) -> None:
    """Parse one agenda or minutes file (PDF, DOCX or HTML) into a normalized record.

    Example:

        arkiv parse corpus/sample/aarhus-byraadet-2021-03-10-dagsorden.pdf --json
    """
    if not file.exists():
        raise ArkivError(f"{file}: no such file")
    try:
        record = parse_file(file)
    except ParseError as e:
        raise ArkivError(str(e)) from e
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
