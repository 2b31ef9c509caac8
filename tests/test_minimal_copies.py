"""The two copies of each minimal program are the same program.

Each minimal program has a copy per language (examples/tcp/zh/tcp_server_min.py
and examples/tcp/en/tcp_server_min.py): the same code, comments and docstring
in the folder's language. Here, for every one of them: the code is the same
(equal syntax trees once the docstrings are removed, so every statement, name
and printed string too); comments sit on the same lines; the English copy has
no CJK character; a Chinese comment that differs from its English counterpart
is written in Chinese, and so is the Chinese docstring, which has as many
lines as the English one.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from tests.support import EXAMPLES, LANGUAGES, example_path

# Han characters (with extension A and compatibility ideographs), CJK
# punctuation, kana, Hangul, and full-width forms such as "：" and "，".
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
MINIMAL = sorted(
    {path.name for lang in LANGUAGES for path in EXAMPLES.glob(f"*/{lang}/*_min.py")}
)


def test_every_minimal_program_is_found() -> None:
    assert MINIMAL == [
        "echo_server_min.py",
        "echo_threads_min.py",
        "framing_min.py",
        "tcp_client_min.py",
        "tcp_server_min.py",
        "udp_receiver_min.py",
        "udp_sender_min.py",
    ]


def copies(name: str) -> tuple[Path, Path]:
    """The Chinese and the English copy; each must exist exactly once."""
    zh, en = (example_path(name, language) for language in LANGUAGES)
    assert (zh.parent.name, en.parent.name) == LANGUAGES
    return zh, en


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def docstrings(text: str) -> list[tuple[str, str]]:
    """(where, docstring) of every docstring, in the order of the file."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, DOCUMENTED):
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                found.append((getattr(node, "name", "<module>"), doc))
    return found


def without_docstrings(text: str) -> ast.Module:
    """The syntax tree of ``text``, its docstrings removed."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, DOCUMENTED) and ast.get_docstring(node) is not None:
            node.body = node.body[1:]
    return tree


def comments(text: str) -> dict[int, str]:
    """Line number -> the comment on that line."""
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {tok.start[0]: tok.string for tok in tokens if tok.type == tokenize.COMMENT}


@pytest.mark.parametrize("name", MINIMAL)
def test_both_copies_have_the_same_code(name: str) -> None:
    zh, en = (without_docstrings(source(path)) for path in copies(name))
    # The code as lines first, so that a failure shows the line that differs;
    # then the trees themselves, which compare every node exactly.
    assert ast.unparse(zh).splitlines() == ast.unparse(en).splitlines()
    assert ast.dump(zh) == ast.dump(en)


@pytest.mark.parametrize("name", MINIMAL)
def test_both_copies_have_docstrings_in_the_same_places(name: str) -> None:
    zh, en = (docstrings(source(path)) for path in copies(name))
    assert [where for where, _ in zh] == [where for where, _ in en]
    assert zh, "a minimal program has a docstring"


@pytest.mark.parametrize("name", MINIMAL)
def test_both_copies_have_comments_on_the_same_lines(name: str) -> None:
    zh, en = (comments(source(path)) for path in copies(name))
    differ = [
        f"line {line}: a comment in {'zh only' if line in zh else 'en only'}"
        for line in sorted(set(zh) ^ set(en))
    ]
    assert differ == []


@pytest.mark.parametrize("name", MINIMAL)
def test_the_english_copy_has_no_cjk_character(name: str) -> None:
    _, en = copies(name)
    found = [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(source(en).splitlines(), start=1)
        if CJK.search(line)
    ]
    assert found == []


@pytest.mark.parametrize("name", MINIMAL)
def test_chinese_comments_that_differ_are_in_chinese(name: str) -> None:
    zh, en = (comments(source(path)) for path in copies(name))
    untranslated = [
        f"line {line}: {text}"
        for line, text in sorted(zh.items())
        if text != en.get(line) and not CJK.search(text)
    ]
    assert untranslated == []


@pytest.mark.parametrize("name", MINIMAL)
def test_chinese_docstrings_are_in_chinese_and_as_long_as_the_english(
    name: str,
) -> None:
    zh, en = (docstrings(source(path)) for path in copies(name))
    for (where, zh_doc), (_, en_doc) in zip(zh, en, strict=True):
        assert CJK.search(zh_doc), f"{where}: the Chinese docstring has no Chinese"
        assert len(zh_doc.splitlines()) == len(en_doc.splitlines()), where
