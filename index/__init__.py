"""The search index: Danish analysis, one query model, whoosh and tantivy engines.

``update_index(archive_dir)`` brings an archive's indexes up to date with its
catalog; ``open_index(archive_dir)`` opens one for searching.
"""

from index.build import build_index, open_index, update_index

__all__ = ["build_index", "open_index", "update_index"]
