"""Legacy word-processor files (.doc, .rtf, .odt, .wpd, .docm, .dotx) through LibreOffice.

The legacy files are made by LibreOffice itself from the sample corpus's DOCX
meeting documents, then parsed back: the record must be the DOCX's record.
LibreOffice cannot write WordPerfect, so .wpd is tested with a damaged file.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.make_files import make_meeting_docx

from ingest.batch import CONVERT_CACHE_DIR, IngestOptions, ingest
from ingest.catalog import Catalog
from parsers import legacy, parse_file, sha256_of, sniff_format
from parsers.errors import CorruptFile, ParseTimeout, UnsupportedFormat
from parsers.evaluation import compare
from search_cli.cli import cli

REPO = Path(__file__).resolve().parents[1]
REALDOCS = REPO.parent / "shared" / "realdocs"
REAL_DOC = REALDOCS / "syddjurs_bilag_kulturpolitik_2009.doc"
SAMPLES = (
    REPO / "corpus/sample/aarhus/2018/aarhus_raadmandsmoedet_referat_2018-07-30_00018.docx",
    REPO / "corpus/sample/noerreaa/2019/noerreaa_boerne--og-ungeudvalget_dagsorden_2019-04-11_00014.docx",
)
# The sample corpus's DOCX files are written by our generator with python-docx. LibreOffice writes an
# auto-numbered list that restarts at its first paragraph (the noerreaa sample's numbered item headings)
# into .doc and .odt as two lists (1, 1, 2, 3, 4 in its own text export too), and it drops a bare
# w:txbxContent text box (the python-docx fixture's); so .doc and .odt are made from the aarhus sample,
# whose items are numbered in their text, and the fixture goes only through the repackaged formats.
WRITTEN_BY_LIBREOFFICE = {"doc": (0,), "rtf": (0, 1), "odt": (0,)}  # indexes into SAMPLES
OOXML_VARIANTS = {
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
}
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) is not installed"
)


def _soffice_export(inputs: list[Path], fmt: str, outdir: Path, profile: Path) -> list[Path]:
    """Have LibreOffice write ``inputs`` as ``fmt`` (one start for all of them)."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        + ["--convert-to", fmt, "--outdir", str(outdir), *map(str, inputs)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return [outdir / f"{p.stem}.{fmt}" for p in inputs]


def _ooxml_variant(docx: Path, path: Path, content_type: str) -> Path:
    """The DOCX repackaged with another main content type (what Word writes for .docm/.dotx)."""
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(DOCX_MAIN, content_type.encode())
            dst.writestr(info, data)
    return path


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One conversion cache for the legacy set, so every test reads the conversions made once."""
    cache = tmp_path_factory.mktemp("convert-cache")
    previous = os.environ.get(legacy.CACHE_ENV)
    os.environ[legacy.CACHE_ENV] = str(cache)
    try:
        yield cache
    finally:
        if previous is None:
            os.environ.pop(legacy.CACHE_ENV, None)
        else:
            os.environ[legacy.CACHE_ENV] = previous


@pytest.fixture(scope="session")
def legacy_set(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> dict[str, list[tuple[Path, Path]]]:
    """format -> [(original DOCX, legacy file)], all converted to DOCX in one LibreOffice start per format."""
    root = tmp_path_factory.mktemp("legacy")
    profile = root / "writer-profile"
    documents = [*SAMPLES, make_meeting_docx(root / "python-docx-referat.docx")]
    made: dict[str, list[tuple[Path, Path]]] = {}
    for fmt, chosen in WRITTEN_BY_LIBREOFFICE.items():
        originals = [SAMPLES[i] for i in chosen]
        made[fmt] = list(zip(originals, _soffice_export(originals, fmt, root / fmt, profile), strict=True))
    for fmt, content_type in OOXML_VARIANTS.items():
        made[fmt] = [(s, _ooxml_variant(s, root / f"{s.stem}.{fmt}", content_type)) for s in documents]
    results = legacy.convert_many([(p, fmt, sha256_of(p)) for fmt, pairs in made.items() for _, p in pairs])
    failed = {str(p): str(r) for p, r in results.items() if not isinstance(r, legacy.Conversion)}
    assert not failed
    return made


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv(legacy.CACHE_ENV, str(cache))
    return cache


# ---------------------------------------------------------------------------
# The same record as the DOCX they were made from
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [*WRITTEN_BY_LIBREOFFICE, *OOXML_VARIANTS])
def test_legacy_meeting_document_gives_the_docx_record(legacy_set: dict[str, list[tuple[Path, Path]]], fmt: str):
    for original, converted in legacy_set[fmt]:
        assert sniff_format(converted) == fmt
        expected = parse_file(original)
        record = parse_file(converted)
        assert record.kind == "meeting"
        assert record.source.format == "docx"
        assert record.source.converted_from == fmt
        assert expected.source.converted_from is None
        score = compare(expected, record, path=str(converted))
        assert score.differences == [], score.differences
        assert score.score == 1.0
        assert [len(m.items) for m in record.meetings] == [len(m.items) for m in expected.meetings]


def test_format_is_sniffed_from_the_content_not_the_suffix(
    legacy_set: dict[str, list[tuple[Path, Path]]], tmp_path: Path
):
    for fmt, pairs in legacy_set.items():
        misnamed = shutil.copyfile(pairs[0][1], tmp_path / f"{fmt}-saved-as.docx")
        assert sniff_format(misnamed) == fmt
        assert parse_file(misnamed).source.converted_from == fmt
    assert sniff_format(SAMPLES[0]) == "docx"


def test_converted_from_in_the_json_of_arkiv_parse(legacy_set: dict[str, list[tuple[Path, Path]]]):
    import json

    path = legacy_set["rtf"][0][1]
    result = CliRunner().invoke(cli, ["parse", str(path), "--json"])
    assert result.exit_code == 0, result.output
    source = json.loads(result.stdout)["source"]
    assert source["format"] == "docx"
    assert source["converted_from"] == "rtf"
    docx_source = json.loads(CliRunner().invoke(cli, ["parse", str(SAMPLES[0]), "--json"]).stdout)["source"]
    assert docx_source["converted_from"] is None


def test_conversion_is_cached_by_content_hash(
    legacy_set: dict[str, list[tuple[Path, Path]]], session_cache: Path, monkeypatch: pytest.MonkeyPatch
):
    path = legacy_set["rtf"][1][1]
    assert (session_cache / f"{sha256_of(path)}-v{legacy.CACHE_VERSION}.docx").is_file()
    monkeypatch.setenv(legacy.SOFFICE_ENV, "/nonexistent/soffice")  # a cache hit never starts LibreOffice
    started = time.perf_counter()
    assert parse_file(path).source.converted_from == "rtf"
    assert time.perf_counter() - started < 1.0


# ---------------------------------------------------------------------------
# The real .doc, and files LibreOffice cannot read
# ---------------------------------------------------------------------------


@pytest.mark.skipif(not REAL_DOC.exists(), reason=f"{REAL_DOC} is not available")
def test_real_word_97_doc(fresh_cache: Path):
    record = parse_file(REAL_DOC)
    assert record.source.converted_from == "doc"
    assert record.source.format == "docx"
    assert record.source.sha256 == sha256_of(REAL_DOC)
    assert "kultur" in record.text.lower()
    assert len(record.text) > 10_000
    assert list(fresh_cache.glob("*.docx")) == [fresh_cache / f"{record.source.sha256}-v{legacy.CACHE_VERSION}.docx"]


def _one_line_error(path: Path) -> str:
    result = CliRunner().invoke(cli, ["parse", str(path)])
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_damaged_wordperfect_file_is_refused_with_the_reason(tmp_path: Path, fresh_cache: Path):
    path = tmp_path / "gammel.wpd"
    path.write_bytes(b"\xffWPC" + bytes(range(256)) * 4)
    assert sniff_format(path) == "wpd"
    with pytest.raises(CorruptFile, match="LibreOffice could not read the WordPerfect .wpd file"):
        parse_file(path)
    assert "LibreOffice could not read" in _one_line_error(path)
    assert not list(fresh_cache.glob("*.docx"))  # nothing cached for a failure


def test_damaged_doc_is_refused_with_the_reason(tmp_path: Path, fresh_cache: Path):
    path = tmp_path / "defekt.doc"
    path.write_bytes(legacy_ole_header() + "WordDocument".encode("utf-16-le") + b"\x00" * 2000)
    assert sniff_format(path) == "doc"
    assert "LibreOffice could not read the Word 97-2003 .doc file" in _one_line_error(path)


def test_ole_file_without_a_word_stream_is_unsupported(tmp_path: Path):
    path = tmp_path / "regneark.doc"
    path.write_bytes(legacy_ole_header())
    with pytest.raises(UnsupportedFormat, match="without a WordDocument stream"):
        parse_file(path)


def legacy_ole_header() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_without_libreoffice_the_reason_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(legacy.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(legacy.SOFFICE_ENV, str(tmp_path / "no-such-soffice"))
    path = tmp_path / "referat.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Referat}")
    line = _one_line_error(path)
    assert "libreoffice-writer-nogui" in line and "RTF" in line


def test_a_conversion_past_its_deadline_is_killed(tmp_path: Path, fresh_cache: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(legacy.TIMEOUT_ENV, "0.3")
    path = tmp_path / "langsom.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Referat}")
    with pytest.raises(ParseTimeout, match="within 0 s|within 1 s|did not convert"):
        parse_file(path)
    time.sleep(0.5)
    profiles = str(fresh_cache / "profiles")
    assert not [pid for pid in _pids() if profiles in _cmdline(pid)]  # no LibreOffice process is left behind


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
    except OSError:
        return ""


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


def _odt_with_linked_image(path: Path, url: str) -> Path:
    """An OpenDocument text whose only image is linked from ``url`` (LibreOffice fetches it to embed it)."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        "<office:body><office:text><text:p>Referat med kortbilag "
        '<draw:frame draw:name="kort" text:anchor-type="as-char" svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def test_conversion_does_not_reach_the_network(tmp_path: Path, fresh_cache: Path):
    server = socketserver.TCPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/kort.png"
        path = _odt_with_linked_image(tmp_path / "kort.odt", url)
        # LibreOffice on a default profile fetches the image: the server does see a request
        _soffice_export([path], "docx", tmp_path / "plain", tmp_path / "plain-profile")
        assert _Recorder.requests == ["/kort.png"]
        _Recorder.requests.clear()
        record = parse_file(path)
        assert record.source.converted_from == "odt" and "kortbilag" in record.text
        assert _Recorder.requests == []
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------
# Profiles and the worker pool
# ---------------------------------------------------------------------------


def test_each_conversion_holds_a_profile_of_its_own(tmp_path: Path):
    with legacy._profile(tmp_path) as (first, _), legacy._profile(tmp_path) as (second, _):
        assert first != second
        assert (first / "user" / "registrymodifications.xcu").read_text().count("DisableMacrosExecution") == 1
    with legacy._profile(tmp_path) as (again, _):
        assert again == first  # a released profile is reused (it is warm)


KILLED_WORKER = """
import sys
from pathlib import Path
from parsers import legacy
legacy.convert(Path(sys.argv[1]), "rtf", "0" * 64)
"""


def test_a_killed_worker_leaves_its_profile_locked_while_libreoffice_runs(tmp_path: Path, fresh_cache: Path):
    path = tmp_path / "notat.rtf"
    path.write_bytes(b"{\\rtf1\\ansi Notat om skolebyggeriet}")
    worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, str(path)], cwd=REPO, env=dict(os.environ))
    profiles = fresh_cache / "profiles"
    deadline = time.monotonic() + 30
    while not [pid for pid in _pids() if str(profiles) in _cmdline(pid) and pid != worker.pid]:
        assert time.monotonic() < deadline and worker.poll() is None, "LibreOffice did not start"
        time.sleep(0.05)
    worker.kill()
    worker.wait()
    with legacy._profile(profiles) as (profile, _):
        assert profile.name == "profile-1"  # profile-0 is still LibreOffice's
    deadline = time.monotonic() + 60
    while [pid for pid in _pids() if str(profiles) in _cmdline(pid)]:
        assert time.monotonic() < deadline, "LibreOffice outlived its deadline"
        time.sleep(0.2)
    with legacy._profile(profiles) as (profile, _):
        assert profile.name == "profile-0"


def test_ingest_with_two_workers_converts_and_quarantines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(legacy.CACHE_ENV, raising=False)
    src = tmp_path / "src"
    src.mkdir()
    for i, sample in enumerate(SAMPLES):
        # A text of its own per file: nothing comes from an earlier cache.
        _ooxml_variant(sample, src / f"møde-{i}.docm", OOXML_VARIANTS["docm"])
        (src / f"notat-{i}.rtf").write_bytes(b"{\\rtf1\\ansi Notat nummer %d om skolebyggeriet}" % i)
    (src / "defekt.wpd").write_bytes(b"\xffWPC" + b"\x00\x01" * 300)
    archive = tmp_path / "arkiv"
    report = ingest(archive, [src], IngestOptions(jobs=2))
    codes = {Path(p).name: code for p, code, _ in report.quarantined}
    assert codes == {"defekt.wpd": "corrupt"}
    assert report.parsed_files == 4
    cache = archive / CONVERT_CACHE_DIR
    assert len(list(cache.glob("*.docx"))) == 4
    with Catalog.open(archive) as catalog:
        converted = sorted(s.record.source.converted_from or "" for s in catalog.iter_records())
    assert converted == ["docm", "docm", "rtf", "rtf"]
    # --reparse reads the cached conversions: no LibreOffice needed
    monkeypatch.setenv(legacy.SOFFICE_ENV, "/nonexistent/soffice")
    again = ingest(archive, [src], IngestOptions(jobs=2, reparse=True))
    assert {Path(p).name for p, _, _ in again.quarantined} == {"defekt.wpd"}
    assert again.parsed_files == 4
