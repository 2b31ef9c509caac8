"""Tests of the built documentation site (mkdocs build --strict).

The site is built once per module into a temporary directory, then read as
files: the pages of both languages, the language switcher, the language of
the generated API sections, the included example files, the absence of
third-party hosts, and the search: one index per language (Chinese at
search/, English at en/search/, written by hooks/search_split.py), loaded by
that language's pages, each term found on the page that explains it.
"""

from __future__ import annotations

import ast
import functools
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.pages import build_site
from tests.support import ROOT, example_path

EXAMPLES = ["tcp_server", "tcp_client", "udp_sender", "udp_receiver"]
# Page paths under a language's root, as MkDocs writes them (directory URLs).
TOPICS = [
    "basics",
    "layers",
    "socket-api",
    "tcp",
    "udp",
    "framing",
    "servers",
    "errata",
    "faq",
    "glossary",
]
PAGES = ["", *(f"{t}/" for t in TOPICS), *(f"reference/{name}/" for name in EXAMPLES)]
# Language -> URL prefix of its pages: Chinese is the default, at the root.
LANGUAGES = {"zh": "/", "en": "/en/"}
OTHER = {"zh": "en", "en": "zh"}
# mkdocstrings section titles, per language (mkdocstrings-python's own words).
SECTION_TITLES = {
    "zh": {"参数：", "返回：", "引发："},
    "en": {"Parameters:", "Returns:", "Raises:"},
}
REQUIRED_TITLES = {"zh": {"参数：", "返回："}, "en": {"Parameters:", "Returns:"}}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# url(...) and @import in CSS; the URL may be quoted.
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.IGNORECASE)
# In scripts only the lower-case form: ``new URL(...)`` is JavaScript, not CSS.
JS_CSS_URL = re.compile(r"""\burl\(\s*(['"]?)(.*?)\1\s*\)""")
# src="…"/href="…" written into markup by scripts.
JS_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*\\?['"`]([^'"`\\\s]+)""")
# Each language's search index, relative to the site root.
SEARCH_INDEX = {
    lang: f"{root.lstrip('/')}search/search_index.json"
    for lang, root in LANGUAGES.items()
}
# Search terms -> the page that explains them (the glossary may match too).
SEARCH_TERMS = {
    "zh": {
        "套接字": "socket-api/",
        "端口": "basics/",
        "数据报": "udp/",
        "三次握手": "tcp/",
        "字节串": "socket-api/",
        "粘包": "faq/",
    },
    "en": {
        "socket": "socket-api/",
        "port": "basics/",
        "datagram": "udp/",
        "handshake": "tcp/",
        "bytes": "socket-api/",
    },
}
# Material's search tokenizer reads the text between tags only.
HTML_TAG = re.compile(r"<[^>]*>")
HAN = re.compile(r"[\u3400-\u9fff]")
# Coverage measures examples/, which these tests never run; tracing them only
# slows the HTML parsing down.
pytestmark = pytest.mark.no_cover


BUILD_OUTPUT: list[str] = []  # what the module's build printed


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site with ``mkdocs build --strict``; return the site dir."""
    site_dir = tmp_path_factory.mktemp("site")
    BUILD_OUTPUT.append(build_site(site_dir))
    return site_dir


def test_the_build_prints_no_noise_a_reader_would_take_for_an_error(
    site: Path,
) -> None:
    # jieba's progress lines about its dictionary (hooks/search_split.py),
    # and the theme's end-of-life banner (NO_MKDOCS_2_WARNING).
    output = BUILD_OUTPUT[-1]
    assert "INFO" in output  # the build's own log is there
    noise = ("prefix dict", "Loading model", "Prefix dict", "end of life")
    assert [line for line in output.splitlines() if any(n in line for n in noise)] == []


def page_file(site: Path, language: str, page: str) -> Path:
    return site / LANGUAGES[language].lstrip("/") / page / "index.html"


def page_url(language: str, page: str) -> str:
    return LANGUAGES[language] + page


class Page(HTMLParser):
    """What the tests need from one HTML file, collected in a single pass."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.switcher: dict[str, str] = {}  # hreflang -> href
        self.resources: list[tuple[str, str]] = []  # (tag, URL) it loads
        self.styles: list[str] = []  # <style> contents and style="" attributes
        self.section_titles: list[str] = []
        self.code_blocks: dict[str, str] = {}  # title -> text of the code
        self.headings: list[tuple[str, str]] = []  # (tag, id)
        self.heading_texts: dict[str, str] = {}  # id ("" for the h1) -> text
        self.config: dict[str, Any] = {}  # Material's __config JSON
        self.mermaid = False
        self.links: list[str] = []  # href of every <a>
        self.ids: set[str] = set()  # every id="" on the page
        self._in_style = False
        self._section_title: list[str] | None = None
        self._filename: list[str] | None = None
        self._title: str | None = None  # title of the next code block
        self._code: list[str] | None = None
        self._heading: tuple[str, list[str]] | None = None  # (id, text so far)
        self._in_headerlink = False
        self._config: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        classes = attributes.get("class", "").split()
        self._collect_links(tag, attributes)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "a" and "md-select__link" in classes:
            self.switcher[attributes.get("hreflang", "")] = attributes.get("href", "")
        if tag != "a":  # links to other sites are fine; loading from them is not
            for name in ("src", "href", "data", "poster"):
                if name in attributes:
                    self.resources.append((tag, attributes[name]))
            for candidate in attributes.get("srcset", "").split(","):
                if candidate.strip():
                    self.resources.append((tag, candidate.split()[0]))
        if "style" in attributes:
            self.styles.append(attributes["style"])
        self._start_search_parts(tag, attributes, classes)
        self.mermaid = self.mermaid or "mermaid" in classes
        self._in_style = tag == "style"
        if tag == "span" and "doc-section-title" in classes:
            self._section_title = []
        elif tag == "span" and "filename" in classes:
            self._filename = []
        elif tag == "code" and self._title is not None:
            self._code = []

    def _collect_links(self, tag: str, attributes: dict[str, str]) -> None:
        """Every id on the page, and every link's target."""
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "href" in attributes:
            self.links.append(attributes["href"])

    def _start_search_parts(
        self, tag: str, attributes: dict[str, str], classes: list[str]
    ) -> None:
        """Headings (what search results are titled) and Material's config."""
        if tag in HEADINGS and "id" in attributes:
            self.headings.append((tag, attributes["id"]))
            self._heading = ("" if tag == "h1" else attributes["id"], [])
        self._in_headerlink = self._in_headerlink or "headerlink" in classes
        if tag == "script" and attributes.get("id") == "__config":
            self._config = []

    def handle_endtag(self, tag: str) -> None:
        # None of the elements read here contains an element of its own kind.
        if tag in HEADINGS and self._heading is not None:
            anchor, parts = self._heading
            self.heading_texts[anchor] = " ".join("".join(parts).split())
            self._heading = None
        elif tag == "a":
            self._in_headerlink = False
        elif tag == "script" and self._config is not None:
            self.config = json.loads("".join(self._config))
            self._config = None
        if tag == "span" and self._section_title is not None:
            self.section_titles.append("".join(self._section_title).strip())
            self._section_title = None
        elif tag == "span" and self._filename is not None:
            self._title = "".join(self._filename)
            self._filename = None
        elif tag == "code" and self._code is not None and self._title is not None:
            self.code_blocks[self._title] = "".join(self._code)
            self._code = self._title = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
        for parts in (self._section_title, self._filename, self._code, self._config):
            if parts is not None:
                parts.append(data)
        if self._heading is not None and not self._in_headerlink:
            self._heading[1].append(data)


@functools.cache
def parse(path: Path) -> Page:
    """Parse a built page once; the tests only read the result."""
    return Page(path.read_text(encoding="utf-8"))


def is_third_party(url: str) -> bool:
    """True if ``url`` points outside the site: it names a host or a scheme.

    ``site_url`` is not set, so every URL of the site's own files is relative
    (or root-relative); ``data:`` URIs stay inside the page.
    """
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data")


def css_urls(text: str, pattern: re.Pattern[str] = CSS_URL) -> list[str]:
    return [m.group(2) for m in pattern.finditer(text)] + CSS_IMPORT.findall(text)


def all_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_built_in_both_languages(
    site: Path, language: str, page: str
) -> None:
    assert page_file(site, language, page).is_file()


def test_only_the_listed_pages_are_built(site: Path) -> None:
    # Not the default language a second time under /zh/, no stray files.
    expected = {page_file(site, lang, page) for lang in LANGUAGES for page in PAGES}
    assert set(all_pages(site)) == expected | {site / "404.html"}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_html_lang_is_the_page_language(site: Path, language: str, page: str) -> None:
    assert parse(page_file(site, language, page)).lang == language


def test_not_found_page_is_in_the_default_language(site: Path) -> None:
    page = parse(site / "404.html")
    assert page.lang == "zh"
    assert page.switcher == {"zh": "/", "en": "/en/"}


def test_not_found_page_says_so_in_both_languages_and_links_both_homes(
    site: Path,
) -> None:
    text = (site / "404.html").read_text(encoding="utf-8")
    content = text[text.index("<h1>") :]
    assert content.startswith("<h1>404：找不到这个页面</h1>")
    assert '<div lang="en">' in content
    assert '<a href="/">回到首页</a>' in content
    assert '<a href="/en/">Go to the English home page</a>' in content


def test_no_page_has_head_links_that_make_the_theme_fetch_missing_sitemaps(
    site: Path,
) -> None:
    # The theme fetches sitemap.xml next to every <link rel="alternate">
    # (/tcp/sitemap.xml): a 404, logged as a console error, on every page.
    # hooks/i18n_locale.py removes those links (the switcher links each page).
    found = [
        path.relative_to(site).as_posix()
        for path in all_pages(site)
        if '<link rel="alternate"' in path.read_text(encoding="utf-8")
    ]
    assert found == []


@pytest.mark.parametrize("page", PAGES)
def test_both_languages_have_the_same_heading_anchors(site: Path, page: str) -> None:
    zh, en = (parse(page_file(site, lang, page)).headings for lang in ("zh", "en"))
    assert zh == en
    assert len(zh) > 1


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_language_switcher_links_to_the_same_page_in_the_other_language(
    site: Path, language: str, page: str
) -> None:
    here = page_url(language, page)
    switcher = parse(page_file(site, language, page)).switcher
    targets = {lang: urljoin(here, href) for lang, href in switcher.items()}
    other = OTHER[language]
    assert targets == {language: here, other: page_url(other, page)}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EXAMPLES)
def test_api_section_titles_are_in_the_page_language(
    site: Path, language: str, name: str
) -> None:
    path = page_file(site, language, f"reference/{name}/")
    titles = set(parse(path).section_titles)
    # Every module has functions with parameters and return values.
    assert REQUIRED_TITLES[language] <= titles <= SECTION_TITLES[language]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EXAMPLES)
def test_api_lists_public_functions_in_source_order_as_h3(
    site: Path, language: str, name: str
) -> None:
    path = example_path(f"{name}.py")
    module = path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [
        ("h3", f"{module}.{node.name}")
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    headings = parse(page_file(site, language, f"reference/{name}/")).headings
    api = [h for h in headings if h[1].startswith("examples.")]
    assert api == functions
    # Under the page's h2 "API" and followed by the h2 of the complete code.
    assert headings[headings.index(("h2", "api")) + 1] == functions[0]
    assert headings[headings.index(functions[-1]) + 1] == ("h2", "code")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EXAMPLES)
def test_reference_page_contains_the_whole_example_file(
    site: Path, language: str, name: str
) -> None:
    title = example_path(f"{name}.py").relative_to(ROOT).as_posix()
    blocks = parse(page_file(site, language, f"reference/{name}/")).code_blocks
    source = (ROOT / title).read_text(encoding="utf-8")
    assert blocks.get(title) == source


def test_no_file_loads_anything_from_another_host(site: Path) -> None:
    found = []
    for path in sorted(site.rglob("*")):
        urls: list[tuple[str, str]] = []  # (what refers to it, URL)
        if path.suffix == ".html":
            page = parse(path)
            urls += [(f"<{tag}>", url) for tag, url in page.resources]
            urls += [("css", url) for style in page.styles for url in css_urls(style)]
        elif path.suffix == ".css":
            urls += [("css", url) for url in css_urls(path.read_text("utf-8"))]
        elif path.suffix == ".js":
            text = path.read_text(encoding="utf-8")
            urls += [("css in js", url) for url in css_urls(text, JS_CSS_URL)]
            urls += [("js", url) for url in JS_ATTRIBUTE.findall(text)]
        where = path.relative_to(site).as_posix()
        found += [(where, kind, url) for kind, url in urls if is_third_party(url)]
    assert found == []


def root_relative(url: str) -> bool:
    """A URL that starts at the server's root: ``/assets/x.css``, not ``//host/``."""
    return url.startswith("/") and not url.startswith("//")


def test_pages_use_relative_urls_so_the_site_works_from_any_folder(site: Path) -> None:
    # GitHub Pages serves a project's site from /REPO/, and a teacher may copy
    # site/ into any folder of a server. Only 404.html, which a server returns
    # for a missing page at any depth, needs absolute paths (see the next test).
    found = [
        (path.relative_to(site).as_posix(), url)
        for path in all_pages(site)
        if path != site / "404.html"
        for url in parse(path).links + [url for _, url in parse(path).resources]
        if root_relative(url)
    ]
    assert found == []


def test_a_site_url_gives_a_sitemap_and_a_404_page_under_its_path(
    tmp_path: Path,
) -> None:
    base = "https://example.org/sockets/"
    build_site(tmp_path, site_url=base)
    sitemap = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    pages = [page_url(language, page) for language in LANGUAGES for page in PAGES]
    listed = re.findall(r'<loc>([^<]*)</loc>|hreflang="[^"]*" href="([^"]*)"', sitemap)
    assert {loc or alternate for loc, alternate in listed} == {
        urljoin(base, page.lstrip("/")) for page in pages
    }
    not_found = parse(tmp_path / "404.html")
    urls = not_found.links + [url for _, url in not_found.resources]
    absolute = [url for url in urls if root_relative(url)]
    assert absolute
    assert [url for url in absolute if not url.startswith("/sockets/")] == []
    english_home = parse(tmp_path / "en" / "index.html")
    assert english_home.switcher == {"zh": "../", "en": "./"}
    assert '<a href="/sockets/en/">' in (tmp_path / "404.html").read_text("utf-8")


def test_no_page_has_a_diagram_that_would_load_mermaid_from_a_cdn(site: Path) -> None:
    # Material fetches mermaid.min.js from unpkg.com for any .mermaid block.
    assert [p for p in all_pages(site) if parse(p).mermaid] == []


def test_local_scripts_and_stylesheets_exist(site: Path) -> None:
    missing = []
    for path in all_pages(site):
        url = "/" + path.relative_to(site).as_posix()
        for tag, ref in parse(path).resources:
            if tag in ("script", "link", "img") and not is_third_party(ref):
                target = urlsplit(urljoin(url, ref)).path
                file = site / target.lstrip("/")
                if not (file.is_file() or (file / "index.html").is_file()):
                    missing.append(f"{url}: <{tag}> {ref}")
    assert missing == []


def test_search_index_has_chinese_words_as_tokens(site: Path) -> None:
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    separator = re.compile(index["config"]["separator"])
    tokens = set()
    for doc in index["docs"]:
        if not doc["location"].startswith("en/"):
            words = doc.get("title_words", doc["title"])
            tokens.update(separator.split(words + " " + doc["text"]))
    # Terms from hooks/jieba_userdict.txt; jieba's own dictionary cuts most of
    # them (套/接字, 数据/报, 字节/串, 三次/握手, 监听/队列).
    assert {"套接字", "数据报", "字节串", "三次握手", "端口号", "监听队列"} <= tokens


def search_index(site: Path, language: str) -> dict[str, Any]:
    index: dict[str, Any] = json.loads(
        (site / SEARCH_INDEX[language]).read_text("utf-8")
    )
    return index


def entry_text(text: str) -> str:
    """What a reader sees of an index title: no tags, no U+200B, one space."""
    text = html.unescape(HTML_TAG.sub("", text)).replace("\u200b", "")
    return " ".join(text.split())


def tokens(index: dict[str, Any], page: str | None = None) -> set[str]:
    """Search tokens of a page (or all), cut as Material's search cuts them."""
    separator = re.compile(index["config"]["separator"])
    found = set()
    for doc in index["docs"]:
        if page is None or doc["location"].split("#")[0] == page:
            # Every field the index's config lists, as the theme's search
            # builds its lunr.js index from them (title_words among them).
            for name in index["config"]["fields"]:
                field = doc.get(name) or ""
                text = html.unescape(HTML_TAG.sub(" ", str(field))).lower()
                found.update(filter(None, separator.split(text)))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_has_the_page_language(site: Path, language: str) -> None:
    config = search_index(site, language)["config"]
    assert config["lang"] == [language]
    # Material searches what the reader types as a prefix ("handshake*"), and
    # lunr.js does not stem such a query; an index stemmed with the English
    # stemmer ("handshak", "byte") would not match it. lunr.zh's stemmer
    # changes nothing, so Chinese keeps Material's default pipeline.
    assert "stemmer" not in config["pipeline"] or config["lang"] == ["zh"]
    # U+200B joins the words jieba cuts; without it Chinese finds nothing.
    assert re.fullmatch(config["separator"], "\u200b")


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_lists_every_page_of_its_language(
    site: Path, language: str
) -> None:
    docs = search_index(site, language)["docs"]
    assert {doc["location"] for doc in docs if "#" not in doc["location"]} == set(PAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_results_lead_to_headings_of_the_same_language(
    site: Path, language: str
) -> None:
    # A result's link is its location relative to the index's language root;
    # its title must be the heading it leads to, as written in that language.
    # An entry of the other language fails here: its location has the other
    # root's prefix (en/...) or its title is the other language's heading.
    wrong = []
    for doc in search_index(site, language)["docs"]:
        url = urljoin(LANGUAGES[language], doc["location"])
        path, _, anchor = url.partition("#")
        page = path[len(LANGUAGES[language]) :]
        if not path.startswith(LANGUAGES[language]) or page not in PAGES:
            wrong.append((doc["location"], "no such page"))
            continue
        headings = parse(page_file(site, language, page)).heading_texts
        if headings.get(anchor) != entry_text(doc["title"]):
            wrong.append((doc["location"], entry_text(doc["title"])))
    assert wrong == []


def test_no_search_entry_of_one_language_is_in_the_other_index(site: Path) -> None:
    zh, en = (search_index(site, lang)["docs"] for lang in ("zh", "en"))
    # The i18n plugin's merged index held both, English ones under en/.
    assert [doc["location"] for doc in zh if doc["location"].startswith("en/")] == []
    # English pages have no Chinese outside code, and headings are not code.
    assert [doc["title"] for doc in en if HAN.search(doc["title"])] == []
    # Every Chinese page's title (its h1) is in Chinese.
    titles = {doc["location"]: entry_text(doc["title"]) for doc in zh}
    assert [page for page in PAGES if not HAN.search(titles[page])] == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_load_the_search_index_of_their_language(
    site: Path, language: str, page: str
) -> None:
    # Material: base = new URL(__config.base, location); the index is
    # new URL("search/search_index.json", base), and result links are
    # new URL(location, base).
    config = parse(page_file(site, language, page)).config
    base = urljoin(page_url(language, page), config["base"])
    assert base == LANGUAGES[language]
    assert urljoin(base, "search/search_index.json") == "/" + SEARCH_INDEX[language]


def test_not_found_page_loads_the_default_language_index(site: Path) -> None:
    config = parse(site / "404.html").config
    assert urljoin("/404.html", config["base"]) == LANGUAGES["zh"]


@pytest.mark.parametrize(
    ("language", "term"),
    [(lang, term) for lang, terms in SEARCH_TERMS.items() for term in terms],
)
def test_search_term_is_a_token_of_the_page_that_explains_it(
    site: Path, language: str, term: str
) -> None:
    index = search_index(site, language)
    assert term in tokens(index, SEARCH_TERMS[language][term])


@pytest.mark.parametrize("term", SEARCH_TERMS["zh"])
def test_chinese_search_term_is_never_the_end_of_a_longer_token(
    site: Path, term: str
) -> None:
    # Search matches the beginning of a token (端口 finds 端口号), so a token
    # that merely ends with the term (监听套接字, 临时端口) hides it.
    found = tokens(search_index(site, "zh"))
    assert sorted(t for t in found if term in t and not t.startswith(term)) == []


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    broken = []
    for path in all_pages(site):
        url = "/" + path.relative_to(site).as_posix()
        for href in parse(path).links:
            if is_third_party(href) or href.startswith(("mailto:", "javascript:")):
                continue
            target = urlsplit(urljoin(url, href))
            file = site / target.path.lstrip("/")
            if file.is_dir() or target.path.endswith("/"):
                file = file / "index.html"
            if not file.is_file():
                broken.append(f"{url}: {href} (no {target.path})")
            elif (
                target.fragment
                and file.suffix == ".html"
                and target.fragment not in parse(file).ids
            ):
                broken.append(f"{url}: {href} (no #{target.fragment})")
    assert broken == []


def test_no_page_has_an_empty_tabindex(site: Path) -> None:
    # vnu: a tabindex must be an integer; hooks/theme_fixes.py drops the
    # theme's empty one on navigation section labels.
    found = [
        path.relative_to(site).as_posix()
        for path in all_pages(site)
        if 'tabindex=""' in path.read_text(encoding="utf-8")
    ]
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_results_show_titles_without_zero_width_spaces(
    site: Path, language: str
) -> None:
    index = json.loads((site / SEARCH_INDEX[language]).read_text("utf-8"))
    docs = index["docs"]
    assert [d["title"] for d in docs if "\u200b" in d["title"]] == []
    # The Chinese titles' words stay searchable, in a field of their own
    # that the theme's search builds its index from (hooks/search_split.py).
    separator = re.compile(index["config"]["separator"])
    worded = [d for d in docs if "title_words" in d]
    if language == "zh":
        assert len(worded) == len(docs)
        assert index["config"]["fields"] == {
            "title_words": {"boost": 1000.0},  # in the title's place
            "text": {"boost": 1.0},
            "tags": {"boost": 1000000.0},
        }
        assert all(
            "".join(separator.split(d["title_words"]))
            == "".join(separator.split(d["title"]))
            for d in worded
        )
        assert any("代码" in separator.split(d["title_words"]) for d in worded)
    else:
        assert worded == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_is_written_as_utf8_not_escapes(site: Path, language: str) -> None:
    text = (site / SEARCH_INDEX[language]).read_text("utf-8")
    assert "\\u" not in text.replace("\\\\u", "")  # the separator's own \\u200b aside


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_index_leaves_out_whole_programs_but_keeps_commands(
    site: Path, language: str
) -> None:
    # Whole programs (offered as downloads) were a fifth of the compressed
    # index; commands, output and short snippets stay searchable.
    docs = search_index(site, language)["docs"]
    blocks = [
        block
        for doc in docs
        for block in re.findall(r"<pre><code>.*?</code></pre>", doc["text"], re.DOTALL)
    ]
    assert [b[:60] for b in blocks if b.count("\n") > 25] == []
    # ... though the page shows such blocks: the hardened programs.
    page = (site / LANGUAGES[language].lstrip("/") / "tcp/index.html").read_text(
        "utf-8"
    )
    shown = re.findall(r"<pre.*?</pre>", page, re.DOTALL)
    assert len([b for b in shown if b.count("\n") > 25]) >= 2
    assert "<pre><code>python tcp_server_min.py\n</code></pre>" in blocks
    # The page that shows the hardened server still has it in the index, by
    # the prose about it: its name and the errors it reports.
    tcp = " ".join(d["text"] for d in docs if d["location"].startswith("tcp/"))
    assert "tcp_server.py" in tcp
    assert "ConnectionRefusedError" in tcp


def test_no_stylesheet_restyles_every_element_when_the_palette_loads(
    site: Path,
) -> None:
    # The theme's script sets and removes data-md-color-switching on <body>
    # on every page load; a rule "[data-md-color-switching] *" made each
    # change restyle the whole page (hooks/theme_fixes.py).
    sheets = sorted(site.glob("assets/stylesheets/*.css"))
    assert any(sheet.name.startswith("palette.") for sheet in sheets)
    universal = re.compile(r"\[data-md-color-switching\]\s*(\*|:)")
    found = [
        sheet.name for sheet in sheets if universal.search(sheet.read_text("utf-8"))
    ]
    assert found == []


def test_every_code_block_carries_its_number_of_lines(site: Path) -> None:
    # hooks/lazy_code.py: extra.css sizes a block that is not drawn yet from
    # --lines, so the count must be the lines the reader will see.
    block = re.compile(
        r'<div class="[^"]*\bhighlight\b[^"]*"(?P<style>[^>]*)>'
        r"(?:(?!</div>).)*?<pre[^>]*><span></span><code[^>]*>(?P<code>.*?)</code>",
        re.S,
    )
    any_block = re.compile(r'<div class="[^"]*\bhighlight\b[^"]*"')
    counted = 0
    wrong = []
    for path in all_pages(site):
        text = path.read_text("utf-8")
        # every block has the shape the hook reads, so none goes unsized
        assert len(block.findall(text)) == len(any_block.findall(text)), path
        for match in block.finditer(text):
            shown = html.unescape(re.sub(r"<[^>]+>", "", match["code"]))
            lines = len(shown.splitlines())
            counted += 1
            if match["style"] != f' style="--lines: {lines}"':
                wrong.append((path.relative_to(site).as_posix(), lines, match["style"]))
    assert counted > 400
    assert wrong == []


def test_each_first_paint_waits_for_the_pages_first_section_heading(site: Path) -> None:
    # overrides/main.html: the first paint shows the opening paragraphs,
    # which are read before the first <h2>; a link naming an id that is not
    # the first <h2> would wait for the wrong place, or for the whole page.
    expect = re.compile(r'<link rel="expect" href="#([^"]+)" blocking="render">')
    checked = []
    for path in all_pages(site):
        text = path.read_text("utf-8")
        first_h2 = re.search(r'<h2 id="([^"]+)"', text)
        links = expect.findall(text)
        if first_h2 is None:
            assert links == [], path
            continue
        assert links == [first_h2[1]], path
        checked.append(path)
    assert len(checked) >= 2 * len(PAGES)
