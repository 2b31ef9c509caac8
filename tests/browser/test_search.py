"""Search, as a reader uses it: type a key term of the glossary, read the results.

Each language has its own search index (hooks/search_split.py). From every
page of a language, the search for each of its key terms must list a link to
the page that explains it, and no link to a page of the other language.

Material's search reads the query on ``keyup``; ``keyboard.type`` of Chinese
text fires none, so End is pressed after it, as STACK.md notes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import Tab
from tests.browser.site import languages, nav_pages, page_id, page_url

# Key terms of the glossary, in each language, and the page that explains each.
KEY_TERMS = {
    "zh": [
        ("套接字", "socket-api/"),
        ("端口", "basics/"),
        ("数据报", "udp/"),
        ("三次握手", "tcp/"),
        ("字节串", "socket-api/"),
    ],
    "en": [
        ("socket", "socket-api/"),
        ("port", "basics/"),
        ("datagram", "udp/"),
        ("handshake", "tcp/"),
        ("bytes", "socket-api/"),
    ],
}
RESULTS = ".md-search-result__list > .md-search-result__item"
# How long the results may take to appear (ms): the index loads in a worker.
RESULTS_TIMEOUT = 5_000
NUMBER = re.compile(r"\d+")
# Scroll the results to a little above their end, let a frame pass (so that
# the theme sees a scroll event there), then to the end.
SCROLL_TO_END = """async wrap => {
  const frame = () => new Promise(done => requestAnimationFrame(done));
  wrap.scrollTo(0, wrap.scrollHeight - wrap.clientHeight - 40);
  await frame();
  await frame();
  wrap.scrollTo(0, wrap.scrollHeight);
}"""


def test_every_language_has_key_terms() -> None:
    assert set(KEY_TERMS) == set(languages())


def search(tab: Tab, query: str) -> list[str]:
    """Search for ``query``; the site paths of all the results' links."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: PLC0415

    page = tab.page
    box = page.locator("input.md-search__input")
    results = page.locator(RESULTS)
    box.click()
    # Empty the box first, so that the results read below are this query's.
    box.fill("")
    page.keyboard.press("End")
    page.wait_for_function(f"() => document.querySelectorAll({RESULTS!r}).length === 0")
    # The whole query at once, then a key: Material reads the box on a key
    # event, so it searches once, for the whole query (typing letter by
    # letter would also search "b", "by", … whose results may come last).
    box.fill(query)
    page.keyboard.press("End")
    try:
        results.first.wait_for(timeout=RESULTS_TIMEOUT)
    except PlaywrightTimeout:
        return []
    # "13 matching documents", "12 个符合条件的结果": Material shows ten
    # and adds more each time the list is scrolled to its end.
    total = int(NUMBER.findall(page.locator(".md-search-result__meta").inner_text())[0])
    scroller = page.locator(".md-search__scrollwrap")
    while (shown := results.count()) < total:
        # As a reader scrolls: through the list, then to its end. Material
        # adds results when the end comes into view, noticed on a scroll
        # event; jumping from one end to the next, as one scrollTo() does,
        # never leaves the end, and the next results would never come.
        scroller.evaluate(SCROLL_TO_END)
        page.wait_for_function(
            f"n => document.querySelectorAll({RESULTS!r}).length > n", arg=shown
        )
    hrefs = page.eval_on_selector_all(
        ".md-search-result__link", "links => links.map(a => a.href)"
    )
    return [urlsplit(urljoin(page.url, href)).path for href in hrefs]


@pytest.mark.parametrize(
    ("language", "page"),
    [
        pytest.param(language, page, id=f"{language}-{page_id(page)}")
        for language in languages()
        for page in nav_pages()
    ],
)
def test_key_terms_lead_to_their_pages_and_stay_in_the_language(
    open_tab: Callable[..., Tab], language: str, page: str
) -> None:
    tab = open_tab()
    tab.open(page_url(language, page))
    prefix = languages()[language]
    # The other languages' pages are under their own prefixes (the default
    # language's are those under no other prefix).
    others = [p for lang, p in languages().items() if lang != language]
    missing, foreign = {}, {}
    for term, target in KEY_TERMS[language]:
        found = search(tab, term)
        if prefix + target not in found:
            missing[term] = found
        wrong = [
            path
            for path in found
            if not path.startswith(prefix)
            or any(path.startswith(p) for p in others if p.startswith(prefix))
        ]
        if wrong:
            foreign[term] = wrong
    assert missing == {}, "a key term's search does not list its page"
    assert foreign == {}, "search lists pages of another language"
    assert tab.problems() == []
