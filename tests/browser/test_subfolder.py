"""The site served from a subfolder, as GitHub Pages serves a project's site.

A project's Pages site lives at ``https://OWNER.github.io/REPO/``, and a
teacher may put the site in any folder of a server. Here the same build is
served under ``/sockets/``; each language's home page and one inner page must
load everything from under that folder, switch language within it and find
their own pages by search.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Tab, new_tab, serving
from tests.browser.site import languages, page_url
from tests.browser.test_search import KEY_TERMS, search

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FOLDER = "/sockets/"
PAGES = ["", "tcp/"]  # a home page (whose links once left the folder) and another


@pytest.fixture(scope="module")
def folder_origin(
    site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Serve the built site at /sockets/ of a local server."""
    root = tmp_path_factory.mktemp("server-root")
    (root / FOLDER.strip("/")).symlink_to(site, target_is_directory=True)
    with serving(root) as url:
        yield url


@pytest.fixture
def tab(browser: Browser, folder_origin: str) -> Iterator[Tab]:
    tab, context = new_tab(browser, folder_origin)
    yield tab
    context.close()


def in_folder(path: str) -> str:
    return FOLDER + path.lstrip("/")


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("page", PAGES)
def test_a_page_in_a_subfolder_loads_switches_and_searches_within_it(
    tab: Tab, language: str, page: str
) -> None:
    tab.open(in_folder(page_url(language, page)))
    outside = [
        url
        for url in tab.requests
        if tab.is_local(url) and not urlsplit(url).path.startswith(FOLDER)
    ]
    assert outside == []
    # The language switcher's links, as the browser resolves them.
    switcher = tab.page.eval_on_selector_all(
        "a.md-select__link", "links => links.map(a => [a.hreflang, a.href])"
    )
    targets = {lang: urlsplit(href).path for lang, href in switcher}
    assert targets == {lang: in_folder(page_url(lang, page)) for lang in languages()}
    term, target = KEY_TERMS[language][0]
    assert in_folder(page_url(language, target)) in search(tab, term)
    for lang in languages():  # every switcher link leads to a page that exists
        tab.open(targets[lang])
    assert tab.problems() == []
