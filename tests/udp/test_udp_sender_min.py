"""Tests of the minimal UDP sender, "udp_sender_min.py", both copies (zh, en).

A top-level script, so it is run as a command, with the receiver's port as
its only argument; the message is typed on standard input, which is then
closed. The receiver is a plain test socket (the ``peer`` fixture).

Not tested: a reply that never comes makes the sender give up after the
hard-coded 60 s; waiting for that would slow the suite by a minute per copy
(the hardened sender's tests cover the timeout, and Ctrl+C during the wait is
tested here). UDP has no connection to refuse: a datagram sent to a port where
nothing listens is simply lost (Linux reports the ICMP error only to a
connected socket), so that case, too, ends in the 60 s wait.
"""

from __future__ import annotations

import errno
import shutil
import socket
import sys
from collections.abc import Callable
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

NAME = "udp_sender_min.py"
MAX_IPV4_PAYLOAD = 65507  # 65535 - 20 (IPv4 header) - 8 (UDP header)
WAITING = "waiting up to 60 s for the reply."


@pytest.fixture(params=LANGUAGES)
def script(request: pytest.FixtureRequest) -> Path:
    """The copy of the program in one language: examples/udp/zh/ or en/."""
    return example_path(NAME, request.param)


def answer(peer: socket.socket, reply: bytes) -> bytes:
    """Act as the receiver: take one datagram, reply, return what came."""
    data, address = peer.recvfrom(65535)
    peer.sendto(reply, address)
    return data


def exchange(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
    typed: str,
    *,
    reply: bytes,
    **options: Any,
) -> tuple[bytes, tuple[int, str, str]]:
    """Send ``typed`` to ``peer``, which answers ``reply``.

    Returns the datagram that came, and the sender's exit status and output.
    """
    received = in_thread(answer, peer, reply)
    sender = start(*unbuffered(script, str(port_of(peer))), stdin=typed, **options)
    result = sender.finish()
    return received.result(TIMEOUT), result


def test_sends_the_typed_message_and_prints_the_reply(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    port = port_of(peer)
    sent = exchange(
        start, script, peer, in_thread, "你好，UDP\n", reply="收到".encode()
    )
    assert sent == (
        "你好，UDP".encode(),
        (
            0,
            f"Message to send: Sent 12 bytes; {WAITING}\n"
            f"Reply from 127.0.0.1:{port}: 收到\n",
            "",
        ),
    )


def test_takes_the_largest_reply_whole(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    # recvfrom(65535): a buffer larger than any UDP payload cuts none short.
    reply = "".join(f"{i:07d}," for i in range(8192))[:MAX_IPV4_PAYLOAD]
    assert len(reply) == MAX_IPV4_PAYLOAD
    port = port_of(peer)
    sent = exchange(start, script, peer, in_thread, "hi\n", reply=reply.encode())
    assert sent == (
        b"hi",
        (
            0,
            f"Message to send: Sent 2 bytes; {WAITING}\n"
            f"Reply from 127.0.0.1:{port}: {reply}\n",
            "",
        ),
    )


def test_shows_reply_bytes_that_are_not_utf8_as_escapes(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    port = port_of(peer)
    _, (code, out, err) = exchange(
        start, script, peer, in_thread, "hi\n", reply=b"\xff"
    )
    assert (code, err) == (0, "")
    assert out.endswith(f"\nReply from 127.0.0.1:{port}: \\xff\n")


def test_sends_an_empty_datagram_and_prints_an_empty_reply(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    port = port_of(peer)
    sent = exchange(start, script, peer, in_thread, "\n", reply=b"")
    assert sent == (
        b"",
        (
            0,
            f"Message to send: Sent 0 bytes; {WAITING}\n"
            f"Reply from 127.0.0.1:{port}: \n",
            "",
        ),
    )


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program],
    script: Path,
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
    tmp_path: Path,
) -> None:
    shutil.copy(script, tmp_path)
    sent = exchange(
        start, Path(NAME), peer, in_thread, "copied\n", reply=b"ok", cwd=tmp_path
    )
    assert sent == (
        b"copied",
        (
            0,
            f"Message to send: Sent 6 bytes; {WAITING}\n"
            f"Reply from 127.0.0.1:{port_of(peer)}: ok\n",
            "",
        ),
    )


def test_reports_no_message_given_when_standard_input_is_closed(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    # Ctrl+D at the prompt: input() meets the end of the input.
    sender = start(*unbuffered(script, str(port_of(peer))), stdin="")
    assert sender.finish() == (1, "Message to send: ", "\nError: no message given\n")


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows words socket errors its own way"
)
def test_reports_a_message_too_long_for_one_datagram(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    typed = "x" * (MAX_IPV4_PAYLOAD + 1) + "\n"
    sender = start(*unbuffered(script, str(port_of(peer))), stdin=typed)
    assert sender.finish() == (1, "Message to send: ", error_line(errno.EMSGSIZE))


def test_reports_a_port_that_is_not_a_number_in_one_line(
    start: Callable[..., Program], script: Path
) -> None:
    sender = start(*unbuffered(script, "abc"), stdin="hi\n")
    assert sender.finish() == (
        1,
        "",  # before it asks for the message
        "Error: invalid literal for int() with base 10: 'abc'\n",
    )


def test_reports_a_port_out_of_range_in_one_line(
    start: Callable[..., Program], script: Path
) -> None:
    # Only sendto() checks the port's range, after the prompt.
    sender = start(*unbuffered(script, "70000"), stdin="hi\n")
    assert sender.finish() == (
        1,
        "Message to send: ",
        "Error: sendto(): port must be 0-65535.\n",
    )


def test_stops_on_ctrl_c_while_waiting_for_the_reply(
    start: Callable[..., Program], script: Path, peer: socket.socket
) -> None:
    # The peer takes the datagram and never answers.
    sender = start(*unbuffered(script, str(port_of(peer))), stdin="wait\n")
    assert sender.next_line() == f"Message to send: Sent 4 bytes; {WAITING}"
    assert peer.recv(65535) == b"wait"
    sender.interrupt()  # it waits in recvfrom(), or is about to
    assert sender.finish() == (130, "", "Stopped.\n")
