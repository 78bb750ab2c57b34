"""A small real archive for the web tests: three real documents ingested and indexed by `arkiv`.

* a FirstAgenda-style referat PDF (Teknisk Udvalg, 1 October 2025) whose item 1 prints the case's
  earlier treatments and a bilag list (case EMN-2025-010561); no closed item, no CPR number;
* the Magistraten referat DOCX of 2 June 2025 that the history names (item 7 of the same case);
* an ESDH-style dagsorden PDF (Økonomiudvalget, 1 March 2023) with a closed item whose title carries
  ``SECRET`` and an open item whose text carries the CPR number ``CPR``;
* a memo PDF (not a meeting) marked "Fortroligt", about ``MEMO_SECRET``: closed as a whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from esdh_render import EsdhField, EsdhItem, EsdhMeeting, render_pdf  # noqa: E402
from test_bilag_decisions_history import (  # noqa: E402
    CASE,
    FIRST_AGENDA_ITEM_1,
    FIRST_AGENDA_ITEM_2,
    _first_agenda_lines,
    _magistraten_docx,
    _print_pdf,
)

from search_cli.cli import cli  # noqa: E402

SECRET = "Zebrafinkesagen"  # in the title of the closed item only
CPR = "010190-1234"  # in the text of an open item
CPR_DIGITS = "0101901234"
MEMO_SECRET = "Kragefjeldet"  # in the memo marked "Fortroligt" only
MEMO_LINES = (
    f"Notat om vejbelysning i {MEMO_SECRET}",
    "Fortroligt",
    f"Forvaltningen har undersøgt vejbelysningen i {MEMO_SECRET}.",
    "Belysningen forbedres i løbet af foråret.",
)
HISTORY_CASE = CASE
PDF_NAME = "teknisk-udvalg_referat_2025-10-01.pdf"
CLOSED_PDF_NAME = "oekonomiudvalget_dagsorden_2023-03-01.pdf"


def _esdh_meeting() -> EsdhMeeting:
    def field(*lines: str) -> tuple[EsdhField, ...]:
        return (EsdhField("Sagsfremstilling", lines),)

    return EsdhMeeting(
        committee="Økonomiudvalget",
        date="2023-03-01",
        start="16:00",
        end="18:00",
        location="Rådhuset, mødelokale 2",
        items=(
            EsdhItem(
                1, "Sygefraværspulje 2023", "23/1001", False, field("Puljen til nedbringelse af sygefravær fordeles.")
            ),
            EsdhItem(
                2,
                "Klage over sagsbehandling",
                "23/1002",
                False,
                field(f"Borgeren med cpr-nr. {CPR} har klaget over sygefravær i hjemmeplejen."),
            ),
            EsdhItem(3, f"{SECRET} om sygefravær", "23/1003", True, field("Sagen behandles for lukkede døre.")),
        ),
        members=("Anna Andersen (A)", "Bo Berg (V)"),
    )


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def import_folder(src: Path, archive: Path) -> Path:
    """``arkiv ingest`` of ``src`` into ``archive`` with one worker (the whoosh index), then the tantivy
    index; returns the archive directory."""
    _run("ingest", str(src), "--jobs", "1", "--archive", str(archive))
    _run("index", "--engine", "tantivy", "--archive", str(archive))
    return archive


def build_archive(folder: Path) -> Path:
    """Write the documents under ``folder/src``, ingest them into ``folder/archive`` and index them with
    both engines; returns the archive directory."""
    src = folder / "src"
    src.mkdir(parents=True)
    lines = _first_agenda_lines(
        "Teknisk Udvalg",
        "1. oktober 2025",
        [
            (1, "Udviklingsplan for Pier 3 - endelig vedtagelse", FIRST_AGENDA_ITEM_1),
            (2, "Grønne arealer på havnen", FIRST_AGENDA_ITEM_2),
        ],
    )
    _print_pdf(src / PDF_NAME, lines, "Teknisk Udvalg - 01-10-2025")
    _magistraten_docx(src / "magistraten_referat_2025-06-02.docx")
    render_pdf(_esdh_meeting(), src / CLOSED_PDF_NAME)
    _print_pdf(src / "notat_vejbelysning.pdf", [(MEMO_LINES[0], "title")] + [(t, "p") for t in MEMO_LINES[1:]], "Notat")
    archive = folder / "archive"
    _run("ingest", str(src), "--archive", str(archive), "--quiet")
    _run("index", "--archive", str(archive), "--quiet")
    _run("index", "--archive", str(archive), "--engine", "tantivy", "--quiet")
    return archive
