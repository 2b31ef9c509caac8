"""The pages use the glossary's terms, and none of the chapter's wrong ones.

The glossary is the table in CONTRIBUTING.md; the glossary page explains
every term in it. A page may quote one of the chapter's wrong words to
correct it: the errata page does, and so may any paragraph that names the
chapter (原教程 / 原文); everywhere else the wrong words must not appear.
"""

from __future__ import annotations

import re

import pytest

from tests.support import ROOT
from tests.test_page_language import pages, prose

DOCS = ROOT / "docs"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"

# Wrong or non-standard words of the chapter, and what the site says instead.
WRONG_TERMS = {
    "用户数据包协议": "用户数据报协议",
    # An everyday word: IP's unit is an IP datagram or packet (RFC 791; the
    # textbooks), UDP's a (user) datagram.
    "数据包": "IP 数据报 / 分组",
    "面向有连接": "面向连接",
    "客服端": "客户端",
    "系列解包": "序列解包",
    "接受数据": "接收数据",
    "接受TCP数据": "接收 TCP 数据",
    "655356": "65536",
    "sever_socket": "server_socket",
}


# One spelling for each term, on every page of the language (the errata too)
# and in every diagram: the variant on the left, the site's word on the right.
# The Chinese words follow the Python documentation in Chinese (捕获 for
# catch, 引发 for raise) and the networking textbooks (首部 for a protocol
# header).
VARIANTS = {
    "zh": {
        "接住": "捕获",
        "抛出": "引发",
        "头部": "首部",
        "权能": "能力",
        "SYN-ACK": "SYN+ACK",
        # A FIN leaves the receiving side open; 听 would be listen()'s word.
        "还在听": "还能接收",
    },
    "en": {
        "SYN-ACK": "SYN+ACK",
        "still listening": "can still receive",
        "for ever": "forever",
    },
}


def glossary_rows() -> list[tuple[str, str]]:
    """The (Chinese, English) rows of the glossary table in CONTRIBUTING.md."""
    text = CONTRIBUTING.read_text(encoding="utf-8")
    table = text[text.index("| 中文 | English |") :]
    rows = []
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        zh, en = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((zh, en))
    return rows


def terms(cell: str) -> list[str]:
    """The terms in one cell: "A / B (note)" holds A and B."""
    cell = re.sub(r"`.*?`", "", cell)
    cell = re.sub(r"\(.*?\)|（.*?）", "", cell)
    return [term.strip() for term in cell.split("/") if term.strip()]


def test_the_glossary_table_is_read() -> None:
    rows = glossary_rows()
    assert len(rows) > 40
    assert ("套接字", "socket") in rows


@pytest.mark.parametrize(("language", "column"), [("zh", 0), ("en", 1)])
def test_the_glossary_page_explains_every_term(language: str, column: int) -> None:
    page = (DOCS / language / "glossary.md").read_text(encoding="utf-8")
    missing = [
        term
        for row in glossary_rows()
        for term in terms(row[column])
        if term.lower() not in page.lower()
    ]
    assert missing == []


@pytest.mark.parametrize(
    "page",
    sorted(
        path.relative_to(DOCS / "zh").as_posix()
        for path in (DOCS / "zh").rglob("*.md")
        if path.name != "errata.md"
    ),
)
def test_chinese_pages_avoid_the_chapters_wrong_terms(page: str) -> None:
    paragraphs = (DOCS / "zh" / page).read_text(encoding="utf-8").split("\n\n")
    own_words = "\n\n".join(
        p for p in paragraphs if "原教程" not in p and "原文" not in p
    )
    found = {wrong: right for wrong, right in WRONG_TERMS.items() if wrong in own_words}
    assert found == {}


def site_files(language: str) -> list[str]:
    """The pages and diagrams of one language, relative to its folder."""
    folder = DOCS / language
    return sorted(
        path.relative_to(folder).as_posix()
        for pattern in ("*.md", "*.svg")
        for path in folder.rglob(pattern)
    )


@pytest.mark.parametrize(
    ("language", "name"),
    [(language, name) for language in VARIANTS for name in site_files(language)],
)
def test_each_term_has_one_spelling(language: str, name: str) -> None:
    text = (DOCS / language / name).read_text(encoding="utf-8")
    found = {
        variant: word for variant, word in VARIANTS[language].items() if variant in text
    }
    assert found == {}


# The name Chinese learners search for when messages split or run together;
# it is named, and explained, wherever the byte stream is (the English pages
# give it as Chinese text with its translation).
STREAM_PAGES = ["faq.md", "tcp.md", "glossary.md", "basics.md", "framing.md"]


@pytest.mark.parametrize("page", STREAM_PAGES)
def test_pages_that_explain_the_stream_name_sticky_packets(page: str) -> None:
    assert "粘包" in (DOCS / "zh" / page).read_text(encoding="utf-8")
    english = (DOCS / "en" / page).read_text(encoding="utf-8")
    assert '<span lang="zh">粘包' in english
    assert "sticky packets" in english.lower()


def test_search_keeps_sticky_packets_whole() -> None:
    # jieba's user dictionary (hooks/jieba_userdict.txt, the search plugin's
    # jieba_dict_user) keeps the word one search token.
    words = (ROOT / "hooks" / "jieba_userdict.txt").read_text(encoding="utf-8")
    assert {"粘包", "拆包"} <= {line.split()[0] for line in words.splitlines()}


@pytest.mark.parametrize(
    ("language", "page"),
    [(language, page) for language in ("zh", "en") for page in pages(language)],
)
def test_prose_says_standard_error_and_keeps_stderr_for_code(
    language: str, page: str
) -> None:
    # sys.stderr is code; the channel is 标准错误 / standard error in prose.
    assert re.findall(r"\bstderr\b", prose(DOCS / language / page)) == []


def test_english_errata_quote_chinese_prose_as_quotations_not_code() -> None:
    # Code and its comments are code; the chapter's prose is a quotation in
    # Chinese (<span lang="zh">), which screen readers and fonts then treat
    # as Chinese, followed by its translation.
    text = (DOCS / "en" / "errata.md").read_text(encoding="utf-8")
    assert "Original: `" not in text
    assert text.count('Original: “<span lang="zh">') >= 10


@pytest.mark.parametrize(
    ("language", "page"),
    [
        (language, path.name)
        for language in ("zh", "en")
        for path in sorted((DOCS / language / "reference").glob("*.md"))
    ],
)
def test_reference_pages_list_what_the_program_does(language: str, page: str) -> None:
    # A list of short points, each with its subject, not one long paragraph.
    text = (DOCS / language / "reference" / page).read_text(encoding="utf-8")
    section = text.split("{ #what-it-does }\n\n", 1)[1].split("\n\n## ", 1)[0]
    items = section.strip().splitlines()
    assert len(items) >= 5
    assert all(re.match(r"- \*\*[^*]+\*\*[:：]", item) for item in items)
    longest = 90 if language == "en" else 200  # words; characters in Chinese
    lengths = [len(item.split()) if language == "en" else len(item) for item in items]
    assert max(lengths) <= longest, lengths
