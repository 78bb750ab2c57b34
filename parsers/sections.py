"""Sections of an item: headings, labelled lines, attachments and the decision.

A heading is known by its words (``SECTION_WORDS``: Baggrund, Sagsfremstilling,
Indstilling, Beslutning ...), by its style (bold, a heading style or a larger
font on a short line), or because the layout repeats it ("Præsentation:" on a
line of its own in several items). A labelled line "Ansvarlig: X" is a section
with heading "Ansvarlig" and text "X"; inside a decision only known headings
count, so vote lines ("For stemte: A, B (18)") stay in the decision.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from parsers.bodies import find_body
from parsers.casenumbers import case_number_line
from parsers.danish_dates import find_dates, parse_date
from parsers.paragraphs import LineStats, bullet_text, join_line, paragraphs
from parsers.records import Attachment, Block, Decision, DocumentType, HistoryEntry, Item, Section

SECTION_WORDS = (
    "baggrund",
    "baggrund/formål",
    "formål",
    "sagsfremstilling",
    "supplerende sagsfremstilling",
    "sagsbeskrivelse",
    "sagens indhold",
    "sagen",
    "sagsforløb",
    "indstilling",
    "beslutning",
    "beslutninger",
    "økonomi",
    "økonomiske konsekvenser",
    "økonomisk konsekvens",
    "bevillingsmæssige konsekvenser",
    "personalemæssige konsekvenser",
    "miljømæssige konsekvenser",
    "bilag",
    "lovgrundlag",
    "retsgrundlag",
    "lovgivning",
    "tidligere beslutninger",
    "tidligere behandling",
    "resumé",
    "resume",
    "høring",
    "høringssvar",
    "kommunikation",
    "vurdering",
    "konklusion",
    "metode",
    "ansvarlig",
    "tid",
    "tidsplan",
    "proces",
    "videre proces",
    "opfølgning",
    "oplæg",
    "referat",
    "bemærkninger",
    "beslutningstema",
    "problemstilling",
    "kompetence",
    "beslutningskompetence",
    "afgørelse",
    "relation til",
    "handicappolitik",
    "bæredygtighed",
    "klima",
    "risici",
    "finansiering",
    "udtalelse",
    "politisk behandling",
    "sammenfatning",
    "forslag",
    "orientering",
    "drøftelse",
    "information",
    "tidligere politisk behandling",
    "indstillingens indhold",
    "forvaltningen foreslår",
    "forvaltningen indstiller",
    "administrationen indstiller",
    "direktionen indstiller",
    "præsentation",
    "handicapaspekter",
    "beslutningspunkter",
    "supplerende oplysninger",
    "punktet behandlet tidligere",
    "sagen afgøres af",
    "lovgrundlag og kompetence",
    "retligt grundlag",
    "sagsbehandling",
    "indstilling og beslutning",
    "konsekvenser",
    "sagsresumé",
    "sagsresume",
    "begrundelse",
    "effekt",
    "mål",
)

SECTION_RE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(w) for w in sorted(SECTION_WORDS, key=len, reverse=True)) + r")(?=$|[\s/:,(])"
    r"|[\wæøåÆØÅ-]+s\s+(?:indstilling|beslutning|vurdering|bemærkninger|behandling|kommentarer|påtegning))",
    re.IGNORECASE,
)
SECTION_SET = set(SECTION_WORDS)
SUBITEM_RE = re.compile(r"^\d{1,3}\.\d{1,3}\.?\s+\S")
CATEGORY_RE = re.compile(
    r"^(?:kategori\s*[-–:]\s*\S.{0,60}|(?:til orientering|til godkendelse|til beslutning|til drøftelse|"
    r"til efterretning|åbne punkter|lukkede punkter|åben dagsorden|lukket dagsorden|åbent referat|lukket referat|"
    r"åbne sager|lukkede sager)\s*:?)$",
    re.IGNORECASE,
)
_DECISION_HEADING_RE = re.compile(r"^beslutning(?:er)?(?:\s+(?:i|for|fra|på)\b|\s+[A-ZÆØÅ]|$)", re.IGNORECASE)
DECISION_RE = re.compile(
    r"^(?:beslutning(?:er)?|afgørelse|referat|protokol)\b|\bbeslutning(?:er)?$|^[\wæøå-]+s beslutning", re.IGNORECASE
)
_ATTACHMENT_NONE_RE = re.compile(r"^(?:ingen(?: bilag)?|-|–|nej|bilag: ingen)\.?$", re.IGNORECASE)
_ATTACHMENT_PREFIX_RE = re.compile(r"^(?:-\s+|\d{1,3}[.)]\s+)")
# "Label: text" with a short capitalised label
_LABEL_LINE_RE = re.compile(r"^([A-ZÆØÅ][\wæøåÆØÅ./\- ]{0,40}?)\s*:\s+(\S.*)$")
# lines that belong to a decision: who left, who voted how
_DECISION_NOTE_RE = re.compile(
    r"\b(?:deltog ikke|inhabil|stemte|undlod|forlod mødet|var fraværende|protokoltilførsel|mindretal|flertal"
    r"|tiltræde|tiltrådte|forbehold|forhindret|tog \S+ til efterretning|ønskede? (?:sin|sit|at)"
    r"|blev (?:godkendt|vedtaget|afvist|anbefalet)|sat til afstemning)\b",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?:;]\"?\)?$")
_CAPS_HEADING_RE = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ/,\- ]*[A-ZÆØÅ]$")
_FILE_END_RE = re.compile(r"\.[A-Za-z0-9]{2,5}\)?$")  # "... notat.pdf": a complete file name
_BILAG_ENTRY_RE = re.compile(r"^bilag\s*\d", re.IGNORECASE)
# FirstAgenda prints the paper an item comes from in capitals: "INDSTILLING FRA MAGISTRATSAFDELINGEN FOR ...",
# "BESLUTNINGSFORSLAG FRA SOCIALISTISK FOLKEPARTI": a heading of any length
_FROM_HEADING_RE = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ\-]+ FRA [A-ZÆØÅ0-9][A-ZÆØÅ0-9 ,.&/()\-]*$")
# the signature page after the last item ("Underskriftsside" and the members' names): not item text
_SIGNATURE_RE = re.compile(r"^(?:underskriftsside|underskriftsblad|underskrifter|underskrift)\s*:?$", re.IGNORECASE)

# --- vendor quirks of bilag lists ---------------------------------------------------------------------
# FirstAgenda: one title per line after "Bilag" ("Indstilling", "Bilag 1: Beslutningsforslag",
# "Meningstilkendegivelse ... (påført 27.08.2025)"); the title is kept as printed, the date it was added
# ("påført", "opdateret") goes to ``Attachment.date`` as well.
_ADDED_DATE_RE = re.compile(r"\((?:påført|opdateret|tilføjet)\s+(\d{1,2}[.-]\d{1,2}[.-]\d{4})\)\s*$", re.IGNORECASE)
# Acadre: a running number, an access word, the title, the document date and the document number
# ("2 Åben Notat om fritidstilbud 14.03.2013 123456/13"), printed as a table row or a line.
_ACCESS_WORDS = ("ikke offentlig", "fortrolig", "offentlig", "lukket", "åben", "åbent")
_CLOSED_ACCESS = ("ikke offentlig", "fortrolig", "lukket")
_ACADRE_BILAG_RE = re.compile(
    r"^(?P<number>\d{1,3})[.)]?\s+(?P<access>" + "|".join(_ACCESS_WORDS) + r")\b[\s:.-]*(?P<title>\S.*?)"
    r"(?:\s+(?P<date>\d{1,2}[.-]\d{1,2}[.-]\d{4}))?(?:\s+(?P<docno>\d{2,}/\d{2,4}|\d{4,}))?$",
    re.IGNORECASE,
)
# the column heads of a bilag table ("Nr.  Åben/Lukket  Titel  Dato  Dok.nr.")
_BILAG_TABLE_HEAD_RE = re.compile(
    r"^(?:nr\.?|bilagsnr\.?|løbenr\.?)\s+(?:åben/lukket|adgang|status|titel|bilag)\b", re.IGNORECASE
)

# --- vendor quirks of case history -------------------------------------------------------------------
# FirstAgenda ("Sagsforløb"): "Udvalg: Magistraten" / "Dato: 02-06-2025" / "Punktnummer: 7" / what was decided.
# Older Aarhus prints ("Sagens forløb"): "19-08-2019 Magistraten" over what was decided.
_HISTORY_LABEL_RE = re.compile(r"^(udvalg|dato|punktnummer|punkt nr\.?|pkt\.?)\s*:\s*(.*)$", re.IGNORECASE)
_HISTORY_HEADING_RE = re.compile(
    r"^(?:sagsforløb|sagens forløb|tidligere beslutninger|tidligere behandling|tidligere politisk behandling"
    r"|politisk behandling|behandlingsforløb)$",
    re.IGNORECASE,
)
_DATED_BODY_RE = re.compile(r"^(\d{1,2}[.-]\d{1,2}[.-]\d{4})\s+(\S.{0,80})$")
# lines of a decision that a paragraph break would otherwise cut off: what happens to the case next
_DECISION_FOLLOW_RE = re.compile(
    r"\b(?:sagen (?:bedes|blev|sendes|oversendes|tilbagesendes|udsættes)|tilbagesend\w*|fremsendes|oversendes"
    r"|henvis\w*|vedtog|vedtaget|udsat\w*|byrådsgruppe|kunne (?:ikke )?tiltræde)\b",
    re.IGNORECASE,
)


def words(text: str) -> int:
    """The number of words (runs of non-space characters; ``str.split`` and ``\\S+`` agree on every
    character's being a space, and splitting is the cheaper)."""
    return len(text.split())


def styled(block: Block, body_size: float | None) -> bool:
    """Bold, a heading style, or a font at least a point larger than the body text."""
    if block.bold or block.heading_level is not None:
        return True
    return bool(block.font_size and body_size and block.font_size >= body_size + 1.0)


def _dated_label(text: str) -> bool:
    """True when the line is nothing but a date ("25. september 2012", "18-09-2012")."""
    dates = find_dates(text)
    return len(dates) == 1 and dates[0].start == 0 and not text[dates[0].end :].strip(" :.")


def section_word(text: str) -> bool:
    """True when the whole line is a known section heading ("Baggrund", "Økonomi:")."""
    return " ".join(text.split()).rstrip(":").strip().lower() in SECTION_SET


def colon_line(text: str) -> str | None:
    """The label of a short "Label:" line standing alone (a candidate heading), else None."""
    if not text.rstrip().endswith(":"):
        return None  # the raw line ends as its cleaned form does; most lines end otherwise
    text = " ".join(text.split())
    if not text.endswith(":") or words(text) > 5 or not text[:1].isupper():
        return None
    if text.split(" ", 1)[0] in ("Det", "Der", "At", "Vi", "Jeg") or re.search(r"\d", text):
        return None
    return text[:-1].strip().lower()


def has_decision_heading(item: Item) -> bool:
    return any(s.heading and DECISION_RE.search(s.heading) for s in item.sections)


class SectionSplitter:
    """Splits an item's lines into sections with the document's layout facts."""

    def __init__(
        self, stats: LineStats, body_size: float | None, colon_headings: Collection[str], outline_subitems: bool
    ) -> None:
        self.stats = stats
        self.body_size = body_size
        self.colon_headings = colon_headings
        self.outline_subitems = outline_subitems

    def heading(self, b: Block, in_decision: bool) -> tuple[str, str | None] | None:
        """(heading, inline text) when the block opens a section, else None."""
        text = " ".join(b.text.split())
        bare = text.rstrip(":").strip()
        is_styled = styled(b, self.body_size)
        if self.outline_subitems and SUBITEM_RE.match(text):
            return bare, None
        if _FROM_HEADING_RE.match(bare):
            return bare, None
        m = _LABEL_LINE_RE.match(text)
        if m and not re.search(r"\d", m.group(1)):
            label = m.group(1).strip()
            known = SECTION_RE.match(label) and (SECTION_RE.fullmatch(label) or words(label) <= 3)
            if known or (not in_decision and words(label) <= 3 and not b.list_label):
                return label, m.group(2).strip()
        if ":" in bare:
            return None
        if text.endswith(":") and colon_line(text) in self.colon_headings:
            return bare, None
        bulleted = b.list_label is not None and not b.list_label[:1].isalnum()  # "• Indstilling": a list entry
        if words(bare) <= 12 and not bare.endswith(".") and not bulleted and SECTION_RE.match(bare):
            exact = bare.lower() in SECTION_SET or SECTION_RE.fullmatch(bare)
            if exact or is_styled or text.endswith(":") or _DECISION_HEADING_RE.match(bare):
                return bare, None
        if b.in_table or (in_decision and _dated_label(bare)):
            return None  # "25. september 2012:" in a decision labels a dated entry of it
        if _CAPS_HEADING_RE.match(bare) and words(bare) <= 6:
            return bare, None  # "SAGSFREMSTILLING", "REGIONSRÅDETS BESLUTNING"
        if is_styled and words(bare) <= 10 and not bare.endswith((".", ",")) and b.list_label is None:
            if not CATEGORY_RE.match(bare) and not case_number_line(bare):
                return bare, None
        return None

    def split(self, lines: Sequence[Block]) -> list[Section]:
        """Sections in document order; text before the first heading has heading None."""
        sections: list[tuple[str | None, list[Block]]] = []
        current: tuple[str | None, list[Block]] | None = None
        heading_block: Block | None = None
        in_decision = False  # the current section is a decision (its heading is tested once, when it opens)
        for b in lines:
            if _SIGNATURE_RE.match(" ".join(b.text.split())):
                break  # the signature page after the last item: the members' names are no item text
            head = self.heading(b, in_decision)
            if head is not None and current is not None and _is_bilag(current[0]) and not self._ends_bilag(b):
                head = None  # "Indstilling" in a bilag list is an attachment, not a heading
            if head is not None and current is not None and DECISION_RE.search(head[0]) and _inside_quote(current[1]):
                head = None  # "Beslutning:" inside a quoted protocol of another body is case text
            if head is not None:
                heading, inline = head
                if inline and current is not None and current[0] and not current[1] and heading_block is not None:
                    # a title over "Til:/Fra:" fields heads a paper, not a section: keep it as text
                    sections[-1] = (None, [heading_block])
                heading_block = b
                current = (heading, [])
                in_decision = bool(heading and DECISION_RE.search(heading))
                sections.append(current)
                if inline:
                    current[1].append(Block(text=inline, page=b.page, space_before=b.space_before, x0=b.x0))
                continue
            if current is None:
                current = (None, [])
                sections.append(current)
            current[1].append(b)
        result = [Section(heading=h, text="\n".join(self._paragraphs(h, bl))) for h, bl in sections]
        return split_leading_decision(result)

    def _ends_bilag(self, b: Block) -> bool:
        """A heading that ends a bilag list: styled, a "Label:" line, a decision heading or capitals.
        A plain section word ("Indstilling") in the list is the title of an attachment."""
        text = " ".join(b.text.split())
        bare = text.rstrip(":").strip()
        if b.list_label is not None or bullet_text(b) is not None or b.in_table:
            return False
        label = _LABEL_LINE_RE.match(text)
        if label and SECTION_RE.fullmatch(label.group(1).strip()):
            return True  # "Beslutning: Godkendt." after the list
        return bool(
            styled(b, self.body_size)
            or (text.endswith(":") and words(bare) <= 5)
            or _DECISION_HEADING_RE.match(bare)
            or _CAPS_HEADING_RE.match(bare)
            or _FROM_HEADING_RE.match(bare)
        )

    def _paragraphs(self, heading: str | None, blocks: Sequence[Block]) -> list[str]:
        if not _is_bilag(heading):
            return paragraphs(blocks, self.stats)
        # a Bilag list has one attachment per line; wrapped titles are joined (``_continues_entry``)
        entries: list[str] = []
        prev: Block | None = None
        acadre = False
        spaced = self._entries_spaced(blocks)
        for b in blocks:
            text = " ".join(b.text.replace("\t", " ").split())
            if _BILAG_TABLE_HEAD_RE.match(text):
                prev = None
                continue
            if prev is not None and entries and self._continues_entry(prev, b, text, entries[-1], acadre, spaced):
                entries[-1] = _join_bilag_line(entries[-1], text)
            else:
                acadre = bool(_ACADRE_BILAG_RE.match(text))
                entries.append(text if b.in_table else (paragraphs([b], self.stats) or [text])[0])
            prev = b
        return entries

    def _entries_spaced(self, blocks: Sequence[Block]) -> bool:
        """True when the list's entries stand apart by a paragraph gap (PDF): then the gap alone tells an
        entry from the wrapped line of a title."""
        if not self.stats.line_mode:
            return False
        return any(
            b.space_before is not None and b.space_before > self.stats.paragraph_gap and a.page == b.page
            for a, b in zip(blocks, blocks[1:], strict=False)
        )

    def _continues_entry(self, prev: Block, b: Block, text: str, entry: str, acadre: bool, spaced: bool) -> bool:
        """True when the line ``b`` continues the bilag entry before it rather than starting one.

        A line that starts an entry ("Bilag 2: ...", a bullet, an Acadre row) never continues. In a list
        whose entries stand a paragraph gap apart, a line closer than that gap continues. Otherwise a line
        continues when the entry has an unclosed "(" ("... (påført" / "10.09.2025)"), when it cannot start
        an entry (lower case, "(påført ...)", an Acadre row's title without its number), or when the line
        before fills the width and this one does not start with a digit.
        """
        if b.list_label or bullet_text(b) or _BILAG_ENTRY_RE.match(text) or _ACADRE_BILAG_RE.match(text):
            return False
        same_page = prev.page == b.page
        if spaced and same_page and b.space_before is not None:
            return b.space_before <= self.stats.paragraph_gap
        return bool(
            _open_parenthesis(entry)
            or text[:1].islower()
            or text.startswith("(")
            or (acadre and not text[:1].isdigit())
            or (
                self.stats.line_mode
                and same_page
                and len(prev.text) >= 0.85 * self.stats.full_line
                and not _FILE_END_RE.search(prev.text)
                and not text[:1].isdigit()
            )
        )


def _open_parenthesis(entry: str) -> bool:
    """True when the entry has a "(" not yet closed: its title runs on to the next line."""
    return entry.count("(") > entry.count(")")


_QUOTE_MARKS = '"”“„«»'


def _inside_quote(blocks: Sequence[Block]) -> bool:
    """True when the section text so far leaves a quotation open (an odd number of quote marks)."""
    return sum(b.text.count(q) for b in blocks for q in _QUOTE_MARKS) % 2 == 1


def _is_bilag(heading: str | None) -> bool:
    return bool(heading) and str(heading).lower().startswith("bilag")


def _join_bilag_line(entry: str, line: str) -> str:
    """A wrapped bilag title: an Acadre row keeps its date and document number at the end."""
    m = _ACADRE_BILAG_RE.match(entry)
    if m and (m.group("date") or m.group("docno")):
        tail = entry[m.end("title") :]
        return join_line(entry[: m.end("title")], line) + tail
    return join_line(entry, line)


def split_leading_decision(sections: list[Section]) -> list[Section]:
    """FirstAgenda prints the decision first ("Beslutninger"), then the case text without a heading.

    The decision keeps its first paragraph and the lines that belong to a decision
    (who left, how they voted, where the case goes next, a sentence that runs on); the paragraphs
    after that open an untitled section. A heading that opens the case papers right after the decision
    ("INDSTILLING FRA ...", "BESLUTNINGSFORSLAG FRA ...", a heading in capitals) ends it there:
    everything before it is the decision. Before a "Resume" the untitled case text is split off.
    """
    if len(sections) < 2 or not sections[0].heading or not DECISION_RE.search(sections[0].heading):
        return sections
    if not any(s.heading for s in sections[1:]):
        return sections
    if sections[1].heading and _opens_case_papers(sections[1].heading):
        return sections  # "INDSTILLING FRA ..." ends the decision: every line up to it is the decision
    paras = sections[0].text.split("\n")
    keep = 1
    while keep < len(paras) and (
        _DECISION_NOTE_RE.search(paras[keep])
        or _DECISION_FOLLOW_RE.search(paras[keep])
        or paras[keep][:1].islower()
        or not _SENTENCE_END_RE.search(paras[keep - 1])
    ):
        keep += 1
    if keep >= len(paras):
        return sections
    return [
        Section(sections[0].heading, "\n".join(paras[:keep])),
        Section(None, "\n".join(paras[keep:])),
        *sections[1:],
    ]


def _opens_case_papers(heading: str) -> bool:
    """A heading after a leading decision that starts the case papers: "INDSTILLING FRA ..." or a
    heading in capitals ("PUNKTET BEHANDLET TIDLIGERE")."""
    bare = " ".join(heading.split())
    return bool(_FROM_HEADING_RE.match(bare) or _CAPS_HEADING_RE.match(bare))


def attachments(sections: Sequence[Section]) -> list[Attachment]:
    """One attachment per line of the Bilag section(s); "Ingen" gives none."""
    found: list[Attachment] = []
    for s in sections:
        if not _is_bilag(s.heading):
            continue
        for line in s.text.split("\n"):
            line = " ".join(line.split())
            if not line or _ATTACHMENT_NONE_RE.match(line):
                continue
            attachment = attachment_line(line)
            if attachment is not None:
                found.append(attachment)
    return found


def attachment_line(line: str) -> Attachment | None:
    """One bilag line as an attachment: an Acadre row gives its number, access word, date and
    document number fields; other lines keep their title as printed (a "(påført dd.mm.yyyy)" date
    is read into ``date`` too)."""
    m = _ACADRE_BILAG_RE.match(line)
    if m and m.group("title").strip():
        access = m.group("access")
        return Attachment(
            title=m.group("title").strip(),
            number=int(m.group("number")),
            access=access,
            document_number=m.group("docno"),
            date=parse_date(m.group("date")) if m.group("date") else None,
            closed=access.lower() in _CLOSED_ACCESS,
        )
    title = _ATTACHMENT_PREFIX_RE.sub("", line).strip()
    if not title:
        return None
    added = _ADDED_DATE_RE.search(title)
    return Attachment(title=title, date=parse_date(added.group(1)) if added else None)


def case_history(sections: Sequence[Section]) -> tuple[list[Section], list[HistoryEntry]]:
    """The earlier treatments of the case printed in the item, and the sections without their lines.

    FirstAgenda prints each treatment as "Udvalg: X", "Dato: dd-mm-yyyy", "Punktnummer: N" and what was
    decided, up to the next "Udvalg:" or heading; the labels may stand as sections of their own or
    as lines inside another section. Under a "Sagsforløb"/"Sagens forløb" heading a line
    "19-08-2019 Magistraten" opens a treatment too. A history heading left without text is dropped.
    """
    tokens = _history_tokens(sections)
    kept: list[tuple[str | None, list[str]]] = []
    history: list[HistoryEntry] = []
    heading: str | None = None
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.kind == "heading":
            heading = token.label
            kept.append((token.label, []))
            k += 1
            continue
        line = token.text.strip()
        if token.kind == "para" and _HISTORY_HEADING_RE.match(line) and _history_entry(tokens, k + 1, line):
            heading = line  # "Sagsforløb" printed as a plain line over the treatments
            k += 1
            continue
        entry = _history_entry(tokens, k, heading)
        if entry is not None:
            found, k = entry
            history.append(found)
            continue
        if token.kind == "label" and token.own_section:
            kept.append((token.label, [token.text] if token.text else []))
        else:
            if not kept:
                kept.append((None, []))
            kept[-1][1].append(token.text if token.kind == "para" else f"{token.label}: {token.text}")
        k += 1
    if not history:
        return list(sections), []
    result = [
        Section(h, "\n".join(lines))
        for h, lines in kept
        if lines or (h is not None and not _HISTORY_HEADING_RE.match(h))
    ]
    return result, history


@dataclass(frozen=True)
class _Token:
    kind: str  # "heading" (a section starts), "label" (a history label: Udvalg, Dato, Punktnummer) or "para"
    label: str | None  # the heading or label as printed
    text: str = ""
    own_section: bool = False  # a label that stood as a section heading ("Udvalg" with text "Magistraten")

    @property
    def key(self) -> str:
        return (self.label or "").lower()


def _history_tokens(sections: Sequence[Section]) -> list[_Token]:
    """The sections as a flat run of headings, history labels and paragraphs."""
    tokens: list[_Token] = []
    for s in sections:
        paras = s.text.split("\n") if s.text else []
        if s.heading and _HISTORY_LABEL_RE.match(f"{s.heading}: "):
            tokens.append(_Token("label", s.heading, paras[0] if paras else "", own_section=True))
            paras = paras[1:]
        else:
            tokens.append(_Token("heading", s.heading))
        for p in paras:
            m = _HISTORY_LABEL_RE.match(p.strip())
            tokens.append(_Token("label", m.group(1), m.group(2).strip()) if m else _Token("para", None, p))
    return tokens


def _history_entry(tokens: Sequence[_Token], k: int, heading: str | None) -> tuple[HistoryEntry, int] | None:
    """The treatment starting at token k and the index after it, or None when none starts there."""
    if k >= len(tokens):
        return None
    first = tokens[k]
    dated_lines = bool(heading and _HISTORY_HEADING_RE.match(heading))
    number: int | None = None
    if first.kind == "label" and first.key == "udvalg":
        if k + 1 >= len(tokens) or tokens[k + 1].kind != "label" or tokens[k + 1].key != "dato":
            return None
        body, date = first.text, parse_date(tokens[k + 1].text)
        k += 2
        if k < len(tokens) and tokens[k].kind == "label" and tokens[k].key not in ("udvalg", "dato"):
            digits = re.match(r"\d{1,3}", tokens[k].text)
            number = int(digits.group(0)) if digits else None
            k += 1
        dated_lines = False
    else:
        m = _DATED_BODY_RE.match(first.text.strip()) if first.kind == "para" and dated_lines else None
        if m is None:
            return None
        date, body = parse_date(m.group(1)), m.group(2).strip()
        k += 1
    lines: list[str] = []
    while k < len(tokens) and tokens[k].kind == "para":
        line = tokens[k].text.strip()
        if dated_lines and _DATED_BODY_RE.match(line):
            break
        lines.append(line)
        k += 1
    named, _ = find_body(body)
    return HistoryEntry(body=named or body or None, date=date, number=number, text="\n".join(lines)), k


def decision(
    sections: Sequence[Section], doc_type: DocumentType, body: str | None, date: str | None
) -> Decision | None:
    """The decision of an item in a referat (None in a dagsorden).

    The text under a "Beslutning ..." heading, with the body and date the heading
    names, else the meeting's; with several, the one of the meeting's own body, else
    the last that names no body, else the last. A heading naming the meeting's own body that stands empty
    ("FORRETNINGSUDVALGETS BESLUTNING" with nothing under it) means no decision yet,
    even when a quoted "Beslutning" of another body appears in the case text.
    Without such a heading the item's minute text is the decision.
    """
    if doc_type != "referat":
        return None
    decided = [s for s in sections if s.heading and DECISION_RE.search(s.heading)]
    own = [s for s in decided if body and find_body(s.heading or "")[0] == body]
    if own and not any(s.text.strip() for s in own):
        return None
    if decided:
        with_text = [s for s in decided if s.text.strip()]
        if not with_text:
            return None
        # a heading naming no body ("Beslutninger", "Udvalgets beslutning") is the meeting's own decision,
        # also when FirstAgenda prints it first and another body's ("REGIONSRÅDETS BESLUTNING") after it
        unnamed = [s for s in with_text if find_body(s.heading or "")[0] in (None, "Udvalget")]
        chosen = unnamed[-1] if unnamed else with_text[-1]
        for s in with_text:
            named, _ = find_body(s.heading or "")
            if named and named == body:
                chosen = s
        named, _ = find_body(chosen.heading or "")
        if named == "Udvalget":
            named = None  # "Udvalgets beslutning": the meeting's own committee
        return Decision(text=chosen.text, body=named or body, date=parse_date(chosen.heading or "") or date)
    text = "\n".join(s.text for s in sections if s.text and not (s.heading and s.heading.lower().startswith("bilag")))
    if not text.strip():
        return None
    return Decision(text=text, body=body, date=date)
