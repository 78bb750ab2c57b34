"""The archive behind both faces of moedearkiv: ``arkiv`` (search_cli) and ``arkiv serve`` (web).

``archive_api.rows`` shapes index documents into rows, case timelines, export frames and counts;
``archive_api.archive.Archive`` searches one archive and decides what a public reader may see.
"""
