"""Tests of the minimal UDP receiver, "udp_receiver_min.py", both copies (zh, en).

A top-level script, so it is run as a command, with the port as its only
argument ("0": the system picks a free port, which the receiver prints). The
sender is a plain test socket (the ``peer`` fixture); the reply is typed on
standard input, which is then closed.
"""

from __future__ import annotations

import errno
import shutil
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    LANGUAGES,
    Program,
    error_line,
    example_path,
    port_of,
    unbuffered,
)

NAME = "udp_receiver_min.py"
MAX_IPV4_PAYLOAD = 65507  # 65535 - 20 (IPv4 header) - 8 (UDP header)


@pytest.fixture(params=LANGUAGES)
def script(request: pytest.FixtureRequest) -> Path:
    """The copy of the program in one language: examples/udp/zh/ or en/."""
    return example_path(NAME, request.param)


def receive(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    data: bytes,
    typed: str,
    **options: Any,
) -> tuple[Program, int]:
    """Start the receiver with ``typed`` as its input; ``peer`` sends ``data``.

    Returns the receiver and the port it printed.
    """
    receiver = start(*unbuffered(script, "0"), stdin=typed, **options)
    port = receiver.wait_listening()
    assert receiver.listening_line == f"Listening on UDP 127.0.0.1:{port}"
    peer.sendto(data, ("127.0.0.1", port))
    return receiver, port


def nothing_came(peer: socket.socket) -> bool:
    """No datagram waits for ``peer`` (on loopback one sent has arrived)."""
    peer.setblocking(False)
    try:
        peer.recv(1)
    except BlockingIOError:
        return True
    return False


def test_prints_the_datagram_and_sends_the_typed_reply(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    receiver, port = receive(start, script, peer, "你好，UDP".encode(), "收到\n")
    reply, address = peer.recvfrom(65535)
    # The reply comes from the socket the receiver bound, to the sender's address.
    assert (reply, address) == ("收到".encode(), ("127.0.0.1", port))
    assert receiver.finish() == (
        0,
        f"Received from 127.0.0.1:{port_of(peer)}: 你好，UDP\nReply: ",
        "",
    )


def test_takes_the_largest_datagram_whole(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    # recvfrom(65535): a buffer larger than any UDP payload cuts none short.
    message = "".join(f"{i:07d}," for i in range(8192))[:MAX_IPV4_PAYLOAD]
    assert len(message) == MAX_IPV4_PAYLOAD
    receiver, _ = receive(start, script, peer, message.encode(), "ok\n")
    assert peer.recv(65535) == b"ok"
    assert receiver.finish() == (
        0,
        f"Received from 127.0.0.1:{port_of(peer)}: {message}\nReply: ",
        "",
    )


def test_shows_bytes_that_are_not_utf8_as_escapes(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    receiver, _ = receive(start, script, peer, b"ok \xff\xfe", "ok\n")
    assert peer.recv(65535) == b"ok"
    assert receiver.finish() == (
        0,
        f"Received from 127.0.0.1:{port_of(peer)}: ok \\xff\\xfe\nReply: ",
        "",
    )


def test_takes_an_empty_datagram_and_sends_an_empty_reply(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    receiver, _ = receive(start, script, peer, b"", "\n")
    assert peer.recv(65535) == b""
    assert receiver.finish() == (
        0,
        f"Received from 127.0.0.1:{port_of(peer)}: \nReply: ",
        "",
    )


def test_reports_no_reply_given_when_standard_input_is_closed(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    # Ctrl+D at the prompt: input() meets the end of the input.
    receiver, _ = receive(start, script, peer, b"hi", "")
    assert receiver.finish() == (
        1,
        f"Received from 127.0.0.1:{port_of(peer)}: hi\nReply: ",
        "\nError: no reply given\n",
    )
    assert nothing_came(peer)


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], script: Path, peer: socket.socket, tmp_path: Path
) -> None:
    shutil.copy(script, tmp_path)
    receiver, _ = receive(start, Path(NAME), peer, b"copied", "ok\n", cwd=tmp_path)
    assert peer.recv(65535) == b"ok"
    assert receiver.finish() == (
        0,
        f"Received from 127.0.0.1:{port_of(peer)}: copied\nReply: ",
        "",
    )


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows words socket errors its own way"
)
def test_reports_a_port_in_use_in_one_line(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    receiver = start(*unbuffered(script, str(port_of(peer))))
    assert receiver.finish() == (1, "", error_line(errno.EADDRINUSE))


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


def test_stops_on_ctrl_c_while_waiting_for_a_datagram(
    start: Callable[..., Program], script: Path
) -> None:
    receiver = start(*unbuffered(script, "0"))
    receiver.wait_listening()  # it now waits in recvfrom()
    receiver.interrupt()
    assert receiver.finish() == (130, "", "Stopped.\n")
