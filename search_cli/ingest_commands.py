"""``arkiv ingest``, ``arkiv status`` and ``arkiv export-records``: the catalog of an archive."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from index.build import update_index
from index.engine import EngineError
from ingest import archive_dir
from ingest.batch import (
    DEFAULT_MAX_MEMBER_MB,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_TIMEOUT,
    IngestOptions,
    IngestReport,
    Progress,
    default_jobs,
    ingest,
    plan,
)
from ingest.catalog import CatalogError
from ingest.export import FORMATS, write_jsonl, write_parquet
from ingest.report import StatusReport, catalog_status
from search_cli.app import (
    ArkivError,
    ExitCode,
    OutputOptions,
    UsageProblem,
    cli,
    format_table,
    output_options,
    show_progress,
)
from search_cli.archive_options import archive_option, limit_option, open_existing_catalog, wait_option, writer_lock

_SHOWN_QUARANTINE = 10


class _ProgressLine:
    """One self-rewriting line on stderr: files, files/s, pages/s, ETA."""

    def __init__(self) -> None:
        self._last = 0.0
        self._width = 0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self._last < 0.2 and p.done < p.total:
            return
        self._last = now
        elapsed = max(p.elapsed, 1e-6)
        files_s = p.done / elapsed
        eta = (p.total - p.done) / files_s if files_s > 0 else 0.0
        line = (
            f"{p.done}/{p.total} files  {files_s:.1f} files/s  {p.pages / elapsed:.1f} pages/s  "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d}"
        )
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()
        self._width = len(line)

    def end(self) -> None:
        if self._width:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _summary(report: IngestReport, archive: Path) -> str:
    elapsed = max(report.elapsed, 1e-6)
    rate = ""
    if report.parsed_files:
        rate = (
            f"; parsed {report.parsed_files} files ({report.parsed_pages} pages) at "
            f"{report.parsed_files / elapsed:.1f} files/s, {report.parsed_pages / elapsed:.1f} pages/s"
        )
    return (
        f"{archive}: {report.scanned} files scanned in {report.elapsed:.1f} s: {report.added} added, "
        f"{report.changed} changed, {report.reparsed} reparsed, {report.linked} same content as a stored file, "
        f"{report.unchanged} unchanged, {report.removed} removed{rate}"
        + (f"; {report.ignored} files that are not documents ignored" if report.ignored else "")
        + (f"; {report.bilag_links} bilag files linked to their items" if report.bilag_links else "")
    )


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@archive_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the cores this process may use, cgroup quota included).",
)
@limit_option(
    "--timeout",
    DEFAULT_TIMEOUT,
    "Seconds one file may take; a file that takes longer is stopped and quarantined.",
)
@limit_option(
    "--max-memory",
    DEFAULT_MAX_MEMORY_MB,
    "Megabytes of memory one parser process may use; a file that needs more is stopped and quarantined.",
)
@limit_option(
    "--max-member-size",
    DEFAULT_MAX_MEMBER_MB,
    "Megabytes a zip member may expand to; a larger one (or a zip bomb) is quarantined without extracting it.",
)
@click.option("--prune", is_flag=True, help="Mark catalogued files under PATH that are gone as removed.")
@click.option("--reparse", is_flag=True, help="Parse every file again, even when parsed by this parser version.")
@click.option(
    "--retry-failed", is_flag=True, help="Parse all quarantined files again (parser errors are always retried)."
)
@click.option("--dry-run", is_flag=True, help="List what would be added, changed, reparsed, skipped; write nothing.")
@click.option("--no-index", is_flag=True, help="Do not bring the search index up to date after the import.")
@click.option(
    "--cluster",
    envvar="ARKIV_CLUSTER",
    default=None,
    metavar="ADDRESS",
    help="Parse on this Dask scheduler's workers (tcp://host:8786); the catalog and index are written here.",
)
@click.option("--ship-files", is_flag=True, help="With --cluster: send the files to the workers (no shared path).")
@wait_option
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary (errors and the failure count only).")
def ingest_command(
    paths: tuple[Path, ...],
    archive: str | None,
    jobs: int | None,
    timeout: float,
    max_memory: float,
    max_member_size: float,
    prune: bool,
    reparse: bool,
    retry_failed: bool,
    dry_run: bool,
    no_index: bool,
    cluster: str | None,
    ship_files: bool,
    wait: float,
    quiet: bool,
) -> None:
    """Import files, folders and zip files into the archive's catalog.

    PATH is a PDF/DOCX/HTML file, a folder (read recursively) or a .zip (read in
    place). Unchanged files (same size and mtime, or same content) are not
    parsed again; files that cannot be parsed are quarantined with their
    reason and the import goes on. Exit code 3 while the quarantine is not
    empty (new or from earlier runs) or a folder could not be read (its files
    are kept, never marked removed); the counts are on stderr. Safe to
    stop at any moment: the next run continues where it stopped. The search
    index is then brought up to date (unless --no-index).

    Example:

        arkiv ingest /srv/moeder /srv/moeder-2024.zip --jobs 2

        arkiv ingest /srv/moeder --archive arkiv-data --prune --dry-run

        arkiv ingest /srv/moeder --cluster tcp://scheduler:8786
    """
    target = archive_dir(archive)
    options = IngestOptions(
        jobs=jobs or default_jobs(),
        timeout=timeout,
        max_memory_mb=max_memory,
        reparse=reparse,
        retry_failed=retry_failed,
        prune=prune,
        max_member_mb=max_member_size,
        lock_wait=wait,
        cluster=cluster or None,
        ship_files=ship_files,
    )
    if ship_files and not cluster:
        raise UsageProblem("--ship-files needs --cluster (or ARKIV_CLUSTER)")
    if dry_run:
        _dry_run(target, list(paths), options, quiet)
        return
    line = _ProgressLine() if show_progress(quiet) else None
    try:
        report = ingest(target, list(paths), options, progress=line)
    except CatalogError as e:
        raise ArkivError(str(e)) from e
    finally:
        if line is not None:
            line.end()
    if not quiet:
        click.echo(_summary(report, target), err=True)
    if not no_index:
        _update_index(target, quiet, timeout, wait, options.jobs)
    problem = _partial_result(report, target, quiet)
    if problem:
        raise ArkivError(problem, ExitCode.PARTIAL)


def _partial_result(report: IngestReport, target: Path, quiet: bool) -> str:
    """Print what went wrong (quarantined files, unread folders); the one-line error for exit code 3, or ""."""
    for folder, reason in report.folder_errors:
        click.echo(f"{folder}: {reason}; its files are kept as they were", err=True)
    for path, code, reason in report.quarantined[: 0 if quiet else _SHOWN_QUARANTINE]:
        click.echo(f"quarantined [{code}] {path}: {reason}", err=True)
    more = len(report.quarantined) - (0 if quiet else _SHOWN_QUARANTINE)
    if more > 0 and not quiet:
        click.echo(f"... and {more} more", err=True)
    parts = []
    if report.quarantined:
        parts.append(
            f"{len(report.quarantined)} of {report.scanned} files could not be parsed and are quarantined; "
            f"`arkiv status --archive {target}` lists them with reasons"
        )
    earlier = report.still_quarantined - len(report.quarantined)
    if earlier > 0:
        also = "also " if parts else ""
        parts.append(f"{also}{earlier} files still quarantined; see `arkiv status --archive {target}`")
    if report.folder_errors:
        parts.append(f"{len(report.folder_errors)} folders could not be read")
    return "; ".join(parts)


def _update_index(target: Path, quiet: bool, doc_seconds: float | None, wait: float, jobs: int) -> None:
    """Keep every index of the archive (or the default one) in step with the catalog, written by up to
    ``jobs`` processes; the index work of one document is bounded by ``doc_seconds`` (the per-file ``--timeout``)."""
    try:
        with writer_lock(target, "arkiv ingest", wait):
            # the import checked the catalog (``PRAGMA quick_check``) before it wrote: not again here
            reports = update_index(target, doc_seconds=doc_seconds, jobs=jobs, catalog_checked=True)
    except (EngineError, CatalogError) as e:
        raise ArkivError(f"{target}: the catalog is updated but the index is not: {e}; run `arkiv index`") from e
    if not quiet:
        for r in reports:
            click.echo(f"index {r.engine}: {r.added} documents written, {r.total} in all", err=True)


def _dry_run(target: Path, paths: list[Path], options: IngestOptions, quiet: bool) -> None:
    try:
        actions = plan(target, paths, options)
    except CatalogError as e:
        raise ArkivError(str(e)) from e
    counts: dict[str, int] = {}
    for action in actions:
        counts[action.action] = counts.get(action.action, 0) + 1
        click.echo("\t".join(x for x in (action.action, action.path, action.detail) if x), err=action.action == "error")
    if not quiet:
        listed = ", ".join(f"{n} {name}" for name, n in sorted(counts.items())) or "nothing"
        click.echo(f"dry run, nothing written: {listed}", err=True)


def _parse_years(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        if len(parts) == 2:
            low, high = int(parts[0]), int(parts[1])
            if low <= high:
                return low, high
    except ValueError:
        pass
    raise UsageProblem(f"--years must look like 2015-2024, got {value!r}")


_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("by_format", "Files by format", ("format", "files")),
    ("by_status", "Files by status", ("status", "files")),
    ("by_year", "Meetings by year", ("year", "meetings")),
    ("by_body", "Meetings by body", ("body", "meetings")),
    ("quarantine", "Quarantine", ("path", "code", "reason")),
    ("suspicious", "Suspicious output", ("path", "code", "problem")),
)


@cli.command("status")
@archive_option
@click.option("--years", default=None, help="The archive's years, e.g. 2015-2024 (meetings outside are flagged).")
@output_options
def status_command(archive: str | None, years: str | None, output: OutputOptions) -> None:
    """Show the catalog: totals by format, status, year and body, the quarantine, suspicious output.

    Suspicious output: a meeting with no items, a referat with no decisions, a
    meeting date outside the archive's years or far from the year in its path.

    Example:

        arkiv status --archive arkiv-data --years 2015-2024

        arkiv status --json | jq '.quarantine[].reason'
    """
    span = _parse_years(years)
    catalog = open_existing_catalog(archive_dir(archive))
    try:
        report = catalog_status(catalog, span)
    finally:
        catalog.close()
    left_out = _index_failure_rows(archive_dir(archive))
    if output.json:
        output.emit_rows([], (), payload={**report.as_dict(), "index_failures": left_out})
    elif output.csv:
        rows = _long_rows(report) + [
            {"section": "index_failures", "name": r["engine"], "path": r["path"], "code": r["id"]}
            | {"detail": r["reason"]}
            for r in left_out
        ]
        output.emit_rows(rows, ("section", "name", "count", "path", "code", "detail"))
    else:
        click.echo(_status_text(report))
        if left_out:
            click.echo(f"\nLeft out of the search index ({len(left_out)})")
            click.echo(format_table(left_out, ("engine", "path", "id", "reason")))


def _index_failure_rows(target: Path) -> list[dict[str, str]]:
    """The documents each search index left out (``index-failures.json``), with the reason."""
    from index.build import existing_engines, index_dir
    from index.engine import read_failures

    return [
        {"engine": engine, "path": f.source_path, "id": f.id, "reason": f.reason}
        for engine in existing_engines(target)
        for f in read_failures(index_dir(target, engine))
    ]


def _long_rows(report: StatusReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "totals", "name": k, "count": v} for k, v in report.totals.items()]
    for key, _title, columns in _SECTIONS[:4]:
        rows += [{"section": key, "name": r[columns[0]], "count": r[columns[1]]} for r in getattr(report, key)]
    rows += [
        {"section": "quarantine", "path": r["path"], "code": r["code"], "detail": r["reason"]}
        for r in report.quarantine
    ]
    rows += [
        {"section": "suspicious", "path": r["path"], "code": r["code"], "detail": r["problem"]}
        for r in report.suspicious
    ]
    return rows


def _status_text(report: StatusReport) -> str:
    t = report.totals
    parts = [
        f"{t['files']} files ({t['removed_files']} removed), {t['contents']} distinct contents, {t['pages']} pages, "
        f"{t['meetings']} meetings, {t['items']} items; generation {t['generation']}, last run {t['last_run'] or '-'}"
    ]
    for key, title, columns in _SECTIONS:
        rows = getattr(report, key)
        if not rows and key in ("quarantine", "suspicious"):
            parts.append(f"\n{title}: none")
            continue
        parts.append(f"\n{title} ({len(rows)}):" if key in ("quarantine", "suspicious") else f"\n{title}:")
        parts.append(format_table(rows, columns, max_width=100))
    return "\n".join(parts)


@cli.command("export-records")
@archive_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Output file.")
@click.option("--all-paths", is_flag=True, help="One record per path (default: one per distinct content).")
def export_records_command(archive: str | None, fmt: str, output: Path | None, all_paths: bool) -> None:
    """Write the catalog's records in the `arkiv parse --json` shape (JSON lines or Parquet).

    JSON lines go to stdout unless --output is given; Parquet needs --output.

    Example:

        arkiv export-records --archive arkiv-data > records.jsonl

        arkiv export-records --format parquet --output records.parquet
    """
    if fmt == "parquet" and output is None:
        raise UsageProblem("--format parquet needs --output FILE")
    catalog = open_existing_catalog(archive_dir(archive))
    try:
        if fmt == "parquet":
            assert output is not None
            count = write_parquet(catalog, output, all_paths=all_paths)
        elif output is None:
            count = write_jsonl(catalog, sys.stdout, all_paths=all_paths)
        else:
            with open(output, "w", encoding="utf-8") as out:
                count = write_jsonl(catalog, out, all_paths=all_paths)
    except BrokenPipeError:
        # The reader stopped early (``| head``): not an error of ours; silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    except OSError as e:
        raise ArkivError(f"{output or 'stdout'}: cannot write ({e.strerror or e})") from e
    finally:
        catalog.close()
    click.echo(f"{count} records written" + (f" to {output}" if output else ""), err=True)
