"""The Chinese translations of the examples' docstrings.

``docs/zh/reference/docstrings.yml`` holds one entry per docstring in
``examples/``: ``en``, the hash of the English text it was translated from,
and ``zh``, the translation, which hooks/docstrings_zh.py shows on the Chinese
reference pages. These tests check that the catalog is complete and current,
that the translations are Chinese, and that they keep the Google-style
structure (section headers, parameter and exception names) and the code of
the English docstrings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import griffe
import pytest
import yaml

from tests.support import ROOT, load_hook

CATALOG = ROOT / "docs" / "zh" / "reference" / "docstrings.yml"
ZH_REFERENCE = ROOT / "docs" / "zh" / "reference"

# As in mkdocs.yml (mkdocstrings' docstring_options).
PARSER_OPTIONS: dict[str, Any] = {"returns_multiple_items": False}

SECTION_HEADER = re.compile(r"(Args|Returns|Raises):")
# An item of an Args or Raises section: "    name: description".
ITEM_KEY = re.compile(r"^ {4}[A-Za-z_]\w*:(?= |$)")
DOUBLE_BACKTICKS = re.compile(r"``.+?``")
SINGLE_BACKTICKS = re.compile(r"(?<!`)`[^`\n]+`(?!`)")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three or more English words in a row, separated by spaces or ASCII
# punctuation only (Chinese text or punctuation between them breaks the run).
WORD = r"[A-Za-z][A-Za-z0-9'+-]*"
ENGLISH_RUN = re.compile(rf"\b{WORD}(?:[\s,;:.!?()\"']+{WORD}){{2,}}")


hook = load_hook("docstrings_zh")
PACKAGE = griffe.load("examples", search_paths=[str(ROOT)])
OBJECTS: dict[str, griffe.Object] = {
    obj.path: obj for obj in hook.walk(PACKAGE) if obj.docstring
}
ENTRIES: dict[str, dict[str, str]] = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
TRANSLATED = [path for path in ENTRIES if path in OBJECTS]


def english(path: str) -> str:
    docstring = OBJECTS[path].docstring
    assert docstring is not None
    return docstring.value


def chinese(path: str) -> str:
    return str(ENTRIES[path]["zh"]).strip("\n")


def code_lines(text: str) -> list[str]:
    """Indented lines outside the sections: the modules' Usage commands."""
    found = []
    in_section = False
    for line in text.splitlines():
        if SECTION_HEADER.fullmatch(line):
            in_section = True
        elif line and not line[0].isspace():
            in_section = False
        elif line.startswith(" ") and not in_section:
            found.append(line)
    return found


def prose(text: str) -> str:
    """The text without code, cross-references, section headers and item keys."""
    kept = []
    section = None
    for line in text.splitlines():
        if SECTION_HEADER.fullmatch(line):
            section = line
            continue
        if line and not line[0].isspace():
            section = None
        if line.startswith(" ") and section is None:
            continue  # an indented code line
        in_items = section in ("Args:", "Raises:")
        kept.append(ITEM_KEY.sub("", line) if in_items else line)
    text = "\n".join(kept)
    text = DOUBLE_BACKTICKS.sub(" ", text)
    return SINGLE_BACKTICKS.sub(" ", text)


def english_runs(text: str) -> list[str]:
    return [match.group() for match in ENGLISH_RUN.finditer(prose(text))]


def structure(text: str, path: str) -> list[tuple[str, list[str]]]:
    """The parsed sections: their kind and the names they document."""
    docstring = griffe.Docstring(text, parent=OBJECTS[path])
    sections = docstring.parse("google", **PARSER_OPTIONS)
    result = []
    for section in sections:
        kind = section.kind.value
        if kind == "text":
            continue
        items = section.value if isinstance(section.value, list) else [section.value]
        # Parameters by name, exceptions and return values by type; any other
        # section (an admonition such as "Note:") by its title.
        names = [
            getattr(item, "name", "")
            or str(getattr(item, "annotation", "") or section.title)
            for item in items
        ]
        result.append((kind, names))
    return result


@pytest.mark.parametrize("path", list(OBJECTS))
def test_every_docstring_has_a_current_translation(path: str) -> None:
    actual = hook.english_hash(english(path))
    assert path in ENTRIES, f"no entry for {path} (en: {actual})"
    assert ENTRIES[path].get("en") == actual, (
        f'{path}: the English docstring has changed; update the translation and write en: "{actual}"'
    )


def test_no_entry_for_a_missing_object() -> None:
    stale = [path for path in ENTRIES if path not in OBJECTS]
    assert not stale, f"entries for objects without a docstring in examples/: {stale}"


def test_entries_follow_the_source_order() -> None:
    """Modules in alphabetical order (Griffe lists them in the file system's
    order, which differs between systems), each module's entries in source order."""

    def module(path: str) -> str:
        return ".".join(path.split(".")[:3])  # examples.tcp.tcp_server

    in_source = [path for path in OBJECTS if path in ENTRIES]
    assert list(ENTRIES) == sorted(in_source, key=module)


@pytest.mark.parametrize("path", TRANSLATED)
def test_translation_is_chinese(path: str) -> None:
    assert set(ENTRIES[path]) == {"en", "zh"}
    assert CJK.search(prose(chinese(path))), f"{path}: no Chinese text"
    assert english_runs(chinese(path)) == [], f"{path}: English prose left"


@pytest.mark.parametrize("path", list(OBJECTS))
def test_the_english_prose_check_finds_english(path: str) -> None:
    # The check above is honest only if it does flag the English originals.
    assert english_runs(english(path))


@pytest.mark.parametrize("path", TRANSLATED)
def test_translation_keeps_sections_and_names(path: str) -> None:
    def headers(text: str) -> list[str]:
        return [line for line in text.splitlines() if SECTION_HEADER.fullmatch(line)]

    assert headers(chinese(path)) == headers(english(path))
    assert structure(chinese(path), path) == structure(english(path), path)


@pytest.mark.parametrize("path", TRANSLATED)
def test_translation_keeps_the_code(path: str) -> None:
    assert code_lines(chinese(path)) == code_lines(english(path))
    for pattern in (DOUBLE_BACKTICKS, SINGLE_BACKTICKS):
        missing = set(pattern.findall(english(path))) - set(
            pattern.findall(chinese(path))
        )
        assert not missing, f"{path}: code missing from the translation: {missing}"


@pytest.mark.parametrize(
    ("page", "module"),
    [
        ("tcp_server", "tcp.tcp_server"),
        ("tcp_client", "tcp.tcp_client"),
        ("udp_sender", "udp.udp_sender"),
        ("udp_receiver", "udp.udp_receiver"),
    ],
)
def test_chinese_reference_page_loads_the_extension(page: str, module: str) -> None:
    text = (ZH_REFERENCE / f"{page}.md").read_text(encoding="utf-8")
    block = (
        f"::: examples.{module}\n"
        "    options:\n"
        "      extensions:\n"
        "        - hooks/docstrings_zh.py:ChineseDocstrings:\n"
        "            catalog: docs/zh/reference/docstrings.yml\n"
    )
    assert block in text


def test_extension_swaps_in_the_translations() -> None:
    extension = hook.ChineseDocstrings(str(CATALOG))
    package = griffe.load(
        "examples",
        search_paths=[str(ROOT)],
        extensions=griffe.load_extensions(extension),
    )
    for path in OBJECTS:
        assert package[path.removeprefix("examples.")].docstring.value == chinese(path)


def test_extension_stops_on_a_stale_catalog(tmp_path: Path) -> None:
    entries = dict(ENTRIES)
    first, second = list(OBJECTS)[:2]
    entries[first] = {"en": "000000000000", "zh": "旧的译文"}
    del entries[second]
    entries["examples.no_such_module"] = {"en": "000000000000", "zh": "多余的条目"}
    catalog = tmp_path / "docstrings.yml"
    catalog.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    with pytest.raises(hook.StaleTranslationError) as error:
        griffe.load(
            "examples",
            search_paths=[str(ROOT)],
            extensions=griffe.load_extensions(hook.ChineseDocstrings(str(catalog))),
        )
    message = str(error.value)
    assert f"{first}: English text changed" in message
    assert (
        f"{second}: no translation (en: {hook.english_hash(english(second))})"
        in message
    )
    assert "examples.no_such_module: no such object" in message
