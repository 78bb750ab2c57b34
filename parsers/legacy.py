"""Legacy word-processor files → DOCX through LibreOffice, then the DOCX extractor.

Formats, recognised by their content (``sniff``), each read with LibreOffice's
own import filter so that an unreadable file fails instead of being imported
as plain text:

* Word 97-2003 ``.doc``/``.dot`` (OLE compound file with a ``WordDocument`` stream);
* ``.rtf`` (``{\\rtf``);
* OpenDocument text ``.odt``/``.ott`` (zip whose ``mimetype`` is ``…opendocument.text``);
* WordPerfect ``.wpd`` (``\\xffWPC``);
* Word with macros or as a template, ``.docm``/``.dotx``/``.dotm`` (a DOCX package
  whose main part has the macro-enabled or template content type, which the
  DOCX reader refuses): these are not given to LibreOffice but repackaged with the
  DOCX content type, which keeps Word's numbering exact (LibreOffice's DOCX
  export splits an auto-numbered list that restarts at its first paragraph).

``soffice --headless --convert-to docx`` runs with a profile directory of its
own: profiles ``profiles/profile-N`` under the cache directory are taken with an
exclusive ``flock`` for the length of one conversion, so two workers (or two
``arkiv`` commands) never share one, and a warm profile is reused. The profile
disables macros, blocks links to untrusted referers and points LibreOffice's
proxy at a closed local port; the environment's proxies too, so a document
that links remote content cannot reach the network. Each call has a deadline
(``ARKIV_SOFFICE_TIMEOUT``, default 120 s); past it the whole process group is
killed.

The DOCX is cached by the source's sha256 in the cache directory:
``ARKIV_CONVERT_CACHE`` (an import sets ``<archive>/convert-cache``), else
``<tmp>/arkiv-convert-<uid>``. ``convert_many`` converts several files of one
format in one LibreOffice start (3–4 s per start, ~1 s per extra file).

The LibreOffice command is ``ARKIV_SOFFICE`` or ``soffice`` on the ``PATH``;
without it a legacy file is refused with a reason naming the Debian package.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from parsers import OLE_MAGIC
from parsers.errors import ZIP_READ_ERRORS, CorruptFile, ParseError, ParseTimeout, UnsupportedFormat

__all__ = [
    "CACHE_ENV",
    "LEGACY_FORMATS",
    "PACKAGE",
    "SOFFICE_ENV",
    "TIMEOUT_ENV",
    "Conversion",
    "cache_dir",
    "convert",
    "conversion_cache",
    "convert_many",
    "sniff",
    "sniff_zip",
    "soffice_command",
]

RTF_MAGIC = b"{\\rtf"
WORDPERFECT_MAGIC = b"\xffWPC"
PACKAGE = "libreoffice-writer-nogui"  # the Debian package that provides soffice with the Writer filters
SOFFICE_ENV = "ARKIV_SOFFICE"
CACHE_ENV = "ARKIV_CONVERT_CACHE"
TIMEOUT_ENV = "ARKIV_SOFFICE_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
MAX_PROFILES = 64
CACHE_VERSION = "1"  # part of a cached file's name: a new conversion recipe does not reuse old results

# format -> (LibreOffice import filter, what the format is called in a reason)
LEGACY_FORMATS: dict[str, tuple[str, str]] = {
    "doc": ("MS Word 97", "Word 97-2003 .doc"),
    "rtf": ("Rich Text Format", "RTF"),
    "odt": ("writer8", "OpenDocument .odt"),
    "wpd": ("WordPerfect", "WordPerfect .wpd"),
    "docm": ("MS Word 2007 XML", "Word macro-enabled .docm"),  # repackaged, see REPACKAGED
    "dotx": ("MS Word 2007 XML", "Word template .dotx"),
}

REPACKAGED = frozenset({"docm", "dotx"})  # read as DOCX after a content-type rewrite, without LibreOffice
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCX_CONTENT_TYPE = re.compile(
    rb"application/vnd\.(?:ms-word\.(?:document|template)\.macroEnabled(?:Template)?"
    rb"|openxmlformats-officedocument\.wordprocessingml\.template)\.main\+xml"
)
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_OOXML_VARIANTS = (
    (b"macroEnabledTemplate.main+xml", "dotx"),
    (b"macroEnabled.main+xml", "docm"),
    (b"wordprocessingml.template.main+xml", "dotx"),
)
_ODF_TEXT = re.compile(rb"^application/vnd\.oasis\.opendocument\.text(-template)?$")
_OLE_SCAN_LIMIT = 64 * 1024 * 1024  # bytes searched for the WordDocument stream name


@dataclass(frozen=True)
class Conversion:
    docx: Path  # the converted file (in the cache)
    converted_from: str  # a key of LEGACY_FORMATS


# ---------------------------------------------------------------------------
# Recognising the formats
# ---------------------------------------------------------------------------


def sniff(path: Path, head: bytes) -> str | None:
    """The legacy format of a file from its first bytes (``head``), or None when it is none of them.

    An OLE compound file that holds no Word document (Excel, PowerPoint, Outlook) raises
    ``UnsupportedFormat``; zip packages are left to ``sniff_zip``.
    """
    if head.startswith(OLE_MAGIC):
        if not _has_word_stream(path):
            raise UnsupportedFormat(
                str(path),
                "an OLE compound file without a WordDocument stream (not a Word 97-2003 .doc; "
                "Excel, PowerPoint and Outlook files are not read)",
            )
        return "doc"
    if head.startswith(RTF_MAGIC):
        return "rtf"
    if head.startswith(WORDPERFECT_MAGIC):
        return "wpd"
    return None


def _has_word_stream(path: Path) -> bool:
    """Whether the OLE directory names a ``WordDocument`` stream (searched in the file's bytes)."""
    overlap = len(_WORD_STREAM)
    tail = b""
    read = 0
    try:
        with open(path, "rb") as f:
            while read < _OLE_SCAN_LIMIT:
                chunk = f.read(1 << 20)
                if not chunk:
                    return False
                read += len(chunk)
                if _WORD_STREAM in tail + chunk:
                    return True
                tail = chunk[-overlap:]
    except OSError as e:
        raise ParseError(str(path), f"cannot read file ({e.strerror or e})") from e
    return False


def sniff_zip(path: Path) -> str | None:
    """ "odt" for an OpenDocument text, "docm"/"dotx" for a macro-enabled or template Word
    package, None for anything else (a DOCX, or a damaged zip the DOCX extractor reports)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:200].strip()
                return "odt" if _ODF_TEXT.match(mimetype) else None
            if "[Content_Types].xml" not in names:
                return None
            if zf.getinfo("[Content_Types].xml").file_size > 1024 * 1024:
                return None
            types = zf.read("[Content_Types].xml")
    except ZIP_READ_ERRORS:
        return None
    if b"wordprocessingml.document.main+xml" in types:
        return None
    for marker, fmt in _OOXML_VARIANTS:
        if marker in types:
            return fmt
    return None


# ---------------------------------------------------------------------------
# LibreOffice
# ---------------------------------------------------------------------------


def soffice_command() -> str | None:
    """The LibreOffice executable to run (``ARKIV_SOFFICE`` or ``soffice`` on the PATH), None when missing."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"arkiv-convert-{os.getuid()}"


@contextlib.contextmanager
def conversion_cache(directory: Path) -> Iterator[Path]:
    """Use ``directory`` as the cache while the block runs (worker processes started in it inherit it),
    unless ``ARKIV_CONVERT_CACHE`` is set already; yields the cache in use."""
    previous = os.environ.get(CACHE_ENV)
    if previous:
        yield Path(previous)
        return
    os.environ[CACHE_ENV] = str(directory)
    try:
        yield directory
    finally:
        os.environ.pop(CACHE_ENV, None)


def _timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


_SCRIPTING = "/org.openoffice.Office.Common/Security/Scripting"
_INET = "/org.openoffice.Inet/Settings"
# (configuration path, property, value) written into a new profile before LibreOffice first starts with it
_PROFILE_SETTINGS: tuple[tuple[str, str, str], ...] = (
    (_SCRIPTING, "MacroSecurityLevel", "3"),
    (_SCRIPTING, "DisableMacrosExecution", "true"),
    (_SCRIPTING, "BlockUntrustedRefererLinks", "true"),
    (_INET, "ooInetProxyType", "1"),  # manual proxy ...
    (_INET, "ooInetHTTPProxyName", "127.0.0.1"),  # ... on a closed local port
    (_INET, "ooInetHTTPProxyPort", "9"),
    (_INET, "ooInetHTTPSProxyName", "127.0.0.1"),
    (_INET, "ooInetHTTPSProxyPort", "9"),
    (_INET, "ooInetFTPProxyName", "127.0.0.1"),
    (_INET, "ooInetFTPProxyPort", "9"),
    (_INET, "ooInetNoProxy", ""),
)


def _profile_settings_xml() -> str:
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
        for path, name, value in _PROFILE_SETTINGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


_CLOSED_PROXY = "http://127.0.0.1:9"


@contextlib.contextmanager
def _profile(root: Path) -> Iterator[tuple[Path, int]]:
    """A LibreOffice profile directory nobody else uses while the block runs, and the descriptor of
    its lock (``flock``): handed on to LibreOffice, it keeps the profile locked for as long as a
    LibreOffice process of the call lives, even when the worker that started it was killed."""
    root.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_PROFILES):
        lock = os.open(root / f"profile-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue
        try:
            profile = root / f"profile-{n}"
            settings = profile / "user" / "registrymodifications.xcu"
            if not settings.exists():
                settings.parent.mkdir(parents=True, exist_ok=True)
                settings.write_text(_profile_settings_xml(), encoding="utf-8")
            yield profile, lock
        finally:
            os.close(lock)
        return
    raise OSError(f"all {MAX_PROFILES} LibreOffice profiles in {root} are in use")


def _environment(profile: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[name] = env[name.upper()] = _CLOSED_PROXY
    env["no_proxy"] = env["NO_PROXY"] = ""
    env["HOME"] = str(profile)  # nothing of the user's own LibreOffice set-up is read
    return env


def _missing(path: Path, fmt: str) -> UnsupportedFormat:
    configured = os.environ.get(SOFFICE_ENV) or "soffice"
    return UnsupportedFormat(
        str(path),
        f"{LEGACY_FORMATS[fmt][1]} file needs LibreOffice to convert it to DOCX, and {configured!r} was not found; "
        f"install {PACKAGE}",
    )


def _deadline(timeout: float) -> list[str]:
    """``timeout -s KILL`` (coreutils) before the command: it kills LibreOffice's whole process group
    at the deadline even when the worker waiting for it was killed first."""
    kill = shutil.which("timeout")
    return [kill, "-s", "KILL", f"{timeout + 1.0:.1f}"] if kill else []


def _run_soffice(soffice: str, fmt: str, inputs: Sequence[Path], outdir: Path, timeout: float) -> str:
    """Convert ``inputs`` (all of format ``fmt``) into ``outdir``; returns LibreOffice's stderr."""
    with _profile(cache_dir() / "profiles") as (profile, lock):
        command = [
            *_deadline(timeout),
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"--infilter={LEGACY_FORMATS[fmt][0]}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(outdir),
            *(str(p) for p in inputs),
        ]
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(profile),
            start_new_session=True,  # its own process group: a timeout kills soffice.bin too
            pass_fds=(lock,),
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # nothing of this call outlives it
        return stderr.decode("utf-8", errors="replace")


def _why(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and "javaldx" not in line]
    return "; ".join(lines)[:300] or "no output file"


def _cached(sha256: str) -> Path:
    return cache_dir() / f"{sha256}-v{CACHE_VERSION}.docx"


def convert_many(items: Sequence[tuple[Path, str, str]]) -> dict[Path, Conversion | ParseError]:
    """Convert ``(path, format, sha256)`` items to DOCX, one LibreOffice start per format.

    Returns, per path, the cached conversion or the ``ParseError`` that says why not.
    """
    results: dict[Path, Conversion | ParseError] = {}
    pending: dict[str, list[tuple[Path, str]]] = {}
    for path, fmt, sha in items:
        if _cached(sha).is_file():
            results[path] = Conversion(_cached(sha), fmt)
        elif fmt in REPACKAGED:
            results[path] = _repackage(path, fmt, sha)
        else:
            pending.setdefault(fmt, []).append((path, sha))
    if not pending:
        return results
    soffice = soffice_command()
    for fmt, group in pending.items():
        if soffice is None:
            results.update({path: _missing(path, fmt) for path, _ in group})
            continue
        results.update(_convert_group(soffice, fmt, group))
    return results


def _convert_group(soffice: str, fmt: str, group: list[tuple[Path, str]]) -> dict[Path, Conversion | ParseError]:
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    results: dict[Path, Conversion | ParseError] = {}
    what = LEGACY_FORMATS[fmt][1]
    with tempfile.TemporaryDirectory(prefix="convert-", dir=cache) as tmp:
        inputs = Path(tmp) / "in"
        outdir = Path(tmp) / "out"
        inputs.mkdir()
        copies: list[Path] = []
        for i, (path, _) in enumerate(group):
            copy = inputs / f"{i}.{fmt}"  # plain names: no clash of equal stems, no odd characters on a command line
            try:
                shutil.copyfile(path, copy)
            except OSError as e:
                results[path] = ParseError(str(path), f"cannot read file ({e.strerror or e})")
                continue
            copies.append(copy)
        if not copies:
            return results
        timeout = _timeout() + 5.0 * (len(copies) - 1)
        try:
            stderr = _run_soffice(soffice, fmt, copies, outdir, timeout)
        except subprocess.TimeoutExpired:
            for path, _ in group:
                results.setdefault(
                    path, ParseTimeout(str(path), f"LibreOffice did not convert the {what} file within {timeout:.0f} s")
                )
            return results
        except OSError as e:
            for path, _ in group:
                results.setdefault(path, ParseError(str(path), f"cannot run LibreOffice {soffice} ({e})"))
            return results
        for i, (path, sha) in enumerate(group):
            if path in results:
                continue
            produced = outdir / f"{i}.docx"
            if produced.is_file() and produced.stat().st_size > 0:
                os.replace(produced, _cached(sha))  # same file system: atomic, a concurrent reader sees all or nothing
                results[path] = Conversion(_cached(sha), fmt)
            else:
                results[path] = CorruptFile(str(path), f"LibreOffice could not read the {what} file ({_why(stderr)})")
    return results


def _repackage(path: Path, fmt: str, sha256: str) -> Conversion | ParseError:
    """A .docm/.dotx is a DOCX with another main content type: the package is rewritten with the
    DOCX type (macros are never run, nothing else changes), so Word's own numbering and styles stay
    exact. LibreOffice is not needed for it."""
    cache = cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache, suffix=".part", delete=False) as tmp:
            part = Path(tmp.name)
        try:
            with zipfile.ZipFile(path) as src, zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info.filename)
                    if info.filename == "[Content_Types].xml":
                        data = _DOCX_CONTENT_TYPE.sub(_DOCX_MAIN, data)
                    dst.writestr(info, data)
            os.replace(part, _cached(sha256))
        finally:
            part.unlink(missing_ok=True)
    except ZIP_READ_ERRORS as e:
        return CorruptFile(str(path), f"not a valid {LEGACY_FORMATS[fmt][1]} file (damaged zip archive: {e})")
    return Conversion(_cached(sha256), fmt)


def convert(path: Path, fmt: str, sha256: str) -> Conversion:
    """The DOCX for one legacy file (from the cache when converted before); raises ``ParseError``."""
    result = convert_many([(path, fmt, sha256)])[path]
    if isinstance(result, ParseError):
        raise result
    return result
