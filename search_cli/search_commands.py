"""``arkiv index``, ``search``, ``case``, ``show``, ``export`` and ``stats``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive_api.archive import Archive, ArchiveError, NotFound
from archive_api.rows import HIT_COLUMNS, case_rows, export_frame, show_data, source_label, stats_table
from index.build import (
    DEFAULT_ENGINE,
    TANTIVY_SUGGESTED_AT,
    build_index,
    existing_engines,
    update_index,
)
from index.documents import FACETS, IndexDoc
from index.engine import ENGINES, EngineError
from index.linked import bilag_lines, printed_lines
from index.query import MAX_RESULT_WINDOW, OUTCOMES, Filters, QueryError
from ingest import archive_dir
from ingest.batch import default_jobs
from ingest.catalog import CatalogError
from search_cli.app import ArkivError, OutputOptions, UsageProblem, cli, output_options, show_progress
from search_cli.archive_options import archive_option, open_existing_catalog, wait_option, writer_lock

MAX_PAGE_LIMIT = 1000  # hits on one page of `arkiv search`


def _engine_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default=None,
        help="Search engine (default: the index that exists, whoosh first).",
    )(fn)


def _filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--body", default=None, help="Deciding body, or the start of its name (Økonomiudvalget, Børne)."),
        click.option("--from", "date_from", default=None, help="Meetings on or after this date (YYYY-MM-DD)."),
        click.option("--to", "date_to", default=None, help="Meetings on or before this date (YYYY-MM-DD)."),
        click.option("--year", type=int, default=None, help="Meetings in this year."),
        click.option("--type", "doc_type", type=click.Choice(["dagsorden", "referat", "other"]), default=None),
        click.option("--case", "case", default=None, help="Items with this case number (22/23184, 20/057417-5)."),
        click.option("--open/--closed", "is_open", default=None, help="Only open (public) or only closed items."),
        click.option(
            "--outcome",
            default=None,
            metavar="LABEL",
            help=f"Items whose decision has this outcome: {', '.join(OUTCOMES)}.",
        ),
        click.option(
            "--law",
            default=None,
            metavar="NAME",
            help="Items citing this law (styrelsesloven, serviceloven, offentlighedsloven).",
        ),
        click.option(
            "--min-amount",
            type=float,
            default=None,
            metavar="KR",
            help="Items whose largest amount is at least this many kroner (1000000 for 1 mio. kr.).",
        ),
        click.option(
            "--max-amount",
            type=float,
            default=None,
            metavar="KR",
            help="Items whose largest amount is at most this many kroner.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _filters(kwargs: dict[str, Any]) -> Filters:
    """The filter options as ``Filters``; a bad value is a usage problem (exit 2, one line)."""
    is_open = kwargs.pop("is_open")
    try:
        return _make_filters(kwargs, is_open)
    except QueryError as e:
        raise UsageProblem(str(e)) from e


def _make_filters(kwargs: dict[str, Any], is_open: bool | None) -> Filters:
    return Filters(
        body=kwargs.pop("body"),
        date_from=kwargs.pop("date_from"),
        date_to=kwargs.pop("date_to"),
        year=kwargs.pop("year"),
        document_type=kwargs.pop("doc_type"),
        case=kwargs.pop("case"),
        closed=None if is_open is None else not is_open,
        outcome=kwargs.pop("outcome"),
        law=kwargs.pop("law"),
        min_amount=kwargs.pop("min_amount"),
        max_amount=kwargs.pop("max_amount"),
    )


def _archive(archive: str | None, engine: str | None) -> Archive:
    return Archive(archive_dir(archive), engine)


# ---------------------------------------------------------------------------
# arkiv index
# ---------------------------------------------------------------------------


@cli.command("index")
@archive_option
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="Engine (default: existing ones, or whoosh).")
@click.option(
    "--rebuild", is_flag=True, help="Build the index again from the catalog, beside the old one, and swap it in."
)
@wait_option
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def index_command(archive: str | None, engine: str | None, rebuild: bool, wait: float, quiet: bool) -> None:
    """Build or update the search index of the archive from its catalog.

    Incremental: only what changed in the catalog since the last run is
    indexed; a full build is written by one process per usable core. The
    index lives in ARCHIVE/index/ENGINE/ and can be deleted and rebuilt at
    any time. A rebuild checks the catalog first and replaces the
    old index only when the new one is complete; searches keep working
    meanwhile. Holds the archive lock (one writer at a time).

    Example:

        arkiv index --archive arkiv-data --engine tantivy
    """
    target = archive_dir(archive)
    open_existing_catalog(target, verify=True).close()  # the one check (``PRAGMA quick_check``) of this command
    bar = _Counter(quiet)
    try:
        with writer_lock(target, "arkiv index" + (" --rebuild" if rebuild else ""), wait):
            if rebuild:
                engines = [engine] if engine else (existing_engines(target) or [DEFAULT_ENGINE])
                reports = [
                    build_index(target, name, progress=bar, jobs=default_jobs(), catalog_checked=True)
                    for name in engines
                ]
            else:
                reports = update_index(target, engine, progress=bar, jobs=default_jobs(), catalog_checked=True)
    except (EngineError, CatalogError) as e:
        raise ArkivError(str(e)) from e
    finally:
        bar.end()
    if quiet:
        return
    for r in reports:
        how = "built" if r.full else "updated"
        click.echo(
            f"{r.directory}: {how} in {r.seconds:.1f} s: {r.added} documents written, "
            f"{r.deleted_contents} removed files dropped, {r.total} documents (catalog generation {r.generation})",
            err=True,
        )
        if r.engine == "whoosh" and r.total > TANTIVY_SUGGESTED_AT:
            click.echo(
                f"{r.total} items: searches will be faster with tantivy; "
                f"run `arkiv index --engine tantivy --archive {target}`",
                err=True,
            )


class _Counter:
    """A one-line counter on stderr (terminal only, not with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = show_progress(quiet)
        self.done = 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.enabled and self.done % 200 == 0:
            sys.stderr.write(f"\rindexed {self.done} documents")
            sys.stderr.flush()

    def end(self) -> None:
        if self.enabled and self.done >= 200:
            sys.stderr.write("\n")


# ---------------------------------------------------------------------------
# arkiv search
# ---------------------------------------------------------------------------


@cli.command("search")
@click.argument("query")
@_filter_options
@click.option("--limit", type=int, default=10, show_default=True, help=f"Hits per page (1-{MAX_PAGE_LIMIT}).")
@click.option(
    "--page",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help=f"Page of hits (pages reach the first {MAX_RESULT_WINDOW} hits).",
)
@archive_option
@_engine_option
@output_options
def search_command(
    query: str, limit: int, page: int, archive: str | None, engine: str | None, output: OutputOptions, **kwargs: Any
) -> None:
    """Search the archive: ranked items with snippets, and facet counts over all matches.

    QUERY: words (all must match), "phrases", AND/OR/NOT, -word, and
    field:value for title, decision, text, case and body (case:22/23* by
    prefix), klima* for words that start with klima (3+ letters before *).
    Danish stemming and compounds apply: sygefravær also finds
    sygefraværspulje, Aabenraa finds Åbenrå. Put -- before a query that
    starts with "-".

    Facets: year, body, document_type, outcome, closed, personal_data, amount
    (bands of the largest amount an item names) and law (the laws it cites).

    Example:

        arkiv search 'sygefravær -pulje' --body Direktionen --from 2020-01-01 --json

        arkiv search 'anlæg' --outcome godkendt --law styrelsesloven --min-amount 1000000
    """
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise UsageProblem(f"--limit {limit} is out of range; give 1 to {MAX_PAGE_LIMIT} hits per page")
    filters = _filters(kwargs)
    with _archive(archive, engine) as arch:
        try:
            result = arch.search(query, filters, page=page, limit=limit)
        except QueryError as e:
            raise UsageProblem(str(e)) from e
        except ArchiveError as e:
            raise ArkivError(str(e)) from e
    rows = [hit.row() for hit in result.hits]
    payload = {"total": result.total, "page": page, "limit": limit, "hits": rows, "facets": result.facets}
    suggestion = result.suggestion
    payload["suggestion"] = suggestion.to_dict() if suggestion else None
    if output.json or output.csv:
        output.emit_rows(rows, HIT_COLUMNS, payload=payload)
        return
    for row in rows:
        click.echo(_hit_block(row))
    click.echo(f"{result.total} items match; page {page} of {max(1, -(-result.total // limit))}")
    if suggestion:
        click.echo(f"Did you mean: {suggestion.query}")
    for name in FACETS:
        counts = result.facets.get(name, {})
        if counts:
            click.echo(f"{name}: " + ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:12]))


def _hit_block(row: dict[str, Any]) -> str:
    """One hit as three lines: what and when, the snippet, where."""
    item = f"item {row['item']}" if row["item"] is not None else "document"
    cases = f"  [{', '.join(row['cases'])}]" if row["cases"] else ""
    head = f"{row['rank']}. {row['date'] or '????-??-??'}  {row['body'] or '-'}  {row['type']}  {item}: {row['title']}"
    where = f"   in bilag: {row['in_bilag']}\n" if row.get("in_bilag") else ""
    return f"{head}{cases}\n{where}   {row['snippet']}\n   {row['source']}  (id {row['id']})\n"


# ---------------------------------------------------------------------------
# arkiv case / show
# ---------------------------------------------------------------------------


def _all(archive: str | None, engine: str | None, query: str, filters: Filters) -> list[IndexDoc]:
    with _archive(archive, engine) as arch:
        try:
            arch.lower(query, filters)
        except QueryError as e:
            raise UsageProblem(str(e)) from e
        try:
            return arch.matching(query, filters)
        except ArchiveError as e:
            raise ArkivError(str(e)) from e


@cli.command("case")
@click.argument("number")
@archive_option
@_engine_option
@output_options
def case_command(number: str, archive: str | None, engine: str | None, output: OutputOptions) -> None:
    """The history of one case: every item carrying the case number, in date order.

    20/057417-5, 20/057417 and 20/57417 name the same case. Earlier treatments that a
    later item prints ("Udvalg: Magistraten, Dato: 02-06-2025, Punktnummer: 7") are
    shown too, with type "history" and the later item as their source, unless the
    archive holds that meeting's item itself.

    Example:

        arkiv case 22/23184 --json
    """
    if not number.strip():
        raise UsageProblem("give a case number, e.g. arkiv case 22/23184")
    docs = _all(archive, engine, "", Filters(case=number))
    if not docs:
        raise ArkivError(f"no item carries case number {number}; try `arkiv search {number}`")
    rows = case_rows(docs)
    columns = ("date", "body", "type", "item", "title", "outcome", "decision", "source", "id")
    output.emit_rows(rows, columns, payload={"case": number, "items": rows})


@cli.command("show")
@click.argument("item_id")
@archive_option
@_engine_option
@output_options
def show_command(item_id: str, archive: str | None, engine: str | None, output: OutputOptions) -> None:
    """One item in full: sections, decision, attachments, meeting details and source.

    ITEM_ID is the id printed by `arkiv search` (e.g. 54a20879ec15e726-0-2).

    Example:

        arkiv show 54a20879ec15e726-0-2
    """
    with _archive(archive, engine) as arch:
        try:
            doc = arch.get(item_id)
        except NotFound as e:
            raise ArkivError(str(e)) from e
        except ArchiveError as e:
            raise ArkivError(str(e)) from e
    data = show_data(doc)
    if output.json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if output.csv:
        flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
        output.emit_rows([flat], list(flat))
        return
    click.echo(_render(doc))


def _render(doc: IndexDoc) -> str:
    lines = [f"{doc.title}", "=" * min(80, len(doc.title))]
    meeting = doc.details.get("meeting")
    if meeting:
        lines.append(f"Meeting: {meeting['body'] or '?'}, {meeting['document_type']}, {meeting['date'] or '?'}")
        time_span = "–".join(t for t in (meeting.get("start_time"), meeting.get("end_time")) if t)
        if time_span or meeting.get("location"):
            lines.append(f"Time/place: {time_span} {meeting.get('location') or ''}".rstrip())
        if meeting.get("municipality"):
            lines.append(f"Municipality: {meeting['municipality']}")
        if meeting.get("participants"):
            lines.append("Participants: " + ", ".join(meeting["participants"]))
        if meeting.get("absent"):
            lines.append("Absent: " + ", ".join(meeting["absent"]))
        lines.append(f"Item: {doc.item_number}{' (closed)' if doc.closed else ''}")
    if doc.case_numbers:
        lines.append("Case: " + ", ".join(doc.case_numbers))
    lines.append(f"Source: {source_label(doc)}")
    lines += printed_lines(doc.details)
    lines.append(f"Id: {doc.id}")
    for section in doc.details.get("sections", []):
        lines.append("")
        if section.get("heading"):
            lines.append(f"## {section['heading']}")
        lines.append(section["text"])
    decision = doc.details.get("decision")
    if decision:
        lines += ["", f"## Decision ({decision.get('body') or '?'}, {decision.get('date') or '?'})", decision["text"]]
        if doc.outcome:
            lines.append(f"Outcome: {doc.outcome}")
    if doc.attachments:
        lines += ["", "## Attachments"] + [f"- {a}" for a in doc.attachments]
    lines += bilag_lines(doc)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# arkiv export / stats
# ---------------------------------------------------------------------------


@cli.command("export")
@click.argument("query")
@_filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]), required=True, help="File format.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="Output file.")
@archive_option
@_engine_option
def export_command(query: str, fmt: str, out: str, archive: str | None, engine: str | None, **kwargs: Any) -> None:
    """Write every item that matches QUERY (not one page) as a table, one row per item.

    Use "" as QUERY to export everything the filters select.

    Example:

        arkiv export 'skolestruktur' --year 2021 --format xlsx --out skolestruktur.xlsx
    """
    filters = _filters(kwargs)
    frame = export_frame(_all(archive, engine, query, filters))
    path = Path(out)
    try:
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "xlsx":
            frame.to_excel(path, index=False, sheet_name="items")
        else:
            frame.to_parquet(path, index=False)
    except OSError as e:
        raise ArkivError(f"{path}: cannot write ({e.strerror or e})") from e
    click.echo(f"{path}: {len(frame)} items written", err=True)


@cli.command("stats")
@click.argument("query", required=False, default="")
@_filter_options
@archive_option
@_engine_option
@output_options
def stats_command(query: str, archive: str | None, engine: str | None, output: OutputOptions, **kwargs: Any) -> None:
    """Counts of matching items by year and body, to see how a subject moved through the years.

    Without QUERY: every item. A text chart of the yearly totals follows the table.

    Example:

        arkiv stats 'klimatilpasning' --type referat
    """
    table = stats_table(_all(archive, engine, query, _filters(kwargs)))
    rows = list(table.rows)
    output.emit_rows(rows, list(table.columns), payload={"query": query, "total": table.total, "counts": table.nested})
    if not output.json and not output.csv:
        click.echo("")
        click.echo(_chart(table.year_totals()))


def _chart(totals: dict[str, int], width: int = 40) -> str:
    if not totals:
        return "no matching items"
    top = max(totals.values()) or 1
    return "\n".join(f"{year:>7} {'█' * max(1, round(n * width / top))} {n}" for year, n in totals.items())
