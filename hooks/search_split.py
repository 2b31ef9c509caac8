"""MkDocs hook: one search index per language, so search stays in the reader's.

mkdocs-static-i18n builds the site once per language and then writes a single
``search/search_index.json`` holding the pages of every language (and drops
those English sections whose title and text equal a Chinese one, such as the
API entries, since docstrings are the same in both). Material's search loads
``search/search_index.json`` relative to ``base`` in the page's ``__config``
JSON, which for an English page is the site root too: an English reader would
get Chinese results and the reverse.

This hook, after the build:

1. writes each language's pages into that language's own index: the Chinese
   (default) pages into ``search/search_index.json`` and the English pages
   into ``en/search/search_index.json``, with locations relative to ``/en/``;
   each pass writes its own language's index, the first (Chinese) pass last,
   over the merged index;
2. gives each index lunr.js settings for its own language: ``lang`` is the
   page language and ``pipeline`` Material's default for it (from its
   partials/languages/*.html): ``["zh"]`` with the ``stemmer``, which for
   lunr.zh changes nothing, and ``["en"]`` with the ``stopWordFilter`` but no
   stemmer. Left alone, both indexes got ``["en", "zh"]`` and the first
   pass's ``stemmer``: lunr.js, building the index in the browser, stemmed
   "handshake" to "handshak" and "bytes" to "byte", but Material searches
   what the reader types as a prefix (``handshake*``), which lunr.js does not
   stem, so such words found nothing, on English pages and among the English
   words of Chinese pages alike. The ``separator`` (mkdocs.yml) is shared;
3. leaves out of each page's text the code blocks longer than
   ``LONG_CODE`` lines: whole programs, which every page that shows one
   also offers as a download. They were a third of the index's text and a
   fifth of its compressed size (about 19 KiB of 96 on a first visit), and a
   search for a name in them still finds the prose and the reference page
   that explain it; commands, output and short snippets stay searchable;
4. points ``base`` in every English page's ``__config`` at ``/en/``, relative
   to the page, as ``.`` is for the home page. In Material 9.8 ``base``
   serves three purposes: the search index URL, the links of search results
   (``location`` relative to ``base``, hence the relative locations above),
   and the sitemap and version selector of ``navigation.instant`` and mike,
   neither of which this site uses. The language switcher, the assets and
   the local-storage scope use the page's ``base_url``, which stays as is.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.pages import Page

try:
    import jieba  # the search plugin segments Chinese text with it
except ImportError:  # not installed: the search plugin then has no Chinese words
    jieba = None
else:
    # jieba reports loading its dictionary ("Building prefix dict from the
    # default dictionary ...", "Loading model cost 0.66 seconds.") on stderr at
    # every build: routine progress that a reader of the build output takes for
    # an error. Its warnings and errors still show.
    jieba.setLogLevel(logging.WARNING)

SEARCH_INDEX = "search/search_index.json"
ZERO_WIDTH_SPACE = "\u200b"
WORDS = "title_words"  # a search field: the title's words (see _clean_title)
# lunr.js settings per page language (see 2. above).
LUNR_SETTINGS: dict[str, dict[str, list[str]]] = {
    "zh": {"lang": ["zh"], "pipeline": ["stemmer"]},
    "en": {"lang": ["en"], "pipeline": ["stopWordFilter"]},
}
# Code blocks of more lines than this are left out of the index (see 3.).
LONG_CODE = 25
# A code block in the index's text, as the search plugin writes it.
CODE_BLOCK = re.compile(r"<pre><code>(?:(?!</code></pre>).)*</code></pre>", re.DOTALL)
# Material's __config JSON, written by its base.html with Jinja's tojson.
CONFIG_SCRIPT = re.compile(
    r'<script id="__config" type="application/json">(.*?)</script>', re.DOTALL
)


def _i18n(config: MkDocsConfig) -> Any:
    i18n = config.plugins.get("i18n")
    if i18n is None or not hasattr(i18n, "building"):
        raise PluginError("hooks/search_split.py needs mkdocs-static-i18n 1.x")
    return i18n


def _search(config: MkDocsConfig) -> Any:
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is not None:
            return plugin
    raise PluginError("hooks/search_split.py needs the search plugin")


def _prefix(i18n: Any, language: str) -> str:
    """Where a language's pages live, relative to the site root."""
    return "" if language == i18n.default_language else f"{language}/"


@event_priority(-200)  # after the search plugin (0) and the i18n plugin (-100)
def on_post_build(config: MkDocsConfig) -> None:
    """Write the index of the language this pass has built.

    The i18n plugin builds the further languages from inside the first pass's
    ``on_post_build`` (at priority -100), with its ``building`` flag set, and
    then overwrites ``search/search_index.json`` with the merged entries; the
    first pass, the default language's, gets here last and writes that file
    again, with its own pages only.
    """
    i18n = _i18n(config)
    search = _search(config)
    language = i18n.current_language if i18n.building else i18n.default_language
    prefix = _prefix(i18n, language)
    others = tuple(filter(None, (_prefix(i18n, lang) for lang in i18n.build_languages)))
    entries = []
    for entry in search.search_index.entries:
        location = entry["location"]
        if prefix and location.startswith(prefix):
            local = {**entry, "location": location[len(prefix) :]}
        elif not prefix and not location.startswith(others):
            local = entry
        else:
            continue
        entries.append(_without_long_code(_clean_title(local)))
    if language not in LUNR_SETTINGS:
        raise PluginError(f"hooks/search_split.py: no search settings for {language}")
    fields = dict(search.config["fields"])
    if any(WORDS in entry for entry in entries):
        # The words are searched in the title's place, with its weight; the
        # title itself is only shown (its highlighting is lost in Chinese).
        fields = {WORDS if name == "title" else name: v for name, v in fields.items()}
        entries = [
            entry if WORDS in entry else {**entry, WORDS: entry["title"]}
            for entry in entries
        ]
    settings = {
        **LUNR_SETTINGS[language],
        "separator": search.config["separator"],
        "fields": fields,
    }
    data = {"config": settings, "docs": entries}
    path = os.path.join(config.site_dir, prefix, SEARCH_INDEX)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        # As UTF-8, not \uXXXX escapes: a Chinese character takes 3 bytes,
        # not 6 (the index is most of what a first visit downloads).
        json.dump(data, file, separators=(",", ":"), default=str, ensure_ascii=False)


def _clean_title(entry: dict[str, Any]) -> dict[str, Any]:
    """The title as it is shown; its words, segmented by jieba, beside it.

    jieba joins Chinese words with U+200B in the index, which lunr.js splits
    on (the separator), but the theme shows the title as it is: a zero-width
    space between every two words of the search results' titles. The title
    keeps its text without them, and a field of its own keeps the words:
    the theme builds its index from the fields the index's config lists, so
    that field is searched in the title's place.
    """
    title = entry.get("title", "")
    if ZERO_WIDTH_SPACE not in title:
        return entry
    return {**entry, "title": title.replace(ZERO_WIDTH_SPACE, ""), WORDS: title}


def _without_long_code(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry without the code blocks of more than ``LONG_CODE`` lines."""
    text = CODE_BLOCK.sub(
        lambda block: "" if block[0].count("\n") > LONG_CODE else block[0],
        entry.get("text", ""),
    )
    return {**entry, "text": text}


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Point an English page's ``__config`` ``base`` at the English root."""
    i18n = _i18n(config)
    prefix = _prefix(i18n, i18n.current_language)
    if not prefix:
        return output
    match = CONFIG_SCRIPT.search(output)
    if match is None:
        raise PluginError(f"{page.url}: no __config script; has the theme changed?")
    settings = json.loads(match.group(1))
    # Relative like MkDocs' base_url: "." on /en/, "../.." on /en/reference/x/.
    here = posixpath.dirname(page.url) or "."
    settings["base"] = posixpath.relpath(prefix.rstrip("/"), here)
    start, end = match.span(1)
    # Serialised as Jinja's tojson filter does, which wrote the original.
    text = str(htmlsafe_json_dumps(settings, sort_keys=True))
    return output[:start] + text + output[end:]
