"""``arkiv doctor``: check an archive (catalog, index, lock, leftovers) and, with --repair, mend it."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import click

from index.build import build_index, existing_engines, index_state, leftover_builds
from index.engine import EngineError
from ingest import archive_dir
from ingest.archive_lock import lock_holder
from ingest.batch import SCRATCH_DIR
from ingest.catalog import CATALOG_FILE, SCHEMA_VERSION, Catalog, CatalogError, has_index, missing_tables
from ingest.salvage import REPAIR_DIR, salvage_catalog, summary_line
from search_cli.app import ArkivError, cli
from search_cli.archive_options import archive_option, wait_option, writer_lock


@dataclass(frozen=True)
class Finding:
    level: str  # ok, note, problem
    text: str

    def line(self) -> str:
        return f"{self.level}: {self.text}"


def _catalog_findings(archive: Path, full: bool) -> tuple[list[Finding], int | None]:
    """What the catalog file holds, read-only; (findings, its generation or None when unreadable)."""
    db = archive / CATALOG_FILE
    if not db.exists() or db.stat().st_size == 0:
        state = "missing" if not db.exists() else "empty (0 bytes)"
        if has_index(archive):
            return [Finding("problem", f"{db}: the catalog is {state} but the archive has a search index")], None
        return [Finding("note", f"{db}: no catalog yet (an empty archive)")], None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30.0)
    except sqlite3.Error as e:
        return [Finding("problem", f"{db}: cannot open the catalog ({e})")], None
    try:
        return _inspect(conn, db, full)
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, db: Path, full: bool) -> tuple[list[Finding], int | None]:
    check = "integrity_check" if full else "quick_check"
    try:
        rows = [str(r[0]) for r in conn.execute(f"PRAGMA {check}(20)")]
        missing = missing_tables(conn)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as e:
        return [Finding("problem", f"{db}: the catalog is damaged ({e})")], None
    findings: list[Finding] = []
    if rows != ["ok"]:
        findings += [Finding("problem", f"{db}: {check}: {r}") for r in rows[:5]]
        if len(rows) > 5:
            findings.append(Finding("problem", f"{db}: {check}: ... and {len(rows) - 5} more"))
    else:
        findings.append(Finding("ok", f"{db}: {check} passed"))
    if missing:
        findings.append(Finding("problem", f"{db}: tables missing: {', '.join(missing)}"))
    if version > SCHEMA_VERSION:
        findings.append(Finding("problem", f"{db}: schema version {version} is newer than this program's"))
    elif version < SCHEMA_VERSION:
        findings.append(Finding("note", f"{db}: schema version {version}; the next write migrates it"))
    else:
        findings.append(Finding("ok", f"{db}: schema version {version}"))
    if missing or rows != ["ok"]:
        return findings, None
    try:
        generation, counts = _counts(conn)
    except sqlite3.DatabaseError as e:
        return [*findings, Finding("problem", f"{db}: the catalog is damaged ({e})")], None
    findings.append(Finding("ok", f"{db}: generation {generation}; {counts}"))
    return findings, generation


def _counts(conn: sqlite3.Connection) -> tuple[int, str]:
    generation = int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    present, removed = conn.execute("SELECT sum(status = 'present'), sum(status = 'removed') FROM files").fetchone()
    parsed, quarantined = conn.execute(
        "SELECT sum(status != 'quarantined'), sum(status = 'quarantined') FROM contents WHERE live = 1"
    ).fetchone()
    items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    return generation, (
        f"{present or 0} files present, {removed or 0} removed, {parsed or 0} parsed contents, "
        f"{quarantined or 0} quarantined, {items} items"
    )


def _index_findings(archive: Path, generation: int | None) -> list[Finding]:
    findings = []
    for engine in existing_engines(archive):
        state = index_state(archive, engine)
        where = archive / "index" / engine
        if state is None:
            findings.append(Finding("problem", f"{where}: the index state cannot be read; run `arkiv index --rebuild`"))
        elif generation is None:
            findings.append(Finding("note", f"{where}: index of catalog generation {state['generation']}"))
        elif int(state["generation"]) == generation:
            findings.append(Finding("ok", f"{where}: matches catalog generation {generation}"))
        else:
            findings.append(
                Finding(
                    "problem",
                    f"{where}: index of catalog generation {state['generation']}, the catalog is at {generation}; "
                    f"run `arkiv index --archive {archive}`",
                )
            )
    return findings


def _leftover_findings(archive: Path) -> list[Finding]:
    holder, held = lock_holder(archive)
    if held:
        who = holder.line() if holder else "another process"
        return [Finding("note", f"{archive}: {who} is writing into the archive now; leftovers are not checked")]
    findings = []
    if holder is not None:
        findings.append(
            Finding("note", f"{archive}: a stale lock entry from {holder.line()}, which has ended; it blocks nothing")
        )
    scratch = archive / SCRATCH_DIR
    if scratch.is_dir() and any(scratch.iterdir()):
        findings.append(Finding("problem", f"{scratch}: scratch files left by a stopped import"))
    findings += [
        Finding("problem", f"{path}: an index folder left by a stopped build") for path in leftover_builds(archive)
    ]
    if (archive / REPAIR_DIR).exists():
        findings.append(Finding("problem", f"{archive / REPAIR_DIR}: left by a stopped repair"))
    return findings


def diagnose(archive: Path, *, full: bool = False) -> list[Finding]:
    """Every finding about the archive, without writing anything."""
    catalog, generation = _catalog_findings(archive, full)
    return catalog + _index_findings(archive, generation) + _leftover_findings(archive)


def _catalog_damaged(findings: list[Finding]) -> bool:
    return any(f.level == "problem" and CATALOG_FILE in f.text.split(":", 1)[0] for f in findings)


def _remove_leftovers(archive: Path) -> list[str]:
    removed = []
    for path in [archive / SCRATCH_DIR, archive / REPAIR_DIR, *leftover_builds(archive)]:
        if path.is_symlink():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        else:
            continue
        removed.append(f"removed {path}")
    return removed


def repair(archive: Path, findings: list[Finding]) -> list[str]:
    """Salvage a damaged catalog, remove leftovers, rebuild the index; what was done, one line each."""
    done = _remove_leftovers(archive)
    catalog_damaged = _catalog_damaged(findings)
    if catalog_damaged:
        report = salvage_catalog(archive)
        done.append(summary_line(report))
        roots = " ".join(report.roots) or "SOURCE-FOLDERS"
        done.append(
            f"next: run `arkiv ingest {roots} --archive {archive}` to parse again the {report.reparse} files whose "
            "records were lost and any files whose paths were lost"
        )
    else:
        Catalog.open(archive, verify=True).close()
    stale_index = any(f.level == "problem" and "/index/" in f.text for f in findings)
    if catalog_damaged or stale_index:
        for engine in existing_engines(archive) or ["whoosh"]:
            r = build_index(archive, engine)
            done.append(f"rebuilt the {engine} index: {r.total} documents (catalog generation {r.generation})")
    return done


@cli.command("doctor")
@archive_option
@click.option("--full", is_flag=True, help="Run SQLite's full integrity_check instead of quick_check (slower).")
@click.option(
    "--repair", "do_repair", is_flag=True, help="Salvage a damaged catalog, remove leftovers and rebuild the index."
)
@wait_option
def doctor_command(archive: str | None, full: bool, do_repair: bool, wait: float) -> None:
    """Check the archive: catalog integrity, schema, counts, index generation, stale lock and leftovers.

    One line per finding (ok, note, problem); exit 0 when healthy, 1 when not.
    With --repair (under the archive lock) a damaged catalog is moved aside as
    catalog.sqlite.damaged-<timestamp> (never deleted), every readable record
    is copied into a fresh catalog, leftovers are removed and the index is
    rebuilt; then run `arkiv ingest` on the sources to parse again what was lost.

    Example:

        arkiv doctor --archive arkiv-data

        arkiv doctor --archive arkiv-data --repair
    """
    target = archive_dir(archive)
    if not target.is_dir():
        raise ArkivError(f"{target}: no archive here (not a folder)")
    findings = diagnose(target, full=full)
    for finding in findings:
        click.echo(finding.line())
    problems = [f for f in findings if f.level == "problem"]
    if not do_repair:
        if problems:
            raise ArkivError(f"{target}: {len(problems)} problems; run `arkiv doctor --repair --archive {target}`")
        click.echo(f"{target}: healthy", err=True)
        return
    try:
        with writer_lock(target, "arkiv doctor --repair", wait):
            done = repair(target, diagnose(target, full=full))
    except (CatalogError, EngineError, OSError) as e:
        raise ArkivError(f"{target}: repair failed: {e}") from e
    for line in done:
        click.echo(line)
    click.echo(f"{target}: repaired" if done else f"{target}: nothing to repair", err=True)
