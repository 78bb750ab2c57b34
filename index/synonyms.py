"""Query-time synonyms: names and abbreviations of Danish local government (``index/data/synonyms.tsv``).

A group's members are analysed like the indexed text (``index.analysis``: folded, stemmed, stop
words dropped), so each member is a key of one or more stems; ``index.query`` turns a query word,
run of words or phrase whose key is a member into "this or any other member". A member of one word
keeps it even when it is a stop word (the party letter ``I``). Nothing is added at index time, so a
changed table needs no rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.analysis import STOP_WORDS, stem, words
from index.data import DATA_DIR

__all__ = ["SYNONYMS_FILE", "SynonymTable", "SynonymTableError", "load_synonyms", "parse_synonyms"]

SYNONYMS_FILE = DATA_DIR / "synonyms.tsv"

Key = tuple[str, ...]


class SynonymTableError(ValueError):
    """The synonym table is unusable (names the file, the line and the reason)."""


def member_key(text: str) -> Key:
    """The analysed words of a member or of query text: stems, stop words dropped unless it is one word."""
    folded = words(text)
    if len(folded) == 1:
        return (stem(folded[0]),)
    return tuple(stem(w) for w in folded if w not in STOP_WORDS)


@dataclass
class SynonymTable:
    groups: dict[Key, list[Key]] = field(default_factory=dict)  # key → the other members it also searches
    longest: int = 1  # the most whitespace-separated words of a member

    def key(self, text: str) -> Key:
        return member_key(text)

    def others(self, key: Key) -> list[Key]:
        return self.groups.get(key, [])

    def _add(self, source: Key, targets: list[Key]) -> None:
        known = self.groups.setdefault(source, [])
        for target in targets:
            if target != source and target not in known:
                known.append(target)


def parse_synonyms(text: str, path: Path | str = "<synonyms>") -> SynonymTable:
    """Read the table: ``a = b = c`` (each finds the others) or ``a => b | c`` (a also searches b, c)."""
    table = SynonymTable()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources, targets = [left], right.split("|")
        else:
            sources = targets = line.split(" = ")
        members = [m.strip() for m in dict.fromkeys((*sources, *targets))]
        if len(members) < 2 or any(not member_key(m) for m in members):
            raise SynonymTableError(f"{path}:{number}: write 'a = b' or 'a => b | c' with words on both sides")
        target_keys = [member_key(t) for t in targets]
        for source in sources:
            table._add(member_key(source), target_keys)
        table.longest = max(table.longest, *(len(m.split()) for m in members))
    return table


@lru_cache(maxsize=1)
def load_synonyms(path: Path = SYNONYMS_FILE) -> SynonymTable:
    """The synonym table of the project (read once)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise SynonymTableError(f"{path}: cannot read the synonym table ({e.strerror or e})") from e
    return parse_synonyms(text, path)
