"""Layout families: meeting data in, printed paragraphs out.

Each family imitates one kind of agenda system (see /work/shared/seeds and
docs/record-semantics.md). A family function draws the meeting content with
``rng``, prints it as ``Para``/``Table`` elements tagged with the item they
belong to, and returns both, so the gold record is built from the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from corpus.generator import content as c
from corpus.generator import vocabulary as v
from corpus.generator.layout import Element, ItemTag, Para, RunningText, Table


@dataclass(frozen=True)
class DocPlan:
    """One file of the archive, before its content is drawn."""

    index: int
    family: str
    fmt: Literal["pdf", "docx"]
    municipality: v.Municipality
    body: str
    document_type: Literal["dagsorden", "referat"]
    date: str
    relpath: str
    cpr: bool = False  # one item text carries a (fictitious) CPR number


@dataclass
class BuiltDoc:
    kind: Literal["meeting", "other"]
    elements: list[Element]
    title: str
    meetings: list[c.MeetingData] = field(default_factory=list)
    running: RunningText | None = None
    text: str = ""  # full text for kind "other"


# ---------------------------------------------------------------------------
# Shared building blocks
# ---------------------------------------------------------------------------


def _time(rng: random.Random, hours: tuple[int, ...] = (8, 9, 13, 14, 15, 16, 17)) -> str:
    return f"{rng.choice(hours):02d}:{rng.choice(('00', '00', '30', '15')):s}"


def _end(start: str, rng: random.Random) -> str:
    h, m = (int(x) for x in start.split(":"))
    minutes = h * 60 + m + rng.choice((60, 90, 120, 150))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _pick_cases(rng: random.Random, pool: list[c.Case], body: str, n: int, date: str) -> list[c.Case]:
    """Cases of the last three years that this body handles; council meetings take the ØU cases."""
    year = int(date[:4])
    pool = [k for k in pool if year - 2 <= k.year <= year]
    preferred = [k for k in pool if body in k.topic.committees]
    if body in ("Byrådet", "Kommunalbestyrelsen"):
        preferred = [k for k in pool if "Økonomiudvalget" in k.topic.committees]
    rest = [k for k in pool if k not in preferred]
    chosen = rng.sample(preferred, min(n, len(preferred)))
    if len(chosen) < n:
        chosen += rng.sample(rest, n - len(chosen))
    titles: set[str] = set()
    unique = []
    for k in chosen:
        if k.title not in titles:
            titles.add(k.title)
            unique.append(k)
    return unique


def _proposal_clause(case: c.Case) -> str:
    """'det indstilles, at X' -> 'X'."""
    return case.fill(case.topic.proposal).removeprefix("det indstilles, at ")


def _decision_heading(style: str, body: str, date: str) -> str:
    if style == "dmy":
        return f"Beslutning {body} den {c.dmy(date)}"
    return f"Beslutning i {body} den {c.dk_date_long(date)}"


def _bilag(atts: list[str], bullets: bool) -> c.SectionData:
    return c.SectionData("Bilag", [c.ParaData("bullet" if bullets else "p", a) for a in atts])


def _print_section(out: list[Element], sec: c.SectionData, tag: ItemTag, heading_style: str = "h2") -> None:
    """A section as a heading line followed by its paragraphs."""
    if sec.heading is not None:
        out.append(Para(sec.heading, heading_style, tag=tag))  # type: ignore[arg-type]
    _print_paras(out, sec.paras, tag)


def _print_paras(out: list[Element], paras: list[c.ParaData], tag: ItemTag) -> None:
    for p in paras:
        if p.kind == "table":
            out.append(Table(p.rows, tag=tag, col_widths=[2.2] + [1.0] * (len(p.rows[0]) - 1)))
        elif p.kind == "bullet":
            out.append(Para(p.text, "bullet", tag=tag))
        else:
            out.append(Para(p.text, "body", tag=tag))


def _standard_sections(
    rng: random.Random,
    case: c.Case,
    plan: DocPlan,
    body: str,
    decision_heading: str | None,
    *,
    with_table: bool = False,
    cpr: bool = False,
    order: str = "classic",
) -> tuple[list[c.SectionData], c.DecisionData | None, list[str]]:
    """The sections of one item, with realistic variation.

    ``classic``: Sagsfremstilling, Indstilling, Økonomi, Beslutning, Bilag.
    ``esdh`` (the Direktion seed): Baggrund, Indstilling, Beslutning, Sagsfremstilling, Økonomi, Bilag.
    """
    paras = c.background(rng, case, cpr=cpr)
    extra = c.extra_paragraphs(rng, rng.choice((0, 0, 1, 2, 4, 6)))
    proposal = case.fill(case.topic.proposal)
    indstilling = c.SectionData("Indstilling", [c.ParaData("p", proposal[0].upper() + proposal[1:] + ".")])
    economy: c.SectionData | None = None
    if case.topic.economy or with_table:
        eco: list[c.ParaData] = []
        if case.topic.economy:
            eco.append(c.ParaData("p", case.fill(case.topic.economy)))
        if with_table:
            eco.append(c.amount_table(rng, int(plan.date[:4])))
        economy = c.SectionData("Økonomi", eco)
    decision = None
    decided: c.SectionData | None = None
    if plan.document_type == "referat" and decision_heading is not None:
        text_lines = [c.decision_text(rng, body, council=plan.municipality.council)]
        if body in ("Byrådet", "Kommunalbestyrelsen") and rng.random() < 0.4:
            text_lines = ["Indstillingen blev sat til afstemning.", *c.votes(rng), "Indstillingen blev godkendt."]
        decided = c.SectionData(decision_heading, [c.ParaData("p", t) for t in text_lines])
        decision = c.DecisionData("\n".join(text_lines), body, plan.date)
    atts = c.attachments(rng, case, plan.date[:4])
    secs: list[c.SectionData] = []
    if order == "esdh":
        secs.append(c.SectionData("Baggrund", paras[:1] if extra else paras))
        secs.append(indstilling)
        if decided:
            secs.append(decided)
        if extra:
            secs.append(c.SectionData("Sagsfremstilling", paras[1:] + extra))
        if economy:
            secs.append(economy)
    else:
        secs.append(c.SectionData(rng.choice(("Sagsfremstilling", "Baggrund", "Sagsfremstilling")), paras + extra))
        secs.append(indstilling)
        if economy:
            secs.append(economy)
        if decided:
            secs.append(decided)
    if atts:
        secs.append(_bilag(atts, bullets=rng.random() < 0.5))
    return secs, decision, atts


def _program_item(rng: random.Random, later: list[str], start: str) -> c.SectionData:
    """A "Program for mødet" item: time slots naming the later items (the Direktion seed's item 1)."""
    h, m = (int(x) for x in start.split(":"))
    minutes = h * 60 + m
    lines: list[c.ParaData] = []
    for title in later:
        step = rng.choice((10, 20, 30, 30, 45, 60))
        a, b = minutes, minutes + step
        lines.append(c.ParaData("p", f"Kl. {a // 60}.{a % 60:02d}-{b // 60}.{b % 60:02d}: {title}"))
        if rng.random() < 0.3:
            lines.append(c.ParaData("p", f"Her deltager {c.person(rng)} ({rng.choice(('CBA', 'ØAC', 'HR', 'BMC'))})"))
        minutes = b
    return c.SectionData("Baggrund", lines)


def _meeting_base(rng: random.Random, plan: DocPlan, n_people: int = 5) -> c.MeetingData:
    names = c.people(rng, n_people + 1)
    absent = [names[-1]] if plan.document_type == "referat" and rng.random() < 0.5 else []
    return c.MeetingData(
        municipality=plan.municipality,
        body=plan.body,
        document_type=plan.document_type,
        date=plan.date,
        start_time=_time(rng),
        end_time=None,
        location=rng.choice(v.ROOMS),
        participants=names[:n_people],
        absent=absent,
    )


# ---------------------------------------------------------------------------
# Family 1: Direktion/ESDH "Punkt N: Titel"
# ---------------------------------------------------------------------------


def direktion(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    m = _meeting_base(rng, plan, rng.randint(3, 5))
    m.absent = []
    m.start_time = _time(rng, (8, 9, 10))
    word = "REFERAT" if plan.document_type == "referat" else "DAGSORDEN"
    title = f"{word} {plan.body} d. {c.dmy(plan.date)}"
    cases = _pick_cases(rng, pool, plan.body, rng.randint(4, 6), plan.date)
    closed_at = rng.randint(2, len(cases)) if rng.random() < 0.7 else None
    number = 0
    heading = _decision_heading("dmy", plan.body, plan.date)
    if rng.random() < 0.35:
        number += 1
        program = _program_item(rng, [k.title for k in cases], m.start_time)
        m.items.append(
            c.ItemData(
                number,
                f"Program for mødet i direktionen den {c.dk_date_long(plan.date)}",
                [cases[0].number],
                sections=[program],
            )
        )
    for i, case in enumerate(cases):
        number += 1
        if closed_at is not None and i + 1 == closed_at:
            m.items.append(c.ItemData(number, "Lukket", [case.number], closed=True))
            continue
        secs, decision, atts = _standard_sections(
            rng, case, plan, plan.body, heading, cpr=plan.cpr and i == 0, order="esdh"
        )
        if rng.random() < 0.4:
            secs[0].paras += [c.ParaData("bullet", b) for b in rng.sample(v.BULLETS, rng.randint(1, 4))]
        m.items.append(
            c.ItemData(number, case.title, [case.number], sections=secs, decision=decision, attachments=atts)
        )

    out: list[Element] = [
        Para(title, "title"),
        Para(f"{c.dk_weekday(plan.date)} d. {c.dk_date_long(plan.date)} kl. {m.start_time}", "label", label="Mødedato"),
        Para(m.location or "", "label", label="Mødested"),
        Para(", ".join(m.participants), "label", label="Mødedeltagere"),
        Para("Indholdsfortegnelse", "h2"),
    ]
    for ii, item in enumerate(m.items):
        out.append(Para(item.title, "toc", toc_target=(0, ii)))
    for ii, item in enumerate(m.items):
        tag = (0, ii)
        out.append(Para(f"Punkt {item.number}: {item.title}", "h1", tag=tag, page_break_before=ii == 0))
        out.append(Para(item.case_numbers[0], "body", tag=tag))
        for sec in item.sections:
            if sec.heading == "Bilag":
                sec.paras = [c.ParaData("p", p.text) for p in sec.paras]
            _print_section(out, sec, tag)
    running = RunningText(
        header_left=plan.municipality.name, header_right=f"{plan.body} {c.dmy(plan.date)}", footer_right="{page}"
    )
    return BuiltDoc("meeting", out, title, [m], running)


# ---------------------------------------------------------------------------
# Family 2: eDoc "Rådmandsmøde"
# ---------------------------------------------------------------------------


def _raadmand_meeting(rng: random.Random, plan: DocPlan, pool: list[c.Case], date: str) -> c.MeetingData:
    m = _meeting_base(rng, plan, 0)
    m.date = date
    m.start_time = _time(rng, (8, 9, 10, 13))
    m.location = rng.choice(("Rådmandens kontor, Rådhuset", "Mødelokale 2, Rådhuset", "Lokale 104"))
    m.participants, m.absent = [], []
    if plan.document_type == "referat":
        sub, for_ = c.people(rng, 2)
        m.information = f"{for_} har meldt afbud. {sub} deltog som stedfortræder."
    cases = _pick_cases(rng, pool, "Social- og Beskæftigelsesudvalget", rng.randint(2, 4), date)
    categories = sorted(rng.choice(("Til godkendelse", "Til orientering")) for _ in cases)
    numbers = list(range(1, len(cases) + 2))
    if rng.random() < 0.6:  # a withdrawn item leaves a gap in the numbering
        gap = rng.randint(2, len(numbers))
        numbers = [n if n < gap else n + 1 for n in numbers]
    m.items.append(
        c.ItemData(
            numbers[0],
            "Dagsorden",
            category="Til godkendelse",
            sections=[c.SectionData(None, [c.ParaData("p", "Dagsordenen blev godkendt.")])]
            if plan.document_type == "referat"
            else [],
            decision=c.DecisionData("Dagsordenen blev godkendt.", plan.body, date)
            if plan.document_type == "referat"
            else None,
        )
    )
    for number, case, category in zip(numbers[1:], cases, categories, strict=True):
        if plan.document_type == "referat":
            text = c.decision_text(rng, "Rådmanden", "godkendt" if category == "Til godkendelse" else "efterretning")
            minute = [c.ParaData("p", text)]
            if rng.random() < 0.5:
                minute.append(c.ParaData("p", case.fill(case.topic.background[0])))
            secs = [c.SectionData(None, minute)]
            decision = c.DecisionData("\n".join(p.text for p in minute), plan.body, date)
        else:
            secs = [c.SectionData(None, [c.ParaData("p", case.fill(s)) for s in case.topic.background[:2]])]
            decision = None
        m.items.append(c.ItemData(number, case.title, [], category=category, sections=secs, decision=decision))
    return m


def _appended_papers(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> tuple[list[c.SectionData], str]:
    """The papers appended after the last item of an agenda bundle: an indstilling and a participant list."""
    case = rng.choice([k for k in pool if k.year <= int(plan.date[:4])])
    yy = int(plan.date[2:4])
    number = f"{yy:02d}/{rng.randint(10000, 99999):06d}-{rng.randint(1, 9)}"
    handler = c.person(rng)
    secs = [
        c.SectionData(None, [c.ParaData("p", "Indstilling")]),
        c.SectionData("Til", [c.ParaData("p", "Rådmanden for Sociale Forhold og Beskæftigelse")]),
        c.SectionData("Fra", [c.ParaData("p", "Socialforvaltningen, Direktørens Stab")]),
        c.SectionData("Dato", [c.ParaData("p", c.dk_date_long(plan.date))]),
        c.SectionData("1. Resume", [c.ParaData("p", case.fill(case.topic.background[0]))]),
        c.SectionData("2. Beslutningspunkter", [c.ParaData("p", "At 1) " + _proposal_clause(case) + ".")]),
        c.SectionData("3. Baggrund", [c.ParaData("p", case.fill(s)) for s in case.topic.background[1:]]),
        c.SectionData("Sagsbehandler", [c.ParaData("p", handler)]),
        c.SectionData("Tlf.", [c.ParaData("p", f"41 87 {rng.randint(10, 99)} {rng.randint(10, 99)}")]),
        c.SectionData(
            "E-post",
            [c.ParaData("p", handler.lower().replace(" ", ".").replace("ø", "oe").replace("æ", "ae") + "@aarhus.dk")],
        ),
    ]
    rows = [["Navn", "Funktion", "Afdeling"]]
    for name in c.people(rng, 4):
        rows.append([name, rng.choice(("Rådmand", "Direktør", "Kontorchef", "Specialkonsulent")), "Sociale Forhold"])
    secs.append(c.SectionData("Deltagerliste", [c.ParaData("table", rows=rows)]))
    return secs, number


def raadmand(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    bundle = plan.document_type == "dagsorden" and plan.fmt == "pdf" and rng.random() < 0.7
    dates = [plan.date]
    if bundle:
        dates.append((dt.date.fromisoformat(plan.date) + dt.timedelta(days=7)).isoformat())
    meetings = [_raadmand_meeting(rng, plan, pool, d) for d in dates]
    papers: list[c.SectionData] = []
    if bundle:
        papers, number = _appended_papers(rng, plan, pool)
        last = meetings[-1].items[-1]
        last.sections.extend(papers)
        last.case_numbers.append(number)

    out: list[Element] = []
    for mi, m in enumerate(meetings):
        out.append(Para("Rådmandsmøde (Rådmandsmøde)", "title", page_break_before=mi > 0))
        out.append(Para("Referat" if m.document_type == "referat" else "Dagsorden", "subtitle"))
        out.append(Para(f"{c.dmy(m.date)} {m.start_time}", "body"))
        out.append(Para(m.location or "", "body"))
        if m.information:
            out.append(Para(m.information, "label", label="Information:"))
        out.append(Para("Indhold", "h2"))
        current = None
        for ii, item in enumerate(m.items):
            if item.category != current:
                current = item.category
                out.append(Para(f"Kategori - {current}", "bold"))
            out.append(Para(f"Punkt {item.number}: {item.title}", "toc", toc_target=(mi, ii)))
        current = None
        for ii, item in enumerate(m.items):
            tag = (mi, ii)
            if item.category != current:
                current = item.category
                out.append(Para(f"Kategori - {current}", "subtitle", page_break_before=ii == 0))
            out.append(Para(f"Punkt {item.number}: {item.title}", "h1", tag=tag))
            for sec in item.sections:
                if sec in papers:
                    continue
                _print_section(out, sec, tag)
    if bundle:
        tag = (len(meetings) - 1, len(meetings[-1].items) - 1)
        number = meetings[-1].items[-1].case_numbers[-1]
        first = True
        for sec in papers:
            if sec.heading is None:
                out.append(Para(sec.paras[0].text, "title", tag=tag, page_break_before=True))
            elif sec.heading in ("Til", "Fra", "Dato"):
                out.append(Para(sec.paras[0].text, "label", label=f"{sec.heading}:", tag=tag))
            elif sec.heading == "Sagsbehandler":
                if first:
                    out.append(Para(number, "label", label="Sagsnummer:", tag=tag))
                    first = False
                out.append(Para(sec.paras[0].text, "label", label="Sagsbehandler:", tag=tag))
            elif sec.heading in ("Tlf.", "E-post"):
                out.append(Para(sec.paras[0].text, "label", label=f"{sec.heading}:", tag=tag))
            elif sec.heading == "Deltagerliste":
                out.append(Para("Deltagerliste", "subtitle", tag=tag, page_break_before=True))
                _print_paras(out, sec.paras, tag)
            else:
                _print_section(out, sec, tag, "bold")
    title = "Rådmandsmøde (Rådmandsmøde)"
    running = RunningText(footer_left=plan.municipality.name, footer_right="Side {page} af {pages}")
    return BuiltDoc("meeting", out, title, meetings, running)


# ---------------------------------------------------------------------------
# Family 3: letter-style committee agenda
# ---------------------------------------------------------------------------

_LETTER_EMNE = {
    "Social- og Beskæftigelsesudvalget": "Social- og Beskæftigelsesudvalgsmøde",
    "Børne- og Ungeudvalget": "Børne- og Ungeudvalgsmøde",
    "Teknik- og Miljøudvalget": "Teknik- og Miljøudvalgsmøde",
}


def letter(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    m = _meeting_base(rng, plan, 0)
    m.participants, m.absent = [], []
    start = _time(rng, (13, 14, 15))
    m.start_time, m.end_time = start, _end(start, rng)
    meeting_day = dt.date.fromisoformat(plan.date)
    letter_date = (meeting_day - dt.timedelta(days=rng.randint(5, 9))).isoformat()
    yy = int(plan.date[2:4])
    sag = f"{yy:02d}/{rng.randint(10000, 99999):06d}-{rng.randint(1, 4)}"
    m.case_numbers = [sag]
    cases = _pick_cases(rng, pool, plan.body, rng.randint(2, 3), plan.date)
    titles = ["Godkendelse af dagsorden"] + [k.title for k in cases] + ["Eventuelt"]
    for n, title in enumerate(titles, start=1):
        secs: list[c.SectionData] = []
        atts: list[str] = []
        case = cases[n - 2] if 1 < n < len(titles) else None
        if case is not None:
            secs.append(c.SectionData("Baggrund/formål", [c.ParaData("p", case.fill(case.topic.background[0]))]))
            secs.append(
                c.SectionData(
                    "Metode", [c.ParaData("p", rng.choice(("Drøftelse", "Orientering og drøftelse", "Beslutning")))]
                )
            )
        else:
            secs.append(c.SectionData("Baggrund/formål", [c.ParaData("p", "Godkendelse" if n == 1 else "Drøftelse")]))
        secs.append(c.SectionData("Ansvarlig", [c.ParaData("p", c.person(rng))]))
        secs.append(c.SectionData("Tid", [c.ParaData("p", f"{rng.choice((5, 10, 15, 20, 30))} min.")]))
        if case is not None and rng.random() < 0.7:
            atts = c.attachments(rng, case, plan.date[:4]) or ["Notat til udvalget"]
            secs.append(_bilag(atts, bullets=True))
        else:
            secs.append(c.SectionData("Bilag", [c.ParaData("p", "Ingen")]))
        decision = None
        if plan.document_type == "referat":
            text = c.decision_text(rng, plan.body, "godkendt" if n == 1 else None, council=plan.municipality.council)
            secs.append(c.SectionData("Beslutning", [c.ParaData("p", text)]))
            decision = c.DecisionData(text, plan.body, plan.date)
        m.items.append(c.ItemData(n, title, sections=secs, decision=decision, attachments=atts))

    dep = rng.choice(("Sociale Forhold og Beskæftigelse", "Børn og Unge", "Teknik og Miljø"))
    out: list[Element] = [
        Para(plan.municipality.name, "small"),
        Para(dep, "small"),
        Para("Direktørens Stab", "small"),
        Para(f"{plan.municipality.town_hall}, Rådhuspladsen 2", "small"),
        Para(c.dk_date_long(letter_date), "body", align="right"),
        Para(sag, "label", label="Sag:"),
        Para(_LETTER_EMNE.get(plan.body, plan.body), "label", label="Emne:"),
        Para("Referat" if plan.document_type == "referat" else "Dagsorden", "subtitle"),
        Para(c.dk_date_long(plan.date), "label", label="Mødedato:"),
        Para(f"Kl. {start.replace(':', '.')} – {m.end_time.replace(':', '.')}", "label", label="Mødetid:"),
        Para(m.location or "", "label", label="Mødested:"),
        Para("Dagsorden kort:", "bold"),
    ]
    for n, title in enumerate(titles, start=1):
        out.append(Para(title, "numbered", number=n))
    for ii, item in enumerate(m.items):
        tag = (0, ii)
        out.append(Para(item.title, "h2", tag=tag, number=item.number, auto_number=True))
        for sec in item.sections:
            if sec.heading == "Bilag" and item.attachments:
                out.append(Para("Bilag:", "bold", tag=tag))
                _print_paras(out, sec.paras, tag)
            else:
                out.append(Para(sec.paras[0].text, "label", label=f"{sec.heading}:", tag=tag))
    footer = f"{c.dk_date_long(letter_date)} / Side {{page}} af {{pages}}"
    running = RunningText(footer_left=footer, first_page=False)
    return BuiltDoc("meeting", out, "Dagsorden" if plan.document_type == "dagsorden" else "Referat", [m], running)


# ---------------------------------------------------------------------------
# Family 4: Byråd/Kommunalbestyrelse classic
# ---------------------------------------------------------------------------

_LABELS_BY_SCHEME = {"yy": "Sagsnr.:", "kle": "J.nr.:", "year": "Sagsnummer:", "emn": "Sagsnummer:", "s": "Sagsnr.:"}


def byraad(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    council = plan.body in ("Byrådet", "Kommunalbestyrelsen")
    m = _meeting_base(rng, plan, rng.randint(7, 11) if council else rng.randint(4, 6))
    m.start_time = _time(rng, (16, 17, 18, 19) if council else (8, 14, 15, 16))
    m.end_time = None
    cases = _pick_cases(rng, pool, plan.body, rng.randint(4, 7), plan.date)
    n_closed = rng.choice((0, 1, 1, 2))
    opens, closeds = cases[: len(cases) - n_closed], cases[len(cases) - n_closed :]
    number_style = rng.choice(("pkt", "dot"))
    label = _LABELS_BY_SCHEME[plan.municipality.case_scheme]
    heading = _decision_heading("long", plan.body, plan.date)
    table_at = rng.randrange(len(opens)) if opens else -1
    number = 0
    if rng.random() < 0.4:  # a standing item without a case number
        number += 1
        secs: list[c.SectionData] = []
        decision: c.DecisionData | None = None
        if plan.document_type == "referat":
            secs = [c.SectionData(heading, [c.ParaData("p", "Godkendt.")])]
            decision = c.DecisionData("Godkendt.", plan.body, plan.date)
        m.items.append(
            c.ItemData(
                number,
                "Godkendelse af dagsorden",
                category="Åbne punkter" if closeds else None,
                sections=secs,
                decision=decision,
            )
        )
    for i, case in enumerate(opens):
        number += 1
        secs, decision, atts = _standard_sections(
            rng, case, plan, plan.body, heading, with_table=i == table_at, cpr=plan.cpr and i == 1
        )
        if council and rng.random() < 0.5:
            prior_date = (dt.date.fromisoformat(plan.date) - dt.timedelta(days=rng.choice((6, 7, 8)))).isoformat()
            prior_text = c.decision_text(rng, "Økonomiudvalget", "anbefalet", council=plan.body)
            at = next((k for k, s in enumerate(secs) if s.heading and s.heading.startswith("Beslutning")), len(secs))
            if secs[-1].heading == "Bilag" and at == len(secs):
                at -= 1
            secs.insert(
                at,
                c.SectionData(_decision_heading("long", "Økonomiudvalget", prior_date), [c.ParaData("p", prior_text)]),
            )
        m.items.append(
            c.ItemData(
                number,
                case.title,
                [case.number],
                category="Åbne punkter" if closeds else None,
                sections=secs,
                decision=decision,
                attachments=atts,
            )
        )
    grouped = bool(closeds) and rng.random() < 0.6  # else closed items are titled "Lukket punkt", ungrouped
    for case in closeds:
        number += 1
        if grouped:
            m.items.append(c.ItemData(number, case.title, [case.number], closed=True, category="Lukkede punkter"))
        else:
            m.items.append(c.ItemData(number, "Lukket punkt", [case.number], closed=True))
    if not grouped:
        for item in m.items:
            item.category = None
    prefix_of = {
        item.number: (f"Pkt. {item.number} " if number_style == "pkt" else f"{item.number}. ") for item in m.items
    }
    shown = list(m.participants)
    if council and rng.random() < 0.5:  # party letters in parentheses are not part of the names
        shown = [f"{name} ({rng.choice(v.PARTIES)})" for name in shown]

    word = "Beslutningsprotokol" if plan.document_type == "referat" else "Dagsorden"
    out: list[Element] = [
        Para(plan.municipality.name, "subtitle"),
        Para(word, "title"),
        Para(plan.body, "subtitle"),
        Para(c.dmy(plan.date, "."), "label", label="Mødedato:"),
        Para(m.start_time, "label", label="Mødetidspunkt:"),
        Para(m.location or "", "label", label="Mødested:"),
        Para(", ".join(shown), "label", label="Deltagere:"),
    ]
    if m.absent:
        out.append(Para(", ".join(m.absent), "label", label=rng.choice(("Fraværende:", "Afbud:"))))
    if rng.random() < 0.4:
        out.append(Para("Indholdsfortegnelse", "h2"))
        for ii, item in enumerate(m.items):
            out.append(Para(prefix_of[item.number] + item.title, "toc", toc_target=(0, ii)))
    current = None
    for ii, item in enumerate(m.items):
        tag = (0, ii)
        if item.category != current and item.category is not None:
            current = item.category
            out.append(Para(current, "title", page_break_before=True))
            first_in_group = True
        else:
            first_in_group = False
        out.append(
            Para(
                prefix_of[item.number] + item.title,
                "h1",
                tag=tag,
                page_break_before=(ii == 0 and current is None)
                or (ii > 0 and not first_in_group and plan.fmt == "docx" and rng.random() < 0.3),
            )
        )
        if item.case_numbers:
            out.append(Para(item.case_numbers[0], "label", label=label, tag=tag))
        for sec in item.sections:
            _print_section(out, sec, tag, "bold")
    if plan.fmt == "docx":
        for el in out:
            if isinstance(el, Table) and rng.random() < 0.5:
                el.page_break_before = True  # the table starts a new page, so its item spans two
    running = RunningText(
        header_left=f"{plan.body} – {word}", header_right=c.dmy(plan.date, "."), footer_right="Side {page} af {pages}"
    )
    return BuiltDoc("meeting", out, plan.municipality.name, [m], running)


# ---------------------------------------------------------------------------
# Family 5: FirstAgenda-like publication
# ---------------------------------------------------------------------------


def firstagenda(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    m = _meeting_base(rng, plan, rng.randint(4, 7))
    m.start_time = _time(rng, (14, 15, 16))
    cases = _pick_cases(rng, pool, plan.body, rng.randint(3, 6), plan.date)
    for n, case in enumerate(cases, start=1):
        secs: list[c.SectionData] = []
        decision = None
        if plan.document_type == "referat":
            text = c.decision_text(rng, "Udvalget", council=plan.municipality.council)
            lines = [text]
            if rng.random() < 0.4:
                lines.append(f"{c.person(rng)} deltog ikke i sagens behandling.")
            secs.append(c.SectionData("Beslutninger", [c.ParaData("p", t) for t in lines]))
            decision = c.DecisionData("\n".join(lines), plan.body, plan.date)
        secs.append(c.SectionData(None, [c.ParaData("p", case.fill(case.topic.background[0]))]))
        secs.append(c.SectionData("Resume", [c.ParaData("p", case.fill(s)) for s in case.topic.background[1:]]))
        secs.append(
            c.SectionData(
                "Beslutningspunkter",
                [c.ParaData("p", "Det indstilles:"), c.ParaData("p", "At 1) " + _proposal_clause(case) + ".")],
            )
        )
        if rng.random() < 0.5:
            prior = (dt.date.fromisoformat(plan.date) - dt.timedelta(days=rng.randint(10, 40))).isoformat()
            secs.append(
                c.SectionData(
                    "Sagsforløb",
                    [
                        c.ParaData(
                            "p",
                            f"Sagen blev behandlet i Økonomiudvalget den {c.dk_date_long(prior)} "
                            "og sendes nu til udvalget.",
                        )
                    ],
                )
            )
        atts = c.attachments(rng, case, plan.date[:4])
        if atts:
            secs.append(_bilag(atts, bullets=False))
        m.items.append(c.ItemData(n, case.title, [case.number], sections=secs, decision=decision, attachments=atts))
    word = "Referat" if plan.document_type == "referat" else "Dagsorden"
    auto = plan.fmt == "docx" and rng.random() < 0.6  # Word list numbering on the item headings
    when = f"{c.dk_weekday(plan.date)} den {c.dk_date_long(plan.date)} kl. {m.start_time}"
    out: list[Element] = [
        Para(word, "title"),
        Para(plan.body, "subtitle"),
        Para(when, "body"),
        Para(m.location or "", "label", label="Mødested:"),
        Para(", ".join(m.participants), "label", label="Mødedeltagere:"),
    ]
    if m.absent:
        out.append(Para(", ".join(m.absent), "label", label="Fraværende:"))
    for ii, item in enumerate(m.items):
        tag = (0, ii)
        out.append(
            Para(
                item.title if auto else f"{item.number}. {item.title}",
                "h1",
                tag=tag,
                page_break_before=plan.fmt == "docx" and ii == 0,
                number=item.number,
                auto_number=auto,
            )
        )
        if rng.random() < 0.5:
            out.append(Para(item.case_numbers[0], "label", label="Sagsnummer:", tag=tag))
        else:
            out.append(Para(item.case_numbers[0], "body", tag=tag))
        for sec in item.sections:
            _print_section(out, sec, tag, "bold")
    running = RunningText(
        header_left=plan.municipality.name,
        footer_left=f"{plan.body} – {word} – {c.dmy(plan.date, '.')}",
        footer_right="Side {page} af {pages}",
    )
    return BuiltDoc("meeting", out, word, [m], running)


FAMILIES: dict[str, Callable[[random.Random, DocPlan, list[c.Case]], BuiltDoc]] = {
    "direktion": direktion,
    "raadmand": raadmand,
    "letter": letter,
    "byraad": byraad,
    "firstagenda": firstagenda,
}
