"""The code a reader sees on the site is the code the tests run.

A Python block on a page may only include a file (``--8<--``) from
``examples/`` or the chapter's original code in ``tests/data/chapter/``; the
API sections are rendered by mkdocstrings (``::: examples.NAME``). Every
example is shown whole on a page in both languages, and every file a page
shows is exercised by a test module.

Every other block carries a marker (tests/pages.py): a transcript, which
tests/test_transcripts.py runs, or ``output-of: KEY``, output that a test
produces and compares with ``page_output("KEY")``. Each such key is compared
by at least one test, found here by reading the test modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.pages import DOCS, LANGUAGES, blocks, page_files, shown_outputs
from tests.support import ROOT, example_modules

# Module paths under examples/: "tcp.tcp_server", "tcp.zh.tcp_server_min", ...
EXAMPLES = example_modules()
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]+))?"\s*$')
AUTODOC = re.compile(r"^:::\s+(?P<ident>[\w.]+)", re.M)
PYTHON = {"python", "py", "python3", "pycon"}
ALLOWED = ("examples/", "tests/data/chapter/")
OUTPUT_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def python_blocks(path: Path) -> list[tuple[int, str]]:
    return [(block.line, block.body) for block in blocks(path) if block.lang in PYTHON]


def includes(path: Path) -> list[tuple[str, str | None]]:
    """(file, section or line range) of every include in the page's Python blocks."""
    found = []
    for _, body in python_blocks(path):
        for line in body.splitlines():
            match = INCLUDE.match(line)
            if match:
                found.append((match["path"], match["section"]))
    return found


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
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


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_api_sections_render_examples_only(page: Path) -> None:
    idents = AUTODOC.findall(page.read_text(encoding="utf-8"))
    assert [i for i in idents if i.removeprefix("examples.") not in EXAMPLES] == []


def languages_of(example: str) -> tuple[str, ...]:
    """The languages whose pages show an example: a minimal program's copy in
    ``zh/`` or ``en/`` belongs to its language, a hardened program to both."""
    folder = example.split(".")[-2]
    return (folder,) if folder in LANGUAGES else LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_is_shown_whole_in_its_languages(
    language: str, example: str
) -> None:
    shown = {
        path
        for page in page_files(language)
        for path, section in includes(page)
        if section is None
    }
    path = f"examples/{example.replace('.', '/')}.py"
    assert (path in shown) == (language in languages_of(example))


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_has_a_test_module_that_runs_it(example: str) -> None:
    """``tests/tcp/test_tcp_server.py`` for ``examples/tcp/tcp_server.py``; one
    module for both language copies of a minimal program, which it runs by
    file name (a script, it cannot be imported without running)."""
    section, *_, name = example.split(".")
    module = ROOT / "tests" / section / f"test_{name}.py"
    assert module.is_file()
    text = module.read_text(encoding="utf-8")
    if len(example.split(".")) == 2:
        assert f"from examples.{section} import {name}" in text
    else:
        assert f'"{name}.py"' in text


def test_every_quoted_chapter_file_is_run_by_the_errata_tests() -> None:
    quoted = {
        Path(path).name
        for page in page_files()
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


# --- every other block says which test runs or produces it -------------------


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_every_block_is_an_include_or_marked(page: Path) -> None:
    unmarked = [
        block.where
        for block in blocks(page)
        if block.kind is None and block.lang not in PYTHON
    ]
    assert unmarked == []


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_output_of_markers_name_one_key(page: Path) -> None:
    bad = [
        block.where
        for block in blocks(page)
        if block.kind == "output-of"
        and (len(block.args) != 1 or not OUTPUT_KEY.fullmatch(block.args[0]))
    ]
    assert bad == []


@pytest.mark.parametrize(
    "page", page_files("zh"), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_both_languages_show_the_same_outputs_in_the_same_order(page: Path) -> None:
    def shown(path: Path) -> list[tuple[tuple[str, ...], str]]:
        return [(b.args, b.body) for b in blocks(path) if b.kind == "output-of"]

    english = DOCS / "en" / page.relative_to(DOCS / "zh")
    assert shown(page) == shown(english)


def compared_keys() -> dict[str, list[str]]:
    """``page_output("KEY")`` calls in the test modules: key -> where."""
    found: dict[str, list[str]] = {}
    for module in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            key = node.args[0]
            if name == "page_output" and isinstance(key, ast.Constant):
                where = f"{module.relative_to(ROOT).as_posix()}:{node.lineno}"
                found.setdefault(str(key.value), []).append(where)
    return found


def test_the_test_modules_are_read_for_page_output_calls() -> None:
    assert len(compared_keys()) >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_output_shown_is_compared_by_a_test(language: str) -> None:
    assert sorted(set(shown_outputs(language)) - set(compared_keys())) == []


def test_every_output_a_test_compares_is_shown() -> None:
    missing = {
        key: where
        for key, where in compared_keys().items()
        if key not in shown_outputs()
    }
    assert missing == {}
