"""MkDocs hook: make each mkdocs-static-i18n pass see its own language.

mkdocs-static-i18n builds the site once per language (Chinese first, then
English into en/), re-running every plugin's ``on_config`` for each pass.
Five things go wrong without this hook:

1. mkdocstrings reads its locale (section titles such as 参数 / Parameters,
   返回 / Returns) from ``theme.language`` in its own ``on_config``, at the
   default priority 0, whereas the i18n plugin sets ``theme.language`` only at
   priority -100, after mkdocstrings. Every pass would get the previous
   pass's locale: the English pages would show Chinese section titles.
   This hook runs first (priority 100) and sets ``theme.language`` to the
   language the i18n plugin is about to build.

2. The i18n plugin points the language switcher at the current page by
   setting an *attribute* ``config.extra.alternate`` for every page, but
   resets only the *item* ``config.extra["alternate"]`` between passes.
   Templates read the attribute, so the pages rendered without a page of
   their own (404.html) in the next pass got the last page's switcher links.
   This hook drops that stale attribute, and renders 404.html only in the
   default-language pass, so that the site's single /404.html is the Chinese
   one instead of being overwritten by the English pass.

3. A sitemap needs absolute URLs. While ``site_url`` is unset, the sitemap
   would list "None./"-style addresses, so it is left out until a real
   ``site_url`` is configured (mkdocs.yml reads it from ``SITE_URL``).

5. The i18n plugin puts ``<link rel="alternate" hreflang=...>`` for each
   language's version of the page into every page's head. The theme's
   JavaScript takes each such link for the root of a language and fetches
   ``sitemap.xml`` next to it (``/tcp/sitemap.xml``, ``/en/tcp/sitemap.xml``):
   two 404s, logged as errors in the console of every page. The links give
   nothing in return: search engines read hreflang only from full addresses,
   which these are not, and the sitemap (with a ``site_url``) lists every
   page's languages with full addresses. The language switcher links the
   other language's page itself. So this hook removes them.

4. On each language's home page the i18n plugin leaves the switcher's links
   as absolute paths (``/`` and ``/en/``), while every other link is
   relative. Served from a subfolder, as GitHub Pages serves a project's site
   (``https://OWNER.github.io/REPO/``), they would lead out of the site. This
   hook makes them relative too.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

NOT_FOUND_PAGE = "404.html"
SITEMAP = "sitemap.xml"  # MkDocs writes sitemap.xml.gz along with it
ALTERNATE_LINK = re.compile(
    r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?'
)


@event_priority(100)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    i18n = config.plugins.get("i18n")
    if i18n is None:
        raise PluginError("hooks/i18n_locale.py needs the mkdocs-static-i18n plugin")
    # The i18n plugin sets current_language in its own on_config on the first
    # pass, and before it starts each further pass; None means the first pass.
    language = getattr(i18n, "current_language", None) or i18n.default_language
    config.theme["language"] = language

    config.extra.__dict__.pop("alternate", None)
    if language != i18n.default_language:
        config.theme.static_templates.discard(NOT_FOUND_PAGE)
    if not config.site_url:
        config.theme.static_templates.discard(SITEMAP)
    return config


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, **kwargs: Any
) -> dict[str, Any]:
    # Runs after the i18n plugin's own on_page_context (priority 50), which
    # gives each page a fresh copy of the switcher's links. Material's
    # template passes each link through the ``url`` filter, which resolves a
    # link relative to the site's root from the current page: so, like the
    # links of every other page ("en/tcp/"), they are made relative to the
    # site's root, not to the page.
    # With a site_url, the i18n plugin puts its path in front ("/REPO/en/").
    root = urlsplit(config.site_url).path if config.site_url else "/"
    root = root.rstrip("/") + "/"
    for alternate in config.extra.__dict__.get("alternate") or []:
        link = alternate["link"]
        if link.startswith(root):
            alternate["link"] = link.removeprefix(root) or "./"
    return context


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return ALTERNATE_LINK.sub("", output)


def on_post_template(
    output_content: str, template_name: str, config: MkDocsConfig
) -> str:
    # 404.html, rendered from a template rather than a page.
    return ALTERNATE_LINK.sub("", output_content)
