"""Helpers for the headless-Chromium tests: the browser, a live server, logging in and screenshots.

The live server is the session's test app served by werkzeug in a daemon thread; each request runs in
its own application context, so it sees only what the test has committed.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # the system browser; Playwright downloads none
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000


def unavailable(reason: str) -> None:
    """Skip the browser tests, except where they are required (CI sets REQUIRE_SERVICES=1): fail there."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"browser tests are required (REQUIRE_SERVICES=1) but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium driven by Playwright (the system's Chromium; Playwright downloads nothing)."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free local port with CSRF protection on, as in production; yields the base URL."""
    csrf_before = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.config["WTF_CSRF_ENABLED"] = csrf_before


class Session:
    """One person in their own browser context (own cookies), with JavaScript errors recorded."""

    def __init__(self, browser, base_url: str, label: str):
        self.base_url = base_url
        self.label = label
        self.context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=base_url)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda err: self.errors.append(f"{self.label}: {err}"))
        self.page.on("console", self._console)
        self.page.on("dialog", lambda dialog: dialog.accept())

    def _console(self, message) -> None:
        """A page that breaks the Content-Security-Policy (an inline style or script) is an error."""
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"{self.label}: {self.page.url}: {message.text}")

    def log_in(self, username: str, password: str) -> None:
        """Log in through the real login form (with its CSRF token)."""
        page = self.page
        page.goto("/auth/login")
        token = page.locator("#main form input[name=csrf_token]")
        assert token.get_attribute("value"), "the login form carries a CSRF token"
        page.fill("#main input[name=username]", username)
        page.fill("#main input[name=password]", password)
        self.submit("#main form")
        assert "/auth/login" not in page.url, f"{username} could not log in"

    def submit(self, scope: str) -> None:
        """Press the submit button inside ``scope`` and wait for the page the server answers with."""
        with self.page.expect_navigation():
            self.page.locator(f"{scope} button[type=submit]").first.click()

    def screenshot(self, path: str, name: str) -> None:
        """Full-page PNGs of ``path`` in Chinese at phone and desktop width; the session goes back to English.

        The page must not be wider than the window (wide tables scroll inside their own box)."""
        page = self.page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(f"/language/zh_CN?next={quote(path, safe='/')}")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        for size, suffix in ((PHONE, "phone"), (DESKTOP, "desktop")):
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than a {size['width']}px window"
        page.set_viewport_size(DESKTOP)
        page.goto(f"/language/en?next={quote(path, safe='/')}")

    def close(self) -> None:
        self.context.close()


def photograph(session: "Session", path: str, name: str, folder: Path = SCREENSHOTS) -> None:
    """Full-page PNGs of ``path`` in Chinese at 1366 and 390 px (``<name>-1366.png``, ``<name>-390.png``
    in ``folder``), failing when the page is wider than the window and naming what sticks out; the
    session is left on the page, in English again. The browser walks of every feature call this."""
    page = session.page
    folder.mkdir(parents=True, exist_ok=True)
    target = quote(path, safe="/?=&")
    page.goto(f"/language/zh_CN?next={target}")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > "
            "window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px window: {wide}"
    page.set_viewport_size(DESKTOP)
    page.goto(f"/language/en?next={target}")
