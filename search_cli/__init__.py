"""The ``arkiv`` command line: a thin layer over the library packages."""
