"""Saved aktindsigt requests: named lists of items that a coordinator builds up and decides on.

A request lives in ``<archive>/aktindsigt/requests/<key>.json`` and survives restarts. Every change
reads the file, changes it and writes it again as a temporary file renamed over the old one, under an
exclusive lock on ``<archive>/aktindsigt/requests/.lock``, so that two writers (two browser tabs, two
server processes) never lose each other's changes and a reader never sees half a file.

Each entry is an index id (``item_key``/``document_key``) with the full sha256 of its content, how it
was added ("valgt fra søgning", "sag 22/23184", "søgning «...»"), whether it is included, and the
reason when it is not. Closed items and personal data are not decided here: the package
(``aktindsigt.package.build_package``) withholds and flags them by its own rules.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

__all__ = [
    "FORMAT_VERSION",
    "MAX_NAME_CHARS",
    "REQUESTS_DIR",
    "Entry",
    "Request",
    "RequestError",
    "RequestStore",
    "request_key",
]

FORMAT_VERSION = 1
REQUESTS_DIR = Path("aktindsigt") / "requests"
MAX_NAME_CHARS = 120
MAX_REASON_CHARS = 500
_ID_RE = re.compile(r"^[0-9a-f]{16}(?:-\d+-\d+)?$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class RequestError(Exception):
    """A request cannot be read, found or changed (one line: which request or file, and why)."""


@dataclass(frozen=True)
class Entry:
    id: str  # index id of the item (or whole document)
    sha256: str  # full sha256 of the content holding it
    added_via: str  # how it was added, in Danish, e.g. "sag 22/23184"
    added: str  # UTC time, ISO 8601
    included: bool = True
    reason: str = ""  # why it is excluded ("" while included)

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"not an item id: {self.id!r}")
        if not _SHA_RE.match(self.sha256):
            raise ValueError(f"not a sha256: {self.sha256!r}")


@dataclass(frozen=True)
class Request:
    key: str  # file name stem, also the request's address in the web application
    name: str
    created: str  # UTC time, ISO 8601
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def entry(self, item_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == item_id), None)

    @property
    def included(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.included)

    @property
    def excluded(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.included)

    def to_json(self) -> str:
        data = {"format_version": FORMAT_VERSION, **asdict(self)}
        data["entries"] = [asdict(e) for e in self.entries]
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @staticmethod
    def from_json(text: str) -> Request:
        data = json.loads(text)
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version {data.get('format_version')!r} is not {FORMAT_VERSION}")
        entries = tuple(Entry(**e) for e in data["entries"])
        return Request(key=data["key"], name=data["name"], created=data["created"], entries=entries)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise RequestError("give the request a name, e.g. 'Aktindsigt 2024-017'")
    if len(cleaned) > MAX_NAME_CHARS:
        raise RequestError(f"the name is {len(cleaned)} characters long; use at most {MAX_NAME_CHARS}")
    return cleaned


def request_key(name: str) -> str:
    """The file name stem of a request: the name's letters and digits, and a short hash of the whole name
    (two names that differ only in punctuation get two files)."""
    cleaned = _clean_name(name)
    slug = re.sub(r"[^0-9a-zæøå]+", "-", cleaned.lower()).strip("-")[:60] or "anmodning"
    digest = hashlib.sha256(cleaned.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


_KEY_RE = re.compile(r"^[0-9a-zæøå-]{1,60}-[0-9a-f]{8}$")


class RequestStore:
    """The saved requests of one archive."""

    def __init__(self, archive: Path) -> None:
        self.directory = Path(archive) / REQUESTS_DIR

    def _path(self, key: str) -> Path:
        if not _KEY_RE.match(key):
            raise RequestError(f"no aktindsigt request {key!r}")
        return self.directory / f"{key}.json"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise RequestError(f"{self.directory}: cannot write requests ({e.strerror or e})") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self, path: Path) -> Request:
        try:
            return Request.from_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RequestError(f"no aktindsigt request {path.stem!r}") from None
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise RequestError(f"{path}: cannot read the request ({e})") from e

    def _write(self, request: Request) -> None:
        path = self._path(request.key)
        try:
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.directory, prefix=f".{request.key}.", suffix=".tmp", delete=False
            ) as tmp:
                tmp.write(request.to_json())
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp.name, path)
        except OSError as e:
            raise RequestError(f"{path}: cannot write the request ({e.strerror or e})") from e

    def _change(self, key: str, change: Callable[[Request], Request]) -> Request:
        with self._locked():
            changed = change(self._read(self._path(key)))
            self._write(changed)
            return changed

    # -- reading ---------------------------------------------------------------

    def list(self) -> list[Request]:
        """Every saved request, by name."""
        if not self.directory.is_dir():
            return []
        found = [self._read(p) for p in sorted(self.directory.glob("*.json")) if _KEY_RE.match(p.stem)]
        return sorted(found, key=lambda r: r.name.lower())

    def get(self, key: str) -> Request:
        return self._read(self._path(key))

    # -- changing --------------------------------------------------------------

    def create(self, name: str) -> Request:
        """A new, empty request; an error when a request of that name exists."""
        cleaned = _clean_name(name)
        key = request_key(cleaned)
        with self._locked():
            if self._path(key).exists():
                raise RequestError(f"a request named {cleaned!r} exists already")
            request = Request(key=key, name=cleaned, created=_now())
            self._write(request)
            return request

    def add(self, key: str, items: Iterable[tuple[str, str]], added_via: str) -> Request:
        """Add items ``(id, sha256)``; items already on the request keep their entry and decision."""
        stamp = _now()
        new = [Entry(item_id, sha, added_via, stamp) for item_id, sha in items]

        def change(request: Request) -> Request:
            known = {e.id for e in request.entries}
            fresh = [e for e in dict((e.id, e) for e in new).values() if e.id not in known]
            return replace(request, entries=request.entries + tuple(fresh))

        return self._change(key, change)

    def decide(self, key: str, item_id: str, included: bool, reason: str = "") -> Request:
        """Mark one entry included, or excluded with a reason (required)."""
        reason = " ".join(reason.split())
        if not included and not reason:
            raise RequestError("give a reason for leaving the item out (e.g. 'intern arbejdsdokument, § 23')")
        if len(reason) > MAX_REASON_CHARS:
            raise RequestError(f"the reason is {len(reason)} characters long; use at most {MAX_REASON_CHARS}")

        def change(request: Request) -> Request:
            if request.entry(item_id) is None:
                raise RequestError(f"item {item_id!r} is not on the request {request.name!r}")
            entries = tuple(
                replace(e, included=included, reason="" if included else reason) if e.id == item_id else e
                for e in request.entries
            )
            return replace(request, entries=entries)

        return self._change(key, change)

    def remove(self, key: str, item_id: str) -> Request:
        """Take one entry off the request."""
        return self._change(key, lambda r: replace(r, entries=tuple(e for e in r.entries if e.id != item_id)))

    def delete(self, key: str) -> None:
        """Delete the whole request."""
        path = self._path(key)
        with self._locked():
            try:
                path.unlink()
            except FileNotFoundError:
                raise RequestError(f"no aktindsigt request {key!r}") from None
            except OSError as e:
                raise RequestError(f"{path}: cannot delete the request ({e.strerror or e})") from e
