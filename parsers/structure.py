"""The layout-independent structure parser: ``Block`` lines in, one ``DocumentRecord`` out.

``build_record`` runs in passes that are each linear in the number of blocks:

1. ``layouts.select_fixups`` removes page furniture and hidden text; running
   header/footer blocks are set aside as a metadata fallback.
2. Tables of contents ("Indhold", leader dots, trailing page numbers) and short
   agenda lists ("Dagsorden kort:") are set aside; their titles confirm wrapped
   item titles.
3. Item candidates are found ("Punkt 3: Titel", "Pkt. 3 Titel", "3. Titel", a
   styled "3 Titel", a lone "3" or "Punkt 3" over a title line, which is then no
   candidate itself even when it starts with a number ("2. behandling af ..."),
   an automatic list number, a table row "3.<tab>Titel"). A title wraps over
   following lines of its style (bold, a heading style or a size above the body
   text) unless the line is a capitalised section heading or a case number.
   One family of candidates is chosen for the
   document, so "1. Resume" inside an appended paper does not compete with
   "Punkt 1: ..." items. A run of headings without text that recurs later is an
   agenda list, not items.
4. Candidates are accepted in order: numbers rise within a meeting. A number
   that goes backwards, and the inner numbering that continues from it, is text
   of the last item, unless a new meeting title comes first (a bundle) or the
   closed part ("Lukket referat") restarts the numbering. The document's title
   line again opens a new meeting only when styled or over a date (a plain line
   naming the committee is text). After an appended
   paper (Til:/Fra: fields) only "Punkt N" headings open items.
5. Meeting metadata comes from the lines before the first item
   (``meeting_head``); each item is split into case numbers, sections,
   attachments and a decision (``sections``).

A file without a meeting title and items is kind "other" (title + full text).
``docs/record-semantics.md`` is the mapping this module implements.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from parsers import layouts
from parsers.bodies import find_body
from parsers.casenumbers import case_number_line, labelled_case_numbers
from parsers.confidentiality import ClosedMark, judge_item, meeting_marker, part_marker
from parsers.danish_dates import find_dates, parse_time_range
from parsers.meeting_head import ALL_LABELS, DOC_TYPE_RE, META_LABEL_RE, document_type, read_head
from parsers.paragraphs import LineStats, join_line, measure, paragraphs
from parsers.records import (
    Block,
    CaseNumber,
    DocumentRecord,
    DocumentType,
    ExtractedDocument,
    Item,
    Meeting,
    Problem,
    Source,
    Status,
)
from parsers.sections import (
    CATEGORY_RE,
    SECTION_RE,
    SUBITEM_RE,
    SectionSplitter,
    attachments,
    case_history,
    colon_line,
    decision,
    has_decision_heading,
    section_word,
    styled,
    words,
)

# --- item headings ---------------------------------------------------------
_PUNKT_RE = re.compile(r"^(?:punkt|pkt\.?|dagsordenspunkt)\s*(\d{1,3})\s*(?:[:.,)\-–—]\s*|\s+|$)(.*)$", re.IGNORECASE)
_DOT_RE = re.compile(r"^(\d{1,3})\s*[.)]\s+(\S.*)$")
_BARE_RE = re.compile(r"^(\d{1,3})\s+(\S.*)$")
_LABEL_NUMBER_RE = re.compile(r"^(\d{1,3})[.)]?$")
_TOC_LEADER_RE = re.compile(r"(?:\.{3,}|…{1,}|_{3,}|(?:\. ){3,})\s*\.?\s*\d{1,4}$|^[^\t]+\t\s*\d{1,3}$")
_TOC_TITLE_RE = re.compile(r"^(?:indhold|indholdsfortegnelse|indholdsliste|oversigt over punkter)\s*:?$", re.IGNORECASE)
_SHORT_LIST_RE = re.compile(r"^(?:dagsorden\s+kort|kort dagsorden|dagsordenspunkter|punkter)\s*:?$", re.IGNORECASE)
_TRAILING_PAGE_RE = re.compile(r"\s+\d{1,3}$")
_TABLE_HEADER_RE = re.compile(r"^(?:punkt|pkt\.?|nr\.?)\s+(?:titel|emne|sag|overskrift)\b", re.IGNORECASE)

# --- meeting metadata ------------------------------------------------------
_META_START_RE = re.compile(
    r"^(mødedato|mødested|mødetid|mødetidspunkt|mødedeltagere|deltagere|afbud|fraværende|mødeleder)\b",
    re.IGNORECASE,
)
_MOEDE_TITLE_RE = re.compile(r"\w{2,}møde\b|^møde\b", re.IGNORECASE)
_TITLE_WITH_LABEL_RE = re.compile(
    r"^(?:dagsorden|referat|beslutningsprotokol)\s*[-–,]\s*(?:mødedato|dato|mødetid)\s*:", re.IGNORECASE
)
# "Lukket dagsorden - Udvalget - 2. maj 2017": the part word before the document type
_PART_WORD_RE = re.compile(r"^(?:lukket|lukkede|åben|åbent|åbne)\s+", re.IGNORECASE)

# --- categories (closed and open parts are decided in parsers.confidentiality) ----------------
_CATEGORY_PREFIX_RE = re.compile(r"^kategori\s*[-–:]\s*", re.IGNORECASE)

# --- item bodies -------------------------------------------------------------
# the address fields of a paper appended to an item (an "Indstilling" to the rådmand)
_PAPER_FIELD_RE = re.compile(r"^(til|fra|dato|kopi til|cc|emne)\s*:", re.IGNORECASE)
# problem codes: W001 no items in a meeting-like document, W002 a number going backwards (kept as
# text), W003 no meeting date, W004 an item without a title, W005 a page (or part) the extractor
# could not read while the rest could
_PARTIAL_CODES = {"W001", "W003", "W004", "W005"}
_EMPTY_CASE_LABEL_RE = re.compile(r"^\s*(?:sags?\s*nr|sagsnummer|j\s*\.?\s*nr)\.?\s*:?\s*$", re.IGNORECASE)
_CASE_LABEL_RE = re.compile(r"^\s*(?:sags?\s*nr|sagsnummer|j\s*\.?\s*nr|journal\s*nr|journalnummer)", re.IGNORECASE)


@dataclass
class _Candidate:
    index: int
    number: int
    title: str
    family: str
    styled: bool


@dataclass
class _ItemSpan:
    cand: _Candidate
    start: int  # first block index after the heading
    end: int  # one past the last block index
    category: str | None
    closed_part: ClosedMark | None  # the closed part heading the item sits under ("Lukket referat")


@dataclass
class _MeetingSpan:
    start: int
    first_item: int  # block index of the first item heading
    items: list[_ItemSpan] = field(default_factory=list)


def _ends_in_digit(text: str) -> bool:
    """True when ``text`` ends in a digit (before one final newline, as ``$`` reads it): a cheap test
    that every match of ``_TOC_LEADER_RE`` needs, so that most lines skip the unanchored search."""
    return text[-2:-1].isdigit() if text.endswith("\n") else text[-1:].isdigit()


def _is_toc_line(text: str) -> bool:
    return _ends_in_digit(text) and bool(_TOC_LEADER_RE.search(text))


def _structure_line(text: str) -> bool:
    """A line that is document structure (item heading, category, TOC title, case number)."""
    return bool(
        _TABLE_HEADER_RE.match(text)
        or CATEGORY_RE.match(text)
        or _TOC_TITLE_RE.match(text)
        or _SHORT_LIST_RE.match(text)
        or case_number_line(text)
        or _PUNKT_RE.match(text)
        or _DOT_RE.match(text)
    )


def _is_category(text: str) -> bool:
    """A group heading ("Til orientering", "Lukkede punkter") or a part heading ("Lukket del")."""
    return bool(CATEGORY_RE.match(text.strip())) or part_marker(text) is not None


def _category(text: str) -> str:
    return _CATEGORY_PREFIX_RE.sub("", " ".join(text.split())).rstrip(":").strip()


def _part_after(text: str, part: ClosedMark | None) -> ClosedMark | None:
    """The closed part after line ``text``: a closed part heading opens one, an open part heading ends it."""
    found = part_marker(text)
    if found == "closed":
        return ClosedMark(_category(text))
    if found == "open":
        return None
    return part


def _label_number(text: str) -> int | None:
    """3 for "3", "3." or "3)"; None otherwise."""
    m = _LABEL_NUMBER_RE.match(text.strip())
    return int(m.group(1)) if m else None


def _clean_title(text: str) -> str:
    text = " ".join(text.replace("\ufeff", " ").split())
    if _ends_in_digit(text):
        text = _TOC_LEADER_RE.sub("", text)
    return text.strip().rstrip(":").strip()


# ---------------------------------------------------------------------------


class _Parser:
    def __init__(self, extracted: ExtractedDocument, source: Source) -> None:
        self.source = source
        blocks, self.layout = layouts.select_fixups(extracted.blocks)
        self.body: list[Block] = [b for b in blocks if b.role == "body"]
        self.furniture: list[Block] = [b for b in blocks if b.role != "body"]
        self.body_size = extracted.body_font_size or self._median_size()
        self.stats: LineStats = measure(self.body, self.body_size)
        self.problems: list[Problem] = list(extracted.problems)
        self.toc_titles: list[str] = []
        self.skip: set[int] = set()  # block indexes of TOC / short agenda lists
        # _is_toc_line of each body line's raw text, computed once (the TOC scan asks for most lines twice)
        self._toc_lines: list[bool] = [_is_toc_line(b.text) for b in self.body]
        # "Præsentation:" on a line of its own in several items is a heading of the layout
        colon_headings = {t for t, n in Counter(colon_line(b.text) for b in self.body).items() if t and n >= 2}
        self.splitter = SectionSplitter(self.stats, self.body_size, colon_headings, self.layout.outline_subitems)

    def _median_size(self) -> float | None:
        sizes = Counter(round(b.font_size) for b in self.body if b.font_size)
        return float(sizes.most_common(1)[0][0]) if sizes else None

    # --- document level -------------------------------------------------
    def build(self) -> DocumentRecord:
        if not self.body:
            return self._other()
        self._mark_toc()
        candidates = self._candidates()
        if not self._looks_like_meeting():
            return self._other()
        meetings = self._meetings(candidates)
        if not meetings:
            self.problems.append(Problem("W001", "no items found in a document that looks like a meeting", 1))
            return self._other(status="partial")
        records = tuple(self._meeting(m) for m in meetings)
        # a meeting without a date or an item without a title is an incomplete parse
        status: Status = "partial" if any(p.code in _PARTIAL_CODES for p in self.problems) else "ok"
        return DocumentRecord(
            source=self.source,
            kind="meeting",
            meetings=records,
            title=self._title(),
            text="",
            status=status,
            problems=tuple(self.problems),
        )

    def _title(self) -> str | None:
        """The first styled line near the top (letterheads in small type are skipped), else the first line."""
        if not self.body:
            return None
        size = self.body_size or 0.0
        readable = [k for k, b in enumerate(self.body[:15]) if not (b.font_size and size and b.font_size < size - 0.5)]
        for k in readable:
            b = self.body[k]
            label = META_LABEL_RE.match(b.text)
            if styled(b, self.body_size) and not (label and label.group(1).lower() in ALL_LABELS):
                return self._wrapped_title(k)
        return self._wrapped_title(readable[0] if readable else 0)

    def _wrapped_title(self, k: int) -> str:
        """A title line plus its wrapped continuation lines (same style, no paragraph gap; PDF only)."""
        first = self.body[k]
        text = first.text
        for b in self.body[k + 1 : k + 3]:
            if not self.stats.line_mode or b.page != first.page:
                break
            same = (b.bold, b.heading_level, b.font_size) == (first.bold, first.heading_level, first.font_size)
            gap = b.space_before is not None and b.space_before > self.stats.paragraph_gap
            if not same or gap or find_dates(b.text) or META_LABEL_RE.match(b.text):
                break
            if first.font_size and self.body_size and first.font_size <= self.body_size and not first.bold:
                break  # body-size plain text: the next line is a new paragraph, not a wrap
            text = join_line(text, b.text)
        return _clean_title(text)

    def _other(self, status: Status = "ok") -> DocumentRecord:
        text = "\n".join(paragraphs(self.body, self.stats))
        if any(p.code in _PARTIAL_CODES for p in self.problems):
            status = "partial"
        return DocumentRecord(
            source=self.source,
            kind="other",
            meetings=(),
            title=self._title(),
            text=text,
            status=status,
            problems=tuple(self.problems),
        )

    def _looks_like_meeting(self) -> bool:
        """A meeting title (Dagsorden/Referat/"...møde" with a date) or meeting labels near the top."""
        score = 0
        labels: set[str] = set()
        head = self.body[:40]
        head_dated: dict[int, bool] = {}  # head index -> the line holds a date (each line is read once)

        def dated_line(k: int) -> bool:
            if k not in head_dated:
                head_dated[k] = bool(find_dates(head[k].text))
            return head_dated[k]

        for i, b in enumerate(head):
            text = b.text.strip()
            count = words(text)
            if count <= 12 and DOC_TYPE_RE.search(text) and not META_LABEL_RE.match(text):
                score += 2
            elif _TITLE_WITH_LABEL_RE.match(text):
                score += 2  # "Referat - Mødedato: 11. september 2023"
            m = _META_START_RE.match(text)
            if m:
                labels.add(m.group(1).lower())
            # ("møde" in the lower-cased line first: the unanchored pattern is costly on lines without it)
            if count <= 8 and "møde" in text.lower() and _MOEDE_TITLE_RE.search(text):
                if any(dated_line(k) for k in range(i, min(i + 4, len(head)))):
                    score += 2
        # a running header that opens with the document type and dates it ("Dagsorden - Udvalget - 2. maj 2017")
        # titles a document whose items start on page 1 without a front page
        if any(
            b.role == "header"
            and DOC_TYPE_RE.match(_PART_WORD_RE.sub("", b.text.strip()))
            and find_dates(b.text)
            and words(b.text) <= 14
            for b in self.furniture[:10]
        ):
            score += 2
        # a meeting document states when the meeting is
        dated = any(dated_line(k) for k in range(len(head))) or any(find_dates(b.text) for b in self.furniture[:10])
        return score + len(labels) >= 2 and dated

    # --- tables of contents ----------------------------------------------
    def _mark_toc(self) -> None:
        """Mark TOC blocks (after "Indhold", or dotted-leader lines) and short agenda lists."""
        body = self.body
        i = 0
        n = len(body)
        while i < n:
            text = body[i].text.strip()
            if _TOC_TITLE_RE.match(text) or _SHORT_LIST_RE.match(text):
                self.skip.add(i)
                j = i + 1
                short_list = bool(_SHORT_LIST_RE.match(text))
                last = -1
                while j < n and (self._toc_entry(body[j], short_list) or self._wrapped_toc_entry(j)):
                    if self._wrapped_toc_entry(j):
                        # an entry wrapped over two lines; the second carries the leader dots
                        self.skip.update((j, j + 1))
                        self.toc_titles.append(self._toc_title(f"{body[j].text} {body[j + 1].text}"))
                        j += 2
                        continue
                    number = self._list_number(body[j]) if short_list else None
                    if number is not None:
                        if number <= last:
                            break  # the list is over; the items themselves start again at 1
                        last = number
                    if not CATEGORY_RE.match(body[j].text.strip()):
                        self.skip.add(j)
                        self.toc_titles.append(self._toc_title(body[j].text))
                    j += 1
                i = j
                continue
            if _is_toc_line(text):
                self.skip.add(i)
                self.toc_titles.append(self._toc_title(text))
            elif self._wrapped_toc_entry(i) and (_PUNKT_RE.match(text) or _DOT_RE.match(text)):
                self.skip.update((i, i + 1))
                self.toc_titles.append(self._toc_title(f"{text} {body[i + 1].text}"))
                i += 2
                continue
            i += 1

    def _wrapped_toc_entry(self, j: int) -> bool:
        """Line j has no page number but the next line finishes it with leader dots and one."""
        if j + 1 >= len(self.body) or self._toc_lines[j]:
            return False
        nxt = self.body[j + 1]
        return self._toc_lines[j + 1] and nxt.page == self.body[j].page and words(nxt.text) <= 12

    def _toc_entry(self, block: Block, short_list: bool) -> bool:
        text = block.text.strip()
        if _is_toc_line(text):
            return True
        if CATEGORY_RE.match(text):
            return True
        if short_list:
            return bool(_DOT_RE.match(text) or _PUNKT_RE.match(text) or block.list_label)
        label = _PUNKT_RE.match(text)
        if label and not label.group(2).strip():
            return False  # "Punkt 1" alone is the label of the first item after the TOC, not "title page"
        return bool(_TRAILING_PAGE_RE.search(text)) and words(text) <= 20

    @staticmethod
    def _list_number(block: Block) -> int | None:
        number = _label_number(block.list_label or "")
        if number is not None:
            return number
        m = _PUNKT_RE.match(block.text.strip()) or _DOT_RE.match(block.text.strip())
        return int(m.group(1)) if m else None

    @staticmethod
    def _toc_title(text: str) -> str:
        head, sep, page = text.rpartition("\t")
        if sep and page.strip().isdigit():
            text = head  # "3. Titel<tab>4": a tab before the page number instead of leader dots
        text = _TOC_LEADER_RE.sub("", text)
        text = _TRAILING_PAGE_RE.sub("", text)
        for rx in (_PUNKT_RE, _DOT_RE):
            m = rx.match(text.strip())
            if m:
                return " ".join(m.group(2).split())
        return " ".join(text.split())

    # --- item candidates -------------------------------------------------
    def _candidate(self, i: int) -> _Candidate | None:
        b = self.body[i]
        text = b.text.strip()
        is_styled = styled(b, self.body_size)
        if b.in_table:
            cells = [c.strip() for c in text.split("\t") if c.strip()]
            number = _label_number(cells[0]) if len(cells) == 2 else None
            if number is not None and self._heading_like(cells[1], True):
                return _Candidate(i, number, cells[1], "dot", is_styled)
            return None
        # the numbered forms below ("3.1 ...", "3", "3. Titel", "3 Titel", a date) all start with a digit
        digit = text[:1].isdigit()
        if digit and SUBITEM_RE.match(text):
            return None
        lone = _label_number(text) if digit else None
        if lone is not None and i + 1 < len(self.body):
            nxt = self.body[i + 1]
            nxt_styled = styled(nxt, self.body_size)
            if not nxt.in_table and nxt.list_label is None and self._heading_like(nxt.text, nxt_styled):
                if not _LABEL_NUMBER_RE.match(nxt.text.strip()) and not section_word(nxt.text):
                    return _Candidate(i, lone, "", "dot", is_styled)
        # "28. juli 2020" is a date, not item 28
        if digit:
            dates = find_dates(text[:40])
            if dates and dates[0].start == 0:
                return None
        m = _PUNKT_RE.match(text)
        if m:
            return _Candidate(i, int(m.group(1)), m.group(2).strip(), "punkt", is_styled)
        label_number = _label_number(b.list_label or "")
        if label_number is not None:
            if self._heading_like(text, is_styled):
                return _Candidate(i, label_number, text, "label", is_styled)
            return None
        if not digit:
            return None
        m = _DOT_RE.match(text)
        if m and self._heading_like(m.group(2), is_styled):
            return _Candidate(i, int(m.group(1)), m.group(2).strip(), "dot", is_styled)
        m = _BARE_RE.match(text)
        if m and is_styled and m.group(2)[:1].isupper() and self._heading_like(m.group(2), is_styled):
            return _Candidate(i, int(m.group(1)), m.group(2).strip(), "bare", is_styled)
        return None

    @staticmethod
    def _heading_like(title: str, is_styled: bool) -> bool:
        count = words(title)
        if count == 0 or count > 25 or not title[:1].isalnum() and title[:1] not in "§\"'«(":
            return False
        if is_styled:
            return True
        return count <= 14 and not title.rstrip().endswith((".", ",", ";")) or title.rstrip().endswith("?")

    def _candidates(self) -> list[_Candidate]:
        found: list[_Candidate] = []
        for i in range(len(self.body)):
            if i in self.skip or (found and found[-1].index == i - 1 and not found[-1].title):
                continue  # the title line under a lone label ("1." over "2. behandling af ...") is no candidate
            c = self._candidate(i)
            if c:
                found.append(c)
        if not found:
            return []
        by_family: dict[str, list[_Candidate]] = {}
        for c in found:
            by_family.setdefault(c.family, []).append(c)
        if "punkt" in by_family:
            family = "punkt"
        else:
            family = max(
                by_family,
                key=lambda f: (sum(2 if c.styled else 1 for c in by_family[f]), f == "label", f == "dot"),
            )
        chosen = by_family[family]
        # in a family of styled headings, an unstyled look-alike is a numbered paragraph
        styled_share = sum(c.styled for c in chosen) / len(chosen)
        if family != "punkt" and styled_share >= 0.6:
            chosen = [c for c in chosen if c.styled]
        return self._drop_lists(chosen)

    def _drop_lists(self, cands: list[_Candidate]) -> list[_Candidate]:
        """Drop runs of headings without content that are repeated later (an agenda list)."""
        if len(cands) < 2:
            return cands
        empty = []
        for k, c in enumerate(cands):
            nxt = cands[k + 1].index if k + 1 < len(cands) else len(self.body)
            empty.append(
                all(j in self.skip or CATEGORY_RE.match(self.body[j].text.strip()) for j in range(c.index + 1, nxt))
            )
        last_pos = {c.number: k for k, c in enumerate(cands)}
        result: list[_Candidate] = []
        k = 0
        while k < len(cands):
            if empty[k]:
                run_end = k
                while run_end + 1 < len(cands) and empty[run_end + 1]:
                    run_end += 1
                run = cands[k : run_end + 1]
                repeated = last_pos[run[0].number] > run_end
                lone_toc = (run[0].index - 1 in self.skip or run[0].index + 1 in self.skip) and self._same_title(
                    run[0], cands[last_pos[run[0].number]]
                )
                if repeated and (len(run) >= 2 or lone_toc):
                    for c in run:
                        self.skip.add(c.index)
                        self.toc_titles.append(c.title)
                    k = run_end + 1
                    continue
            result.append(cands[k])
            k += 1
        return result

    @staticmethod
    def _same_title(a: _Candidate, b: _Candidate) -> bool:
        ta, tb = " ".join(a.title.split()).lower(), " ".join(b.title.split()).lower()
        return bool(ta and tb) and (ta.startswith(tb) or tb.startswith(ta))

    # --- meetings ----------------------------------------------------------
    def _is_meeting_start(self, i: int, first_title: str) -> bool:
        b = self.body[i]
        text = b.text.strip()
        if words(text) > 10 or CATEGORY_RE.match(text) or b.list_label is not None or b.in_table:
            return False
        if " ".join(text.split()).lower() == first_title:
            # the document's title line again: a new meeting when printed as a title (styled) or
            # with a date under it; a plain line naming the committee is text ("Beslutningen træffes af")
            return styled(b, self.body_size) or self._date_follows(i)
        if not styled(b, self.body_size):
            return False
        if not (DOC_TYPE_RE.search(text) or ("møde" in text.lower() and find_body(text)[0])):
            return False
        return self._date_follows(i)

    def _date_follows(self, i: int) -> bool:
        """A meeting date (a short dated line or a time range) on line i or the three after it."""
        for j in range(i, min(i + 4, len(self.body))):
            t = self.body[j].text
            if find_dates(t) and (parse_time_range(t)[0] or words(t) <= 8):
                return True
        return False

    def _meetings(self, cands: list[_Candidate]) -> list[_MeetingSpan]:
        """Accept item headings in order and split the document into meetings.

        Numbers rise within a meeting. A number that goes backwards, and the inner
        numbering that continues from it ("1. Resume", "2. Beslutningspunkter"), is
        text of the last item. After an appended paper (Til:/Fra: fields) only
        "Punkt N" headings can open items. A new meeting title resets the numbering.
        """
        if not cands:
            return []
        first_title = " ".join(self.body[0].text.split()).lower()
        meetings: list[_MeetingSpan] = [_MeetingSpan(start=0, first_item=cands[0].index)]
        accepted: list[_Candidate] = []
        last_number = -1
        restart: int | None = None
        in_paper = False
        fields: set[str] = set()
        scanned = cands[0].index
        for c in cands:
            start_at = None
            for j in range(max(scanned, cands[0].index) + 1, c.index):
                if j in self.skip or not accepted:
                    continue
                if start_at is None and self._is_meeting_start(j, first_title):
                    start_at = j
                field_match = _PAPER_FIELD_RE.match(self.body[j].text)
                if field_match:
                    fields.add(field_match.group(1).lower())
            scanned = max(scanned, c.index)
            if start_at is not None:
                self._close_meeting(meetings[-1], accepted, start_at)
                meetings.append(_MeetingSpan(start=start_at, first_item=c.index))
                accepted, last_number, restart, in_paper, fields = [], -1, None, False, set()
            elif {"til", "fra"} <= fields:
                in_paper = in_paper or c.family != "punkt"
            if c.number <= last_number and self._closed_part_before(c.index):
                last_number = -1  # "Lukket referat" with its own numbering
            if c.number <= last_number or (restart is not None and c.number == restart + 1):
                self.problems.append(
                    Problem(
                        "W002",
                        f"numbered heading {c.number} after item {last_number} kept as text: {c.title[:60]}",
                        self.body[c.index].page,
                    )
                )
                restart = c.number
                continue
            if in_paper:
                continue
            accepted.append(c)
            last_number = c.number
            restart = None
        self._close_meeting(meetings[-1], accepted, len(self.body))
        return [m for m in meetings if m.items]

    def _closed_part_before(self, index: int) -> bool:
        """True when the line before an item heading opens the closed part ("Lukket dagsorden")."""
        j = index - 1
        while j >= 0 and j in self.skip:
            j -= 1
        if j < 0:
            return False
        return _is_category(self.body[j].text) and part_marker(self.body[j].text) == "closed"

    def _close_meeting(self, meeting: _MeetingSpan, accepted: list[_Candidate], end: int) -> None:
        category: str | None = None
        part: ClosedMark | None = None
        # category and part headings before the first item
        for j in range(meeting.start, accepted[0].index if accepted else end):
            if j in self.skip:
                continue
            if _is_category(self.body[j].text):
                category = _category(self.body[j].text)
            part = _part_after(self.body[j].text, part)
        for k, c in enumerate(accepted):
            stop = accepted[k + 1].index if k + 1 < len(accepted) else end
            span = _ItemSpan(c, c.index + 1, stop, category, part)
            meeting.items.append(span)
            # a closed part opened anywhere in this span ("Lukket dagsorden") goes on until an open part;
            # "Lukket møde" right under the item's heading marks that item only
            own = self._own_marker_line(c.index, stop)
            for j in range(c.index + 1, stop):
                if j not in self.skip and j != own:
                    part = _part_after(self.body[j].text, part)
            # a category heading closing this span applies to the next item
            tail = stop
            while (
                tail - 1 > c.index
                and tail - 1 != own
                and (tail - 1 in self.skip or _is_category(self.body[tail - 1].text))
            ):
                tail -= 1
            for j in range(tail, stop):
                if j not in self.skip:
                    category = _category(self.body[j].text)
                    self.skip.add(j)

    def _own_marker_line(self, heading: int, stop: int) -> int | None:
        """The first line under an item heading when it is a part word that is no group heading
        ("Lukket møde" under "5. Erstatningssag"): a marker of that item, not a part of the document."""
        j = heading + 1
        while j < stop and j in self.skip:
            j += 1
        if j >= stop:
            return None
        text = self.body[j].text
        return j if part_marker(text) is not None and not CATEGORY_RE.match(text.strip()) else None

    # --- meeting metadata ---------------------------------------------------
    def _meeting(self, span: _MeetingSpan) -> Meeting:
        head = [self.body[j] for j in range(span.start, span.first_item) if j not in self.skip]
        openings = [
            [self.body[j].text for j in range(item.start, min(item.end, item.start + 4)) if j not in self.skip]
            for item in span.items
        ]
        doc_type = document_type(head, self.furniture, openings)
        meta = read_head(head, self.furniture, self.stats.paragraph_gap, _structure_line)
        if meta.date is None:
            self.problems.append(Problem("W003", "meeting date not found", self.body[span.first_item].page))
        closed_meeting = self._closed_meeting(span)
        items = tuple(self._item(s, doc_type, meta.body, meta.date, closed_meeting) for s in span.items)
        if any(has_decision_heading(i) for i in items):
            # minutes with "Beslutning" headings: an item without one has no recorded decision
            items = tuple(i if has_decision_heading(i) else replace(i, decision=None) for i in items)
        return Meeting(
            body=meta.body,
            document_type=doc_type,
            date=meta.date,
            items=items,
            municipality=meta.municipality,
            start_time=meta.start_time,
            end_time=meta.end_time,
            location=meta.location,
            participants=meta.participants,
            absent=meta.absent,
            case_numbers=meta.case_numbers,
        )

    def _closed_meeting(self, span: _MeetingSpan) -> ClosedMark | None:
        """ "Lukket møde"/"Lukket referat" in the meeting's title area (the head before a table of
        contents) or in a running header on the meeting's pages: every item is closed."""
        title_area: list[Block] = []
        for j in range(span.start, span.first_item):
            if j in self.skip:
                break
            title_area.append(self.body[j])
        last = span.items[-1].end - 1 if span.items else span.first_item
        pages = range(self.body[span.start].page, self.body[min(last, len(self.body) - 1)].page + 1)
        headers = [b for b in self.furniture if b.role == "header" and b.page in pages]
        for b in title_area + headers:
            found = meeting_marker(b.text)
            if found is not None:
                return ClosedMark(found)
        return None

    # --- items -----------------------------------------------------------------
    def _item(
        self,
        span: _ItemSpan,
        doc_type: DocumentType,
        body: str | None,
        date: str | None,
        closed_meeting: ClosedMark | None = None,
    ) -> Item:
        heading = self.body[span.cand.index]
        title = span.cand.title
        blocks = [j for j in range(span.start, span.end) if j not in self.skip]
        blocks, title = self._title_continuation(blocks, title, heading)
        case_numbers: list[CaseNumber] = []
        lines = self._item_lines(blocks)
        line_numbers = [case_number_line(b.text) for b in lines]  # each line's case numbers, read once
        text_lines = [b for b, numbers in zip(lines, line_numbers, strict=True) if not numbers]
        verdict = judge_item(title, [b.text for b in text_lines], span.closed_part or closed_meeting)
        markers = {id(text_lines[k]) for k in verdict.marker_lines}
        rest: list[Block] = []
        leading = True
        for b, line_case_numbers in zip(lines, line_numbers, strict=True):
            numbers = line_case_numbers if leading or _CASE_LABEL_RE.match(b.text) else None
            if numbers is None and _CASE_LABEL_RE.match(b.text):
                # "Sagsnr.: 13/1234   Sagsbehandler: Anne Hansen": the number, then other fields
                numbers = labelled_case_numbers(b.text)
                if numbers:
                    tail = b.text.split(numbers[-1].raw, 1)[1].strip(" ,;\t")
                    if tail:
                        rest.append(Block(text=tail, page=b.page, space_before=b.space_before, x0=b.x0))
            if numbers:
                case_numbers.extend(n for n in numbers if n not in case_numbers)
                continue
            if id(b) in markers:
                continue  # "Punktet er lukket", "Åben/Lukket: Lukket": a marker, not section text
            if leading and _EMPTY_CASE_LABEL_RE.match(b.text):
                continue  # "Sagsnr.:" with no number
            leading = leading and b.in_table
            rest.append(b)
        sections, history = case_history(self.splitter.split(rest))
        if not title:
            self.problems.append(Problem("W004", f"item {span.cand.number} has no title", heading.page))
        pages = sorted({heading.page} | {b.page for b in rest} | {self.body[j].page for j in blocks})
        return Item(
            number=span.cand.number,
            title=title,
            case_numbers=tuple(case_numbers),
            closed=verdict.mark is not None,
            closed_reason=verdict.mark.reason if verdict.mark else None,
            closed_review=bool(verdict.mark and verdict.mark.review),
            sections=tuple(sections),
            decision=decision(sections, doc_type, body, date),
            attachments=tuple(attachments(sections)),
            history=tuple(history),
            pages=tuple(pages),
            category=span.category,
        )

    def _item_lines(self, indexes: list[int]) -> list[Block]:
        """The item's blocks; a leading table row of fields ("Sagsnr.: X | Sagsbehandler: Y | Åben")
        is split into one line per cell."""
        lines: list[Block] = []
        for k, j in enumerate(indexes):
            b = self.body[j]
            cells = [c.strip() for c in b.text.split("\t") if c.strip()]
            if b.in_table and k < 3 and len(cells) > 1 and any(META_LABEL_RE.match(c) for c in cells):
                lines.extend(Block(text=c, page=b.page, space_before=b.space_before, x0=b.x0) for c in cells)
            else:
                lines.append(b)
        return lines

    def _title_continuation(self, blocks: list[int], title: str, heading: Block) -> tuple[list[int], str]:
        """Join a wrapped title line (same style, no gap) or take the next line when the heading has none."""
        if not blocks:
            return blocks, title
        first = self.body[blocks[0]]
        if not title:
            # a lone label ("Punkt 3", "3.") over the title: the title line may wrap in turn
            return self._title_continuation(blocks[1:], _clean_title(first.text), first)
        toc_match = any(t.startswith(title) and len(t) > len(title) for t in self.toc_titles)
        same_style = (
            first.bold == heading.bold
            and first.heading_level == heading.heading_level
            and (first.bold or first.heading_level is not None or self._larger_than_body(first))
            and first.font_size == heading.font_size
            and first.page == heading.page
            and not (first.space_before is not None and first.space_before > self.stats.paragraph_gap)
        )
        joined = " ".join(f"{title} {first.text}".split())
        if (
            (same_style and self.stats.line_mode) or (toc_match and any(t.startswith(joined) for t in self.toc_titles))
        ) and not ((SECTION_RE.match(first.text) and not first.text[:1].islower()) or case_number_line(first.text)):
            # a lower-case start continues the title ("... truffet af" / "beslutning om ..."); headings are capitalised
            return self._title_continuation(blocks[1:], joined, heading)  # a long title wraps more than once
        return blocks, title

    def _larger_than_body(self, block: Block) -> bool:
        """Set in a larger size than the body text: a heading even when not bold."""
        return bool(block.font_size and self.body_size and block.font_size >= self.body_size + 1.5)

    # --- sections --------------------------------------------------------------


def build_record(extracted: ExtractedDocument, source: Source) -> DocumentRecord:
    """Turn the extractor's blocks into the normalized record of one file."""
    return _Parser(extracted, source).build()
