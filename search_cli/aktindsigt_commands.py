"""``arkiv aktindsigt`` (freedom-of-information packages) and ``arkiv eval-nlp`` (decisions as data)."""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from aktindsigt.links import with_links
from aktindsigt.package import AktHit, AktindsigtError, build_package, filter_dates, hits_for_cases, hits_from_ids
from index.engine import ENGINES
from ingest import archive_dir
from ingest.catalog import Catalog
from parsers.nlp_evaluation import TARGET_F1, GoldSetError, NlpReport, evaluate_nlp, load_gold
from parsers.records import DocumentRecord
from search_cli.app import ArkivError, ExitCode, OutputOptions, UsageProblem, cli, output_options, show_progress
from search_cli.archive_options import archive_option, open_existing_catalog

DEFAULT_GOLD = Path(__file__).resolve().parents[1] / "corpus" / "nlp_gold.jsonl"


@dataclass(frozen=True)
class _Stored:
    sha256: str
    paths: tuple[str, ...]
    record: DocumentRecord


def _iso(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from index.query import QueryError, parse_date

    try:
        return parse_date(value)
    except QueryError as e:
        raise UsageProblem(f"{option}: {e}") from e


def _stored(catalog: Catalog, sha: str) -> _Stored | None:
    record = catalog.record(sha)
    return None if record is None else _Stored(sha, catalog.paths(sha), record)


def _query_hits(archive: Path, catalog: Catalog, query: str, engine: str | None) -> list[AktHit]:
    from index.build import open_index
    from index.engine import EngineError
    from index.query import QueryError, lower

    try:
        index = open_index(archive, engine)
    except EngineError as e:
        raise ArkivError(str(e)) from e
    try:
        docs = index.all_docs(lower(query))
    except QueryError as e:
        raise UsageProblem(str(e)) from e
    finally:
        index.close()
    sha_by_id = {d.id: d.sha256 for d in docs}

    def lookup(sha: str) -> _Stored | None:
        record = catalog.record(sha)
        return None if record is None else _Stored(sha, catalog.paths(sha), record)

    return hits_from_ids(sorted(sha_by_id), lookup, sha_by_id.get)


@cli.command("aktindsigt")
@click.argument("query", required=False)
@click.option("--case", "cases", multiple=True, help="Case number to collect (repeatable): 22/23184, 20/057417-5.")
@click.option("--from", "date_from", default=None, help="Meetings on or after this date (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Meetings on or before this date (YYYY-MM-DD).")
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False), help="New, empty folder for the package."
)
@click.option("--include-closed", is_flag=True, help="Include the text and source files of closed items.")
@click.option(
    "--redact",
    is_flag=True,
    help="Mask CPR numbers (ddmmyy-XXXX) in every text, list, file name and summary; log each one. "
    "Source files holding a CPR number are withheld (they are never redacted).",
)
@click.option("--no-sources", "no_sources", is_flag=True, help="Copy no source files (no sources/ folder).")
@archive_option
@click.option(
    "--engine", type=click.Choice(ENGINES), default=None, help="Search index for QUERY (default: the one that exists)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def aktindsigt_command(
    query: str | None,
    cases: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    out: str,
    include_closed: bool,
    redact: bool,
    no_sources: bool,
    archive: str | None,
    engine: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Collect every item on a case or subject into an aktindsigt package in OUT.

    Give case numbers with --case (compared without the -N document suffix and
    leading zeros: 20/57417 finds 20/057417-5; items that mention the case in
    their text are included too), or a search QUERY (uses the search index;
    run `arkiv index` first). OUT receives aktliste.xlsx/.csv (one numbered
    row per item, with flags), flag.csv, the source files, each item's text
    and a summary. Closed items are listed as "undtaget – lukket punkt" (items
    with an uncertain marker as "tilbageholdt – til vurdering") and their
    text and source files stay out unless --include-closed. CPR numbers,
    e-mails, phone numbers and names are flagged for review, never removed;
    --redact masks CPR numbers everywhere in the package and withholds source
    files that hold one, since source files are copied unredacted. Prints the
    summary. Exits 1 without writing a package when nothing matches.

    Example:

        arkiv aktindsigt --case 22/23184 --from 2023-01-01 --out akt-2024-017

        arkiv aktindsigt "sygefravær pulje" --redact --out akt-2024-018
    """
    if bool(cases) == bool(query):
        raise UsageProblem("give either --case NR (one or more) or a QUERY, not both; e.g. --case 22/23184")
    iso_from, iso_to = _iso(date_from, "--from"), _iso(date_to, "--to")
    if iso_from and iso_to and iso_from > iso_to:
        raise UsageProblem(f"--from {iso_from} is after --to {iso_to}")
    target = archive_dir(archive)
    catalog = open_existing_catalog(target)
    try:
        if cases:
            hits = hits_for_cases(catalog.iter_records(), cases)
            searched = "sagsnr. " + ", ".join(cases)
        else:
            assert query is not None
            hits = _query_hits(target, catalog, query, engine)
            searched = f"fritekst «{query}»"
        hits = with_links(hits, catalog.bilag_links(), catalog.printed_versions(), functools.partial(_stored, catalog))
    finally:
        catalog.close()
    if iso_from or iso_to:
        searched += f" (møder {iso_from or '…'} – {iso_to or '…'})"
    hits = filter_dates(hits, iso_from, iso_to)
    if not hits:
        what = f"case {', '.join(cases)}" if cases else f"the query «{query}»"
        dates = f" between {iso_from or '…'} and {iso_to or '…'}" if iso_from or iso_to else ""
        raise ArkivError(f"nothing matches {what}{dates}; no package written to {out}")
    write = functools.partial(
        build_package,
        hits,
        Path(out),
        searched=searched,
        include_closed=include_closed,
        redact=redact,
        copy_sources=not no_sources,
    )
    try:
        if show_progress(quiet) and len(hits) > 1:
            with click.progressbar(length=len(hits), label="Writing package", file=sys.stderr) as bar:

                def advance(done: int, total: int) -> None:
                    bar.update(done - bar.pos)

                summary = write(progress=advance)
        else:
            summary = write()
    except AktindsigtError as e:
        raise ArkivError(str(e)) from e
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(summary.text(), nl=False)
    if summary.problems:
        for problem in summary.problems:
            click.echo(f"Warning: {problem}", err=True)
        click.echo(f"{len(summary.problems)} source file(s) could not be copied; see summary.txt.", err=True)
        raise SystemExit(ExitCode.PARTIAL)


# ---------------------------------------------------------------------------
# arkiv eval-nlp
# ---------------------------------------------------------------------------


def _score_rows(report: NlpReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind, scores in (("outcome", report.outcomes), ("entity", report.entities)):
        for label, s in scores.items():
            if not s.gold and not s.fp:
                continue
            row: dict[str, Any] = {
                "kind": kind,
                "label": label,
                "precision": round(s.precision, 3),
                "recall": round(s.recall, 3),
                "f1": round(s.f1, 3),
                "gold": s.gold,
                "found": s.tp + s.fp,
            }
            if kind == "entity":
                correct, matched = report.values.get(label, (0, 0))
                row["values_ok"] = f"{correct}/{matched}"
            rows.append(row)
    ok, total = report.votes
    rows.append(
        {"kind": "votes", "label": "exact", "precision": "", "recall": "", "f1": "", "gold": total, "found": ok}
    )
    return rows


@cli.command("eval-nlp")
@click.option(
    "--gold",
    "gold",
    type=click.Path(dir_okay=False),
    default=None,
    help="Gold set, JSON lines (default: corpus/nlp_gold.jsonl).",
)
@click.option("--errors", "show_errors", is_flag=True, help="Also list every miss on stderr.")
@output_options
def eval_nlp_command(gold: str | None, show_errors: bool, output: OutputOptions) -> None:
    """Score outcome labels, votes, and entity/CPR detection against the NLP gold set.

    Prints precision/recall/F1 per outcome label and per entity type, the
    share of correctly normalized values, exact vote matches, and every
    missed CPR number. Exits 1 when any label or type with gold examples has
    F1 below 0.95 or a CPR number is missed.

    Example:

        arkiv eval-nlp --json
    """
    path = Path(gold) if gold else DEFAULT_GOLD
    try:
        report = evaluate_nlp(load_gold(path))
    except GoldSetError as e:
        raise ArkivError(str(e)) from e
    rows = _score_rows(report)
    failures = report.failures()
    columns = ("kind", "label", "precision", "recall", "f1", "gold", "found", "values_ok")
    payload = {
        "gold": str(path),
        "lines": report.lines,
        "target_f1": TARGET_F1,
        "scores": rows,
        "cpr_missed": report.cpr_missed,
        "cpr_false_positives": report.cpr_false,
        "errors": [miss.__dict__ for miss in report.errors],
        "below_target": failures,
    }
    output.emit_rows(rows, columns, payload=payload)
    if not output.json and not output.csv:
        click.echo(f"CPR missed: {len(report.cpr_missed)}; CPR false positives: {len(report.cpr_false)}")
    if show_errors:
        for miss in report.errors:
            click.echo(f"{miss.id}: expected {miss.expected}, got {miss.got} {miss.detail}".rstrip(), err=True)
    if failures:
        click.echo("Below target: " + "; ".join(failures), err=True)
        raise SystemExit(ExitCode.ERROR)
