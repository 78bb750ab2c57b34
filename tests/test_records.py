"""The record contract: validation and the JSON round trip."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.records import (
    FORMAT_VERSION,
    Block,
    CaseNumber,
    Decision,
    DocumentRecord,
    Item,
    Meeting,
    Section,
    Source,
    document_key,
    item_key,
)
from parsers.serialize import dumps_indented, record_from_json, record_to_dict, record_to_json

SOURCE = Source(path="a.pdf", sha256="ab" * 32, format="pdf", page_count=3, parser_version="0.1.0")


def make_record() -> DocumentRecord:
    item = Item(
        number=2,
        title="Øvrige sager",
        case_numbers=(CaseNumber(raw="20/057417-5", normalized="20/057417"),),
        sections=(Section(heading="Baggrund", text="Udmøntning af sygefraværspulje"),),
        decision=Decision(text="Direktionen godkendte.", body="Direktionen", date="2023-09-11"),
        pages=(3, 4),
    )
    meeting = Meeting(body="Direktionen", document_type="referat", date="2023-09-11", start_time="09:00", items=(item,))
    return DocumentRecord(source=SOURCE, kind="meeting", meetings=(meeting,), title="REFERAT Direktionen")


def test_json_round_trip_keeps_everything():
    record = make_record()
    assert record_from_json(record_to_json(record)) == record


def test_json_carries_format_version_and_danish_letters_unescaped():
    text = record_to_json(make_record())
    assert json.loads(text)["format_version"] == 1
    assert "Øvrige" in text


def test_json_keys_are_the_published_contract():
    data = record_to_dict(make_record())
    assert set(data) >= {"format_version", "source", "kind", "meetings"}
    meeting = data["meetings"][0]
    assert set(meeting) >= {
        "body",
        "municipality",
        "document_type",
        "date",
        "start_time",
        "location",
        "participants",
        "absent",
        "case_numbers",
        "items",
    }
    assert set(meeting["items"][0]) >= {
        "number",
        "title",
        "case_numbers",
        "closed",
        "sections",
        "decision",
        "attachments",
        "pages",
    }
    assert meeting["items"][0]["case_numbers"] == [{"raw": "20/057417-5", "normalized": "20/057417"}]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Meeting(body="X", document_type="protokol", date=None),  # type: ignore[arg-type]
        lambda: Meeting(body="X", document_type="referat", date="11-09-2023"),
        lambda: Meeting(body="X", document_type="referat", date=None, start_time="9.00"),
        lambda: Decision(text="x", body=None, date="2023/09/11"),
        lambda: Block(text="  ", page=1),
        lambda: Block(text="x", page=0),
        lambda: DocumentRecord(source=SOURCE, kind="meeting"),
        lambda: CaseNumber(raw="", normalized=""),
    ],
)
def test_invalid_values_are_rejected(build):
    with pytest.raises(ValueError):
        build()


def test_keys_are_stable_and_positional():
    assert item_key("ab" * 32, 0, 3) == "abababababababab-0-3"
    assert document_key("ab" * 32) == "abababababababab"


@given(st.text(min_size=1).filter(str.strip), st.integers(min_value=0, max_value=999))
def test_item_title_survives_round_trip(title, number):
    meeting = Meeting(body=None, document_type="dagsorden", date=None, items=(Item(number=number, title=title),))
    record = DocumentRecord(source=SOURCE, kind="meeting", meetings=(meeting,))
    assert record_from_json(record_to_json(record)) == record


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(_JSON_VALUES)
def test_indented_json_is_the_standard_librarys(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@given(st.dictionaries(st.integers() | st.floats() | st.booleans() | st.none(), st.integers(), max_size=4))
def test_indented_json_writes_other_keys_as_the_standard_library(value: dict[object, int]) -> None:
    try:
        expected = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    except TypeError:  # keys of several types cannot be sorted
        return
    assert dumps_indented(value) == expected


def test_record_dict_is_that_of_dataclasses_asdict() -> None:
    """``record_to_dict`` converts in one pass what ``dataclasses.asdict`` and a tuple-to-list pass gave."""
    record = make_record()

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    assert record_to_dict(record) == {"format_version": FORMAT_VERSION, **plain(dataclasses.asdict(record))}
    assert record_to_json(record) == json.dumps(record_to_dict(record), ensure_ascii=False, indent=2, sort_keys=True)
