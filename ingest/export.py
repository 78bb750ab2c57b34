"""Write the catalog's records out again, in the ``arkiv parse --json`` shape.

JSON lines: one record per line, in content-hash order. Parquet: the same
dictionaries as rows (nested fields become Arrow structs and lists), written
through pandas and pyarrow. By default each content is written once, with
``source.path`` set to its first present path; ``all_paths`` writes one row per
present path instead.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ingest.catalog import Catalog
from parsers.serialize import record_to_dict

__all__ = ["FORMATS", "export_dicts", "write_jsonl", "write_parquet"]

FORMATS = ("jsonl", "parquet")


def export_dicts(catalog: Catalog, *, all_paths: bool = False) -> Iterator[dict[str, Any]]:
    """The records as plain dictionaries (``parsers.serialize.record_to_dict``)."""
    for stored in catalog.iter_records():
        if not all_paths:
            yield record_to_dict(stored.record)
            continue
        for path in stored.paths:
            source = dataclasses.replace(stored.record.source, path=path)
            yield record_to_dict(dataclasses.replace(stored.record, source=source))


def write_jsonl(catalog: Catalog, out: TextIO, *, all_paths: bool = False) -> int:
    """Write JSON lines; returns the number of records written."""
    count = 0
    for data in export_dicts(catalog, all_paths=all_paths):
        out.write(json.dumps(data, ensure_ascii=False, sort_keys=True))
        out.write("\n")
        count += 1
    return count


def write_parquet(catalog: Catalog, path: Path, *, all_paths: bool = False) -> int:
    """Write one Parquet file; returns the number of records written."""
    import pandas as pd

    rows = list(export_dicts(catalog, all_paths=all_paths))
    frame = pd.DataFrame.from_records(rows, columns=_columns(rows))
    frame.to_parquet(path, engine="pyarrow", index=False)
    return len(rows)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    if rows:
        return list(rows[0])
    return ["format_version", "source", "kind", "meetings", "title", "text", "status", "problems"]
