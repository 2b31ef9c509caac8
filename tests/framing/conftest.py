"""Fixtures of the framing tests: an echo peer, peers that misbehave."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.support import TIMEOUT, port_of


@pytest.fixture
def tcp_peer() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    """A TCP peer that plays ``script`` with the one client that connects.

    ``tcp_peer(script)`` returns the port to connect to; ``script(conn)`` runs in
    a thread once the client is accepted, and the connection is closed after.
    """
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def start(script: Callable[[socket.socket], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(TIMEOUT)
        listeners.append(listener)

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                script(conn)

        thread = threading.Thread(target=serve)
        thread.start()
        threads.append(thread)
        return port_of(listener)

    yield start
    for thread in threads:
        thread.join(TIMEOUT)
    for listener in listeners:
        listener.close()
    assert not any(thread.is_alive() for thread in threads)


def read_to_end(conn: socket.socket) -> bytes:
    """Read what the client sends until it shuts down its sending side."""
    data = bytearray()
    while chunk := conn.recv(65536):
        data += chunk
    return bytes(data)


@pytest.fixture
def echo_port(tcp_peer: Callable[[Callable[[socket.socket], None]], int]) -> int:
    """The port of an echo peer for one client: it reads until the client's
    half-close, sends it all back and closes, as ``tcp_server.py --echo``
    does (the command tests use that server itself), printing nothing."""

    def echo(conn: socket.socket) -> None:
        conn.sendall(read_to_end(conn))

    return tcp_peer(echo)
