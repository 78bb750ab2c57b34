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

from parsers.bodies import find_body
from parsers.casenumbers import case_number_line
from parsers.danish_dates import find_dates, parse_date
from parsers.paragraphs import LineStats, bullet_text, join_line, paragraphs
from parsers.records import Attachment, Block, Decision, DocumentType, Item, Section

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
_WORD_RE = re.compile(r"\S+")
_CAPS_HEADING_RE = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ/,\- ]*[A-ZÆØÅ]$")
_FILE_END_RE = re.compile(r"\.[A-Za-z0-9]{2,5}\)?$")  # "... notat.pdf": a complete file name
_BILAG_ENTRY_RE = re.compile(r"^bilag\s*\d", re.IGNORECASE)


def words(text: str) -> int:
    return len(_WORD_RE.findall(text))


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
        if SUBITEM_RE.match(text) and self.outline_subitems:
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
        for b in lines:
            in_decision = bool(current and current[0] and DECISION_RE.search(current[0]))
            head = self.heading(b, in_decision)
            if head is not None:
                heading, inline = head
                if inline and current is not None and current[0] and not current[1] and heading_block is not None:
                    # a title over "Til:/Fra:" fields heads a paper, not a section: keep it as text
                    sections[-1] = (None, [heading_block])
                heading_block = b
                current = (heading, [])
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

    def _paragraphs(self, heading: str | None, blocks: Sequence[Block]) -> list[str]:
        if heading is None or not heading.lower().startswith("bilag"):
            return paragraphs(blocks, self.stats)
        # a Bilag list has one attachment per line; only a line that fills the width wraps
        entries: list[str] = []
        prev: Block | None = None
        for b in blocks:
            wrapped = (
                prev is not None
                and self.stats.line_mode
                and prev.page == b.page
                and len(prev.text) >= 0.85 * self.stats.full_line
                and not _FILE_END_RE.search(prev.text)
                and not (b.text[:1].isdigit() or b.list_label or bullet_text(b) or _BILAG_ENTRY_RE.match(b.text))
            )
            if wrapped and entries:
                entries[-1] = join_line(entries[-1], b.text)
            else:
                entries.extend(paragraphs([b], self.stats))
            prev = b
        return entries


def split_leading_decision(sections: list[Section]) -> list[Section]:
    """FirstAgenda prints the decision first ("Beslutninger"), then the case text without a heading.

    The decision keeps its first paragraph and the notes that belong to a decision
    (who left, how they voted); the paragraphs after that open an untitled section.
    """
    if len(sections) < 2 or not sections[0].heading or not DECISION_RE.search(sections[0].heading):
        return sections
    if not any(s.heading for s in sections[1:]):
        return sections
    paras = sections[0].text.split("\n")
    keep = 1
    while keep < len(paras) and _DECISION_NOTE_RE.search(paras[keep]):
        keep += 1
    if keep >= len(paras):
        return sections
    return [
        Section(sections[0].heading, "\n".join(paras[:keep])),
        Section(None, "\n".join(paras[keep:])),
        *sections[1:],
    ]


def attachments(sections: Sequence[Section]) -> list[Attachment]:
    """One attachment per line of the Bilag section(s); "Ingen" gives none."""
    found: list[Attachment] = []
    for s in sections:
        if s.heading is None or not s.heading.lower().startswith("bilag"):
            continue
        for line in s.text.split("\n"):
            line = line.strip()
            if not line or _ATTACHMENT_NONE_RE.match(line):
                continue
            title = _ATTACHMENT_PREFIX_RE.sub("", line).strip()
            if title:
                found.append(Attachment(title=title))
    return found


def decision(
    sections: Sequence[Section], doc_type: DocumentType, body: str | None, date: str | None
) -> Decision | None:
    """The decision of an item in a referat (None in a dagsorden).

    The text under a "Beslutning ..." heading, with the body and date the heading
    names, else the meeting's; with several, the one of the meeting's own body, else
    the last. A heading naming the meeting's own body that stands empty
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
        chosen = with_text[-1]
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
