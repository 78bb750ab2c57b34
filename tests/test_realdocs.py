"""Real published documents (kept outside the repository in ../shared/realdocs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers import parse_file
from parsers.errors import ParseError
from parsers.records import DocumentRecord

REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"


def real(name: str) -> Path:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def test_sbsys_referat_open_and_closed() -> None:
    record = parse_file(real("aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf"))
    assert record.kind == "meeting"
    (meeting,) = record.meetings
    assert meeting.document_type == "referat"
    assert meeting.body == "Mødesystemgruppen"
    assert (meeting.date, meeting.start_time, meeting.end_time) == ("2016-10-06", "13:00", "15:00")
    assert meeting.location == "Rådhuset lokale 233"
    assert meeting.participants[0] == "Jeppe Kirkegaard"
    assert meeting.participants[-1] == "Morten Kjeldsen Kusk"
    assert len(meeting.participants) == 10
    assert meeting.absent == ("Tilde",)
    assert [(i.number, i.title) for i in meeting.items] == [(1, "First Agenda"), (2, "GetOrganized"), (3, "Eventuelt")]
    first = meeting.items[0]
    assert "1.2 Status på udviklingsønsker" in [s.heading for s in first.sections]
    assert first.decision is not None and first.decision.text.startswith("Alle skal have indhold.")
    assert first.pages == (1, 2, 3)
    assert all("Side 2" not in i.text for i in meeting.items)
    assert "Kontekstbevidste notifikationer" in meeting.items[1].text


@pytest.mark.parametrize(
    "name",
    [
        "aarhus_bilag_byraad_henvendelse-havnens-perle_2025-08-26.pdf",
        "aarhus_bilag_sager-paa-vej-sundhed-omsorg_2025-08-29.pdf",
        "ballerup_sbsys_bilag_monopolbruddet_2013.pdf",
        "ballerup_sfu_bilag_notat-takstreduktion_2012-11-19.pdf",
        "syddjurs_puk_bilag_kulturkommune2017_arbejdsoplaeg.docx",
    ],
)
def test_attachments_are_other(name: str) -> None:
    path = real(name)
    try:
        record = parse_file(path)
    except ImportError:
        pytest.skip("extractor for this format not available")
    assert record.kind == "other"
    assert record.meetings == ()
    assert record.title
    assert len(record.text.split()) > 100


def test_scanned_attachment_without_ocr_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # with Tesseract the scan is read (tests/test_ocr.py, tests/test_ingest.py); without it, one line names
    # the file and the packages to install
    monkeypatch.setenv("ARKIV_TESSERACT", "/nonexistent/tesseract")
    with pytest.raises(ParseError) as err:
        parse_file(real("ballerup_sfu_bilag_bygningsliste_2012-12-04_SCANNED.pdf"))
    assert "ballerup_sfu_bilag_bygningsliste" in str(err.value)
    assert "tesseract-ocr" in str(err.value) and "\n" not in str(err.value)


# --- agenda-system web publications (FirstAgenda, eDoc) through the HTML extractor -------------


def parse_publication(name: str) -> DocumentRecord:
    record = parse_file(real(name))
    assert (record.kind, record.source.format, record.source.page_count) == ("meeting", "html", 1)
    return record


def test_firstagenda_referat_publication() -> None:
    record = parse_publication("aarhus_teknisk-udvalg_referat_2025-10-01.html")
    (meeting,) = record.meetings
    assert (meeting.body, meeting.document_type, meeting.date, meeting.start_time) == (
        "Teknisk Udvalg",
        "referat",
        "2025-10-01",
        "15:45",
    )
    assert meeting.location == "Udvalgsværelse 398"
    assert [i.number for i in meeting.items] == [1, 2, 3, 4, 5, 6]
    assert meeting.items[1].title == "Udviklingsplan Aarhus Ø - endelig vedtagelse"
    assert [c.raw for c in meeting.items[1].case_numbers] == ["EMN-2025-009242"]
    decision = meeting.items[1].decision
    assert decision is not None
    assert decision.text.startswith("Et flertal i udvalget kunne tiltræde indstillingen")
    assert "Solveig Munk kunne ikke tiltræde indstillingen." in decision.text
    assert "høring" not in decision.text  # the case text after the decision is not part of it
    assert (decision.body, decision.date) == ("Teknisk Udvalg", "2025-10-01")
    assert [a.title for a in meeting.items[0].attachments] == ["Referat fra møde den 22. september 2025"]
    # the page's menus, dialogs and buttons are not document text
    for control in ("Kopier link", "Hent som PDF", "Tip en ven", "×"):
        assert all(control not in i.text for i in meeting.items), control


def test_firstagenda_dagsorden_publication() -> None:
    record = parse_publication("aarhus_byraad_dagsorden_2025-10-08.html")
    (meeting,) = record.meetings
    assert (meeting.body, meeting.municipality, meeting.document_type, meeting.date) == (
        "Byrådet",
        "Aarhus Kommune",
        "dagsorden",
        "2025-10-08",
    )
    assert [i.number for i in meeting.items] == list(range(1, 34))
    assert [i.title for i in meeting.items[:2]] == ["Godkendelse af dagsorden", "Forslag til budget 2026-2029"]
    assert [a.title for a in meeting.items[2].attachments][:2] == [
        "Notat til 1. tekniske behandling budget 2026",
        "Bilag 1.1: Udmøntning og periodisering af Et aktivt og grønt Aarhus for alle",
    ]
    assert all(i.decision is None for i in meeting.items)
    assert all(len(i.case_numbers) == 1 and i.case_numbers[0].raw.startswith("EMN-") for i in meeting.items)


def test_edoc_agenda_with_closed_part() -> None:
    record = parse_publication("middelfart_edoc_testudvalg_dagsorden_2017-05-02.html")
    (meeting,) = record.meetings
    assert (meeting.date, meeting.start_time, meeting.location) == ("2017-05-02", "10:00", "Mødelokale 1, Midtpunkt")
    items = meeting.items
    assert [(i.number, i.closed) for i in items] == [
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        (5, True),
        (6, True),
    ]
    assert [i.category for i in items] == ["Åbne sager"] * 4 + ["Lukkede sager"] * 2
    assert [i.title for i in items[4:]] == ["Anders' møgsag", "Underskriftsblad"]
    assert [c.raw for c in items[4].case_numbers] == ["2016-003798"]
    assert [c.raw for c in items[1].case_numbers] == ["200906126"]
    assert [c.raw for c in items[2].case_numbers] == ["2013-003869"]
    headings = [s.heading for s in items[2].sections]
    assert headings[:4] == ["Sagsbehandler", "Præsentation", "Forvaltningen foreslår", "Sagsbeskrivelse"]
    assert items[2].sections[2].text == "At punktet drøftes."
    assert [a.title for a in items[0].attachments][:2] == [
        "TrekantBrand Nyhedsbrev nr. 1-2017.msg",
        "Nyhedsbrev nr. 1-2017.pdf",
    ]
