"""MkDocs hook: code blocks cost the browser nothing until they come near the screen.

Found by profiling the load of the longest pages (Lighthouse's mobile run;
the closing note of the site-audit issue has the figures). The theme's
script sets up every code block of a page as soon as the page loads: it
measures the block, adds its copy button and watches its size, one block
after another in a single task, which on the servers page (five whole
servers, 2,400 lines of code) blocked the main thread for over a second on
Lighthouse's simulated phone. Two changes spread that work over the
reading of the page:

- the theme's ``content.lazy`` feature (in ``mkdocs.yml``) sets up a code
  block, copy button included, when the block first comes into view;
- ``content-visibility: auto`` (in ``extra.css``) lets the browser skip
  laying out and painting a block that is far from the screen.

A skipped block still takes up room, the height given by
``contain-intrinsic-block-size``. This hook writes each block's number of
lines on it (``style="--lines: N"``), from which the stylesheet computes that
height, so that the page is about as long before the blocks are drawn as
after, and its scroll bar does not jump as the reader scrolls. The browser
remembers a block's real height once it has drawn it (``auto``).

The theme's script is checked for the feature at the end of the build: if a
new version no longer knows ``content.lazy``, the build fails, so that this is
looked at again.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

# A block as Pygments and pymdownx.highlight write it: an optional title,
# then <pre>, then <code> with one line of text per line of code.
BLOCK = re.compile(
    r'<div class="(?P<classes>[^"]*\bhighlight\b[^"]*)">'
    r"(?P<head>(?:(?!</div>).)*?<pre[^>]*><span></span><code[^>]*>)"
    r"(?P<code>.*?)</code></pre>",
    re.S,
)
FEATURE = '"content.lazy"'


def lines_of(code: str) -> int:
    """The number of lines a block shows: its line breaks, and a last line."""
    return code.count("\n") + (0 if code.endswith("\n") else 1)


def with_lines(match: re.Match[str]) -> str:
    lines = lines_of(match["code"])
    return (
        f'<div class="{match["classes"]}" style="--lines: {lines}">'
        f"{match['head']}{match['code']}</code></pre>"
    )


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return BLOCK.sub(with_lines, output)


def on_post_build(config: MkDocsConfig) -> None:
    """Fail if the theme's script no longer knows the ``content.lazy`` feature."""
    if "content.lazy" not in config.theme.get("features", []):
        return
    bundles = sorted(Path(config.site_dir).glob("assets/javascripts/bundle.*.min.js"))
    if len(bundles) != 1:
        raise PluginError(f"hooks/lazy_code.py: theme scripts: {bundles}")
    if FEATURE not in bundles[0].read_text(encoding="utf-8"):
        raise PluginError(
            f"hooks/lazy_code.py: {bundles[0].name} no longer knows the feature "
            "content.lazy; has the theme changed?"
        )
