"""Documents that are not meetings (kind "other"): memo, job profile, letter.

They carry dates, numbered headings and tables on purpose: a parser must not
turn "1. Indledning" or "2. Struktureret ledelsesstil" into agenda items.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from corpus.generator import content as c
from corpus.generator import vocabulary as v
from corpus.generator.families import BuiltDoc, DocPlan
from corpus.generator.layout import Element, Para, RunningText, Table


def _full_text(elements: list[Element]) -> str:
    lines: list[str] = []
    for el in elements:
        if isinstance(el, Table):
            lines += [" ".join(cell for cell in row if cell) for row in el.rows]
        elif el.style == "label":
            lines.append(f"{el.label} {el.text}")
        elif el.style == "bullet":
            lines.append(f"- {el.text}")
        elif el.style == "numbered":
            lines.append(el.text)
        else:
            lines.append(el.text)
    return "\n".join(lines)


def memo(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    case = rng.choice([k for k in pool if k.year <= int(plan.date[:4])])
    title = f"Notat: {case.title}"
    out: list[Element] = [
        Para(plan.municipality.name, "small"),
        Para(title, "title"),
        Para(c.dk_date_long(plan.date), "label", label="Dato:"),
        Para(case.number, "label", label="Sagsnr.:"),
        Para(c.person(rng), "label", label="Udarbejdet af:"),
        Para("1. Indledning", "h2"),
        Para(case.fill(case.topic.background[0]), "body"),
        Para("2. Baggrund", "h2"),
    ]
    out += [Para(case.fill(s), "body") for s in case.topic.background[1:]]
    out.append(Para("3. Økonomi", "h2"))
    out.append(Para(case.fill(case.topic.economy or "Forslaget har ingen økonomiske konsekvenser."), "body"))
    out.append(c_table(rng, int(plan.date[:4])))
    out.append(Para("4. Tidsplan", "h2"))
    year = int(plan.date[:4])
    for month in rng.sample(range(1, 13), 3):
        out.append(Para(f"{v.MONTHS[month - 1].capitalize()} {year}: {rng.choice(_MILESTONES)}", "bullet"))
    out.append(Para("5. Videre proces", "h2"))
    out.append(Para(f"Sagen forelægges {rng.choice(case.topic.committees)} på et kommende møde.", "body"))
    running = RunningText(footer_right="Side {page} af {pages}")
    return BuiltDoc("other", out, title, running=running, text=_full_text(out))


_MILESTONES = (
    "høring i MED-udvalgene",
    "politisk behandling",
    "udbud offentliggøres",
    "evaluering af forløbet",
    "orientering af borgere",
    "ibrugtagning",
)


def c_table(rng: random.Random, year: int) -> Table:
    data = c.amount_table(rng, year)
    return Table(data.rows, col_widths=[2.2, 1, 1, 1])


def job_profile(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    _ = pool
    boss = c.person(rng)
    year = int(plan.date[:4])
    role = rng.choice(
        (
            "Leder af Sekretariat for Politik, Jura og Kommunikation",
            "Chefkonsulent i Byrådssekretariatet",
            "Leder af Borgerservice",
        )
    )
    out: list[Element] = [
        Para("Stillings- og kompetenceprofil", "title"),
        Para(plan.municipality.name, "subtitle"),
        Para(role, "subtitle"),
        Para(f"{v.MONTHS[int(plan.date[5:7]) - 1].capitalize()} {year}", "body"),
        Table(
            [
                ["Opdragsgiver", plan.municipality.name],
                ["Stilling", role],
                ["Refererer til", f"Afdelingschef {boss}"],
                ["Ansøgningsfrist", f"{c.dk_weekday(plan.date)} den {c.dk_date_long(plan.date)}"],
                ["Tiltrædelse", f"1. januar {year + 1}"],
            ],
            header=False,
            col_widths=[1, 2.5],
        ),
        Para(f"Kort om {plan.municipality.name}", "h2"),
        Para(
            f"{plan.municipality.short} er en kommune i udvikling med ca. {rng.randint(25, 80)}.000 borgere, "
            "et aktivt foreningsliv og en ambitiøs klimapolitik.",
            "body",
        ),
        Para("Ledelsesopgaven", "h2"),
        Para(
            "Du får ansvaret for sekretariatsbetjeningen af Byrådet og de stående udvalg, herunder "
            "dagsordensproduktion, referater og koordinering af aktindsigtssager.",
            "body",
        ),
        Para("1. Struktureret ledelsesstil", "h2"),
        Para("Du skaber overblik, prioriterer opgaverne og følger op på aftaler.", "body"),
        Para("2. Juridisk indsigt", "h2"),
        Para("Du har kendskab til styrelsesloven, forvaltningsloven og offentlighedsloven.", "body"),
        Para("3. Samarbejde og kommunikation", "h2"),
        Para("Du kommunikerer klart, både skriftligt og mundtligt, til politikere, kolleger og borgere.", "body"),
        Para("Processens forløb", "h2"),
        Para(f"1. samtaler: {c.dk_date_long(plan.date)}", "bullet"),
        Para("Test: efter aftale", "bullet"),
        Para("2. samtaler: en uge efter 1. samtaler", "bullet"),
    ]
    return BuiltDoc("other", out, "Stillings- og kompetenceprofil", text=_full_text(out))


def letter_doc(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    case = rng.choice([k for k in pool if k.year <= int(plan.date[:4])])
    subject = f"Svar på henvendelse om {case.title.lower()}"
    recipient = c.person(rng)
    sender = c.person(rng)
    out: list[Element] = [
        Para(plan.municipality.name, "small"),
        Para(plan.municipality.town_hall, "small"),
        Para(c.dk_date_long(plan.date), "body", align="right"),
        Para(case.number, "label", label="Sagsnr.:"),
        Para(recipient, "body"),
        Para(f"{rng.choice(v.PLACES)} {rng.randint(1, 80)}", "body"),
        Para(subject, "bold"),
        Para(f"Kære {recipient.split()[0]}", "body"),
        Para(
            f"Tak for din henvendelse af {c.dk_date_long(plan.date)} om {case.title.lower()}. "
            + case.fill(case.topic.background[0]),
            "body",
        ),
        Para(
            "Sagen behandles på et kommende møde, og du vil modtage dagsordenen, når den er offentliggjort. "
            "Du kan søge om aktindsigt efter offentlighedslovens § 7.",
            "body",
        ),
        Para("Med venlig hilsen", "body"),
        Para(sender, "body"),
        Para(rng.choice(("Specialkonsulent", "Fuldmægtig", "Teamleder")), "body"),
    ]
    return BuiltDoc("other", out, subject, text=_full_text(out))


def process_description(rng: random.Random, plan: DocPlan, pool: list[c.Case]) -> BuiltDoc:
    """An organisation-change process description: dates and plans, in a two-column table."""
    _ = pool
    year = int(plan.date[:4])
    unit = rng.choice(("Byrådssekretariatet", "Borgerservice", "Økonomi og Stab", "Teknisk Forvaltning"))
    rows = [
        ["Beskrivelse af formål", f"Der arbejdes med indsatser for et mere fokuseret og professionelt {unit}."],
        ["Vision for ny organisering", f"{unit} skal yde en tydelig, koordineret og retningsgivende understøttelse."],
        [
            "Forslag til fysisk placering",
            f"Første drøftelse af lokaler sker på chefmøde {rng.randint(1, 28)}. {v.MONTHS[rng.randint(0, 5)]}.",
        ],
        ["Tidsplan", f"1.5: Presse og Kommunikation samles. 1.6-1.8: Jura. 1.7-1.8: Fundraiser flyttes til {unit}."],
        ["Afledte konsekvenser", f"Der er pt. 2 stillinger, og 1 stilling opslås til besættelse pr. 1.1.{year + 1}."],
        [
            "MED-proces",
            f"Oplæg behandlet på MED-møde {rng.randint(1, 28)}. april {year}. "
            f"Procesplan behandles på MED-møde {rng.randint(1, 28)}. juni {year}.",
        ],
    ]
    out: list[Element] = [
        Para(f"{unit} - Procesbeskrivelse", "title"),
        Para("Proces i forbindelse med organisationsændring", "subtitle"),
        Table(rows, header=False, col_widths=[1, 2.4]),
        Para("1. Næste skridt", "h2"),
        Para(f"Procesbeskrivelsen forelægges direktionen den {c.dk_date_long(plan.date)}.", "body"),
        Para("2. Kontakt", "h2"),
        Para(f"{c.person(rng)}, sekretariatschef", "body"),
    ]
    return BuiltDoc("other", out, f"{unit} - Procesbeskrivelse", text=_full_text(out))


OTHERS: dict[str, Callable[[random.Random, DocPlan, list[c.Case]], BuiltDoc]] = {
    "memo": memo,
    "jobprofile": job_profile,
    "brev": letter_doc,
    "proces": process_description,
}
