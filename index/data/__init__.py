"""Tables of the Danish analysis, kept as readable text files next to this module.

``whole_words.txt``: words never split into compound parts; ``synonyms.tsv``: abbreviations and names
of local government read as one another at query time; ``compounds_gold.tsv``: real compounds with their
correct splits (the split benchmark); ``judged_real.json``: the judged queries over the real documents.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

__all__ = ["DATA_DIR", "read_word_list"]


def read_word_list(name: str) -> list[str]:
    """The words of a one-word-a-line table (``#`` starts a comment), lowercased."""
    out: list[str] = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            out.append(word)
    return out
