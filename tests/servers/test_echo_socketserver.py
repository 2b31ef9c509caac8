"""Tests of examples/servers/echo_socketserver.py: socketserver's threads.

What every server does alike is in test_common.py and test_robustness.py;
here, the server class and its handler.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from examples.servers import echo_socketserver
from tests.servers.peers import ask, connect


@pytest.fixture
def server() -> Iterator[echo_socketserver.EchoServer]:
    with echo_socketserver.EchoServer(("127.0.0.1", 0), 100, 1.0) as made:
        yield made


def test_the_server_listens_with_the_largest_backlog(
    server: echo_socketserver.EchoServer,
) -> None:
    assert server.request_queue_size == socket.SOMAXCONN
    assert server.socket.family == socket.AF_INET


def test_an_ipv6_address_makes_an_ipv6_server() -> None:
    with echo_socketserver.EchoServer(("::1", 0), 100, 1.0) as made:
        assert made.socket.family == socket.AF_INET6


def test_hang_up_all_shuts_down_every_open_connection(
    server: echo_socketserver.EchoServer,
) -> None:
    first, first_peer = socket.socketpair()
    second, second_peer = socket.socketpair()
    with first, first_peer, second, second_peer:
        server.opened(first)
        server.opened(second)
        server.closed(second)
        server.hang_up_all()
        first_peer.settimeout(1)
        assert first_peer.recv(1) == b""  # shut down
        second.sendall(b"x")  # forgotten: left alone
        assert second_peer.recv(1) == b"x"


def test_the_handler_serves_a_client_in_its_thread(
    server: echo_socketserver.EchoServer,
) -> None:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,))
    thread.start()
    try:
        with connect(server.server_address[1]) as sock:
            assert ask(sock, b"handled") == b"handled"
    finally:
        server.shutdown()
        thread.join(10)
    server.server_close()  # waits for the handler's thread
    assert server.connections == set()
