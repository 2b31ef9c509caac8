"""Helpers repeated in several examples are the same code in each.

Each example runs alone when copied, so small helpers (``decode``,
``format_address``, ``port_number``, ``seconds``, ``recv_all``; the length
prefix's functions and exceptions, such as ``recv_exactly``) are written
into every file that needs them. This test keeps the copies from drifting
apart: each is identical, docstring included, in every file that has it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import EXAMPLES

HARDENED = sorted(EXAMPLES.glob("*/*.py"))
SHARED = {
    "decode",
    "format_address",
    "port_number",
    "seconds",
    "recv_all",
    # examples/framing/: the length prefix, copied where it is needed
    "byte_count",
    "check_size",
    "encode_message",
    "recv_exactly",
    "recv_message",
    "MessageTooLarge",
    "IncompleteMessage",
    # examples/servers/: the echo servers' common parts (FrameDecoder from
    # examples/framing/, open_server and accept_client from tcp_server.py)
    "FrameDecoder",
    "open_server",
    "accept_client",
    "add_options",
    "echo_client",
    "hang_up",
    "report",
    "stop_on_signals",
}
# Functions of the same name that do each program's own work.
OWN = {"parse_args", "main", "serve", "exchange"}


def functions(path: Path) -> dict[str, str]:
    source = path.read_text(encoding="utf-8")
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }


COPIES: dict[str, dict[str, str]] = {}
for _path in HARDENED:
    for _name, _source in functions(_path).items():
        COPIES.setdefault(_name, {})[_path.name] = _source


def test_every_function_found_in_several_files_is_a_known_helper() -> None:
    repeated = {name for name, found in COPIES.items() if len(found) > 1}
    assert repeated - OWN == SHARED


@pytest.mark.parametrize("name", sorted(SHARED))
def test_a_shared_helper_is_the_same_in_every_file(name: str) -> None:
    found = COPIES[name]
    first = next(iter(found.values()))
    assert {file: source == first for file, source in found.items()} == dict.fromkeys(
        found, True
    )
