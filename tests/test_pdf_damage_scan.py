"""The first pass of ``damaged_pages`` (``scan_content_streams``): it answers "no page is damaged"
only when pdfminer's page-by-page check agrees, and hands every damaged or unusual file to it.

The PDFs are written byte by byte here, so each test controls exactly what the file holds:
classic cross-reference tables or (PDF 1.5) an xref stream with the page dicts inside an object
stream, and content streams unfiltered, Flate, or ASCII85 + Flate (reportlab's default).
"""

from __future__ import annotations

import base64
import os
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfminer.ascii85 import ascii85decode

from parsers import pdf_chars, pdf_extractor
from parsers.pdf_chars import _a85decode, damaged_pages, damaged_pages_pdfminer, scan_content_streams

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
PAGES = 3
DAMAGED = 2  # the page whose content stream the tests damage

Stream = tuple[bytes, bytes]  # (stream dictionary entries, raw data)


def page_content(page: int) -> bytes:
    return (
        b"BT /F1 14 Tf 72 770 Td (Punkt %d: Vejdrift, etape %d) Tj ET\n"
        b"BT /F1 11 Tf 72 740 Td (Sagsnr.: 25/%d) Tj 0 -16 Td (Forvaltningen indstiller, at sagen godkendes.) Tj ET\n"
        % (page, page, 4000 + page)
    )


def plain(content: bytes) -> Stream:
    return b"", content


def flate(content: bytes) -> Stream:
    return b"/Filter /FlateDecode", zlib.compress(content)


def a85_flate(content: bytes) -> Stream:
    return b"/Filter [/ASCII85Decode /FlateDecode]", base64.a85encode(zlib.compress(content), wrapcol=72) + b"~>"


def build_pdf(
    streams: list[Stream],
    *,
    object_streams: bool = False,
    annotation: bytes | None = None,
    font_file: bytes | None = None,
) -> bytes:
    """A PDF with one page per content stream (Helvetica as /F1). ``object_streams``: PDF 1.5,
    every object that is no stream inside one object stream, found through an xref stream.
    ``annotation``: a text annotation on page 1 with this /Contents string. ``font_file``: an
    unfiltered embedded font program (a /FontFile2 stream) for /F1."""
    objects: dict[int, bytes] = {}  # number -> the object's text between "obj" and "endobj"
    stream_numbers: set[int] = set()
    n_pages = len(streams)
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(n_pages))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n_pages)
    descriptor = b""
    if font_file is not None:
        descriptor = b" /FontDescriptor 4 0 R"
        objects[4] = (
            b"<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [0 -200 1000 900] "
            b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 5 0 R >>"
        )
        objects[5] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(font_file), font_file)
        stream_numbers.add(5)
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding%s >>" % descriptor
    annots = b""
    if annotation is not None:
        number = first_page + 2 * n_pages
        objects[number] = b"<< /Type /Annot /Subtype /Text /Rect [72 600 92 620] /Contents (%s) >>" % annotation
        annots = b" /Annots [%d 0 R]" % number
    for i, (entries, data) in enumerate(streams):
        page, content = first_page + 2 * i, first_page + 2 * i + 1
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R%s >>" % (content, annots if i == 0 else b"")
        )
        objects[content] = b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)
        stream_numbers.add(content)
    if object_streams:
        return _with_object_streams(objects, stream_numbers)
    out = bytearray(b"%PDF-1.4\n%\xe6\xf8\xe5\xc6\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _with_object_streams(objects: dict[int, bytes], stream_numbers: set[int]) -> bytes:
    packed = sorted(n for n in objects if n not in stream_numbers)
    index, body = [], bytearray()
    for number in packed:
        index.append(b"%d %d" % (number, len(body)))
        body += objects[number] + b"\n"
    header = b" ".join(index) + b"\n"
    object_stream = max(objects) + 1
    xref_stream = object_stream + 1
    data = zlib.compress(header + bytes(body))
    objects = {n: objects[n] for n in stream_numbers}
    objects[object_stream] = (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (
            len(packed),
            len(header),
            len(data),
            data,
        )
    )
    out = bytearray(b"%PDF-1.5\n%\xe6\xf8\xe5\xc6\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    offsets[xref_stream] = len(out)
    size = xref_stream + 1
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, size):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
        elif number in packed:
            rows.append(b"\x02" + object_stream.to_bytes(4, "big") + packed.index(number).to_bytes(2, "big"))
        else:
            rows.append(b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big"))
    # PNG "Up" predictor, as most writers of xref streams use: each row minus the row above
    above = bytes(7)
    encoded = bytearray()
    for row in rows:
        encoded += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, above, strict=True))
        above = row
    compressed = zlib.compress(bytes(encoded))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
        b" /DecodeParms << /Columns 7 /Predictor 12 >> /Length %d >>\nstream\n" % (xref_stream, size, len(compressed))
    )
    out += compressed + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_stream]
    return bytes(out)


def incremental_update(data: bytes, number: int, stream: Stream) -> bytes:
    """``data`` with an update appended that defines object ``number`` anew as ``stream``
    (a new cross-reference section whose /Prev is the old one)."""
    previous = int(data.rsplit(b"startxref", 1)[1].split()[0])
    entries, raw = stream
    out = bytearray(data)
    offset = len(out)
    out += b"%d 0 obj\n<< %s /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (number, entries, len(raw), raw)
    xref = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (number + 1, previous, xref)
    return bytes(out)


def agenda(encode: Callable[[bytes], Stream], damaged: Stream | None = None, **kwargs: object) -> bytes:
    """Three pages encoded by ``encode``; page ``DAMAGED`` replaced by ``damaged`` when given."""
    streams = [encode(page_content(n)) for n in range(1, PAGES + 1)]
    if damaged is not None:
        streams[DAMAGED - 1] = damaged
    return build_pdf(streams, **kwargs)  # type: ignore[arg-type]


def write(tmp_path: Path, data: bytes, name: str = "dagsorden.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_damaged(path: Path, reason: str) -> None:
    """The first pass does not answer; pdfminer names page DAMAGED with ``reason``."""
    assert scan_content_streams(path.read_bytes()) is not None
    found = damaged_pages(path)
    assert found == damaged_pages_pdfminer(path)
    assert list(found) == [DAMAGED]
    assert found[DAMAGED].startswith(reason), found


def assert_intact(path: Path) -> None:
    """The first pass answers alone, and pdfminer agrees."""
    assert scan_content_streams(path.read_bytes()) is None
    assert damaged_pages(path) == {} == damaged_pages_pdfminer(path)


# ---------------------------------------------------------------------------
# Damaged streams: the first pass hands them to pdfminer, which names the page
# ---------------------------------------------------------------------------


def test_a_flate_stream_cut_short(tmp_path: Path) -> None:
    compressed = zlib.compress(page_content(DAMAGED))
    path = write(tmp_path, agenda(flate, (b"/Filter /FlateDecode", compressed[: len(compressed) // 2])))
    assert_damaged(path, "its compressed content stream is cut short")


def test_a_damaged_flate_stream(tmp_path: Path) -> None:
    compressed = bytearray(zlib.compress(page_content(DAMAGED)))
    compressed[10:30] = bytes(range(200, 220))
    path = write(tmp_path, agenda(flate, (b"/Filter /FlateDecode", bytes(compressed))))
    assert_damaged(path, "its compressed content stream is damaged")


def test_a_broken_ascii85_stream_is_a_page_problem(tmp_path: Path) -> None:
    """A byte outside the ASCII85 alphabet: pdfminer's decoder raises; the page is W005 and the
    other pages are still checked and read."""
    entries, data = a85_flate(page_content(DAMAGED))
    broken = data[:20] + b"{|}" + data[23:]
    path = write(tmp_path, agenda(a85_flate, (entries, broken)))
    assert_damaged(path, "its encoded content stream is damaged")
    document = pdf_extractor.extract(path)
    assert [(p.code, p.page) for p in document.problems] == [(pdf_extractor.PAGE_ERROR, DAMAGED)]
    assert {b.page for b in document.blocks} == {1, 3}


def test_garbage_unfiltered_content(tmp_path: Path) -> None:
    garbage = bytes(b"()<>[]{}/%"[k % 10] for k in range(200))
    path = write(tmp_path, agenda(plain, plain(garbage)))
    assert_damaged(path, "its content stream holds no drawing operators")


def test_object_streams_with_one_damaged_content_stream(tmp_path: Path) -> None:
    """PDF 1.5: page dicts compressed in an object stream, an xref stream; page 2's content stream
    is damaged Flate."""
    compressed = bytearray(zlib.compress(page_content(DAMAGED)))
    compressed[8:24] = b"\x00" * 16
    path = write(tmp_path, agenda(flate, (b"/Filter /FlateDecode", bytes(compressed)), object_streams=True))
    assert b"/Contents" not in path.read_bytes()  # the page dicts are compressed
    assert_damaged(path, "its compressed content stream is damaged")


def test_an_incremental_update_that_damages_a_page(tmp_path: Path) -> None:
    """The newest definition of page 2's content stream counts (the /Prev chain is followed)."""
    compressed = zlib.compress(page_content(DAMAGED))
    content = 2 * DAMAGED + 5  # the object number of page 2's content stream in ``build_pdf``
    data = incremental_update(agenda(flate), content, (b"/Filter /FlateDecode", compressed[:-12]))
    assert_damaged(write(tmp_path, data), "its compressed content stream is cut short")


def test_an_incremental_update_that_repairs_a_page(tmp_path: Path) -> None:
    compressed = zlib.compress(page_content(DAMAGED))
    damaged = agenda(flate, (b"/Filter /FlateDecode", compressed[:-12]))
    content = 2 * DAMAGED + 5
    assert_intact(write(tmp_path, incremental_update(damaged, content, flate(page_content(DAMAGED)))))


def test_a_file_over_the_scan_limit_goes_to_pdfminer_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compressed = zlib.compress(page_content(DAMAGED))
    path = write(tmp_path, agenda(flate, (b"/Filter /FlateDecode", compressed[:-12])))
    monkeypatch.setattr(pdf_chars, "MAX_SCAN_BYTES", path.stat().st_size - 1)
    assert damaged_pages(path) == {DAMAGED: "its compressed content stream is cut short"}


# ---------------------------------------------------------------------------
# Intact files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encode", [plain, flate, a85_flate], ids=["plain", "flate", "ascii85-flate"])
@pytest.mark.parametrize("object_streams", [False, True], ids=["xref-table", "object-streams"])
def test_intact_files_are_answered_by_the_first_pass(
    encode: Callable[[bytes], Stream], object_streams: bool, tmp_path: Path
) -> None:
    path = write(tmp_path, agenda(encode, object_streams=object_streams))
    assert_intact(path)
    document = pdf_extractor.extract(path)
    assert document.problems == ()
    assert [b.text for b in document.blocks if b.text.startswith("Punkt")] == [
        f"Punkt {n}: Vejdrift, etape {n}" for n in range(1, PAGES + 1)
    ]


def test_an_unfiltered_embedded_font_is_not_a_content_stream(tmp_path: Path) -> None:
    """A font program is binary without drawing operators; it is no page's content, so neither
    pass calls it garbage (the first pass only decodes the streams that /Contents names)."""
    font = bytes((k * 37 + 128) % 256 for k in range(600)).replace(b"endstream", b"")
    path = write(tmp_path, agenda(a85_flate, font_file=font))
    assert_intact(path)


def test_an_annotation_with_a_text_contents_goes_to_pdfminer(tmp_path: Path) -> None:
    """/Contents (text) is fine on an annotation and a damage on a page: the first pass cannot
    tell which without the page tree, so pdfminer decides (no damaged page)."""
    path = write(tmp_path, agenda(a85_flate, annotation=b"Bem\xe6rkning til punktet"))
    reason = scan_content_streams(path.read_bytes())
    assert reason is not None and "not a reference" in reason
    assert damaged_pages(path) == {} == damaged_pages_pdfminer(path)


def test_real_pdfs_are_intact(tmp_path: Path) -> None:
    pdfs = sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else []
    if not pdfs:
        pytest.skip("../shared/realdocs has no PDFs")
    for path in pdfs:
        assert damaged_pages(path) == {} == damaged_pages_pdfminer(path), path.name
    answered = [p.name for p in pdfs if scan_content_streams(p.read_bytes()) is None]
    assert answered == [p.name for p in pdfs]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") == "ci",
    suppress_health_check=[HealthCheck.too_slow],
)
BASES = {
    "ascii85-flate": agenda(a85_flate),
    "incremental-update": incremental_update(agenda(a85_flate), 2 * DAMAGED + 5, a85_flate(page_content(9))),
    "plain": agenda(plain),
    "object-streams": agenda(flate, object_streams=True),
}


@_SETTINGS
@given(
    base=st.sampled_from(sorted(BASES)),
    damage=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255), st.integers(0, 3)), min_size=1, max_size=3
    ),
)
def test_the_first_pass_answers_only_what_pdfminer_finds(base: str, damage: list[tuple[float, int, int]]) -> None:
    """Random byte damage (a byte overwritten, or up to three deleted) anywhere in a generated PDF:
    whenever the first pass answers (no damaged page), pdfminer finds none either."""
    data = bytearray(BASES[base])
    for share, byte, deleted in damage:
        at = int(share * len(data))
        if deleted:
            del data[at : at + deleted]
        else:
            data[at] = byte
    if scan_content_streams(bytes(data)) is None:
        assert damaged_pages_pdfminer(Path("damaged.pdf"), bytes(data)) == {}


_A85_PIECES = st.sampled_from(
    [b"!", b"u", b"s8W-!", b"z", b"y", b"v", b"~", b"~>", b"<~", b" ", b"\n", b"\x0c", b"5sdq", b"GauB"]
)


@_SETTINGS
@given(st.lists(_A85_PIECES, max_size=40).map(b"".join))
def test_the_vectorised_ascii85_decoder_matches_pdfminer(data: bytes) -> None:
    """The same bytes as pdfminer's decoder, or an error where it raises one."""
    try:
        expected: bytes | type[Exception] = ascii85decode(data)
    except Exception as e:
        expected = type(e)
    try:
        got: bytes | type[Exception] = _a85decode(data)
    except Exception as e:
        got = type(e)
    assert got == expected


def test_the_vectorised_ascii85_decoder_on_a_long_stream() -> None:
    raw = zlib.compress(b"".join(page_content(n) for n in range(200)))
    encoded = base64.a85encode(raw, wrapcol=72) + b"~>"
    assert _a85decode(encoded) == ascii85decode(encoded) == raw
