"""MkDocs hook: one fix to the theme's HTML, found by the vnu validator.

The label of a navigation section ("参考" / "Reference") carries
``tabindex=""``, which is not valid HTML: a tabindex must be an integer.
Browsers treat the empty value as no tabindex at all, so removing it changes
nothing but the validity of every page.

Two other vnu errors on every page are left as the theme writes them, since
they do a job in real browsers: ``autocomplete="off"`` on the drawer's and
the search's checkboxes keeps Firefox from restoring them checked after a
reload (which would reopen the drawer), and ``autocorrect="off"`` on the
search box keeps Safari from rewriting what the reader types.
"""

from __future__ import annotations

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

EMPTY_TABINDEX = re.compile(r'(<label [^>]*?) tabindex=""')


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return EMPTY_TABINDEX.sub(r"\1", output)


def on_post_template(
    output_content: str, template_name: str, config: MkDocsConfig
) -> str:
    return EMPTY_TABINDEX.sub(r"\1", output_content)  # 404.html
