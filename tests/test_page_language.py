"""Each page is in its own language outside code.

On a Chinese page, English may appear in code (inline or blocks), in link
targets, in short names (TCP, IPv4, Ctrl+C, Windows) and in text marked as
English (``<span lang="en">``, the glossary's term pairs), but not as prose:
a run of four or more English words elsewhere fails. An English page has
no Chinese character outside code. The generated API sections are checked by
tests/test_docstrings_zh.py, which reads the translations they come from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

DOCS = ROOT / "docs"
FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
ATTRIBUTES = re.compile(r"\{[:\s]*[#.][^}]*\}")
AUTODOC = re.compile(r"^:::.*?(?=^\S|\Z)", re.M | re.S)
HTML_TAG = re.compile(r"<[^>\n]+>")
# Text marked as the other language (the glossary's term pairs), as HTML does.
OTHER_LANGUAGE = re.compile(r"<span lang=\"[a-z-]+\">.*?</span>", re.S)
ENGLISH_RUN = re.compile(r"[A-Za-z][\w'+-]*(?:[ ,][A-Za-z][\w'+-]*){3,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Proper names that are English on a Chinese page too.
NAMES = {
    "Windows Defender Firewall",
    "User Datagram Protocol",
    "Transmission Control Protocol",
}


def prose(path: Path) -> str:
    """The page's text with code, comments, link targets and markup removed."""
    text = path.read_text(encoding="utf-8")
    for pattern in (
        FENCE,
        AUTODOC,
        COMMENT,
        INLINE_CODE,
        OTHER_LANGUAGE,
        LINK_TARGET,
        ATTRIBUTES,
        HTML_TAG,
    ):
        text = pattern.sub(" ", text)
    for name in NAMES:
        text = text.replace(name, " ")
    return text


def pages(language: str) -> list[str]:
    return sorted(
        p.relative_to(DOCS / language).as_posix()
        for p in (DOCS / language).rglob("*.md")
    )


@pytest.mark.parametrize("page", pages("zh"))
def test_chinese_page_has_no_english_prose(page: str) -> None:
    assert ENGLISH_RUN.findall(prose(DOCS / "zh" / page)) == []


@pytest.mark.parametrize("page", pages("en"))
def test_english_page_has_no_chinese_outside_code(page: str) -> None:
    lines = [
        line for line in prose(DOCS / "en" / page).splitlines() if CJK.search(line)
    ]
    assert lines == []
