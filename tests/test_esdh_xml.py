# ruff: noqa: E501  (the test exports are XML written one element a line)
"""ESDH agenda exports (XML) as structured input: the real SBSYS and eDoc exports, test exports of the
eDocAgendaPublishing and Acadre schemas, and refused input (unknown schema, malformed, entities)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from parsers import parse_file, sniff_format
from parsers.errors import CorruptFile, ParseError, UnsupportedFormat
from parsers.evaluation import compare
from parsers.serialize import record_from_json, record_to_json

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "parsers" / "schema" / "record.schema.json").read_text())
AARHUS_XML = REALDOCS / "aarhus_sbsys_moedesystemgruppen_publication_2016-10-06.xml"
AARHUS_PDF = REALDOCS / "aarhus_sbsys_moedesystemgruppen_referat_aabent-og-lukket_2016-10-06.pdf"
MIDDELFART_XML = REALDOCS / "middelfart_edoc_testudvalg_dagsorden_2017-05-02.xml"
MIDDELFART_HTML = REALDOCS / "middelfart_edoc_testudvalg_dagsorden_2017-05-02.html"
BALLERUP_XML = REALDOCS / "ballerup_sbsys_paragraf17stk4-udvalg_dagsorden_2013-05-15.xml"
REGIONH_XML = REALDOCS / "regionh_forretningsudvalget_sbsys_dagsorden_2012-09-25.xml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- real exports against their printed versions -------------------------------------------


@pytest.mark.parametrize(("export", "printed"), [(AARHUS_XML, AARHUS_PDF), (MIDDELFART_XML, MIDDELFART_HTML)])
def test_export_gives_the_meetings_and_items_of_its_print(export: Path, printed: Path) -> None:
    score = compare(parse_file(printed), parse_file(export))
    for name in ("kind", "body", "document_type", "date", "start_time", "location", "item_numbers", "item_titles"):
        assert score.fields[name].f1 == 1.0, (name, score.differences)
    for name in ("case_numbers", "closed"):
        assert score.fields[name].fp == 0 and score.fields[name].fn == 0, (name, score.differences)
    # every word the export holds is printed in the same item (the print adds furniture and, for Aarhus, minutes)
    assert score.fields["item_text"].fp == 0


def test_sbsys_export_reads_items_sub_items_and_skips_part_markers() -> None:
    record = parse_file(AARHUS_XML)
    assert record.source.format == "xml" and record.source.page_count == 0
    meeting = record.meetings[0]
    assert (meeting.body, meeting.document_type, meeting.date) == ("Mødesystemgruppen", "referat", "2016-10-06")
    assert (meeting.start_time, meeting.end_time, meeting.location) == ("13:00", "15:00", "Rådhuset lokale 233")
    assert [i.number for i in meeting.items] == [1, 2, 3]  # the two number-0 "referat" part markers are no items
    assert [s.heading for s in meeting.items[1].sections] == [
        "2.1 Status siden sidst",
        "2.2 Plan for resten af året",
        "2.3 Status over udviklingsønsker",
    ]


def test_sbsys_fields_attachments_and_file_references() -> None:
    meeting = parse_file(REGIONH_XML).meetings[0]
    assert meeting.document_type == "dagsorden" and meeting.body == "Forretningsudvalget"
    assert [i.number for i in meeting.items] == [1, 2, 3, 4]
    first = meeting.items[0]
    assert first.sections[0].heading == "PUNKTET BEHANDLET TIDLIGERE"
    assert "Forretningsudvalget den 18. september 2012" in first.sections[0].text
    assert [a.file for a in first.attachments] == [f"Enclosures/{k}.pdf" for k in range(1, 7)]
    assert first.decision is None  # an agenda: no decision, although a beslutning field holds an earlier one
    withheld = meeting.items[3].attachments[2]
    assert withheld.title.startswith("Ikke offentliggjort") and withheld.closed
    assert not meeting.items[3].attachments[0].closed
    ballerup = parse_file(BALLERUP_XML).meetings[0]
    assert len(ballerup.participants) == 11 and ballerup.items[2].attachments[0].file == "Enclosures/1.pdf"


def test_edoc_export_marks_closed_items_and_bilag_links() -> None:
    items = parse_file(MIDDELFART_XML).meetings[0].items
    assert [(i.number, i.closed) for i in items] == [
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        (5, True),
        (6, True),
    ]
    assert items[4].closed_reason == "Fortrolig publicering"
    assert [c.raw for c in items[2].case_numbers] == ["2013-003869"]
    assert items[0].attachments[0].file == "Attachments/6104646-6648380-1.pdf"
    assert items[0].attachments[0].document_number == "2017-000516-1" and not items[0].attachments[0].closed


def test_record_of_an_export_validates_and_round_trips() -> None:
    record = parse_file(REGIONH_XML)
    text = record_to_json(record)
    jsonschema.validate(json.loads(text), SCHEMA)
    assert record_from_json(text) == record


# --- exports built from what the importers read: closed flags first -------------------------

SBSYS_CLOSED = """<?xml version="1.0" encoding="utf-8"?>
<Publication><PublicationTypeAsValue>2</PublicationTypeAsValue><Agendas><Agenda>
<Meeting><When>03-02-2014 09:00:00</When><Where>Byrådssalen</Where></Meeting>
<Committee><Name>Økonomiudvalget</Name></Committee>
<Items>
<Item><Caption>Åben sag</Caption><IsPublic>true</IsPublic><Number>1</Number><Case><Number>14/1234</Number></Case>
<Fields><ItemField><Caption>Sagsfremstilling</Caption><Content><![CDATA[<p>Tekst &aring;ben.</p>]]></Content></ItemField>
<ItemField><Caption>Beslutning</Caption><Content><![CDATA[<p>Godkendt.</p>]]></Content></ItemField></Fields></Item>
<Item><Caption>Personsag</Caption><IsPublic>false</IsPublic><Number>2</Number>
<Fields><ItemField><Caption>Sagsfremstilling</Caption><Content><![CDATA[<p>Fortroligt.</p>]]></Content></ItemField></Fields>
<Enclosures><Enclosure><Name>Notat</Name><Number>1</Number><IsPublic>false</IsPublic>
<InstantiationFilePathRelative>Enclosures\\2.pdf</InstantiationFilePathRelative></Enclosure></Enclosures></Item>
<Item><Caption>Orientering</Caption><IsPublic>true</IsPublic><Number>3</Number></Item>
<Item><Caption>Lukket underpunkt</Caption><IsPublic>false</IsPublic><Number>3.1</Number></Item>
</Items></Agenda></Agendas></Publication>
"""


def test_sbsys_closed_items_sub_items_and_decisions(tmp_path: Path) -> None:
    meeting = parse_file(_write(tmp_path, "export.xml", SBSYS_CLOSED)).meetings[0]
    open_item, closed_item, with_closed_sub = meeting.items
    assert not open_item.closed and open_item.decision is not None
    assert open_item.decision.text == "Godkendt." and open_item.decision.body == "Økonomiudvalget"
    assert [c.normalized for c in open_item.case_numbers] == ["14/1234"]
    assert "Tekst åben." in open_item.text
    assert closed_item.closed and closed_item.closed_reason
    assert closed_item.attachments[0].closed and closed_item.attachments[0].file == "Enclosures/2.pdf"
    assert with_closed_sub.closed  # a closed sub-item closes the item that prints it


EDOC_PUBLISHING = """<?xml version="1.0" encoding="utf-8"?>
<Meeting>
  <MeetingState>Referat endeligt godkendt</MeetingState>
  <Committee>Børne- og Ungeudvalget</Committee>
  <MeetingDate>27. august 2018</MeetingDate>
  <MeetingTime>16:00</MeetingTime>
  <MeetingAgendaTypes>
    <MeetingAgendaType><AgendaType>Åben</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>2</AgendaItemNumber><FullText>Sagen handler om skoler.
Beslutning: Godkendt.</FullText>
        <Document documentid="77"><Title>Skolestruktur</Title><PublishingType>SKAL PUBLICERES</PublishingType>
          <Attachments><Attachment attachmentid="9"><Title>Kort</Title><PDFDocument>Bilag\\9.pdf</PDFDocument></Attachment></Attachments>
        </Document></MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>1</AgendaItemNumber><FullText>Godkendt.</FullText>
        <Document documentid="76"><Title>Godkendelse af dagsorden</Title><PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
      <MeetingAgendaItem><AgendaItemNumber>3</AgendaItemNumber><FullText>Kun internt.</FullText>
        <Document documentid="78"><Title>Intern sag</Title><PublishingType>MÅ IKKE PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
    <MeetingAgendaType><AgendaType>Lukket</AgendaType><MeetingAgendaItems>
      <MeetingAgendaItem><AgendaItemNumber>4</AgendaItemNumber><FullText>Personsag.</FullText>
        <Document documentid="79"><Title>Personalesag</Title><PublishingType>SKAL PUBLICERES</PublishingType></Document>
      </MeetingAgendaItem>
    </MeetingAgendaItems></MeetingAgendaType>
  </MeetingAgendaTypes>
</Meeting>
"""


def test_edoc_agenda_publishing(tmp_path: Path) -> None:
    meeting = parse_file(_write(tmp_path, "agenda.xml", EDOC_PUBLISHING)).meetings[0]
    assert (meeting.document_type, meeting.date, meeting.start_time) == ("referat", "2018-08-27", "16:00")
    assert meeting.body == "Børne- og Ungeudvalget"
    assert [(i.number, i.title, i.closed) for i in meeting.items] == [
        (1, "Godkendelse af dagsorden", False),
        (2, "Skolestruktur", False),
        (3, "Intern sag", True),  # not to be published: closed
        (4, "Personalesag", True),  # under the closed agenda type
    ]
    assert meeting.items[1].attachments[0].file == "Bilag/9.pdf"
    assert meeting.items[0].decision is not None and meeting.items[0].decision.text == "Godkendt."


def _acadre_field(name: str, value: str) -> str:
    return f'<field name="{name}">{value}</field>'


def _acadre_item(sort: int, name: str, access: str, bullets: str = "", enclosures: str = "") -> str:
    fields = _acadre_field("name", name) + _acadre_field("caseno", "12/27845") + _acadre_field("accessname", access)
    return (
        f'<table name="agendaitemparents"><fields>{_acadre_field("sort", str(sort))}</fields>'
        f'<table name="agendaitem"><fields>{fields}</fields>{bullets}{enclosures}</table></table>'
    )


def _acadre_bullet(name: str, html: str) -> str:
    content = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<table name="bullet"><fields>{_acadre_field("bulletname", name)}{_acadre_field("bulletcontent", content)}</fields></table>'


ACADRE_AGENDA = (
    '<?xml version="1.0"?><root><table name="agenda"><fields>'
    + _acadre_field("name", "Referat")
    + '</fields><table name="committee"><fields>'
    + _acadre_field("name", "Udvalget for plan, udvikling og kultur (PUK)")
    + '</fields></table><table name="meeting"><fields>'
    + _acadre_field("date", "2013-06-20 10:30")
    + _acadre_field("finish", "2013-06-20 13:00")
    + _acadre_field("location", "Kaløvig Kursuscenter")
    + '</fields><table name="meetmember"><table name="member"><fields>'
    + _acadre_field("name", "Ole Bollesen (A)")
    + _acadre_field("absent", "0")
    + '</fields></table><table name="member"><fields>'
    + _acadre_field("name", "Steen Fris (C)")
    + _acadre_field("absent", "1")
    + "</fields></table></table></table>"
    + _acadre_item(
        715,
        "Kulturkommune 2017",
        "Åben",
        _acadre_bullet("Sagsfremstilling", "<p>Byrådets arbejde.</p>")
        + _acadre_bullet(
            "Beslutning i Udvalget for plan, udvikling og kultur (PUK) den 20-06-2013", "<p>Punktet blev drøftet.</p>"
        ),
        '<table name="enclosure"><fields>'
        + _acadre_field("name", "Opsamlingsnotat")
        + _acadre_field("sort", "1")
        + _acadre_field("accessname", "Åben")
        + _acadre_field("filename", "3525829E1.DOCX")
        + _acadre_field("fileno", "222359/12")
        + "</fields></table>",
    )
    + _acadre_item(716, "Personalesag", "Lukket", _acadre_bullet("Sagsfremstilling", "<p>Fortroligt.</p>"))
    + "</table></root>"
)


def test_acadre_agenda(tmp_path: Path) -> None:
    meeting = parse_file(_write(tmp_path, "3687981.XML", ACADRE_AGENDA)).meetings[0]
    assert (meeting.document_type, meeting.date, meeting.start_time, meeting.end_time) == (
        "referat",
        "2013-06-20",
        "10:30",
        "13:00",
    )
    assert meeting.absent == ("Steen Fris (C)",) and len(meeting.participants) == 2
    first, second = meeting.items
    assert (first.number, first.title, first.closed) == (715, "Kulturkommune 2017", False)
    assert first.decision is not None and first.decision.text == "Punktet blev drøftet."
    assert first.decision.date == "2013-06-20"
    bilag = first.attachments[0]
    assert (bilag.file, bilag.document_number, bilag.access, bilag.closed) == (
        "3525829E1.DOCX",
        "222359/12",
        "Åben",
        False,
    )
    assert second.closed and second.closed_reason == "Lukket"


ACADRE_INDEX = (
    '<root><org>Acadre Produktion</org><table name="agenda"><fields><field name="Referat"></field>'
    '<field sysid="1863"></field></fields></table><table name="producedAgenda"><fields>'
    '<field xmlfilename="3687981.xml"></field><field filesfolder="Files_1863_3687982"></field></fields></table></root>'
)


def test_acadre_index_is_refused_naming_the_agenda_it_lists(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat) as caught:
        parse_file(_write(tmp_path, "XML_1863.xml", ACADRE_INDEX))
    assert "Files_1863_3687982/3687981.xml" in str(caught.value) and "\n" not in str(caught.value)


# --- refused input -------------------------------------------------------------------------------


def test_unknown_schema_names_the_root_element(tmp_path: Path) -> None:
    path = _write(tmp_path, "feed.xml", '<?xml version="1.0"?><rss xmlns="urn:x"><channel/></rss>')
    assert sniff_format(path) == "xml"
    with pytest.raises(UnsupportedFormat) as caught:
        parse_file(path)
    assert str(caught.value).startswith(str(path)) and "<{urn:x}rss>" in str(caught.value)


def test_xml_is_recognised_by_content_not_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path, "export.dat", SBSYS_CLOSED)
    assert parse_file(path).meetings[0].items[0].title == "Åben sag"


def test_malformed_xml_is_a_one_line_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.xml", "<?xml version='1.0'?><Publication><Agendas></Publication>")
    with pytest.raises(CorruptFile) as caught:
        parse_file(path)
    assert "malformed XML" in str(caught.value) and "\n" not in str(caught.value)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Publication [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<Publication><Agendas><Agenda><Items><Item><Caption>&c;</Caption><Number>1</Number></Item></Items></Agenda></Agendas></Publication>
"""


def test_entities_and_doctypes_are_refused(tmp_path: Path) -> None:
    secret = _write(tmp_path, "secret.txt", "top secret")
    external = BILLION_LAUGHS.replace('<!ENTITY a "ha">', f'<!ENTITY a SYSTEM "file://{secret}">')
    for name, text in (("laughs.xml", BILLION_LAUGHS), ("external.xml", external)):
        with pytest.raises(ParseError) as caught:
            parse_file(_write(tmp_path, name, text))
        assert "DOCTYPE" in str(caught.value) and "top secret" not in str(caught.value)
