"""Tests of examples/servers/echo_threads.py: a thread per client.

What every server does alike is in test_common.py and test_robustness.py
(200 clients at once, a silent client that holds up no one, Ctrl+C with
clients connected); here, the threads' own parts.
"""

from __future__ import annotations

import socket
import threading

from examples.servers import echo_threads
from tests.pages import normalise, page_output
from tests.servers.peers import ask, closed_by_server, command, connect, running
from tests.support import TIMEOUT, Program


def test_hang_up_wakes_a_thread_blocked_in_recv() -> None:
    conn, peer = socket.socketpair()
    with conn, peer:
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(conn.recv(1)))
        reader.start()
        echo_threads.hang_up(conn)
        reader.join(TIMEOUT)
        assert got == [b""]


def test_hang_up_of_a_closed_connection_is_no_error() -> None:
    conn, peer = socket.socketpair()
    conn.close()
    with peer:
        echo_threads.hang_up(conn)


def test_each_client_is_served_while_the_others_stay_connected() -> None:
    with running("echo_threads") as server:
        clients = [connect(server.port) for _ in range(20)]
        try:
            for number, sock in reversed(list(enumerate(clients))):
                assert ask(sock, f"{number}".encode()) == f"{number}".encode()
        finally:
            for sock in clients:
                sock.close()


def test_a_silent_client_is_dropped_as_the_page_shows() -> None:
    # servers.md#silent-client: a server started with --idle-timeout 1 meets
    # a client that connects and sends nothing.
    program = Program(command("echo_threads", "--idle-timeout", "1"))
    try:
        port = program.wait_listening()
        with connect(port) as silent:
            line = program.next_line(stderr=True)
            assert closed_by_server(silent)
        terminal = f"{program.listening_line}\n{line}\n"
        shown = page_output("servers-silent-client")
        assert normalise(terminal, port) == normalise(shown, None)
        program.interrupt()
        assert program.finish() == (130, "", "Stopped.\n")
    finally:
        program.close()
