""" "Did you mean": a corrected query for a misspelled word, from the words of the archive's index.

A word of the query is corrected when the index does not know it, or knows it from only a few items
while a word one or two edits away (a letter added, dropped, changed or two letters swapped) is in
many more. Words are compared as the index holds them: folded and stemmed (``index.analysis``), in
the title and text fields and their compound parts, so a compound part the index knows
(``rygestop``) is not "corrected". A suggested word is a whole word of a title or text (not only a
compound part), shown as it is written in an item that contains it (``tilbuddet``, not the index
form ``tilbud``).

The library computes the suggestion; ``arkiv search`` prints it, and a web page can call
``suggest`` with the same engine it searches with.

    >>> suggest(engine, "sygefravr pulje")
    Suggestion(query='sygefravær pulje', corrections=(('sygefravr', 'sygefravær'),))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis import STOP_WORDS, fold, stem, tokenize
from index.engine import Engine
from index.query import And, Lowered, Node, Or, Term

__all__ = ["MAX_EDITS", "Suggestion", "edit_distance", "suggest"]

MAX_EDITS = 2
MIN_WORD_CHARS = 4  # shorter words are not corrected (too many neighbours)
# A word the index knows is still corrected when a neighbour is in this many times more items (and in
# at least RARE_NEIGHBOUR_ITEMS items): a typo that occurs a few times in the archive itself.
RARE_RATIO = 20
RARE_NEIGHBOUR_ITEMS = 5
_WHOLE_FIELDS = ("title", "text")
_PART_FIELDS = ("title_parts", "text_parts")
_WORD_RE = re.compile(r"^[^\W\d_]+$")
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True)
class Suggestion:
    """The corrected query, and each (word as typed, suggested word)."""

    query: str
    corrections: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, object]:
        return {"query": self.query, "corrections": [list(c) for c in self.corrections]}


def edit_distance(a: str, b: str, limit: int = MAX_EDITS) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``; ``limit + 1`` when more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


def _frequencies(engine: Engine, first: str, fields: tuple[str, ...]) -> dict[str, int]:
    """Indexed term → items (summed over ``fields``) for the terms starting with ``first``."""
    out: dict[str, int] = {}
    for field_name in fields:
        for term, count in engine._expand(field_name, first):
            out[term] = out.get(term, 0) + count
    return out


def _best(word_stem: str, counts: dict[str, int]) -> tuple[str, int] | None:
    """The neighbour of ``word_stem`` with the fewest edits, then the most items."""
    best: tuple[int, int, str] | None = None
    for term, count in counts.items():
        if term == word_stem or abs(len(term) - len(word_stem)) > MAX_EDITS:
            continue
        distance = edit_distance(word_stem, term)
        if distance > MAX_EDITS:
            continue
        rank = (distance, -count, term)
        if best is None or rank < best:
            best = rank
    return (best[2], -best[1]) if best else None


def _open_items(engine: Engine, term: str, fields: tuple[str, ...]) -> int:
    """Open items that hold ``term`` (a stem) in one of ``fields``."""
    node = And((Or(tuple(Term(f, term) for f in fields)), Term("closed", "open")))
    return engine.search(Lowered(node, set()), limit=1, facets=False).total


def _best_open(engine: Engine, word_stem: str, counts: dict[str, int]) -> tuple[str, int] | None:
    """``_best`` counted in open items only: a neighbour no open item holds is no candidate, and the
    closed items' counts do not rank the others."""
    best: tuple[int, int, str] | None = None
    for term in counts:
        if term == word_stem or abs(len(term) - len(word_stem)) > MAX_EDITS:
            continue
        distance = edit_distance(word_stem, term)
        if distance > MAX_EDITS:
            continue
        items = _open_items(engine, term, _WHOLE_FIELDS)
        rank = (distance, -items, term)
        if items and (best is None or rank < best):
            best = rank
    return (best[2], -best[1]) if best else None


def _surface(engine: Engine, term: str, open_only: bool = False) -> str | None:
    """How ``term`` (a stem) is written in an item that contains it, lowercased; with ``open_only`` only
    open items count, and None when no open item holds it."""
    node: Node = Or(tuple(Term(f, term) for f in ("title", "text")))
    if open_only:
        node = And((node, Term("closed", "open")))
    result = engine.search(Lowered(node, set()), limit=3, facets=False)
    if open_only and not result.hits:
        return None
    for hit in result.hits:
        for text in (hit.doc.title, hit.doc.text[:200_000]):
            for raw, _start, _end in tokenize(text):
                whole, _parts = engine.analyzer.token(raw)
                if whole == term:
                    return fold(raw)
    return term


def suggest(engine: Engine, query: str, *, open_only: bool = False) -> Suggestion | None:
    """A corrected ``query``, or None when no word of it needs a correction. Only bare words are
    corrected; phrases, fields, operators, prefixes (``klima*``) and case numbers are kept as typed.
    ``open_only`` (the public view): every count is of open items, a suggested word is written as an open
    item writes it, and a word that only closed items hold is neither suggested nor "known", so the answer
    is the one an archive without the closed items would give."""
    tokens = query.split()
    corrections: list[tuple[str, str]] = []
    wholes: dict[str, dict[str, int]] = {}
    parts: dict[str, dict[str, int]] = {}
    in_phrase = False
    for index, token in enumerate(tokens):
        quotes = token.count('"')
        if in_phrase or quotes:
            in_phrase = in_phrase != (quotes % 2 == 1)
            continue
        bare = token.lstrip("-(").rstrip(")")
        if token in _OPERATORS or not _WORD_RE.match(bare) or len(bare) < MIN_WORD_CHARS:
            continue
        folded = fold(bare)
        if folded in STOP_WORDS:
            continue
        word_stem = stem(folded)
        first = word_stem[:1]
        if first not in wholes:
            wholes[first] = _frequencies(engine, first, _WHOLE_FIELDS)
            parts[first] = _frequencies(engine, first, _PART_FIELDS)
        counts = wholes[first]
        if open_only:
            # what closed items hold must not change the answer: "known" and the neighbours are counted in
            # open items, else a suggestion offered or not would tell whether a closed item holds the word
            known = _open_items(engine, word_stem, _WHOLE_FIELDS + _PART_FIELDS)
            found = _best_open(engine, word_stem, counts)
        else:
            known = counts.get(word_stem, 0) + parts[first].get(word_stem, 0)
            found = _best(word_stem, counts)
        if found is None:
            continue
        neighbour, items = found
        if known and not (items >= RARE_NEIGHBOUR_ITEMS and items >= RARE_RATIO * known):
            continue
        surface = _surface(engine, neighbour, open_only)
        if surface is None or surface == folded:
            continue
        corrections.append((bare, surface))
        tokens[index] = token.replace(bare, surface)
    if not corrections:
        return None
    return Suggestion(" ".join(tokens), tuple(corrections))
