"""Helpers of the browser tests of `arkiv serve`: the server runs as a real process (uvicorn on a free port) over a
small real archive, and Playwright drives Debian's chromium (one browser for the whole session).

axe-core (node_modules/axe-core, installed by `make setup`) checks every page for WCAG 2.1 A/AA
violations. Screenshots of the main pages are taken on every run; they go to ``$ARKIV_SCREENSHOTS`` when set
(`make screenshots` sets docs/screenshots/, the README's pictures), else to a temporary folder, so a test run
leaves the repository as it was.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("ARKIV_SCREENSHOTS") or Path(tempfile.gettempdir()) / "arkiv-screenshots")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARKIV = Path(sys.executable).with_name("arkiv")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, archive: Path, *flags: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(ARKIV), "serve", "--archive", str(archive), "--port", str(self.port), *flags]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"arkiv serve exited: {self.process.stderr.read() if self.process.stderr else ''}")
            try:
                with urllib.request.urlopen(self.url + "/search", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError("arkiv serve did not answer within 30 s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_AXE_SOURCE: list[str] = []


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    assert AXE.exists(), f"{AXE} is missing: run make setup (npm ci installs axe-core)"
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    page.evaluate(_AXE_SOURCE[0])
    script = """async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }"""
    return list(page.evaluate(script, WCAG_AA))


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.read_bytes().startswith(b"\x89PNG"), path
