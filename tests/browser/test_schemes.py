"""The light and the dark colour scheme, on every page, in every language.

The palette follows the reader's system (mkdocs.yml: ``media:
"(prefers-color-scheme: light|dark)"``): a browser that prefers dark gets
Material's ``slate`` scheme, one that prefers light its ``default`` scheme,
and the toggle in the header switches between them. Each scheme has its own
colours, so axe-core audits both: the light one in the desktop visit
(test_pages.py), the dark one here, in a visit by a browser that prefers dark
(``dark_visit``, tests/browser/visits.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.visits import DARK, EVERY_PAGE, LIGHT, DarkVisit, Visit, serious


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_a_browser_that_prefers_dark_gets_the_dark_scheme(
    dark_visit: Callable[[str, str], DarkVisit], language: str, page: str
) -> None:
    found = dark_visit(language, page)
    assert found.scheme == DARK
    # No console error, no failed load, no request to another host.
    assert found.problems == [], found.requests


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_axe_finds_no_serious_violation_in_the_dark_scheme(
    dark_visit: Callable[[str, str], DarkVisit], language: str, page: str
) -> None:
    found = dark_visit(language, page)
    assert found.scheme == DARK  # the audit below is of the dark scheme
    assert serious(found.violations) == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_the_toggle_switches_to_dark_and_back(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    # The desktop visit, in a browser that prefers light: the page shows the
    # light scheme, the first press of the toggle the dark one, the second
    # the light one again.
    assert visit(language, page).schemes == [LIGHT, DARK, LIGHT]
