"""Code, output, tables and diagrams, laid out at a desktop's and a phone's width.

What the site's CSS (docs/assets/stylesheets/extra.css) and script
(docs/assets/javascripts/site.js) promise, measured in the browser:

- At 1280 px, no code block of the site's programs or commands is wider than
  its box. Only the chapter's original code may be (its Chinese comments make
  long lines, and it is shown byte for byte): a block that scrolls shows a
  shadow on the side that has more to scroll to, and only there.
- Output blocks (```text: what a program printed) wrap instead of scrolling,
  at 1280 px and at 375 px, and a copy gives exactly the page's text.
- On a phone (375 px): identifiers in tables stay on one line, a table wider
  than the column scrolls in its own wrapper, which the keyboard can reach;
  the copy button covers no text of a block's first line; diagrams keep a
  readable size and scroll; axe-core finds no serious violation, and no
  region that scrolls but cannot be reached with the keyboard.

The desktop measurements come from the page's desktop visit (``visit``),
the phone's from its phone visit (``phone_visit``): tests/browser/visits.py.
"""

from __future__ import annotations

from collections.abc import Callable
from textwrap import indent
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.site import chapter_titles, documented_docstrings, output_blocks
from tests.browser.visits import EVERY_PAGE, LIGHT, PhoneVisit, Visit, serious

# The scroll hint as drawn: how far (in 0-255 brightness) the edge of a
# scrolling block strays from its background where it has a shadow (at
# least; 20 to 80 on the site's blocks, less the less there is left to
# scroll to), and where it has none (at most: the background is flat).
SHADOW = 10
FLAT = 2
# Diagrams on a phone: at least this wide (CSS px), so that their 13-unit
# text, drawn at 760 units wide, is at least about 10 px.
DIAGRAM_MIN_WIDTH = 600
# Rounding of fractional CSS pixels in boxes.
EPSILON = 0.5


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Do two boxes (left, top, right, bottom) share any area?"""
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > EPSILON
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > EPSILON
    )


def _scrolls(box: dict[str, Any]) -> bool:
    return bool(box["scroll"] > box["client"])


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_code_fits_its_box_at_desktop_width(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    chapter = chapter_titles(language, page)
    too_wide = [
        (block["title"], block["first"], block["scroll"], block["client"])
        for block in visit(language, page).widths
        if _scrolls(block) and not block["output"] and block["title"] not in chapter
    ]
    assert too_wide == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_code_that_scrolls_shows_the_scroll_hint(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    found = visit(language, page)
    missing = []
    for block in found.widths:
        if not _scrolls(block):
            continue
        # The hint's layers: shadows that stay at the box's edges (scroll)
        # under covers that move with the code (local).
        layers = (
            "radial-gradient" in block["image"]
            and "linear-gradient" in (block["image"])
        )
        attached = {"scroll", "local"} <= set(
            block["attachment"].replace(",", " ").split()
        )
        # And as drawn (the block's background alone, without its text): at
        # the start, a shadow on the right edge and none on the left; scrolled
        # to the end, the other way round.
        start, end = found.edges[block["id"]]["start"], found.edges[block["id"]]["end"]
        drawn = (
            start["right"] >= SHADOW
            and start["left"] <= FLAT
            and end["left"] >= SHADOW
            and end["right"] <= FLAT
        )
        if not (layers and attached and drawn):
            missing.append((block["title"], block["first"], start, end))
    assert missing == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_output_blocks_wrap_instead_of_scrolling(
    visit: Callable[[str, str], Visit],
    phone_visit: Callable[[str, str], PhoneVisit],
    language: str,
    page: str,
) -> None:
    desktop = [
        (block["first"], block["scroll"], block["client"])
        for block in visit(language, page).widths
        if block["output"] and _scrolls(block)
    ]
    assert desktop == []
    phone = [
        (block["first"], block["scroll"], block["client"])
        for block in phone_visit(language, page).outputs
        if _scrolls(block)
    ]
    assert phone == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_output_blocks_show_and_copy_the_pages_text(
    visit: Callable[[str, str], Visit], language: str, page: str
) -> None:
    # Wrapping is the browser's drawing: what the block holds and what its
    # copy button copies is the Markdown block, character for character.
    blocks = [block for block in visit(language, page).blocks if block["output"]]
    outputs = [block for block in blocks if not block["docstring"]]
    expected = output_blocks(language, page)
    assert [block["shown"] for block in outputs] == expected
    assert [block["copied"] for block in outputs] == expected
    # A usage block of a module's docstring (reference pages): the
    # docstring's indented lines, without their indentation.
    docstrings = [
        docstring + "\n" for docstring in documented_docstrings(language, page)
    ]
    altered = [
        block["shown"]
        for block in blocks
        if block["docstring"]
        and (
            block["copied"] != block["shown"]
            or not any(indent(block["shown"], "    ") in d for d in docstrings)
        )
    ]
    assert altered == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_tables_keep_identifiers_whole_and_scroll_on_a_phone(
    phone_visit: Callable[[str, str], PhoneVisit], language: str, page: str
) -> None:
    found = phone_visit(language, page)
    # An identifier (`ConnectionRefusedError`) drawn as one box, not two.
    assert found.broken_table_code == []
    wrong = []
    for table in found.tables:
        wrap = table["wrap"]
        if wrap is None:
            if table["width"] > table["column"] + EPSILON:
                wrong.append((table["head"], "wider than the column, no wrapper"))
        elif table["width"] > wrap["client"] + EPSILON and not (
            _scrolls(wrap)
            and wrap["overflow"] in ("auto", "scroll")
            and wrap["tabindex"] == "0"
        ):
            wrong.append((table["head"], wrap))
    assert wrong == []
    # So the page itself does not scroll sideways.
    assert found.page_width <= PHONE["width"]


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_copy_button_leaves_the_first_line_visible_on_a_phone(
    phone_visit: Callable[[str, str], PhoneVisit], language: str, page: str
) -> None:
    found = phone_visit(language, page)
    shown = [block for block in found.first_lines if block["text"]]
    # Every block on show has its button, and the button has a size (or
    # the test below would pass without looking).
    assert [
        block["id"]
        for block in shown
        if block["button"] is None
        or block["button"]["right"] - block["button"]["left"] < 1
    ] == []
    covered = [
        (block["line"], block["button"], block["text"])
        for block in shown
        if any(_overlap(block["button"], box) for box in block["text"])
    ]
    assert covered == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_diagrams_keep_a_readable_size_and_scroll_on_a_phone(
    phone_visit: Callable[[str, str], PhoneVisit], language: str, page: str
) -> None:
    wrong = [
        image
        for image in phone_visit(language, page).images
        if not image["complete"]
        or image["drawn"] < DIAGRAM_MIN_WIDTH
        or image["parent"] != "P"
        or not _scrolls(image)
        or image["overflow"] not in ("auto", "scroll")
        or image["tabindex"] != "0"
    ]
    assert wrong == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_axe_finds_no_serious_violation_on_a_phone(
    phone_visit: Callable[[str, str], PhoneVisit], language: str, page: str
) -> None:
    found = phone_visit(language, page)
    assert found.scheme == LIGHT
    assert serious(found.violations) == []
    # At any impact: every region that scrolls can be reached by keyboard.
    unreachable = [
        " ".join(node["target"])
        for violation in found.violations
        if violation["id"] == "scrollable-region-focusable"
        for node in violation["nodes"]
    ]
    assert unreachable == []


@pytest.mark.parametrize(("language", "page"), EVERY_PAGE)
def test_page_on_a_phone_loads_cleanly(
    phone_visit: Callable[[str, str], PhoneVisit], language: str, page: str
) -> None:
    # No console error, no failed load, no request to another host.
    assert phone_visit(language, page).problems == []
