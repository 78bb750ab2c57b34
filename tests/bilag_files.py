"""A meeting PDF whose items list bilag, and the bilag files themselves, written with the corpus renderers.

Page layout of ``referat_tu.pdf`` (the page map is checked by the tests):

* page 1: the meeting head and item 1 (open; case 22/23184; bilag "Notat om vandværket" and
  "Høringssvar fra Grundejerforeningen");
* page 2: item 2 (closed, "Lukket punkt"; case 22/23184; its text holds ``ITEM_SECRET``; bilag
  "Redegørelse i personalesagen", whose file holds ``BILAG_SECRET`` and names the case) and the start
  of item 3;
* page 3: the rest of item 3 (open; case 22/23184; bilag "Kort over cykelstien").

Bilag files: ``Bilag 1 - Notat om vandvaerket.pdf`` (matched by file name; holds ``BILAG_WORD`` and
``BILAG_CPR``), ``scan0001.docx`` (its own title is the printed title: matched by title),
``redegoerelse_i_personalesagen.pdf``, ``kort-over-cykelstien.docx``, and ``andet_notat.pdf``, which no
item lists (it stays a document of its own; holds ``OTHER_WORD``).
"""

from __future__ import annotations

from pathlib import Path

from corpus.generator.docx_render import render_docx
from corpus.generator.layout import Element, Para, Rendered, RunningText
from corpus.generator.pdf_render import render_pdf

CASE = "22/23184"
BILAG_WORD = "grundvandsboringen"  # only in the bilag "Notat om vandværket"
HEARING_WORD = "trafikstøjen"  # only in the bilag "Høringssvar fra Grundejerforeningen"
OTHER_WORD = "solcelleanlægget"  # only in the unlisted note
ITEM_SECRET = "HEMMELIGQXPUNKT"
BILAG_SECRET = "HEMMELIGQXBILAG"
BILAG_CPR = "010203-1234"
MEETING = "referat_tu.pdf"
BILAG_FILES = {
    "Bilag 1: Notat om vandværket": "Bilag 1 - Notat om vandvaerket.pdf",
    "Bilag 2: Høringssvar fra Grundejerforeningen": "scan0001.docx",
    "Bilag 1: Redegørelse i personalesagen": "redegoerelse_i_personalesagen.pdf",
    "Bilag 1: Kort over cykelstien": "kort-over-cykelstien.docx",
}
UNLISTED = "andet_notat.pdf"


def meeting_elements() -> list[Element]:
    def item(tag: int, *lines: tuple[str, str], page_break: bool = False) -> list[Element]:
        out: list[Element] = []
        for k, (style, text) in enumerate(lines):
            out.append(Para(text, style, tag=(0, tag), page_break_before=page_break and k == 0))  # type: ignore[arg-type]
        return out

    head: list[Element] = [
        Para("Referat Teknisk Udvalg", "title"),
        Para("Mødedato: 11. september 2023 kl. 09:00", "body"),
        Para("Mødested: Rådhuset", "body"),
    ]
    one = item(
        0,
        ("h1", "Punkt 1: Renovering af vandværket"),
        ("body", f"Sagsnr.: {CASE}"),
        ("h2", "Baggrund"),
        ("body", "Vandværket skal renoveres, og forvaltningen har indhentet et notat og et høringssvar."),
        ("h2", "Beslutning"),
        ("body", "Godkendt."),
        ("h2", "Bilag"),
        ("body", "Bilag 1: Notat om vandværket"),
        ("body", "Bilag 2: Høringssvar fra Grundejerforeningen"),
    )
    two = item(
        1,
        ("h1", "Punkt 2: Personalesag"),
        ("body", f"Sagsnr.: {CASE}"),
        ("body", "Lukket punkt"),
        ("h2", "Baggrund"),
        ("body", f"Medarbejderen {ITEM_SECRET} har bedt om en samtale."),
        ("h2", "Bilag"),
        ("body", "Bilag 1: Redegørelse i personalesagen"),
        page_break=True,
    )
    three = item(
        2,
        ("h1", "Punkt 3: Cykelsti på Skovvej"),
        ("body", f"Sagsnr.: {CASE}"),
        ("h2", "Baggrund"),
        ("body", "Der anlægges en cykelsti på Skovvej."),
    )
    three += item(
        2,
        ("body", "Cykelstien fortsætter til skolen, og arbejdet udføres i foråret."),
        ("h2", "Bilag"),
        ("body", "Bilag 1: Kort over cykelstien"),
        page_break=True,
    )
    return head + one + two + three


def _note(title: str, *lines: str) -> list[Element]:
    return [Para(title, "title"), *(Para(line, "body") for line in lines)]


def write_meeting(folder: Path) -> Rendered:
    folder.mkdir(parents=True, exist_ok=True)
    running = RunningText(header_left="Teknisk Udvalg", footer_right="Side {page}")
    return render_pdf(meeting_elements(), folder / MEETING, running, title="Referat")


def write_bilag(folder: Path, *, unlisted: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    render_pdf(
        _note("Notat", f"Forvaltningen har undersøgt {BILAG_WORD} ved vandværket.", f"Henvendelse fra {BILAG_CPR}."),
        folder / BILAG_FILES["Bilag 1: Notat om vandværket"],
        title="Notat",
    )
    render_docx(
        _note("Høringssvar fra Grundejerforeningen", f"Grundejerforeningen klager over {HEARING_WORD} fra vejen."),
        folder / BILAG_FILES["Bilag 2: Høringssvar fra Grundejerforeningen"],
        title="Høringssvar",
    )
    render_pdf(
        _note("Redegørelse", f"Redegørelsen om medarbejderen i sag {CASE}: {BILAG_SECRET}."),
        folder / BILAG_FILES["Bilag 1: Redegørelse i personalesagen"],
        title="Redegørelse",
    )
    render_docx(
        _note("Kort", "Kortet viser cykelstiens forløb fra Skovvej til skolen."),
        folder / BILAG_FILES["Bilag 1: Kort over cykelstien"],
        title="Kort",
    )
    if unlisted:
        render_pdf(
            _note("Notat om energi", f"Et {OTHER_WORD} på taget er undersøgt."), folder / UNLISTED, title="Notat"
        )


def write_all(folder: Path) -> Rendered:
    folder.mkdir(parents=True, exist_ok=True)
    write_bilag(folder)
    return write_meeting(folder)
