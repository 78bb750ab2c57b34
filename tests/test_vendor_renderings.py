"""Real minutes printed in five vendors' styles (``tests/vendor_render.py``), parsed and scored.

Every print is scored against its gold record with ``parsers.evaluation.compare`` (the
``arkiv eval`` scoring; item pages are left out, the prints do not record them) and
checked field by field: one meeting per file, its head (date, times, place, names
without party letters and roles), item numbers, titles, case numbers and closed flags.
Fields of the item body that depend on the section rules (attachments, decision text,
case history) are checked in tests of their own.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from parsers import parse_file
from parsers.bodies import find_body
from parsers.evaluation import compare
from parsers.records import DocumentRecord

sys.path.insert(0, str(Path(__file__).parent))
from esdh_render import load_meeting  # noqa: E402
from vendor_render import VENDORS, VendorMeeting, VendorStyle, from_esdh, gold_record, load_firstagenda  # noqa: E402

REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"
pytestmark = pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is not available")

# (source id, how to load it); the committee's reader name and the municipality come with the source
SOURCES = ("regionh-fu", "aarhus-tu")
VENDOR_IDS = [f"{v.name}-{v.suffix}" for v in VENDORS]
# what each vendor's prints must score at least (mean field F1 over the fields with values)
MIN_SCORE = 0.9


def _source(name: str) -> VendorMeeting:
    if name == "regionh-fu":
        exported = load_meeting(REALDOCS / "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml")
        return from_esdh(exported, "Forretningsudvalget", "Region Hovedstaden")
    return load_firstagenda(REALDOCS / "aarhus_teknisk-udvalg_referat_2025-10-01.html", "Aarhus Kommune")


def _print(name: str, style: VendorStyle, tmp_path: Path) -> tuple[VendorMeeting, DocumentRecord, DocumentRecord]:
    """The source meeting, its gold record and the parsed record of ``style``'s print."""
    meeting = _source(name)
    path = tmp_path / f"{name}-{style.name}.{style.suffix}"
    style.render(meeting, path)
    return meeting, gold_record(meeting, path, style), parse_file(path)


def _without_pages(record: DocumentRecord) -> DocumentRecord:
    meetings = tuple(replace(m, items=tuple(replace(i, pages=()) for i in m.items)) for m in record.meetings)
    return replace(record, meetings=meetings)


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("style", VENDORS, ids=VENDOR_IDS)
def test_print_is_one_meeting_with_its_head(name: str, style: VendorStyle, tmp_path: Path) -> None:
    _, gold, got = _print(name, style, tmp_path)
    assert got.kind == "meeting"
    assert len(got.meetings) == 1, [(m.body, m.date, len(m.items)) for m in got.meetings]
    expected, parsed = gold.meetings[0], got.meetings[0]
    assert (parsed.body, parsed.document_type, parsed.date) == (expected.body, "referat", expected.date)
    assert (parsed.start_time, parsed.end_time) == (expected.start_time, expected.end_time)
    assert parsed.location == expected.location
    assert parsed.municipality == expected.municipality
    assert parsed.participants == expected.participants
    assert parsed.absent == expected.absent


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("style", VENDORS, ids=VENDOR_IDS)
def test_print_gives_the_items(name: str, style: VendorStyle, tmp_path: Path) -> None:
    _, gold, got = _print(name, style, tmp_path)
    expected, parsed = gold.meetings[0], got.meetings[0]
    assert [(i.number, i.title) for i in parsed.items] == [(i.number, i.title) for i in expected.items]
    assert [[c.normalized for c in i.case_numbers] for i in parsed.items] == [
        [c.normalized for c in i.case_numbers] for i in expected.items
    ]
    assert [i.closed for i in parsed.items] == [i.closed for i in expected.items]


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("style", VENDORS, ids=VENDOR_IDS)
def test_print_scores_as_eval_does(name: str, style: VendorStyle, tmp_path: Path) -> None:
    """The ``arkiv eval`` score of the print, head and item fields scored separately."""
    _, gold, got = _print(name, style, tmp_path)
    score = compare(gold, _without_pages(got))
    head_fields = ("kind", "body", "document_type", "date", "start_time", "end_time", "location", "municipality")
    head_fields += ("participants", "absent", "item_numbers", "item_titles", "case_numbers", "closed")
    assert all(score.fields[f].f1 == 1.0 for f in head_fields), score.differences
    assert score.score >= MIN_SCORE, score.differences


def _words(text: str | None) -> str | None:
    """Text with whitespace collapsed, as ``arkiv eval`` compares it (paragraph breaks are layout)."""
    return " ".join(text.split()) if text is not None else None


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("style", VENDORS, ids=VENDOR_IDS)
def test_print_keeps_decisions_and_bilag(name: str, style: VendorStyle, tmp_path: Path) -> None:
    """Decision text (FirstAgenda "Beslutninger" up to the next heading) and one attachment per bilag line."""
    _, gold, got = _print(name, style, tmp_path)
    for expected, item in zip(gold.meetings[0].items, got.meetings[0].items, strict=True):
        assert _words(item.decision.text if item.decision else None) == _words(
            expected.decision.text if expected.decision else None
        ), item.number
        assert [a.title for a in item.attachments] == [a.title for a in expected.attachments], item.number


@pytest.mark.parametrize("style", [v for v in VENDORS if v.name == "firstagenda"], ids=["firstagenda-pdf"])
def test_firstagenda_case_history(style: VendorStyle, tmp_path: Path) -> None:
    """ "Udvalg: / Dato: / Punktnummer: / text" inside an item: its earlier treatments, the body
    normalized as ``Meeting.body`` is ("Aarhus Byråd" -> "Byrådet")."""
    meeting, _, got = _print("aarhus-tu", style, tmp_path)
    for expected, item in zip(meeting.items, got.meetings[0].items, strict=True):
        history = getattr(item, "history", None)
        assert history is not None, "items carry no case history"
        assert [(h.body, h.date, h.number) for h in history] == [
            (find_body(h.body)[0] or h.body, h.date, h.number) for h in expected.history
        ]


@pytest.mark.parametrize(
    "labels",
    [("Deltagere", "Afbud/Fraværende"), ("Tilstede", "Fraværende:"), ("Deltagere:", "Afbud/Fraværende:")],
    ids=["no-colon", "mixed", "slash"],
)
def test_edoc_name_lists_under_any_caption(labels: tuple[str, str], tmp_path: Path) -> None:
    """Names with party letters and roles under "Tilstede"/"Deltagere"/"Afbud/Fraværende", colon or not."""
    from vendor_render import render_edoc_samlet_pdf

    exported = load_meeting(REALDOCS / "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml")
    meeting = from_esdh(exported, "IT-udvalget", "Ballerup Kommune")
    path = tmp_path / "edoc.pdf"
    render_edoc_samlet_pdf(meeting, path, labels)
    (got,) = parse_file(path).meetings
    assert any(p.party for p in meeting.participants) and any(p.role for p in meeting.participants)
    assert got.participants == tuple(p.name for p in meeting.participants)
    assert got.absent == tuple(p.name for p in meeting.absent)
    assert (got.location, got.start_time, got.end_time) == (meeting.location, meeting.start, meeting.end)
