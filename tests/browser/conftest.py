"""Fixtures of the browser tests: one site build, one local server, one Chromium.

These tests run in their own task, ``nox -s browser``, which installs
Playwright and passes ``tests/browser`` to pytest. A plain ``pytest`` (the
``tests`` task) does not collect them: `pytest_ignore_collect` below skips
this folder unless the command line names it or a file in it.

Playwright drives Debian's Chromium (``apt-get install chromium
fonts-noto-cjk``); it never downloads a browser of its own
(``playwright install`` is not used). A missing Chromium fails the tests
with that instruction instead of skipping them.

Every page is opened in a fresh browser context that records each request
and console message; ``Tab.problems`` lists what must not happen: a request
to any host but the local server, an error in the console, an uncaught
exception, a failed response. The fixtures ``visit``, ``dark_visit`` and
``phone_visit`` make each of a page's three visits (tests/browser/visits.py)
once per run, for all the tests that read it.

The local server answers a missing address as GitHub Pages does: status 404
with the site's 404.html.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.site import ROOT, languages, nav_pages, page_group
from tests.pages import build_site

if TYPE_CHECKING:  # Playwright is only installed by the browser task.
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Response,
    )

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The flags STACK.md found to work for Debian's Chromium, headless, as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    f"{CHROMIUM} not found: the browser tests drive Debian's Chromium. "
    "Install it and the CJK fonts with: apt-get install chromium fonts-noto-cjk"
)
# Playwright's own waits (milliseconds): well below pytest-timeout's 120 s.
ACTION_TIMEOUT = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 667}
NOT_FOUND_PAGE = "404.html"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect this folder only when the command line names it (or a file in it)."""
    if collection_path.name == "conftest.py":
        return None
    base = config.invocation_params.dir
    for arg in config.args:
        named = (base / arg.split("::")[0]).resolve()
        if named == HERE or HERE in named.parents:
            return None
    return True


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` as the tests need it: all of a page's tests on one worker.

    pytest-xdist 3.8 puts a test in its ``xdist_group`` by appending
    ``@GROUP`` to the test's node id, which pytest 9.2's structured node ids
    silently ignore (pytest-dev/pytest-xdist#1386, open): each test became a
    group of its own, and a page was visited by every worker that ran one of
    its tests. Until xdist is fixed, a test whose id has no group is given
    the one its parameter id names: `page_params` (visits.py) gives a page's
    tests the id of their group, ``zh-tcp``.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # noqa: PLC0415

    groups = {page_group(lang, page) for lang in languages() for page in nav_pages()}

    class PageGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope: str = super()._split_scope(nodeid)
            if scope == nodeid and nodeid.endswith("]"):
                parameters = nodeid[nodeid.rindex("[") + 1 : -1]
                if parameters in groups:
                    return parameters
            return scope

    return PageGroupScheduling(config, log)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site once, strictly, into a temporary folder."""
    site_dir = tmp_path_factory.mktemp("browser-site")
    build_site(site_dir)
    return site_dir


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        """A missing address gets the site's 404.html, as on GitHub Pages."""
        not_found = Path(self.directory) / NOT_FOUND_PAGE
        if code != HTTPStatus.NOT_FOUND or not not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = not_found.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser drops connections it no longer needs (a page left
        # before its last request ended); that is not the site's fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) from a thread; yield the origin."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    with _Server(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def origin(site: Path) -> Iterator[str]:
    """Serve the built site at the root of a local server."""
    with serving(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, started once."""
    if not CHROMIUM.is_file():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        pytest.fail(
            "Playwright is not installed: run these tests with `nox -s browser`, "
            "which installs requirements/browser.txt",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


# JavaScript: scroll each code block into view, one animation frame apart,
# waiting (a bounded number of frames) for the theme to give its <pre> an id.
SET_UP_EVERY_CODE_BLOCK = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  for (const pre of document.querySelectorAll(".md-typeset div.highlight > pre")) {
    pre.scrollIntoView({block: "center"});
    for (let i = 0; i < 60 && !pre.id; i++) await frame();
  }
  window.scrollTo(0, 0);
  await frame();
}"""
# JavaScript: true once every code block has been set up.
EVERY_CODE_BLOCK_SET_UP = """() => [...document.querySelectorAll(
  ".md-typeset div.highlight > pre")].every(pre => pre.id.startsWith("__code_"))"""


@dataclass
class Tab:
    """One page in a fresh browser context, with what it did recorded."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob") or (
            f"{parts.scheme}://{parts.netloc}" == self.origin
        )

    def open(self, path: str, wait_until: str = "load") -> Response:
        response = self.page.goto(self.origin + path, wait_until=wait_until)  # type: ignore[arg-type]
        assert response is not None, path
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return response

    def read_every_code_block(self) -> None:
        """Bring each code block into view in turn, as a reader scrolling does,
        and wait until the theme has set it up (an id on its <pre>, a copy
        button); then back to the top. The theme sets up a block only when it
        first comes into view (``content.lazy``, hooks/lazy_code.py).
        """
        self.page.evaluate(SET_UP_EVERY_CODE_BLOCK)
        self.page.wait_for_function(EVERY_CODE_BLOCK_SET_UP)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not self.is_local(url)]

    def problems(self) -> list[str]:
        """Requests that left the local server, console errors, failed loads."""
        return [f"request to another host: {u}" for u in self.foreign_requests()] + [
            *self.errors
        ]

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # The browser logs every failed load as "Failed to load resource";
        # `_response` decides about those, from the status.
        if message.text.startswith("Failed to load resource") and where:
            return
        self.errors.append(f"console error: {message.text} ({where})")

    def _response(self, response: Response) -> None:
        # Every failed load counts, the theme's requests for sitemap.xml too:
        # hooks/i18n_locale.py gives each language one.
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")


def new_tab(
    browser: Browser,
    origin: str,
    *,
    phone: bool = False,
    clipboard: bool = False,
    dark: bool = False,
) -> tuple[Tab, BrowserContext]:
    """A page in a fresh context (desktop, or a phone's screen), recording all.

    ``dark``: the browser prefers a dark colour scheme, as a system set to
    dark mode makes it; otherwise it prefers light.
    """
    options: dict[str, Any] = {
        "viewport": PHONE if phone else DESKTOP,
        "color_scheme": "dark" if dark else "light",
    }
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    if clipboard:
        options["permissions"] = ["clipboard-read", "clipboard-write"]
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_TIMEOUT)
    page = context.new_page()
    tab = Tab(page, origin)
    # Recorded for every page, worker and frame of the context.
    context.on("request", lambda request: tab.requests.append(request.url))
    context.on("response", tab._response)
    page.on("console", tab._console)
    page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
    # Nothing may leave the machine: a request to another host is recorded
    # above, then refused here instead of waiting for a network that is not
    # there.
    context.route(lambda url: not tab.is_local(url), lambda route: route.abort())
    return tab, context


@pytest.fixture
def open_tab(browser: Browser, origin: str) -> Iterator[Callable[..., Tab]]:
    """Open pages in fresh contexts: ``open_tab()`` (desktop) or ``open_tab(phone=True)``."""
    contexts = []

    def _open(
        *, phone: bool = False, clipboard: bool = False, dark: bool = False
    ) -> Tab:
        tab, context = new_tab(
            browser, origin, phone=phone, clipboard=clipboard, dark=dark
        )
        contexts.append(context)
        return tab

    yield _open
    for context in contexts:
        context.close()


def screenshot_path(language: str, page_id: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{language}-{page_id}.png"


def _visits(
    browser: Browser, origin: str, make: Callable[[Tab, str, str], Any], **options: bool
) -> Callable[[str, str], Any]:
    """``get(language, page)``: ``make``'s record of the page, made once."""
    made: dict[tuple[str, str], Any] = {}

    def get(language: str, page: str) -> Any:
        if (language, page) not in made:
            tab, context = new_tab(browser, origin, **options)
            try:
                made[language, page] = make(tab, language, page)
            finally:
                context.close()
        return made[language, page]

    return get


@pytest.fixture(scope="session")
def visit(browser: Browser, origin: str) -> Callable[[str, str], Any]:
    """``visit(language, page)``: the page's desktop visit, light (visits.py)."""
    from tests.browser.visits import visit_desktop  # noqa: PLC0415

    return _visits(browser, origin, visit_desktop, clipboard=True)


@pytest.fixture(scope="session")
def dark_visit(browser: Browser, origin: str) -> Callable[[str, str], Any]:
    """``dark_visit(language, page)``: its desktop visit, the browser preferring dark."""
    from tests.browser.visits import visit_dark  # noqa: PLC0415

    return _visits(browser, origin, visit_dark, dark=True)


@pytest.fixture(scope="session")
def phone_visit(browser: Browser, origin: str) -> Callable[[str, str], Any]:
    """``phone_visit(language, page)``: its visit on a phone's screen, light."""
    from tests.browser.visits import visit_phone  # noqa: PLC0415

    return _visits(browser, origin, visit_phone, phone=True)
