"""Links to the official Python documentation point at real targets.

The tests cannot reach docs.python.org, so they check what the link names: a
library page is ``library/MODULE.html`` for a module that exists, and an
anchor that names an object (``#socket.socket.recv``) names one that this
Python really has. Anchors of prose sections (with a hyphen, such as
``#the-with-statement``) must be in the list below, each checked by hand
against the documentation.
"""

from __future__ import annotations

import builtins
import importlib
import re

import pytest

from tests.support import ROOT

DOCS = ROOT / "docs"
# Chinese pages link the Chinese translation (zh-cn/3/), which has the same
# paths and anchors as the English documentation (3/).
LINK = re.compile(
    r"https://docs\.python\.org/(?P<translation>zh-cn/)?3/"
    r"(?P<page>[\w/.-]+?\.html)(?:#(?P<anchor>[\w.-]+))?"
)
TRANSLATION = {"zh": "zh-cn/", "en": None}
# Section anchors (not object names), each looked up in the documentation's
# reStructuredText source (CPython's Doc/ folder) before it was added here:
# a section title gives a slug id, a ``.. _label:`` line gives the label.
SECTIONS: dict[str, set[str]] = {
    "library/socket.html": {
        "socket-families",  # "Socket families"
        "socket-timeouts",  # ".. _socket-timeouts:" before "Notes on socket timeouts"
        "notes-on-socket-timeouts",
        "timeouts-and-the-accept-method",  # "Timeouts and the ``accept`` method"
    },
    "library/codecs.html": {"error-handlers"},  # ".. _error-handlers:"
    "reference/compound_stmts.html": {"the-with-statement"},  # "The with statement"
}


def links() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in LINK.finditer(text):
            where = path.relative_to(ROOT).as_posix()
            found.append((where, match["page"], match["anchor"] or ""))
    return found


def resolve(module_name: str, dotted: str) -> object:
    """Find ``dotted`` (``socket.socket.recv``) as Python would import it."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            obj = getattr(obj, part)
        return obj
    obj = getattr(builtins, parts[0])  # TimeoutError, bytes, str.encode, ...
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def test_the_pages_link_the_python_documentation() -> None:
    assert len(links()) > 10


@pytest.mark.parametrize("language", TRANSLATION)
def test_each_language_links_the_documentation_in_that_language(language: str) -> None:
    found = [
        (path.name, match[0])
        for path in sorted((DOCS / language).rglob("*.md"))
        for match in LINK.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(found) > 10
    assert [
        link
        for link in found
        if LINK.match(link[1])["translation"] != TRANSLATION[language]
    ] == []


@pytest.mark.parametrize(("where", "page", "anchor"), links())
def test_python_documentation_link_has_a_real_target(
    where: str, page: str, anchor: str
) -> None:
    if (
        page.startswith("library/")
        and page.removeprefix("library/").removesuffix(".html").isidentifier()
    ):
        module = page.removeprefix("library/").removesuffix(".html")
        if module not in {
            "exceptions",
            "functions",
            "constants",
            "stdtypes",
            "devmode",
        }:
            importlib.import_module(module)
    if not anchor:
        return
    if anchor.startswith("module-"):
        importlib.import_module(anchor.removeprefix("module-"))
        return
    if anchor in SECTIONS.get(page, set()):
        return
    module = page.removeprefix("library/").removesuffix(".html")
    try:
        resolve(module, anchor)
    except (AttributeError, ImportError):
        pytest.fail(
            f"{where}: #{anchor} on {page} is neither an object nor a known section"
        )
