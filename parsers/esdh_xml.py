"""ESDH agenda exports (XML) read as structured input: one export, one meeting record.

Danish agenda systems export whole meetings as XML. Four schemas are read, each
recognised by its root element and namespace, never by the file name:

* SBSYS eDagsorden publication: ``<Publication>`` with ``Agendas/Agenda``; items
  are ``Item`` (``Number``, ``Caption``, ``IsPublic``, ``Case/Number``, ``Fields/ItemField``
  with ``Caption`` and HTML ``Content``, ``Enclosures/Enclosure``). Items numbered
  "1.1" are sub-items printed inside item 1; items numbered 0 are the
  "Åbent/Lukket referat" part markers, not agenda items.
* Fujitsu eDoc agenda XML: ``<Root>`` in the namespace
  ``http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/``; items are
  ``AgendaElement`` (``AccessIsPublic``, ``AccessName``) with a ``HandlingItem``
  (``SerialNo``, ``Title``, ``CaseNumber``, ``CasePresentations``, ``Attachments``).
* eDoc "eDocAgendaPublishing": ``<Meeting>`` with ``Committee``, ``MeetingDate``,
  ``MeetingState`` and ``MeetingAgendaTypes/MeetingAgendaType`` (``AgendaType``
  "Åben"/"Lukket", ``MeetingAgendaItems/MeetingAgendaItem`` with ``AgendaItemNumber``,
  ``FullText`` and ``Document`` (``Title``, ``PublishingType``, ``Attachments``)).
* Acadre agenda XML: ``<root>`` holding ``table name="agenda"`` with ``field name=...``
  rows, ``table name="agendaitemparents"`` per item (number in its ``sort`` field)
  with ``bullet`` sections and ``enclosure`` files. The Acadre index XML (the same
  ``<root>`` with ``table name="producedAgenda"`` and attribute fields) only names
  the agenda files; it is refused with the agenda file it names.

An item is closed when the export marks it so (SBSYS ``IsPublic`` false, eDoc
``AccessIsPublic`` false, an eDoc agenda type or Acadre access "Lukket", an eDoc
publishing type other than "SKAL PUBLICERES"); a bilag is closed when its access
is not public or its title starts with a closing access word.

Parsing is defused: no DTD is loaded, no entity is resolved, no network is used,
documents with a DOCTYPE are refused (billion laughs, external entities), and
lxml's limits on tree depth and text size stay on (``huge_tree=False``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

from parsers.bodies import normalize_body
from parsers.casenumbers import normalize_case_number
from parsers.errors import CorruptFile, ParseError, UnsupportedFormat
from parsers.records import (
    Attachment,
    CaseNumber,
    DocumentRecord,
    DocumentType,
    Item,
    Meeting,
    Section,
    Source,
)
from parsers.sections import decision

EDOC_NS = "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CLOSED_ACCESS_RE = re.compile(r"^\s*(?:lukket|fortrolig|ikke offentlig|ej offentlig)", re.IGNORECASE)
_STAMP_RE = re.compile(r"(\d{1,4})[-./](\d{1,2})[-./](\d{2,4})(?:[ T]+(\d{1,2})[:.](\d{2}))?")
_MONTHS = "januar februar marts april maj juni juli august september oktober november december".split()
_LONG_DATE_RE = re.compile(r"(\d{1,2})\.\s*(" + "|".join(_MONTHS) + r")\s+(\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?", re.I)


def looks_like_xml(head: bytes) -> bool:
    """An XML declaration or a start tag at the start of the file (after an optional BOM and blanks)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("ascii", errors="ignore")
            break
    text = head.lstrip()
    return text.startswith(b"<?xml") or re.match(rb"<[A-Za-z_][\w.:-]*[\s/>]", text) is not None


# ---------------------------------------------------------------------------
# Reading: defused XML, HTML field content as lines
# ---------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def load_root(path: Path) -> etree._Element:
    """The root element of an XML file, parsed defused. ``CorruptFile`` for malformed XML."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    try:
        tree = etree.fromstring(data, _parser()).getroottree()
    except etree.XMLSyntaxError as e:
        message = str(e).splitlines()[0] if str(e) else "syntax error"
        raise CorruptFile(str(path), f"malformed XML ({message})") from e
    if tree.docinfo.doctype:
        raise UnsupportedFormat(str(path), "XML with a DOCTYPE is refused (entities are not expanded)")
    return tree.getroot()


class _HtmlText(HTMLParser):
    """Field HTML as paragraphs: block tags end a line, ``li`` starts a "- " bullet."""

    _BREAKS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current).replace("\xa0", " ")).strip()
        if text.strip("- "):
            self.lines.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self._flush()
        if tag == "li":
            self._current.append("- ")
        elif tag in ("td", "th") and self._current:
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


_EMPTY_PLACEHOLDERS = frozenset({"tomt indhold"})


def html_text(content: str | None) -> str:
    """Plain text of a field's HTML (or plain) content, one paragraph a line; "" for placeholders."""
    if not content or not content.strip():
        return ""
    reader = _HtmlText()
    reader.feed(content)
    reader.close()
    text = "\n".join(reader.lines)
    return "" if text.strip().lower().rstrip(".") in _EMPTY_PLACEHOLDERS else text


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


def _is_true(text: str | None, default: bool = True) -> bool:
    value = _clean(text).lower()
    if not value:
        return default
    return value in ("true", "1", "ja", "yes")


def _file_reference(text: str | None) -> str | None:
    """A referenced file as a relative path with "/" separators ("Enclosures\\1.pdf" -> "Enclosures/1.pdf")."""
    value = _clean(text).replace("\\", "/").lstrip("/")
    return value or None


def _stamp(text: str | None) -> tuple[str | None, str | None]:
    """ "15-05-2013 16:30:00", "2013-06-20 10:30" or "27. august 2018 16:00" -> (ISO date, HH:MM)."""
    value = _clean(text)
    m = _STAMP_RE.search(value)
    if m:
        a, month, b, hour, minute = m.groups()
        year, day = (a, b) if len(a) == 4 else (b, a)
        if len(year) == 4:
            time = f"{int(hour):02d}:{minute}" if hour else None
            return f"{year}-{int(month):02d}-{int(day):02d}", time
    m = _LONG_DATE_RE.search(value)
    if m:
        day, month_name, year, hour, minute = m.groups()
        time = f"{int(hour):02d}:{minute}" if hour else None
        return f"{year}-{_MONTHS.index(month_name.lower()) + 1:02d}-{int(day):02d}", time
    return None, None


def _case_numbers(raw: str | None) -> tuple[CaseNumber, ...]:
    value = _clean(raw)
    return (CaseNumber(raw=value, normalized=normalize_case_number(value)),) if value else ()


def _closed_title(title: str) -> bool:
    return _CLOSED_ACCESS_RE.match(title) is not None


# ---------------------------------------------------------------------------
# One schema-neutral shape, then the record
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportItem:
    """One agenda item as the export states it, before decisions are read from its sections."""

    number: int
    title: str
    case_numbers: tuple[CaseNumber, ...]
    closed: bool
    closed_reason: str | None
    sections: tuple[Section, ...]
    attachments: tuple[Attachment, ...]
    category: str | None = None


@dataclass(frozen=True)
class ExportMeeting:
    schema: str  # "sbsys", "edoc", "edoc-publishing", "acadre"
    committee: str | None
    document_type: DocumentType
    date: str | None
    start_time: str | None
    end_time: str | None
    location: str | None
    participants: tuple[str, ...]
    absent: tuple[str, ...]
    items: tuple[ExportItem, ...]


def _sections(fields: Iterable[tuple[str, str | None]], title: str) -> tuple[Section, ...]:
    """Sections from (caption, HTML) pairs; empty fields and a caption that repeats the title drop their heading."""
    out: list[Section] = []
    for caption, content in fields:
        text = html_text(content)
        if not text:
            continue
        heading = _clean(caption) or None
        out.append(Section(heading=None if heading == title else heading, text=text))
    return tuple(out)


# --- SBSYS eDagsorden publication -----------------------------------------


def _sbsys_attachment(el: etree._Element) -> Attachment:
    title = _clean(el.findtext("Name")) or _clean(el.findtext("FileName")) or "Bilag"
    number = _clean(el.findtext("Number"))
    public = _is_true(el.findtext("IsPublic"))
    reference = el.findtext("InstantiationFilePathRelative") or el.findtext("FileName")
    return Attachment(
        title=title,
        number=int(number) if number.isdigit() else None,
        access=None if public else "Lukket",
        closed=not public or _closed_title(title),
        file=_file_reference(reference),
    )


def _sbsys_fields(el: etree._Element) -> list[tuple[str, str | None]]:
    return [(f.findtext("Caption") or "", f.findtext("Content")) for f in el.iterfind("Fields/ItemField")]


def _sbsys_item(el: etree._Element, number: int, subs: Sequence[etree._Element]) -> ExportItem:
    title = _clean(el.findtext("Caption"))
    sections = list(_sections(_sbsys_fields(el), title))
    attachments = [_sbsys_attachment(e) for e in el.iterfind("Enclosures/Enclosure")]
    closed = not _is_true(el.findtext("IsPublic"))
    for sub in subs:  # "1.1 Titel": printed inside the parent item as a heading with its fields under it
        sub_title = _clean(sub.findtext("Caption"))
        heading = f"{_clean(sub.findtext('Number'))} {sub_title}"
        sub_sections = _sections(_sbsys_fields(sub), sub_title)
        text = "\n".join(s.text if not s.heading else f"{s.heading}\n{s.text}" for s in sub_sections)
        sections.append(Section(heading=heading, text=text))
        attachments.extend(_sbsys_attachment(e) for e in sub.iterfind("Enclosures/Enclosure"))
        closed = closed or not _is_true(sub.findtext("IsPublic"))  # a closed sub-item closes its item
    return ExportItem(
        number=number,
        title=title,
        case_numbers=_case_numbers(el.findtext("Case/Number")),
        closed=closed,
        closed_reason="IsPublic: false" if closed else None,
        sections=tuple(sections),
        attachments=tuple(attachments),
    )


def _sbsys(root: etree._Element, path: Path) -> ExportMeeting:
    agenda = root.find("Agendas/Agenda")
    if agenda is None:
        raise UnsupportedFormat(str(path), "SBSYS publication without an Agendas/Agenda element")
    meeting = agenda.find("Meeting")
    when = meeting.findtext("When") if meeting is not None else None
    date, start = _stamp(when)
    _, end = _stamp(meeting.findtext("Until") if meeting is not None else None)
    parents: list[etree._Element] = []
    subs: dict[int, list[etree._Element]] = {}
    for el in agenda.iterfind("Items/Item"):
        raw = _clean(el.findtext("Number"))
        head = raw.split(".")[0]
        if not head.isdigit() or int(head) == 0:  # part markers ("Åbent referat") and unnumbered entries
            continue
        if "." in raw.strip("."):
            subs.setdefault(int(head), []).append(el)
        elif raw.rstrip(".").isdigit():
            parents.append(el)
    numbers = [int(_clean(el.findtext("Number")).rstrip(".")) for el in parents]
    items = [_sbsys_item(el, n, subs.get(n, [])) for el, n in zip(parents, numbers, strict=True)]
    kind = _clean(root.findtext("PublicationTypeAsEnum")).lower()
    value = _clean(root.findtext("PublicationTypeAsValue") or agenda.findtext("PublicationTypeAsValue"))
    document_type: DocumentType = "referat" if value == "2" or kind in ("minutes", "referat") else "dagsorden"
    members = meeting.iterfind("Members/MeetingMember") if meeting is not None else iter(())
    names: list[str] = []
    absent: list[str] = []
    for member in members:
        name = _clean(member.findtext("Name"))
        if not name:
            continue
        names.append(name)
        if _clean(member.findtext("ParticipationStatusAsText")).lower() in ("absent", "notparticipating"):
            absent.append(name)
    return ExportMeeting(
        schema="sbsys",
        committee=_clean(agenda.findtext("Committee/Name")) or None,
        document_type=document_type,
        date=date,
        start_time=start,
        end_time=end,
        location=_clean(meeting.findtext("Where") if meeting is not None else None) or None,
        participants=tuple(names),
        absent=tuple(absent),
        items=tuple(items),
    )


# --- Fujitsu eDoc agenda XML -------------------------------------------------


def _edoc(root: etree._Element, path: Path) -> ExportMeeting:
    ns = {"e": EDOC_NS}

    def text(el: etree._Element | None, tag: str) -> str:
        return _clean(el.findtext(f"e:{tag}", namespaces=ns)) if el is not None else ""

    committee = root.find("e:Committee", ns)
    meeting = committee.find("e:Meeting", ns) if committee is not None else None
    if meeting is None:
        raise UnsupportedFormat(str(path), "eDoc agenda XML without a Committee/Meeting element")
    date, start = _stamp(text(meeting, "MeetingDateTime"))
    _, end = _stamp(text(meeting, "EndDateTime"))
    agenda_type = _clean(meeting.findtext("e:Agenda/e:Type", namespaces=ns)).lower()
    items: list[ExportItem] = []
    for element in meeting.iterfind("e:Agenda/e:AgendaElements/e:AgendaElement", ns):
        handling = element.find("e:HandlingItem", ns)
        if handling is None:
            continue
        number = text(handling, "SerialNo")
        title = text(handling, "Title")
        public = _is_true(text(element, "AccessIsPublic"))
        access = text(element, "AccessName")
        closed = not public or _closed_title(access)
        presentations = handling.iterfind("e:CasePresentations/e:CasePresentation", ns)
        attachments = [
            Attachment(
                title=text(a, "Title") or "Bilag",
                number=int(text(a, "AttachmentNumber")) if text(a, "AttachmentNumber").isdigit() else None,
                access=text(a, "AccessName") or None,
                document_number=text(a, "DocumentNumber") or None,
                closed=text(a, "AccessEnumName").lower() not in ("", "public") or _closed_title(text(a, "AccessName")),
                file=_file_reference(text(a, "Link")),
            )
            for a in handling.iterfind("e:Attachments/e:Attachment", ns)
        ]
        items.append(
            ExportItem(
                number=int(number) if number.isdigit() else len(items) + 1,
                title=title,
                case_numbers=_case_numbers(text(handling, "CaseNumber")),
                closed=closed,
                closed_reason=(access or "AccessIsPublic: false") if closed else None,
                sections=_sections(
                    ((text(p, "Title"), p.findtext("e:Content", namespaces=ns)) for p in presentations), title
                ),
                attachments=tuple(attachments),
            )
        )
    return ExportMeeting(
        schema="edoc",
        committee=text(committee, "Name") or None,
        document_type="referat" if "referat" in agenda_type or "minutes" in agenda_type else "dagsorden",
        date=date,
        start_time=start,
        end_time=end,
        location=text(meeting, "MeetingLocation") or text(committee, "DefaultLocation") or None,
        participants=tuple(
            n for p in meeting.iterfind("e:MeetingParticipants/e:MeetingParticipant", ns) if (n := text(p, "Name"))
        ),
        absent=(),
        items=tuple(items),
    )


# --- eDoc eDocAgendaPublishing -------------------------------------------------


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element | None, *names: str) -> etree._Element | None:
    """The first descendant path by local names, whatever the namespace."""
    for name in names:
        if el is None:
            return None
        el = next((c for c in el if _local(c) == name), None)
    return el


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name] if el is not None else []


def _ctext(el: etree._Element | None, *names: str) -> str:
    found = _child(el, *names)
    return _clean(found.text) if found is not None else ""


def _edoc_publishing(root: etree._Element, path: Path) -> ExportMeeting:
    date, start = _stamp(f"{_ctext(root, 'MeetingDate')} {_ctext(root, 'MeetingTime')}")
    state = _ctext(root, "MeetingState").lower()
    items: list[ExportItem] = []
    for agenda_type in _children(_child(root, "MeetingAgendaTypes"), "MeetingAgendaType"):
        access = _ctext(agenda_type, "AgendaType")
        for entry in _children(_child(agenda_type, "MeetingAgendaItems"), "MeetingAgendaItem"):
            document = _child(entry, "Document")
            title = _ctext(document, "Title")
            number = _ctext(entry, "AgendaItemNumber")
            publishing = _ctext(document, "PublishingType")
            closed = _closed_title(access) or (bool(publishing) and publishing.upper() != "SKAL PUBLICERES")
            full_text = _child(entry, "FullText")
            attachments = [
                Attachment(
                    title=_ctext(a, "Title") or "Bilag",
                    number=k,
                    file=_file_reference(_ctext(a, "PDFDocument")),
                    closed=_closed_title(_ctext(a, "Title")),
                )
                for k, a in enumerate(_children(_child(document, "Attachments"), "Attachment"), start=1)
            ]
            text = html_text((full_text.text or "") if full_text is not None else "")
            items.append(
                ExportItem(
                    number=int(number) if number.isdigit() else len(items) + 1,
                    title=title,
                    case_numbers=_case_numbers(_ctext(document, "CaseNumber")),
                    closed=closed,
                    closed_reason=(f"{access or publishing}") if closed else None,
                    sections=(Section(heading=None, text=text),) if text else (),
                    attachments=tuple(attachments),
                )
            )
    return ExportMeeting(
        schema="edoc-publishing",
        committee=_ctext(root, "Committee") or None,
        document_type="referat" if "referat" in state else "dagsorden",
        date=date,
        start_time=start,
        end_time=None,
        location=_ctext(root, "MeetingLocation") or _ctext(root, "Location") or None,
        participants=(),
        absent=(),
        items=tuple(sorted(items, key=lambda i: i.number)),
    )


# --- Acadre agenda XML -------------------------------------------------------------


def _acadre_fields(table: etree._Element | None) -> dict[str, str]:
    if table is None:
        return {}
    return {f.get("name", ""): (f.text or "") for f in table.iterfind("fields/field") if f.get("name")}


def _acadre_table(el: etree._Element | None, name: str) -> etree._Element | None:
    return el.find(f"table[@name='{name}']") if el is not None else None


def _acadre_item(parent: etree._Element) -> ExportItem:
    item = _acadre_table(parent, "agendaitem")
    fields = _acadre_fields(item)
    sort = _clean(_acadre_fields(parent).get("sort"))
    title = _clean(fields.get("name"))
    access = _clean(fields.get("accessname"))
    closed = _closed_title(access) or _clean(fields.get("access")) == "3"
    bullets = item.iterfind("table[@name='bullet']") if item is not None else iter(())
    sections = _sections(
        ((_acadre_fields(b).get("bulletname", ""), _acadre_fields(b).get("bulletcontent")) for b in bullets), title
    )
    attachments = []
    for enclosure in item.iterfind("table[@name='enclosure']") if item is not None else ():
        e = _acadre_fields(enclosure)
        e_access = _clean(e.get("accessname"))
        attachments.append(
            Attachment(
                title=_clean(e.get("name")) or "Bilag",
                number=int(_clean(e.get("sort"))) if _clean(e.get("sort")).isdigit() else None,
                access=e_access or None,
                document_number=_clean(e.get("fileno")) or None,
                closed=_closed_title(e_access) or _closed_title(_clean(e.get("name"))),
                file=_file_reference(e.get("filename")),
            )
        )
    return ExportItem(
        number=int(sort) if sort.isdigit() else 0,
        title=title,
        case_numbers=_case_numbers(fields.get("caseno")),
        closed=closed,
        closed_reason=access if closed else None,
        sections=sections,
        attachments=tuple(attachments),
    )


def _acadre(root: etree._Element, path: Path) -> ExportMeeting:
    agenda = _acadre_table(root, "agenda")
    if agenda is None:
        raise UnsupportedFormat(str(path), "Acadre XML without an agenda table")
    committee = _acadre_fields(agenda.find(".//table[@name='committee']"))
    meeting_table = agenda.find(".//table[@name='meeting']")
    meeting = _acadre_fields(meeting_table)
    date, start = _stamp(meeting.get("date"))
    _, end = _stamp(meeting.get("finish"))
    members = (
        meeting_table.iterfind("table[@name='meetmember']/table[@name='member']") if meeting_table is not None else ()
    )
    people = [_acadre_fields(m) for m in members]
    name = _clean(_acadre_fields(agenda).get("name")).lower()
    return ExportMeeting(
        schema="acadre",
        committee=_clean(committee.get("name")) or None,
        document_type="referat" if "referat" in name else "dagsorden",
        date=date,
        start_time=start,
        end_time=end,
        location=_clean(meeting.get("location")) or None,
        participants=tuple(_clean(p.get("name")) for p in people if _clean(p.get("name"))),
        absent=tuple(_clean(p.get("name")) for p in people if _clean(p.get("absent")) == "1"),
        items=tuple(_acadre_item(p) for p in agenda.iterfind(".//table[@name='agendaitemparents']")),
    )


def _acadre_index(root: etree._Element, path: Path) -> ExportMeeting:
    names = [
        f"{folder}/{xml}"
        for produced in root.iterfind("table[@name='producedAgenda']/fields")
        if (xml := _clean(_attr(produced, "xmlfilename"))) and (folder := _clean(_attr(produced, "filesfolder")))
    ]
    named = ", ".join(names) if names else "none"
    raise UnsupportedFormat(str(path), f"Acadre index XML (root element root) lists agendas but holds none: {named}")


def _attr(fields: etree._Element, name: str) -> str:
    for field in fields.iterfind("field"):
        if field.get(name) is not None:
            return field.get(name) or ""
    return ""


# ---------------------------------------------------------------------------
# Recognition and the record
# ---------------------------------------------------------------------------


def recognise(root: etree._Element) -> Callable[[etree._Element, Path], ExportMeeting] | None:
    """The reader for an export's schema, from its root element and namespace; None: not an agenda export."""
    qname = etree.QName(root)
    name, namespace = qname.localname, qname.namespace
    if name == "Publication" and root.find("Agendas") is not None:
        return _sbsys
    if name == "Root" and (namespace == EDOC_NS or root.find(f"{{{EDOC_NS}}}Committee") is not None):
        return _edoc
    if name == "Meeting" and _child(root, "MeetingAgendaTypes") is not None:
        return _edoc_publishing
    if name == "root" and root.find("table[@name='agenda']") is not None:
        if (
            root.find("table[@name='producedAgenda']") is not None
            and root.find(".//table[@name='agendaitemparents']") is None
        ):
            return _acadre_index
        return _acadre
    return None


def _root_name(root: etree._Element) -> str:
    qname = etree.QName(root)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname


def read_export(path: str | Path) -> ExportMeeting:
    """The meeting an export holds. ``UnsupportedFormat`` names the root element of an unknown schema."""
    path = Path(path)
    root = load_root(path)
    reader = recognise(root)
    if reader is None:
        raise UnsupportedFormat(
            str(path),
            f"XML is not a known agenda export (root element <{_root_name(root)}>); "
            "moedearkiv reads SBSYS, eDoc and Acadre agenda XML",
        )
    return reader(root, path)


def meeting_of(export: ExportMeeting) -> Meeting:
    body = normalize_body(export.committee) if export.committee else None
    items = tuple(
        Item(
            number=i.number,
            title=i.title,
            case_numbers=i.case_numbers,
            closed=i.closed,
            closed_reason=i.closed_reason,
            sections=i.sections,
            decision=decision(i.sections, export.document_type, body, export.date),
            attachments=i.attachments,
            category=i.category,
        )
        for i in export.items
    )
    return Meeting(
        body=body,
        document_type=export.document_type,
        date=export.date,
        items=items,
        start_time=export.start_time,
        end_time=export.end_time,
        location=export.location,
        participants=export.participants,
        absent=export.absent,
    )


def parse_export(path: str | Path, source: Source) -> DocumentRecord:
    """The record of one agenda export: one meeting, its items as the export states them."""
    export = read_export(path)
    meeting = meeting_of(export)
    title = f"{meeting.document_type.capitalize()} {export.committee}" if export.committee else None
    return DocumentRecord(source=source, kind="meeting", meetings=(meeting,), title=title)
