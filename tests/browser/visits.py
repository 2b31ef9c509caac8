"""Visits of one page, each made once per run and read by several tests.

A visit opens the page in a fresh browser context, measures what the tests
check, runs axe-core and keeps every request and console message; the tests
then read its record (the fixtures ``visit``, ``dark_visit`` and
``phone_visit`` in conftest.py make each visit once and keep it). There are
three per page and language:

- `visit_desktop`: 1280 px, light scheme. A full-page screenshot, images,
  code blocks and their widths, each copy button pressed, the audit, and the
  palette toggle pressed twice, in that order.
- `visit_dark`: 1280 px, in a browser that prefers dark (``color_scheme``):
  which scheme the page shows, the audit, then the language switcher
  followed to the other language's page.
- `visit_phone`: 375 px (``PHONE``), light: tables, code blocks and their copy
  buttons, diagrams, and the audit.

Each test of a page is parametrized by `page_params`, which puts all the
tests of one page on one pytest-xdist worker (``xdist_group``; see
``pytest_xdist_make_scheduler`` in conftest.py), so that each visit is made
once.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Tab, screenshot_path
from tests.browser.site import (
    COPY_BUTTON,
    languages,
    nav_pages,
    page_group,
    page_id,
    page_url,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

LANGUAGES = list(languages())
PAGES = nav_pages()
# axe-core impact levels that fail the audit. No violation of these is
# excepted, on any page, in either scheme, at either width.
FAILING_IMPACTS = {"serious", "critical"}
# Material's two colour schemes: the light one and the dark one.
LIGHT, DARK = "default", "slate"


def page_params(pages: dict[str, list[str]]) -> list[Any]:
    """(language, page) parameters; all the tests of one page share a worker."""
    return [
        pytest.param(
            language,
            page,
            id=page_group(language, page),
            marks=pytest.mark.xdist_group(page_group(language, page)),
        )
        for language, names in pages.items()
        for page in names
    ]


EVERY_PAGE = page_params({language: PAGES for language in LANGUAGES})


def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now."""
    # axe-core, as the browser task installs it (requirements/browser.txt).
    from axe_playwright_python.sync_playwright import Axe  # noqa: PLC0415

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def serious(violations: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(rule, element, help) for each element of a serious or critical violation."""
    return [
        (violation["id"], " ".join(node["target"]), violation["help"])
        for violation in violations
        if violation["impact"] in FAILING_IMPACTS
        for node in violation["nodes"]
    ]


def scheme(page: Page) -> str | None:
    """The colour scheme the page shows (Material sets it on the body)."""
    shown: str | None = page.evaluate(
        'document.body.getAttribute("data-md-color-scheme")'
    )
    return shown


# JavaScript: the page's SVG images, once each has been decoded, with the
# size they are drawn at and their paragraph's scrolling.
SVG_IMAGES = """async () => {
  const svgs = [...document.images].filter(
    img => new URL(img.src, location).pathname.endsWith(".svg"));
  for (const img of svgs) {
    img.scrollIntoView();  // in case one is ever loaded lazily
    await img.decode().catch(() => {});
  }
  return svgs.map(img => {
    const box = img.parentElement;
    return {src: img.getAttribute("src"), complete: img.complete,
            width: img.naturalWidth, alt: img.alt,
            drawn: img.getBoundingClientRect().width,
            parent: box.tagName, scroll: box.scrollWidth, client: box.clientWidth,
            overflow: getComputedStyle(box).overflowX,
            tabindex: box.getAttribute("tabindex")};
  });
}"""
# JavaScript: the text of the page's content, without code.
PROSE = """() => {
  const content = document.querySelector(".md-content").cloneNode(true);
  content.querySelectorAll("pre, code").forEach(el => el.remove());
  return content.innerText;
}"""
# JavaScript: each copy button's block: its title, whether it is program
# output (```text) and part of a docstring (mkdocstrings), and the code it
# shows.
CODE_BLOCKS = f"""() => [...document.querySelectorAll({COPY_BUTTON!r})].map(button => {{
  const block = button.closest(".highlight");
  const title = block.querySelector(":scope > .filename");
  const code = document.querySelector(button.getAttribute("data-clipboard-target"));
  return {{title: title ? title.textContent : null,
           output: block.classList.contains("language-text"),
           docstring: block.closest(".doc") !== null,
           shown: code.textContent}};
}})"""
# JavaScript: what the clipboard holds; then empty it for the next button.
TAKE_CLIPBOARD = """async () => {
  const text = await navigator.clipboard.readText();
  await navigator.clipboard.writeText("");
  return text;
}"""
# JavaScript: every code block's width: what it holds (scrollWidth) against
# what it shows (clientWidth), and its background (the scroll hint).
CODE_WIDTHS = """() => [...document.querySelectorAll("pre > code")].map(code => {
  const block = code.closest(".highlight");
  const title = block && block.querySelector(":scope > .filename");
  const style = getComputedStyle(code);
  return {id: code.parentElement.id, title: title ? title.textContent : null,
          output: code.closest(".language-text") !== null,
          first: code.textContent.split("\\n")[0].slice(0, 80),
          scroll: code.scrollWidth, client: code.clientWidth,
          image: style.backgroundImage, attachment: style.backgroundAttachment};
})"""
# JavaScript: how far the edges of a PNG image (a screenshot of one code
# block, its text hidden) stray from the colour at its centre: the largest
# difference in brightness (0-255) of any pixel in a strip 12 px wide at the
# left and at the right edge, above the scroll bar (the block's clientHeight
# of its offsetHeight); 2 px in from each side, since a box at fractional
# pixels has its neighbours' colours in its outermost pixels.
EDGE_SHADES = """async ([png, inside]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const brightness = (data, i) => (data[i] + data[i + 1] + data[i + 2]) / 3;
  const centre = brightness(context.getImageData(
    Math.floor(image.width / 2), Math.floor(image.height / 2), 1, 1).data, 0);
  const rows = Math.floor(image.height * inside) - 4;
  const shade = x => {
    const pixels = context.getImageData(x, 2, 12, rows).data;
    let most = 0;
    for (let i = 0; i < pixels.length; i += 4)
      most = Math.max(most, Math.abs(brightness(pixels, i) - centre));
    return most;
  };
  return {left: shade(2), right: shade(image.width - 14)};
}"""
# CSS: only a code block's own background is drawn: no text, no token
# backgrounds or borders, no copy button.
BACKGROUND_ONLY = """
#{id} > code * {{ color: transparent !important; background: none !important;
  border-color: transparent !important; text-decoration: none !important; }}
#{id} > code {{ color: transparent !important; caret-color: transparent; }}
#{id} .md-code__nav {{ visibility: hidden !important; }}
"""
# The palette toggle in the header: the one of its two buttons on show.
TOGGLE = 'form[data-md-component="palette"] label.md-header__button:not([hidden])'


@dataclass
class Visit:
    """What the desktop visit of a page found, in the light scheme."""

    lang: str = ""
    title: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    raw_diagrams: int = 0
    prose: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)  # title, shown, copied
    code_count: int = 0
    widths: list[dict[str, Any]] = field(default_factory=list)  # CODE_WIDTHS
    # For each code block wider than its box: the shading of its left and
    # right edges (EDGE_SHADES), scrolled to its start and to its end.
    edges: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    schemes: list[str | None] = field(default_factory=list)  # before, 1st, 2nd press
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


# Material marks up diagrams it would render with Mermaid (from a CDN) like
# this; other diagram languages would show up as raw code blocks.
RAW_DIAGRAMS = (
    ".mermaid, .language-mermaid, .language-plantuml, .language-dot,"
    " .language-graphviz, .language-d2"
)


def _edges(page: Page, block_id: str) -> dict[str, dict[str, float]]:
    """The shading of a scrolling code block's edges, at its start and end."""
    code = page.locator(f"#{block_id} > code")
    style = page.add_style_tag(content=BACKGROUND_ONLY.format(id=block_id))
    found = {}
    for where, left in (("start", "0"), ("end", "code.scrollWidth")):
        code.evaluate(f"code => {{ code.scrollLeft = {left}; }}")
        png = base64.b64encode(code.screenshot(animations="disabled")).decode()
        inside = code.evaluate("code => code.clientHeight / code.offsetHeight")
        found[where] = page.evaluate(EDGE_SHADES, [png, inside])
    code.evaluate("code => { code.scrollLeft = 0; }")
    style.evaluate("style => style.remove()")
    return found


def visit_desktop(tab: Tab, language: str, page: str) -> Visit:
    found = Visit()
    # networkidle: the search index and lunr's language files are loaded too.
    tab.open(page_url(language, page), wait_until="networkidle")
    tab.page.evaluate("document.fonts.ready")
    tab.read_every_code_block()
    tab.page.screenshot(path=screenshot_path(language, page_id(page)), full_page=True)
    found.lang = tab.page.evaluate("document.documentElement.lang")
    found.title = tab.page.title()
    found.images = tab.page.evaluate(SVG_IMAGES)
    found.raw_diagrams = tab.page.locator(RAW_DIAGRAMS).count()
    found.prose = tab.page.evaluate(PROSE)
    found.code_count = tab.page.locator("pre > code").count()
    found.widths = tab.page.evaluate(CODE_WIDTHS)
    found.edges = {
        block["id"]: _edges(tab.page, block["id"])
        for block in found.widths
        if block["scroll"] > block["client"]
    }
    # Press each copy button as a reader does (a real click: the browser
    # lets a page write to the clipboard only on a user's gesture).
    found.blocks = tab.page.evaluate(CODE_BLOCKS)
    tab.page.evaluate(TAKE_CLIPBOARD)
    for block, button in zip(
        found.blocks, tab.page.locator(COPY_BUTTON).all(), strict=True
    ):
        button.click()
        block["copied"] = tab.page.evaluate(TAKE_CLIPBOARD)
    found.violations = audit(tab.page)
    # Last, as it changes the page: the palette toggle, pressed twice.
    found.schemes = [scheme(tab.page)]
    for _ in range(2):
        tab.page.locator(TOGGLE).click()
        found.schemes.append(scheme(tab.page))
    found.problems = tab.problems()
    found.requests = list(tab.requests)
    return found


@dataclass
class DarkVisit:
    """What the desktop visit of a page found, the browser preferring dark."""

    scheme: str | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    # The page the language switcher led to: its path, language and scheme.
    switched: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def other_language(language: str) -> str:
    return next(lang for lang in LANGUAGES if lang != language)


def visit_dark(tab: Tab, language: str, page: str) -> DarkVisit:
    found = DarkVisit()
    tab.open(page_url(language, page), wait_until="networkidle")
    tab.read_every_code_block()
    found.scheme = scheme(tab.page)
    found.violations = audit(tab.page)
    # Last, as it leaves the page: the language switcher, which opens on
    # hover, as a reader's mouse does it.
    tab.page.locator(".md-header__option .md-select").hover()
    link = tab.page.locator(f'.md-select__link[hreflang="{other_language(language)}"]')
    with tab.page.expect_navigation():
        link.click()
    found.switched = {
        "path": urlsplit(tab.page.url).path,
        "lang": tab.page.evaluate("document.documentElement.lang"),
        "scheme": scheme(tab.page),
    }
    found.problems = tab.problems()
    found.requests = list(tab.requests)
    return found


# JavaScript: each table, its width and the scroll wrapper around it.
TABLES = """() => [...document.querySelectorAll(".md-content table")].map(table => {
  const wrap = table.closest(".md-typeset__scrollwrap");
  const column = table.closest(".md-content__inner");
  const style = getComputedStyle(column);
  return {
    head: table.rows[0] ? table.rows[0].textContent.trim().slice(0, 60) : "",
    width: table.getBoundingClientRect().width,
    column: column.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight),
    wrap: wrap && {scroll: wrap.scrollWidth, client: wrap.clientWidth,
                   overflow: getComputedStyle(wrap).overflowX,
                   tabindex: wrap.getAttribute("tabindex")},
  };
})"""
# JavaScript: inline code in tables that the browser broke over lines.
BROKEN_TABLE_CODE = """() => [...document.querySelectorAll(".md-content table code")]
  .filter(code => code.getClientRects().length !== 1)
  .map(code => code.textContent)"""
# JavaScript: for each code block, its copy button's box and the boxes of the
# first line of text (a Range from its first character to the line's end).
FIRST_LINES = f"""() => [...document.querySelectorAll("pre > code")].map(code => {{
  const pre = code.parentElement;
  const button = (code.closest(".highlight") || pre).querySelector({COPY_BUTTON!r});
  const range = document.createRange();
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  let started = false, line = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {{
    const text = node.textContent;
    let from = 0;
    if (!started) {{
      from = text.search(/\\S/);
      if (from < 0) continue;
      range.setStart(node, from);
      started = true;
    }}
    const end = text.indexOf("\\n", from);
    line += text.slice(from, end < 0 ? text.length : end);
    if (end >= 0) {{ range.setEnd(node, end); break; }}
    range.setEnd(node, text.length);
  }}
  const box = r => ({{left: r.left, top: r.top, right: r.right, bottom: r.bottom}});
  return {{
    id: pre.id, line: line.slice(0, 60),
    button: button ? box(button.getBoundingClientRect()) : null,
    text: started ? [...range.getClientRects()].filter(r => r.width > 0).map(box) : [],
  }};
}})"""
# JavaScript: each output block's width (they wrap instead of scrolling).
OUTPUT_WIDTHS = """() => [...document.querySelectorAll(".language-text pre > code")]
  .map(code => ({first: code.textContent.split("\\n")[0].slice(0, 80),
                 scroll: code.scrollWidth, client: code.clientWidth}))"""


@dataclass
class PhoneVisit:
    """What the visit of a page on a phone's screen found (375 px, light)."""

    scheme: str | None = None
    page_width: int = 0
    tables: list[dict[str, Any]] = field(default_factory=list)
    broken_table_code: list[str] = field(default_factory=list)
    first_lines: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def visit_phone(tab: Tab, language: str, page: str) -> PhoneVisit:
    found = PhoneVisit()
    tab.open(page_url(language, page), wait_until="networkidle")
    tab.page.evaluate("document.fonts.ready")
    tab.read_every_code_block()
    found.scheme = scheme(tab.page)
    found.page_width = tab.page.evaluate("document.documentElement.scrollWidth")
    found.tables = tab.page.evaluate(TABLES)
    found.broken_table_code = tab.page.evaluate(BROKEN_TABLE_CODE)
    found.first_lines = tab.page.evaluate(FIRST_LINES)
    found.outputs = tab.page.evaluate(OUTPUT_WIDTHS)
    found.images = tab.page.evaluate(SVG_IMAGES)
    tab.page.evaluate("window.scrollTo(0, 0)")
    found.violations = audit(tab.page)
    found.problems = tab.problems()
    found.requests = list(tab.requests)
    return found
