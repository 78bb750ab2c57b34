"""The DOCX package reader (zip + lxml): recorded blocks of real files, and packages built part by part.

The golden files under ``tests/golden/docx/`` hold every block (with all attributes), the page
count and the body font size of a few sample and real DOCX files, as the python-docx reader
extracted them. Regenerate them only on purpose: ``UPDATE_GOLDEN=1 pytest tests/test_docx_package.py``.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest
from fixtures.make_files import make_meeting_docx

import parsers
from parsers.docx_extractor import extract
from parsers.errors import CorruptFile, EmptyDocument, TooLarge, UnsupportedFormat
from parsers.records import ExtractedDocument

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "docx"
REALDOCS = ROOT.parent / "shared" / "realdocs"
SAMPLE = ROOT / "corpus" / "sample"
GOLDEN_FILES = {
    "aabenraa_byraadet_dagsorden": SAMPLE / "aabenraa/2015/aabenraa_byraadet_dagsorden_2015-11-02_00039.docx",
    "aarhus_social_referat": SAMPLE
    / "aarhus/2022/aarhus_social--og-beskaeftigelsesudvalget_referat_2022-04-18_00040.docx",
    "hedeby_bilag_brev": SAMPLE / "hedeby/2022/hedeby_bilag_brev_2022-11-07_00015.docx",
    "noerreaa_boerne_dagsorden": SAMPLE
    / "noerreaa/2017/noerreaa_boerne--og-ungeudvalget_dagsorden_2017-05-12_00046.docx",
    "skovlund_direktionen_referat": SAMPLE / "skovlund/2021/skovlund_direktionen_referat_2021-07-12_00044.docx",
    "syddjurs_kulturkommune2017": REALDOCS / "syddjurs_puk_bilag_kulturkommune2017_arbejdsoplaeg.docx",
}
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _as_json(doc: ExtractedDocument) -> str:
    data = {
        "format": doc.format,
        "page_count": doc.page_count,
        "body_font_size": doc.body_font_size,
        "blocks": [asdict(b) for b in doc.blocks],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_blocks_match_the_recorded_extraction(name: str) -> None:
    path = GOLDEN_FILES[name]
    if not path.exists():
        pytest.skip(f"{path} is not available")
    golden = GOLDEN / f"{name}.json"
    got = _as_json(extract(path))
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_update_golden_flag_is_off() -> None:
    assert not UPDATE, "UPDATE_GOLDEN=1 rewrites the golden files: unset it once they are regenerated"


# ---------------------------------------------------------------------------
# Packages built part by part
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_meeting_docx(tmp_path_factory.mktemp("package") / "referat.docx")


def _variant(src: Path, dst: Path, changes: dict[str, bytes | None], rename: dict[str, str] | None = None) -> Path:
    """``src`` rewritten: members in ``changes`` replaced (None: left out), members renamed."""
    rename = rename or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in changes:
                replaced = changes[info.filename]
                if replaced is None:
                    continue
                data = replaced
            zout.writestr(rename.get(info.filename, info.filename), data)
    return dst


def _member(src: Path, name: str) -> str:
    with zipfile.ZipFile(src) as zf:
        return zf.read(name).decode("utf-8")


def test_main_part_under_another_name(meeting: Path, tmp_path: Path) -> None:
    """The main part is found through _rels/.rels, whatever its name."""
    moved = _variant(
        meeting,
        tmp_path / "flyttet.docx",
        {
            "_rels/.rels": _member(meeting, "_rels/.rels").replace("word/document.xml", "word/document2.xml").encode(),
            "[Content_Types].xml": _member(meeting, "[Content_Types].xml")
            .replace("/word/document.xml", "/word/document2.xml")
            .encode(),
        },
        rename={
            "word/document.xml": "word/document2.xml",
            "word/_rels/document.xml.rels": "word/_rels/document2.xml.rels",
        },
    )
    assert extract(moved) == extract(meeting)


def test_macro_enabled_main_part_is_not_read_as_docx(meeting: Path, tmp_path: Path) -> None:
    docm = _variant(
        meeting,
        tmp_path / "makro.docx",
        {"[Content_Types].xml": _member(meeting, "[Content_Types].xml").replace(DOCX_MAIN, DOCM_MAIN).encode()},
    )
    with pytest.raises(UnsupportedFormat, match=r"not a Word document .*macroEnabled"):
        extract(docm)
    # parsers.extract routes it through the repackaging of parsers.legacy instead
    assert parsers.extract(docm).converted_from == "docm"


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("[Content_Types].xml", r"\[Content_Types\]\.xml"),
        ("_rels/.rels", "officeDocument"),
        ("word/document.xml", "word/document.xml"),
    ],
)
def test_missing_package_member(meeting: Path, tmp_path: Path, member: str, reason: str) -> None:
    broken = _variant(meeting, tmp_path / "mangler.docx", {member: None})
    with pytest.raises((CorruptFile, UnsupportedFormat), match=reason) as info:
        extract(broken)
    assert "\n" not in str(info.value)
    if member != "word/document.xml":  # without it the zip is no Word document at all
        assert type(info.value) is CorruptFile


def test_main_part_without_content_type(meeting: Path, tmp_path: Path) -> None:
    types = re.sub(r'<Override PartName="/word/document.xml"[^>]*/>', "", _member(meeting, "[Content_Types].xml"))
    types = types.replace('<Default Extension="xml" ContentType="application/xml"/>', "")
    broken = _variant(meeting, tmp_path / "uden-type.docx", {"[Content_Types].xml": types.encode()})
    with pytest.raises(CorruptFile, match="no content type"):
        extract(broken)


@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "word/numbering.xml", "word/header1.xml"])
def test_malformed_xml_in_a_part_the_reader_needs(meeting: Path, tmp_path: Path, member: str) -> None:
    broken = _variant(meeting, tmp_path / "defekt.docx", {member: _member(meeting, member)[:-40].encode()})
    with pytest.raises(CorruptFile, match="not a valid DOCX") as info:
        extract(broken)
    assert "\n" not in str(info.value)


def test_body_missing(meeting: Path, tmp_path: Path) -> None:
    document = re.sub(r"<w:body>.*</w:body>", "", _member(meeting, "word/document.xml"), flags=re.DOTALL)
    broken = _variant(meeting, tmp_path / "uden-body.docx", {"word/document.xml": document.encode()})
    with pytest.raises(CorruptFile, match="not a valid DOCX"):
        extract(broken)


def test_without_styles_part_the_default_styles_apply(meeting: Path, tmp_path: Path) -> None:
    """Word's (and python-docx's) default styles: 12 pt, "Normal" the default paragraph style."""
    rels = re.sub(r'<Relationship Id="rId3" [^>]*/>', "", _member(meeting, "word/_rels/document.xml.rels"))
    bare = _variant(meeting, tmp_path / "uden-typografier.docx", {"word/_rels/document.xml.rels": rels.encode()})
    doc = extract(bare)
    blocks = {b.text: b for b in doc.blocks}
    assert blocks["Direktionen drøftede sygefraværet, og æ ø å bevares."].font_size == 12.0
    assert blocks["Lille skrift"].font_size == 8.0  # direct formatting still counts
    assert blocks["Punkt 2. Budgetopfølgning"].heading_level is None  # no heading styles left


def test_header_reference_to_a_missing_relationship_is_skipped(meeting: Path, tmp_path: Path) -> None:
    rels = _member(meeting, "word/_rels/document.xml.rels").replace('Id="rId9"', 'Id="rId99"')
    doc = extract(_variant(meeting, tmp_path / "uden-sidehoved.docx", {"word/_rels/document.xml.rels": rels.encode()}))
    assert [b.role for b in doc.blocks if b.role != "body"] == ["footer"]


def test_entities_are_not_expanded_and_nothing_is_fetched(meeting: Path, tmp_path: Path) -> None:
    document = _member(meeting, "word/document.xml")
    head, _, rest = document.partition("?>")
    doctype = '<!DOCTYPE w:document [<!ENTITY ekstern SYSTEM "file:///etc/passwd"><!ENTITY lol "lollollol">]>'
    document = f"{head}?>{doctype}{rest}".replace("Rådhuset", "Rådhuset &ekstern; &lol;")
    doc = extract(_variant(meeting, tmp_path / "entiteter.docx", {"word/document.xml": document.encode()}))
    text = "\n".join(b.text for b in doc.blocks)
    assert "root:" not in text and "lollollol" not in text
    assert "Mødested\tRådhuset" in text


def test_zip_bomb_part_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(20):  # 20 MB of spaces: past RATIO_FROM_BYTES, a thousand times its compressed size
                member.write(block)
    with pytest.raises(TooLarge, match="word/document.xml"):
        extract(bomb)


def test_empty_body(meeting: Path, tmp_path: Path) -> None:
    document = re.sub(r"<w:body>.*</w:body>", "<w:body/>", _member(meeting, "word/document.xml"), flags=re.DOTALL)
    with pytest.raises(EmptyDocument, match="no text"):
        extract(_variant(meeting, tmp_path / "tom-body.docx", {"word/document.xml": document.encode()}))


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("word/settings.xml", "settings.xml"),
        ("docProps/core.xml", "core.xml"),
        ("docProps/thumbnail.jpeg", "thumbnail"),
    ],
)
def test_parts_the_extractor_skips_still_refuse_a_broken_package(
    meeting: Path, tmp_path: Path, member: str, reason: str
) -> None:
    """A malformed settings part or a missing thumbnail: refused as python-docx refused them."""
    if member.endswith(".xml"):
        broken = _variant(meeting, tmp_path / "defekt.docx", {member: _member(meeting, member)[:-30].encode()})
    else:
        broken = _variant(meeting, tmp_path / "mangler.docx", {member: None})
    with pytest.raises(CorruptFile, match=reason):
        extract(broken)


def test_styles_are_kept_by_content_not_by_file_name(meeting: Path, tmp_path: Path) -> None:
    """The styles cache is keyed by the styles part's bytes: a file rewritten in place reads its new styles."""
    path = tmp_path / "samme-navn.docx"
    _variant(meeting, path, {})
    before = {b.text: b.font_size for b in extract(path).blocks}
    styles = _member(meeting, "word/styles.xml")
    styles = re.sub(r'(<w:docDefaults>.*?<w:sz w:val=")\d+', r"\g<1>30", styles, count=1, flags=re.DOTALL)
    _variant(meeting, path, {"word/styles.xml": styles.encode()})
    after = {b.text: b.font_size for b in extract(path).blocks}
    text = "Direktionen drøftede sygefraværet, og æ ø å bevares."
    assert before[text] != after[text] == 15.0
    assert before["Lille skrift"] == after["Lille skrift"] == 8.0  # direct formatting


@pytest.mark.parametrize(
    ("relationship", "reason"),
    [
        ('<Relationship Id="rId9" Type="{t}" Target="word/document.xml"/>', "2 main parts"),
        ('<Relationship Id="rId1" Type="{t}" Target="https://example.org/d.xml" TargetMode="External"/>', "outside"),
    ],
)
def test_main_part_named_twice_or_outside_the_package(
    meeting: Path, tmp_path: Path, relationship: str, reason: str
) -> None:
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    rels = _member(meeting, "_rels/.rels")
    if "External" in relationship:
        rels = re.sub(r'<Relationship Id="rId1" [^>]*/>', "", rels)
    rels = rels.replace("</Relationships>", relationship.format(t=office) + "</Relationships>")
    with pytest.raises(UnsupportedFormat, match=f"not a Word document .*{reason}"):
        extract(_variant(meeting, tmp_path / "hoveddel.docx", {"_rels/.rels": rels.encode()}))
