"""The Danish compound lexicon: which words may start, continue and end a compound.

Read from the Danish hunspell dictionary of Debian's ``hunspell-da``
(``/usr/share/hunspell/da_DK.dic``, from Stavekontrolden.dk). That dictionary
marks, for each of its 160,000 stems, whether the word may start a compound and
in which form (affix rules whose result carries the COMPOUNDBEGIN/MIDDLE flags
32/33: ``skole|``, ``handlings|``, ``børne|``, ``arbejds|`` from ``arbejde``) and
whether it may end one (flag 39). Words without those flags (``for``, ``be``,
``und``) are never parts, which is what keeps ``forslag`` whole. A head form
carries its linking letter, so ``handlings`` is a head of its own. Entries may carry
morphological fields after a space (``kælder/14,10,13,39,31 al:kældere``); phrases of
several words (``a cappella``) are skipped.

Parts of two letters (the .aff's ``COMPOUNDMIN 2``) and three letters are frequent
in Danish (``by|råd``, ``el|forbrug``, ``års|skifte``) and so are strings that only look
like them (``ko``, ``bo``, ``ion``, ``ler``). The dictionary itself tells them apart: it
lists tens of thousands of compounds whole, so for each short word it is counted how
many of its entries begin with it followed by a tail word (``by``: 82 of the 301
entries starting with "by"; ``ko``: 41 of 1,840), and for each tail word how many
entries end in it after a head form (``sag`` 78 of 91, ``vogn`` 74 of 98; ``ion`` 56 of
1,460, ``ling`` 0 of 955). Productive short heads (20+ compounds, 15 %+) and tails
(10+, 30 %+) are parts; tails that end 20+ entries of which under 10 % are compounds
are rare tails (``index.analysis`` does not split a lexicalised word before them). The
inflection classes (the suffix flags whose forms carry COMPOUNDEND) let the analyzer
check that a compound inflects like its last part (``byråd`` and ``råd``).

The dictionary is reduced once to a compact table (word, linking letters, may
end a compound, Snowball stem, how often it begins and ends the dictionary's own
compounds, its inflection classes) and cached under ``$XDG_CACHE_HOME/arkiv``
(``~/.cache/arkiv``), keyed by the dictionary's sha256, so a changed
dictionary gives a new table. The lexicon read from that table is cached beside it
in binary form (``marshal``; about three times faster to load than the table is to
read), keyed the same way and headed by the versions and limits it was made with:
a binary cache that does not match, or cannot be read, is ignored and the table
read again. Nothing is downloaded. Without the dictionary
(``ARKIV_HUNSPELL_DIC`` names another path; an empty value switches it off) the
lexicon is empty and compounds are split with the built-in parts and the
words learned from the archive only (``index.analysis``).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_DIC", "TABLE_VERSION", "CompoundLexicon", "dictionary_path", "load_lexicon"]

DEFAULT_DIC = Path("/usr/share/hunspell/da_DK.dic")
TABLE_VERSION = 6

_BEGIN_FLAGS = frozenset({"32", "33"})  # COMPOUNDBEGIN, COMPOUNDMIDDLE of the .aff
_TAIL_FLAG = "39"
_END_FLAG = "34"  # COMPOUNDEND: an inflected form may end a compound
_COMPOUND_FLAGS = frozenset({"29", "30", "31", "39"})  # linking -s-, -e-, none; may end a compound
_FORBIDDEN_FLAG = "6"
_MIN_WORD = 2  # the .aff's COMPOUNDMIN: parts of two letters (``by|råd``, ``el|forbrug``)
_SHORT_HEAD = 3  # heads this short must be productive (see ``_productivity``)
_PRODUCTIVE_MIN = 20  # dictionary compounds a short head must begin
_PRODUCTIVE_SHARE = 0.15  # and their share of the dictionary's words that start with it
_TAIL_MIN_TAIL = 4  # tails counted for a short head's productivity
_TAIL_PRODUCTIVE_MIN = 10  # dictionary compounds a productive tail must end
_TAIL_PRODUCTIVE_SHARE = 0.3  # and their share of the dictionary's words that end in it
_RARE_TAIL_TOTAL = 20  # a tail that ends at least this many dictionary words
_RARE_TAIL_SHARE = 0.1  # of which fewer than this share are compounds is a rare tail


@dataclass(frozen=True)
class CompoundLexicon:
    """Heads (word → linking letters it takes, "0" for none) and tails (words and their stems)."""

    heads: dict[str, str]
    tails: frozenset[str]
    tail_stems: frozenset[str]
    known: frozenset[str]  # every lowercase word of the dictionary, parts or not (``for``, ``forslag``)
    known_stems: frozenset[str]  # their Snowball stems: an inflected form of a dictionary word has one
    source: str  # the dictionary file and its sha256 prefix, or "" when there is none
    # Heads of two or three letters that begin many of the dictionary's own compounds (``by``, ``el``, ``års``)
    short_heads: frozenset[str] = frozenset()
    # Tails that end many of the dictionary's own compounds, against all its words ending in them
    # (``sag``, ``vogn``, ``værk``; not ``ion``, ``ler``, ``lighed``), and their stems
    productive_tails: frozenset[str] = frozenset()
    productive_tail_stems: frozenset[str] = frozenset()
    # Tails that mostly end unrelated words of the dictionary (``ling`` in ``betaling``, ``ration`` in
    # ``generation``): a word the dictionary knows whole is not split before them
    rare_tails: frozenset[str] = frozenset()
    rare_tail_stems: frozenset[str] = frozenset()
    # word (and Snowball stem) → its inflection classes, the dictionary's inflection flags of each of
    # its entries, ";"-separated (``byråd`` and ``råd``: "4.10.46"): a compound inflects like its last part
    paradigms: dict[str, str] = field(default_factory=dict)
    stem_paradigms: dict[str, str] = field(default_factory=dict)

    def paradigms_of(self, word: str, word_stem: str) -> frozenset[str]:
        """The inflection classes of ``word``: its own when the dictionary lists it (none for a bare
        verb form such as ``tager``), else those of the dictionary words with its stem."""
        if word in self.known:
            classes = self.paradigms.get(word, "")
        else:
            classes = self.stem_paradigms.get(word_stem, "")
        return frozenset(classes.split(";")) if classes else frozenset()


EMPTY = CompoundLexicon({}, frozenset(), frozenset(), frozenset(), frozenset(), "")


def dictionary_path() -> Path | None:
    """The hunspell dictionary to read (``ARKIV_HUNSPELL_DIC`` or Debian's), None when there is none."""
    configured = os.environ.get("ARKIV_HUNSPELL_DIC")
    if configured is not None:
        return Path(configured) if configured and Path(configured).is_file() else None
    return DEFAULT_DIC if DEFAULT_DIC.is_file() else None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "arkiv"


@dataclass(frozen=True)
class _HeadRule:
    """An affix rule of the .aff that makes a compound's first part (``arbejde`` → ``arbejds``)."""

    strip: str
    add: str
    condition: re.Pattern[str]


def _head_rules(aff_text: str) -> dict[str, list[_HeadRule]]:
    """flag → the suffix rules whose result may begin a compound (their result carries flag 32 or 33)."""
    rules: dict[str, list[_HeadRule]] = {}
    for line in aff_text.splitlines():
        cells = line.split()
        if len(cells) < 5 or cells[0] != "SFX":
            continue
        flag, strip, added, condition = cells[1], cells[2], cells[3], cells[4]
        add, _slash, result_flags = added.partition("/")
        if not _BEGIN_FLAGS & set(result_flags.split(",")):
            continue
        rules.setdefault(flag, []).append(
            _HeadRule("" if strip == "0" else strip, "" if add == "0" else add, re.compile(f"(?:{condition})$"))
        )
    return rules


def _inflection_flags(aff_text: str) -> frozenset[str]:
    """The suffix flags that inflect a word: their forms may end a compound (carry COMPOUNDEND), and
    they are not the compound flags themselves (linking forms, "may end a compound")."""
    flags: set[str] = set()
    for line in aff_text.splitlines():
        cells = line.split()
        if len(cells) >= 5 and cells[0] == "SFX" and _END_FLAG in cells[3].partition("/")[2].split(","):
            flags.add(cells[1])
    return frozenset(flags - _COMPOUND_FLAGS)


def _parse_dic(
    text: str, rules: dict[str, list[_HeadRule]], inflections: frozenset[str] = frozenset()
) -> tuple[dict[str, bool], set[str], dict[str, set[str]]]:
    """(word → may end a compound, for every lowercase word), the forms that may begin a compound, and
    word → its inflection classes (the inflection flags of each of its entries, "4.10.46")."""
    words: dict[str, bool] = {}
    heads: set[str] = set()
    paradigms: dict[str, set[str]] = {}
    for line in text.splitlines()[1:]:
        cells = line.split()
        if not cells or (len(cells) > 1 and ":" not in cells[1]):
            continue  # an empty line, or a phrase of several words ("a cappella", "post festum")
        entry = cells[0]  # the stem and its flags; morphological fields ("al:kældere") follow after a space
        word, _slash, flag_text = entry.partition("/")
        flags = flag_text.split(",") if flag_text else []
        if _FORBIDDEN_FLAG in flags or len(word) < _MIN_WORD or not word.isalpha() or not word.islower():
            continue
        words[word] = words.get(word, False) or _TAIL_FLAG in flags
        paradigm = ".".join(sorted(inflections.intersection(flags), key=int))
        if paradigm:
            paradigms.setdefault(word, set()).add(paradigm)
        if _BEGIN_FLAGS & set(flags):
            heads.add(word)
        for flag in flags:
            for rule in rules.get(flag, ()):
                if rule.condition.search(word) and word.endswith(rule.strip):
                    form = word[: len(word) - len(rule.strip)] + rule.add
                    if form.isalpha():
                        heads.add(form)
    return words, heads, paradigms


def _productivity(
    words: dict[str, bool], heads: set[str]
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """How often the dictionary itself builds compounds with a part, counted over its own entries.

    Short heads: for each word or head form of two or three letters, (entries that are it followed by
    a tail of four or more letters, entries that start with it). Tails: for each tail word, (entries
    that are a head form of three or more letters followed by it, entries that end in it). A part that
    is a real compound member begins or ends many compounds (``by|``, ``el|``, ``|sag``, ``|vogn``); a
    string that only looks like a word is mostly the start or end of unrelated words (``|ion`` in
    ``nation``, ``|lighed`` in ``mulighed``)."""
    tails = {w for w, is_tail in words.items() if is_tail}
    short = {w for w in (set(words) | heads) if len(w) <= _SHORT_HEAD}
    head_counts: dict[str, list[int]] = {h: [0, 0] for h in short}
    tail_counts: dict[str, list[int]] = {}
    for entry in words:
        n = len(entry)
        for k in range(_MIN_WORD, min(_SHORT_HEAD, n - 1) + 1):
            counts = head_counts.get(entry[:k])
            if counts is not None:
                counts[1] += 1
                rest = entry[k:]
                if len(rest) >= _TAIL_MIN_TAIL and rest in tails:
                    counts[0] += 1
        for i in range(1, n - 1):
            tail = entry[i:]
            if tail in tails:
                counts = tail_counts.setdefault(tail, [0, 0])
                counts[1] += 1
                if i >= 3 and entry[:i] in heads:
                    counts[0] += 1
    return (
        {h: (c[0], c[1]) for h, c in head_counts.items() if c[0]},
        {t: (c[0], c[1]) for t, c in tail_counts.items()},
    )


def _build_table(dic: Path, stem: Callable[[str], str], fold: Callable[[str], str]) -> str:
    aff = dic.with_suffix(".aff")
    aff_text = aff.read_text(encoding="utf-8") if aff.is_file() else ""
    words, heads, paradigms = _parse_dic(
        dic.read_text(encoding="utf-8"), _head_rules(aff_text), _inflection_flags(aff_text)
    )
    head_counts, tail_counts = _productivity(words, heads)
    rows: list[str] = []
    for word in sorted(set(words) | heads):
        folded = fold(word)
        head = "0" if word in heads else "-"
        tail = "1" if words.get(word, False) else "0"
        known = "1" if word in words else "0"
        begins, starting = head_counts.get(word, (0, 0))
        ends, ending = tail_counts.get(word, (0, 0))
        classes = ";".join(sorted(paradigms.get(word, ())))
        rows.append(
            f"{folded}\t{head}\t{tail}\t{known}\t{stem(folded)}\t{begins}\t{starting}\t{ends}\t{ending}\t{classes}"
        )
    return "\n".join(rows) + "\n"


def _productive(count: int, total: int, minimum: int, share: float) -> bool:
    return count >= minimum and count >= share * total


def _read_table(text: str, source: str) -> CompoundLexicon:
    heads: dict[str, str] = {}
    tails: set[str] = set()
    stems: set[str] = set()
    known: set[str] = set()
    known_stems: set[str] = set()
    short_heads: set[str] = set()
    productive: set[str] = set()
    productive_stems: set[str] = set()
    rare: set[str] = set()
    rare_stems: set[str] = set()
    paradigms: dict[str, str] = {}
    stem_paradigms: dict[str, str] = {}
    for line in text.splitlines():
        word, links, tail, is_word, stem, begins, starting, ends, ending, classes = line.split("\t")
        if classes:  # kept as text: only a few words are ever asked (``CompoundLexicon.paradigms_of``)
            paradigms[word] = classes
            stem_paradigms[stem] = f"{stem_paradigms[stem]};{classes}" if stem in stem_paradigms else classes
        if is_word == "1":
            known.add(word)
            known_stems.add(stem)
        if links != "-" and len(word) > _MIN_WORD:
            heads[word] = "".join(sorted(set(heads.get(word, "")) | set(links)))
        if len(word) <= _SHORT_HEAD and _productive(int(begins), int(starting), _PRODUCTIVE_MIN, _PRODUCTIVE_SHARE):
            heads[word] = "".join(sorted(set(heads.get(word, "")) | {"0"}))  # ``el`` has no flag but begins 60
            short_heads.add(word)
        if tail == "1" and len(word) > _MIN_WORD:
            tails.add(word)
            stems.add(stem)
            if _productive(int(ends), int(ending), _TAIL_PRODUCTIVE_MIN, _TAIL_PRODUCTIVE_SHARE):
                productive.add(word)
                productive_stems.add(stem)
            elif int(ending) >= _RARE_TAIL_TOTAL and int(ends) < _RARE_TAIL_SHARE * int(ending):
                rare.add(word)
                rare_stems.add(stem)
    return CompoundLexicon(
        heads,
        frozenset(tails),
        frozenset(stems),
        frozenset(known),
        frozenset(known_stems),
        source,
        frozenset(short_heads),
        frozenset(productive),
        frozenset(productive_stems),
        frozenset(rare),
        frozenset(rare_stems),
        paradigms,
        stem_paradigms,
    )


# Bump when the binary form of the lexicon changes (``_fast_header``, ``_to_fast``, ``_from_fast``).
FAST_CACHE_VERSION = 1
_FAST_MAGIC = "arkiv compound lexicon"


def _fast_header(digest: str) -> tuple[object, ...]:
    """What a binary cache must have been made with to be used: the table it was read from (its version
    and the dictionary's digest), the limits ``_read_table`` applies and the binary format itself."""
    limits = (
        _MIN_WORD,
        _SHORT_HEAD,
        _PRODUCTIVE_MIN,
        _PRODUCTIVE_SHARE,
        _TAIL_MIN_TAIL,
        _TAIL_PRODUCTIVE_MIN,
        _TAIL_PRODUCTIVE_SHARE,
        _RARE_TAIL_TOTAL,
        _RARE_TAIL_SHARE,
    )
    return (_FAST_MAGIC, FAST_CACHE_VERSION, marshal.version, TABLE_VERSION, digest, limits)


# The lexicon's fields in the binary cache, in this order (``source`` is not stored: it names the
# dictionary's path, which may differ for the same content), and the type each must have.
_FAST_FIELDS: tuple[tuple[str, type], ...] = (
    ("heads", dict),
    ("tails", frozenset),
    ("tail_stems", frozenset),
    ("known", frozenset),
    ("known_stems", frozenset),
    ("short_heads", frozenset),
    ("productive_tails", frozenset),
    ("productive_tail_stems", frozenset),
    ("rare_tails", frozenset),
    ("rare_tail_stems", frozenset),
    ("paradigms", dict),
    ("stem_paradigms", dict),
)


def _fast_path(digest: str) -> Path:
    return _cache_dir() / f"compound-lexicon-v{TABLE_VERSION}-{digest}.bin"


def _to_fast(lexicon: CompoundLexicon, digest: str) -> bytes:
    payload: Any = (_fast_header(digest), tuple(getattr(lexicon, name) for name, _kind in _FAST_FIELDS))
    return marshal.dumps(payload)


def _from_fast(data: bytes, digest: str, source: str) -> CompoundLexicon | None:
    """The lexicon of a binary cache; None when it was made for another table, version or format, or
    its contents are not what a lexicon holds."""
    try:
        header, values = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if header != _fast_header(digest) or not isinstance(values, tuple) or len(values) != len(_FAST_FIELDS):
        return None
    fields: dict[str, object] = {}
    for (name, kind), value in zip(_FAST_FIELDS, values, strict=True):
        if type(value) is not kind:
            return None
        fields[name] = value
    return CompoundLexicon(source=source, **fields)  # type: ignore[arg-type]


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place (no reader sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
    try:
        Path(handle.name).replace(path)
    except OSError:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _save_fast(lexicon: CompoundLexicon, digest: str) -> None:
    try:
        _write_atomically(_fast_path(digest), _to_fast(lexicon, digest))
    except (OSError, ValueError):
        pass  # a read-only home: the table is read again on the next start


def _load_table(dic: Path, digest: str, source: str) -> CompoundLexicon:
    """The lexicon read from the cached table, or built from the dictionary (and the table cached)."""
    from index.analysis import fold, stem

    cache = _cache_dir() / f"compound-lexicon-v{TABLE_VERSION}-{digest}.tsv"
    try:
        return _read_table(cache.read_text(encoding="utf-8"), source)
    except (OSError, ValueError):
        pass
    table = _build_table(dic, stem, fold)
    try:
        _write_atomically(cache, table.encode("utf-8"))
    except OSError:
        pass  # a read-only home: the table is rebuilt on the next start
    return _read_table(table, source)


@lru_cache(maxsize=4)
def _load(dic: Path, stat_key: tuple[int, int]) -> CompoundLexicon:
    digest = hashlib.sha256(dic.read_bytes()).hexdigest()[:16]
    source = f"{dic} sha256:{digest}"
    try:
        fast = _from_fast(_fast_path(digest).read_bytes(), digest, source)
    except OSError:
        fast = None
    if fast is not None:
        return fast
    lexicon = _load_table(dic, digest, source)
    _save_fast(lexicon, digest)
    return lexicon


def load_lexicon(dic: Path | None = None) -> CompoundLexicon:
    """The compound lexicon of ``dic`` (default: ``dictionary_path()``), built once and cached."""
    path = dic if dic is not None else dictionary_path()
    if path is None:
        return EMPTY
    try:
        info = path.stat()
    except OSError:
        return EMPTY
    return _load(path, (int(info.st_mtime_ns), int(info.st_size)))
