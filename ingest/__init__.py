"""Batch import of archives into the catalog (an SQLite database)."""
