"""Web benchmark: server time of `arkiv serve` pages on a generated archive of N items (tantivy).

    python benchmarks/bench_web.py --items 20000 --json benchmarks/results/bench_web.json

Items are generated as in bench_search.py (a Danish vocabulary with Zipf-distributed words, files of 5
items over 10 years and 8 bodies, 5 % closed), given their meeting's fields, and indexed with tantivy
into a fresh archive. `arkiv serve` then runs as a real process (uvicorn) and the benchmark requests:

* the search page (/search) for one frequent word, with all facets, 20 hits, snippets;
* the search page with a filter and the newest-first order;
* the JSON search (/api/search);
* the item page (/item/ID) of a random item, with the other items of its meeting.

Server time is the application's own ``Server-Timing`` header (request handling, template rendering,
without the HTTP round trip); wall time is what the client waited. The reference measured in the same
run is the engine alone (``Engine.search`` with facets, in this process) for the same queries, so the
figures can be read as ratios on a noisy machine. Targets: search page p95 < 100 ms, item page p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_search import generate  # noqa: E402
from results_io import write_figures  # noqa: E402

from index.analysis import ANALYSIS_VERSION, Analyzer  # noqa: E402
from index.documents import IndexDoc  # noqa: E402
from index.engine import SCHEMA_VERSION, open_engine  # noqa: E402
from index.query import Filters, lower  # noqa: E402

_TIMING_RE = re.compile(r"app;dur=([0-9.]+)")


def _with_meetings(docs: list[IndexDoc]) -> list[IndexDoc]:
    """The generated items with their meeting's fields, as ingested items carry them."""
    out = []
    for d in docs:
        meeting = {
            "body": d.body,
            "document_type": d.document_type,
            "date": d.date,
            "start_time": "16:00",
            "end_time": "18:00",
            "location": "Rådhuset",
            "municipality": d.municipality,
            "participants": ["Anna Andersen", "Bo Berg", "Carl Clausen"],
            "absent": [],
            "item_count": 5,
        }
        sections = [{"heading": "Sagsfremstilling", "text": d.text}]
        details = {**d.details, "meeting": meeting, "sections": sections, "source": {"format": "pdf", "page_count": 5}}
        out.append(dataclasses.replace(d, details=details))
    return out


def build_archive(docs: list[IndexDoc], archive: Path) -> float:
    """Index ``docs`` with tantivy into ``archive`` as `arkiv index` leaves it; returns seconds."""
    directory = archive / "index" / "tantivy"
    start = time.perf_counter()
    engine = open_engine("tantivy", directory, Analyzer(), create=True)
    engine.add(docs)
    engine.close()
    state = {
        "generation": 1,
        "analysis_version": ANALYSIS_VERSION,
        "schema_version": SCHEMA_VERSION,
        "documents": len(docs),
    }
    (directory / "state.json").write_text(json.dumps(state), encoding="utf-8")
    return time.perf_counter() - start


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _get(url: str) -> tuple[float, float]:
    """(server ms, wall ms) of one GET; the response must be 200."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        timing = response.headers.get("Server-Timing", "")
    wall = (time.perf_counter() - start) * 1000
    match = _TIMING_RE.search(timing)
    if match is None:
        raise RuntimeError(f"{url}: no Server-Timing header")
    return float(match.group(1)), wall


def _serve(archive: Path, port: int) -> subprocess.Popen[bytes]:
    arkiv = Path(sys.executable).with_name("arkiv")
    process = subprocess.Popen([str(arkiv), "serve", "--archive", str(archive), "--port", str(port)])
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/search", timeout=5).read()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("arkiv serve did not start") from None
            time.sleep(0.2)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per kind of page")
    parser.add_argument("--json", metavar="PATH", help="write the figures as a flat JSON object to PATH")
    args = parser.parse_args(argv)
    docs, vocab = generate(args.items)
    docs = _with_meetings(docs)
    rng = random.Random(5)
    common = vocab[:300]
    words = [rng.choice(common) for _ in range(args.requests)]
    ids = [rng.choice(docs).id for _ in range(args.requests)]
    bodies = sorted({d.body or "" for d in docs})
    workdir = Path(tempfile.mkdtemp(prefix="bench-web-"))
    figures: dict[str, float | int | str] = {"items": len(docs), "engine": "tantivy", "requests": args.requests}
    try:
        archive = workdir / "archive"
        figures["build_s"] = round(build_archive(docs, archive), 1)
        engine = open_engine("tantivy", archive / "index" / "tantivy", Analyzer())
        reference = []
        for word in words:
            start = time.perf_counter()
            engine.search(lower(word, Filters()), limit=20, facets=True)
            reference.append((time.perf_counter() - start) * 1000)
        engine.close()
        port = _free_port()
        process = _serve(archive, port)
        base = f"http://127.0.0.1:{port}"
        try:
            kinds = {
                "search_page": [f"{base}/search?q={quote(w)}" for w in words],
                "search_filtered_newest": [
                    f"{base}/search?q={quote(w)}&body={quote(rng.choice(bodies))}&sort=newest" for w in words
                ],
                "api_search": [f"{base}/api/search?q={quote(w)}" for w in words],
                "item_page": [f"{base}/item/{quote(i)}" for i in ids],
            }
            for url in kinds["search_page"][:10] + kinds["item_page"][:10]:  # warm up
                _get(url)
            for name, urls in kinds.items():
                server, wall = zip(*(_get(u) for u in urls), strict=True)
                for label, samples in (("server", list(server)), ("wall", list(wall))):
                    p50, p95 = _percentiles(samples)
                    figures[f"{name}_{label}_p50_ms"] = round(p50, 1)
                    figures[f"{name}_{label}_p95_ms"] = round(p95, 1)
        finally:
            process.terminate()
            process.wait(timeout=10)
        ref50, ref95 = _percentiles(reference)
        figures["engine_search_facets_p50_ms"] = round(ref50, 1)
        figures["engine_search_facets_p95_ms"] = round(ref95, 1)
        figures["search_page_p95_over_engine_p95"] = round(float(figures["search_page_server_p95_ms"]) / ref95, 1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.json:
        write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
