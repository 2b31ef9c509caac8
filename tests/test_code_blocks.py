"""The code a reader sees on the site is the code the tests run.

A Python block on a page may only include a file (``--8<--``) from
``examples/`` or the chapter's original code in ``tests/data/chapter/``; the
API sections are rendered by mkdocstrings (``::: examples.NAME``). Every
example is shown whole on a page in both languages, and every file a page
shows is exercised by a test module.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

DOCS = ROOT / "docs"
EXAMPLES = sorted(
    p.name for p in (ROOT / "examples").glob("*.py") if p.name != "__init__.py"
)
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]*)[^\n]*\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]+))?"\s*$')
AUTODOC = re.compile(r"^:::\s+(?P<ident>[\w.]+)", re.M)
PYTHON = {"python", "py", "python3", "pycon"}
ALLOWED = ("examples/", "tests/data/chapter/")


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def python_blocks(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    return [
        (text[: m.start()].count("\n") + 1, m["body"])
        for m in FENCE.finditer(text)
        if m["lang"].lower() in PYTHON
    ]


def includes(path: Path) -> list[tuple[str, str | None]]:
    """(file, section or line range) of every include in the page's Python blocks."""
    found = []
    for _, body in python_blocks(path):
        for line in body.splitlines():
            match = INCLUDE.match(line)
            if match:
                found.append((match["path"], match["section"]))
    return found


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_blocks_only_include_tested_files(page: Path) -> None:
    problems = []
    for line, body in python_blocks(page):
        for text in body.splitlines():
            match = INCLUDE.match(text)
            if not text.strip():
                continue
            if match is None:
                problems.append(f"line {line}: pasted code {text.strip()!r}")
            elif not match["path"].startswith(ALLOWED):
                problems.append(f"line {line}: includes {match['path']}")
            elif not (ROOT / match["path"]).is_file():
                problems.append(f"line {line}: no such file {match['path']}")
    assert problems == []


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_api_sections_render_examples_only(page: Path) -> None:
    idents = AUTODOC.findall(page.read_text(encoding="utf-8"))
    assert [
        i for i in idents if i.removeprefix("examples.") + ".py" not in EXAMPLES
    ] == []


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_is_shown_whole_in_each_language(
    language: str, example: str
) -> None:
    shown = {
        path
        for page in (DOCS / language).rglob("*.md")
        for path, section in includes(page)
        if section is None
    }
    assert f"examples/{example}" in shown


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_a_test_module_that_imports_it(example: str) -> None:
    module = ROOT / "tests" / f"test_{example}"
    name = example.removesuffix(".py")
    assert module.is_file()
    assert f"from examples import {name}" in module.read_text(encoding="utf-8")


def test_every_quoted_chapter_file_is_run_by_the_errata_tests() -> None:
    quoted = {
        Path(path).name
        for page in pages()
        for path, _ in includes(page)
        if path.startswith("tests/data/chapter/")
    }
    errata_tests = (ROOT / "tests" / "test_errata.py").read_text(encoding="utf-8")
    # socket_methods.py holds only comments, the chapter's list of methods:
    # its claims are checked one by one (backlog, recv's return type).
    run = {name for name in quoted if f'"{name}"' in errata_tests}
    assert quoted - run <= {"socket_methods.py"}
    assert "test_recv_returns_bytes_not_str" in errata_tests
    assert "test_listen_backlog_is_not_limited_to_1_to_5" in errata_tests
