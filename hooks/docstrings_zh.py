"""Griffe extension: show the examples' docstrings in Chinese on Chinese pages.

The docstrings in ``examples/`` are written in English, and mkdocstrings has
no per-language docstrings. The Chinese reference pages load this extension
(``options: extensions:`` on their ``:::`` blocks), which replaces every
docstring with its translation from a catalog (a YAML file):

    examples.tcp.tcp_server.open_server:
      en: 1f3a...   # SHA-256 (first 12 hex digits) of the English docstring
      zh: |
        创建在 ``host:port`` 上监听的 TCP 套接字。
        ...

Section headers (``Args:``, ``Returns:``, ``Raises:``) and parameter names
stay as in the English docstring, so that the Google-style parser reads the
translation the same way; mkdocstrings then titles the sections in Chinese.

The ``en`` hash ties each translation to the English text it was made from:
if a docstring changes and its translation does not, or a docstring has no
translation, the build stops with the object's path and the hash to update.
It also stops when an entry names an object that no longer exists (a renamed
or deleted function), so that the catalog does not collect dead entries.
Write the hash in quotes: YAML reads an unquoted ``444442358851`` as a number
(and ``012345670123`` as an octal one).

Only the packages the catalog has entries for are translated: packages that
the same loader happens to load as well (dependencies, preloaded modules)
keep their docstrings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from griffe import Docstring, Extension, Module, Object


def english_hash(text: str) -> str:
    """The short hash that ties a translation to its English docstring."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class StaleTranslationError(Exception):
    """A docstring has no translation, or the English text has changed."""


class ChineseDocstrings(Extension):
    """Replace the docstrings of a loaded package with Chinese translations."""

    def __init__(self, catalog: str) -> None:
        super().__init__()
        self.catalog_path = Path(catalog)
        self.catalog: dict[str, dict[str, str]] = (
            yaml.safe_load(self.catalog_path.read_text(encoding="utf-8")) or {}
        )

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:
        prefix = pkg.path + "."
        entries = {
            path for path in self.catalog if path == pkg.path or path.startswith(prefix)
        }
        if not entries:
            return  # not a package this catalog translates
        objects = walk(pkg)
        problems = [problem for obj in objects if (problem := self.translate(obj))]
        problems += [
            f"  {path}: no such object with a docstring; remove the entry"
            for path in sorted(entries - {obj.path for obj in objects if obj.docstring})
        ]
        if problems:
            raise StaleTranslationError(
                f"{self.catalog_path}: update these entries:\n" + "\n".join(problems)
            )

    def translate(self, obj: Object) -> str | None:
        """Swap in the translation; return a problem description, if any."""
        old = obj.docstring
        if old is None:
            return None
        entry = self.catalog.get(obj.path)
        actual = english_hash(old.value)
        if entry is None:
            return f"  {obj.path}: no translation (en: {actual})"
        if not isinstance(entry.get("en"), str):
            return f'  {obj.path}: the hash must be a quoted string (en: "{actual}")'
        if entry["en"] != actual:
            return f"  {obj.path}: English text changed (en: {actual})"
        if not isinstance(entry.get("zh"), str) or not entry["zh"].strip():
            return f"  {obj.path}: no Chinese text (zh)"
        obj.docstring = Docstring(
            entry["zh"].strip("\n"),
            lineno=old.lineno,
            endlineno=old.endlineno,
            parent=obj,
            parser=old.parser,
            parser_options=old.parser_options,
        )
        return None


# The minimal programs' folders (examples/tcp/zh/, examples/tcp/en/): each copy
# is written in its page's language, and no API page renders them.
LANGUAGE_PACKAGES = {"zh", "en"}


def walk(obj: Object) -> list[Object]:
    """The object and every module, class and function inside it.

    The minimal programs' language folders are left out.
    """
    found = [obj]
    for member in obj.members.values():
        if member.is_alias:
            continue  # an import: documented where it is defined
        if member.is_module and member.name in LANGUAGE_PACKAGES:
            continue
        if member.is_module or member.is_class or member.is_function:
            found += walk(member)  # type: ignore[arg-type]
    return found
