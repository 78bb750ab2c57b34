"""Commands of `arkiv` that score the parser and make sample archives: `eval`, `generate-corpus`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

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
