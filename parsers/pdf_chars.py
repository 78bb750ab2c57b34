"""Character sources for the PDF extractor: one page of positioned characters at a time.

The extractor (``parsers.pdf_extractor``) only needs, per page, each character
with its box, font name, font size and a bold flag. Two sources provide that:

* ``PdfiumChars`` (default): pypdfium2's raw API. pdfium's own text page
  already separates words, so it asks for the boxes of each word's first and
  last character only, and for the font once per text object. On a dense
  100-page reportlab PDF (4,250 characters a page) the whole extraction runs at
  about 110 pages/s, against about 8 pages/s with pdfplumber.
* ``PlumberChars``: pdfplumber (pdfminer.six), the reference implementation.
  Slow, because pdfminer builds one Python object per character with its full
  layout analysis.

Items may therefore be single characters (pdfplumber) or whole words (pdfium);
the extractor treats both alike, and on our corpus and the real documents in
``../shared/realdocs`` both give the same lines.

``ARKIV_PDF_CHARS=pdfplumber|pdfium`` picks a source; ``char_source()`` returns
the chosen one. Both yield pages as they are read (never all pages at once) and
close each page before reading the next, so memory stays bounded for very long
files. Both skip whitespace characters: word gaps are recomputed from the
boxes by the extractor.

Rotated text (a vertical journal number in the margin) is left out by both
sources: line building reads horizontal text only, and rotated glyphs would
each become a line of their own.

Coordinates are in points with the origin at the top left of the page (like
pdfplumber): ``top``/``bottom`` are the font box (baseline + descent, one em
high), ``x0``/``x1`` the advance box.

Errors: sources raise ``parsers.errors`` exceptions (``EncryptedFile``,
``CorruptFile``) for a file that cannot be opened and never let a third-party
exception escape. A single page that cannot be read is no reason to lose the
others: it comes as a ``PageChars`` without characters and with ``error`` set.
Neither pdfium nor pdfminer reports a page whose compressed content stream is
damaged (both draw what they can and say nothing), so ``damaged_pages`` checks
the content streams of every page itself (about 1 ms a page, a tenth of the
extraction time of a dense 100-page agenda).
"""

from __future__ import annotations

import ctypes
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from parsers.errors import CorruptFile, EncryptedFile, ParseError

ENV_VAR = "ARKIV_PDF_CHARS"

_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
_BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultrabold|fett|[-,]bd\b|[-,]b$", re.IGNORECASE)
_FORCE_BOLD_FLAG = 1 << 18  # PDF font descriptor flag ForceBold
_BOLD_WEIGHT = 600  # FontWeight from the descriptor; 0 means "not stated"


def encrypted_message() -> str:
    return (
        "the PDF is password-protected (encrypted); decrypt it first, "
        "e.g. qpdf --password=PASSWORD --decrypt in.pdf out.pdf"
    )


class Char(NamedTuple):
    """One visible character, or a word of characters in one font (never whitespace)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    fontname: str  # without the subset prefix
    size: float
    bold: bool


@dataclass(frozen=True)
class PageChars:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    error: str | None = None  # why the page could not be read; None: read


class CharSource(Protocol):
    """Yields the pages of one PDF in order; raises ``ParseError`` subclasses on bad input."""

    name: str

    def pages(self, path: Path) -> Iterator[PageChars]: ...


def clean_fontname(name: str) -> str:
    return _SUBSET_PREFIX.sub("", name)


def is_bold_name(fontname: str) -> bool:
    return bool(_BOLD_NAME.search(fontname))


# ---------------------------------------------------------------------------
# pdfplumber (reference)
# ---------------------------------------------------------------------------


class PlumberChars:
    name = "pdfplumber"

    def pages(self, path: Path) -> Iterator[PageChars]:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        try:
            fh = open(path, "rb")
        except OSError as e:
            raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
        with fh:
            try:
                pdf = pdfplumber.PDF(fh)
                page_objects = pdf.pages
            except Exception as e:  # pdfminer raises many unrelated types for broken files
                inner = getattr(e, "args", [None])[0] if e.args else None
                if isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) or isinstance(
                    inner, (PDFPasswordIncorrect, PDFEncryptionError)
                ):
                    raise EncryptedFile(str(path), encrypted_message()) from e
                raise CorruptFile(str(path), f"not a valid PDF ({_describe(e)})") from e
            # pdf.close() is not called: in pdfplumber 0.11 it closes the wrong pages
            # (upstream #1339); each page is closed here and the file handle by ``with``.
            for number, page in enumerate(page_objects, start=1):
                try:
                    width, height = float(page.width), float(page.height)
                except Exception as e:
                    page.close()
                    yield PageChars(number, 0.0, 0.0, [], f"the page cannot be read ({_describe(e)})")
                    continue
                try:
                    chars = [
                        Char(
                            _cid_text(c["text"]),
                            c["x0"],
                            c["top"],
                            c["x1"],
                            c["bottom"],
                            clean_fontname(c.get("fontname") or ""),
                            float(c.get("size") or 0.0),
                            is_bold_name(c.get("fontname") or ""),
                        )
                        for c in page.chars
                        if c["text"] and not c["text"].isspace() and c.get("upright", True)
                    ]
                except Exception as e:
                    yield PageChars(number, width, height, [], f"the page's text cannot be read ({_describe(e)})")
                    continue
                finally:
                    page.close()
                yield PageChars(number, width, height, chars)


_CID = re.compile(r"^\(cid:(\d+)\)$")


def _cid_text(text: str) -> str:
    """pdfminer writes "(cid:N)" for a glyph it cannot map to Unicode. Single-byte fonts
    mostly use WinAnsi there (127 is the bullet in Word and reportlab output), as pdfium assumes."""
    match = _CID.match(text)
    if match is None:
        return text
    code = int(match.group(1))
    if code == 127:
        return "•"
    if 128 <= code <= 255:
        return bytes([code]).decode("cp1252", errors="replace")
    return "\ufffd"


# ---------------------------------------------------------------------------
# pypdfium2 (fast)
# ---------------------------------------------------------------------------


def _prototype(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """A second ctypes prototype of a pdfium function with plain integer handles.

    Handles as ``c_void_p`` integers are cheaper to pass and can be used as dict keys.
    """
    address = ctypes.cast(fn, ctypes.c_void_p).value
    if address is None:
        raise RuntimeError(f"pdfium function {fn!r} has no address")
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


class _Pdfium:
    """The raw pdfium functions used per character, bound once."""

    def __init__(self) -> None:
        import pypdfium2.raw as raw  # type: ignore[import-untyped]

        vp, ci = ctypes.c_void_p, ctypes.c_int
        self.raw = raw
        self.count_chars = _prototype(raw.FPDFText_CountChars, ci, vp)
        self.loose_box = _prototype(raw.FPDFText_GetLooseCharBox, ci, vp, ci, ctypes.POINTER(raw.FS_RECTF))
        self.text_object = _prototype(raw.FPDFText_GetTextObject, vp, vp, ci)
        self.font_size = _prototype(raw.FPDFText_GetFontSize, ctypes.c_double, vp, ci)
        self.char_matrix = _prototype(raw.FPDFText_GetMatrix, ci, vp, ci, ctypes.POINTER(raw.FS_MATRIX))
        self.obj_font = _prototype(raw.FPDFTextObj_GetFont, vp, vp)
        self.base_font_name = _prototype(
            raw.FPDFFont_GetBaseFontName, ctypes.c_size_t, vp, ctypes.c_char_p, ctypes.c_size_t
        )
        self.font_weight = _prototype(raw.FPDFFont_GetWeight, ci, vp)
        self.font_flags = _prototype(raw.FPDFFont_GetFlags, ci, vp)


_PDFIUM: _Pdfium | None = None
# pdfium reports a hyphen at the end of a line as U+FFFE (or U+0002)
_HYPHEN_CHARS = re.compile("[\ufffe\x02]")


def _pdfium() -> _Pdfium:
    global _PDFIUM
    if _PDFIUM is None:
        _PDFIUM = _Pdfium()
    return _PDFIUM


class PdfiumChars:
    name = "pdfium"

    def pages(self, path: Path) -> Iterator[PageChars]:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        fx = _pdfium()
        try:
            doc = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code == fx.raw.FPDF_ERR_PASSWORD and _has_encrypt_entry(path):
                raise EncryptedFile(str(path), encrypted_message()) from e
            if code == fx.raw.FPDF_ERR_SECURITY:
                raise EncryptedFile(
                    str(path), "the PDF uses an unsupported security handler; decrypt it with qpdf"
                ) from e
            # pdfium refuses some readable files (an empty page tree gives "success" or a
            # "password error" without encryption); the reference reader decides those.
            doc = None
        except Exception as e:
            raise CorruptFile(str(path), f"not a valid PDF ({_describe(e)})") from e
        if doc is None:
            yield from PlumberChars().pages(path)
            return
        try:
            for index in range(len(doc)):
                try:
                    page = doc[index]
                except Exception as e:
                    yield PageChars(index + 1, 0.0, 0.0, [], f"the page cannot be loaded ({_describe(e)})")
                    continue
                width, height = 0.0, 0.0
                try:
                    width, height = page.get_size()
                    textpage = page.get_textpage()
                    try:
                        chars = _page_chars(fx, textpage, height)
                    finally:
                        textpage.close()
                except Exception as e:
                    error = f"the page's text cannot be read ({_describe(e)})"
                    yield PageChars(index + 1, float(width), float(height), [], error)
                    continue
                finally:
                    page.close()
                yield PageChars(index + 1, float(width), float(height), chars)
        finally:
            doc.close()


_WORD = re.compile(r"[^\s\x00]+")


def _page_chars(fx: _Pdfium, textpage: Any, height: float) -> list[Char]:
    """The page's words as ``Char`` items (one item per run of non-space characters in one font).

    pdfium puts a space (real or generated from the glyph gap) between words, so
    asking for the boxes of a word's first and last character is enough: the
    extractor only needs the gaps between items. A word whose first and last
    characters come from different text objects (a font change inside the word)
    is split by object, character by character.
    """
    handle: int = ctypes.cast(textpage.raw, ctypes.c_void_p).value or 0
    count = fx.count_chars(handle)
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the BMP: index by code unit is not possible
        text = "".join(chr(fx.raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
    rect = fx.raw.FS_RECTF()
    rect_ptr = ctypes.pointer(rect)
    loose_box, text_object = fx.loose_box, fx.text_object
    fonts: dict[int | None, _Font] = {}
    out: list[Char] = []
    append = out.append

    def emit(first: int, last: int, obj: int | None) -> None:
        font = fonts.get(obj)
        if font is None:
            font = fonts[obj] = _font_of(fx, handle, first, obj)
        name, size, bold, upright = font
        if not upright:
            return
        loose_box(handle, first, rect_ptr)
        x0 = rect.left
        # pdfium's loose box spans ascent..descent; use descent..descent+size like pdfminer
        bottom = height - rect.bottom
        if last != first:
            loose_box(handle, last, rect_ptr)
        word = text[first : last + 1]
        if _HYPHEN_CHARS.search(word):
            word = _HYPHEN_CHARS.sub("-", word)
        append(Char(word, x0, bottom - size, rect.right, bottom, name, size, bold))

    for match in _WORD.finditer(text):
        first, end = match.span()
        last = end - 1
        obj = text_object(handle, first)
        if last == first or text_object(handle, last) == obj:
            emit(first, last, obj)
            continue
        start = first
        for k in range(first + 1, end):
            other = text_object(handle, k)
            if other != obj:
                emit(start, k - 1, obj)
                start, obj = k, other
        emit(start, last, obj)
    return out


_Font = tuple[str, float, bool, bool]  # name, size, bold, upright


def _font_of(fx: _Pdfium, textpage: int, index: int, obj: int | None) -> _Font:
    # pdfium's font size leaves out the page's transformation (a PDF printed at
    # 75 % says 14.72 for 11.04 pt text); scale it like pdfminer does.
    size = float(fx.font_size(textpage, index))
    matrix = fx.raw.FS_MATRIX()
    upright = True
    if fx.char_matrix(textpage, index, ctypes.byref(matrix)):
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        if scale > 0:
            size *= scale
        upright = _upright(matrix.a, matrix.b, matrix.c, matrix.d)
    size = round(size, 2)
    if not obj:
        return ("", size, False, upright)
    font = fx.obj_font(obj)
    if not font:
        return ("", size, False, upright)
    buf = ctypes.create_string_buffer(256)
    fx.base_font_name(font, buf, 256)
    name = clean_fontname(buf.value.decode("latin-1", "replace"))
    weight = fx.font_weight(font)
    flags = fx.font_flags(font)
    # FontWeight is 100..900 when stated; pdfium returns other numbers when it is not
    stated_bold = _BOLD_WEIGHT <= weight <= 900
    bold = is_bold_name(name) or stated_bold or (flags > 0 and bool(flags & _FORCE_BOLD_FLAG))
    return (name, size, bold, upright)


def _upright(a: float, b: float, c: float, d: float) -> bool:
    """pdfminer's test: not rotated or mirrored (slanted text still counts as upright)."""
    return a * d > 0 and b * c <= 0


def _has_encrypt_entry(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return b"/Encrypt" in f.read()
    except OSError:
        return False


def _describe(e: BaseException) -> str:
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else None
    if inner is not None:
        return _describe(inner)
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


# ---------------------------------------------------------------------------
# Damaged content streams
# ---------------------------------------------------------------------------

_FLATE = {"FlateDecode", "Fl"}
_ASCII85 = {"ASCII85Decode", "A85"}
_ASCIIHEX = {"ASCIIHexDecode", "AHx"}
# any content stream that draws something has operators; a stream this long without one is garbage
_MIN_GARBAGE = 64
_OPERATOR_RE = re.compile(
    rb"(?:^|[\s\])>])(?:q|Q|cm|BT|ET|Tj|TJ|Tf|Td|TD|Tm|T\*|re|f\*?|F|S|s|m|l|c|v|y|h|n|W\*?|B\*?|b\*?|Do|gs|"
    rb"cs|CS|sc|SC|scn|SCN|rg|RG|g|G|k|K|w|J|j|d|i|M|ri|sh|BI|BDC|BMC|EMC|MP|DP|d0|d1)(?=[\s\[(/<]|$)"
)


def damaged_pages(path: Path) -> dict[int, str]:
    """{page number: reason} for pages whose content stream cannot be decoded (a damaged
    Flate stream, one cut short, a /Contents entry that is no stream) or is garbage (no
    drawing operator in 64 bytes or more). Pages with filters other
    than Flate/ASCII85/ASCIIHex are not checked. A file pdfminer cannot open gives {}: the char
    source reports that."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    found: dict[int, str] = {}
    try:
        with open(path, "rb") as fh:
            document = PDFDocument(PDFParser(fh))
            for number, page in enumerate(PDFPage.create_pages(document), start=1):
                reason = _contents_problem(page.contents)
                if reason is not None:
                    found[number] = reason
    except Exception:  # pdfminer raises many unrelated types for broken files
        return found
    return found


def _contents_problem(contents: list[Any]) -> str | None:
    from pdfminer.pdftypes import PDFStream, resolve1

    for ref in contents:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            return "its content stream is missing or not a stream"
        reason = _stream_problem(stream)
        if reason is not None:
            return reason
    return None


def _stream_problem(stream: Any) -> str | None:
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    data = stream.get_rawdata()
    if data is None:
        return None
    for kind, _params in stream.get_filters():
        name = getattr(kind, "name", str(kind))
        if name in _ASCII85:
            data = ascii85decode(data)
        elif name in _ASCIIHEX:
            data = asciihexdecode(data)
        elif name in _FLATE:
            inflater = zlib.decompressobj()
            try:
                data = inflater.decompress(data)
            except zlib.error as e:
                return f"its compressed content stream is damaged ({e})"
            if not inflater.eof:
                return "its compressed content stream is cut short"
        else:
            return None
    if len(data) >= _MIN_GARBAGE and not _OPERATOR_RE.search(data):
        return "its content stream holds no drawing operators (garbage)"
    return None


SOURCES: dict[str, type[PlumberChars] | type[PdfiumChars]] = {"pdfium": PdfiumChars, "pdfplumber": PlumberChars}
DEFAULT_SOURCE = "pdfium"


def char_source(name: str | None = None) -> CharSource:
    """The char source called ``name``, else ``$ARKIV_PDF_CHARS``, else the default (pdfium)."""
    chosen = (name or os.environ.get(ENV_VAR) or DEFAULT_SOURCE).strip().lower()
    if chosen not in SOURCES:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(sorted(SOURCES))}, got {chosen!r}")
    return SOURCES[chosen]()
