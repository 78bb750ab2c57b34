"""What ``arkiv status`` shows: totals, the quarantine and suspicious output, read from the catalog.

Suspicious output is a parse that succeeded but looks wrong to a person:

* ``no-items``: a meeting with no agenda items;
* ``no-decisions``: a referat none of whose open items has a decision;
* ``date-outside-years``: a meeting date outside the archive's years (given
  as ``years``, else 1970 to next year);
* ``date-not-in-path``: the path names one or more years (a folder ``2021/``
  or ``..._2021-03-10.pdf``) and the meeting's year is more than one year away
  from all of them;
* ``unreadable-pages``: pages the extractor could not read while it read the
  rest (a damaged content stream): the parse is partial and their text is
  missing (problem ``W005`` of the record);
* ``low-ocr-confidence``: scanned pages read by OCR with a mean word
  confidence below ``parsers.ocr.LOW_CONFIDENCE`` (``source.ocr_confidence``).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from ingest.catalog import Catalog
from parsers.ocr import LOW_CONFIDENCE
from parsers.pdf_extractor import PAGE_ERROR

__all__ = ["StatusReport", "catalog_status"]

_PATH_YEAR = re.compile(r"(?<![0-9A-Za-z])(19[5-9]\d|20\d\d)(?!\d)")


@dataclass(frozen=True)
class StatusReport:
    totals: dict[str, Any]
    by_format: list[dict[str, Any]]
    by_status: list[dict[str, Any]]
    by_year: list[dict[str, Any]]
    by_body: list[dict[str, Any]]
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    suspicious: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals,
            "by_format": self.by_format,
            "by_status": self.by_status,
            "by_year": self.by_year,
            "by_body": self.by_body,
            "quarantine": self.quarantine,
            "suspicious": self.suspicious,
        }


def _rows(catalog: Catalog, sql: str, columns: tuple[str, ...], params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in catalog.connection.execute(sql, params)]


def catalog_status(catalog: Catalog, years: tuple[int, int] | None = None) -> StatusReport:
    """Totals by format, status, year and body; the quarantine; suspicious output. Present files only."""
    conn = catalog.connection
    present, removed = conn.execute(
        "SELECT coalesce(sum(status = 'present'), 0), coalesce(sum(status = 'removed'), 0) FROM files"
    ).fetchone()
    last_run = conn.execute("SELECT finished_at FROM runs ORDER BY generation DESC LIMIT 1").fetchone()
    totals = {
        "files": present,
        "removed_files": removed,
        "contents": conn.execute("SELECT count(*) FROM contents WHERE live = 1").fetchone()[0],
        "pages": conn.execute("SELECT coalesce(sum(pages), 0) FROM contents WHERE live = 1").fetchone()[0],
        "meetings": conn.execute("SELECT count(*) FROM meetings").fetchone()[0],
        "items": conn.execute("SELECT count(*) FROM items").fetchone()[0],
        "generation": catalog.generation(),
        "last_run": last_run[0] if last_run else None,
    }
    by_format = _rows(
        catalog,
        "SELECT coalesce(c.format, '?') AS f, count(*) FROM files p LEFT JOIN contents c ON c.sha256 = p.sha256 "
        "WHERE p.status = 'present' GROUP BY f ORDER BY count(*) DESC, f",
        ("format", "files"),
    )
    by_status = _rows(
        catalog,
        "SELECT CASE WHEN p.sha256 IS NULL THEN 'quarantined' ELSE c.status END AS s, count(*) "
        "FROM files p LEFT JOIN contents c ON c.sha256 = p.sha256 "
        "WHERE p.status = 'present' GROUP BY s ORDER BY count(*) DESC, s",
        ("status", "files"),
    )
    by_year = _rows(
        catalog,
        "SELECT year, count(*) FROM meetings GROUP BY year ORDER BY year IS NULL, year",
        ("year", "meetings"),
    )
    by_body = _rows(
        catalog,
        "SELECT body, count(*) FROM meetings GROUP BY body ORDER BY count(*) DESC, body IS NULL, body",
        ("body", "meetings"),
    )
    quarantine = _rows(
        catalog,
        "SELECT p.path, coalesce(p.error_code, c.error_code), coalesce(p.error, c.error) "
        "FROM files p LEFT JOIN contents c ON c.sha256 = p.sha256 "
        "WHERE p.status = 'present' AND (p.sha256 IS NULL OR c.status = 'quarantined') ORDER BY p.path",
        ("path", "code", "reason"),
    )
    return StatusReport(
        totals, by_format, by_status, by_year, by_body, quarantine, _suspicious(catalog, years or _default_years())
    )


def _default_years() -> tuple[int, int]:
    return 1970, time.gmtime().tm_year + 1


def _suspicious(catalog: Catalog, years: tuple[int, int]) -> list[dict[str, Any]]:
    conn = catalog.connection
    paths = catalog.present_paths()
    found: list[dict[str, Any]] = []

    def add(sha: str, code: str, message: str) -> None:
        for path in paths.get(sha, ()):
            found.append({"path": path, "code": code, "problem": message})

    meetings = conn.execute(
        "SELECT m.sha256, m.meeting_index, m.body, m.document_type, m.date, m.year, m.item_count, "
        "(SELECT count(*) FROM items i WHERE i.sha256 = m.sha256 AND i.meeting_index = m.meeting_index "
        " AND i.decision_text IS NOT NULL), "
        "(SELECT count(*) FROM items i WHERE i.sha256 = m.sha256 AND i.meeting_index = m.meeting_index "
        " AND i.closed = 0) "
        "FROM meetings m ORDER BY m.sha256, m.meeting_index"
    ).fetchall()
    low, high = years
    for sha, index, body, doc_type, date, year, item_count, decisions, open_items in meetings:
        what = f"meeting {index + 1} ({body or 'no body'}, {doc_type}, {date or 'no date'})"
        if item_count == 0:
            add(sha, "no-items", f"{what} has no agenda items")
        elif doc_type == "referat" and decisions == 0 and open_items > 0:
            add(sha, "no-decisions", f"{what} is a referat with no decisions")
        if year is None:
            continue
        if not low <= year <= high:
            add(sha, "date-outside-years", f"{what} is dated outside the archive's years {low}-{high}")
            continue
        for path in paths.get(sha, ()):
            named = {int(y) for y in _PATH_YEAR.findall(path)}
            if named and all(abs(year - y) > 1 for y in named):
                listed = ", ".join(str(y) for y in sorted(named))
                found.append(
                    {"path": path, "code": "date-not-in-path", "problem": f"{what} but the path names {listed}"}
                )
    unreadable = conn.execute(
        "SELECT sha256, group_concat(page, ', ') FROM "
        "(SELECT DISTINCT sha256, page FROM problems WHERE code = ? ORDER BY sha256, page) GROUP BY sha256",
        (PAGE_ERROR,),
    ).fetchall()
    for sha, pages in unreadable:
        add(sha, "unreadable-pages", f"page {pages} could not be read; the text there is missing or incomplete")
    for sha, confidence, pages in _low_ocr_confidence(catalog):
        add(
            sha,
            "low-ocr-confidence",
            f"OCR of page {pages} has a mean word confidence of {confidence:.1f} "
            f"(below {LOW_CONFIDENCE:g}); check the text against the scan",
        )
    found.sort(key=lambda r: (r["path"], r["code"]))
    return found


def _low_ocr_confidence(catalog: Catalog) -> list[tuple[str, float, str]]:
    """Contents whose OCR'd pages have a mean word confidence below ``parsers.ocr.LOW_CONFIDENCE``."""
    rows = catalog.connection.execute(
        "SELECT sha256, json_extract(record_json, '$.source.ocr_confidence'), "
        "json_extract(record_json, '$.source.ocr_pages') FROM contents "
        "WHERE live = 1 AND record_json IS NOT NULL AND json_extract(record_json, '$.source.ocr_confidence') < ? "
        "ORDER BY sha256",
        (LOW_CONFIDENCE,),
    ).fetchall()
    return [(sha, float(confidence), ", ".join(str(p) for p in json.loads(pages))) for sha, confidence, pages in rows]
