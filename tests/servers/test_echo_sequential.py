"""Tests of examples/servers/echo_sequential.py: one client at a time.

What every server does alike is in test_common.py and test_robustness.py;
here, what is this model's own: a second client waits for the first.
"""

from __future__ import annotations

import socket

import pytest

from examples.servers import echo_sequential
from tests.pages import normalise, page_output
from tests.servers.peers import (
    ask,
    closed_by_server,
    command,
    connect,
    frame,
    recv_exactly,
    running,
)
from tests.support import Program


def test_a_second_client_waits_until_the_first_leaves() -> None:
    with running("echo_sequential") as server:
        first = connect(server.port)
        assert ask(first, b"first") == b"first"
        with connect(server.port) as second:
            second.sendall(frame(b"second"))  # it sits in the listen backlog
            second.settimeout(0.3)
            with pytest.raises(TimeoutError):
                second.recv(1)
            first.close()  # the server is free: now it reads the second
            second.settimeout(10)
            assert recv_exactly(second, 10) == frame(b"second")


def test_echo_client_answers_every_message_then_closes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn, peer = socket.socketpair()
    with peer:
        peer.sendall(frame(b"a") + frame(b"") + frame("你好".encode()))
        peer.shutdown(socket.SHUT_WR)
        echo_sequential.echo_client(conn, ("127.0.0.1", 50000), 10, 1.0)
        assert peer.recv(100) == frame(b"a") + frame(b"") + frame("你好".encode())
        assert peer.recv(1) == b""
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("stream", "line"),
    [
        (frame(b"x" * 11), "a message of 11 bytes is over the 10-byte limit"),
        (b"\x00\x00\x00\x05ab", "connection closed after 2 of 5 bytes"),
        (b"\x00", "connection closed after 1 of 4 bytes"),
    ],
)
def test_echo_client_reports_a_bad_message_in_one_line(
    stream: bytes, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conn, peer = socket.socketpair()
    with peer:
        peer.sendall(stream)
        peer.shutdown(socket.SHUT_WR)
        echo_sequential.echo_client(conn, ("127.0.0.1", 50000), 10, 1.0)
    assert capsys.readouterr().err == f"127.0.0.1:50000: {line}\n"


def test_echo_client_drops_a_silent_client(
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn, peer = socket.socketpair()
    with peer:
        echo_sequential.echo_client(conn, ("127.0.0.1", 50000), 10, 0.05)
        assert peer.recv(1) == b""  # closed by the server
    assert capsys.readouterr().err == "127.0.0.1:50000: timed out\n"


def test_a_header_over_the_maximum_is_refused_as_the_page_shows() -> None:
    # servers.md#too-large: a client's header announces 4294967295 bytes.
    program = Program(command("echo_sequential"))
    try:
        port = program.wait_listening()
        with connect(port) as sock:
            sock.sendall(b"\xff\xff\xff\xff" + b"x" * 100)
            line = program.next_line(stderr=True)
            assert closed_by_server(sock)
        terminal = f"{program.listening_line}\n{line}\n"
        shown = page_output("servers-too-large")
        assert normalise(terminal, port) == normalise(shown, None)
        program.interrupt()
        assert program.finish() == (130, "", "Stopped.\n")
    finally:
        program.close()
