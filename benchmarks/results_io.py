"""The figures a benchmark writes with ``--json PATH``: one flat JSON object per benchmark.

Nested figures are flattened with ``_`` between the keys (``{"jobs": {"1": 3}}`` →
``{"jobs_1": 3}``; list items by position). Every file also names the command that
produced it, when it ran (UTC) and the machine's load (1-minute average and cores)
when it started, so that a figure in the README can say where it comes from
(``benchmarks/readme_figures.py`` renders the README's tables from these files).
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["flatten", "write_figures"]

_STARTED_LOAD = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A flat dict of the scalar values in nested dicts and lists."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}_{key}" if prefix else str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}_{index}" if prefix else str(index)))
    else:
        out[prefix] = value
    return out


def write_figures(path: str, figures: dict[str, Any], argv: list[str] | None = None) -> None:
    """Write the figures as one flat JSON object to ``path`` ("-": standard output)."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = script.relative_to(Path.cwd())
    except ValueError:
        shown = Path("benchmarks") / script.name
    args = sys.argv[1:] if argv is None else argv
    shown_args = []
    skip = False
    for arg in args:  # the command without where its output went
        if skip:
            skip = False
            continue
        if arg == "--json":
            skip = True
            continue
        if arg.startswith("--json="):
            continue
        shown_args.append(arg)
    flat = {
        "command": shlex.join(["python", str(shown), *shown_args]),
        "measured_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load_1min_at_start": round(_STARTED_LOAD, 2),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        **flatten(figures),
    }
    text = json.dumps(flat, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if path == "-":
        sys.stdout.write(text)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
