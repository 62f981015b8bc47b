"""Real-browser tests: Debian's Chromium through Playwright against a freshly started server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server() -> Iterator[str]:
    """A new Streamlit server for each test, so the first request really is the server's first."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the Streamlit server did not become healthy within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_first_request_to_a_page_url_goes_through_the_navigation(server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{server}/latihan")
        page.get_by_text("Mulai latihan kasus").wait_for(timeout=30000)
        # The app's own navigation and language switch are there, not the legacy page list.
        assert page.get_by_text("Bahasa Indonesia").is_visible()
        assert page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Latihan kasus").is_visible()
        assert not page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="app").count()
        page.screenshot(path=str(ARTIFACTS / "first-request-latihan.png"))

        page.goto(f"{server}/data?lang=en")
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30000)
        assert page.get_by_text("Source: Bawaslu RI, 2024").is_visible()
        page.screenshot(path=str(ARTIFACTS / "data-en.png"), full_page=True)
        browser.close()
