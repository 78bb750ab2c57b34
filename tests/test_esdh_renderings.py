"""Real ESDH agenda content (SBSYS and eDoc XML exports) printed in ESDH-like layouts, then parsed.

The truth comes from the XML in ``../shared/realdocs``; ``tests/esdh_render.py`` prints
it as PDF (reportlab) and DOCX (python-docx) the way the SBSYS/eDoc print templates
look, in layouts the corpus generator does not make: a front page and a table of
contents with tab-separated page numbers, items as "N. Titel" or "Punkt N Titel",
headings bold, or not bold but 2 pt larger, or in a table row, or in the DOCX
"Heading 2" style, the case number on a line or in a two-column table.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from parsers import parse_file
from parsers.records import Item, Meeting

sys.path.insert(0, str(Path(__file__).parent))
from esdh_render import EsdhItem, EsdhMeeting, load_meeting, render_docx, render_pdf  # noqa: E402

REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"
XML_FILES = (
    "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml",
    "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml",
    "middelfart_edoc_testudvalg_dagsorden_2017-05-02.xml",
    "aarhus_sbsys_moedesystemgruppen_publication_2016-10-06.xml",
)
# (format, heading variant, options): see tests/esdh_render.py
LAYOUTS: tuple[tuple[str, str, dict[str, bool]], ...] = (
    ("pdf", "bold", {}),
    ("pdf", "larger", {"punkt": True}),
    ("pdf", "table", {}),
    ("pdf", "table", {"punkt": True}),
    ("pdf", "bold", {"colon": True, "split": True}),
    ("pdf", "larger", {"punkt": True, "split": True}),
    ("pdf", "bold", {"long_front": True}),
    ("pdf", "table", {"long_front": True}),
    ("pdf", "bold", {"big": True}),
    ("pdf", "table", {"big": True, "split": True}),
    ("docx", "heading", {}),
    ("docx", "heading", {"colon": True, "split": True}),
    ("docx", "bold", {}),
    ("docx", "bold", {"colon": True, "split": True}),
    ("docx", "heading", {"long_front": True}),
    ("docx", "bold", {"long_front": True}),
    ("docx", "autonumber", {}),
)
LAYOUT_IDS = [f"{fmt}-{variant}-" + "-".join(options or ["plain"]) for fmt, variant, options in LAYOUTS]
_DECISION_CAPTION_RE = re.compile(r"^beslutning$|^beslutning\s+\w|\bbeslutning$", re.IGNORECASE)

pytestmark = pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is not available")


def _meeting(name: str) -> EsdhMeeting:
    return load_meeting(REALDOCS / name)


def _render(
    meeting: EsdhMeeting, tmp_path: Path, fmt: str, variant: str, options: dict[str, bool], document: str
) -> Path:
    path = tmp_path / f"{variant}-{'-'.join(options)}.{fmt}"
    if fmt == "pdf":
        render_pdf(meeting, path, variant, document=document, **options)  # type: ignore[arg-type]
    else:
        docx_options = {k: v for k, v in options.items() if k != "punkt"}  # DOCX: "bold" prints "Punkt N"
        render_docx(meeting, path, variant, document=document, **docx_options)  # type: ignore[arg-type]
    return path


def _expected_body(committee: str) -> str:
    """What a reader calls the committee: its last word in definite form, capitalised ("KMB IT-udvalget")."""
    word = committee.split()[-1]
    if not word.lower().endswith(("et", "en")):
        word += "et"
    return word[:1].upper() + word[1:].lower() if word.isupper() else word[:1].upper() + word[1:]


def _parsed_meeting(path: Path) -> Meeting:
    record = parse_file(path)
    assert record.kind == "meeting", f"{path.name} parsed as {record.kind}"
    assert len(record.meetings) == 1, [m.items for m in record.meetings]
    return record.meetings[0]


def _captions_with_text(item: EsdhItem) -> list[str]:
    return [f.caption for f in item.fields if f.lines]


def _assert_item(expected: EsdhItem, got: Item) -> None:
    assert got.number == expected.number
    assert got.title == expected.title
    assert [c.normalized for c in got.case_numbers] == ([expected.case_number] if expected.case_number else [])
    assert got.closed == expected.closed
    if expected.closed:
        return
    headings = [s.heading for s in got.sections]
    captions = _captions_with_text(expected)
    found = [h for h in headings if h in captions]
    assert list(dict.fromkeys(found)) == captions, headings
    # every printed paragraph of every field, in order; a line of the field text may itself read
    # as a heading ("Baggrund" on its own line, "Label: text"), so headings count as text here
    # and colons are ignored (a heading drops its colon)
    text = " ".join(f"{s.heading or ''} {s.text}" for s in got.sections)
    text = " ".join(text.replace(":", " ").split())
    for sub in expected.sub_items:  # "1.1 Status siden sidst": text of the item, not an item
        assert " ".join(sub.split()) in text, sub
    position = 0
    for field in expected.fields:
        for line in field.lines:
            found = text.find(" ".join(line.replace(":", " ").split()), position)
            assert found >= 0, (field.caption, line)
            position = found


@pytest.mark.parametrize("name", XML_FILES)
@pytest.mark.parametrize(("fmt", "variant", "options"), LAYOUTS, ids=LAYOUT_IDS)
def test_agenda_rendering_parses(name: str, fmt: str, variant: str, options: dict[str, bool], tmp_path: Path) -> None:
    truth = _meeting(name)
    got = _parsed_meeting(_render(truth, tmp_path, fmt, variant, options, "Dagsorden"))
    assert got.document_type == "dagsorden"
    assert got.date == truth.date
    assert (got.start_time, got.end_time) == (truth.start, truth.end)
    assert got.location == truth.location
    assert got.body == _expected_body(truth.committee)
    # one name per entry, party letters in parentheses dropped
    assert got.participants == tuple(" ".join(re.sub(r"\([^)]*\)", "", m).split()) for m in truth.members)
    assert [i.number for i in got.items] == [i.number for i in truth.items]
    for expected, item in zip(truth.items, got.items, strict=True):
        _assert_item(expected, item)
        assert item.decision is None  # an agenda records no decisions


@pytest.mark.parametrize(("fmt", "variant", "options"), LAYOUTS[::3], ids=LAYOUT_IDS[::3])
def test_minutes_rendering_keeps_decisions(fmt: str, variant: str, options: dict[str, bool], tmp_path: Path) -> None:
    """Printed as "Referat", the committee's own decision field is the decision.

    Where "FORRETNINGSUDVALGETS BESLUTNING" stands empty the item has no decision, even
    when the case text quotes another body's bold "Beslutning" (item 4).
    """
    truth = _meeting("regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml")
    got = _parsed_meeting(_render(truth, tmp_path, fmt, variant, options, "Referat"))
    assert got.document_type == "referat"
    assert got.body == "Forretningsudvalget"
    checked = 0
    for expected, item in zip(truth.items, got.items, strict=True):
        own = [f for f in expected.fields if _DECISION_CAPTION_RE.search(f.caption) and got.body.upper() in f.caption]
        assert len(own) == 1
        if not own[0].lines:
            assert item.decision is None, item.number
            continue
        assert item.decision is not None, item.number
        assert item.decision.body == got.body
        assert item.decision.date == truth.date
        assert " ".join(item.decision.text.split()) == " ".join(" ".join(own[0].lines).split())
        checked += 1
    assert checked >= 2


def test_toc_with_tab_page_numbers_is_not_items(tmp_path: Path) -> None:
    """The front page's table of contents ("2. Titel<tab>3") gives no items and no duplicate numbers."""
    truth = _meeting("ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml")
    got = _parsed_meeting(_render(truth, tmp_path, "pdf", "bold", {}, "Dagsorden"))
    assert [i.number for i in got.items] == [1, 2, 3, 4, 5]
    assert all(1 not in i.pages for i in got.items)  # page 1 holds only the front page and the TOC


def test_committee_name_as_field_text_is_not_a_new_meeting(tmp_path: Path) -> None:
    """ "Beslutningen træffes af" followed by the committee's name (the document's first line) stays text."""
    truth = _meeting("ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml")
    for fmt, variant, options in LAYOUTS:
        got = _parsed_meeting(_render(truth, tmp_path, fmt, variant, options, "Dagsorden"))
        item = got.items[1]
        sections = {s.heading: s.text for s in item.sections}
        assert sections["Beslutningen træffes af"] == truth.committee


@pytest.mark.parametrize(("fmt", "variant", "options"), LAYOUTS[::2], ids=LAYOUT_IDS[::2])
def test_closed_part_gives_closed_items_and_categories(
    fmt: str, variant: str, options: dict[str, bool], tmp_path: Path
) -> None:
    """Items under "Åben dagsorden" / "Lukket dagsorden" headings; closed ones print no "Lukket punkt"."""
    truth = _meeting("middelfart_edoc_testudvalg_dagsorden_2017-05-02.xml")
    assert any(i.closed for i in truth.items) and not all(i.closed for i in truth.items)
    got = _parsed_meeting(_render(truth, tmp_path, fmt, variant, {**options, "parts": True}, "Dagsorden"))
    assert [(i.number, i.title, i.closed) for i in got.items] == [(i.number, i.title, i.closed) for i in truth.items]
    assert [i.category for i in got.items] == [
        "Lukket dagsorden" if i.closed else "Åben dagsorden" for i in truth.items
    ]


@pytest.mark.parametrize(("fmt", "variant", "options"), LAYOUTS[1::3], ids=LAYOUT_IDS[1::3])
def test_minutes_with_empty_decision_fields_have_no_decisions(
    fmt: str, variant: str, options: dict[str, bool], tmp_path: Path
) -> None:
    """A "Referat" whose "Beslutning" fields stand empty records no decisions (the case text is no decision)."""
    truth = _meeting("ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml")
    assert all(not f.lines for i in truth.items for f in i.fields if f.caption == "Beslutning")
    got = _parsed_meeting(_render(truth, tmp_path, fmt, variant, options, "Referat"))
    assert got.document_type == "referat"
    assert [i.number for i in got.items] == [i.number for i in truth.items]
    assert [i.decision for i in got.items] == [None] * len(truth.items)


@pytest.mark.parametrize("name", XML_FILES)
@pytest.mark.parametrize(("fmt", "variant"), [("pdf", "bold"), ("pdf", "table"), ("docx", "heading"), ("docx", "bold")])
def test_without_front_page_the_running_header_titles_the_meeting(
    name: str, fmt: str, variant: str, tmp_path: Path
) -> None:
    """Items from page 1; "Dagsorden - <committee> - <date>" only in the running header."""
    truth = _meeting(name)
    path = tmp_path / f"{variant}.{fmt}"
    if fmt == "pdf":
        render_pdf(truth, path, variant, no_front=True)  # type: ignore[arg-type]
    else:
        render_docx(truth, path, variant, no_front=True)  # type: ignore[arg-type]
    got = _parsed_meeting(path)
    assert (got.document_type, got.date, got.body) == ("dagsorden", truth.date, _expected_body(truth.committee))
    assert [(i.number, i.title, i.closed) for i in got.items] == [(i.number, i.title, i.closed) for i in truth.items]
