"""Commands of `arkiv` that score the parser and the search and make sample archives: `eval`,
`eval-search`, `generate-corpus`."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

from index.documents import IndexDoc
from index.judged import EvalReport as SearchEvalReport
from parsers.evaluation import EvalReport, evaluate
from search_cli.app import ArkivError, ExitCode, OutputOptions, cli, output_options, show_progress


def _field_rows(report: EvalReport) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, s in report.fields.items():
        if not s.support:
            continue
        rows.append(
            {
                "field": name,
                "precision": f"{s.precision:.3f}",
                "recall": f"{s.recall:.3f}",
                "f1": f"{s.f1:.3f}",
                "gold": int(s.tp + s.fn),
                "parsed": int(s.tp + s.fp),
            }
        )
    rows.append({"field": "overall", "f1": f"{report.overall:.3f}"})
    return rows


def _verbose_lines(report: EvalReport, worst: int, per_doc: int) -> list[str]:
    lines: list[str] = []
    for doc in report.worst(worst):
        fields = ", ".join(doc.worst_fields()[:6])
        lines.append(f"{doc.score:.3f}  {doc.path}" + (f"  [{fields}]" if fields else ""))
        if doc.error:
            lines.append(f"    failed: {doc.error}")
        for diff in doc.differences[:per_doc]:
            lines.append(f"    {diff}")
        if len(doc.differences) > per_doc:
            lines.append(f"    ... {len(doc.differences) - per_doc} more differences")
    return lines


@cli.command("eval")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--min-score", type=click.FloatRange(0.0, 1.0), default=None, help="Exit 1 when the overall score is lower."
)
@click.option("--verbose", "show_worst", is_flag=True, help="List the worst documents and what differs in them.")
@click.option(
    "--worst", type=click.IntRange(1), default=10, show_default=True, help="How many documents --verbose lists."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@output_options
def eval_command(
    directory: Path, min_score: float | None, show_worst: bool, worst: int, quiet: bool, output: OutputOptions
) -> None:
    """Score the parser against the gold records in DIRECTORY.

    Every NAME.pdf/NAME.docx with a NAME.pdf.gold.json (or .docx.gold.json)
    next to it is parsed and compared field by field: kind, meeting fields,
    item numbers and titles, case numbers, closed items, decisions,
    attachments, the text given to each item, and pages. Prints precision,
    recall and F1 per field and the overall score (the mean F1). Files that
    fail to parse count as misses and are listed on stderr.

    Example:

        arkiv eval corpus/sample --min-score 0.98 --verbose
    """
    start = time.perf_counter()
    try:
        if show_progress(quiet):
            golds = sorted(directory.rglob("*.gold.json"))
            with click.progressbar(length=len(golds), label="Scoring", file=sys.stderr) as bar:
                report = evaluate(directory, progress=lambda _p: bar.update(1))
        else:
            report = evaluate(directory)
    except FileNotFoundError as e:
        raise ArkivError(f"{e}; make a sample with: arkiv generate-corpus {directory}") from e
    except ValueError as e:
        raise ArkivError(str(e)) from e
    elapsed = time.perf_counter() - start

    rows = _field_rows(report)
    columns = ["field", "precision", "recall", "f1", "gold", "parsed"]
    if output.json:
        payload = report.to_dict()
        payload["seconds"] = round(elapsed, 2)
        output.emit_rows(rows, columns, payload=payload)
    else:
        output.emit_rows(rows, columns)
        if show_worst and not output.csv:
            lines = _verbose_lines(report, worst, per_doc=12)
            if lines:
                click.echo("")
                click.echo(f"Worst documents (of {len(report.documents)}):")
                for line in lines:
                    click.echo(line)

    failures = report.failures
    if failures:
        click.echo(f"{len(failures)} of {len(report.documents)} documents failed to parse:", err=True)
        for doc in failures[:20]:
            click.echo(f"  {doc.path}: {doc.error}", err=True)
        if len(failures) > 20:
            click.echo(f"  ... and {len(failures) - 20} more", err=True)
    click.echo(f"Scored {len(report.documents)} documents in {elapsed:.1f} s; overall {report.overall:.3f}", err=True)
    if min_score is not None and report.overall < min_score:
        raise ArkivError(f"overall score {report.overall:.3f} is below --min-score {min_score}", ExitCode.ERROR)


@cli.command("generate-corpus")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(1), default=None, help="Number of files (default: the sample's 64).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the sample's seed).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def generate_corpus(directory: Path, count: int | None, seed: int | None, quiet: bool) -> None:
    """Write a sample archive of agendas and minutes (PDF, DOCX) with gold records.

    Each NAME.pdf/NAME.docx gets NAME.pdf.gold.json, the record `arkiv parse
    --json` should print for it. Files go in nested folders
    (municipality/year/). The same seed and count always give the same files.
    The default seed and count regenerate corpus/sample.

    Example:

        arkiv generate-corpus /tmp/big-archive --count 5000 --seed 7
    """
    from corpus.generator.archive import DEFAULT_COUNT, DEFAULT_SEED, generate

    count = DEFAULT_COUNT if count is None else count
    seed = DEFAULT_SEED if seed is None else seed
    start = time.perf_counter()
    try:
        if show_progress(quiet):
            with click.progressbar(length=count, label="Generating", file=sys.stderr) as bar:
                paths = generate(directory, seed=seed, count=count, progress=lambda _i, _p: bar.update(1))
        else:
            paths = generate(directory, seed=seed, count=count)
    except OSError as e:
        raise ArkivError(f"{directory}: cannot write ({e.strerror or e})") from e
    elapsed = time.perf_counter() - start
    click.echo(
        f"Wrote {len(paths)} files with gold records to {directory} in {elapsed:.1f} s "
        f"({len(paths) / max(elapsed, 1e-9):.0f} files/s)",
        err=True,
    )


# ---------------------------------------------------------------------------
# arkiv eval-search
# ---------------------------------------------------------------------------

DEFAULT_REALDOCS = Path("../shared/realdocs")


def realdocs_index_docs(realdocs: Path, documents: list[str], work: Path) -> list[IndexDoc]:
    """Import the named files of ``realdocs`` into a new archive under ``work`` and return the index
    documents of their items (the same path as ``arkiv ingest`` and ``arkiv index`` take)."""
    from index.documents import docs_from_record
    from ingest.batch import IngestOptions, ingest
    from ingest.catalog import Catalog

    source = work / "documents"
    source.mkdir(parents=True, exist_ok=True)
    for name in documents:
        original = realdocs / name
        if not original.is_file():
            raise ArkivError(f"{original}: a document of the judged set is missing; check --realdocs")
        shutil.copy2(original, source / name)
    archive = work / "archive"
    report = ingest(archive, [source], IngestOptions(jobs=1))
    if report.quarantined:
        path, _code, reason = report.quarantined[0]
        raise ArkivError(f"{Path(path).name}: a judged document could not be imported ({reason})")
    docs: list[IndexDoc] = []
    with Catalog.open(archive) as catalog:
        for stored in catalog.iter_records():
            path = stored.paths[0] if stored.paths else None
            docs.extend(docs_from_record(stored.record, stored.sha256, path))
    return docs


def _summary_rows(report: SearchEvalReport, set_name: str) -> list[dict[str, object]]:
    return [{"system": system, **metrics, "set": set_name} for system, metrics in report.summary().items()]


def _query_rows(report: SearchEvalReport, set_name: str) -> list[dict[str, object]]:
    return [
        {
            "id": s.query.id,
            "query": s.query.query,
            "covers": s.query.covers,
            "relevant": s.relevant,
            **{f"recall_{k}": round(v, 3) for k, v in s.recall.items()},
            **{f"rr_{k}": round(v, 3) for k, v in s.rr.items()},
            "set": set_name,
        }
        for s in report.scores
    ]


@cli.command("eval-search")
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False),
    default="corpus/queries.json",
    show_default=True,
    help="The judged query set of the sample corpus.",
)
@click.option(
    "--sample",
    type=click.Path(exists=True, file_okay=False),
    default="corpus/sample",
    show_default=True,
    help="Folder of gold records (*.gold.json) to index.",
)
@click.option(
    "--real-queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The judged query set of the real documents (default: the one in index/data).",
)
@click.option(
    "--realdocs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of the real documents (default: ../shared/realdocs when it exists).",
)
@click.option("--per-query", is_flag=True, help="One row per query instead of the summary.")
@output_options
def eval_search_command(
    queries: str,
    sample: str,
    real_queries: Path | None,
    realdocs: Path | None,
    per_query: bool,
    output: OutputOptions,
) -> None:
    """Score the judged queries: recall@10, MRR and nDCG@10 for whoosh, tantivy and the baseline.

    Two sets: the generated one (the gold records of the sample corpus) and the
    one written from the real documents (set "real": the documents are imported
    into a temporary archive first). Each is indexed in a temporary folder by
    both engines with the Danish analysis, and by whoosh with its plain analyzer
    (the baseline). Queries whose top 10 differ between the engines are listed
    on stderr.

    Example:

        arkiv eval-search --realdocs ../shared/realdocs --per-query
    """
    from index.judged import REAL_QUERIES, SYSTEMS, JudgedSetError, evaluate, evaluate_real, load_real_queries
    from index.query import QueryError

    if realdocs is None and DEFAULT_REALDOCS.is_dir():
        realdocs = DEFAULT_REALDOCS
    try:
        reports = {"generated": evaluate(Path(queries), Path(sample))}
        if realdocs is not None:
            real_path = real_queries or REAL_QUERIES
            documents, _queries = load_real_queries(real_path)
            with tempfile.TemporaryDirectory(prefix="arkiv-eval-") as tmp:
                docs = realdocs_index_docs(realdocs, documents, Path(tmp))
                reports["real"] = evaluate_real(real_path, docs, Path(tmp))
    except (JudgedSetError, QueryError) as e:
        raise ArkivError(str(e)) from e
    if per_query:
        rows = [row for name, report in reports.items() for row in _query_rows(report, name)]
        columns = ["id", "query", "covers", "relevant", *[f"recall_{k}" for k in SYSTEMS], "set"]
        output.emit_rows(rows, columns if not output.csv else list(rows[0]) if rows else columns)
        return
    generated = reports["generated"]
    rows = [row for name, report in reports.items() for row in _summary_rows(report, name)]
    payload: dict[str, object] = {
        "queries": len(generated.scores),
        "documents": generated.documents,
        "systems": generated.summary(),
    }
    if "real" in reports:
        real = reports["real"]
        payload["real"] = {
            "queries": len(real.scores),
            "documents": real.documents,
            "systems": real.summary(),
            "differing": real.differing,
        }
    output.emit_rows(rows, ["system", "recall@10", "mrr", "ndcg@10", "set"], payload=payload)
    if not output.json and not output.csv:
        for name, report in reports.items():
            click.echo(f"{name}: {len(report.scores)} judged queries over {report.documents} indexed items", err=True)
            if report.differing:
                click.echo(f"{name}: top 10 differ between the engines for {', '.join(report.differing)}", err=True)
