"""The 404 page, as a server returns it for an address that has no page.

GitHub Pages answers a missing address, at any depth, with status 404 and
the site's 404.html; the test server does the same (conftest.py). The page
is the same for both languages: it says so in Chinese and in English and
links each language's home page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import Tab
from tests.browser.site import languages, page_url

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# JavaScript: the text of the page's content, the part marked as English
# apart, and the links of the content.
CONTENT = """() => {
  const content = document.querySelector(".md-content").cloneNode(true);
  const english = [...content.querySelectorAll('[lang="en"]')];
  const englishText = english.map(el => el.innerText).join("\\n");
  english.forEach(el => el.remove());
  return {rest: content.innerText, english: englishText,
          links: [...document.querySelectorAll(".md-content a[href]")]
                   .map(a => a.getAttribute("href"))};
}"""


@pytest.mark.parametrize(
    "address", ["/no-such-page/", "/en/reference/no-such-page.html"]
)
def test_a_missing_page_gets_the_404_page_in_both_languages(
    open_tab: Callable[..., Tab], address: str
) -> None:
    tab = open_tab()
    response = tab.page.goto(tab.origin + address, wait_until="networkidle")
    assert response is not None
    assert response.status == 404
    found = tab.page.evaluate(CONTENT)
    assert CJK.search(found["rest"]), found["rest"]
    assert LATIN_WORD.search(found["english"]), found["english"]
    assert not CJK.search(found["english"]), found["english"]
    # A link to each language's home page, and each leads to that page (its
    # status 200 is checked by Tab.open).
    targets = {urlsplit(urljoin(tab.page.url, href)).path for href in found["links"]}
    homes = {language: page_url(language, "") for language in languages()}
    assert set(homes.values()) <= targets
    for language, home in homes.items():
        tab.open(home)
        assert tab.page.evaluate("document.documentElement.lang") == language
    # The only failed load is the missing page itself.
    missing = f"HTTP 404: {tab.origin}{address}"
    assert [problem for problem in tab.problems() if problem != missing] == []
