"""The abstract content of a meeting: items, sections, decisions, attachments.

Everything here is plain data drawn from a ``random.Random``; the layout
families print it and ``gold`` turns the very same data into the gold record.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Literal

from corpus.generator import vocabulary as v

ParaKind = Literal["p", "bullet", "table"]


@dataclass
class ParaData:
    kind: ParaKind
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)

    def gold_text(self) -> str:
        if self.kind == "bullet":
            return f"- {self.text}"
        if self.kind == "table":
            return "\n".join(" ".join(c for c in row if c) for row in self.rows)
        return self.text


@dataclass
class SectionData:
    heading: str | None
    paras: list[ParaData]

    def gold_text(self) -> str:
        return "\n".join(p.gold_text() for p in self.paras)


@dataclass
class DecisionData:
    text: str
    body: str | None
    date: str | None


@dataclass
class ItemData:
    number: int
    title: str
    case_numbers: list[str] = field(default_factory=list)  # raw, as printed
    closed: bool = False
    category: str | None = None
    sections: list[SectionData] = field(default_factory=list)
    decision: DecisionData | None = None
    attachments: list[str] = field(default_factory=list)


@dataclass
class MeetingData:
    municipality: v.Municipality
    body: str
    document_type: Literal["dagsorden", "referat"]
    date: str  # ISO
    start_time: str | None
    end_time: str | None
    location: str | None
    participants: list[str]
    absent: list[str]
    items: list[ItemData] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)  # raw, of the document as a whole
    information: str | None = None  # "Information:" note (eDoc minutes)


@dataclass(frozen=True)
class Case:
    topic: v.Topic
    number: str  # raw case number in the municipality's scheme
    values: dict[str, str]
    year: int  # the year the case was opened

    def fill(self, text: str) -> str:
        return text.format(**self.values).replace("kr..", "kr.")

    @property
    def title(self) -> str:
        return self.fill(self.topic.title)


# ---------------------------------------------------------------------------
# Small formatters
# ---------------------------------------------------------------------------


def normalize_case(raw: str) -> str:
    """Drop a trailing ``-N`` document suffix from ``YY/NNNNN-N`` forms only."""
    m = re.fullmatch(r"(\d{2}/\d+)-\d+", raw)
    return m.group(1) if m else raw


def amount(rng: random.Random) -> str:
    if rng.random() < 0.35:
        mio = rng.choice((1.2, 2.5, 3.8, 4.1, 6.75, 12.4, 18.0, 25.3))
        text = f"{mio:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{text} mio. kr."
    value = rng.choice((38, 75, 100, 150, 250, 350, 425, 500, 650, 800, 950)) * 1000
    return f"{value:,} kr.".replace(",", ".")


def person(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.MIDDLE_NAMES)} {rng.choice(v.LAST_NAMES)}"
    return f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}"


def people(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = person(rng)
        if name not in names:
            names.append(name)
    return names


def dk_date_long(iso: str) -> str:
    """'2021-03-10' -> '10. marts 2021'."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{d}. {v.MONTHS[m - 1]} {y}"


def dk_weekday(iso: str) -> str:
    import datetime as dt

    return v.WEEKDAYS[dt.date.fromisoformat(iso).weekday()]


def dmy(iso: str, sep: str = "-") -> str:
    y, m, d = iso.split("-")
    return f"{d}{sep}{m}{sep}{y}"


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def case_number(rng: random.Random, scheme: str, year: int) -> str:
    yy = year % 100
    if scheme == "yy":
        if rng.random() < 0.5:
            return f"{yy:02d}/{rng.randint(1000, 39999)}"
        return f"{yy:02d}/{rng.randint(10000, 99999):06d}-{rng.randint(1, 12)}"
    if scheme == "kle":
        kle = rng.choice(("00.01.00", "00.30.10", "17.01.00", "27.12.00", "85.02.02", "01.02.05", "82.03.00"))
        return f"{kle}-{rng.choice(('A00', 'G01', 'P20', 'S00', 'Ø00'))}-{rng.randint(1, 9)}-{yy:02d}"
    if scheme == "year":
        if rng.random() < 0.3:
            return f"S{year}-{rng.randint(100, 9999)}"
        return f"{year}-{rng.randint(1000, 99999):06d}"
    if scheme == "emn":
        return f"EMN-{year}-{rng.randint(1000, 99999):06d}"
    return f"S{year}-{rng.randint(100, 9999)}"


def _case_values(rng: random.Random, year: int) -> dict[str, str]:
    """The placeholders of one case's texts (the draws keep their order: output is seed-stable)."""
    return {
        "year": str(year),
        "year2": str(year + 1),
        "amount": amount(rng),
        "town": rng.choice(v.TOWNS),
        "place": rng.choice(v.PLACES),
        "num": str(rng.randint(100, 1299)),
    }


def case_pool(seed: int, municipality: v.Municipality, years: tuple[int, int]) -> list[Case]:
    """The cases of one municipality, one per topic and year.

    A meeting picks cases from its own and the two previous years, so the same
    case number recurs across committees and years (fagudvalg, Økonomiudvalget,
    the council).
    """
    rng = random.Random(f"{seed}:cases:{municipality.slug}")
    pool: list[Case] = []
    for year in range(years[0] - 2, years[1] + 1):
        for topic in v.TOPICS:
            values = _case_values(rng, year)
            pool.append(Case(topic, case_number(rng, municipality.case_scheme, year), values, year))
    # later topics draw from a stream of their own each, so adding one changes no other case number
    for topic in v.MORE_TOPICS:
        extra = random.Random(f"{seed}:cases:{municipality.slug}:{topic.title}")
        for year in range(years[0] - 2, years[1] + 1):
            values = _case_values(extra, year)
            pool.append(Case(topic, case_number(extra, municipality.case_scheme, year), values, year))
    return pool


# ---------------------------------------------------------------------------
# Item content
# ---------------------------------------------------------------------------


def decision_text(rng: random.Random, body: str, outcome: str | None = None, council: str = "Byrådet") -> str:
    """A decision as minutes word it; ``council`` is the municipality's Byrådet/Kommunalbestyrelsen."""
    outcome = outcome or rng.choice(("godkendt", "godkendt", "anbefalet", "efterretning", "udsat", "drøftet", "afvist"))
    if outcome in ("anbefalet", "oversendt") and body in ("Byrådet", "Kommunalbestyrelsen"):
        outcome = "godkendt"
    return rng.choice(v.DECISIONS[outcome]).format(body=body).replace("Byrådet", council)


def votes(rng: random.Random) -> list[str]:
    parties = rng.sample(v.PARTIES, 5)
    yes = rng.randint(14, 22)
    no = rng.randint(2, 8)
    lines = [
        f"For stemte: {', '.join(sorted(parties[:3]))} ({yes})",
        f"Imod stemte: {', '.join(sorted(parties[3:4]))} ({no})",
    ]
    if rng.random() < 0.5:
        lines.append(f"Undlod at stemme: {parties[4]} ({rng.randint(1, 3)})")
    return lines


def background(rng: random.Random, case: Case, cpr: bool = False) -> list[ParaData]:
    paras = [ParaData("p", case.fill(s)) for s in case.topic.background]
    if len(paras) > 2 and rng.random() < 0.3:
        paras = paras[:2]
    if cpr:
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        year = rng.randint(40, 99)
        number = f"{day:02d}{month:02d}{year:02d}-{rng.randint(1000, 9999)}"
        paras.append(
            ParaData(
                "p",
                f"En borger (cpr.nr. {number}) har i forbindelse med sagen klaget og anmodet om aktindsigt i "
                "egen sag efter forvaltningslovens § 9. Klagen behandles særskilt.",
            )
        )
    return paras


def extra_paragraphs(rng: random.Random, n: int) -> list[ParaData]:
    """``n`` generic paragraphs that lengthen a case description."""
    chosen = rng.sample(v.EXTRA_PARAGRAPHS, min(n, len(v.EXTRA_PARAGRAPHS)))
    return [ParaData("p", text.format(n=rng.randint(12, 140), month=rng.choice(v.MONTHS))) for text in chosen]


def amount_table(rng: random.Random, years: int) -> ParaData:
    rows = [["Beløb i 1.000 kr.", str(years), str(years + 1), str(years + 2)]]
    for label in rng.sample(("Drift", "Anlæg", "Indtægter", "Lønudgifter", "Husleje", "Konsulentbistand"), 3):
        rows.append([label] + [f"{rng.randint(50, 9000):,}".replace(",", ".") for _ in range(3)])
    rows.append(["I alt", *(f"{rng.randint(1000, 20000):,}".replace(",", ".") for _ in range(3))])
    return ParaData("table", rows=rows)


def attachments(rng: random.Random, case: Case, year: str) -> list[str]:
    n = rng.choice((0, 1, 1, 2, 3))
    names = rng.sample(v.ATTACHMENT_NAMES, n)
    date = f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{year}"
    values = {
        "topic": case.title[0].lower() + case.title[1:],
        "title": case.title,
        "year": year,
        "date": date,
        "place": case.values["place"],
    }
    return [name.format(**values) for name in names]
