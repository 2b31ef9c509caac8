"""Tests of the minimal TCP client, "tcp_client_min.py", both copies (zh, en).

A top-level script, so it is run as a command, with the server's port as its
only argument. The server is a plain test socket. Not tested: a server that
accepts and never closes makes the client give up after the hard-coded 10 s;
waiting for that would slow the suite by 10 s per copy, and the hardened
client's tests cover the timeout.
"""

from __future__ import annotations

import errno
import shutil
import socket
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    LANGUAGES,
    TIMEOUT,
    Program,
    error_line,
    example_path,
    port_of,
    unbuffered,
)

NAME = "tcp_client_min.py"
MiB = 1024 * 1024
MESSAGE = b"Welcome to python world"  # what the program sends, 23 bytes


@pytest.fixture(params=LANGUAGES)
def script(request: pytest.FixtureRequest) -> Path:
    """The copy of the program in one language: examples/tcp/zh/ or en/."""
    return example_path(NAME, request.param)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening TCP socket on a free port, standing in for the server."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.settimeout(TIMEOUT)
        yield sock


def read_all_then(listener: socket.socket, answer: bytes) -> tuple[bytes, bytes]:
    """Act as a server: read until the client half-closes, answer, close.

    Returns what came, and what the client sent after the answer (``b""``:
    nothing, it closed).
    """
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        data = bytearray()
        while chunk := conn.recv(65536):
            data += chunk
        conn.sendall(answer)
        conn.shutdown(socket.SHUT_WR)
        return bytes(data), conn.recv(1)


def exchange(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    answer: bytes,
    **options: Any,
) -> tuple[int, str, str]:
    """Run the client against ``listener``, which answers ``answer``."""
    served = in_thread(read_all_then, listener, answer)
    result = start(*unbuffered(script, str(port_of(listener))), **options).finish()
    assert served.result(TIMEOUT) == (MESSAGE, b"")
    return result


def test_sends_its_message_and_prints_no_reply_when_none_comes(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    port = port_of(listener)
    assert exchange(start, script, listener, in_thread, b"") == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n",
        "",
    )


def test_prints_the_servers_reply(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    port = port_of(listener)
    assert exchange(start, script, listener, in_thread, "收到 ok".encode()) == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\nReply: 收到 ok\n",
        "",
    )


def test_receives_a_1_mib_reply_whole(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    # recv(1024) returns a piece at a time; the loop joins 1024 and more of them.
    reply = "".join(f"{i:07d}," for i in range(MiB // 8))
    assert len(reply) == MiB
    port = port_of(listener)
    assert exchange(start, script, listener, in_thread, reply.encode()) == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\nReply: {reply}\n",
        "",
    )


def test_shows_reply_bytes_that_are_not_utf8_as_escapes(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    code, out, err = exchange(start, script, listener, in_thread, b"ok \xff\xfe")
    assert (code, err) == (0, "")
    assert out.endswith("Sent 23 bytes.\nReply: ok \\xff\\xfe\n")


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program],
    script: Path,
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    tmp_path: Path,
) -> None:
    shutil.copy(script, tmp_path)
    code, out, err = exchange(
        start, Path(NAME), listener, in_thread, b"copied", cwd=tmp_path
    )
    assert (code, err) == (0, "")
    assert out.endswith("Reply: copied\n")


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows words socket errors its own way"
)
def test_reports_a_refused_connection_in_one_line(
    start: Callable[..., Program], script: Path
) -> None:
    # A bound socket that does not listen: connecting to it is refused.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        client = start(*unbuffered(script, str(port_of(closed))))
        assert client.finish() == (1, "", error_line(errno.ECONNREFUSED))


@pytest.mark.parametrize(
    ("port", "error"),
    [
        ("abc", "invalid literal for int() with base 10: 'abc'"),
        ("70000", "connect(): port must be 0-65535."),
    ],
)
def test_reports_an_invalid_port_in_one_line(
    start: Callable[..., Program], script: Path, port: str, error: str
) -> None:
    assert start(*unbuffered(script, port)).finish() == (1, "", f"Error: {error}\n")


def test_stops_on_ctrl_c_while_waiting_for_the_server(
    start: Callable[..., Program], script: Path, listener: socket.socket
) -> None:
    # The listener never accepts: the connection waits in its queue, and the
    # client, its message sent, waits in recv() for the server to close.
    port = port_of(listener)
    client = start(*unbuffered(script, str(port)))
    assert client.next_line() == f"Connected to 127.0.0.1:{port}"
    client.interrupt()
    assert client.finish() == (130, "", "Stopped.\n")
