"""How well ``Analyzer.split`` splits real compounds: precision and recall of the split points.

The gold table (``index/data/compounds_gold.tsv``) holds words taken from the real documents with
their correct splits, written by hand: ``anlægs|bevilling`` (a linking ``-s-``/``-e-`` stays with
the part before it), ``vind|mølle|laug`` (every part split down to single words), and words that
must stay whole (``forslag``, ``festival``, ``dagsorden``). A split point counts when the analyzer
splits the word, and each of its parts again, at the same letter.

The table is cut in two halves by a fixed hash of each word (``gold_half``): the splitting rules
were tuned looking at the ``tune`` half only, and the ``held_out`` half measures them on words
they were not fitted to.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.analysis import Analyzer, fold
from index.data import DATA_DIR

__all__ = [
    "GOLD_FILE",
    "HALVES",
    "GoldSplit",
    "SplitScore",
    "gold_half",
    "load_gold_splits",
    "score_splits",
    "split_points",
]

GOLD_FILE = DATA_DIR / "compounds_gold.tsv"
HALVES = ("tune", "held_out")


def gold_half(word: str) -> str:
    """``tune`` or ``held_out``: the half of the gold table a word belongs to, by the first byte of
    its sha256 (fixed, so adding words never moves the others)."""
    return HALVES[hashlib.sha256(word.encode("utf-8")).digest()[0] % 2]


class GoldSplitError(ValueError):
    """The gold table is unusable (names the file, the line and the reason)."""


@dataclass(frozen=True)
class GoldSplit:
    word: str
    points: frozenset[int]  # letter offsets where a new part starts

    @property
    def shown(self) -> str:
        return show(self.word, self.points)


@dataclass
class SplitScore:
    words: int = 0
    compounds: int = 0
    true_points: int = 0
    predicted_points: int = 0
    gold_points: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (word, gold, predicted)

    @property
    def precision(self) -> float:
        return self.true_points / self.predicted_points if self.predicted_points else 1.0

    @property
    def recall(self) -> float:
        return self.true_points / self.gold_points if self.gold_points else 1.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "words": self.words,
            "compounds": self.compounds,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "words_split_exactly": self.words - len(self.wrong),
        }


def show(word: str, points: frozenset[int] | set[int]) -> str:
    """``anlægs|bevilling``: the word with a bar at each split point."""
    out = []
    for i, ch in enumerate(word):
        if i in points:
            out.append("|")
        out.append(ch)
    return "".join(out)


def load_gold_splits(path: Path = GOLD_FILE) -> list[GoldSplit]:
    """The gold table: ``word<TAB>split`` lines; ``#`` starts a comment."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise GoldSplitError(f"{path}: cannot read the gold splits ({e.strerror or e})") from e
    out: list[GoldSplit] = []
    for number, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cells = line.split("\t")
        if len(cells) != 2 or cells[1].replace("|", "") != cells[0]:
            raise GoldSplitError(f"{path}:{number}: write 'word<TAB>split', the split being the word with bars")
        word, marked = cells
        points: set[int] = set()
        offset = 0
        for piece in marked.split("|")[:-1]:
            offset += len(piece)
            points.add(offset)
        out.append(GoldSplit(word, frozenset(points)))
    return out


def split_points(analyzer: Analyzer, word: str) -> frozenset[int]:
    """Letter offsets where the analyzer starts a new part of ``word``, each part split again."""
    return frozenset(_points(analyzer, fold(word), 0))


def _points(analyzer: Analyzer, word: str, base: int) -> set[int]:
    parts = analyzer.split(word)
    if not parts:
        return set()
    points: set[int] = set()
    cursor = 0
    starts: list[tuple[int, str]] = []
    for index, part in enumerate(parts):
        found = word.find(part, cursor)
        if found < 0:
            return set()
        if index > 0:
            points.add(base + found)
        starts.append((found, part))
        cursor = found + len(part)
    for start, part in starts:
        points |= _points(analyzer, part, base + start)
    return points


def score_splits(analyzer: Analyzer, gold: Sequence[GoldSplit]) -> SplitScore:
    score = SplitScore()
    for entry in gold:
        predicted = split_points(analyzer, entry.word)
        score.words += 1
        score.compounds += bool(entry.points)
        score.gold_points += len(entry.points)
        score.predicted_points += len(predicted)
        score.true_points += len(predicted & entry.points)
        if predicted != entry.points:
            score.wrong.append((entry.word, entry.shown, show(entry.word, predicted)))
    return score
