"""Fixtures of the browser tests: the archive, `arkiv serve` processes (internal and public view) and one
chromium for the whole session (see browser_support)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, Server
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from web_archive import build_archive  # noqa: E402


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def server(web_archive: Path) -> Iterator[Server]:
    running = Server(web_archive)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def public_server(web_archive: Path) -> Iterator[Server]:
    running = Server(web_archive, "--public", "--engine", "tantivy")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: install the Debian package chromium (make setup)"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp: the page's Content-Security-Policy would refuse the injected axe-core script
    ctx = browser.new_context(bypass_csp=True, accept_downloads=True, viewport={"width": 1200, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
