"""Danish text analysis, done once in Python and fed to both search engines.

Both engines (whoosh and tantivy) index the *output* of this module as
whitespace-separated tokens, and every query term goes through the same
functions, so the two engines see identical terms and return the same hits.

The pipeline for one word
-------------------------
1. **Tokenize**: runs of letters and digits (``[^\\W_]+``). Case numbers such as
   ``20/057417-5`` are not analysed here; ``index.documents`` keeps them whole
   in their own keyword field (see ``case_terms``).
2. **Fold**: lowercase; accents that are not Danish letters are dropped
   (é→e, ü→u); Swedish/German ä/ö become æ/ø. æ, ø and å stay distinct letters.
3. **Old spelling aa→å** (``fold_aa``): before 1948 å was written "aa", and
   place names keep it (Aabenraa, Aarhus, Raadmand). Every "aa" in a word
   becomes "å" *unless* the "aa" straddles a morpheme boundary that we can
   detect: the word starts with a known prefix that ends in "a" and the rest
   starts with "a" (``kontra|afgift``, ``ekstra|arbejde``, ``data|analyse``;
   see ``A_FINAL_PREFIXES``). So ``Aabenraa`` = ``Åbenrå``, ``Raadmand`` =
   ``Rådmand``, while ``kontraafgift`` stays ``kontraafgift``. The rule
   depends only on the built-in prefix list, never on the indexed corpus, so
   query and index agree.
4. **Stop words**: the Snowball Danish list (94 words) is dropped.
5. **Stem**: Snowball Danish, applied twice, after two fix-ups: a short table
   of irregular verb forms of case work (``udsat``→``udsætte``,
   ``vedtog``→``vedtage``; ``IRREGULAR``), and infinitives in ``-ende`` keep
   their ``d`` (Snowball stems ``godkende`` to ``godk`` but ``godkendt`` to
   ``godkend``). Snowball is applied twice. One pass is not idempotent:
   ``indsatser``→``indsats`` but ``indsats``→``indsat`` and ``budgettet``→
   ``budget`` but ``budget``→``budg``; a second pass maps each of these pairs
   onto one stem, so singular and plural meet.
6. **Compounds** (``Analyzer.parts``): Danish writes compounds as one word,
   with or without a linking ``-s-``/``-e-`` (``sygefravær|s|pulje``,
   ``børn|e|have``). A word of 7+ letters is split into known parts. The parts
   come from three places: the Danish hunspell dictionary (``index.lexicon``:
   which words may begin a compound and in which form, ``arbejds|`` from
   ``arbejde``, and which may end one), the built-in list ``BUILTIN_PARTS``,
   and every word of 4+ letters that occurs on its own in the corpus being
   indexed (``learn_lexicon``; such a word takes any link, unless the
   dictionary knows it, whose judgment is kept: ``for`` is no part). A tail
   may be inflected and is matched by its stem; derivational suffixes that are
   also words (``hed``, ``skab``, ``dom``) and inflectional endings never end a
   compound, stop words and particles (``sammen``, ``gennem``) never begin one.
   Two- and three-letter parts are taken from the dictionary's own compounds
   (``index.lexicon``): a head of two letters must be productive there (``by``,
   ``el``; not ``ko``, ``bo``), a three-letter tail too (``sag``, ``tid``,
   ``tal``; not ``ion``, ``ler``); without the dictionary the built-in
   ``_SHORT_TAILS`` stand in. The longest known head wins, the rest is split
   recursively; failing that, a known head of 5+ letters may take an unknown
   tail of 5+ letters that is not an inflectional ending (``budget|forliget``).
   A word the dictionary knows whole (as itself or through its stem) is
   lexicalised: it is split in two only when (a) a head of 4+ letters takes a
   tail that occurs on its own in the archive, or ends many of the dictionary's
   compounds (``kunst|værk``, ``pølse|vogn``), or is longer than five letters
   and not a rare tail (``gene|ration``, ``fort|egnelse`` stay whole), or (b) a
   head of two or three letters is a productive short head and the word
   inflects like its tail in the dictionary (``by|råd`` like ``råd``; not
   ``fri|tid``, ``del|tager``), or the tail has 6+ letters and occurs on its
   own (``dag|institutioner``); never into an inflected form of its head
   (``klub|ben`` is ``klubben``). Particles are no heads, so ``vel|færd`` and
   ``bag|grund`` stay whole; ``institut|ioner`` and ``organ|isation`` too.
   ``index/data/whole_words.txt`` lists the few lexicalised words these
   rules would still split (``dags|orden``). The stems of all parts and sub-parts (the
   compound without its first or its last part too) are indexed in a separate
   ``*_parts`` field, next to the whole word's stem in the main field. A query
   word is only stemmed, not split: ``pulje`` finds ``sygefraværspulje``
   through the parts field, ``sygefravær`` finds ``sygefraværsindsatser`` the
   same way, and the main field keeps positions of whole words so phrases
   still work. ``index.compound_eval`` scores the splits against 622 words of
   the real documents split by hand (``benchmarks/bench_compounds.py``), in two
   halves: one the rules were tuned on, one held out.

What was tried, and why it is this way
--------------------------------------
* Baseline: whoosh's plain ``StandardAnalyzer`` (lowercase only) reaches
  recall@10 0.52 on the 61 judged queries (``arkiv eval-search``), against 1.00
  with this module: it misses inflections (``plejeboligerne``), compound parts
  (``pulje``), old spelling (``Aastien``) and case numbers. whoosh's
  ``LanguageAnalyzer("da")`` stems but has no compounds or aa→å and splits case
  numbers into digit groups.
* One Snowball pass left singular and plural apart (step 5); two passes fixed
  it. ``godkende``→``godk`` remained and needed the ``-ende`` rule.
* With the built-in parts list alone, ``vedtægt`` did not find
  ``styrelsesvedtægten`` nor ``forbrug`` ``merforbruget`` (neither part occurs
  on its own in the sample corpus, so the learned lexicon could not help);
  ``vedtægt``, ``styrelse``, ``forbrug`` and the prefix ``mer`` were added to
  ``BUILTIN_PARTS``.
* Parts go to a separate ``*_parts`` field rather than sharing the whole
  word's position: the main fields keep one token per word, so phrases are
  exact, the engines need no pre-tokenized input (plain whitespace tokens work
  in both), and a part match can be weighted below a whole-word match
  (``index.query``).
* Query words are not split: ``sygefravær`` as ``syge AND fravær`` would match
  items that merely mention illness and absence in different places.
* A global aa→å replacement was rejected: it breaks ``kontraafgift`` and
  ``ekstraarbejde``.
* The built-in list alone split 68 % of the split points of the real compounds
  (precision 0.90): ``rygestop`` did not find ``rygestopkurser``. Two word
  lists were measured on the real documents (``bench_compounds.py``): spaCy's
  Danish lookup table knows more words (83 % against 77 % of the words, 99.7 %
  against 97 % of the compound parts) but says nothing about compound
  positions; used as a list of parts it over-splits (precision 0.73). hunspell-da
  marks compound heads, their linking forms and tails; with it precision was
  0.98 and recall 0.91 (0.99/0.87 without the archive's words), now 0.98/0.96.
* Recall 0.906 had three causes, fixed by rules read from the dictionary
  rather than lists: a fifth of its entries carry morphological fields after a
  space and their flags were lost (``kælder``, ``mail``, ``lade`` were no
  heads); two-letter heads were never tried; and short parts of lexicalised
  words needed the archive to attest them. The gold table was cut in two by a
  hash (``index.compound_eval.gold_half``) and the rules were tuned on one half:
  0.983/0.907 → 0.984/0.961 on it, 0.982/0.906 → 0.986/0.966 on the held-out
  half. Tried and dropped: productive short heads in every lexicalised word
  (``fri|tids``, ``del|tager``: precision 0.948), three-letter tails down to
  five dictionary compounds (``mono|pol``), dictionary heads before the
  archive's words, and unflagged heads of four or five letters that begin many
  compounds (``rund``, ``stor``): no gain on the tune half.
* All dictionary words as parts, without the lexicalised-word rule, gave
  ``ind|stil|ling``, ``institut|ioner``, ``gene|rations``: precision 0.79.
  Requiring every part of a dictionary word to occur on its own in the archive
  was too strict (recall 0.82); only short tails need it now.

Hostile input
-------------
A word is read from at most its first ``MAX_WORD_CHARS`` characters (index and query
alike): a run of 100,000 letters in a broken PDF is one unsearchable term either way, and
the cap keeps compound splitting and stemming cheap per word. Caps per field and per term
are applied in ``index.documents.analysed_fields``.

The lexicon learned from the corpus is stored with the index
(``lexicon.txt``) so an incremental update analyses new items with the same
lexicon; a full rebuild learns it again from the whole catalog, which is what
makes a rebuild deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

import snowballstemmer

from index.data import read_word_list
from index.lexicon import CompoundLexicon, load_lexicon

__all__ = [
    "ANALYSIS_VERSION",
    "MAX_WORD_CHARS",
    "Analyzer",
    "STOP_WORDS",
    "fold",
    "fold_aa",
    "learn_lexicon",
    "stem",
    "tokenize",
    "words",
]

ANALYSIS_VERSION = 4
# Characters of one word that are analysed; longer runs of letters and digits are cut here.
MAX_WORD_CHARS = 64
# Shortest compound part that is indexed as a term of its own (the part still splits its word).
MIN_PART_TERM_CHARS = 3

STOP_WORDS = frozenset(
    """ad af alle alt anden at blev blive bliver da de dem den denne der deres det dette dig din disse dog du
    efter eller en end er et for fra ham han hans har havde have hende hendes her hos hun hvad hvis hvor i ikke
    ind jeg jer jo kunne man mange med meget men mig min mine mit mod ned noget nogle nu når og også om op os
    over på selv sig sin sine sit skal skulle som sådan thi til ud under var vi vil ville vor være været""".split()
)

# Prefixes ending in "a" after which an "a" starts a new morpheme, so "aa" is not old spelling for "å".
A_FINAL_PREFIXES = (
    "kontra",
    "ekstra",
    "data",
    "meta",
    "ultra",
    "infra",
    "supra",
    "mega",
    "alfa",
    "beta",
    "delta",
    "gamma",
    "sofa",
    "opera",
    "samba",
    "pasta",
    "firma",
    "drama",
    "tema",
    "skema",
    "klima",
    "asia",
    "afrika",
    "amerika",
    "media",
)

# Word parts of Danish municipal case work that compounds are built from (nominative, lowercase).
BUILTIN_PARTS = frozenset(
    """syge fravær pulje indsats børn unge ældre skole skoler dag tilbud plan politik budget regnskab råd udvalg
    sag sager område handle bolig vej veje trafik miljø klima kultur fritid idræt social beskæftigelse sundhed
    pleje hjem center institution borger service økonomi anlæg drift bevilling tillæg ramme projekt strategi
    udvikling lokal land kommune medarbejder arbejde leder løn personale aftale kontrakt udbud forslag høring
    svar rapport analyse evaluering status orientering beslutning godkendelse ansøgning tilskud støtte midler
    pris takst afgift skat ejendom grund salg køb affald vand spilde forsyning energi varme bus cykel sti park
    natur have vuggestue børnehave handicap psykiatri misbrug integration flygtning job ledighed ydelse
    kontant hjælp struktur tilpasning sikkerhed svømme hal facilitet faciliteter normering pædagog lærer elev
    klasse uddannelse sygehus region stat borgmester direktion direktør chef afdeling forvaltning teknik
    vedtægt styrelse forbrug mer mindre merudgift kommunal
    mål målsætning handling handlingsplan tiltag proces workshop møde mand kvinde familie plejehjem hus huse
    bygning byggeri renovering vedligehold vedligeholdelse tilsyn kontrol rådgivning visitation rehabilitering
    trivsel kvalitet data digital digitalisering it system løsning indkøb udgift udgifter indtægt indtægter
    befolkning prognose kapacitet udvidelse nedlæggelse sammenlægning lukning åbning periode år måned uge
    pension senior fællesskab forening frivillig event festival bibliotek museum musik teater sport bane
    stadion havn strand skov jord regn kloak rensning anlægs sprog læsning matematik""".split()
)

# Forms Snowball cannot relate to their verb (ablaut, irregular past), mapped to the infinitive.
IRREGULAR = {
    "udsat": "udsætte",
    "udsatte": "udsætte",
    "vedtog": "vedtage",
    "besluttede": "beslutte",
    "anbefalede": "anbefale",
    "behandlede": "behandle",
    "drøftede": "drøfte",
    "fremlagt": "fremlægge",
    "fremlagde": "fremlægge",
    "forelagt": "forelægge",
    "forelagde": "forelægge",
    "lagt": "lægge",
    "valgt": "vælge",
    "valgte": "vælge",
    "givet": "give",
    "gav": "give",
    "gjort": "gøre",
    "gjorde": "gøre",
}

_WORD_RE = re.compile(r"[^\W_]+")
_LINKS = ("", "s", "e")
_MIN_HEAD = 3
_MIN_SHORT_HEAD = 2  # the dictionary's COMPOUNDMIN; heads this short only from ``CompoundLexicon.short_heads``
_MIN_TAIL = 3
_MIN_SPLIT = 6
_ATTEST_TAIL = 5  # a tail this short of a word the dictionary knows whole must occur on its own in the archive
_MIN_LEXICAL_HEAD = 4  # the first part of a word the dictionary knows whole (not ``vel|færd``, ``bag|grund``)
_LEARN_MIN = 4
_MIN_KNOWN_HEAD = 5
_MIN_UNKNOWN_TAIL = 5
_ENDINGS = frozenset(
    "erne ernes enes ende endes ethed erede ninger ningen ningerne inger ingen ings ene ens ets eren".split()
)
# Particles that start many lexicalised words (``sammen|hæng``, ``gennem|førelse``) but no compound.
_PARTICLES = frozenset("sammen gennem frem forud hen tilbage mellem imod omkring uden inden ned bag vel".split())
# Three-letter words that do end compounds (``byråds|sag``, ``arbejds|tid``), used when there is no dictionary
# (with it, its productive three-letter tails are used); other three-letter tails of a dictionary word are
# mostly inflections misread as words (``model|ler``, ``hjem|met``).
_SHORT_TAILS = frozenset("sag tid råd lov vej sti hal dag hus liv tog bus bil fag syn mål løn net brev".split())

# Words that are whole although they look like compounds (lexicalised: ``dags|orden``), kept in a table.
WHOLE_WORDS = frozenset(read_word_list("whole_words.txt"))
# Derivational suffixes that are also words (``hed`` heath, ``skab`` cupboard): never the end of a compound,
# so ``mulighed`` and ``fællesskab`` stay whole.
_SUFFIX_WORDS = frozenset("hed heden heder hederne skab skabet skaber dom domme lig bar som vis else ende sel".split())
_SUFFIX_STEMS = frozenset({"hed", "skab", "dom", "lig", "bar", "som", "vis", "els", "end", "sel"})

# ``snowballstemmer`` hands out PyStemmer's C build of the same Snowball algorithm when it is installed
# (a dependency): the same stems, ten times faster (``tests/test_analysis.py`` compares the two).
_stemmer = snowballstemmer.stemmer("danish")
_stem_cache: dict[str, str] = {}

_FOLD_MAP = {"ä": "æ", "ö": "ø", "ǿ": "ø"}


def _strip_accent(ch: str) -> str:
    if ch in "æøå" or ch.isascii():
        return ch
    if ch in _FOLD_MAP:
        return _FOLD_MAP[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base or ch


def fold_aa(word: str) -> str:
    """Old spelling "aa" → "å", except at a detectable morpheme boundary (``kontra|afgift``)."""
    if "aa" not in word:
        return word
    for prefix in A_FINAL_PREFIXES:
        if word.startswith(prefix) and word[len(prefix) : len(prefix) + 1] == "a" and len(word) > len(prefix) + 2:
            return prefix + fold_aa(word[len(prefix) :])
    return word.replace("aa", "å")


_fold_cache: dict[str, str] = {}


def fold(word: str) -> str:
    """Lowercase, drop non-Danish accents, and read old-spelling "aa" as "å"."""
    cached = _fold_cache.get(word)
    if cached is None:
        lowered = unicodedata.normalize("NFC", word.lower())
        if not lowered.isascii():
            lowered = "".join(_strip_accent(c) for c in lowered)
        cached = fold_aa(lowered)
        if len(_fold_cache) < 200_000:
            _fold_cache[word] = cached
    return cached


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` with their character offsets (start, end)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def words(text: str) -> list[str]:
    """The folded words of ``text`` (stop words included)."""
    return [fold(m.group()[:MAX_WORD_CHARS]) for m in _WORD_RE.finditer(text)]


def stem(word: str) -> str:
    """The Snowball Danish stem of a folded word, applied twice (see the module docstring)."""
    cached = _stem_cache.get(word)
    if cached is None:
        base = IRREGULAR.get(word, word)
        if len(base) > 6 and base.endswith(("ende", "endes")):
            base = base[: base.rindex("ende") + 3]  # godkende → godkend, not Snowball's "godk"
        cached = _stemmer.stemWord(_stemmer.stemWord(base))
        if len(_stem_cache) < 500_000:
            _stem_cache[word] = cached
    return cached


def learn_lexicon(texts: Iterable[str]) -> set[str]:
    """Words of 4+ letters (not stop words, not numbers) that occur on their own in ``texts``."""
    raws: set[str] = set()
    for text in texts:
        raws.update(_WORD_RE.findall(text))
    lexicon: set[str] = set()
    for raw in raws:  # each distinct word once (``words`` folds every occurrence)
        w = fold(raw[:MAX_WORD_CHARS])
        if len(w) >= _LEARN_MIN and w not in STOP_WORDS and w.isalpha():
            lexicon.add(w)
    return lexicon


class Analyzer:
    """The analysis of index and query text, with a compound lexicon (built-in parts + learned words)."""

    def __init__(self, lexicon: Iterable[str] = (), dictionary: CompoundLexicon | None = None) -> None:
        """``lexicon``: words learned from the archive (``learn_lexicon``); ``dictionary``: the compound
        lexicon of the Danish dictionary (default: ``index.lexicon.load_lexicon()``; ``EMPTY`` for none)."""
        self.lexicon: frozenset[str] = frozenset(fold(w) for w in (*BUILTIN_PARTS, *lexicon))
        self.dictionary = load_lexicon() if dictionary is None else dictionary
        known = self.dictionary.known
        builtin = frozenset(fold(w) for w in BUILTIN_PARTS)
        # Parts the dictionary does not know (names, new words of the archive) take any link;
        # the dictionary's own judgment of a word it knows is kept (``for`` is no part).
        extra = {
            w
            for w in self.lexicon
            if len(w) >= _MIN_HEAD and (w in builtin or (w not in known and w not in _PARTICLES))
        }
        self._heads: dict[str, str] = {
            w: v for w, v in self.dictionary.heads.items() if w not in STOP_WORDS and w not in _PARTICLES
        }
        for w in extra:
            if w not in STOP_WORDS:
                self._heads[w] = "0es"
        # Parts seen on their own in the archive (and the built-in parts), whole and stemmed.
        self._attested_words = self.lexicon
        self._attested_stems = frozenset(stem(w) for w in self.lexicon)
        self._tails = self.dictionary.tails | extra
        self._tail_stems = self.dictionary.tail_stems | frozenset(stem(w) for w in extra)
        self._whole = WHOLE_WORDS
        # Three-letter tails: those that end many of the dictionary's own compounds (``sag``, ``tal``),
        # the built-in few without a dictionary
        self._short_tails = (
            frozenset(t for t in self.dictionary.productive_tails if len(t) == _MIN_TAIL) or _SHORT_TAILS
        )
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        self._token_cache: dict[str, tuple[str | None, tuple[str, ...]]] = {}

    # -- compounds -------------------------------------------------------------

    def split(self, word: str) -> tuple[str, ...] | None:
        """The known parts of a folded compound word (linking s/e dropped), or None."""
        if len(word) < _MIN_SPLIT or not word.isalpha() or word in self._whole:
            return None
        if word in self._split_cache:
            return self._split_cache[word]
        result = self._split(word)
        if len(self._split_cache) < 500_000:
            self._split_cache[word] = result
        return result

    def _is_tail(self, tail: str) -> bool:
        """Whether ``tail`` (possibly inflected) may end a compound: a known word, not a derivational suffix."""
        if tail in _SUFFIX_WORDS or tail in self._whole or tail in _ENDINGS:
            return False
        if tail in STOP_WORDS and tail not in BUILTIN_PARTS:  # "have" in "børnehave" is a noun; "anden" is not
            return False
        if len(tail) <= _MIN_TAIL and tail not in self._short_tails:
            return False
        if tail in self._tails:
            return True
        s = stem(tail)
        return s in self._tail_stems and s not in _SUFFIX_STEMS

    def _lexicalised(self, word: str) -> bool:
        """Whether the dictionary knows ``word`` (or the word it is an inflection of) as one word."""
        return word in self.dictionary.known or stem(word) in self.dictionary.known_stems

    def _attested(self, tail: str) -> bool:
        """Whether ``tail`` (or its stem) occurs on its own in the archive or among the built-in parts."""
        if tail in self._attested_words or tail in self._short_tails:
            return True
        s = stem(tail)
        return s in self._short_tails or (len(s) > _MIN_TAIL + 1 and s in self._attested_stems)

    def _inflects_like(self, word: str, tail: str) -> bool:
        """Whether ``word`` is in one of the dictionary's inflection classes of its last part ``tail``
        (``byråd`` like ``råd``; not ``fritid`` like ``tid``, nor ``deltager`` like the verb form ``tager``)."""
        mine = self.dictionary.paradigms_of(word, stem(word))
        return bool(mine and mine & self.dictionary.paradigms_of(tail, stem(tail)))

    def _rare_tail(self, tail: str) -> bool:
        """Whether ``tail`` (or its stem) mostly ends words that are no compounds of it (``ration`` in
        ``generation``, ``egnelse`` in ``fortegnelse``; ``index.lexicon``)."""
        return tail in self.dictionary.rare_tails or stem(tail) in self.dictionary.rare_tail_stems

    def _productive_tail(self, tail: str) -> bool:
        """Whether ``tail`` (or its stem) ends many of the dictionary's own compounds (``index.lexicon``)."""
        return tail in self.dictionary.productive_tails or stem(tail) in self.dictionary.productive_tail_stems

    def _attested_split(self, word: str) -> tuple[str, ...] | None:
        """A word the dictionary knows whole is split only in two, and a short or doubtful last part must
        occur on its own in the archive or among the built-in parts (``arbejds|grupper``), so that
        pieces only the dictionary knows do not count (``institut|ioner``, ``organ|isation``). A first
        part of three letters needs a last part of six or more letters that occurs on its own
        (``dag|institutioner``, not ``vel|færd``, ``nød|vendighed``)."""
        for head, _link, tail in self._heads_of(word, _MIN_SHORT_HEAD, _MIN_TAIL):
            if not self._is_tail(tail) or stem(word) == stem(head):
                continue  # stem(word) == stem(head): an inflected form of its head (``klub|ben``), not a compound
            if len(head) < _MIN_LEXICAL_HEAD:
                if (len(tail) >= 6 and self._attested(tail)) or (
                    head in self.dictionary.short_heads and self._inflects_like(word, tail)
                ):
                    return (head, tail)
            elif (
                self._attested(tail)
                or self._productive_tail(tail)
                or (len(tail) > _ATTEST_TAIL and not self._rare_tail(tail))
            ):
                return (head, tail)
        return None

    def _heads_of(self, word: str, min_head: int, min_tail: int) -> Iterator[tuple[str, str, str]]:
        """(head, linking letters, tail) of ``word`` for every known head of at least ``min_head`` letters that
        leaves at least ``min_tail`` letters, longest head first, each with the links the head takes."""
        for i in range(len(word) - min_tail, min_head - 1, -1):
            head = word[:i]
            links = self._heads.get(head)
            if links is None:
                continue
            for link in _LINKS:
                if (link or "0") in links and word.startswith(link, i):
                    yield head, link, word[i + len(link) :]

    def _split(self, word: str) -> tuple[str, ...] | None:
        if self._lexicalised(word):
            return self._attested_split(word)
        for head, _link, tail in self._heads_of(word, _MIN_SHORT_HEAD, _MIN_TAIL):
            if len(tail) < _MIN_TAIL:
                continue
            if self._is_tail(tail):
                return (head, tail)
            deeper = self.split(tail)
            if deeper:
                return (head, *deeper)
        return self._split_known_head(word)

    def _split_known_head(self, word: str) -> tuple[str, ...] | None:
        """Fallback: a known head of 5+ letters and an unknown tail of 5+ letters that is not an
        inflectional ending (``budget|forliget``; not ``forvaltning|ernes``)."""
        for head, _link, tail in self._heads_of(word, _MIN_KNOWN_HEAD, _MIN_UNKNOWN_TAIL):
            if (
                len(tail) >= _MIN_UNKNOWN_TAIL
                and tail not in _ENDINGS
                and tail not in self.dictionary.known
                and any(v in tail for v in "aeiouyæøå")
            ):
                return (head, tail)
        return None

    def parts(self, word: str) -> list[str]:
        """Stems of every part and every sub-compound of a folded word (empty if it is not a compound).

        ``sygefraværspulje`` → stems of ``sygefravær``, ``syge``, ``fravær`` and ``pulje``.
        """
        found = self.split(word)
        if not found:
            return []
        out: list[str] = []
        for part in found:
            # a part of one or two letters splits its word ("by" in "byråd") but is no search term of its own:
            # a query for "by" would return every item that names the byråd
            if len(part) < MIN_PART_TERM_CHARS:
                pass
            elif len(part) >= 4 or part not in STOP_WORDS:  # "have" in "børnehave" is a noun
                out.append(stem(part))
            out.extend(self.parts(part))
        # the compound without its last part (sygefravær|s|indsatser → sygefravær) and without its first
        # (tillægs|anlægs|bevilling → anlægsbevilling) when that is itself a compound
        if len(found) > 2:
            out.append(stem("".join(found[:-1])))
            second = word.find(found[1], len(found[0]))
            if second > 0:
                out.append(stem(word[second:]))
        whole = stem(word)
        return [p for p in dict.fromkeys(out) if p != whole]

    # -- text ------------------------------------------------------------------

    def token(self, raw: str) -> tuple[str | None, tuple[str, ...]]:
        """(stem or None for a stop word, stems of its compound parts) of one raw word, cached."""
        raw = raw[:MAX_WORD_CHARS]
        found = self._token_cache.get(raw)
        if found is None:
            folded = fold(raw)
            if folded in STOP_WORDS:
                found = (None, ())
            else:
                found = (stem(folded), tuple(self.parts(folded)))
            if len(self._token_cache) < 1_000_000:
                self._token_cache[raw] = found
        return found

    def terms(self, text: str) -> list[str]:
        """Stems of the words of ``text`` without stop words: the tokens of a main text field."""
        return [stem(w) for w in words(text) if w not in STOP_WORDS]

    def analyze(self, text: str) -> tuple[str, str]:
        """(main field tokens, parts field tokens) of ``text``, each a whitespace-joined string."""
        main: list[str] = []
        parts: list[str] = []
        for raw in _WORD_RE.findall(text):
            whole, pieces = self.token(raw)
            if whole is None:
                continue
            main.append(whole)
            parts.extend(pieces)
        return " ".join(main), " ".join(parts)

    def word_matches(
        self, word: str, stems: frozenset[str] | set[str], prefixes: frozenset[str] | set[str] = frozenset()
    ) -> bool:
        """Whether one raw word of a text matches any of the query ``stems`` or word ``prefixes``
        (for highlighting)."""
        whole, pieces = self.token(word)
        if whole is None:
            return False
        if whole in stems or any(p in stems for p in pieces):
            return True
        return any(t.startswith(p) for p in prefixes for t in (whole, *pieces))


# -- Analysis in two steps, for the ingest workers (index.preanalysis) -----------------------------------------------

_main_cache: dict[str, tuple[str | None, str | None]] = {}


def analyze_main(text: str) -> tuple[str, tuple[str, ...]]:
    """``Analyzer.analyze`` in two steps: (the main field tokens, which need no lexicon; the folded words
    whose compound parts the lexicon decides, in text order). The parts field is ``Analyzer.parts`` of
    each of these words, joined in order, so for any lexicon
    ``Analyzer(lexicon).analyze(text) == (main, " ".join(p for w in words for p in analyzer.parts(w)))``."""
    main: list[str] = []
    maybe: list[str] = []
    cache = _main_cache
    for raw in _WORD_RE.findall(text):
        found = cache.get(raw)
        if found is None:
            folded = fold(raw[:MAX_WORD_CHARS])
            if folded in STOP_WORDS:
                found = (None, None)
            else:
                found = (stem(folded), folded if len(folded) >= _MIN_SPLIT and folded.isalpha() else None)
            if len(cache) < 1_000_000:
                cache[raw] = found
        whole, compound = found
        if whole is None:
            continue
        main.append(whole)
        if compound is not None:
            maybe.append(compound)
    return " ".join(main), tuple(maybe)
