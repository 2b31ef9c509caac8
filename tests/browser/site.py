"""What the browser tests know about the site, read from its sources.

The pages and languages come from ``mkdocs.yml`` (the ``nav`` and the i18n
plugin's ``languages``), not from a list kept here, so a page added to the
nav is tested in every language without touching the tests; a page built
but missing from the nav fails ``test_every_built_page_is_in_the_nav``.

The code blocks that show a file (their title starts with the file's path,
such as ``examples/tcp/tcp_server.py`` or ``tests/data/chapter/x.py, lines 2-5``)
are matched with the ``--8<--`` line that includes it in the page's Markdown
source, which says whether the block shows the whole file, a range of lines
or a named section; `expected_snippet` gives the exact text for each.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG = ROOT / "mkdocs.yml"
# Material's copy button (9.8) and language selector links.
COPY_BUTTON = 'button.md-code__button[data-md-type="copy"]'
# A fenced code block in Markdown: opening fence, info string, body.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)\n?^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
TITLE = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)')""")
# A block snippet line: --8<-- "path[:lines or :section]".
SNIPPET = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+(['"])(?P<spec>[^'"\n]+)\1[ \t]*$""")
# A section marker inside an included file; pymdownx.snippets drops these.
SECTION_MARKER = re.compile(r"-{1,}8<-{1,}[ \t]*\[[ \t]*(?:start|end)[ \t]*:")
LINE_RANGES = re.compile(r"(?P<path>.+?):(?P<ranges>\d*(?::\d*)?(?:,\d*(?::\d*)?)*)")
SECTION = re.compile(r"(?P<path>.+?):(?P<name>[a-z][-_0-9a-z]*)")
# What ends the path at the start of a block title: "x.py, lines 2-5", "x.py，第 2 行".
TITLE_PATH_END = re.compile(r"[\s,，:：(（]")


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, ignoring MkDocs' own tags (``!relative``, ``!ENV``)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_ConfigLoader.add_multi_constructor("!", _ignore_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


@functools.cache
def config() -> dict[str, Any]:
    with CONFIG.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.load(file, Loader=_ConfigLoader)
    return loaded


@functools.cache
def languages() -> dict[str, str]:
    """Each built language's URL prefix: ``/`` for the default, ``/en/``…"""
    for plugin in config()["plugins"]:
        if isinstance(plugin, dict) and "i18n" in plugin:
            found = plugin["i18n"]["languages"]
            break
    else:
        raise AssertionError("mkdocs.yml has no i18n plugin with languages")
    return {
        entry["locale"]: "/" if entry.get("default") else f"/{entry['locale']}/"
        for entry in found
        if entry.get("build", True)
    }


def default_language() -> str:
    return next(lang for lang, prefix in languages().items() if prefix == "/")


def _nav_files(items: list[Any]) -> Iterator[str]:
    for item in items:
        values = list(item.values()) if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, list):
                yield from _nav_files(value)
            elif isinstance(value, str) and "://" not in value:
                yield value


def page_path(source: str) -> str:
    """The URL path of a page under its language root: ``tcp.md`` -> ``tcp/``."""
    stem = source.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index").rstrip("/")
    return f"{stem}/" if stem else ""


@functools.cache
def nav_pages() -> list[str]:
    """The URL paths of the nav's pages, in nav order (``""`` is the home page)."""
    return [page_path(source) for source in _nav_files(config()["nav"])]


@functools.cache
def nav_sources() -> dict[str, str]:
    """URL path -> Markdown file, relative to a language's docs folder."""
    return {page_path(source): source for source in _nav_files(config()["nav"])}


def page_url(language: str, page: str) -> str:
    return languages()[language] + page


def page_id(page: str) -> str:
    """A readable test id and file name: ``home``, ``reference-tcp_server``."""
    return page.strip("/").replace("/", "-") or "home"


def page_group(language: str, page: str) -> str:
    """The test id, and pytest-xdist group, of one page in one language: ``zh-tcp``."""
    return f"{language}-{page_id(page)}"


def source_file(language: str, page: str) -> Path:
    docs = ROOT / config().get("docs_dir", "docs")
    return docs / language / nav_sources()[page]


@dataclass(frozen=True)
class Block:
    """A titled code block of a page's Markdown source."""

    title: str
    snippet: str | None  # the --8<-- argument, if the block includes a file


def titled_blocks(language: str, page: str) -> list[Block]:
    """The page's fenced code blocks that have a title, in source order."""
    text = source_file(language, page).read_text(encoding="utf-8")
    blocks = []
    for fence in FENCE.finditer(text):
        title = TITLE.search(fence["info"])
        if title is None:
            continue
        lines = [line for line in fence["body"].splitlines() if line.strip()]
        snippet = SNIPPET.match(lines[0]) if len(lines) == 1 else None
        blocks.append(Block(title[1] or title[2], snippet["spec"] if snippet else None))
    return blocks


def titled_file(title: str) -> str | None:
    """The repository file a block's title names at its start, if any."""
    path = TITLE_PATH_END.split(title.strip(), maxsplit=1)[0]
    if path and (ROOT / path).is_file() and ROOT in (ROOT / path).resolve().parents:
        return path
    return None


def pages_with_file_blocks(language: str) -> list[str]:
    return [
        page
        for page in nav_pages()
        if any(titled_file(block.title) for block in titled_blocks(language, page))
    ]


def _marks(kind: str, name: str, line: str) -> bool:
    """Is ``line`` the ``--8<-- [start:name]`` (or ``end``) marker of a section?"""
    marker = (
        rf"-{{1,}}8<-{{1,}}[ \t]*\[[ \t]*{kind}[ \t]*:[ \t]*{re.escape(name)}[ \t]*\]"
    )
    return re.search(marker, line) is not None


def expected_snippet(spec: str) -> tuple[str, bytes]:
    """The file a ``--8<--`` argument names, and the exact bytes it includes.

    As pymdownx.snippets does: ``path`` is the whole file, ``path:2:5`` lines
    2 to 5 (``path:8`` line 8 to the end, several ranges joined by commas),
    ``path:name`` the lines between ``--8<-- [start:name]`` and
    ``--8<-- [end:name]``; section marker lines are never included.
    """
    if (ROOT / spec).is_file():
        path, selection = spec, None
    elif match := LINE_RANGES.fullmatch(spec):
        path, selection = match["path"], ("lines", match["ranges"])
    elif match := SECTION.fullmatch(spec):
        path, selection = match["path"], ("section", match["name"])
    else:
        raise AssertionError(f"cannot read the snippet argument {spec!r}")
    lines = (ROOT / path).read_bytes().splitlines(keepends=True)
    if selection is None:
        chosen = lines
    elif selection[0] == "lines":
        chosen = []
        for part in selection[1].split(","):
            first, _, last = part.partition(":")
            start = max(0, int(first) - 1) if first else None
            chosen += lines[start : int(last) if last else None]
    else:
        text = [line.decode("utf-8") for line in lines]
        begin = next(
            i for i, line in enumerate(text) if _marks("start", selection[1], line)
        )
        end = next(
            i for i, line in enumerate(text) if _marks("end", selection[1], line)
        )
        chosen = lines[begin + 1 : end]
    kept = [line for line in chosen if not SECTION_MARKER.search(line.decode("utf-8"))]
    return path, b"".join(kept)


# The chapter's original code: blocks that include it may be wider than the
# column (its Chinese comments make long lines), and scroll with a hint.
CHAPTER = "tests/data/chapter/"


def chapter_titles(language: str, page: str) -> set[str]:
    """The titles of the page's blocks that include the chapter's code."""
    return {
        block.title
        for block in titled_blocks(language, page)
        if block.snippet is not None
        and expected_snippet(block.snippet)[0].startswith(CHAPTER)
    }


def output_blocks(language: str, page: str) -> list[str]:
    """The page's ```text blocks (program output), in order, as the page shows them.

    The text between the fences, without the fence's indentation (a block in
    a list item or an admonition is indented), with the final newline that
    the rendered block has.
    """
    text = source_file(language, page).read_text(encoding="utf-8")
    found = []
    for fence in FENCE.finditer(text):
        words = fence["info"].split()
        if not words or words[0] != "text":
            continue
        indent = fence["indent"]
        lines = [line.removeprefix(indent) for line in fence["body"].split("\n")]
        found.append("\n".join(lines) + "\n")
    return found


# A mkdocstrings line: ``::: examples.tcp.tcp_server`` renders that module.
AUTODOC = re.compile(r"^:::[ \t]+(?P<name>[\w.]+)[ \t]*$", re.MULTILINE)


def documented_docstrings(language: str, page: str) -> list[str]:
    """The docstrings of the modules the page renders with mkdocstrings."""
    text = source_file(language, page).read_text(encoding="utf-8")
    found = []
    for match in AUTODOC.finditer(text):
        path = ROOT / (match["name"].replace(".", "/") + ".py")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring is not None, path
        found.append(docstring)
    return found
