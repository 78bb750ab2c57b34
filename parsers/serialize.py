"""JSON in and out for ``DocumentRecord`` (the ``arkiv parse --json`` shape)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from parsers.records import (
    FORMAT_VERSION,
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    HistoryEntry,
    Item,
    Meeting,
    Problem,
    Section,
    Source,
)


def _plain(value: Any) -> Any:
    """Dataclass fields as JSON types: tuples become lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record_to_dict(record: DocumentRecord) -> dict[str, Any]:
    """The record as plain JSON types (the ``arkiv parse --json`` shape)."""
    return {"format_version": FORMAT_VERSION, **_plain(asdict(record))}


def record_to_json(record: DocumentRecord, *, indent: int | None = 2) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, indent=indent, sort_keys=True)


def _case_numbers(rows: list[dict[str, Any]]) -> tuple[CaseNumber, ...]:
    return tuple(CaseNumber(raw=r["raw"], normalized=r["normalized"]) for r in rows)


def _attachment(d: dict[str, Any]) -> Attachment:
    return Attachment(
        title=d["title"],
        number=d.get("number"),
        access=d.get("access"),
        document_number=d.get("document_number"),
        date=d.get("date"),
        closed=d.get("closed", False),
        file=d.get("file"),
    )


def _item(d: dict[str, Any]) -> Item:
    decision = d.get("decision")
    return Item(
        number=d["number"],
        title=d["title"],
        case_numbers=_case_numbers(d.get("case_numbers", [])),
        closed=d.get("closed", False),
        sections=tuple(Section(heading=s.get("heading"), text=s["text"]) for s in d.get("sections", [])),
        decision=Decision(**decision) if decision else None,
        attachments=tuple(_attachment(a) for a in d.get("attachments", [])),
        pages=tuple(d.get("pages", [])),
        category=d.get("category"),
        closed_reason=d.get("closed_reason"),
        closed_review=d.get("closed_review", False),
        history=tuple(
            HistoryEntry(h.get("body"), h.get("date"), h.get("number"), h["text"]) for h in d.get("history", [])
        ),
    )


def _meeting(d: dict[str, Any]) -> Meeting:
    return Meeting(
        body=d.get("body"),
        document_type=d["document_type"],
        date=d.get("date"),
        items=tuple(_item(i) for i in d.get("items", [])),
        municipality=d.get("municipality"),
        start_time=d.get("start_time"),
        end_time=d.get("end_time"),
        location=d.get("location"),
        participants=tuple(d.get("participants", [])),
        absent=tuple(d.get("absent", [])),
        case_numbers=_case_numbers(d.get("case_numbers", [])),
    )


def _source(d: dict[str, Any]) -> Source:
    return Source(**{**d, "ocr_pages": tuple(d.get("ocr_pages", ()))})


def record_from_dict(data: dict[str, Any]) -> DocumentRecord:
    version = data.get("format_version", FORMAT_VERSION)
    if version > FORMAT_VERSION:
        raise ValueError(f"record format_version {version} is newer than this program ({FORMAT_VERSION})")
    return DocumentRecord(
        source=_source(data["source"]),
        kind=data["kind"],
        meetings=tuple(_meeting(m) for m in data.get("meetings", [])),
        title=data.get("title"),
        text=data.get("text", ""),
        status=data.get("status", "ok"),
        problems=tuple(Problem(**p) for p in data.get("problems", [])),
    )


def record_from_json(text: str) -> DocumentRecord:
    return record_from_dict(json.loads(text))
