"""``arkiv index``, ``search``, ``case``, ``show``, ``export``, ``stats`` and ``eval-search``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from index.build import (
    DEFAULT_ENGINE,
    TANTIVY_SUGGESTED_AT,
    build_index,
    existing_engines,
    open_index,
    update_index,
)
from index.documents import FACETS, EarlierStep, IndexDoc, earlier_steps
from index.engine import ENGINES, Engine, EngineError
from index.query import MAX_RESULT_WINDOW, OUTCOMES, Filters, QueryError, check_page, lower
from ingest import archive_dir
from ingest.batch import default_jobs
from ingest.catalog import CatalogError
from search_cli.app import ArkivError, OutputOptions, UsageProblem, cli, output_options, show_progress
from search_cli.archive_options import archive_option, open_existing_catalog, wait_option, writer_lock

MAX_PAGE_LIMIT = 1000  # hits on one page of `arkiv search`
_HIT_COLUMNS = ("rank", "id", "date", "body", "type", "item", "title", "cases", "snippet", "source")


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


def _open(archive: str | None, engine: str | None) -> Engine:
    try:
        return open_index(archive_dir(archive), engine)
    except EngineError as e:
        raise ArkivError(str(e)) from e


def _source(doc: IndexDoc) -> str:
    if not doc.pages:
        return doc.source_path
    pages = doc.pages
    span = str(pages[0]) if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
    return f"{doc.source_path} p. {span}"


def _row(doc: IndexDoc) -> dict[str, Any]:
    return {
        "id": doc.id,
        "date": doc.date,
        "body": doc.body,
        "type": doc.document_type,
        "item": doc.item_number,
        "title": doc.title,
        "cases": list(doc.case_numbers),
        "closed": doc.closed,
        "outcome": doc.outcome,
        "max_amount": doc.max_amount,
        "laws": list(doc.laws),
        "source": _source(doc),
        "source_path": doc.source_path,
        "pages": list(doc.pages),
    }


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
    open_existing_catalog(target, verify=True).close()
    bar = _Counter(quiet)
    try:
        with writer_lock(target, "arkiv index" + (" --rebuild" if rebuild else ""), wait):
            if rebuild:
                engines = [engine] if engine else (existing_engines(target) or [DEFAULT_ENGINE])
                reports = [build_index(target, name, progress=bar, jobs=default_jobs()) for name in engines]
            else:
                reports = update_index(target, engine, progress=bar, jobs=default_jobs())
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
    try:
        lowered = lower(query, _filters(kwargs))
        check_page(limit, (page - 1) * limit)
    except QueryError as e:
        raise UsageProblem(str(e)) from e
    eng = _open(archive, engine)
    try:
        result = eng.search(lowered, limit=limit, offset=(page - 1) * limit, facets=True)
    finally:
        eng.close()
    rows = []
    for rank, hit in enumerate(result.hits, start=(page - 1) * limit + 1):
        rows.append({"rank": rank, **_row(hit.doc), "score": round(hit.score, 4), "snippet": hit.snippet})
    payload = {"total": result.total, "page": page, "limit": limit, "hits": rows, "facets": result.facets}
    if output.json or output.csv:
        output.emit_rows(rows, _HIT_COLUMNS, payload=payload)
        return
    for row in rows:
        click.echo(_hit_block(row))
    click.echo(f"{result.total} items match; page {page} of {max(1, -(-result.total // limit))}")
    for name in FACETS:
        counts = result.facets.get(name, {})
        if counts:
            click.echo(f"{name}: " + ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:12]))


def _hit_block(row: dict[str, Any]) -> str:
    """One hit as three lines: what and when, the snippet, where."""
    item = f"item {row['item']}" if row["item"] is not None else "document"
    cases = f"  [{', '.join(row['cases'])}]" if row["cases"] else ""
    head = f"{row['rank']}. {row['date'] or '????-??-??'}  {row['body'] or '-'}  {row['type']}  {item}: {row['title']}"
    return f"{head}{cases}\n   {row['snippet']}\n   {row['source']}  (id {row['id']})\n"


# ---------------------------------------------------------------------------
# arkiv case / show
# ---------------------------------------------------------------------------


def _all(archive: str | None, engine: str | None, query: str, filters: Filters) -> list[IndexDoc]:
    try:
        lowered = lower(query, filters)
    except QueryError as e:
        raise UsageProblem(str(e)) from e
    eng = _open(archive, engine)
    try:
        return eng.all_docs(lowered)
    finally:
        eng.close()


def _chronological(docs: list[IndexDoc]) -> list[IndexDoc]:
    return sorted(docs, key=lambda d: (d.date or "9999", d.document_type, d.source_path, d.item_number or 0))


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
    docs = _chronological(_all(archive, engine, "", Filters(case=number)))
    if not docs:
        raise ArkivError(f"no item carries case number {number}; try `arkiv search {number}`")
    rows = []
    for doc in docs:
        decision = (doc.details.get("decision") or {}) if doc.details else {}
        rows.append(
            {
                **_row(doc),
                "decision": decision.get("text") or "",
                "decision_body": decision.get("body"),
                "from_later_document": False,
            }
        )
    rows += [_step_row(step) for step in earlier_steps(docs)]
    rows.sort(key=lambda r: (r["date"] or "9999", r["type"] != "history", r["type"], r["source_path"], r["item"] or 0))
    columns = ("date", "body", "type", "item", "title", "outcome", "decision", "source", "id")
    output.emit_rows(rows, columns, payload={"case": number, "items": rows})


def _step_row(step: EarlierStep) -> dict[str, Any]:
    """An earlier treatment known from a later item's printed history, as a row of ``arkiv case``."""
    later = step.printed_in
    return {
        **_row(later),
        "date": step.date,
        "body": step.body,
        "type": "history",
        "item": step.number,
        "closed": False,
        "outcome": None,
        "max_amount": None,
        "laws": [],
        "decision": step.text,
        "decision_body": step.body,
        "from_later_document": True,
        "source": f"printed in {later.date or '?'} {later.body or '-'} item {later.item_number}: {_source(later)}",
    }


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
    eng = _open(archive, engine)
    try:
        doc = eng.get(item_id.strip())
    finally:
        eng.close()
    if doc is None:
        raise ArkivError(f"no item with id {item_id!r} in the index; ids come from `arkiv search`")
    data = {**_row(doc), "text": doc.text, "decision": doc.decision, "attachments": list(doc.attachments)}
    data.update(doc.details)
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
    lines.append(f"Source: {_source(doc)}")
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
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# arkiv export / stats
# ---------------------------------------------------------------------------


def _frame(docs: list[IndexDoc]) -> Any:
    import pandas as pd

    rows = [
        {
            "id": d.id,
            "date": d.date,
            "year": d.year,
            "body": d.body,
            "municipality": d.municipality,
            "document_type": d.document_type,
            "item_number": d.item_number,
            "title": d.title,
            "case_numbers": "; ".join(d.case_numbers),
            "closed": d.closed,
            "outcome": d.outcome,
            "max_amount": d.max_amount,
            "laws": "; ".join(d.laws),
            "decision": d.decision,
            "attachments": "; ".join(d.attachments),
            "source_path": d.source_path,
            "pages": ", ".join(str(p) for p in d.pages),
            "text": d.text,
        }
        for d in _chronological(docs)
    ]
    columns = ["id", "date", "year", "body", "municipality", "document_type", "item_number", "title"]
    columns += ["case_numbers", "closed", "outcome", "max_amount", "laws", "decision", "attachments", "source_path"]
    columns += ["pages", "text"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["year"] = frame["year"].astype("Int64")
    frame["item_number"] = frame["item_number"].astype("Int64")
    return frame


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
    frame = _frame(_all(archive, engine, query, filters))
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
    import pandas as pd

    docs = _all(archive, engine, query, _filters(kwargs))
    frame = pd.DataFrame(
        {"year": [str(d.year) if d.year else "unknown" for d in docs], "body": [d.body or "unknown" for d in docs]}
    )
    if frame.empty:
        table = pd.DataFrame()
    else:
        table = pd.crosstab(frame["year"], frame["body"], margins=True, margins_name="total")
    nested = {str(y): {str(b): int(v) for b, v in row.items()} for y, row in table.iterrows()}
    rows = [{"year": str(y), **{str(b): int(v) for b, v in row.items()}} for y, row in table.iterrows()]
    columns = ["year", *[str(c) for c in table.columns]]
    output.emit_rows(rows, columns, payload={"query": query, "total": len(docs), "counts": nested})
    if not output.json and not output.csv:
        click.echo("")
        click.echo(_chart({r["year"]: r.get("total", 0) for r in rows if r["year"] != "total"}))


def _chart(totals: dict[str, int], width: int = 40) -> str:
    if not totals:
        return "no matching items"
    top = max(totals.values()) or 1
    return "\n".join(f"{year:>7} {'█' * max(1, round(n * width / top))} {n}" for year, n in totals.items())


# ---------------------------------------------------------------------------
# arkiv eval-search
# ---------------------------------------------------------------------------


@cli.command("eval-search")
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False),
    default="corpus/queries.json",
    show_default=True,
    help="The judged query set.",
)
@click.option(
    "--sample",
    type=click.Path(exists=True, file_okay=False),
    default="corpus/sample",
    show_default=True,
    help="Folder of gold records (*.gold.json) to index.",
)
@click.option("--per-query", is_flag=True, help="One row per query instead of the summary.")
@output_options
def eval_search_command(queries: str, sample: str, per_query: bool, output: OutputOptions) -> None:
    """Score the judged queries: recall@10, MRR and nDCG@10 for whoosh, tantivy and the baseline.

    The gold records of the sample corpus are indexed in a temporary folder by
    both engines with the Danish analysis, and by whoosh with its plain
    analyzer (the baseline).

    Example:

        arkiv eval-search --queries corpus/queries.json --sample corpus/sample
    """
    from index.judged import SYSTEMS, JudgedSetError, evaluate

    try:
        report = evaluate(Path(queries), Path(sample))
    except (JudgedSetError, QueryError) as e:
        raise ArkivError(str(e)) from e
    if per_query:
        rows = [
            {
                "id": s.query.id,
                "query": s.query.query,
                "covers": s.query.covers,
                "relevant": s.relevant,
                **{f"recall_{k}": round(v, 3) for k, v in s.recall.items()},
                **{f"rr_{k}": round(v, 3) for k, v in s.rr.items()},
            }
            for s in report.scores
        ]
        columns = ["id", "query", "covers", "relevant", *[f"recall_{k}" for k in SYSTEMS]]
        output.emit_rows(rows, columns if not output.csv else list(rows[0]) if rows else columns)
        return
    summary = report.summary()
    rows = [{"system": system, **metrics} for system, metrics in summary.items()]
    payload = {"queries": len(report.scores), "documents": report.documents, "systems": summary}
    output.emit_rows(rows, ["system", "recall@10", "mrr", "ndcg@10"], payload=payload)
    if not output.json and not output.csv:
        click.echo(f"\n{len(report.scores)} judged queries over {report.documents} indexed items", err=True)
