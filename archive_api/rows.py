"""How index documents are shown, the same for ``arkiv`` and ``arkiv serve``: result rows, the chronological
order of a case, the rows of a case history, the export frame and the year × body counts.

Pure functions over ``IndexDoc``; no engine, no printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from index.documents import EarlierStep, IndexDoc, earlier_steps
from index.linked import shown_bilag

__all__ = [
    "EXPORT_COLUMNS",
    "HIT_COLUMNS",
    "StatsTable",
    "case_rows",
    "chronological",
    "export_frame",
    "row",
    "show_data",
    "source_label",
    "stats_table",
    "step_row",
]

HIT_COLUMNS = ("rank", "id", "date", "body", "type", "item", "title", "cases", "snippet", "source", "in_bilag")
EXPORT_COLUMNS = (
    "id",
    "date",
    "year",
    "body",
    "municipality",
    "document_type",
    "item_number",
    "title",
    "case_numbers",
    "closed",
    "outcome",
    "max_amount",
    "laws",
    "decision",
    "attachments",
    "source_path",
    "pages",
    "text",
)


def source_label(doc: IndexDoc) -> str:
    """The source path with the item's pages: ``/arkiv/a.pdf p. 3-4``."""
    if not doc.pages:
        return doc.source_path
    pages = doc.pages
    span = str(pages[0]) if len(pages) == 1 else f"{pages[0]}-{pages[-1]}"
    return f"{doc.source_path} p. {span}"


def row(doc: IndexDoc) -> dict[str, Any]:
    """The keys every listing of items carries (``arkiv search --json`` hits, case rows, ``show``)."""
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
        "source": source_label(doc),
        "source_path": doc.source_path,
        "pages": list(doc.pages),
    }


def chronological(docs: Sequence[IndexDoc]) -> list[IndexDoc]:
    """Date order (undated last), then document type, source file and item number."""
    return sorted(docs, key=lambda d: (d.date or "9999", d.document_type, d.source_path, d.item_number or 0))


def step_row(step: EarlierStep) -> dict[str, Any]:
    """An earlier treatment known from a later item's printed history, as a case row of type "history"."""
    later = step.printed_in
    return {
        **row(later),
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
        "source": f"printed in {later.date or '?'} {later.body or '-'} item {later.item_number}: {source_label(later)}",
    }


def case_rows(docs: Sequence[IndexDoc]) -> list[dict[str, Any]]:
    """The timeline of one case: every item of ``docs`` and every earlier treatment their printed history
    names that the archive does not hold, in date order (a history step before an item of the same date)."""
    ordered = chronological(docs)
    rows = []
    for doc in ordered:
        decision = (doc.details.get("decision") or {}) if doc.details else {}
        rows.append(
            {
                **row(doc),
                "decision": decision.get("text") or "",
                "decision_body": decision.get("body"),
                "from_later_document": False,
            }
        )
    rows += [step_row(step) for step in earlier_steps(ordered)]
    rows.sort(key=lambda r: (r["date"] or "9999", r["type"] != "history", r["type"], r["source_path"], r["item"] or 0))
    return rows


def show_data(doc: IndexDoc) -> dict[str, Any]:
    """One item in full, as ``arkiv show --json`` prints it."""
    data = {**row(doc), "text": doc.text, "decision": doc.decision, "attachments": list(doc.attachments)}
    data.update(doc.details)
    if "bilag" in data:
        data["bilag"] = shown_bilag(doc)
    return data


def export_frame(docs: Sequence[IndexDoc]) -> Any:
    """A pandas frame of ``docs`` in chronological order, one row per item, columns ``EXPORT_COLUMNS``."""
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
        for d in chronological(docs)
    ]
    frame = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    frame["item_number"] = frame["item_number"].astype("Int64")
    return frame


@dataclass(frozen=True)
class StatsTable:
    """Counts of items by year and body, with "total" margins (empty when nothing matches)."""

    total: int  # matching items
    columns: tuple[str, ...]  # "year", then the bodies in name order, then "total"
    rows: tuple[dict[str, Any], ...]  # one per year (ascending) and a last "total" row
    nested: dict[str, dict[str, int]]  # year → body → count (with the "total" margins)

    def year_totals(self) -> dict[str, int]:
        """Year → items, without the "total" row."""
        return {str(r["year"]): int(r.get("total", 0)) for r in self.rows if r["year"] != "total"}

    def bodies(self) -> list[str]:
        return [c for c in self.columns[1:] if c != "total"]


def stats_table(docs: Sequence[IndexDoc]) -> StatsTable:
    """Year × body counts of ``docs`` (year "unknown" and body "unknown" where not stated)."""
    import pandas as pd

    frame = pd.DataFrame(
        {"year": [str(d.year) if d.year else "unknown" for d in docs], "body": [d.body or "unknown" for d in docs]}
    )
    if frame.empty:
        table = pd.DataFrame()
    else:
        table = pd.crosstab(frame["year"], frame["body"], margins=True, margins_name="total")
    nested = {str(y): {str(b): int(v) for b, v in r.items()} for y, r in table.iterrows()}
    rows = tuple({"year": str(y), **{str(b): int(v) for b, v in r.items()}} for y, r in table.iterrows())
    columns = ("year", *[str(c) for c in table.columns])
    return StatsTable(total=len(docs), columns=columns, rows=rows, nested=nested)
