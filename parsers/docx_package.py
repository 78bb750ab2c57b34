"""A read-only DOCX package (OPC zip) reader for the DOCX extractor.

The main document part is found through the package relationships (``_rels/.rels``,
type ``officeDocument``; it may be ``word/document2.xml``) and must have the
WordprocessingML main content type in ``[Content_Types].xml``: a macro-enabled
``.docm`` or a template is refused as "not a Word document" (``parsers.legacy``
repackages those before they get here). Styles and numbering are found through
the main part's relationships; headers and footers by relationship id. The zip
directory is checked for bombs (``check_expansion``) before anything is
inflated, and no part is read past ``MAX_PART_BYTES``.

A package is refused where python-docx 1.2, which opened these files before,
refused it: every part the relationships reach must be in the zip and have a
content type, and the XML part types python-docx parses (document, styles,
numbering, headers, footers, settings, comments, core properties) must be
well-formed. Media, themes and fonts are never inflated, and only the document,
numbering and header/footer trees are kept. The other rules follow python-docx
too: part names resolve against the source part's folder; content types are
looked up by part name (overrides), then by extension (defaults), both ignoring
case; a styles relationship to a part of another content type gives no styles,
and a package without one gets python-docx's default styles (12 pt, "Normal").
Parts are parsed with python-docx's options (``remove_blank_text=True,
resolve_entities=False``) and ``no_network=True``: entities are never expanded,
nothing is fetched.
"""

from __future__ import annotations

import posixpath
import re
import threading
import zipfile
from pathlib import Path
from types import TracebackType

from lxml import etree

from parsers import OLE_MAGIC
from parsers.errors import ZIP_READ_ERRORS, CorruptFile, ParseError, TooLarge, UnsupportedFormat

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_STYLES = _RT + "styles"
RT_NUMBERING = _RT + "numbering"
RT_IMAGE = _RT + "image"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_DOCUMENT_MAIN = _WML + "document.main+xml"
CT_STYLES = _WML + "styles+xml"
# The part types python-docx reads as XML; a relationship to a part of any other type yields no XML.
XML_PART_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-package.core-properties+xml",
        _WML + "comments+xml",
        CT_DOCUMENT_MAIN,
        _WML + "footer+xml",
        _WML + "header+xml",
        _WML + "numbering+xml",
        _WML + "settings+xml",
        CT_STYLES,
    }
)
_KEPT_TYPES = frozenset({CT_DOCUMENT_MAIN, _WML + "footer+xml", _WML + "header+xml", _WML + "numbering+xml"})

# A DOCX is a zip: its parts are checked before any is inflated (a 1 GB document.xml bomb).
MAX_PART_BYTES = 256 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all parts, uncompressed
MAX_PART_RATIO = 100.0  # uncompressed/compressed, for parts above RATIO_FROM_BYTES
RATIO_FROM_BYTES = 10 * 1024 * 1024

# python-docx's default styles part (docx/templates/default-styles.xml without its latent styles and
# table formatting), used when a package has no styles relationship, as python-docx did.
_DEFAULT_STYLES = (
    b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:rPrDefault>'
    b"<w:pPrDefault/></w:docDefaults>"
    b'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    b'<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    b'<w:name w:val="Default Paragraph Font"/></w:style>'
    b'<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/></w:style>'
    b'<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/></w:style>'
    b"</w:styles>"
)

_local = threading.local()  # an lxml parser is used by one thread at a time


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
        _local.parser = parser
    return parser


def legacy_doc_error(path: Path) -> UnsupportedFormat:
    return UnsupportedFormat(
        str(path),
        "legacy Word 97-2003 .doc file; convert it to DOCX first, e.g. soffice --headless --convert-to docx FILE.doc",
    )


class _Rel:
    __slots__ = ("type", "target", "external")

    def __init__(self, type_: str, target: str, external: bool) -> None:
        self.type = type_
        self.target = target  # the part name ("/word/styles.xml") when internal, else the reference as written
        self.external = external


class DocxPackage:
    """An open DOCX: ``document`` (the main part's root element) and its related parts on demand.

    Use as a context manager (or call ``close``): the zip stays open for parts read later.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._zip = _open_zip(self.path)
        self._names = set(self._zip.namelist())
        self._parsed: dict[str, etree._Element | None] = {}
        self._rels_of: dict[str, dict[str, _Rel]] = {}
        try:
            self._overrides, self._defaults = self._content_types()
            package_rels = self._rels("/")
            self._check_parts(package_rels, _main_target(package_rels))
            main = self._single(package_rels, RT_OFFICE_DOCUMENT, "_rels/.rels")
            if main is None:
                raise self._corrupt("no officeDocument relationship in _rels/.rels names the main document part")
            if main.external:
                raise UnsupportedFormat(
                    str(self.path), "not a Word document (its main document is outside the package)"
                )
            self.main_part = main.target
            content_type = self.content_type(self.main_part)
            if content_type != CT_DOCUMENT_MAIN:
                raise UnsupportedFormat(
                    str(self.path),
                    f"not a Word document (the main part {self.main_part[1:]} has content type '{content_type}')",
                )
            self._main_rels = self._rels(self.main_part)
            document = self._xml_part(self.main_part)
            if document is None or document.tag != f"{W}document" or document.find(f"{W}body") is None:
                raise self._corrupt(f"{self.main_part[1:]} has no w:document/w:body")
            self.document = document
        except BaseException:
            self._zip.close()
            raise

    # -- the parts the extractor reads ----------------------------------------

    @property
    def body(self) -> etree._Element:
        body = self.document.find(f"{W}body")
        assert body is not None  # checked when opened
        return body

    def styles_xml(self) -> tuple[str, bytes] | None:
        """The styles part as (name, XML bytes): the default styles without a styles relationship,
        None when the relationship leads to a part that is no styles part. ``parse`` reads it."""
        rel = self._single(self._main_rels, RT_STYLES, self._rels_name(self.main_part))
        if rel is None:
            return "(default styles)", _DEFAULT_STYLES
        if rel.external:
            raise self._corrupt("the styles relationship points outside the package")
        if self.content_type(rel.target) != CT_STYLES:
            return None
        name = rel.target[1:]
        return name, self._read(name)

    def numbering(self) -> etree._Element | None:
        """The numbering part's root, None when there is none."""
        rel = self._single(self._main_rels, RT_NUMBERING, self._rels_name(self.main_part))
        if rel is None:
            return None
        if rel.external:
            raise self._corrupt("the numbering relationship points outside the package")
        return self._xml_part(rel.target)

    def related(self, rel_id: str | None) -> etree._Element | None:
        """The root of the XML part the main part relates to by ``rel_id`` (a header or footer), None
        when there is no such internal relationship or the part is not XML."""
        rel = self._main_rels.get(rel_id or "")
        if rel is None or rel.external or rel.type == RT_IMAGE:
            return None
        return self._xml_part(rel.target)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> DocxPackage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- package structure ----------------------------------------------------

    def _check_parts(self, package_rels: dict[str, _Rel], main: str | None) -> None:
        """Every part the relationships reach must be in the zip with a content type, and the XML ones
        must parse: the package is refused as python-docx refused it, although only the parts the
        extractor reads are kept. The main part's styles part is left to ``styles_xml``, which the
        extractor always reads (parsed once per distinct styles part, see ``docx_extractor._styles``).
        Each part's relationships are checked before those of the parts they lead to; the order
        decides only which problem a refusal names."""
        seen: set[str] = set()
        stack = [("/", package_rels)]
        while stack:
            source, rels = stack.pop()
            for rel in rels.values():
                if rel.external or rel.target in seen:
                    continue
                seen.add(rel.target)
                name = rel.target[1:]
                part_rels = self._rels(rel.target)
                if name not in self._names:
                    raise self._corrupt(f"the part {name} is missing")
                content_type = self.content_type(rel.target)
                deferred = source == main and rel.type == RT_STYLES and content_type == CT_STYLES
                if content_type in XML_PART_TYPES and rel.type != RT_IMAGE and not deferred:
                    root = self._xml(rel.target)
                    if content_type in _KEPT_TYPES:
                        self._parsed[rel.target] = root
                stack.append((rel.target, part_rels))

    def content_type(self, partname: str) -> str:
        key = partname.lower()
        if key in self._overrides:
            return self._overrides[key]
        ext = posixpath.splitext(partname)[1][1:].lower()
        if ext in self._defaults:
            return self._defaults[ext]
        raise self._corrupt(f"no content type for the part {partname[1:]} in [Content_Types].xml")

    def _content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        root = self.parse("[Content_Types].xml", self._read("[Content_Types].xml"))
        overrides: dict[str, str] = {}
        defaults: dict[str, str] = {}
        for el in root:
            if el.tag == f"{_CT}Override":
                key, value = el.get("PartName"), el.get("ContentType")
                target = overrides
            elif el.tag == f"{_CT}Default":
                key, value = el.get("Extension"), el.get("ContentType")
                target = defaults
            else:
                continue
            if key is None:
                raise self._corrupt(f"[Content_Types].xml line {el.sourceline}: an entry names no part or extension")
            target[key.lower()] = value or ""  # no ContentType: a type that matches nothing, as in python-docx
        return overrides, defaults

    def _rels(self, source: str) -> dict[str, _Rel]:
        """The relationships of a part ("/" for the package), by id; none when it has no rels part."""
        if source not in self._rels_of:
            self._rels_of[source] = self._read_rels(source)
        return self._rels_of[source]

    def _read_rels(self, source: str) -> dict[str, _Rel]:
        name = self._rels_name(source)
        if name not in self._names:
            return {}
        base = posixpath.split(source)[0]
        rels: dict[str, _Rel] = {}
        for el in self.parse(name, self._read(name)).iterfind(f"{_PR}Relationship"):
            rel_id, rel_type, target = el.get("Id"), el.get("Type"), el.get("Target")
            if rel_id is None or rel_type is None or target is None:
                raise self._corrupt(f"{name} line {el.sourceline}: a relationship without Id, Type or Target")
            external = el.get("TargetMode", "Internal") == "External"
            rels[rel_id] = _Rel(
                rel_type, target if external else posixpath.abspath(posixpath.join(base, target)), external
            )
        return rels

    def _single(self, rels: dict[str, _Rel], rel_type: str, where: str) -> _Rel | None:
        matching = [rel for rel in rels.values() if rel.type == rel_type]
        if len(matching) > 1:
            kind = rel_type.rsplit("/", 1)[-1]
            if rel_type == RT_OFFICE_DOCUMENT:
                raise UnsupportedFormat(
                    str(self.path), f"not a Word document ({where} names {len(matching)} main parts)"
                )
            raise self._corrupt(f"{where} names {len(matching)} {kind} parts")
        return matching[0] if matching else None

    @staticmethod
    def _rels_name(source: str) -> str:
        folder, name = posixpath.split(source)
        return posixpath.join(folder, "_rels", f"{name}.rels")[1:]

    # -- reading and parsing --------------------------------------------------

    def _xml_part(self, partname: str) -> etree._Element | None:
        """A part parsed once, when its content type is one python-docx reads as XML."""
        if partname not in self._parsed:
            is_xml = self.content_type(partname) in XML_PART_TYPES
            self._parsed[partname] = self._xml(partname) if is_xml else None
        return self._parsed[partname]

    def _xml(self, partname: str) -> etree._Element:
        name = partname[1:]
        return self.parse(name, self._read(name))

    def _read(self, name: str) -> bytes:
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise self._corrupt(f"the part {name} is missing") from None
        try:
            with self._zip.open(info) as member:
                data = member.read(MAX_PART_BYTES + 1)
        except ZIP_READ_ERRORS as e:
            raise self._corrupt(f"damaged zip member {name}: {e}") from e
        if len(data) > MAX_PART_BYTES:
            raise TooLarge(
                str(self.path), f"the DOCX part {name} expands past {MAX_PART_BYTES >> 20} MB; it was not read"
            )
        return data

    def parse(self, name: str, data: bytes) -> etree._Element:
        """The root element of the XML ``data`` of the part ``name``; ``CorruptFile`` when malformed."""
        try:
            return etree.fromstring(data, _parser())
        except (etree.LxmlError, ValueError) as e:
            raise self._corrupt(f"{name}: {type(e).__name__}: {e}") from e

    def _corrupt(self, reason: str) -> CorruptFile:
        return CorruptFile(str(self.path), f"not a valid DOCX ({reason})")


def _main_target(package_rels: dict[str, _Rel]) -> str | None:
    """The main part's name when the package relationships name exactly one inside the package."""
    main = [rel for rel in package_rels.values() if rel.type == RT_OFFICE_DOCUMENT]
    return main[0].target if len(main) == 1 and not main[0].external else None


def _open_zip(path: Path) -> zipfile.ZipFile:
    """The file's zip archive, after the checks that need no part inflated."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    if head.startswith(OLE_MAGIC):
        raise legacy_doc_error(path)
    if not head.startswith(b"PK"):
        raise CorruptFile(str(path), "not a valid DOCX (not a zip archive)")
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_READ_ERRORS as e:
        raise CorruptFile(str(path), f"not a valid DOCX (damaged or truncated zip archive: {e})") from e
    try:
        infos = zf.infolist()
        check_expansion(path, infos)
        names = {i.filename for i in infos}
        if not any(re.fullmatch(r"word/document\d*\.xml", n) for n in names):
            raise UnsupportedFormat(str(path), f"not a Word document: {_zip_kind(names)} without word/document.xml")
    except BaseException:
        zf.close()
        raise
    return zf


def check_expansion(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Raise ``TooLarge`` when a part of the DOCX would expand past the limits (from its zip directory)."""
    mb = 1024 * 1024
    total = sum(i.file_size for i in infos)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FROM_BYTES and ratio > MAX_PART_RATIO):
            raise TooLarge(
                str(path),
                f"the DOCX part {info.filename} would expand to {info.file_size / mb:,.0f} MB "
                f"({ratio:,.0f} times its compressed size): too large or a zip bomb; it was not read",
            )
    if total > MAX_TOTAL_BYTES:
        raise TooLarge(
            str(path),
            f"the DOCX would expand to {total / mb:,.0f} MB, more than {MAX_TOTAL_BYTES / mb:,.0f} MB; it was not read",
        )


def _zip_kind(names: set[str]) -> str:
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (convert it with soffice --headless --convert-to docx)"
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    return "a zip archive"
