"""Names of deciding bodies (udvalg, råd, direktion ...) and municipalities.

A body is stored in its definite, capitalised form: "Aarhus Byråd" →
"Byrådet" (municipality "Aarhus Kommune"), "Social- og
Beskæftigelsesudvalgsmøde" → "Social- og Beskæftigelsesudvalget",
"Rådmandsmøde" → "Rådmandsmødet", "DIREKTIONEN" → "Direktionen".

    >>> find_body("Dagsorden til Aarhus Byråd")
    ('Byrådet', 'Aarhus Kommune')
"""

from __future__ import annotations

import re

_L = r"A-Za-zÆØÅæøåÉéÜüÖöÄä"
# indefinite stem -> definite ending; "møde" forms map to the body itself
_SUFFIXES: dict[str, str] = {
    "udvalg": "et",
    "råd": "et",
    "bestyrelse": "n",
    "direktion": "en",
    "gruppe": "n",
    "nævn": "et",
    "forum": "",
    "magistrat": "en",
    "rådmandsmøde": "t",
    "borgmestermøde": "t",
    "direktørmøde": "t",
    "chefmøde": "t",
    "ledermøde": "t",
}
_SUFFIX_ALT = "|".join(sorted(_SUFFIXES, key=len, reverse=True))
_ENDINGS = r"(?:et|en|n|t|ets|ens|s|es)?(?:s?møde(?:t|r|rne)?)?"
# "Social- og ", "Plan-, Udvikling- og ", "Teknik og " (a capitalised first word may drop the hyphen)
_COMPOUND_PREFIX = rf"(?:(?:[{_L}]+-|(?-i:[A-ZÆØÅ])[{_L}]+)\s*(?:,\s*[{_L}]+-?\s*)*(?:og|&)\s+(?=(?-i:[A-ZÆØÅ])))?"
_BODY_RE = re.compile(
    rf"(?<![{_L}-])({_COMPOUND_PREFIX}(?:[{_L}0-9]+-)?[{_L}]*?)({_SUFFIX_ALT})({_ENDINGS})(?![{_L}])",
    re.IGNORECASE,
)
# words that stand before a body name but are not a municipality
_NOT_PLACE = {
    "referat",
    "dagsorden",
    "beslutningsprotokol",
    "protokol",
    "møde",
    "mødet",
    "i",
    "for",
    "den",
    "til",
    "fra",
    "og",
    "af",
    "det",
    "ekstraordinært",
    "ordinært",
    "åbent",
    "lukket",
    "beslutning",
    "indstilling",
    "emne",
    "udvalg",
    "kommune",
    "kommunes",
}
_SECTION17_RE = re.compile(r"§\s*17\s*,?\s*stk\.?\s*4\s*-?\s*udvalg", re.IGNORECASE)
_PLACE_BODIES = ("byråd", "kommunalbestyrelse", "regionsråd")
_MUNICIPALITY_RE = re.compile(rf"\b([A-ZÆØÅ][{_L}-]+(?:[ -][A-ZÆØÅ][{_L}-]+)?)\s+Kommune\b")
_REGION_RE = re.compile(rf"\b(Region\s+[A-ZÆØÅ][{_L}]+)")
_PLACE_BEFORE_RE = re.compile(rf"([A-ZÆØÅ][{_L}-]+)\s+$")
# words that end in a body stem but are not bodies
_FALSE_STEMS = {"rådgiver", "forråd", "lagerråd"}


def _capitalise(text: str) -> str:
    if text.isupper():
        text = text.lower()
    return text[:1].upper() + text[1:]


def _definite(prefix: str, stem: str) -> str:
    """The definite form; an all-capitals name is lowered, other letters stay as printed ("MED-udvalget")."""
    whole = prefix + stem
    base = _capitalise(whole) if whole.isupper() else whole[:1].upper() + whole[1:]
    return base + _SUFFIXES[stem.lower()]


def find_body(text: str) -> tuple[str | None, str | None]:
    """The first deciding body named in ``text`` and the municipality named with it."""
    municipality = find_municipality(text)
    section17 = _SECTION17_RE.search(text)
    if section17:
        return "§ 17, stk. 4-udvalget", municipality
    for m in _BODY_RE.finditer(text):
        prefix, stem, ending = m.group(1), m.group(2), m.group(3)
        word = (prefix + stem + ending).lower()
        if word in _FALSE_STEMS or (not prefix and stem.lower() in ("råd", "gruppe", "forum", "nævn")):
            continue
        joined = re.split(r"\s+(?:og|&)\s+", prefix, maxsplit=1)
        if len(joined) == 2 and not joined[0].endswith("-"):
            first, _ = find_body(joined[0])
            if first:  # "Direktionen og Økonomiudvalget": two bodies, the first is named first
                return first, municipality
        if stem.lower() == "udvalg" and not prefix:
            body = _plain_udvalg(text, m)
        else:
            body = _definite(prefix, stem)
        if municipality is None and (prefix + stem).lower() in _PLACE_BODIES:
            before = _PLACE_BEFORE_RE.search(text[: m.start()])
            if before and before.group(1).lower() not in _NOT_PLACE:
                municipality = f"{before.group(1)} Kommune"
        return body, municipality
    return None, municipality


def _plain_udvalg(text: str, m: re.Match[str]) -> str:
    """A body named with the separate word "Udvalg": "Teknisk Udvalg", "Udvalget for Kultur"."""
    after = text[m.end() :]
    tail = re.match(rf"\s+for\s+[{_L}0-9 ,&-]+", after)
    if tail:
        return _capitalise(m.group(0) + tail.group(0).rstrip(" ,-"))
    before = re.search(rf"([A-ZÆØÅ][{_L}]+)\s+$", text[: m.start()])
    if before and before.group(1).lower() not in _NOT_PLACE:
        return f"{before.group(1)} {_capitalise(m.group(0))}"
    return "Udvalget"


def normalize_body(name: str) -> str:
    """The definite, capitalised form of a body name; unknown names are only capitalised."""
    body, _ = find_body(name)
    return body if body else _capitalise(name.strip())


def find_municipality(text: str) -> str | None:
    """ "Aarhus Kommune" / "Region Hovedstaden" when the text names one."""
    m = _MUNICIPALITY_RE.search(text)
    if m and m.group(1).lower() not in _NOT_PLACE:
        return f"{m.group(1)} Kommune"
    r = _REGION_RE.search(text)
    return r.group(1) if r else None
