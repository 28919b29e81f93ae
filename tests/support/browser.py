"""A real browser for the desk's tests: Debian's Chromium driven by playwright, axe-core for
the accessibility check, screenshots in ``var/screenshots`` (not committed).

Playwright cannot download its own browser here, so it drives ``/usr/bin/chromium``
(``.ci/run`` installs it). axe-core comes from npm into ``var/npm`` the first time it is needed.
Every request to anything but this machine is aborted: the article photos' hosts are never
contacted."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "var" / "screenshots"
AXE_DIR = ROOT / "var" / "npm"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.10"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
LOCAL = frozenset({"127.0.0.1", "localhost", "::1"})


def axe_script() -> Path:
    """axe-core's script, installed from npm into var/npm when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to install axe-core (apt-get install npm)"
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--silent",
             "--prefix", str(AXE_DIR), f"axe-core@{AXE_VERSION}"],
            check=True, timeout=300,
        )  # fmt: skip
    return AXE


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (Debian's); fails with a hint when it is not installed."""
    assert CHROMIUM.exists(), "install Debian's chromium: apt-get install -y chromium (see .ci/run)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _only_local(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL:
        route.continue_()
    else:
        route.abort()


def open_page(browser: Browser, base_url: str) -> Page:
    """A page in a fresh context (its own cookies) that never leaves this machine; the CSP is
    bypassed only so the test can inject axe-core."""
    context = browser.new_context(
        base_url=base_url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.route("**/*", _only_local)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(axe_script()))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.html)}))"""
    )
    return found


def look(page: Page, name: str) -> None:
    """Save a full-page screenshot as var/screenshots/<name>.png and check accessibility."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    problems = serious_violations(page)
    assert problems == [], f"{name}: {problems}"
