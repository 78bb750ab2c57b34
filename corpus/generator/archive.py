"""Plan and write a whole archive: files in nested folders, each with its gold record.

Every file is drawn from its own ``random.Random(f"{seed}:doc:{index}")``, so
any single file can be regenerated without the others, and the same seed
always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus.generator import content as c
from corpus.generator import vocabulary as v
from corpus.generator.docx_render import render_docx
from corpus.generator.families import FAMILIES, BuiltDoc, DocPlan
from corpus.generator.gold import gold_record, write_gold
from corpus.generator.nonmeeting import OTHERS
from corpus.generator.pdf_render import render_pdf

DEFAULT_SEED = 2024
DEFAULT_COUNT = 64
YEARS = (2015, 2024)

_MUNI = {m.slug: m for m in v.MUNICIPALITIES}


@dataclass(frozen=True)
class _Combo:
    family: str
    municipality: str
    body: str
    document_type: str
    fmt: str


def _combos() -> list[_Combo]:
    """The mix of layout families, bodies and formats, cycled through by index."""
    rows = [
        ("direktion", "skovlund", "Direktionen", "referat", "pdf"),
        ("byraad", "skovlund", "Byrådet", "referat", "pdf"),
        ("letter", "aarhus", "Social- og Beskæftigelsesudvalget", "dagsorden", "pdf"),
        ("raadmand", "aarhus", "Rådmandsmødet", "dagsorden", "pdf"),
        ("firstagenda", "noerreaa", "Teknik- og Miljøudvalget", "referat", "pdf"),
        ("memo", "skovlund", "", "", "pdf"),
        ("direktion", "skovlund", "Direktionen", "dagsorden", "docx"),
        ("byraad", "aabenraa", "Byrådet", "dagsorden", "docx"),
        ("letter", "aarhus", "Social- og Beskæftigelsesudvalget", "referat", "docx"),
        ("raadmand", "aarhus", "Rådmandsmødet", "referat", "pdf"),
        ("byraad", "noerreaa", "Kommunalbestyrelsen", "referat", "pdf"),
        ("jobprofile", "aabenraa", "", "", "pdf"),
        ("direktion", "skovlund", "Direktionen", "referat", "docx"),
        ("byraad", "hedeby", "Økonomiudvalget", "referat", "docx"),
        ("firstagenda", "noerreaa", "Børne- og Ungeudvalget", "dagsorden", "docx"),
        ("brev", "hedeby", "", "", "docx"),
        ("byraad", "aabenraa", "Teknik- og Miljøudvalget", "referat", "pdf"),
        ("letter", "aarhus", "Børne- og Ungeudvalget", "dagsorden", "docx"),
        ("raadmand", "aarhus", "Rådmandsmødet", "referat", "docx"),
        ("byraad", "skovlund", "Økonomiudvalget", "dagsorden", "pdf"),
        ("direktion", "skovlund", "Direktionen", "dagsorden", "pdf"),
        ("memo", "noerreaa", "", "", "docx"),
        ("byraad", "hedeby", "Kommunalbestyrelsen", "dagsorden", "pdf"),
        ("firstagenda", "noerreaa", "Social- og Beskæftigelsesudvalget", "referat", "docx"),
        ("byraad", "skovlund", "Børne- og Ungeudvalget", "referat", "docx"),
        ("letter", "aarhus", "Social- og Beskæftigelsesudvalget", "referat", "pdf"),
        ("raadmand", "aarhus", "Rådmandsmødet", "dagsorden", "docx"),
        ("brev", "aarhus", "", "", "pdf"),
        ("byraad", "aabenraa", "Økonomiudvalget", "referat", "pdf"),
        ("firstagenda", "noerreaa", "Teknik- og Miljøudvalget", "dagsorden", "pdf"),
        ("jobprofile", "skovlund", "", "", "docx"),
        ("proces", "aabenraa", "", "", "docx"),
    ]
    return [_Combo(*r) for r in rows]


_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", " ": "-"})


def slug(text: str) -> str:
    return "".join(ch for ch in text.translate(_ASCII).lower() if ch.isalnum() or ch == "-")


def _weekday_date(rng: random.Random) -> str:
    year = rng.randint(*YEARS)
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(5, 350))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def plan(seed: int, index: int) -> DocPlan:
    combos = _combos()
    combo = combos[index % len(combos)]
    rng = random.Random(f"{seed}:plan:{index}")
    date = _weekday_date(rng)
    muni = _MUNI[combo.municipality]
    kind = combo.document_type or combo.family
    body = slug(combo.body) if combo.body else "bilag"
    name = f"{muni.slug}_{body}_{kind}_{date}_{index:05d}.{combo.fmt}"
    cpr = index < len(combos) and index in (0, 1)
    return DocPlan(
        index=index,
        family=combo.family,
        fmt=combo.fmt,  # type: ignore[arg-type]
        municipality=muni,
        body=combo.body,
        document_type=(combo.document_type or "dagsorden"),  # type: ignore[arg-type]
        date=date,
        relpath=f"{muni.slug}/{date[:4]}/{name}",
        cpr=cpr,
    )


_POOLS: dict[tuple[int, str], list[c.Case]] = {}


def _pool(seed: int, muni: v.Municipality) -> list[c.Case]:
    key = (seed, muni.slug)
    if key not in _POOLS:
        _POOLS[key] = c.case_pool(seed, muni, YEARS)
    return _POOLS[key]


def build(seed: int, index: int) -> tuple[DocPlan, BuiltDoc]:
    p = plan(seed, index)
    rng = random.Random(f"{seed}:doc:{index}")
    maker = FAMILIES.get(p.family) or OTHERS[p.family]
    return p, maker(rng, p, _pool(seed, p.municipality))


def write_one(out: Path, seed: int, index: int) -> Path:
    """Write file ``index`` of the archive and its gold record; return the file's path."""
    p, built = build(seed, index)
    path = out / p.relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    first_date = built.meetings[0].date if built.meetings else p.date
    if p.fmt == "pdf":
        rendered = render_pdf(built.elements, path, built.running, title=built.title)
    else:
        rendered = render_docx(built.elements, path, built.running, title=built.title, date=first_date)
    record = gold_record(built, rendered, path, p.relpath, p.fmt)
    write_gold(record, path)
    return path


def generate(
    out: Path,
    *,
    seed: int = DEFAULT_SEED,
    count: int = DEFAULT_COUNT,
    progress: Callable[[int, Path], None] | None = None,
) -> list[Path]:
    """Write ``count`` files with gold records under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for index in range(count):
        path = write_one(out, seed, index)
        written.append(path)
        if progress is not None:
            progress(index, path)
    return written
