"""Tests of hooks/code_files.py: the diffs made at build time, and downloads.

A page asks for a diff with ``<!-- diff: OLD NEW -->``; the hook replaces it
with the code of NEW marked against OLD (comments, docstrings, blank lines
and whitespace aside). These tests check the diff against the files
themselves, then, in the built site, that every diff is there and that every
download link gives the very file the page includes.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.pages import DOCS, LANGUAGES, build_site, page_files
from tests.support import ROOT, load_hook

pytestmark = pytest.mark.no_cover  # nothing here runs examples/


hook = load_hook("code_files")
DIRECTIVES = [
    (page, match["old"], match["new"])
    for page in page_files()
    for match in hook.DIFF.finditer(page.read_text(encoding="utf-8"))
]


def squeezed(lines: list[str]) -> list[str]:
    return ["".join(line.split()) for line in lines]


def sides(diff: str) -> tuple[list[str], list[str]]:
    """The old and the new file's lines, read back out of a diff."""
    header_old, header_new, *body = diff.splitlines()
    assert header_old.startswith("--- ") and header_new.startswith("+++ ")
    assert body, diff
    assert {line[0] for line in body} <= {" ", "-", "+"}
    old = [line[1:] for line in body if line[0] in " -"]
    new = [line[1:] for line in body if line[0] in " +"]
    return old, new


def test_code_lines_drop_comments_docstrings_and_blank_lines(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text(
        '"""Module docstring,\non two lines."""\n\n'
        "import os  # a comment\n"
        "# a whole-line comment\n"
        "def f():\n"
        '    """Docstring."""\n'
        '    return "# not a comment"\n',
        encoding="utf-8",
    )
    assert hook.code_lines(source) == [
        "import os",
        "def f():",
        '    return "# not a comment"',
    ]


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*/zh/*_min.py")))
def test_both_language_copies_have_the_same_code_lines(example: Path) -> None:
    english = example.parent.parent / "en" / example.name
    assert hook.code_lines(example) == hook.code_lines(english)


def test_the_pages_ask_for_diffs() -> None:
    assert len(DIRECTIVES) >= 2 * 4  # the chapter's four programs, two languages


@pytest.mark.parametrize(
    ("page", "old", "new"),
    DIRECTIVES,
    ids=[f"{p.relative_to(DOCS).as_posix()}:{Path(n).name}" for p, _, n in DIRECTIVES],
)
def test_a_diff_holds_the_whole_of_both_files(page: Path, old: str, new: str) -> None:
    before, after = hook.code_lines(ROOT / old), hook.code_lines(ROOT / new)
    shown_old, shown_new = sides(hook.code_diff(ROOT / old, ROOT / new))
    assert shown_new == after  # the new file exactly, in order
    assert squeezed(shown_old) == squeezed(before)  # the old one, whitespace aside


@pytest.mark.parametrize(
    ("page", "old", "new"),
    DIRECTIVES,
    ids=[f"{p.relative_to(DOCS).as_posix()}:{Path(n).name}" for p, _, n in DIRECTIVES],
)
def test_a_diff_uses_the_pages_own_language_copy(
    page: Path, old: str, new: str
) -> None:
    language = page.relative_to(DOCS).parts[0]
    for path in (old, new):
        folder = Path(path).parent.name
        assert folder not in LANGUAGES or folder == language, path


def test_both_languages_show_the_same_diffs() -> None:
    def diffs(language: str) -> list[tuple[str, str]]:
        return [
            (
                page.relative_to(DOCS / language).as_posix(),
                hook.code_diff(ROOT / o, ROOT / n),
            )
            for page, o, n in DIRECTIVES
            if page.relative_to(DOCS).parts[0] == language
        ]

    assert diffs("zh") == diffs("en")


def test_a_line_that_only_moved_into_a_block_counts_as_unchanged(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.py").write_text("x=1\nprint(x)\n", encoding="utf-8")
    (tmp_path / "b.py").write_text(
        "try:\n    x = 1\n    print(x)\nexcept OSError:\n    pass\n", encoding="utf-8"
    )
    assert hook.code_diff(tmp_path / "a.py", tmp_path / "b.py") == (
        "--- a.py\n+++ b.py\n+try:\n     x = 1\n     print(x)\n+except OSError:\n+    pass\n"
    )


# --- the built site ------------------------------------------------------------

DOWNLOAD = re.compile(
    r'<a class="md-button download" href="(?P<href>[^"]+)" download="(?P<name>[^"]+)">'
)
INCLUDE = re.compile(r'^\s*--8<--\s+"(examples/[^":]+\.py)"\s*$', re.M)
# Its line count follows the class (hooks/lazy_code.py).
DIFF_BLOCK = re.compile(r'<div class="language-diff highlight"[ >]')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    build_site(site_dir)
    return site_dir


def built(site: Path, page: Path) -> tuple[str, str]:
    """The built HTML of a Markdown page, and its URL from the site's root."""
    language, *rest = page.relative_to(DOCS).with_suffix("").parts
    parts = [] if rest == ["index"] else rest
    url = "/" + "".join(
        f"{part}/" for part in ([] if language == "zh" else ["en"]) + parts
    )
    return (site / url.lstrip("/") / "index.html").read_text(encoding="utf-8"), url


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_every_diff_asked_for_is_on_the_built_page(site: Path, page: Path) -> None:
    asked = len(hook.DIFF.findall(page.read_text(encoding="utf-8")))
    text, _ = built(site, page)
    assert len(DIFF_BLOCK.findall(text)) == asked
    assert "<!-- diff:" not in text


@pytest.mark.parametrize(
    "page", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_every_example_shown_whole_can_be_downloaded_as_that_file(
    site: Path, page: Path
) -> None:
    # A link under every whole-file include, and one for every download line.
    markdown = page.read_text(encoding="utf-8")
    offered = sorted(
        [(m.start(), m[1]) for m in INCLUDE.finditer(markdown)]
        + [(m.start(), m["path"]) for m in hook.DOWNLOAD_LINK.finditer(markdown)]
    )
    text, url = built(site, page)
    links = DOWNLOAD.findall(text)
    assert [urlsplit(urljoin(url, href)).path for href, _ in links] == [
        f"/{path}" for _, path in offered
    ]
    for (href, name), (_, path) in zip(links, offered, strict=True):
        target = site / urlsplit(urljoin(url, href)).path.lstrip("/")
        assert target.read_bytes() == (ROOT / path).read_bytes()
        assert name == Path(path).name
