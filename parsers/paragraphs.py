"""Paragraphs from lines: the PDF extractor gives one block per visual line.

Lines of one paragraph are joined with a space. A new paragraph starts at a
bullet or a numbered list entry, after a vertical gap clearly larger than the
document's line spacing, or after a short line that ends a sentence. DOCX
blocks are paragraphs already (no ``space_before``) and are never joined.
Bullet glyphs become "- ". A hyphen at the end of a line is rejoined only for
real hyphenation: "kommu-" + "nalbestyrelsen" → "kommunalbestyrelsen", but
"Social-" + "og" stays "Social- og" and "AD-" + "integration" keeps its hyphen.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.records import Block

BULLET_GLYPHS = "•●▪■◦○·‣⁃∙-–—*o\uf0b7\uf0a7\uf076\uf0d8"
_BULLET_RE = re.compile(r"^([•●▪■◦○·‣⁃∙\-–—*\uf0b7\uf0a7\uf076\uf0d8]|o(?=\s))\s+(?=\S)")
_NUMBERED_RE = re.compile(r"^(?:\d{1,2}[.)]|[a-zA-Z][.)])\s+\S")
_SENTENCE_END_RE = re.compile(r"[.!?:;]\"?$|[.!?]\)$")
_HYPHEN_END_RE = re.compile(r"([^\W\d_])-$")
# words after a hyphen that show a shared-ending construction ("Social- og Beskæftigelse")
_CONJUNCTIONS = {"og", "eller", "samt", "til", "som", "&", "men"}


@dataclass(frozen=True)
class LineStats:
    """Layout facts of one document, measured once."""

    line_mode: bool  # True: blocks are visual lines (PDF); False: paragraphs (DOCX)
    paragraph_gap: float  # a space_before above this starts a paragraph
    full_line: int  # characters in a typical full-width line


def measure(blocks: Sequence[Block], body_font_size: float | None = None) -> LineStats:
    gaps = [b.space_before for b in blocks if b.space_before is not None and b.space_before > 0]
    if not gaps:
        return LineStats(line_mode=False, paragraph_gap=0.0, full_line=0)
    size = body_font_size or statistics.median([b.font_size for b in blocks if b.font_size] or [11.0])
    gaps.sort()
    # the common small gap between lines of one paragraph; capped for documents of one-line paragraphs
    line_gap = min(gaps[len(gaps) // 5], 0.3 * size)
    lengths = sorted(len(b.text) for b in blocks if not b.in_table)
    full = lengths[int(len(lengths) * 0.9)] if lengths else 80
    return LineStats(line_mode=True, paragraph_gap=line_gap + max(2.0, 0.35 * size), full_line=full)


def bullet_text(block: Block) -> str | None:
    """The text of a bullet line as "- text", or None when the line is no bullet."""
    if block.list_label is not None and not block.list_label[:1].isalnum():
        return "- " + block.text
    m = _BULLET_RE.match(block.text)
    if m:
        return "- " + block.text[m.end() :]
    return None


def display_text(block: Block) -> str:
    """The block's text with its bullet as "- " and its automatic number in front; table cells
    separated by spaces."""
    if block.in_table:
        return " ".join(block.text.split())
    bullet = bullet_text(block)
    if bullet is not None:
        return bullet
    if block.list_label:
        return f"{block.list_label} {block.text}"
    return block.text


def starts_paragraph(prev: Block | None, block: Block, stats: LineStats) -> bool:
    if prev is None or not stats.line_mode or block.in_table or prev.in_table:
        return True
    if block.space_before is None and prev.space_before is None:
        return True
    if block.list_label is not None or bullet_text(block) is not None or _NUMBERED_RE.match(block.text):
        return True
    if block.page == prev.page and block.space_before is not None and block.space_before > stats.paragraph_gap:
        return True
    if prev.bold != block.bold:
        return True
    prev_text = prev.text.rstrip()
    if len(prev_text) < 0.6 * stats.full_line:
        return True  # a wrapped line fills the width; a short one ended its paragraph
    if _SENTENCE_END_RE.search(prev_text) and len(prev_text) < 0.8 * stats.full_line:
        return True
    return False


def join_line(paragraph: str, line: str) -> str:
    """Append one wrapped line to a paragraph, rejoining real hyphenation only."""
    if not paragraph:
        return line
    # Look at the last two characters only: searching the whole paragraph for
    # every joined line made long paragraphs quadratic.
    m = _HYPHEN_END_RE.search(paragraph[-2:]) if paragraph.endswith("-") else None
    if m:
        first_word = line.split(" ", 1)[0]
        before = m.group(1)
        if first_word.lower() in _CONJUNCTIONS or first_word.startswith(","):
            return f"{paragraph} {line}"
        if before.isupper() or not first_word[:1].islower():
            return paragraph + line  # "AD-" + "integration": a real hyphen, no space
        return paragraph[:-1] + line
    return f"{paragraph} {line}"


def paragraphs(blocks: Sequence[Block], stats: LineStats) -> list[str]:
    """Reconstructed paragraphs of consecutive lines."""
    result: list[str] = []
    prev: Block | None = None
    for block in blocks:
        text = display_text(block)
        if starts_paragraph(prev, block, stats) or not result:
            result.append(text)
        else:
            result[-1] = join_line(result[-1], block.text)
        prev = block
    return [p.strip() for p in result if p.strip()]
