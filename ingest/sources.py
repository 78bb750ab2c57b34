"""Walk the inputs of an import (files, folders, zip files) into source entries.

A folder is read recursively in sorted order; a ``.zip`` is read in place (its
members, including nested folders, become entries named
``/path/archive.zip!folder/file.pdf``). Which files are entries:

* ``.pdf``/``.docx``/``.html``/``.htm`` and files without a suffix (the content decides);
* other document formats a municipality's archive holds (``.doc``, ``.rtf``,
  ``.odt``, ``.xml``, ``.tif``, ``.msg``, ...; see
  ``DOCUMENT_SUFFIXES``): they are entries too, so that they are quarantined
  as unsupported with a reason instead of disappearing unseen;
* a file given by name on the command line, whatever its suffix.

Everything else in a folder (``.json`` sidecars, ``.csv``, ``.ini``, thumbnails
databases) is counted as ``ignored`` and not recorded. Skipped on purpose as
well: hidden names (``.DS_Store``, ``.git``), Office lock files (``~$x.docx``),
``__MACOSX`` folders in zips, and the archive directory itself.

Only ``os.stat`` and the zip's central directory are read here; hashing and
parsing happen later, and only for entries whose size or mtime changed.
"""

from __future__ import annotations

import calendar
import os
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.catalog import FileEntry
from parsers import sha256_of_stream

__all__ = ["DOCUMENT_SUFFIXES", "PARSED_SUFFIXES", "ZIP_SEPARATOR", "SourceEntry", "SourceReader", "Walk", "walk"]

ZIP_SEPARATOR = "!"
PARSED_SUFFIXES = frozenset({"pdf", "docx", "html", "htm", ""})
DOCUMENT_SUFFIXES = PARSED_SUFFIXES | frozenset(
    {
        "doc", "docm", "dot", "dotx", "rtf", "odt", "txt", "htm", "html", "xml", "xhtml", "mht", "wpd",
        "xls", "xlsx", "ods", "ppt", "pptx", "odp", "msg", "eml", "tif", "tiff", "jpg", "jpeg", "png",
    }
)  # fmt: skip
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceEntry:
    """One file to import: a plain file or a zip member."""

    path: str  # display path, the catalog's key
    size: int
    mtime: float
    container: str | None = None  # the zip file for a member; None: a plain file
    member: str | None = None  # member name inside the zip; None: a plain file
    crc32: int | None = None  # zip members only
    problem_code: str | None = None  # set when the entry cannot be parsed at all (bad zip, nested zip, ...)
    problem: str | None = None  # one-line reason

    @property
    def suffix(self) -> str:
        name = self.member if self.member is not None else self.path
        return os.path.splitext(name)[1].lower().lstrip(".")

    def file_entry(self) -> FileEntry:
        return FileEntry(
            path=self.path,
            size=self.size,
            mtime=self.mtime,
            container=self.container,
            member=self.member,
            crc32=self.crc32,
        )


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$") or name == "__MACOSX"


def _abs(path: Path) -> str:
    return os.path.normpath(os.path.abspath(path))


def _document(name: str) -> bool:
    return os.path.splitext(name)[1].lower().lstrip(".") in DOCUMENT_SUFFIXES


class Walk:
    """Iterate the source entries of files, folders (recursive) and zip files, in a stable order.

    ``ignored`` counts the files that are not documents (see the module docstring), once iterated.
    """

    def __init__(self, roots: Sequence[Path], *, exclude: Path | None = None) -> None:
        self.roots = list(roots)
        self.excluded = _abs(exclude) if exclude is not None else None
        self.ignored = 0

    def __iter__(self) -> Iterator[SourceEntry]:
        seen: set[str] = set()
        for root in self.roots:
            for entry in self._walk_root(Path(root)):
                if entry.path not in seen:
                    seen.add(entry.path)
                    yield entry

    def _walk_root(self, root: Path) -> Iterator[SourceEntry]:
        top = _abs(root)
        if not os.path.isdir(top):
            yield from self._file_entries(top)
            return
        for dirpath, dirnames, filenames in os.walk(top):
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
            yield SourceEntry(path, 0, 0.0, problem_code="unreadable", problem=reason)
            return
        if not os.path.isfile(path):
            return
        if path.lower().endswith(".zip"):
            yield from self._zip_entries(path, st)
            return
        yield SourceEntry(path, st.st_size, st.st_mtime)

    def _zip_entries(self, path: str, st: os.stat_result) -> Iterator[SourceEntry]:
        try:
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            reason = f"not a readable zip file ({e})"
            yield SourceEntry(path, st.st_size, st.st_mtime, problem_code="corrupt", problem=reason)
            return
        for info in sorted(infos, key=lambda i: i.filename):
            if info.is_dir() or any(_skipped_name(p) for p in info.filename.split("/")):
                continue
            if not (info.filename.lower().endswith(".zip") or _document(info.filename)):
                self.ignored += 1
                continue
            yield _member_entry(path, info)


def walk(roots: Sequence[Path], *, exclude: Path | None = None) -> Iterator[SourceEntry]:
    """Source entries of files, folders (recursive) and zip files, in a stable order, without duplicates."""
    return iter(Walk(roots, exclude=exclude))


def _member_entry(path: str, info: zipfile.ZipInfo) -> SourceEntry:
    display = f"{path}{ZIP_SEPARATOR}{info.filename}"
    size, mtime = info.file_size, float(calendar.timegm((*info.date_time, 0, 0, 0)))
    common = {"container": path, "member": info.filename, "crc32": info.CRC}
    if info.flag_bits & 0x1:
        reason = "the zip member is password-protected; unpack it with the password first"
        return SourceEntry(display, size, mtime, **common, problem_code="encrypted", problem=reason)
    if info.filename.lower().endswith(".zip"):
        reason = "a zip inside a zip is not read; unpack the outer zip and import the folder"
        return SourceEntry(display, size, mtime, **common, problem_code="unsupported", problem=reason)
    return SourceEntry(display, size, mtime, **common)


class SourceReader:
    """Reads entries' bytes: hashes them and copies zip members to a real file. Keeps zips open."""

    def __init__(self, max_open: int = 8) -> None:
        self._zips: dict[str, zipfile.ZipFile] = {}
        self._max_open = max_open

    def _zip(self, path: str) -> zipfile.ZipFile:
        zf = self._zips.get(path)
        if zf is None:
            if len(self._zips) >= self._max_open:
                oldest = next(iter(self._zips))
                self._zips.pop(oldest).close()
            zf = zipfile.ZipFile(path)
            self._zips[path] = zf
        return zf

    def sha256(self, entry: SourceEntry) -> str:
        """The sha256 of the entry's bytes (raises OSError, zipfile.BadZipFile on unreadable input)."""
        if entry.container is None:
            with open(entry.path, "rb") as f:
                return sha256_of_stream(f)
        assert entry.member is not None
        with self._zip(entry.container).open(entry.member) as f:
            return sha256_of_stream(f)

    def local_file(self, entry: SourceEntry, workdir: Path) -> Path:
        """A real file with the entry's bytes: the file itself, or a zip member copied into ``workdir``."""
        if entry.container is None:
            return Path(entry.path)
        assert entry.member is not None
        suffix = os.path.splitext(entry.member)[1]
        target = workdir / f"member{suffix}"
        with self._zip(entry.container).open(entry.member) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
        return target

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()
