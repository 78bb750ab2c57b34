"""Hostile input for ``arkiv ingest`` and ``arkiv parse``: no single file stops the batch, nothing is lost.

File names that are not UTF-8, zip bombs (in a zip and as a DOCX), unsafe and
repeated zip member names, FIFOs, folders that cannot be read, and the exit
code while the quarantine is not empty. Every command runs as a real process
with its own empty temporary directory, which must still be empty afterwards:
scratch files live under the archive and are cleaned.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fixtures.make_files import make_long_pdf, make_meeting_docx, make_meeting_pdf

from ingest.sources import MemberTooLarge, SourceReader, Walk, ZipLimits
from parsers.paths import disk_path, display_path, read_display_path

ROOT = Path(__file__).resolve().parent.parent
ARKIV = [sys.executable, "-c", "from search_cli.cli import main; main()"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bytes file names, FIFOs, setuid")


def _arkiv(tmp: Path, *args: str | bytes, timeout: float = 180, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``arkiv`` in a process whose temporary directory is ``tmp`` (checked for leftovers by the tests)."""
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.run(
        [*ARKIV, *args],  # type: ignore[list-item]
        cwd=ROOT,
        capture_output=True,
        text=True,
        errors="strict",
        env=env,
        timeout=timeout,
        **kwargs,  # type: ignore[arg-type]
    )


def _files(archive: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """path -> (status, sha256, error_code) from the catalog."""
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        rows = conn.execute(
            "SELECT f.path, f.status, f.sha256, coalesce(f.error_code, c.error_code) "
            "FROM files f LEFT JOIN contents c ON c.sha256 = f.sha256"
        ).fetchall()
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- file names that are not UTF-8 ---------------------------------------------------------------------------


def test_latin1_file_and_folder_names_are_imported_shown_and_matched_on_rerun(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    raw_src = os.fsencode(src)
    pdf = make_meeting_pdf(tmp_path / "m.pdf", pages=2)
    docx_file = make_meeting_docx(tmp_path / "m.docx")
    os.rename(pdf, raw_src + b"/m\xf8de.pdf")  # Latin-1 "møde.pdf" from an old Windows share
    os.mkdir(raw_src + b"/R\xe5dhus")  # Latin-1 "Rådhus"
    os.rename(docx_file, raw_src + b"/R\xe5dhus/referat.docx")
    with zipfile.ZipFile(tmp_path / "pakke.zip", "w") as zf:
        zf.write(make_meeting_pdf(tmp_path / "z.pdf", pages=3), "indhold.pdf")
    os.rename(tmp_path / "pakke.zip", raw_src + b"/k\xf8rsel.zip")
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"

    first = _arkiv(tmp, "ingest", str(src), "--archive", str(archive))
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    shown = {
        f"{src}/m\\xf8de.pdf",
        f"{src}/R\\xe5dhus/referat.docx",
        f"{src}/k\\xf8rsel.zip!indhold.pdf",
    }
    files = _files(archive)
    assert set(files) == shown
    assert all(status == "present" and sha and code is None for status, sha, code in files.values())

    # The display form leads back to the exact bytes on disk.
    assert os.fsencode(disk_path(f"{src}/m\\xf8de.pdf")) == raw_src + b"/m\xf8de.pdf"
    assert os.fsencode(disk_path(f"{src}/R\\xe5dhus")) == raw_src + b"/R\xe5dhus"

    again = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert again.returncode == 0, again.stderr
    assert " 0 added, 0 changed, 0 reparsed" in again.stderr and "3 unchanged" in again.stderr

    status = _arkiv(tmp, "status", "--archive", str(archive), "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["totals"]["files"] == 3
    csv_status = _arkiv(tmp, "status", "--archive", str(archive), "--csv")
    assert csv_status.returncode == 0, csv_status.stderr

    export = _arkiv(tmp, "export-records", "--archive", str(archive), "--format", "jsonl", "--all-paths")
    assert export.returncode == 0, export.stderr
    assert {json.loads(line)["source"]["path"] for line in export.stdout.splitlines()} == shown

    parsed = subprocess.run(
        [*ARKIV, "parse", raw_src + b"/m\xf8de.pdf", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert parsed.returncode == 0, parsed.stderr
    assert json.loads(parsed.stdout)["source"]["path"] == f"{src}/m\\xf8de.pdf"

    os.unlink(raw_src + b"/m\xf8de.pdf")
    pruned = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--prune", "--no-index")
    assert pruned.returncode == 0, pruned.stderr
    assert _files(archive)[f"{src}/m\\xf8de.pdf"][0] == "removed"
    assert list(tmp.iterdir()) == []


def _patch_member_name(path: Path, placeholder: bytes, raw: bytes, *, utf8_flag: bool) -> None:
    """Give a zip member the exact name bytes ``raw`` (same length as ``placeholder``), with or without the
    UTF-8 flag: what old Windows zip tools write (CP437/CP865 names) or broken ones (flag set, bytes not UTF-8)."""
    assert len(placeholder) == len(raw)
    data = bytearray(path.read_bytes())
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = data.find(signature)
        while start != -1:
            at = start + name_offset
            if data[at : at + len(placeholder)] == placeholder:
                data[at : at + len(raw)] = raw
                flags = int.from_bytes(data[start + flag_offset : start + flag_offset + 2], "little")
                flags = flags | 0x800 if utf8_flag else flags & ~0x800
                data[start + flag_offset : start + flag_offset + 2] = flags.to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_cp437_member_names_are_imported_and_a_lying_utf8_flag_quarantines_only_its_zip(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    with zipfile.ZipFile(src / "dos.zip", "w") as zf:
        zf.write(make_meeting_pdf(tmp_path / "a.pdf", pages=2), "mXde.pdf")
    _patch_member_name(src / "dos.zip", b"mXde.pdf", b"m\x9bde.pdf", utf8_flag=False)  # CP865 "møde.pdf"
    with zipfile.ZipFile(src / "kaput.zip", "w") as zf:
        zf.write(make_meeting_pdf(tmp_path / "b.pdf", pages=3), "mXde.pdf")
    _patch_member_name(src / "kaput.zip", b"mXde.pdf", b"m\xf8de.pdf", utf8_flag=True)
    make_meeting_docx(src / "ok.docx")
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"

    first = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert first.returncode == 3, first.stderr
    files = _files(archive)
    member = f"{src}/dos.zip!m\u00a2de.pdf"  # CP437 reading of byte 0x9b: the name is kept as the zip tool wrote it
    assert files[member][0] == "present" and files[member][1] is not None
    assert files[str(src / "ok.docx")][2] is None
    assert files[str(src / "kaput.zip")][2] == "corrupt"
    assert "marked UTF-8 but is not" in first.stderr

    again = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert " 0 added, 0 changed" in again.stderr
    assert list(tmp.iterdir()) == []


# -- zip bombs and members that are too large ---------------------------------------------------------------


def test_zip_bomb_and_oversized_members_are_quarantined_without_extracting(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    good = make_meeting_pdf(tmp_path / "god.pdf", pages=2)
    with zipfile.ZipFile(src / "bombe.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bombe.pdf", b"%PDF-1.4\n" + bytes(40 * 1024 * 1024))  # 40 MB of zeros: ~40 KB compressed
        zf.writestr("stor.pdf", b"%PDF-1.4\n" + os.urandom(2 * 1024 * 1024))  # incompressible 2 MB
        zf.write(good, "god.pdf")
    assert (src / "bombe.zip").stat().st_size < 3 * 1024 * 1024
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"

    run = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert run.returncode == 3, run.stderr
    files = _files(archive)
    assert files[f"{src}/bombe.zip!bombe.pdf"] == ("present", None, "too-large")
    assert "would expand 1,0" in run.stderr and "a possible zip bomb; it was not extracted" in run.stderr
    assert files[f"{src}/bombe.zip!god.pdf"][2] is None
    stor_sha = _sha(zipfile.ZipFile(src / "bombe.zip").read("stor.pdf"))
    assert files[f"{src}/bombe.zip!stor.pdf"][1] == stor_sha  # read (and quarantined: not a valid PDF)
    assert "2 of 3 files could not be parsed" in run.stderr

    # A lower member limit: the 2 MB member is no longer read.
    limited = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index", "--max-member-size", "1")
    assert limited.returncode == 3
    assert _files(archive)[f"{src}/bombe.zip!stor.pdf"] == ("present", None, "too-large")
    assert "more than the limit of 1 MB (--max-member-size)" in limited.stderr
    assert list(tmp.iterdir()) == []
    assert not (archive / "ingest-tmp").exists()


def test_a_member_that_expands_past_the_limit_while_read_is_stopped(tmp_path: Path):
    """The zip's directory can lie about sizes: the reader counts the bytes it inflates."""
    zpath = tmp_path / "pakke.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.pdf", b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024))
    [entry] = list(Walk([zpath], limits=ZipLimits(max_member_bytes=10 * 1024 * 1024)))
    assert entry.readable
    reader = SourceReader(limits=ZipLimits(max_member_bytes=1024 * 1024))
    try:
        with pytest.raises(MemberTooLarge, match="expands beyond 1 MB"):
            reader.sha256(entry)
        with pytest.raises(MemberTooLarge):
            reader.local_file(entry, tmp_path)
    finally:
        reader.close()
    assert SourceReader().sha256(entry) == _sha(zipfile.ZipFile(zpath).read("a.pdf"))


def _docx_bomb(path: Path, megabytes: int) -> Path:
    """A DOCX whose word/document.xml inflates to ``megabytes`` MB of whitespace (a few hundred KB on disk)."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", head + b" " * (megabytes * 1024 * 1024) + b"</w:document>")
    return path


def test_parse_refuses_a_docx_bomb_before_reading_it(tmp_path: Path):
    bomb = _docx_bomb(tmp_path / "bombe.docx", 60)
    assert bomb.stat().st_size < 1024 * 1024
    tmp = tmp_path / "tmp"
    result = _arkiv(tmp, "parse", str(bomb), timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert str(bomb) in line and "word/document.xml" in line and "zip bomb" in line
    assert list(tmp.iterdir()) == []


def test_parse_has_the_ingest_time_and_memory_bounds(tmp_path: Path):
    long_pdf = make_long_pdf(tmp_path / "lang.pdf", 300)
    tmp = tmp_path / "tmp"
    slow = _arkiv(tmp, "parse", str(long_pdf), "--timeout", "0.5", timeout=60)
    assert slow.returncode == 1
    [line] = slow.stderr.splitlines()
    assert str(long_pdf) in line and "longer than 0.5 s" in line

    greedy = _arkiv(tmp, "parse", str(long_pdf), "--max-memory", "20", timeout=60)
    assert greedy.returncode == 1
    [line] = greedy.stderr.splitlines()
    assert "more than 20 MB of memory" in line
    assert list(tmp.iterdir()) == []


def test_parse_removes_the_scratch_folder_a_killed_parse_left(tmp_path: Path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp / f"arkiv-scratch-{gone.pid}-abc"
    (stale / "worker-x").mkdir(parents=True)
    (stale / "worker-x" / "member.pdf").write_bytes(b"%PDF-1.4")
    mine = tmp / f"arkiv-scratch-{os.getpid()}-live"  # a live process's folder stays
    mine.mkdir()
    result = _arkiv(tmp, "parse", str(make_meeting_pdf(tmp_path / "a.pdf", pages=2)), "--json")
    assert result.returncode == 0, result.stderr
    assert sorted(tmp.iterdir()) == [mine]


# -- zip member names ------------------------------------------------------------------------------------


def test_unsafe_and_repeated_member_names(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    first = make_meeting_pdf(tmp_path / "a.pdf", pages=2).read_bytes()
    second = make_meeting_pdf(tmp_path / "b.pdf", pages=3).read_bytes()
    assert first != second
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(src / "pakke.zip", "w") as zf:
        zf.writestr("dobbelt.pdf", first)
        zf.writestr("dobbelt.pdf", second)
        zf.writestr("../ude.pdf", first)
        zf.writestr("/abs/ude2.pdf", second)
        zf.writestr("C:/windows/ude3.pdf", second)
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"

    run = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert run.returncode == 3, run.stderr
    files = _files(archive)
    zip_path = f"{src}/pakke.zip"
    assert files[f"{zip_path}!dobbelt.pdf"][1] == _sha(first)
    assert files[f"{zip_path}!dobbelt.pdf#2"][1] == _sha(second)
    for name in ("../ude.pdf", "/abs/ude2.pdf", "C:/windows/ude3.pdf"):
        assert files[f"{zip_path}!{name}"] == ("present", None, "unsafe-name")
    assert "3 of 5 files could not be parsed" in run.stderr
    assert "unsafe member name" in run.stderr
    assert not (tmp_path / "ude.pdf").exists() and not Path("/abs").exists()

    export = _arkiv(tmp, "export-records", "--archive", str(archive), "--all-paths")
    paths = sorted(json.loads(line)["source"]["path"] for line in export.stdout.splitlines())
    assert paths == [f"{zip_path}!dobbelt.pdf", f"{zip_path}!dobbelt.pdf#2"]

    again = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert " 0 added, 0 changed" in again.stderr and "5 unchanged" in again.stderr
    assert "3 files still quarantined" in again.stderr
    assert list(tmp.iterdir()) == []


def test_a_member_without_a_name_is_quarantined_and_its_siblings_imported(tmp_path: Path):
    # found by the fuzzer: an empty member name (ZipInfo.is_dir raises IndexError) stopped the walk
    src = tmp_path / "src"
    src.mkdir()
    good = make_meeting_pdf(tmp_path / "god.pdf", pages=2).read_bytes()
    with zipfile.ZipFile(src / "navnloes.zip", "w") as zf:
        zf.writestr(zipfile.ZipInfo("", date_time=(2024, 1, 1, 0, 0, 0)), good)  # writestr("") refuses it
        zf.writestr("god.pdf", good)
    archive = tmp_path / "arkiv"

    run = _arkiv(tmp_path / "tmp", "ingest", str(src), "--archive", str(archive), "--no-index")
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr
    files = _files(archive)
    assert files[f"{src}/navnloes.zip!"] == ("present", None, "unsafe-name")
    assert files[f"{src}/navnloes.zip!god.pdf"][1] == _sha(good)


# -- files that are not regular files --------------------------------------------------------------------


def test_parse_refuses_a_fifo_and_a_folder_without_opening_them(tmp_path: Path):
    fifo = tmp_path / "rør.pdf"
    os.mkfifo(fifo)
    tmp = tmp_path / "tmp"
    result = _arkiv(tmp, "parse", str(fifo), timeout=30)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert str(fifo) in line and "not a regular file (a FIFO" in line
    folder = _arkiv(tmp, "parse", str(tmp_path), timeout=30)
    assert folder.returncode == 1
    assert "not a regular file (a folder)" in folder.stderr


def test_ingest_records_a_fifo_with_its_reason_and_never_opens_it(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    make_meeting_pdf(src / "a.pdf", pages=2)
    os.mkfifo(src / "rør.pdf")
    os.mkfifo(src / "rør.txt.sock")  # not a document name: ignored like any other
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"
    run = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index", timeout=60)
    assert run.returncode == 3, run.stderr
    assert _files(archive)[str(src / "rør.pdf")] == ("present", None, "unsupported")
    assert "not a regular file (a FIFO (named pipe))" in run.stderr
    again = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index", timeout=60)
    assert again.returncode == 3
    assert " 0 added, 0 changed" in again.stderr and "1 files still quarantined" in again.stderr
    direct = _arkiv(tmp, "ingest", str(src / "rør.pdf"), "--archive", str(archive), "--no-index", timeout=60)
    assert direct.returncode == 3 and "Traceback" not in direct.stderr


# -- --prune with a folder that cannot be read ------------------------------------------------------------


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _without_root_file_access() -> None:
    """In the child before exec: drop the capabilities that let root read any folder (chmod 000 then holds)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def _folder_is_unreadable(folder: Path) -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", f"import os; os.listdir({str(folder)!r})"],
        preexec_fn=_without_root_file_access,
        capture_output=True,
    )
    return probe.returncode != 0


def test_prune_keeps_the_files_of_a_folder_it_cannot_read(tmp_path: Path):
    src = tmp_path / "src"
    (src / "aaben").mkdir(parents=True)
    (src / "lukket").mkdir()
    make_meeting_pdf(src / "aaben" / "a.pdf", pages=2)
    make_meeting_docx(src / "lukket" / "b.docx")
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"
    command = ["ingest", str(src), "--archive", str(archive), "--no-index"]
    first = _arkiv(tmp, *command)
    assert first.returncode == 0, first.stderr

    os.chmod(src / "lukket", 0o000)
    try:
        if not _folder_is_unreadable(src / "lukket"):
            pytest.skip("this process can read a chmod 000 folder even without its capabilities")
        pruned = _arkiv(tmp, *command, "--prune", preexec_fn=_without_root_file_access)
        assert pruned.returncode == 3, pruned.stderr
        assert f"{src / 'lukket'}: cannot read the folder (Permission denied); its files are kept" in pruned.stderr
        assert "1 folders could not be read" in pruned.stderr
        assert " 0 removed" in pruned.stderr
        files = _files(archive)
        assert files[str(src / "lukket" / "b.docx")][0] == "present"
        assert files[str(src / "aaben" / "a.pdf")][0] == "present"

        dry = _arkiv(tmp, *command, "--prune", "--dry-run", preexec_fn=_without_root_file_access)
        assert "remove" not in dry.stdout
        assert f"error\t{src / 'lukket'}\tcannot read the folder" in dry.stderr
    finally:
        os.chmod(src / "lukket", 0o755)

    (src / "lukket" / "b.docx").unlink()
    really = _arkiv(tmp, *command, "--prune")
    assert really.returncode == 0, really.stderr
    assert _files(archive)[str(src / "lukket" / "b.docx")][0] == "removed"
    assert list(tmp.iterdir()) == []


# -- exit code while the quarantine is not empty ------------------------------------------------------------


def test_a_no_change_rerun_exits_3_while_files_are_quarantined(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    make_meeting_pdf(src / "a.pdf", pages=2)
    (src / "defekt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"
    first = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert first.returncode == 3
    assert "1 of 2 files could not be parsed" in first.stderr

    again = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert again.returncode == 3
    assert again.stderr.strip().splitlines()[-1] == (
        f"Error: 1 files still quarantined; see `arkiv status --archive {archive}`"
    )

    (src / "defekt.pdf").unlink()
    cleared = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index", "--prune")
    assert cleared.returncode == 0, cleared.stderr
    assert list(tmp.iterdir()) == []


def test_display_path_round_trip_for_every_byte():
    for byte in range(0x80, 0x100):
        raw = os.fsdecode(b"/x/m" + bytes([byte]) + b"de.pdf")
        shown = display_path(raw)
        shown.encode("utf-8")  # storable in SQLite, JSON, CSV
        assert disk_path(shown) == raw or shown == raw
    assert display_path("/x/møde.pdf") == "/x/møde.pdf"
    assert disk_path("/x/møde.pdf") == "/x/møde.pdf"


def test_catalog_paths_read_back_their_exact_bytes(tmp_path: Path):
    """What aktindsigt copies: plain files and zip members by their catalog path, whatever their names."""
    raw_dir = os.fsencode(tmp_path)
    with open(raw_dir + b"/m\xf8de.pdf", "wb") as f:
        f.write(b"plain bytes")
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(tmp_path / "p.zip", "w") as zf:
        zf.writestr("a.pdf", b"first")
        zf.writestr("a.pdf", b"second")
        zf.writestr("b#2.pdf", b"a literal hash")
    os.rename(tmp_path / "p.zip", raw_dir + b"/p\xe6kke.zip")
    entries = {e.path: e for e in Walk([tmp_path])}
    assert sorted(entries) == [
        f"{tmp_path}/m\\xf8de.pdf",
        f"{tmp_path}/p\\xe6kke.zip!a.pdf",
        f"{tmp_path}/p\\xe6kke.zip!a.pdf#2",
        f"{tmp_path}/p\\xe6kke.zip!b#2.pdf",
    ]
    expected = [b"plain bytes", b"first", b"second", b"a literal hash"]
    assert [read_display_path(p) for p in sorted(entries)] == expected
    reader = SourceReader()
    try:
        assert [reader.sha256(entries[p]) for p in sorted(entries)] == [_sha(b) for b in expected]
    finally:
        reader.close()
    with pytest.raises(KeyError):
        read_display_path(f"{tmp_path}/p\\xe6kke.zip!a.pdf#3")


def _u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "little")


def _damage_member_data(path: Path, member: str) -> None:
    """Make a deflated member's first block header invalid (block type 3: zlib.error on reading); the
    zip's directory stays intact."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + _u16(data, info.header_offset + 26) + _u16(data, info.header_offset + 28)
    data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))


def _require_zip_version(path: Path, member: str, version: int = 235) -> None:
    """Mark a member in the central directory as needing zip ``version`` (23.5) to extract."""
    data = bytearray(path.read_bytes())
    offset = data.find(b"PK\x01\x02")
    while offset >= 0:
        name = bytes(data[offset + 46 : offset + 46 + _u16(data, offset + 28)])
        if name == member.encode():
            data[offset + 6 : offset + 8] = version.to_bytes(2, "little")
        offset = data.find(b"PK\x01\x02", offset + 4)
    path.write_bytes(bytes(data))


def test_damaged_member_data_and_unsupported_zip_versions_are_quarantined(tmp_path: Path):
    # found by the fuzzer: zlib.error while hashing a member stopped the whole import, and a zip
    # (or DOCX) needing a newer zip version raised NotImplementedError
    src = tmp_path / "src"
    src.mkdir()
    good = make_meeting_pdf(tmp_path / "god.pdf", pages=2)
    with zipfile.ZipFile(src / "skadet.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(good, "skadet.pdf")
        zf.write(good, "god.pdf")
    _damage_member_data(src / "skadet.zip", "skadet.pdf")
    with zipfile.ZipFile(src / "ny-version.zip", "w") as zf:
        zf.write(good, "ny.pdf")
    _require_zip_version(src / "ny-version.zip", "ny.pdf")
    docx_path = make_meeting_docx(src / "ny-version.docx")
    _require_zip_version(docx_path, "word/document.xml")
    archive = tmp_path / "arkiv"
    tmp = tmp_path / "tmp"

    run = _arkiv(tmp, "ingest", str(src), "--archive", str(archive), "--no-index")
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stderr
    files = _files(archive)
    assert files[f"{src}/skadet.zip!god.pdf"][2] is None  # its sibling is imported
    status, _sha256, code = files[f"{src}/skadet.zip!skadet.pdf"]
    assert status == "present" and code is not None
    assert files[f"{src}/ny-version.zip"][2] == "corrupt"
    assert "zip file version 23.5" in run.stderr
    assert files[f"{src}/ny-version.docx"][2] == "corrupt"
    assert list(tmp.iterdir()) == []

    parsed = _arkiv(tmp, "parse", str(docx_path))
    assert parsed.returncode == 1
    assert parsed.stderr.count("\n") == 1 and "not a valid DOCX" in parsed.stderr


def test_a_member_with_an_impossible_date_is_imported(tmp_path: Path):
    # found by the fuzzer: month 13 in a member's DOS date stopped the walk of every file
    src = tmp_path / "src"
    src.mkdir()
    good = make_meeting_pdf(tmp_path / "god.pdf", pages=2)
    with zipfile.ZipFile(src / "dato.zip", "w") as zf:
        zf.write(good, "god.pdf")
        zf.write(good, "ogsaa-god.pdf")
    data = bytearray((src / "dato.zip").read_bytes())
    offset = data.find(b"PK\x01\x02")
    dos_date = ((2024 - 1980) << 9) | (13 << 5) | 1  # month 13
    data[offset + 14 : offset + 16] = dos_date.to_bytes(2, "little")
    (src / "dato.zip").write_bytes(bytes(data))
    archive = tmp_path / "arkiv"

    run = _arkiv(tmp_path / "tmp", "ingest", str(src), "--archive", str(archive), "--no-index")
    assert run.returncode == 0, run.stderr
    files = _files(archive)
    assert files[f"{src}/dato.zip!god.pdf"][2] is None and files[f"{src}/dato.zip!ogsaa-god.pdf"][2] is None
    rerun = _arkiv(tmp_path / "tmp", "ingest", str(src), "--archive", str(archive), "--no-index")
    assert rerun.returncode == 0 and "unchanged" in rerun.stderr
