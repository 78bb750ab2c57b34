"""JSON in and out for ``DocumentRecord`` (the ``arkiv parse --json`` shape)."""

from __future__ import annotations

import json
import math
from dataclasses import fields, is_dataclass
from json.encoder import encode_basestring as _escape  # type: ignore[attr-defined]
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

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A record's value as JSON types in one pass: a dataclass as the dict of its fields, tuples as lists
    (what ``dataclasses.asdict`` followed by a tuple-to-list pass gives, without its deep copies)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def record_to_dict(record: DocumentRecord) -> dict[str, Any]:
    """The record as plain JSON types (the ``arkiv parse --json`` shape)."""
    return {"format_version": FORMAT_VERSION, **_plain(record)}


def record_to_json(record: DocumentRecord, *, indent: int | None = 2) -> str:
    data = record_to_dict(record)
    if indent == 2:
        return dumps_indented(data)
    return json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=True)


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return float.__repr__(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float_text(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def dumps_indented(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)``, the same text, about twice as
    fast: with an indent the standard library encodes in Python through nested generators; this writes
    the pieces into one list (strings by the same C escaper). ``tests/test_serialize.py`` compares them."""
    out: list[str] = []
    write = out.append

    def encode(o: Any, level: int) -> None:
        if isinstance(o, str):
            write(_escape(o))
        elif o is None:
            write("null")
        elif o is True:
            write("true")
        elif o is False:
            write("false")
        elif isinstance(o, int):
            write(int.__repr__(o))
        elif isinstance(o, float):
            write(_float_text(o))
        elif isinstance(o, (list, tuple)):
            if not o:
                write("[]")
                return
            inner = "\n" + "  " * (level + 1)
            write("[" + inner)
            first = True
            for item in o:
                if not first:
                    write("," + inner)
                first = False
                encode(item, level + 1)
            write("\n" + "  " * level + "]")
        elif isinstance(o, dict):
            if not o:
                write("{}")
                return
            inner = "\n" + "  " * (level + 1)
            write("{" + inner)
            first = True
            for key, item in sorted(o.items()):
                if not first:
                    write("," + inner)
                first = False
                write(_escape(_key_text(key)) + ": ")
                encode(item, level + 1)
            write("\n" + "  " * level + "}")
        else:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    encode(value, 0)
    return "".join(out)


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
