"""Exceptions raised by the parsers.

Every error names the file and the reason in one line (``str(error)``), so the
command line can print it as is and the catalog can store it.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib

# What reading a zip archive or one of its members may raise on damaged or hostile input: a damaged
# directory or member (BadZipFile, EOFError, zlib.error, LZMAError), an unsupported zip version or
# compression method (NotImplementedError), a bad password (RuntimeError), a bad header field
# (ValueError, UnicodeDecodeError), a read failure (OSError). Callers turn them into one-line reasons.
ZIP_READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    zipfile.BadZipFile,
    EOFError,
    RuntimeError,
    ValueError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
)


class ParseError(Exception):
    """A file could not be parsed. ``code`` is stable and short (used by the catalog)."""

    code = "parse-error"

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsupportedFormat(ParseError):
    code = "unsupported"


class CorruptFile(ParseError):
    code = "corrupt"


class EncryptedFile(ParseError):
    code = "encrypted"


class EmptyDocument(ParseError):
    code = "empty"


class NoTextLayer(ParseError):
    code = "no-text-layer"


class ParseTimeout(ParseError):
    code = "timeout"


class TooLarge(ParseError):
    code = "too-large"
