"""Walk the inputs of an import (files, folders, zip files) into source entries.

A folder is read recursively in sorted order; a ``.zip`` is read in place (its
members, including nested folders, become entries named
``/path/archive.zip!folder/file.pdf``). Which files are entries:

* ``.pdf``/``.docx``/``.html``/``.htm``, the word-processor formats LibreOffice converts
  (``.doc``, ``.rtf``, ``.odt``, ``.wpd``, ``.docm``, ...; see ``parsers.legacy``) and files
  without a suffix (the content decides);
* other document formats a municipality's archive holds (``.doc``, ``.rtf``,
  ``.odt``, ``.xml``, ``.tif``, ``.msg``, ...; see
  ``DOCUMENT_SUFFIXES``): they are entries too, so that they are quarantined
  as unsupported with a reason instead of disappearing unseen;
* a file given by name on the command line, whatever its suffix.

Everything else in a folder (``.json`` sidecars, ``.csv``, ``.ini``, thumbnails
databases) is counted as ``ignored`` and not recorded. Skipped on purpose as
well: hidden names (``.DS_Store``, ``.git``), Office lock files (``~$x.docx``),
``__MACOSX`` folders in zips, and the archive directory itself.

Recorded with a reason but never opened: files that are not regular files
(FIFOs, sockets, devices), zip members with unsafe names (absolute or with
``..``) and zip members that would expand past ``ZipLimits`` (zip bombs).
Two members of one zip with the same name are two entries (``b.zip!a.pdf``
and ``b.zip!a.pdf#2``), each with its own bytes. A name that is not valid
UTF-8 is keyed by its display form (``m\\xf8de.pdf``, see ``parsers.paths``)
and opened by its bytes. A folder that cannot be read is listed in
``Walk.folder_errors``: its files are unknown, not gone.

Only ``os.stat`` and the zip's central directory are read here; hashing and
parsing happen later, and only for entries whose size or mtime changed.
"""

from __future__ import annotations

import calendar
import dataclasses
import io
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from ingest.catalog import FileEntry
from parsers import sha256_of_stream
from parsers.errors import ZIP_READ_ERRORS
from parsers.paths import display_path

__all__ = [
    "DEFAULT_MAX_MEMBER_MB",
    "DOCUMENT_SUFFIXES",
    "PARSED_SUFFIXES",
    "ZIP_SEPARATOR",
    "MemberTooLarge",
    "SourceEntry",
    "SourceReader",
    "Walk",
    "ZipLimits",
    "not_regular",
    "unsafe_member_name",
    "walk",
]

ZIP_SEPARATOR = "!"
PARSED_SUFFIXES = frozenset(
    {"pdf", "docx", "html", "htm", "", "doc", "dot", "rtf", "odt", "ott", "wpd", "docm", "dotx", "dotm"}
)
DOCUMENT_SUFFIXES = PARSED_SUFFIXES | frozenset(
    {
        "doc", "docm", "dot", "dotx", "rtf", "odt", "txt", "htm", "html", "xml", "xhtml", "mht", "wpd",
        "xls", "xlsx", "ods", "ppt", "pptx", "odp", "msg", "eml", "tif", "tiff", "jpg", "jpeg", "png",
    }
)  # fmt: skip
_CHUNK = 1 << 20
_MB = 1024 * 1024
DEFAULT_MAX_MEMBER_MB = 512  # a zip member larger than this is not extracted
MAX_EXPANSION_RATIO = 100.0  # ... nor one that expands more than this many times
RATIO_CHECK_FROM_MB = 10  # ... once it is larger than this (small members compress well legitimately)


@dataclass(frozen=True)
class ZipLimits:
    """How far a zip member may expand before it is refused unread (a zip bomb, or just too big to parse)."""

    max_member_bytes: int = DEFAULT_MAX_MEMBER_MB * 1024 * 1024
    max_ratio: float = MAX_EXPANSION_RATIO  # uncompressed/compressed, checked above ``ratio_from_bytes``
    ratio_from_bytes: int = RATIO_CHECK_FROM_MB * 1024 * 1024

    def problem(self, size: int, compressed: int) -> str | None:
        """The one-line reason to refuse a member of these sizes, or None."""
        if size > self.max_member_bytes:
            return (
                f"the zip member would expand to {size / _MB:,.0f} MB, more than the limit of "
                f"{self.max_member_bytes / _MB:,.0f} MB (--max-member-size); it was not extracted"
            )
        ratio = size / max(compressed, 1)
        if size > self.ratio_from_bytes and ratio > self.max_ratio:
            return (
                f"the zip member would expand {ratio:,.0f} times ({compressed / _MB:,.1f} MB to {size / _MB:,.0f} MB), "
                f"more than {self.max_ratio:g} times: a possible zip bomb; it was not extracted"
            )
        return None


class MemberTooLarge(ValueError):
    """A zip member produced more bytes than the limit while it was read (its directory entry lied)."""


@dataclass(frozen=True)
class SourceEntry:
    """One file to import: a plain file or a zip member."""

    path: str  # display path (undecodable bytes as \xNN, see parsers.paths), the catalog's key
    size: int
    mtime: float
    container: str | None = None  # the zip file's display path for a member; None: a plain file
    member: str | None = None  # member name inside the zip; None: a plain file
    crc32: int | None = None  # zip members only
    problem_code: str | None = None  # set when the entry cannot be parsed at all (bad zip, nested zip, ...)
    problem: str | None = None  # one-line reason
    disk: str | None = None  # the plain file or zip on disk when its name is not its display path
    member_index: int | None = None  # position in the zip's directory (tells same-named members apart)
    readable: bool = True  # False: never opened (not a regular file, unsafe member name, zip bomb)

    @property
    def suffix(self) -> str:
        name = self.member if self.member is not None else self.path
        return os.path.splitext(name)[1].lower().lstrip(".")

    @property
    def disk_path(self) -> str:
        """The file to open: the plain file, or the zip holding the member."""
        return self.disk or self.container or self.path

    def file_entry(self) -> FileEntry:
        return FileEntry(
            path=self.path,
            size=self.size,
            mtime=self.mtime,
            container=self.container,
            member=self.member,
            crc32=self.crc32,
        )


def _plain(
    path: str, size: int, mtime: float, *, problem_code: str | None = None, problem: str | None = None
) -> SourceEntry:
    """A plain file's entry: keyed by its display path, opened by its name on disk."""
    display = display_path(path)
    disk = None if display == path else path
    return SourceEntry(display, size, mtime, problem_code=problem_code, problem=problem, disk=disk)


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$") or name == "__MACOSX"


def _abs(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))


def _document(name: str) -> bool:
    return os.path.splitext(name)[1].lower().lstrip(".") in DOCUMENT_SUFFIXES


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def not_regular(mode: int) -> str | None:
    """What a file of this ``st_mode`` is when it is not a regular file (``"a FIFO (named pipe)"``), else None."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def unsafe_member_name(name: str) -> bool:
    """An empty name, an absolute name, a drive letter or a ``..`` part: a zip member that names no file
    or could point outside any folder."""
    parts = name.replace("\\", "/").split("/")
    return not name or name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


class Walk:
    """Iterate the source entries of files, folders (recursive) and zip files, in a stable order.

    Once iterated, ``ignored`` counts the files that are not documents (see the
    module docstring) and ``folder_errors`` lists the folders that could not be
    read, as (display path, reason): their files are not known, not gone.
    """

    def __init__(self, roots: Sequence[Path], *, exclude: Path | None = None, limits: ZipLimits | None = None) -> None:
        self.roots = list(roots)
        self.excluded = _abs(exclude) if exclude is not None else None
        self.limits = limits or ZipLimits()
        self.ignored = 0
        self.folder_errors: list[tuple[str, str]] = []

    def __iter__(self) -> Iterator[SourceEntry]:
        seen: set[str] = set()
        self.ignored = 0
        self.folder_errors = []
        for root in self.roots:
            for entry in self._walk_root(Path(root)):
                if entry.path not in seen:
                    seen.add(entry.path)
                    yield entry

    def _folder_error(self, error: OSError) -> None:
        folder = display_path(os.fsdecode(error.filename)) if error.filename is not None else "?"
        self.folder_errors.append((folder, f"cannot read the folder ({error.strerror or error})"))

    def _walk_root(self, root: Path) -> Iterator[SourceEntry]:
        top = _abs(root)
        if not os.path.isdir(top):
            yield from self._file_entries(top)
            return
        for dirpath, dirnames, filenames in os.walk(top, onerror=self._folder_error):
            dirnames[:] = sorted(
                d for d in dirnames if not _skipped_name(d) and os.path.join(dirpath, d) != self.excluded
            )
            for name in sorted(filenames):
                if _skipped_name(name):
                    continue
                if name.lower().endswith(".zip") or _document(name):
                    yield from self._file_entries(os.path.join(dirpath, name))
                else:
                    self.ignored += 1

    def _file_entries(self, path: str) -> Iterator[SourceEntry]:
        try:
            st = os.stat(path)
        except OSError as e:
            reason = f"cannot read the file ({e.strerror or e})"
            yield _plain(path, 0, 0.0, problem_code="unreadable", problem=reason)
            return
        what = not_regular(st.st_mode)
        if what == "a folder":
            return
        if what is not None:
            reason = f"not a regular file ({what}); only regular files are read"
            entry = _plain(path, 0, st.st_mtime, problem_code="unsupported", problem=reason)
            yield dataclasses.replace(entry, readable=False)
            return
        if path.lower().endswith(".zip"):
            yield from self._zip_entries(path, st)
            return
        yield _plain(path, st.st_size, st.st_mtime)

    def _zip_entries(self, path: str, st: os.stat_result) -> Iterator[SourceEntry]:
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except UnicodeDecodeError as e:
            reason = f"not a readable zip file (a member name is marked UTF-8 but is not: {e.reason})"
            yield _plain(path, st.st_size, st.st_mtime, problem_code="corrupt", problem=reason)
            return
        except ZIP_READ_ERRORS as e:
            reason = f"not a readable zip file ({e})"
            yield _plain(path, st.st_size, st.st_mtime, problem_code="corrupt", problem=reason)
            return
        container = _plain(path, st.st_size, st.st_mtime)
        occurrences: dict[str, int] = {}
        members: list[tuple[str, int, int, zipfile.ZipInfo]] = []
        for index, info in enumerate(infos):
            occurrences[info.filename] = occurrences.get(info.filename, 0) + 1
            members.append((info.filename, occurrences[info.filename], index, info))
        for name, nth, index, info in sorted(members, key=lambda m: (m[0], m[1])):
            if name.endswith("/"):  # a folder (``ZipInfo.is_dir`` fails on an empty name)
                continue
            if not unsafe_member_name(name) and any(_skipped_name(p) for p in name.split("/")):
                continue
            if not (unsafe_member_name(name) or name.lower().endswith(".zip") or _document(name)):
                self.ignored += 1
                continue
            yield _member_entry(container, info, index, nth, self.limits)


def walk(roots: Sequence[Path], *, exclude: Path | None = None) -> Iterator[SourceEntry]:
    """Source entries of files, folders (recursive) and zip files, in a stable order, without duplicates."""
    return iter(Walk(roots, exclude=exclude))


def _member_mtime(info: zipfile.ZipInfo) -> float:
    """The member's modification time from its DOS date; 0.0 when the date is impossible (month 0 or 13,
    day 0, hour 25: damaged or hostile directories hold them), so the crc32 alone tells a change."""
    try:
        return float(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (ValueError, OverflowError):
        return 0.0


def _member_entry(
    container: SourceEntry, info: zipfile.ZipInfo, index: int, nth: int, limits: ZipLimits
) -> SourceEntry:
    """A zip member's entry; the second member of the same name is ``zip!name#2``, and so on."""
    display = f"{container.path}{ZIP_SEPARATOR}{info.filename}" + (f"#{nth}" if nth > 1 else "")
    size, mtime = info.file_size, _member_mtime(info)
    entry = SourceEntry(
        display,
        size,
        mtime,
        container=container.path,
        member=info.filename,
        crc32=info.CRC,
        disk=container.disk,
        member_index=index,
    )
    if unsafe_member_name(info.filename):
        reason = "unsafe member name (empty, absolute or with '..'); it was not extracted"
        return dataclasses.replace(entry, problem_code="unsafe-name", problem=reason, readable=False)
    too_large = limits.problem(info.file_size, info.compress_size)
    if too_large is not None:
        return dataclasses.replace(entry, problem_code="too-large", problem=too_large, readable=False)
    if info.flag_bits & 0x1:
        reason = "the zip member is password-protected; unpack it with the password first"
        return dataclasses.replace(entry, problem_code="encrypted", problem=reason)
    if info.filename.lower().endswith(".zip"):
        reason = "a zip inside a zip is not read; unpack the outer zip and import the folder"
        return dataclasses.replace(entry, problem_code="unsupported", problem=reason)
    return entry


class _Bounded(io.RawIOBase):
    """A read-only stream that raises ``MemberTooLarge`` once more than ``limit`` bytes came through."""

    def __init__(self, stream: IO[bytes], limit: int, name: str) -> None:
        super().__init__()
        self._stream = stream
        self._left = limit
        self._limit = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._stream.read(size if size is not None and size >= 0 else _CHUNK)
        self._left -= len(data)
        if self._left < 0:
            raise MemberTooLarge(
                f"the zip member {self._name} expands beyond {self._limit / _MB:,.0f} MB while it is read; "
                "it was stopped"
            )
        return data

    def close(self) -> None:
        self._stream.close()
        super().close()


class SourceReader:
    """Reads entries' bytes: hashes them and copies zip members to a real file. Keeps zips open.

    Zip members are read through a byte counter: one that expands past the
    limit raises ``MemberTooLarge``, whatever the zip's directory declared.
    """

    def __init__(self, max_open: int = 8, limits: ZipLimits | None = None) -> None:
        self._zips: dict[str, zipfile.ZipFile] = {}
        self._max_open = max_open
        self.limits = limits or ZipLimits()

    def _zip(self, path: str) -> zipfile.ZipFile:
        zf = self._zips.get(path)
        if zf is None:
            if len(self._zips) >= self._max_open:
                oldest = next(iter(self._zips))
                self._zips.pop(oldest).close()
            zf = zipfile.ZipFile(path)
            self._zips[path] = zf
        return zf

    def _member(self, entry: SourceEntry) -> BinaryIO:
        assert entry.member is not None
        zf = self._zip(entry.disk_path)
        infos = zf.infolist()
        index = entry.member_index
        info = infos[index] if index is not None and index < len(infos) else zf.getinfo(entry.member)
        if not entry.readable or unsafe_member_name(info.filename):
            raise ValueError(entry.problem or "this zip member is not read")
        stream = zf.open(info)
        return cast(BinaryIO, _Bounded(stream, self.limits.max_member_bytes, entry.member))

    def sha256(self, entry: SourceEntry) -> str:
        """The sha256 of the entry's bytes (raises OSError, zipfile.BadZipFile on unreadable input)."""
        if not entry.readable:
            raise ValueError(entry.problem or "this file is not read")
        if entry.container is None:
            with open(entry.disk_path, "rb") as f:
                return sha256_of_stream(f)
        with self._member(entry) as f:
            return sha256_of_stream(f)

    def local_file(self, entry: SourceEntry, workdir: Path) -> Path:
        """A real file with the entry's bytes: the file itself, or a zip member copied into ``workdir``."""
        if entry.container is None:
            return Path(entry.disk_path)
        assert entry.member is not None
        suffix = os.path.splitext(entry.member)[1]
        if not re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix):
            suffix = ""
        target = workdir / f"member{suffix}"
        with self._member(entry) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
        return target

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()
