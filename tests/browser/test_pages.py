"""Every page of the built site, in every language, in a real browser.

For each page of the nav and each language the site is built in: the page
loads with no console error and no request to another host (a full-page
screenshot goes to artifacts/screenshots/), its diagrams are drawn, its
language switcher leads to the same page in the other language, each copy
button copies the code it shows (a file included in a page, byte for byte),
a phone-sized screen can open the navigation drawer and reach every page,
and axe-core finds no serious or critical accessibility violation.

Most checks read a visit of the page made once per run (tests/browser/
visits.py): the desktop visit (``visit``) loads the page once, photographs
it, reads its images and code blocks, presses each copy button and runs the
audit, recording every request and console message all along; each test then
checks one part of that record. The language switcher is pressed at the end
of the page's visit in the dark scheme (``dark_visit``, test_schemes.py); the
drawer is walked in a tab of its own, on a phone in the dark scheme (the
phone's visit of test_layout.py is light)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import PHONE, Tab
from tests.browser.site import (
    expected_snippet,
    page_url,
    pages_with_file_blocks,
    titled_blocks,
    titled_file,
)
from tests.browser.visits import (
    DARK,
    EVERY_PAGE,
    LANGUAGES,
    PAGES,
    DarkVisit,
    Visit,
    other_language,
    page_params,
    scheme,
    serious,
)

# Pages with a code block that shows a file (or lines of it).
FILE_PAGES = page_params({lang: pages_with_file_blocks(lang) for lang in LANGUAGES})
# Markdown or snippet notation that should have been turned into HTML.
RAW_NOTATION = ("```", "~~~", "--8<--", ":::")

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
    dark_visit: Callable[[str, str], DarkVisit], language: str, page: str
) -> None:
    # The switcher is pressed at the end of the page's visit in the dark
    # scheme (test_schemes.py): the scheme stays dark on the other page.
    found = dark_visit(language, page)
    other = other_language(language)
    assert found.switched == {
        "path": page_url(other, page),
        "lang": other,
        "scheme": DARK,
    }
    assert found.problems == [], found.requests


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
    # In the dark scheme: the phone's visit in test_layout.py is light, so a
    # phone in dark mode is checked here (no console error, no failed load).
    tab = open_tab(phone=True, dark=True)
    tab.open(page_url(language, page))
    assert scheme(tab.page) == DARK
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
    # Light scheme, desktop width; test_schemes.py audits the dark scheme and
    # test_layout.py a phone's width. No violation is excepted.
    assert serious(found.violations) == []
    # axe checks that lang is there and valid; this, that it is the right one.
    assert found.lang == language
