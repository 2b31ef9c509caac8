"""Every page of the built site, in every language, in a real browser.

For each page of the nav and each language the site is built in: the page
loads with no console error and no request to another host (a full-page
screenshot goes to artifacts/screenshots/), its diagrams are drawn, its
language switcher leads to the same page in the other language, each copy
button copies the code it shows (a file included in a page, byte for byte),
a phone-sized screen can open the navigation drawer and reach every page,
and axe-core finds no serious or critical accessibility violation.

The desktop checks read one visit of the page (`visit`): it is loaded once,
photographed, its images and code blocks read, each copy button pressed and
the audit run, recording every request and console message all along; each
test then checks one part of that record. The tests of a page run on one
worker (``xdist_group``), so a page is visited once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import PHONE, Tab, new_tab, screenshot_path
from tests.browser.site import (
    COPY_BUTTON,
    expected_snippet,
    languages,
    nav_pages,
    page_id,
    page_url,
    pages_with_file_blocks,
    titled_blocks,
    titled_file,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

LANGUAGES = list(languages())
PAGES = nav_pages()


def _params(pages: dict[str, list[str]]) -> list[Any]:
    """(language, page) parameters; one page's tests share a worker."""
    return [
        pytest.param(
            language,
            page,
            id=f"{language}-{page_id(page)}",
            marks=pytest.mark.xdist_group(f"{language}-{page_id(page)}"),
        )
        for language, names in pages.items()
        for page in names
    ]


EVERY_PAGE = _params({language: PAGES for language in LANGUAGES})
# Pages with a code block that shows a file (or lines of it).
FILE_PAGES = _params({lang: pages_with_file_blocks(lang) for lang in LANGUAGES})
# Material marks up diagrams it would render with Mermaid (from a CDN) like
# this; other diagram languages would show up as raw code blocks.
RAW_DIAGRAMS = (
    ".mermaid, .language-mermaid, .language-plantuml, .language-dot,"
    " .language-graphviz, .language-d2"
)
# Markdown or snippet notation that should have been turned into HTML.
RAW_NOTATION = ("```", "~~~", "--8<--", ":::")
# axe-core impact levels that fail the audit.
FAILING_IMPACTS = {"serious", "critical"}
# Violations of the theme itself that neither our pages nor our CSS or script
# can fix, as (rule, CSS target axe reports), each explained here. None now:
# the search dialog's missing name is given by docs/assets/javascripts/site.js.
THEME_EXCEPTIONS: set[tuple[str, str]] = set()

NO_MOTION = "*, *::before, *::after { transition: none !important; animation: none !important; }"
# JavaScript: can a person see and tap this element? It is inside the
# viewport and it is what the browser finds at its centre (not covered by
# an overlay, not slid out of view by a transform).
HIT_TESTABLE = """el => {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return hit !== null && (hit === el || el.contains(hit));
}"""


def other_language(language: str) -> str:
    return next(lang for lang in LANGUAGES if lang != language)


def path_of(origin: str, href: str, base: str) -> str:
    """The site path a link leads to, without query and fragment."""
    url = urljoin(origin + base, href)
    assert url.startswith(origin), url
    return urlsplit(url).path


def test_every_built_page_is_in_the_nav(site: Path) -> None:
    # The pages below are taken from the nav: a page built but not in the
    # nav would go untested, so it fails here.
    built = {
        "/" + path.relative_to(site).as_posix().removesuffix("index.html")
        for path in site.rglob("index.html")
    }
    expected = {page_url(lang, page) for lang in LANGUAGES for page in PAGES}
    assert built == expected
    assert len(LANGUAGES) >= 2


# JavaScript: the page's SVG images, once each has been decoded.
SVG_IMAGES = """async () => {
  const svgs = [...document.images].filter(
    img => new URL(img.src, location).pathname.endsWith(".svg"));
  for (const img of svgs) {
    img.scrollIntoView();  // in case one is ever loaded lazily
    await img.decode().catch(() => {});
  }
  return svgs.map(img => ({src: img.getAttribute("src"), complete: img.complete,
                           width: img.naturalWidth, alt: img.alt}));
}"""
# JavaScript: the text of the page's content, without code.
PROSE = """() => {
  const content = document.querySelector(".md-content").cloneNode(true);
  content.querySelectorAll("pre, code").forEach(el => el.remove());
  return content.innerText;
}"""
# JavaScript: each copy button's block: its title and the code it shows.
CODE_BLOCKS = f"""() => [...document.querySelectorAll({COPY_BUTTON!r})].map(button => {{
  const title = button.closest(".highlight").querySelector(":scope > .filename");
  const code = document.querySelector(button.getAttribute("data-clipboard-target"));
  return {{title: title ? title.textContent : null, shown: code.textContent}};
}})"""
# JavaScript: what the clipboard holds; then empty it for the next button.
TAKE_CLIPBOARD = """async () => {
  const text = await navigator.clipboard.readText();
  await navigator.clipboard.writeText("");
  return text;
}"""


@dataclass
class Visit:
    """What one desktop visit of a page found (see the module's docstring)."""

    lang: str = ""
    title: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    raw_diagrams: int = 0
    prose: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)  # title, shown, copied
    code_count: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _visit(tab: Tab, language: str, page: str) -> Visit:
    # axe-core, as the browser task installs it (requirements/browser.txt).
    from axe_playwright_python.sync_playwright import Axe  # noqa: PLC0415

    found = Visit()
    # networkidle: the search index and lunr's language files are loaded too.
    tab.open(page_url(language, page), wait_until="networkidle")
    tab.page.evaluate("document.fonts.ready")
    tab.page.screenshot(path=screenshot_path(language, page_id(page)), full_page=True)
    found.lang = tab.page.evaluate("document.documentElement.lang")
    found.title = tab.page.title()
    found.images = tab.page.evaluate(SVG_IMAGES)
    found.raw_diagrams = tab.page.locator(RAW_DIAGRAMS).count()
    found.prose = tab.page.evaluate(PROSE)
    found.code_count = tab.page.locator("pre > code").count()
    # Press each copy button as a reader does (a real click: the browser
    # lets a page write to the clipboard only on a user's gesture).
    found.blocks = tab.page.evaluate(CODE_BLOCKS)
    tab.page.evaluate(TAKE_CLIPBOARD)
    for block, button in zip(
        found.blocks, tab.page.locator(COPY_BUTTON).all(), strict=True
    ):
        button.click()
        block["copied"] = tab.page.evaluate(TAKE_CLIPBOARD)
    results = Axe().run(tab.page, options={"resultTypes": ["violations"]})
    found.violations = results.response["violations"]
    found.problems = tab.problems()
    found.requests = list(tab.requests)
    return found


@pytest.fixture(scope="session")
def visit(browser: Browser, origin: str) -> Iterator[Callable[[str, str], Visit]]:
    """``visit(language, page)``: the page's desktop visit, made once per run."""
    visits: dict[tuple[str, str], Visit] = {}

    def _get(language: str, page: str) -> Visit:
        if (language, page) not in visits:
            tab, context = new_tab(browser, origin, clipboard=True)
            try:
                visits[language, page] = _visit(tab, language, page)
            finally:
                context.close()
        return visits[language, page]

    yield _get


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_page_loads_cleanly_and_is_screenshotted(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = visit(language, page)
    assert found.lang == language
    assert found.title.strip()
    # No console error, no failed load, no request to another host, from
    # loading the page to the last copy and the audit.
    assert found.problems == [], found.requests


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_diagrams_are_drawn_and_no_notation_is_left_raw(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = visit(language, page)
    broken = [i["src"] for i in found.images if not i["complete"] or i["width"] <= 0]
    assert broken == []
    # An image needs a text alternative; axe checks it too, this says which.
    assert [i["src"] for i in found.images if not i["alt"].strip()] == []
    assert found.raw_diagrams == 0
    assert [mark for mark in RAW_NOTATION if mark in found.prose] == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_language_switcher_leads_to_the_same_page_in_the_other_language(
    open_tab: Callable[..., Tab], language: str, page: str
) -> None:
    tab = open_tab()
    tab.open(page_url(language, page))
    other = other_language(language)
    # The selector opens on hover, as a reader's mouse does it.
    tab.page.locator(".md-header__option .md-select").hover()
    link = tab.page.locator(f'.md-select__link[hreflang="{other}"]')
    with tab.page.expect_navigation():
        link.click()
    assert urlsplit(tab.page.url).path == page_url(other, page)
    assert tab.page.evaluate("document.documentElement.lang") == other
    assert tab.problems() == []


def _file_blocks(
    language: str, page: str, blocks: list[dict[str, Any]]
) -> list[tuple[str, str, bytes, dict[str, Any]]]:
    """(title, file, exact bytes it includes, block) for blocks showing a file."""
    sources = list(titled_blocks(language, page))
    found = []
    for block in blocks:
        title = block["title"]
        if title is None or titled_file(title) is None:
            continue
        # The Markdown block of the same title, in order: its --8<-- line
        # says what part of the file the block shows.
        source = next(s for s in sources if s.title == title)
        sources.remove(source)
        assert source.snippet is not None, f"{title}: code pasted, not included"
        path, expected = expected_snippet(source.snippet)
        assert path == titled_file(title), f"{title} includes {source.snippet}"
        found.append((title, path, expected, block))
    return found


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_copy_buttons_copy_the_code_they_show(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = visit(language, page)
    assert len(found.blocks) == found.code_count  # a button on every block
    # What the block shows, exactly; at most without its trailing whitespace,
    # which Material's copy handler trims (`trimEnd()` in its bundle; see
    # the byte-for-byte test below).
    wrong = [
        b
        for b in found.blocks
        if not b["shown"].startswith(b["copied"])
        or b["shown"][len(b["copied"]) :].strip()
    ]
    assert wrong == []
    for title, path, expected, block in _file_blocks(language, page, found.blocks):
        # What the page shows is exactly the file, or exactly those lines.
        assert block["shown"].encode("utf-8") == expected, (title, path)


@pytest.mark.parametrize(("language", "page"), FILE_PAGES)
def test_copy_buttons_copy_files_byte_for_byte(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = _file_blocks(language, page, visit(language, page).blocks)
    assert found
    wrong = [
        (title, block["copied"][-40:], expected.decode("utf-8")[-40:])
        for title, _, expected, block in found
        if block["copied"].encode("utf-8") != expected
    ]
    assert wrong == []


def _reachable_nav_links(tab: Tab) -> set[str]:
    """Open the drawer and walk its panels as a reader would; the pages reached."""
    page = tab.page
    primary = ".md-sidebar--primary .md-nav--primary"
    # Page links, not the table of contents of the current page.
    links = page.locator(f"{primary} a.md-nav__link:not(.md-nav--secondary a)")
    # The current page is a label that unfolds its table of contents.
    active = page.locator(f"{primary} label.md-nav__link--active[for='__toc']")
    sections = page.locator(f"{primary} li.md-nav__item--nested > label.md-nav__link")
    here = urlsplit(page.url).path

    def visible() -> set[str]:
        found = {
            path_of(tab.origin, link.get_attribute("href") or "", here)
            for link in links.all()
            if link.evaluate(HIT_TESTABLE)
        }
        if active.count() and active.first.evaluate(HIT_TESTABLE):
            found.add(here)
        return found

    def back_labels() -> list[Any]:
        """The visible "back" titles of the sub-panels the drawer shows."""
        return [
            label
            for label in page.locator(
                f"{primary} label.md-nav__title[for^='__nav_']"
            ).all()
            if label.evaluate(HIT_TESTABLE)
        ]

    assert visible() == set(), "navigation links are on screen before the drawer opens"
    page.locator('label.md-header__button[for="__drawer"]').click()
    reached = visible()
    assert reached, "the drawer button showed no navigation link"
    # The drawer opens on the panel of the current page's section: go back up
    # to the top panel, then into each section and back.
    for _ in range(10):
        back = back_labels()
        if not back:
            break
        back[-1].click()
        reached |= visible()
    for section in sections.all():
        if section.evaluate(HIT_TESTABLE):
            section.click()
            reached |= visible()
            page.locator(
                f"{primary} label.md-nav__title[for='{section.get_attribute('for')}']"
            ).click()
    return reached


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_phone_screen_drawer_reaches_every_page(
    open_tab: Callable[..., Tab], language: str, page: str
) -> None:
    tab = open_tab(phone=True)
    tab.open(page_url(language, page))
    # Panels slide in 0.25 s; without the animation each tap's result is
    # there at once, with nothing to wait for.
    tab.page.add_style_tag(content=NO_MOTION)
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    reached = _reachable_nav_links(tab)
    assert reached == {page_url(language, p) for p in PAGES}
    assert tab.problems() == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_axe_finds_no_serious_accessibility_violation(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = visit(language, page)
    serious = [
        (violation["id"], " ".join(node["target"]), violation["help"])
        for violation in found.violations
        if violation["impact"] in FAILING_IMPACTS
        for node in violation["nodes"]
        if (violation["id"], " ".join(node["target"])) not in THEME_EXCEPTIONS
    ]
    assert serious == []
    # axe checks that lang is there and valid; this, that it is the right one.
    assert found.lang == language
