"""Tests of the minimal echo server, "echo_server_min.py", both copies (zh, en).

A top-level script, so it is run as a command, with the port as its only
argument ("0": the system picks a free port, which the server prints). The
peer is a plain test socket that sends, half-closes and reads the echo. Not
tested: a client that connects and stays silent is dropped after the
hard-coded 10 s; waiting for that would slow the suite by 10 s per copy, and
the hardened server's tests cover the timeout.
"""

from __future__ import annotations

import errno
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import (
    LANGUAGES,
    TIMEOUT,
    Program,
    error_line,
    example_path,
    port_of,
    talk,
    unbuffered,
)

NAME = "echo_server_min.py"
MiB = 1024 * 1024


@pytest.fixture(params=LANGUAGES)
def script(request: pytest.FixtureRequest) -> Path:
    """The copy of the program in one language: examples/tcp/zh/ or en/."""
    return example_path(NAME, request.param)


@pytest.fixture
def taken() -> Iterator[int]:
    """A port another socket is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield port_of(sock)


def echo(start: Callable[..., Program], script: Path, data: bytes) -> Program:
    """Start the server on a free port; a client sends ``data``, gets it back."""
    server = start(*unbuffered(script, "0"))
    port = server.wait_listening()
    assert server.listening_line == f"Listening on 127.0.0.1:{port}"
    assert talk(port, data) == data  # exactly the bytes sent, then the end
    return server


def test_sends_the_message_back_and_prints_it(
    start: Callable[..., Program], script: Path
) -> None:
    server = echo(start, script, "Welcome to python world 你好".encode())
    assert server.finish() == (0, "Received: Welcome to python world 你好\n", "")


def test_sends_a_1_mib_message_back_whole(
    start: Callable[..., Program], script: Path
) -> None:
    message = "".join(f"{i:07d}," for i in range(MiB // 8))
    assert len(message) == MiB
    server = echo(start, script, message.encode())
    assert server.finish() == (0, f"Received: {message}\n", "")


def test_sends_bytes_that_are_not_utf8_back_unchanged(
    start: Callable[..., Program], script: Path
) -> None:
    server = echo(start, script, b"ok \xff\xfe")
    assert server.finish() == (0, "Received: ok \\xff\\xfe\n", "")


def test_answers_an_empty_message_with_nothing(
    start: Callable[..., Program], script: Path
) -> None:
    server = echo(start, script, b"")
    assert server.finish() == (0, "Received: \n", "")


def test_closes_the_connection_after_the_echo(
    start: Callable[..., Program], script: Path
) -> None:
    server = start(*unbuffered(script, "0"))
    port = server.wait_listening()
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"bye")
        sock.shutdown(socket.SHUT_WR)
        reply = sock.recv(1024)
        assert sock.recv(1024) == b""  # the server closed the accepted socket
    assert reply == b"bye"
    # No ResourceWarning on stderr (warnings are shown): every socket closed.
    assert server.finish() == (0, "Received: bye\n", "")


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], script: Path, tmp_path: Path
) -> None:
    shutil.copy(script, tmp_path)
    server = start(*unbuffered(NAME, "0"), cwd=tmp_path)
    assert talk(server.wait_listening(), b"copied") == b"copied"
    assert server.finish() == (0, "Received: copied\n", "")


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows words socket errors its own way"
)
def test_reports_a_port_in_use_in_one_line(
    start: Callable[..., Program], script: Path, taken: int
) -> None:
    server = start(*unbuffered(script, str(taken)))
    assert server.finish() == (1, "", error_line(errno.EADDRINUSE))


@pytest.mark.parametrize(
    ("port", "error"),
    [
        ("abc", "invalid literal for int() with base 10: 'abc'"),
        ("70000", "bind(): port must be 0-65535."),
    ],
)
def test_reports_an_invalid_port_in_one_line(
    start: Callable[..., Program], script: Path, port: str, error: str
) -> None:
    assert start(*unbuffered(script, port)).finish() == (1, "", f"Error: {error}\n")


def test_stops_on_ctrl_c_while_waiting_for_a_client(
    start: Callable[..., Program], script: Path
) -> None:
    server = start(*unbuffered(script, "0"))
    server.wait_listening()  # it now waits in accept()
    server.interrupt()
    assert server.finish() == (130, "", "Stopped.\n")
