"""One query model for both engines: parse the user's query, then lower it to a small tree of
pre-analysed term/phrase/prefix/range nodes that each engine translates one-to-one.

Syntax: words (all must match), ``"phrases"``, ``AND``/``OR``/``NOT`` (upper case),
``-word``, parentheses, and ``field:value`` / ``field:"a phrase"`` for the fields
``title``, ``decision``, ``text``, ``case`` and ``body``. ``case:22/231*`` matches by
prefix. A bare word that looks like a case number (``22/23184``) searches the case
field. Everything else goes through ``index.analysis`` exactly as the indexed text did.

A word ending in ``*`` (``klima*``) matches every indexed word that starts with it: the
prefix is folded like any word (lowercase, aa→å) but not stemmed, needs at least
``MIN_PREFIX_CHARS`` characters, and expands to at most ``MAX_PREFIX_TERMS`` indexed
terms (the most frequent), so that a short prefix cannot blow up a query. Indexed terms
are stems, so a prefix longer than a word's stem (``budgettet*``) does not find it.

Synonyms (``index.synonyms``, the table ``index/data/synonyms.tsv``): a word, a run of
words or a phrase that is a member of a group (``ØU``, ``økonomiudvalget``; ``serviceloven``,
``"lov om social service"``; ``§ 17, stk. 4-udvalg``) searches every member of its group, each
as a word or a phrase; the lowered tree carries them, so both engines search the same.

Limits, the same for both engines, each a usage error naming the limit: a query of at
most ``MAX_QUERY_CHARS`` characters and ``MAX_QUERY_WORDS`` words, nested at most
``MAX_QUERY_DEPTH`` levels (parentheses and NOT); a page of results ends within the first
``MAX_RESULT_WINDOW`` (``check_page``). Deeper or longer queries made the parser and the
engines' query builders fail with ``RecursionError``, and a page far out made tantivy
try to allocate the whole window and abort the process.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

from index.analysis import STOP_WORDS, stem, words
from index.documents import amount_number, body_key, case_key, law_key
from index.synonyms import SynonymTable, load_synonyms
from parsers.outcome import LABELS as OUTCOME_LABELS

__all__ = [
    "FIELDS",
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_WORDS",
    "MAX_RESULT_WINDOW",
    "MIN_PREFIX_CHARS",
    "OUTCOMES",
    "All",
    "And",
    "Filters",
    "Nothing",
    "Or",
    "Phrase",
    "Prefix",
    "Query",
    "QueryError",
    "Range",
    "Term",
    "check_page",
    "lower",
    "parse_date",
    "parse_query",
]

FIELDS = ("title", "decision", "text", "case", "body")
MAX_QUERY_CHARS = 4_000
MAX_QUERY_WORDS = 256  # words, phrases and operators
MAX_QUERY_DEPTH = 32  # nested parentheses and NOTs
MAX_RESULT_WINDOW = 10_000  # a page must end within the first this many results
MIN_PREFIX_CHARS = 3
MAX_PREFIX_TERMS = 256
# The outcome filter values: the labels of ``parsers.outcome`` and "unknown" (no decision recorded).
OUTCOMES = (*OUTCOME_LABELS, "unknown")

_CASE_RE = re.compile(
    r"^(?:\d{2}/\d{3,7}(?:-\d{1,4})?|\d{2}\.\d{2}\.\d{2}-[a-zæøå]\d{2}-\d{1,4}-\d{2}|"
    r"[a-zæøå]{2,5}-(?:19|20)\d{2}-\d{3,7}|[a-z](?:19|20)\d{2}-\d{2,7}|(?:19|20)\d{2}-\d{5,8})$",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<phrase>"[^"]*")|(?P<quote>")|(?P<word>[^\s()"]+))')


class QueryError(ValueError):
    """A query or filter the user must fix; the message says what is wrong and how to write it."""


# ---------------------------------------------------------------------------
# The parsed query (what the user wrote)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QWord:
    text: str
    field: str | None = None  # None: the default fields


@dataclass(frozen=True)
class QPhrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class QAnd:
    children: tuple[Query, ...]
    synonyms: bool = True  # False: its words are already a synonym run (``_join_synonym_runs``)


@dataclass(frozen=True)
class QOr:
    children: tuple[Query, ...]


@dataclass(frozen=True)
class QNot:
    child: Query


@dataclass(frozen=True)
class QEmpty:
    """The empty query: every document."""


Query = QWord | QPhrase | QAnd | QOr | QNot | QEmpty


def _lex(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
        kind = m.lastgroup
        if kind == "quote":
            raise QueryError(f'unbalanced quote in {text!r}: close the phrase with a second "')
        if kind is not None:
            tokens.append((kind, m.group(kind)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"the query has {len(text)} characters; the limit is {MAX_QUERY_CHARS}")
        self.text = text
        self.tokens = _lex(text)
        if len(self.tokens) > MAX_QUERY_WORDS:
            raise QueryError(
                f"the query has {len(self.tokens)} words, phrases and operators; the limit is {MAX_QUERY_WORDS}"
            )
        self.pos = 0
        self.depth = 0

    def enter(self) -> None:
        """One level deeper (a parenthesis or a NOT); raises past ``MAX_QUERY_DEPTH``."""
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryError(f"the query nests parentheses and NOTs more than {MAX_QUERY_DEPTH} levels deep")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Query:
        if not self.tokens:
            return QEmpty()
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"unexpected ')' in {self.text!r}: parentheses do not balance")
        return node

    def or_expr(self) -> Query:
        children = [self.and_expr()]
        while self.peek() == ("word", "OR"):
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else QOr(tuple(children))

    def and_expr(self) -> Query:
        children = [self.unary()]
        while True:
            token = self.peek()
            if token is None or token[0] == "rp" or token == ("word", "OR"):
                break
            if token == ("word", "AND"):
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else QAnd(tuple(children))

    def unary(self) -> Query:
        token = self.peek()
        if token is None:
            raise QueryError(f"{self.text!r} ends with an operator: add a word after it")
        if token == ("word", "NOT"):
            self.take()
            self.enter()
            child = self.unary()
            self.depth -= 1
            return QNot(child)
        if token[0] == "word" and token[1].startswith("-") and len(token[1]) > 1:
            self.take()
            return QNot(self.word(token[1][1:]))
        return self.atom()

    def atom(self) -> Query:
        kind, value = self.take()
        if kind == "lp":
            if self.peek() is None:
                raise QueryError(f"unbalanced '(' in {self.text!r}")
            self.enter()
            node = self.or_expr()
            if self.peek() != ("rp", ")"):
                raise QueryError(f"unbalanced '(' in {self.text!r}: add the closing ')'")
            self.take()
            self.depth -= 1
            return node
        if kind == "rp":
            raise QueryError(f"unexpected ')' in {self.text!r}: parentheses do not balance")
        if kind == "phrase":
            return QPhrase(value[1:-1])
        if value in ("AND", "OR"):
            raise QueryError(f"{value} needs a word on both sides in {self.text!r}")
        return self.word(value)

    def word(self, value: str) -> Query:
        m = re.match(r"^([A-Za-zæøåÆØÅ_]+):(.*)$", value)
        if m is None:
            return QWord(value)
        name, rest = m.group(1).lower(), m.group(2)
        if name not in FIELDS:
            raise QueryError(f"unknown field {m.group(1)!r} in {self.text!r}; fields are {', '.join(FIELDS)}")
        if rest:
            return QWord(rest, name)
        token = self.peek()
        if token is not None and token[0] == "phrase":
            self.take()
            return QPhrase(token[1][1:-1], name)
        raise QueryError(f"{name}: needs a value, e.g. {name}:budget")


def parse_query(text: str) -> Query:
    """Parse the user's query text; raises ``QueryError`` with a one-line reason."""
    return _Parser(text.strip()).parse()


# ---------------------------------------------------------------------------
# Filters (command-line options)
# ---------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


def parse_date(text: str) -> str:
    """An ISO date from ``2020-02-28``, ``28-02-2020``, ``28.02.2020`` or ``28/02/2020``."""
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise QueryError(f"{text!r} is not a valid date; write YYYY-MM-DD (e.g. 2020-02-28) or DD-MM-YYYY")


@dataclass(frozen=True)
class Filters:
    """Restrictions from command-line options; ``None`` means "no restriction"."""

    body: str | None = None
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None  # ISO date, inclusive
    year: int | None = None
    document_type: str | None = None  # dagsorden, referat or other
    case: str | None = None
    closed: bool | None = None
    outcome: str | None = None  # one of OUTCOMES
    law: str | None = None  # a law name as cited ("styrelsesloven", "lov om social service")
    min_amount: float | None = None  # kr., inclusive: items whose largest amount is at least this
    max_amount: float | None = None  # kr., inclusive: items whose largest amount is at most this

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, parse_date(value))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(f"--from {self.date_from} is after --to {self.date_to}")
        if self.document_type is not None and self.document_type not in ("dagsorden", "referat", "other"):
            raise QueryError(f"unknown document type {self.document_type!r}; use dagsorden, referat or other")
        if self.year is not None and not 1900 <= self.year <= 2100:
            raise QueryError(f"year {self.year} is out of range (1900-2100)")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise QueryError(f"unknown outcome {self.outcome!r}; use one of: {', '.join(OUTCOMES)}")
        if self.law is not None and not law_key(self.law):
            raise QueryError("--law needs a law name, e.g. --law styrelsesloven")
        for name in ("min_amount", "max_amount"):
            value = getattr(self, name)
            option = "--" + name.replace("_", "-")
            if value is not None and (not math.isfinite(value) or value < 0):
                raise QueryError(f"{option} {value:g} is not an amount; give kroner as a number of 0 or more")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise QueryError(f"--min-amount {self.min_amount:g} is more than --max-amount {self.max_amount:g}")


# ---------------------------------------------------------------------------
# The lowered tree both engines translate
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    field: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """Terms of ``field`` starting with ``prefix``. ``limit`` None: every such term (case numbers,
    body filters); a number: a word prefix, expanded by the engine to at most that many terms."""

    field: str
    prefix: str
    boost: float = 1.0
    limit: int | None = None


@dataclass(frozen=True)
class Range:
    field: str  # an integer field
    low: int | None
    high: int | None


@dataclass(frozen=True)
class And:
    must: tuple[Node, ...]
    must_not: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Or:
    should: tuple[Node, ...]


@dataclass(frozen=True)
class All:
    """Every document."""


@dataclass(frozen=True)
class Nothing:
    """No document (a query of stop words only)."""


Node = Term | Phrase | Prefix | Range | And | Or | All | Nothing

# (main field, parts field, boost) per user-visible field
_TEXT_FIELDS: dict[str | None, tuple[tuple[str, str, float], ...]] = {
    None: (("title", "title_parts", 2.0), ("text", "text_parts", 1.0)),
    "title": (("title", "title_parts", 1.0),),
    "decision": (("decision", "decision_parts", 1.0),),
    "text": (("text", "text_parts", 1.0),),
}
_PARTS_BOOST = 0.6
# Marks a word prefix among the highlight stems while lowering (stems never contain "*").
_PREFIX_MARK = "*"


@dataclass
class Lowered:
    """The lowered query plus the stems and word prefixes to highlight."""

    node: Node
    highlight: set[str]
    prefixes: set[str] = field(default_factory=set)


def check_page(limit: int, offset: int) -> None:
    """Raise ``QueryError`` unless the page of ``limit`` results from ``offset`` is within the first
    ``MAX_RESULT_WINDOW`` results."""
    if limit < 1:
        raise QueryError(f"a page needs a limit of 1 or more results, not {limit}")
    if offset < 0:
        raise QueryError(f"a page cannot start before the first result (offset {offset})")
    if offset + limit > MAX_RESULT_WINDOW:
        raise QueryError(
            f"results {offset + 1}-{offset + limit} are past the first {MAX_RESULT_WINDOW} results "
            "that can be paged through; narrow the query or the filters"
        )


def _case_node(value: str) -> Node:
    value = value.strip()
    if value.endswith("*"):
        head = value[:-1].lower()
        if not head:
            raise QueryError("case:* needs the start of a case number, e.g. case:22/23*")
        return Prefix("case", head)
    return Or((Term("case", case_key(value)), Term("case", value.lower(), 2.0)))


def _word_node(text: str, field_name: str | None, highlight: set[str]) -> Node:
    if field_name == "case":
        return _case_node(text)
    if field_name == "body":
        return Prefix("body", body_key(text))
    if field_name is None and _CASE_RE.match(text.rstrip("*")):
        return _case_node(text)
    if text.endswith("*"):
        return _prefix_node(text.rstrip("*"), field_name, highlight)
    key = _synonyms().key(text)
    folded = [w for w in words(text) if w not in STOP_WORDS]
    if not folded:
        return _with_synonyms(key, Nothing(), field_name, highlight)
    if len(folded) > 1:  # "sygefravær-indsats", "2020/21": the words in order
        return _phrase_node(" ".join(folded), field_name, highlight)
    return _with_synonyms(key, _plain_word_node(folded[0], field_name, highlight), field_name, highlight)


def _plain_word_node(folded: str, field_name: str | None, highlight: set[str]) -> Node:
    return _stem_node(stem(folded), field_name, highlight)


def _stem_node(s: str, field_name: str | None, highlight: set[str]) -> Node:
    highlight.add(s)
    options: list[Node] = []
    for main, parts, boost in _TEXT_FIELDS[field_name]:
        options.append(Term(main, s, boost))
        options.append(Term(parts, s, boost * _PARTS_BOOST))
    return Or(tuple(options))


def _stems_node(stems: tuple[str, ...], field_name: str | None, highlight: set[str]) -> Node:
    """A word (one stem) or a phrase (several) in the text fields of ``field_name``."""
    if len(stems) == 1:
        return _stem_node(stems[0], field_name, highlight)
    highlight.update(stems)
    options = [Phrase(main, stems) for main, _parts, _boost in _TEXT_FIELDS[field_name]]
    return options[0] if len(options) == 1 else Or(tuple(options))


def _with_synonyms(key: tuple[str, ...], node: Node, field_name: str | None, highlight: set[str]) -> Node:
    """``node`` or any member of the synonym group of ``key`` (its analysed words)."""
    others = _synonyms().others(key)
    if not others:
        return node
    alternatives = [_stems_node(other, field_name, highlight) for other in others]
    kept = [] if isinstance(node, Nothing) else [node]
    return Or(tuple(kept + alternatives))


def _synonyms() -> SynonymTable:
    return load_synonyms()


def _prefix_node(head: str, field_name: str | None, highlight: set[str]) -> Node:
    """``klima*``: the words starting with the folded (not stemmed) ``head``, whole or as a compound part."""
    folded = words(head)
    if len(folded) != 1:
        raise QueryError(f"{head + '*'!r}: a prefix search is one word followed by *, e.g. klima*")
    prefix = folded[0]
    if len(prefix) < MIN_PREFIX_CHARS:
        raise QueryError(
            f"{head + '*'!r}: a prefix needs at least {MIN_PREFIX_CHARS} letters or digits before *, e.g. klima*"
        )
    highlight.add(prefix + _PREFIX_MARK)
    options: list[Node] = []
    for main, parts, boost in _TEXT_FIELDS[field_name]:
        options.append(Prefix(main, prefix, boost, MAX_PREFIX_TERMS))
        options.append(Prefix(parts, prefix, boost * _PARTS_BOOST, MAX_PREFIX_TERMS))
    return Or(tuple(options))


def _phrase_node(text: str, field_name: str | None, highlight: set[str]) -> Node:
    if field_name == "case":
        return _case_node(text)
    if field_name == "body":
        return Prefix("body", body_key(text))
    stems = tuple(stem(w) for w in words(text) if w not in STOP_WORDS)
    key = _synonyms().key(text)
    if not stems:
        return _with_synonyms(key, Nothing(), field_name, highlight)
    if len(stems) == 1:
        return _with_synonyms(key, _stem_node(stems[0], field_name, highlight), field_name, highlight)
    return _with_synonyms(key, _stems_node(stems, field_name, highlight), field_name, highlight)


def _lower(q: Query, highlight: set[str]) -> Node:
    if isinstance(q, QEmpty):
        return All()
    if isinstance(q, QWord):
        return _word_node(q.text, q.field, highlight)
    if isinstance(q, QPhrase):
        return _phrase_node(q.text, q.field, highlight)
    if isinstance(q, QNot):
        return And((All(),), (_lower(q.child, set()),))
    if isinstance(q, QOr):
        kids = [_lower(c, highlight) for c in q.children]
        kids = [k for k in kids if not isinstance(k, Nothing)]
        if not kids:
            return Nothing()
        return kids[0] if len(kids) == 1 else Or(tuple(kids))
    must: list[Node] = []
    must_not: list[Node] = []
    for child in _join_synonym_runs(q.children) if q.synonyms else q.children:
        if isinstance(child, QNot):
            must_not.append(_lower(child.child, set()))
            continue
        node = _lower(child, highlight)
        if isinstance(node, Nothing):
            continue  # a stop word inside a longer query is ignored, as in the indexed text
        must.append(node)
    if not must:
        must.append(All())
    if not must_not and len(must) == 1:
        return must[0]
    return And(tuple(must), tuple(must_not))


def _join_synonym_runs(children: tuple[Query, ...]) -> list[Query]:
    """Consecutive unfielded words that together are a synonym (``lov om social service``,
    ``§ 17, stk. 4-udvalg``) also search the group's other members: the words as typed, or any member."""
    table = _synonyms()
    out: list[Query] = []
    i = 0
    while i < len(children):
        joined: Query | None = None
        for end in range(min(len(children), i + table.longest), i + 1, -1):
            run = children[i:end]
            if all(isinstance(c, QWord) and c.field is None and not c.text.endswith("*") for c in run):
                text = " ".join(c.text for c in run if isinstance(c, QWord))
                if table.others(table.key(text)):
                    joined = QOr((QAnd(tuple(run), synonyms=False), QPhrase(text)))  # the words as typed, or any member
                    i = end
                    break
        if joined is None:
            out.append(children[i])
            i += 1
        else:
            out.append(joined)
    return out


def _filter_nodes(filters: Filters) -> list[Node]:
    nodes: list[Node] = []
    if filters.body:
        nodes.append(Prefix("body", body_key(filters.body)))
    if filters.date_from or filters.date_to:
        low = int(filters.date_from.replace("-", "")) if filters.date_from else None
        high = int(filters.date_to.replace("-", "")) if filters.date_to else None
        nodes.append(Range("date", low, high))
    if filters.year is not None:
        nodes.append(Range("date", filters.year * 10000 + 101, filters.year * 10000 + 1231))
    if filters.document_type:
        nodes.append(Term("document_type", filters.document_type))
    if filters.case:
        nodes.append(_case_node(filters.case))
    if filters.closed is not None:
        nodes.append(Term("closed", "closed" if filters.closed else "open"))
    if filters.outcome is not None:
        nodes.append(Term("outcome", filters.outcome))
    if filters.law is not None:
        nodes.append(Term("law", law_key(filters.law)))
    if filters.min_amount is not None or filters.max_amount is not None:
        low = None if filters.min_amount is None else amount_number(filters.min_amount)
        high = None if filters.max_amount is None else amount_number(filters.max_amount)
        nodes.append(Range("amount", low, high))
    return nodes


def lower(query: str | Query, filters: Filters | None = None) -> Lowered:
    """The query text (or parsed query) and filters as one engine-neutral tree."""
    parsed = parse_query(query) if isinstance(query, str) else query
    marks: set[str] = set()
    node = _lower(parsed, marks)
    highlight = {m for m in marks if not m.endswith(_PREFIX_MARK)}
    prefixes = {m[: -len(_PREFIX_MARK)] for m in marks if m.endswith(_PREFIX_MARK)}
    extra = _filter_nodes(filters or Filters())
    if extra:
        if isinstance(node, Nothing):
            return Lowered(node, highlight, prefixes)
        if isinstance(node, And):
            node = And(node.must + tuple(extra), node.must_not)
        else:
            node = And((node, *extra))
    return Lowered(node, highlight, prefixes)
