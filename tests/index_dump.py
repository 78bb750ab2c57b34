"""The contents of an archive's whoosh index and catalog, in a form tests compare for equality."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from index.build import LEXICON_FILE, index_dir


def index_contents(archive: Path) -> dict[str, Any]:
    """Every document (stored JSON, in document-number order) and every posting (field, term, document id,
    weight, positions) of the archive's whoosh index, and its learned lexicon."""
    directory = index_dir(archive, "whoosh").resolve()
    ix = whoosh_index.open_dir(str(directory))
    with ix.reader() as reader:
        ids = {n: fields["id"] for n, fields in reader.iter_docs()}
        stored = [reader.stored_fields(n)["stored"] for n in sorted(ids)]
        postings = []
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            has_positions = matcher.supports("positions")
            while matcher.is_active():
                positions = tuple(matcher.value_as("positions")) if has_positions else ()
                postings.append((fieldname, term, ids[matcher.id()], matcher.weight(), positions))
                matcher.next()
    return {
        "stored": stored,
        "postings": sorted(postings),
        "lexicon": (directory / LEXICON_FILE).read_text(encoding="utf-8"),
    }


def catalog_records(archive: Path) -> dict[str, str]:
    """sha256 → stored record JSON of the archive's parsed contents."""
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        rows = conn.execute("SELECT sha256, record_json FROM contents WHERE record_json IS NOT NULL").fetchall()
    finally:
        conn.close()
    return dict(rows)


def catalog_paths(archive: Path) -> dict[str, str | None]:
    """path → sha256 of the archive's present files."""
    conn = sqlite3.connect(archive / "catalog.sqlite")
    try:
        rows = conn.execute("SELECT path, sha256 FROM files WHERE status = 'present'").fetchall()
    finally:
        conn.close()
    return dict(rows)
