"""The hardened programs' command lines: every option explained, every bad value refused.

Each program's ``--help`` gives one line to each option and shows its
default; the usage line in its docstring (shown on its reference page) names
every option the parser knows; and a port or a timeout that cannot work is
refused while the arguments are parsed, in one line, before any socket is
opened (checked in this process for every value, and once per program through
the command itself) (a timeout of -1 used to crash the server at its first client, and 0
gave "Resource temporarily unavailable").
"""

from __future__ import annotations

import argparse
import ast
import re
import socket
import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from examples.framing import json_messages, length_prefix, line_framing, pickle_danger
from examples.servers import (
    echo_asyncio,
    echo_client,
    echo_selectors,
    echo_sequential,
    echo_socketserver,
    echo_threads,
)
from examples.tcp import tcp_client, tcp_server
from examples.udp import udp_receiver, udp_sender
from tests.support import Program, example_path

PROGRAMS: dict[str, ModuleType] = {
    "tcp_server.py": tcp_server,
    "tcp_client.py": tcp_client,
    "udp_receiver.py": udp_receiver,
    "udp_sender.py": udp_sender,
    "length_prefix.py": length_prefix,
    "line_framing.py": line_framing,
    "json_messages.py": json_messages,
    "pickle_danger.py": pickle_danger,
    "echo_sequential.py": echo_sequential,
    "echo_threads.py": echo_threads,
    "echo_socketserver.py": echo_socketserver,
    "echo_selectors.py": echo_selectors,
    "echo_asyncio.py": echo_asyncio,
    "echo_client.py": echo_client,
}
WITH_TIMEOUT = [
    "tcp_server.py",
    "tcp_client.py",
    "udp_sender.py",
    "length_prefix.py",
    "line_framing.py",
    "json_messages.py",
    "pickle_danger.py",
    "echo_client.py",
]
USAGE_OPTION = re.compile(r"\[(--[\w-]+)(?: [A-Z]+)?\]|\[([A-Z]+)\]")


def parser_of(module: ModuleType) -> argparse.ArgumentParser:
    """The program's parser, as parse_args builds it."""
    captured: list[argparse.ArgumentParser] = []
    real = argparse.ArgumentParser.parse_args

    def keep(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> object:
        captured.append(self)
        return real(self, [])

    argparse.ArgumentParser.parse_args = keep  # type: ignore[method-assign]
    try:
        module.parse_args([])
    finally:
        argparse.ArgumentParser.parse_args = real  # type: ignore[method-assign]
    return captured[0]


def options(module: ModuleType) -> list[argparse.Action]:
    return [a for a in parser_of(module)._actions if a.dest != "help"]


@pytest.mark.parametrize("name", PROGRAMS)
def test_help_gives_each_option_one_line_with_its_default(
    name: str, start: Callable[..., Program]
) -> None:
    code, out, err = start(str(example_path(name)), "--help").finish()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    for action in options(PROGRAMS[name]):
        label = action.option_strings[0] if action.option_strings else action.dest
        found = [i for i, line in enumerate(lines) if line.lstrip().startswith(label)]
        assert len(found) == 1, (label, out)
        line = lines[found[0]]
        nxt = lines[found[0] + 1] if found[0] + 1 < len(lines) else ""
        # The explanation is on the option's own line, and ends there.
        assert line.strip() != label and not line.rstrip().endswith(label), line
        assert not nxt.startswith(" " * 6), (line, nxt)
        assert "(default: " in line, line
        if action.default not in (None, False):
            assert f"(default: {action.default})" in line, line


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_docstrings_usage_names_every_option(name: str) -> None:
    module = PROGRAMS[name]
    docstring = ast.get_docstring(ast.parse(example_path(name).read_text("utf-8")))
    assert docstring is not None
    usage = docstring[docstring.index(f"python {name}") :].split("\n\n")[0]
    named = {m[1] or m[2] for m in USAGE_OPTION.finditer(usage)}
    expected = {
        a.option_strings[-1] if a.option_strings else a.dest.upper()
        for a in options(module)
    }
    assert named == expected, usage


def refused(
    name: str,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[object, str, str]:
    """Run the program's main() in this process, as ``python NAME ARGV`` would.

    argparse names the program after ``sys.argv[0]`` and wraps to COLUMNS, as
    in a terminal. Any socket the program tried to make would fail the test:
    a refused value must be refused before anything is opened.
    """

    def no_socket(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{name} opened a socket before refusing {argv}")

    monkeypatch.setattr(sys, "argv", [str(example_path(name)), *argv])
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(socket, "socket", no_socket)
    with pytest.raises(SystemExit) as exit_:
        PROGRAMS[name].main(argv)
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("port", ["70000", "-1", "http", "8888.5"])
def test_a_port_that_cannot_be_is_refused_in_plain_words(
    name: str,
    port: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = refused(name, ["--port", port], monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"{name}: error: argument --port: must be a whole number from 0 to 65535,"
        f" not {port!r}"
    )
    assert "port_number" not in err  # no function name leaks into the message


@pytest.mark.parametrize("name", WITH_TIMEOUT)
@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf", "1e10", "soon"])
def test_a_timeout_that_cannot_work_is_refused_before_anything_starts(
    name: str,
    timeout: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = refused(name, ["--timeout", timeout], monkeypatch, capsys)
    assert (code, out) == (2, "")  # nothing listened, nothing was sent
    assert "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"{name}: error: argument --timeout: must be a number of seconds above 0"
        f" and at most 86400, not {timeout!r}"
    )


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_command_refuses_a_bad_port_as_main_does(
    name: str, start: Callable[..., Program]
) -> None:
    """One bad value per program through the real command: the same one line."""
    code, out, err = start(str(example_path(name)), "--port", "70000").finish()
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        f"{name}: error: argument --port: must be a whole number from 0 to 65535,"
        " not '70000'"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize("name", WITH_TIMEOUT)
@pytest.mark.parametrize(("text", "value"), [("0.5", 0.5), ("86400", 86400.0)])
def test_a_timeout_within_limits_is_taken(name: str, text: str, value: float) -> None:
    assert PROGRAMS[name].seconds(text) == value
