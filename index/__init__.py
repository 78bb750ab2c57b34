"""The search index: Danish analysis, one query model, whoosh and tantivy engines."""
