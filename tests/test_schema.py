"""The published JSON Schema of `arkiv parse --json` accepts every gold record and rejects bad ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from parsers.records import DocumentRecord, Source
from parsers.serialize import record_to_dict

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "parsers" / "schema" / "record.schema.json").read_text(encoding="utf-8"))
GOLDS = sorted((ROOT / "corpus" / "sample").rglob("*.gold.json"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _meeting_gold() -> dict:
    for path in GOLDS:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["kind"] == "meeting" and any(i["decision"] for m in data["meetings"] for i in m["items"]):
            return data
    raise AssertionError("the sample has no referat with decisions")


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_gold_record_validates():
    assert GOLDS
    for path in GOLDS:
        errors = list(VALIDATOR.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].absolute_path)}"


def test_serializer_output_of_a_minimal_record_validates():
    record = DocumentRecord(
        source=Source(path="x.pdf", sha256="0" * 64, format="pdf", page_count=1, parser_version="0.1.0"),
        kind="other",
        title=None,
        text="Notat",
    )
    VALIDATOR.validate(record_to_dict(record))


def _set(data: dict, path: list, value) -> dict:
    bad = copy.deepcopy(data)
    target = bad
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return bad


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["kind"], "agenda"),
        (["format_version"], 2),
        (["source", "sha256"], "not-a-hash"),
        (["source", "format"], "doc"),
        (["meetings", 0, "date"], "10.03.2021"),
        (["meetings", 0, "start_time"], "17"),
        (["meetings", 0, "document_type"], "protokol"),
        (["meetings", 0, "items", 0, "number"], -1),
        (["meetings", 0, "items", 0, "pages"], [0]),
        (["meetings", 0, "items", 0, "closed"], "no"),
        (["meetings", 0, "items", 0, "case_numbers"], [{"raw": "22/23184"}]),
        (["meetings", 0, "items", 0, "title"], _DELETE),
        (["meetings", 0, "items", 0, "surprise"], 1),
        (["meetings"], []),
        (["status"], "failed"),
    ],
)
def test_schema_rejects_a_bad_record(path, value):
    good = _meeting_gold()
    VALIDATOR.validate(good)
    bad = _set(good, path, value)
    assert list(VALIDATOR.iter_errors(bad)), f"schema accepted {path} = {value!r}"


def test_schema_rejects_meetings_in_a_document_of_kind_other():
    other = next(json.loads(p.read_text(encoding="utf-8")) for p in GOLDS if '"kind": "other"' in p.read_text("utf-8"))
    VALIDATOR.validate(other)
    other["meetings"] = _meeting_gold()["meetings"]
    assert list(VALIDATOR.iter_errors(other))


def test_schema_rejects_a_bad_decision_date():
    good = _meeting_gold()
    for meeting in good["meetings"]:
        for item in meeting["items"]:
            if item["decision"]:
                item["decision"]["date"] = "11-09-2023"
                assert list(VALIDATOR.iter_errors(good))
                return
    raise AssertionError("no decision found")
