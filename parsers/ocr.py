"""Scanned PDF pages → word ``Char`` items through Tesseract, for ``parsers.pdf_extractor``.

A page without a text layer (or with only a few stray characters) and with an
image on it is rendered with pypdfium2 at ``DPI`` and read by
``tesseract IMAGE - -l dan --psm 3 hocr`` (a subprocess with ``OMP_THREAD_LIMIT=1``
and a per-page timeout). hOCR gives every word its box and confidence and every
line its baseline and ``x_size`` (the height of the line's letters), so:

* each word becomes one ``pdf_chars.Char`` (``space_before`` set), in points;
* its bottom is the line's baseline extended to the left page edge along the
  baseline's slope, so a skewed line stays one line and the words of a row that
  Tesseract split into blocks (label and value) meet again on one line;
* its size is the line's ``x_size`` in points (rounded to whole points), so
  headings set larger stay larger;
* it is bold when its strokes are clearly thicker than the page's usual stroke
  for its size (mean horizontal run of dark pixels).

The pdf extractor then builds lines and blocks from them exactly as from a text
layer. Results are cached as JSON by the hash of the rendered page (and the
settings) in ``$ARKIV_OCR_CACHE`` or the ``cache_dir`` passed in, so reading the
same page again (``arkiv ingest --reparse``) does not run Tesseract again.

``$ARKIV_TESSERACT`` names the tesseract command (default ``tesseract``). When it
or the Danish model is missing, ``OcrUnavailable`` names the Debian packages.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import Any

from parsers.errors import ParseError
from parsers.pdf_chars import Char

TESSERACT_ENV = "ARKIV_TESSERACT"  # the tesseract command; default "tesseract"
CACHE_ENV = "ARKIV_OCR_CACHE"  # folder of cached page results; unset: no cache unless one is passed in
PAGE_TIMEOUT_ENV = "ARKIV_OCR_PAGE_TIMEOUT"  # seconds per page; default PAGE_TIMEOUT
DPI = 300
LANGUAGE = "dan"
PAGE_SEGMENTATION = "3"  # fully automatic page segmentation
PAGE_TIMEOUT = 120.0
PACKAGES = "tesseract-ocr and tesseract-ocr-dan"
MIN_TEXT_CHARS = 20  # a page whose text layer has fewer non-space characters (and an image) is a scan
LOW_CONFIDENCE = 80.0  # mean word confidence (0-100) below which `arkiv status` lists a file
SIZE_PER_XSIZE = 1.05  # font size in points per point of hOCR x_size (measured on 8, 10 and 13 pt text)
BOLD_STROKE = 1.3  # a word is bold when its stroke per point of size is this much above the page's median
CAP_HEIGHT = 0.72  # height of capitals and ascenders above the baseline, in em (Helvetica, Times, Arial)
SPECK_CONFIDENCE = 60.0  # a word without letters or digits read with less confidence is dropped as dirt
DARK = 128
TURNED_CONFIDENCE = 60.0  # a page read with a lower mean confidence is checked for a turned scan
BULLET_MISREADS = frozenset(
    {"+", "*", "»", "«", "°", "®", "©", "o", "e"}
)  # a line's first word: a bullet "•"  # grey level below which a pixel is ink
CACHE_VERSION = 2
LEADER = "....."  # the word that stands for a run of leader dots (table of contents) read by OCR
LEADER_MIN_DOTS = 8  # a run of at least this many dots on a line's baseline is a leader
LEADER_DOT = 0.3  # a dot is no taller or wider than this share of the line's x-size
LEADER_GAP = 1.0  # leader dots lie at most this many x-sizes apart
REREAD_CONFIDENCE = 60.0  # a line read with a lower mean word confidence is read again on its own

_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_XSIZE = re.compile(r"x_size ([\d.]+)")
_WCONF = re.compile(r"x_wconf (-?\d+)")
_NUMBER_MISREAD = re.compile(r"^\d{1,3}[;,:]$")
_LINE_CLASSES = {"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"}


class OcrUnavailable(ParseError):
    """A scanned page needs OCR, and Tesseract or its Danish model is not installed."""

    code = "ocr-unavailable"


@dataclass(frozen=True)
class OcrPage:
    """The words of one scanned page as ``Char`` items, their confidences (0-100) and any error."""

    number: int
    chars: list[Char]
    confidences: list[float]
    error: str | None = None  # why the page could not be read (a timeout, a Tesseract failure)


# A function called after every OCR'd page with (page number, pages to OCR); the ingest worker sets one.
PageHook = Callable[[int, int], None]
_page_hook: PageHook | None = None


def set_page_hook(hook: PageHook | None) -> None:
    """Call ``hook(page, total)`` after each page read by Tesseract (not after cache hits)."""
    global _page_hook
    _page_hook = hook


def tesseract_command() -> str:
    return os.environ.get(TESSERACT_ENV) or "tesseract"


def page_timeout() -> float:
    raw = os.environ.get(PAGE_TIMEOUT_ENV)
    if not raw:
        return PAGE_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return PAGE_TIMEOUT
    return value if value > 0 else PAGE_TIMEOUT


@lru_cache(maxsize=8)
def _missing_reason(command: str) -> str | None:
    try:
        done = subprocess.run([command, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return f"OCR needs Tesseract: install the packages {PACKAGES} (cannot run {command!r}: {e})"
    languages = {line.strip() for line in (done.stdout + done.stderr).splitlines()}
    if LANGUAGE not in languages:
        return f"OCR needs the Danish Tesseract model: install the package tesseract-ocr-dan ({command} has no 'dan')"
    return None


def unavailable_reason() -> str | None:
    """Why OCR cannot run here (naming the packages to install), or None when it can."""
    return _missing_reason(tesseract_command())


def scanned_pages(path: Path, counts: dict[int, int]) -> list[int]:
    """The pages (1-based) that need OCR: fewer than ``MIN_TEXT_CHARS`` text characters and an image.

    ``counts`` maps each page number to its count of non-space text-layer characters."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    candidates = [n for n, count in sorted(counts.items()) if count < MIN_TEXT_CHARS]
    if not candidates:
        return []
    found: list[int] = []
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:  # the text came from the fallback reader; pdfium cannot render these pages
        return []
    try:
        for number in candidates:
            page = pdf[number - 1]
            try:
                if any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)):
                    found.append(number)
            finally:
                page.close()
    finally:
        pdf.close()
    return found


def ocr_pages(path: Path, numbers: Iterable[int], cache_dir: Path | None = None) -> list[OcrPage]:
    """OCR the given pages (1-based) of a PDF. Raises ``OcrUnavailable`` when a page is not cached
    and Tesseract cannot run; a page that fails or times out comes back with its ``error``."""
    import pypdfium2 as pdfium

    wanted = sorted(set(numbers))
    cache = cache_dir or (Path(os.environ[CACHE_ENV]) if os.environ.get(CACHE_ENV) else None)
    out: list[OcrPage] = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for done, number in enumerate(wanted, start=1):
            page = pdf[number - 1]
            try:
                image = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            out.append(_ocr_image(image, number, cache, str(path)))
            if _page_hook is not None:
                _page_hook(done, len(wanted))
    finally:
        pdf.close()
    return out


def _ocr_image(image: Any, number: int, cache: Path | None, path: str) -> OcrPage:
    key = _page_key(image)
    cached = _read_cache(cache, key)
    if cached is not None:
        return OcrPage(number, cached[0], cached[1])
    reason = unavailable_reason()
    if reason is not None:
        raise OcrUnavailable(path, f"page {number} is a scan without a text layer; {reason}")
    try:
        hocr = _run_tesseract(image)
    except subprocess.TimeoutExpired:
        return OcrPage(number, [], [], f"OCR took longer than {page_timeout():g} s and was stopped")
    except (OSError, subprocess.CalledProcessError) as e:
        return OcrPage(number, [], [], f"OCR failed ({_stderr_line(e)})")
    chars, confidences = read_hocr(hocr, image)
    if not confidences or sum(confidences) / len(confidences) < TURNED_CONFIDENCE:
        turned = _turned_upright(image)
        if turned is not None:
            try:
                again = read_hocr(_run_tesseract(turned), turned)
            except (OSError, subprocess.SubprocessError):
                again = ([], [])
            if again[1] and sum(again[1]) / len(again[1]) > (sum(confidences) / len(confidences) if confidences else 0):
                chars, confidences = again
    _write_cache(cache, key, chars, confidences)
    return OcrPage(number, chars, confidences)


def _stderr_line(error: BaseException) -> str:
    stderr = getattr(error, "stderr", None)
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    text = " ".join((stderr or str(error)).split())
    return text[:200]


def _turned_upright(image: Any) -> Any | None:
    """The page turned upright when Tesseract's orientation detection says it lies turned, else None."""
    with tempfile.TemporaryDirectory(prefix="arkiv-osd-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, dpi=(DPI, DPI))
        try:
            done = subprocess.run(
                [tesseract_command(), str(png), "-", "--psm", "0", "--dpi", str(DPI)],
                capture_output=True,
                timeout=page_timeout(),
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        except (OSError, subprocess.SubprocessError):
            return None
    match = re.search(r"Rotate: (\d+)", done.stdout.decode("utf-8", "replace"))
    if match is None or int(match.group(1)) % 360 == 0:
        return None
    return image.rotate(-int(match.group(1)), expand=True, fillcolor=255)


def _page_key(image: Any) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}|{DPI}|{LANGUAGE}|{PAGE_SEGMENTATION}|{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _run_tesseract(image: Any) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="arkiv-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, dpi=(DPI, DPI))
        done = subprocess.run(
            [tesseract_command(), str(png), "-", "-l", LANGUAGE, "--psm", PAGE_SEGMENTATION, "--dpi", str(DPI), "hocr"],
            capture_output=True,
            timeout=page_timeout(),
            env=env,
            check=True,
        )
    return done.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# hOCR → word items
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    box: tuple[int, int, int, int]  # pixels: left, top, right, bottom
    baseline: float  # pixels: the line's baseline at the left page edge
    size: float  # points
    confidence: float
    stroke: float  # mean horizontal run of ink in pixels per point of size; 0: unknown


def read_hocr(hocr: str, image: Any) -> tuple[list[Char], list[float]]:
    """The words of an hOCR page as ``Char`` items in points, and their confidences.

    Lines with leader dots (a table of contents) and lines read with low confidence are read
    again one by one from the page with the leader dots erased; see ``_reread``."""
    import numpy

    ink = numpy.asarray(image) < DARK
    lines = _reread(image, ink, list(_hocr_lines(hocr)))
    words = [word for line in lines for word in _line_words(line, ink)]
    strokes = [w.stroke for w in words if w.stroke > 0]
    usual = median(strokes) if strokes else 0.0
    scale = 72 / DPI
    chars: list[Char] = []
    for w in words:
        left, _top, right, _bottom = w.box
        bottom = w.baseline * scale
        chars.append(
            Char(
                text=w.text,
                x0=round(left * scale, 2),
                top=round(bottom - w.size, 2),
                x1=round(right * scale, 2),
                bottom=round(bottom, 2),
                fontname="ocr",
                size=w.size,
                bold=bool(usual) and w.stroke > BOLD_STROKE * usual and w.text != LEADER,
                space_before=True,
            )
        )
    return chars, [w.confidence for w in words]


_RawWord = tuple[str, tuple[int, int, int, int], float]  # text, box in pixels, confidence


@dataclass(frozen=True)
class _Line:
    """One hOCR line: its box and baseline (slope, offset from the box bottom) and its words."""

    box: tuple[int, int, int, int]
    slope: float
    offset: float
    title: str  # the hOCR title (x_size and the rest)
    words: tuple[_RawWord, ...]

    def baseline_at(self, x: float) -> float:
        return self.box[3] + self.offset + self.slope * (x - self.box[0])

    def x_size(self) -> float:
        match = _XSIZE.search(self.title)
        return float(match.group(1)) if match else float(self.box[3] - self.box[1])

    def confidence(self) -> float:
        return sum(c for _, _, c in self.words) / len(self.words) if self.words else 0.0


def _hocr_lines(hocr: str) -> Iterable[_Line]:
    try:
        root = ET.fromstring(hocr)
    except ET.ParseError:
        root = ET.fromstring(html.unescape(re.sub(r"<!DOCTYPE[^>]*>", "", hocr)))
    for element in root.iter():
        if element.get("class") not in _LINE_CLASSES:
            continue
        title = element.get("title", "")
        line_box = _box(title)
        if line_box is None:
            continue
        slope, offset = _baseline(title)
        found: list[_RawWord] = []
        for word in element.iter():
            if word.get("class") != "ocrx_word":
                continue
            text = " ".join("".join(word.itertext()).split())
            box = _box(word.get("title", ""))
            if not text or box is None:
                continue
            conf_match = _WCONF.search(word.get("title", ""))
            found.append((text, box, float(conf_match.group(1)) if conf_match else 0.0))
        yield _Line(line_box, slope, offset, title, tuple(found))


def _clean_words(words: Iterable[_RawWord]) -> list[_RawWord]:
    """Drop specks read as punctuation; read a line's first word as a bullet or an item number."""
    found: list[_RawWord] = []
    listed = list(words)
    for index, (text, box, confidence) in enumerate(listed):
        if text != LEADER and confidence < SPECK_CONFIDENCE and not any(ch.isalnum() for ch in text):
            continue  # a speck of dirt read as punctuation
        if not found and text in BULLET_MISREADS:
            text = "\u2022"
        elif not found and _NUMBER_MISREAD.match(text) and _starts_title(listed[index + 1 :]):
            text = text[:-1] + "."  # "5;", "5," or "5:" before a title at the start of a line is the item number "5."
        found.append((text, box, confidence))
    return found


def _starts_title(rest: list[_RawWord]) -> bool:
    """The words after a line's first word begin with a capital letter (a title follows)."""
    return bool(rest) and rest[0][0][:1].isupper()


def _line_words(line: _Line, ink: Any) -> Iterable[_Word]:
    # the baseline taken at x = 0: a skewed line stays one line, rows split into blocks meet again
    baseline = line.baseline_at(0)
    found = _clean_words(line.words)
    size = _line_size(found, line.box[3] + line.offset, line.slope, line.box[0], line.title)
    for text, box, confidence in found:
        stroke = 0.0 if text == LEADER else _stroke(ink, box) / size
        yield _Word(text, box, baseline, size, confidence, stroke)


# ---------------------------------------------------------------------------
# Leader dots and low-confidence lines: erase the dots, read the line again
# ---------------------------------------------------------------------------


def _leader_span(ink: Any, line: _Line) -> tuple[int, int, int] | None:
    """The pixel columns (first dot, last dot, end of the line) of a run of leader dots, or None.

    A leader is at least ``LEADER_MIN_DOTS`` small blobs of ink (no taller or wider than
    ``LEADER_DOT`` of the line's x-size) sitting on the baseline, each within ``LEADER_GAP``
    x-sizes of the next, with no letter or digit between them. Tesseract often ends the line's box
    inside the dots, so the band of the line is followed to the right edge of the page; the end
    of the line is the end of what follows the dots (a page number), or of the dots."""
    left, top, right, bottom = line.box
    x_size = line.x_size()
    if x_size <= 0 or right - left < x_size * LEADER_MIN_DOTS:
        return None
    band = ink[max(0, top) : max(0, bottom + 1), max(0, left) :]
    if band.size == 0:
        return None
    blobs = _column_runs(band.any(axis=0).tolist())  # relative to `left`
    best: tuple[int, int] | None = None  # indexes into blobs of the longest leader
    run: list[int] = []
    on_baseline = 0

    def close_run() -> None:
        nonlocal best
        if on_baseline >= LEADER_MIN_DOTS and (
            best is None or blobs[run[-1]][1] - blobs[run[0]][0] > blobs[best[1]][1] - blobs[best[0]][0]
        ):
            best = (run[0], run[-1])

    for index, (first, last) in enumerate(blobs):
        base = line.baseline_at(left + (first + last) / 2) - top
        rows = _ink_rows(band[:, first : last + 1], base)
        small = last - first + 1 <= LEADER_DOT * x_size and rows[1] - rows[0] + 1 <= LEADER_DOT * x_size
        sits = abs(rows[1] - base) <= LEADER_DOT * x_size
        if small and run and first - blobs[run[-1]][1] <= LEADER_GAP * x_size:
            run.append(index)
            on_baseline += sits
            continue
        close_run()
        run, on_baseline = ([index], int(sits)) if small else ([], 0)
    close_run()
    if best is None:
        return None
    end = blobs[best[1]][1]
    for first, last in blobs[best[1] + 1 :]:  # the page number after the dots
        if first - end > LEADER_GAP * x_size:
            break
        end = last
    return blobs[best[0]][0] + left, blobs[best[1]][1] + left, max(end + left, right)


def _column_runs(inked: list[bool]) -> list[tuple[int, int]]:
    """The (first, last) indexes of each run of True values."""
    runs: list[tuple[int, int]] = []
    start = -1
    for x, on in enumerate([*inked, False]):
        if on and start < 0:
            start = x
        elif not on and start >= 0:
            runs.append((start, x - 1))
            start = -1
    return runs


def _ink_rows(crop: Any, baseline: float) -> tuple[int, int]:
    """The first and last row of the run of inked rows in a crop that ends nearest the baseline
    (a speck of dirt above or below a dot is a run of its own)."""
    return min(_column_runs(crop.any(axis=1).tolist()), key=lambda r: abs(r[1] - baseline))


def _reread(image: Any, ink: Any, lines: list[_Line]) -> list[_Line]:
    """Lines with leader dots or a mean confidence below ``REREAD_CONFIDENCE``, read again one by one.

    Leader dots confuse Tesseract (read as letters, merged with the title, the page number lost), so
    a line with a leader is read again with its dots cut out (title and page number side by side)
    and gets one ``LEADER`` word where the dots were; another line read again replaces the first
    reading when it is read with more confidence."""
    leaders = {i: _leader_span(ink, line) for i, line in enumerate(lines)}
    retry = [i for i, line in enumerate(lines) if leaders[i] is not None or line.confidence() < REREAD_CONFIDENCE]
    if not retry:
        return lines
    cuts = [_line_crop(image, lines[i], leaders[i]) for i in retry]
    try:
        again = _run_tesseract_lines([crop for crop, _ in cuts])
    except (OSError, subprocess.SubprocessError):
        return lines
    out = list(lines)
    for i, (_crop, to_page), hocr in zip(retry, cuts, again, strict=False):
        line = lines[i]
        words = [
            (text, (to_page(x0), y0 + to_page.top, to_page(x1), y1 + to_page.top), c)
            for reread in _hocr_lines(hocr)
            for text, (x0, y0, x1, y1), c in reread.words
        ]
        span = leaders[i]
        reread = _Line(line.box, line.slope, line.offset, line.title, tuple(words))
        if span is None and reread.confidence() <= line.confidence():
            continue
        if span is not None:
            dots = (
                LEADER,
                (span[0], int(line.baseline_at(span[0]) - 2), span[1], int(line.baseline_at(span[1]))),
                max(reread.confidence(), SPECK_CONFIDENCE),
            )
            words = sorted([*words, dots], key=lambda w: w[1][0])
        out[i] = _Line(line.box, line.slope, line.offset, line.title, tuple(words))
    return out


@dataclass(frozen=True)
class _CropMap:
    """Maps x in a line crop (its leader dots cut out) back to x on the page."""

    left: int  # page x of the crop's first column
    top: int  # page y of the crop's first row
    cut_at: int  # crop x where the part after the leader begins (a large number: no cut)
    resume: int  # page x of that part

    def __call__(self, x: int) -> int:
        return x + self.left if x < self.cut_at else x - self.cut_at + self.resume


def _line_crop(image: Any, line: _Line, leader: tuple[int, int, int] | None) -> tuple[Any, _CropMap]:
    """The image of one line cut tight (no ink of the lines above and below) on a white margin;
    with a leader, the dots cut out and a word gap left in their place."""
    from PIL import Image, ImageOps

    x_size = line.x_size()
    left, top, right, bottom = line.box if leader is None else (*line.box[:2], max(line.box[2], leader[2]), line.box[3])
    left, top = max(0, left - 2), max(0, top - 2)
    right, bottom = min(image.size[0], right + 3), min(image.size[1], bottom + 3)
    margin = int(x_size / 2) + 4
    if leader is None:
        tight = image.crop((left, top, right, bottom))
        cut_at, resume = 1 << 30, right
    else:
        resume = min(right - 1, leader[1] + 2)
        before = image.crop((left, top, max(left + 1, leader[0] - 1), bottom))
        after = image.crop((resume, top, right, bottom))
        gap = max(1, int(x_size * 0.6))
        tight = Image.new("L", (before.width + gap + after.width, bottom - top), 255)
        tight.paste(before, (0, 0))
        tight.paste(after, (before.width + gap, 0))
        cut_at = margin + before.width + gap // 2
        resume -= gap - gap // 2
    framed = ImageOps.expand(tight, border=margin, fill=255)
    return framed, _CropMap(left - margin, top - margin, cut_at, resume)


def _run_tesseract_lines(crops: list[Any]) -> list[str]:
    """Read each image as one line of text (``--psm 7``) in one Tesseract run; one hOCR page per image."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="arkiv-ocr-lines-") as tmp:
        names = []
        for n, crop in enumerate(crops):
            png = Path(tmp) / f"line{n:04d}.png"
            crop.save(png, dpi=(DPI, DPI))
            names.append(str(png))
        listing = Path(tmp) / "lines.txt"
        listing.write_text("\n".join(names) + "\n", encoding="utf-8")
        done = subprocess.run(
            [tesseract_command(), str(listing), "-", "-l", LANGUAGE, "--psm", "7", "--dpi", str(DPI), "hocr"],
            capture_output=True,
            timeout=page_timeout(),
            env=env,
            check=True,
        )
    text = done.stdout.decode("utf-8", "replace")
    pages = re.split(r"(?=<div class=.ocr_page.)", text)
    body = [p for p in pages[1:]]
    return [f"<html><body>{_strip_tail(p)}</body></html>" for p in body]


def _strip_tail(page: str) -> str:
    return re.sub(r"</body>\s*</html>\s*$", "", page.strip())


def _line_size(
    words: list[tuple[str, tuple[int, int, int, int], float]], bottom: float, slope: float, left: int, title: str
) -> float:
    """The font size in whole points: from the height above the baseline of words with capitals or
    ascenders (cap height) when the line has some, else from hOCR's x_size."""
    heights = [
        bottom + slope * ((box[0] + box[2]) / 2 - left) - box[1]
        for text, box, _ in words
        if any(ch.isupper() or ch.isdigit() or ch in "bdfhklt" for ch in text)
        and not any(ch in "gjpqy,;()" for ch in text)
    ]
    if heights:
        return float(round(median(heights) * 72 / DPI / CAP_HEIGHT)) or 1.0
    size_match = _XSIZE.search(title)
    x_size = float(size_match.group(1)) if size_match else 0.0
    return float(round(x_size * 72 / DPI * SIZE_PER_XSIZE)) or 1.0


def _box(title: str) -> tuple[int, int, int, int] | None:
    match = _BBOX.search(title)
    if match is None:
        return None
    left, top, right, bottom = (int(v) for v in match.groups())
    return left, top, right, bottom


def _baseline(title: str) -> tuple[float, float]:
    match = _BASELINE.search(title)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


def _stroke(ink: Any, box: tuple[int, int, int, int]) -> float:
    """Mean length in pixels of the horizontal runs of ink inside a word box (its stroke width)."""
    left, top, right, bottom = box
    crop = ink[max(0, top) : max(0, bottom), max(0, left) : max(0, right)]
    if crop.size == 0:
        return 0.0
    runs = int(crop[:, 0].sum()) + int((crop[:, 1:] & ~crop[:, :-1]).sum())
    return float(crop.sum()) / runs if runs else 0.0


# ---------------------------------------------------------------------------
# Cache: one JSON file per page hash
# ---------------------------------------------------------------------------


def _cache_file(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


def _read_cache(cache: Path | None, key: str) -> tuple[list[Char], list[float]] | None:
    if cache is None:
        return None
    try:
        data = json.loads(_cache_file(cache, key).read_text(encoding="utf-8"))
        chars = [Char(*row) for row in data["chars"]]
        return chars, [float(c) for c in data["confidences"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not cached, or a damaged entry: read the page again


def _write_cache(cache: Path | None, key: str, chars: list[Char], confidences: list[float]) -> None:
    if cache is None:
        return
    target = _cache_file(cache, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(
            json.dumps({"chars": [list(c) for c in chars], "confidences": confidences}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(partial, target)
    except OSError:
        return  # a cache that cannot be written only costs time


def mean_confidence(pages: Iterable[OcrPage]) -> float | None:
    """The mean word confidence (0-100) over all OCR'd words, or None without words."""
    values = [c for page in pages for c in page.confidences]
    return round(sum(values) / len(values), 1) if values else None
