"""MkDocs hook: two fixes to the theme, one to its HTML and one to its CSS.

HTML, found by the vnu validator. The label of a navigation section
("参考" / "Reference") carries ``tabindex=""``, which is not valid HTML: a
tabindex must be an integer.
Browsers treat the empty value as no tabindex at all, so removing it changes
nothing but the validity of every page.

Two other vnu errors on every page are left as the theme writes them, since
they do a job in real browsers: ``autocomplete="off"`` on the drawer's and
the search's checkboxes keeps Firefox from restoring them checked after a
reload (which would reopen the drawer), and ``autocorrect="off"`` on the
search box keeps Safari from rewriting what the reader types.

CSS, found by profiling the load of the longest pages (Lighthouse's mobile
run). The palette stylesheet holds ``[data-md-color-switching] * {
transition-duration: 0s !important }`` (and the same for ``:before`` and
``:after``), which freezes the colour transitions while the reader switches
between light and dark. The theme's script sets and then removes that
attribute on ``<body>`` once on every page load too, and because the rule
matches every element, each of the two changes restyles the whole page: on
the TCP page (4,300 elements) about 40 ms each on this machine's CPU, four
times that on Lighthouse's simulated phone, most of the page's blocking
time. Without the rule, a switch of colour scheme fades in over the theme's
own transition times (a quarter of a second at most), and nothing else
changes. The rule is removed from the built file; if the theme's file
changes so that the rule is no longer found, the build fails, so that this
fix is looked at again.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

EMPTY_TABINDEX = re.compile(r'(<label [^>]*?) tabindex=""')
# The palette rule removed (see above), as the theme's minified file writes it.
SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)
# What replaces it, so that a second build pass finds the file already fixed.
SWITCHING_MARK = "/* hooks/theme_fixes.py removed the data-md-color-switching rule */"


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return EMPTY_TABINDEX.sub(r"\1", output)


def on_post_template(
    output_content: str, template_name: str, config: MkDocsConfig
) -> str:
    return EMPTY_TABINDEX.sub(r"\1", output_content)  # 404.html


def on_post_build(config: MkDocsConfig) -> None:
    """Remove the palette rule that restyles every element (see above)."""
    sheets = sorted(Path(config.site_dir).glob("assets/stylesheets/palette.*.min.css"))
    if len(sheets) != 1:
        raise PluginError(f"hooks/theme_fixes.py: palette stylesheets: {sheets}")
    text = sheets[0].read_text(encoding="utf-8")
    if SWITCHING_MARK in text:
        return  # the other language's build pass got here first
    if SWITCHING_RULE not in text:
        raise PluginError(
            f"hooks/theme_fixes.py: {sheets[0].name} no longer has the rule "
            "[data-md-color-switching] *; has the theme changed?"
        )
    sheets[0].write_text(text.replace(SWITCHING_RULE, SWITCHING_MARK), encoding="utf-8")
