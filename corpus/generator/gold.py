"""The gold record of a generated file, built from the data that produced it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from corpus.generator import content as c
from corpus.generator.families import BuiltDoc
from corpus.generator.layout import Rendered
from parsers.records import (
    Attachment,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Section,
    Source,
)
from parsers.serialize import record_to_json

GOLD_PARSER_VERSION = "gold"
GOLD_SUFFIX = ".gold.json"


def _cases(raws: list[str]) -> tuple[CaseNumber, ...]:
    return tuple(CaseNumber(raw=r, normalized=c.normalize_case(r)) for r in raws)


def _item(item: c.ItemData, pages: tuple[int, ...]) -> Item:
    return Item(
        number=item.number,
        title=item.title,
        case_numbers=_cases(item.case_numbers),
        closed=item.closed,
        sections=tuple(Section(heading=s.heading, text=s.gold_text()) for s in item.sections),
        decision=Decision(item.decision.text, item.decision.body, item.decision.date) if item.decision else None,
        attachments=tuple(Attachment(title=a) for a in item.attachments),
        pages=pages,
        category=item.category,
        # the generator marks a closed item by its group ("Lukkede punkter") or by its title ("Lukket punkt")
        closed_reason=(item.category or item.title) if item.closed else None,
    )


def _meeting(mi: int, m: c.MeetingData, rendered: Rendered) -> Meeting:
    return Meeting(
        body=m.body,
        document_type=m.document_type,
        date=m.date,
        items=tuple(_item(it, rendered.pages_of((mi, ii))) for ii, it in enumerate(m.items)),
        municipality=m.municipality.name if m.municipality else None,
        start_time=m.start_time,
        end_time=m.end_time,
        location=m.location,
        participants=tuple(m.participants),
        absent=tuple(m.absent),
        case_numbers=_cases(m.case_numbers),
    )


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gold_record(built: BuiltDoc, rendered: Rendered, path: Path, relpath: str, fmt: str) -> DocumentRecord:
    source = Source(
        path=relpath,
        sha256=sha256_file(path),
        format=fmt,  # type: ignore[arg-type]
        page_count=rendered.page_count,
        parser_version=GOLD_PARSER_VERSION,
    )
    if built.kind == "other":
        return DocumentRecord(source=source, kind="other", title=built.title, text=built.text)
    meetings = tuple(_meeting(mi, m, rendered) for mi, m in enumerate(built.meetings))
    return DocumentRecord(source=source, kind="meeting", meetings=meetings, title=built.title)


def write_gold(record: DocumentRecord, path: Path) -> Path:
    gold = path.with_name(path.name + GOLD_SUFFIX)
    gold.write_text(record_to_json(record) + "\n", encoding="utf-8")
    return gold
