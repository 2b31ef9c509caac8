"""Tests of examples/servers/echo_selectors.py: one thread, an event loop.

What every server does alike is in test_common.py and test_robustness.py
(a client that never reads: backpressure keeps its memory bounded); here,
the loop's parts, on socket pairs.
"""

from __future__ import annotations

import selectors
import socket
from collections.abc import Iterator

import pytest

from examples.servers import echo_selectors
from tests.servers.peers import frame

READ, WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE


@pytest.fixture
def pair() -> Iterator[tuple[echo_selectors.Connection, socket.socket]]:
    conn, peer = socket.socketpair()
    conn.setblocking(False)
    peer.settimeout(10)
    with conn, peer:
        yield echo_selectors.Connection(conn, ("127.0.0.1", 50000), 10, 0.0), peer


class NobodyWaiting:
    """A listener whose client left between select() and accept()."""

    def accept(self) -> None:
        raise BlockingIOError


def test_accept_ready_lets_a_client_that_left_go() -> None:
    with selectors.DefaultSelector() as selector:
        echo_selectors.accept_ready(NobodyWaiting(), selector, 10, 0.0)  # type: ignore[arg-type]
        assert selector.get_map() == {}


def test_read_some_queues_a_reply_for_each_whole_message(
    pair: tuple[echo_selectors.Connection, socket.socket],
) -> None:
    conn, peer = pair
    peer.sendall(frame(b"one") + frame(b"") + frame(b"two")[:5])
    echo_selectors.read_some(conn)
    assert conn.unsent == frame(b"one") + frame(b"")
    assert echo_selectors.wanted(conn, 100) == READ | WRITE


def test_read_some_refuses_a_header_over_the_maximum(
    pair: tuple[echo_selectors.Connection, socket.socket],
) -> None:
    conn, peer = pair
    peer.sendall(frame(b"x" * 11))
    with pytest.raises(echo_selectors.MessageTooLarge):
        echo_selectors.read_some(conn)


def test_the_end_in_the_middle_of_a_message_is_reported_and_replies_still_go(
    pair: tuple[echo_selectors.Connection, socket.socket],
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn, peer = pair
    peer.sendall(frame(b"owed") + b"\x00\x00")
    peer.shutdown(socket.SHUT_WR)
    echo_selectors.read_some(conn)
    echo_selectors.read_some(conn)
    assert conn.finished
    assert echo_selectors.wanted(conn, 10) == WRITE  # no more reading
    assert capsys.readouterr().err == (
        "127.0.0.1:50000: connection closed after 2 of 4 bytes\n"
    )
    assert echo_selectors.send_some(conn) == len(frame(b"owed"))
    assert echo_selectors.wanted(conn, 10) == 0  # done: close it


def test_reading_stops_while_unsent_replies_exceed_the_maximum(
    pair: tuple[echo_selectors.Connection, socket.socket],
) -> None:
    conn, _ = pair
    conn.unsent += b"r" * 10
    assert echo_selectors.wanted(conn, 10) == READ | WRITE
    conn.unsent += b"r"
    assert echo_selectors.wanted(conn, 10) == WRITE


def test_send_some_sends_nothing_while_the_send_buffer_is_full(
    pair: tuple[echo_selectors.Connection, socket.socket],
) -> None:
    conn, _ = pair
    conn.unsent += b"f" * 2**20
    while echo_selectors.send_some(conn):
        conn.unsent += b"f" * 2**20  # the peer reads nothing: it fills up
    assert echo_selectors.send_some(conn) == 0
    assert conn.unsent
