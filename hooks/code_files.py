"""MkDocs hook: the example files behind a page, as a diff and as downloads.

1. A diff between two program files, made at build time. A page writes, on a
   line of its own::

       <!-- diff: tests/data/chapter/tcp_server.py examples/tcp/zh/tcp_server_min.py -->

   and gets a ``diff`` block of the code of the two files (paths relative to
   the repository root). Comments, docstrings and blank lines are left out,
   since the two files' comments are in different languages (the chapter's
   Chinese, the English copy of a minimal program) while the code is what
   changed; and lines that differ only in their whitespace (a line that moved
   into a ``with`` or ``try`` block) count as unchanged, as with
   ``git diff -w``, and are shown as they are in the second file. So both
   languages' pages show the same diff, and no page holds a pasted copy.

2. A download link under every code block that includes a whole example
   (``--8<-- "examples/..."``), and the example files themselves copied into
   the built site at the same paths (``site/examples/tcp/tcp_server.py``):
   the link downloads exactly the file that the page shows and the tests run.
   A page that does not show the file can still offer it, with a line
   ``<!-- download: examples/tcp/zh/tcp_server_min.py -->`` (the home page's
   quick start does).
"""

from __future__ import annotations

import ast
import difflib
import html
import io
import re
import shutil
import tokenize
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = "examples"
DIFF = re.compile(r"^<!--\s*diff:\s*(?P<old>\S+)\s+(?P<new>\S+)\s*-->[ \t]*$", re.M)
# A fenced block that includes one whole example file, and nothing else.
WHOLE_FILE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,})python[^\n]*\n"
    r'(?P=indent)--8<--\s+"(?P<path>examples/[^":]+\.py)"\s*\n'
    r"(?P=indent)(?P=fence)[ \t]*$",
    re.M,
)
DOWNLOAD_LINK = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*download:\s*(?P<path>examples/\S+\.py)\s*-->[ \t]*$",
    re.M,
)
DOWNLOAD = {"zh": "下载 {name}", "en": "Download {name}"}


def code_lines(path: Path) -> list[str]:
    """The lines of a Python file without comments, docstrings or blank lines."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            end = body[0].end_lineno or body[0].lineno
            docstrings.update(range(body[0].lineno, end + 1))
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column]
    return [
        line.rstrip()
        for number, line in enumerate(lines, start=1)
        if number not in docstrings and line.strip()
    ]


def squeezed(lines: list[str]) -> list[str]:
    """The lines with all their whitespace taken out, for comparing."""
    return ["".join(line.split()) for line in lines]


def code_diff(old: Path, new: Path) -> str:
    """The whole of ``new``'s code, marked against ``old``'s, whitespace aside.

    ``difflib.ndiff`` pairs a removed line with a similar added one, so each
    changed line is shown right above its replacement.
    """
    before, after = code_lines(old), code_lines(new)
    out = [f"--- {old.name}", f"+++ {new.name}"]
    i = j = 0
    for line in difflib.ndiff(squeezed(before), squeezed(after)):
        code = line[:2]  # "? " lines, ndiff's hints, are left out
        if code == "  ":
            out.append(f" {after[j]}")
            i, j = i + 1, j + 1
        elif code == "- ":
            out.append(f"-{before[i]}")
            i += 1
        elif code == "+ ":
            out.append(f"+{after[j]}")
            j += 1
    return "\n".join(out) + "\n"


def source_file(relative: str, page: Page) -> Path:
    path = ROOT / relative
    if not path.is_file():
        raise PluginError(f"{page.file.src_uri}: diff of a missing file {relative}")
    return path


def on_page_markdown(
    markdown: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    def diff_block(match: re.Match[str]) -> str:
        old = source_file(match["old"], page)
        new = source_file(match["new"], page)
        return f"```diff\n{code_diff(old, new)}```"

    markdown = DIFF.sub(diff_block, markdown)

    # Directory URLs: a page at "en/tcp/" is two folders below the site root.
    root = "../" * page.url.count("/")
    label = DOWNLOAD.get(config.theme["language"], DOWNLOAD["en"])

    def link(path: str) -> str:
        if not (ROOT / path).is_file():
            raise PluginError(f"{page.file.src_uri}: no such file to download: {path}")
        name = Path(path).name
        return (
            f'<a class="md-button download" href="{html.escape(root + path)}"'
            f' download="{html.escape(name)}">'
            f"{html.escape(label.format(name=name))}</a>"
        )

    markdown = WHOLE_FILE.sub(
        lambda m: f"{m[0]}\n\n{m['indent']}{link(m['path'])}", markdown
    )
    return DOWNLOAD_LINK.sub(lambda m: f"{m['indent']}{link(m['path'])}", markdown)


def on_post_build(config: MkDocsConfig, **kwargs: Any) -> None:
    site = Path(config.site_dir)
    for path in sorted((ROOT / EXAMPLES).rglob("*.py")):
        if path.name == "__init__.py":
            continue
        target = site / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
