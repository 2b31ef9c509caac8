"""Tests of the minimal TCP server, "tcp_server_min.py", both copies (zh, en).

A top-level script, so it is run as a command, with the port as its only
argument ("0": the system picks a free port, which the server prints). The
peer is a plain test socket. Not tested: a client that connects and stays
silent is dropped after the hard-coded 10 s; waiting for that would slow the
suite by 10 s per copy, and the hardened server's tests cover the timeout.
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

NAME = "tcp_server_min.py"
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


def serve(start: Callable[..., Program], script: Path, data: bytes) -> Program:
    """Start the server on a free port; a client sends ``data`` and half-closes.

    The client reads until the server closes its socket: no reply comes.
    """
    server = start(*unbuffered(script, "0"))
    port = server.wait_listening()
    assert server.listening_line == f"Listening on 127.0.0.1:{port}"
    assert talk(port, data) == b""
    return server


def test_prints_what_the_client_sends(
    start: Callable[..., Program], script: Path
) -> None:
    server = serve(start, script, "Welcome to python world 你好".encode())
    assert server.finish() == (0, "Received: Welcome to python world 你好\n", "")


def test_receives_a_1_mib_message_whole(
    start: Callable[..., Program], script: Path
) -> None:
    # recv(1024) returns a piece at a time; the loop joins 1024 and more of them.
    message = "".join(f"{i:07d}," for i in range(MiB // 8))
    assert len(message) == MiB
    server = serve(start, script, message.encode())
    assert server.finish() == (0, f"Received: {message}\n", "")


def test_shows_bytes_that_are_not_utf8_as_escapes(
    start: Callable[..., Program], script: Path
) -> None:
    server = serve(start, script, "café".encode("latin-1") + b" \xff\xfe")
    assert server.finish() == (0, "Received: caf\\xe9 \\xff\\xfe\n", "")


def test_accepts_an_empty_message(start: Callable[..., Program], script: Path) -> None:
    server = serve(start, script, b"")
    assert server.finish() == (0, "Received: \n", "")


def test_closes_the_connection_and_exits_after_one_client(
    start: Callable[..., Program], script: Path
) -> None:
    server = start(*unbuffered(script, "0"))
    port = server.wait_listening()
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"bye")
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""  # the server closed the accepted socket
    # No ResourceWarning on stderr (warnings are shown): every socket closed.
    assert server.finish() == (0, "Received: bye\n", "")


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], script: Path, tmp_path: Path
) -> None:
    shutil.copy(script, tmp_path)
    server = start(*unbuffered(NAME, "0"), cwd=tmp_path)
    assert talk(server.wait_listening(), b"copied") == b""
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
