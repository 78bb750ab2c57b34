"""The binary cache of the compound lexicon (``index.lexicon``): the same lexicon as the table, and never
used when it does not match."""

from __future__ import annotations

import dataclasses
import marshal
import os
import shutil
from pathlib import Path

import pytest

from index import lexicon

DIC = Path(lexicon.DEFAULT_DIC)
pytestmark = pytest.mark.skipif(not DIC.is_file(), reason="hunspell-da is not installed (make setup installs it)")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder holding only the table of the installed dictionary (built once if need be)."""
    lexicon._load.cache_clear()
    lexicon.load_lexicon(DIC)  # builds the table in the ordinary cache if it is not there yet
    digest = lexicon.load_lexicon(DIC).source.rsplit("sha256:", 1)[1]
    table = lexicon._cache_dir() / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.tsv"
    folder = tmp_path / "arkiv"
    folder.mkdir()
    shutil.copyfile(table, folder / table.name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lexicon._load.cache_clear()
    yield folder, digest
    lexicon._load.cache_clear()


def _from_table(folder: Path, digest: str) -> lexicon.CompoundLexicon:
    text = (folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.tsv").read_text(encoding="utf-8")
    return lexicon._read_table(text, f"{DIC} sha256:{digest}")


def _load_again() -> lexicon.CompoundLexicon:
    lexicon._load.cache_clear()
    return lexicon.load_lexicon(DIC)


def test_the_binary_cache_gives_the_lexicon_the_table_gives(cache):
    folder, digest = cache
    expected = _from_table(folder, digest)
    first = lexicon.load_lexicon(DIC)  # read from the table, binary cache written
    binary = folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.bin"
    assert binary.is_file() and first == expected
    (folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.tsv").unlink()
    again = _load_again()  # from the binary cache: the table is neither read nor built again
    assert not list(folder.glob("*.tsv"))
    assert again == expected and again.source == expected.source
    for name, _kind in lexicon._FAST_FIELDS:
        assert getattr(again, name) == getattr(expected, name), name
    assert not list(folder.glob(".*"))  # no temporary file left behind


def test_the_source_names_the_dictionary_read_not_the_one_that_made_the_cache(cache, tmp_path):
    folder, digest = cache
    lexicon.load_lexicon(DIC)
    copy = tmp_path / "elsewhere" / "da_DK.dic"
    copy.parent.mkdir()
    shutil.copyfile(DIC, copy)
    shutil.copyfile(DIC.with_suffix(".aff"), copy.with_suffix(".aff"))
    lexicon._load.cache_clear()
    read = lexicon.load_lexicon(copy)
    assert read.source == f"{copy} sha256:{digest}"
    assert read == dataclasses.replace(_from_table(folder, digest), source=read.source)


def _header_with(index: int, value: object, digest: str) -> tuple[object, ...]:
    header = list(lexicon._fast_header(digest))
    header[index] = value
    return tuple(header)


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "truncated",
        "empty",
        "other_format_version",
        "other_table_version",
        "other_digest",
        "other_limits",
        "wrong_field_type",
        "missing_field",
    ],
)
def test_a_binary_cache_that_does_not_match_is_not_used(cache, damage):
    folder, digest = cache
    expected = _from_table(folder, digest)
    binary = folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.bin"
    lexicon.load_lexicon(DIC)
    good = binary.read_bytes()
    header, values = marshal.loads(good)
    # a lexicon that differs from the real one: used by mistake, the result would differ
    wrong = list(values)
    wrong[0] = {"xyzzy": "0"}
    if damage == "garbage":
        data = b"not a lexicon at all"
    elif damage == "truncated":
        data = good[: len(good) // 2]
    elif damage == "empty":
        data = b""
    elif damage == "other_format_version":
        data = marshal.dumps((_header_with(1, lexicon.FAST_CACHE_VERSION + 1, digest), tuple(wrong)))
    elif damage == "other_table_version":
        data = marshal.dumps((_header_with(3, lexicon.TABLE_VERSION + 1, digest), tuple(wrong)))
    elif damage == "other_digest":
        data = marshal.dumps((lexicon._fast_header("0" * 16), tuple(wrong)))
    elif damage == "other_limits":
        data = marshal.dumps((_header_with(5, (), digest), tuple(wrong)))
    elif damage == "wrong_field_type":
        wrong[1] = set(values[1])  # a set, not a frozenset
        data = marshal.dumps((header, tuple(wrong)))
    else:
        data = marshal.dumps((header, tuple(values[:-1])))
    binary.write_bytes(data)
    assert _load_again() == expected
    assert binary.read_bytes() == good  # written again from the table
    assert _load_again() == expected


def test_a_cache_of_another_lexicon_with_the_right_header_is_what_is_loaded(cache):
    """The header is what decides: this shows the test above would notice a mismatching cache being used."""
    folder, digest = cache
    binary = folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.bin"
    lexicon.load_lexicon(DIC)
    header, values = marshal.loads(binary.read_bytes())
    binary.write_bytes(marshal.dumps((header, ({"xyzzy": "0"}, *values[1:]))))
    assert _load_again().heads == {"xyzzy": "0"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder")
def test_a_read_only_cache_folder_still_gives_the_lexicon(cache):
    folder, digest = cache
    expected = _from_table(folder, digest)
    folder.chmod(0o500)
    try:
        assert lexicon.load_lexicon(DIC) == expected
        assert not (folder / f"compound-lexicon-v{lexicon.TABLE_VERSION}-{digest}.bin").exists()
    finally:
        folder.chmod(0o700)
