"""Aktindsigt: the document list (aktliste) and the package handed to whoever asked for access.

`aktindsigt.package` selects the items of a request and writes the package; the archive's records
and index are read through `index/`, never changed.
"""
