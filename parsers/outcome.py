"""The outcome of a decision, and the votes, read from the decision text.

``classify_outcome`` returns one label and the name of the rule that chose it,
so a wrong label can be traced to one pattern. Rules come in two tiers:

* strong outcomes (godkendt, anbefalet, taget til efterretning, udsat,
  afvist, oversendt): the one that starts earliest in the text wins, so
  "Anbefalet og oversendt til Byrådet" is *anbefalet* and "Direktionen
  godkendte ... De resterende 100.000 kr. afventer en drøftelse" is
  *godkendt*. On the same start position the rule listed first wins
  (negations are listed before the verbs they negate: "godkendes ikke" is
  *afvist*).
* *drøftet* only when no strong rule matches ("Udvalget drøftede sagen og
  godkendte indstillingen" is *godkendt*; "tog drøftelsen til efterretning"
  is *taget til efterretning*).

Anything else is *other* with rule "no-match".

``parse_votes`` reads "For stemte: A, V (12)", "Imod stemte: O (3)",
"Undlod at stemme: F" (also "Imod: ...", "Undlod: ...", "A, V og F stemte
for") and "Afstemning: 12 for, 3 imod, 1 undlod".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABELS: tuple[str, ...] = (
    "godkendt",
    "anbefalet",
    "taget til efterretning",
    "udsat",
    "afvist",
    "oversendt",
    "drøftet",
    "other",
)


@dataclass(frozen=True)
class OutcomeResult:
    label: str  # one of LABELS
    rule: str  # name of the rule that matched; "no-match" for "other"


def _r(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


_W = r"(?:\s+\S+){0,3}?\s+"  # up to three words in between
_STRONG: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    # negations first: they start at the same place as, or before, the verb they negate
    ("afvist", "ikke-godkendt", _r(rf"\b(?:ikke|ej){_W}?(?:godkend|tiltræd|vedtag|anbefal|imødekom|bevilg)\w*")),
    ("afvist", "godkendes-ikke", _r(r"\b(?:godkend|tiltræd|vedtag|anbefal|imødekom|bevilg)\w*\s+(?:\S+\s+)?ikke\b")),
    ("afvist", "afvist", _r(r"\b(?:afvis|afvist|afviste|forkast|nedstemt|faldt\b)\w*")),
    ("afvist", "ikke-flertal", _r(r"\bikke\s+flertal\b")),
    ("taget til efterretning", "til-efterretning", _r(r"\btil\s+efterretning\b")),
    ("taget til efterretning", "efterretning-alone", _r(r"^\s*efterretning\b")),
    ("taget til efterretning", "efterretning", _r(rf"\b(?:tog|tage[ns]?|taget|tages){_W}?efterretning\b")),
    (
        "taget til efterretning",
        "orienteret",
        _r(r"\b(?:blev|er|var)\s+orienteret\b|\borienteringen\s+(?:blev\s+)?(?:modtaget|taget)\b"),
    ),
    ("udsat", "udsat", _r(r"\b(?:udsat|udsatte|udsætte|udsættes|udskudt|udskydes)\b")),
    ("udsat", "genoptages", _r(r"\bgenoptages\b|\btrukket\s+(?:af|fra)\s+dagsordenen\b")),
    ("anbefalet", "anbefal", _r(r"\b(?:anbefal\w*|indstilles\s+til\s+(?:byrådet|kommunalbestyrelsen)\b)")),
    (
        "oversendt",
        "oversend",
        _r(
            r"\b(?:oversend|videresend|fremsend)\w*|\bsend(?:es|t)\s+videre\b"
            r"|\bsend(?:es|t)\s+til\s+(?:byrådet|kommunalbestyrelsen|\w*udvalget|[\w.-]+\s+behandling)\b"
        ),
    ),
    ("godkendt", "godkend", _r(r"\bgodkend(?:t|te|es|er)?\b")),
    ("godkendt", "tiltraadt", _r(r"\btiltr(?:å|aa)d(?:t|te|es|er)?\b")),
    ("godkendt", "vedtaget", _r(r"\bvedt(?:aget|og|ages)\b")),
    ("godkendt", "bevilget", _r(r"\bbevil(?:g|lig)(?:et|ede|es|er)\b")),
    ("godkendt", "imoedekommet", _r(r"\bimødekom(?:met|mer|mes)?\b")),
    ("godkendt", "som-indstillet", _r(r"\bsom\s+indstillet\b|\bindstillingen\s+følges\b")),
    ("godkendt", "taget-til-foelge", _r(r"\btaget\s+til\s+følge\b|\bimødekommet\b")),
)
_MEDIUM: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("godkendt", "besluttede", _r(r"\bbesluttede\b|\bbesluttet\b|\bbeslutter\b")),
)
_WEAK: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("drøftet", "droeftet", _r(r"\bdrøft(?:et|ede|es|er|else|elsen)?\b")),
    ("drøftet", "behandlet", _r(r"\bbehandlet\b|\bdebatteret\b")),
)


def classify_outcome(text: str) -> OutcomeResult:
    """The outcome label of a decision text and the rule that matched."""
    best: tuple[int, int, str, str] | None = None
    for order, (label, rule, pattern) in enumerate(_STRONG):
        m = pattern.search(text)
        if m and (best is None or (m.start(), order) < best[:2]):
            best = (m.start(), order, label, rule)
    if best is not None:
        return OutcomeResult(label=best[2], rule=best[3])
    for label, rule, pattern in (*_MEDIUM, *_WEAK):
        if pattern.search(text):
            return OutcomeResult(label=label, rule=rule)
    return OutcomeResult(label="other", rule="no-match")


# ---------------------------------------------------------------------------
# Votes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteGroup:
    parties: tuple[str, ...]  # party letters ("A", "V", "Ø"); empty when only a count is stated
    count: int | None  # number of votes; None: not stated


@dataclass(frozen=True)
class Votes:
    in_favour: VoteGroup | None  # None: the minutes do not state it
    against: VoteGroup | None
    abstained: VoteGroup | None

    def by_party(self) -> dict[str, str]:
        """Party letter -> "for" / "imod" / "undlod"."""
        result: dict[str, str] = {}
        for name, group in (("for", self.in_favour), ("imod", self.against), ("undlod", self.abstained)):
            for party in group.parties if group else ():
                result[party] = name
        return result

    def counts(self) -> dict[str, int | None]:
        """ "for"/"imod"/"undlod" -> number of votes (None: not stated)."""
        return {
            "for": self.in_favour.count if self.in_favour else None,
            "imod": self.against.count if self.against else None,
            "undlod": self.abstained.count if self.abstained else None,
        }


_LETTER = r"[A-ZÆØÅ](?![\wæøåÆØÅ])"
_PARTY_LIST = rf"(?P<parties>{_LETTER}(?:\s*(?:,|og|\+|&)\s*{_LETTER})*)"
_COUNT = r"(?:\s*\(\s*(?P<count>\d{1,3})(?:\s*stemmer?)?\s*\)|\s*[-–:]\s*(?P<count2>\d{1,3})\s*stemmer?\b)?"
_ANY = r"(?:[^\S\n]*\n?[^\S\n]*)"  # spaces and at most one line break
_GROUP_AFTER = {
    "for": _r(rf"(?:\bfor\s+stemte|\bstemte\s+for|^\s*for)\s*:?{_ANY}{_PARTY_LIST}{_COUNT}"),
    "imod": _r(rf"(?:\bimod\s+stemte|\bstemte\s+imod|^\s*imod)\s*:?{_ANY}{_PARTY_LIST}{_COUNT}"),
    "undlod": _r(
        rf"(?:\bundlod\s+at\s+stemme|\bundlod|\bhverken\s+for\s+eller\s+imod|\bblankt?)\s*:?{_ANY}{_PARTY_LIST}{_COUNT}"
    ),
}
_GROUP_BEFORE = {
    "for": re.compile(rf"\b{_PARTY_LIST}{_COUNT}\s+stemte\s+for\b"),
    "imod": re.compile(rf"\b{_PARTY_LIST}{_COUNT}\s+stemte\s+imod\b"),
    "undlod": re.compile(rf"\b{_PARTY_LIST}{_COUNT}\s+undlod\s+at\s+stemme\b"),
}
_TALLY = {
    "for": _r(r"\b(?P<count>\d{1,3})\s+(?:stemmer\s+)?for\b"),
    "imod": _r(r"\b(?P<count>\d{1,3})\s+(?:stemmer\s+)?imod\b"),
    "undlod": _r(r"\b(?P<count>\d{1,3})\s+(?:undlod|hverken\s+for\s+eller\s+imod|blanke?)\b"),
}
_TALLY_CONTEXT_RE = _r(r"\bafstemning\b|\bstemmer\b|\bstemte\b")
_PARTY_SPLIT_RE = re.compile(r"\s*(?:,|og|\+|&)\s*")


def _group(m: re.Match[str]) -> VoteGroup:
    parties = tuple(p for p in _PARTY_SPLIT_RE.split(m.group("parties")) if p)
    count = m.group("count") or m.group("count2")
    return VoteGroup(parties=parties, count=int(count) if count else None)


def _parties_case_sensitive(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    # party letters are capitals; the label is matched case-insensitively
    for m in pattern.finditer(text):
        parties = _PARTY_SPLIT_RE.split(m.group("parties"))
        if all(len(p) == 1 and p.isupper() for p in parties if p):
            return m
    return None


def parse_votes(text: str) -> Votes | None:
    """The vote stated in minutes text, or None when the text states no vote."""
    groups: dict[str, VoteGroup] = {}
    for name in ("for", "imod", "undlod"):
        m = _parties_case_sensitive(_GROUP_AFTER[name], text) or _parties_case_sensitive(_GROUP_BEFORE[name], text)
        if m:
            groups[name] = _group(m)
    if not groups and _TALLY_CONTEXT_RE.search(text):
        for name in ("for", "imod", "undlod"):
            m = _TALLY[name].search(text)
            if m:
                groups[name] = VoteGroup(parties=(), count=int(m.group("count")))
    if not groups:
        return None
    return Votes(in_favour=groups.get("for"), against=groups.get("imod"), abstained=groups.get("undlod"))
