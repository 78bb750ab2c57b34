"""File names that are not valid UTF-8: one display form for tables, JSON and the catalog, and the way back.

On Linux a file name is bytes. Python hands undecodable bytes over as lone
surrogates (``os.fsdecode(b"m\\xf8de.pdf") == "m\\udcf8de.pdf"``), which SQLite,
JSON on stdout and CSV cannot hold. The display form writes each such byte as
``\\xNN`` (``"m\\\\xf8de.pdf"``, shown as ``m\\xf8de.pdf``); every valid name is
its own display form. ``disk_path`` turns a display form back into the name
on disk, so the exact bytes can be opened again.

Only bytes 0x80-0xff are ever escaped (ASCII is always valid UTF-8). A real
name that is valid UTF-8 and literally contains a backslash, an ``x`` and two
such hex digits is ambiguous; ``disk_path`` then prefers the name that exists.

A catalog path may also name a zip member (``/d/b.zip!folder/a.pdf``); the
second member of the same name in one zip is ``/d/b.zip!folder/a.pdf#2``.
``read_display_path`` reads the bytes of any of these forms.
"""

from __future__ import annotations

import os
import re
import zipfile

__all__ = ["disk_path", "display_path", "has_undecodable", "read_display_path"]

_ESCAPE = re.compile(r"\\x([89a-f][0-9a-f])")


def has_undecodable(path: str) -> bool:
    """True when ``path`` holds bytes that are not valid UTF-8 (as surrogate escapes)."""
    return any("\udc80" <= ch <= "\udcff" for ch in path)


def display_path(path: str) -> str:
    """The path with undecodable bytes written as ``\\xNN``; valid paths are returned unchanged."""
    if not has_undecodable(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def disk_path(display: str) -> str:
    """The name on disk for a display form made by ``display_path`` (surrogate escapes for the bytes)."""
    if "\\x" not in display:
        return display
    raw = _ESCAPE.sub(lambda m: chr(0xDC00 + int(m[1], 16)), display)
    if raw == display or os.path.lexists(raw) or not os.path.lexists(display):
        return raw
    return display


_NTH = re.compile(r"(.*)#([2-9]|[1-9][0-9]+)")


def _member_bytes(zf: zipfile.ZipFile, member: str) -> bytes:
    """A member's bytes by name, or by ``name#n`` for the n-th member of that name."""
    infos = [i for i in zf.infolist() if i.filename == member]
    if infos:
        return zf.read(infos[0])
    nth = _NTH.fullmatch(member)
    if nth is not None:
        same = [i for i in zf.infolist() if i.filename == nth[1]]
        if len(same) >= int(nth[2]):
            return zf.read(same[int(nth[2]) - 1])
    raise KeyError(f"there is no member named {member!r} in the archive")


def read_display_path(display: str, separator: str = "!") -> bytes:
    """The bytes of a catalog path: a plain file or a zip member (raises OSError, KeyError, zipfile.BadZipFile)."""
    at = display.find(separator)
    while at != -1:
        container = disk_path(display[:at])
        if os.path.isfile(container):
            with zipfile.ZipFile(container) as zf:
                return _member_bytes(zf, display[at + 1 :])
        at = display.find(separator, at + 1)
    with open(disk_path(display), "rb") as f:
        return f.read()
