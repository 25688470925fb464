"""Fixtures for the reader's test of the built site.

The site in ``_build/html`` (``make book``) is served on 127.0.0.1 and read in headless Chromium, the
browser from the system (apt), driven by Playwright. Each page is opened in a fresh browser context, as
on a reader's first visit. Nothing leaves this machine: the site carries everything it needs, MathJax
included (``book/_ext/offline_mathjax.py``), and every request to another host is refused and reported,
so a page that needed the network to render would fail here.
"""

import functools
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from book_layout import REPORT, SITE
from playwright.sync_api import Page, sync_playwright

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = (
    "The site test needs Chromium (or Chrome) and found none of "
    f"{', '.join(BROWSERS)} on PATH. Install it with `sudo apt-get install chromium` "
    "(Debian; .ci/run does this when it is missing), or point CHROMIUM=/path/to/chrome at one."
)


def find_chromium() -> str | None:
    """The browser to drive: $CHROMIUM, else the first of ``BROWSERS`` found on PATH."""
    return os.environ.get("CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)


@dataclass
class Visit:
    """One page as a reader opened it, and what went wrong on the way."""

    page: Page
    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    """The built site, served from a background thread on 127.0.0.1 at a free port."""
    if not (SITE / "index.html").exists():
        pytest.exit(f"No built site in {SITE}: run `make book` first.", returncode=1)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=SITE))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system, with a fresh temporary profile."""
    executable = find_chromium()
    if executable is None:
        pytest.exit(NO_CHROMIUM, returncode=1)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _route(site_url: str, visit: Visit, route) -> None:
    """Let requests to the site through; refuse, and record, every other."""
    url = route.request.url
    if url.startswith(site_url):
        route.continue_()
    else:
        visit.external_requests.append(url)
        route.abort()


@pytest.fixture
def visit(browser, site_url):
    """Open a path of the site in a new browser context; return the `Visit` once the page has loaded."""
    contexts = []

    def open_page(path: str) -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        result = Visit(page)
        context.route("**/*", functools.partial(_route, site_url, result))
        page.on(
            "console",
            lambda m: (
                m.type == "error" and result.errors.append(f"console error: {m.text} (at {m.location.get('url')})")
            ),
        )
        page.on("pageerror", lambda error: result.errors.append(f"uncaught exception: {error}"))
        page.goto(site_url + path, wait_until="load")
        return result

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def site_report():
    """Counts of what the test looked at, printed at the end and written to ``_build/site-test.txt``."""
    report = {"pages": [], "images": 0, "links": 0, "screenshots": []}
    yield report
    lines = [
        f"pages opened: {len(report['pages'])} ({', '.join(report['pages'])})",
        f"images loaded: {report['images']}",
        f"internal links and anchors resolved: {report['links']}",
        f"screenshots: {', '.join(report['screenshots'])}",
    ]
    REPORT.write_text("\n".join(lines) + "\n")
    _SUMMARY.extend(lines)


_SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Print the site report under pytest's summary."""
    if _SUMMARY:
        terminalreporter.section("what the site test read")
        for line in _SUMMARY:
            terminalreporter.write_line(line)
