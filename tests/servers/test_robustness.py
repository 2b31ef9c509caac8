"""Every echo server, under bad clients: each test ends with a good client served.

One server per model is started for the whole module (as the command a page
gives, ``--port 0``) and stopped with Ctrl+C at the end, which must be clean.
The clients: random byte streams and random frames with a random tail
(hypothesis), clients that vanish or reset in the middle of a message, one
byte at a time, headers too large or cut short, a client that never sends
and one that never reads, and 200 clients at once. Then Ctrl+C and SIGTERM
on a server that has clients in the middle of their messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.peers import (
    CONCURRENT,
    HEADER,
    SERVERS,
    Running,
    ask,
    closed_by_server,
    command,
    connect,
    echo_ok,
    frame,
    read_to_end,
    recv_exactly,
    replies_to,
    reset,
    rss_bytes,
    running,
)
from tests.support import TIMEOUT, Program

MAX = 65536  # --max-size of the servers here
IDLE = 5.0  # --idle-timeout: longer than any test needs a quiet client
FEW = settings(
    max_examples=40,  # per server: 200 random streams, 200 random frame lists
    deadline=None,  # a loaded machine, or coverage, would miss one
    database=None,  # no .hypothesis/ in the working tree
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[Running]:
    with running(
        request.param, "--max-size", str(MAX), "--idle-timeout", str(IDLE)
    ) as started:
        yield started


def send_and_read(port: int, stream: bytes) -> bytes:
    """Send ``stream``, half-close, read what comes back until the end."""
    with connect(port) as sock:
        try:
            sock.sendall(stream)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # a header refused: the server may have reset already
            pass
        return read_to_end(sock)


def check_answer(port: int, stream: bytes) -> None:
    expected, refused = replies_to(stream, MAX)
    got = send_and_read(port, stream)
    if refused:  # closed with bytes unread: a reset may cut the replies
        assert expected.startswith(got)
    else:
        assert got == expected
    echo_ok(port)


# --- random input ------------------------------------------------------------


@FEW
@given(stream=st.binary(max_size=2000))
def test_random_bytes_get_the_replies_they_frame_and_nothing_else(
    server: Running, stream: bytes
) -> None:
    check_answer(server.port, stream)


@FEW
@given(
    messages=st.lists(st.binary(max_size=300), max_size=5),
    tail=st.binary(max_size=12),
)
def test_random_messages_and_a_random_tail_are_answered_in_order(
    server: Running, messages: list[bytes], tail: bytes
) -> None:
    check_answer(server.port, b"".join(map(frame, messages)) + tail)


# --- clients that misbehave ----------------------------------------------------


def test_a_client_that_vanishes_in_the_middle_of_a_message(server: Running) -> None:
    with connect(server.port) as sock:
        sock.sendall(HEADER.pack(100) + b"x" * 50)
    echo_ok(server.port)


def test_a_client_that_vanishes_in_the_middle_of_a_header(server: Running) -> None:
    with connect(server.port) as sock:
        sock.sendall(frame(b"whole") + b"\x00\x00")
        sock.shutdown(socket.SHUT_WR)
        assert read_to_end(sock) == frame(b"whole")  # then the server closes
    echo_ok(server.port)


def test_a_client_that_resets_in_the_middle_of_a_message(server: Running) -> None:
    sock = connect(server.port)
    sock.sendall(HEADER.pack(100) + b"x" * 50)
    reset(sock)
    echo_ok(server.port)


def test_a_client_that_resets_with_replies_unread(server: Running) -> None:
    sock = connect(server.port)
    sock.sendall(frame(b"y" * 10000) * 20)
    reset(sock)
    echo_ok(server.port)


def test_a_message_sent_one_byte_at_a_time(server: Running) -> None:
    with connect(server.port) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for message in ("one 一", "", "three 三"):
            stream = frame(message.encode())
            for i in range(len(stream)):
                sock.sendall(stream[i : i + 1])
            assert recv_exactly(sock, len(stream)) == stream
    echo_ok(server.port)


@pytest.mark.parametrize("size", [MAX + 1, 2**31, 2**32 - 1])
def test_a_header_over_the_maximum_is_refused_without_an_answer(
    server: Running, size: int
) -> None:
    with connect(server.port) as sock:
        with contextlib.suppress(OSError):  # the server may have reset already
            sock.sendall(frame(b"before") + HEADER.pack(size) + b"body")
        got = read_to_end(sock)  # the server closes: FIN, or a reset
        assert frame(b"before").startswith(got)
    echo_ok(server.port)


def test_a_message_of_the_maximum_size_is_answered(server: Running) -> None:
    data = os.urandom(MAX)
    with connect(server.port) as sock:
        assert ask(sock, data) == data


@pytest.mark.parametrize("stream", [b"\x00", b"\x00\x00\x01", b"\xff\xff\xff"])
def test_a_header_cut_short_ends_the_connection(server: Running, stream: bytes) -> None:
    assert send_and_read(server.port, stream) == b""
    echo_ok(server.port)


def test_a_client_that_never_reads_holds_bounded_memory(server: Running) -> None:
    # It sends messages as fast as it can and reads none of the replies:
    # the server must stop reading from it (backpressure), so its sending
    # soon blocks, and the server's memory stays within a bound; meanwhile a
    # concurrent server serves everyone else.
    before = rss_bytes(server.program.proc.pid) if sys.platform == "linux" else 0
    hog = connect(server.port)
    hog.setblocking(False)
    stream = memoryview(frame(b"z" * (MAX - 4)) * 8)
    offset = sent = 0
    deadline = time.monotonic() + 3 * TIMEOUT
    try:
        while True:
            assert sent < 256 * 2**20, "the server reads without limit"
            assert time.monotonic() < deadline
            _, writable, _ = select.select([], [hog], [], 0.5)
            if not writable:
                break  # blocked for half a second: the server stopped reading
            try:
                n = hog.send(stream[offset:])
            except BlockingIOError:
                continue
            sent += n
            offset = (offset + n) % len(stream)
        if sys.platform == "linux":
            grown = rss_bytes(server.program.proc.pid) - before
            assert grown < 32 * 2**20, (grown, sent)
        if server.name in CONCURRENT:
            echo_ok(server.port)
    finally:
        reset(hog)  # frees its slot at once (else the idle timeout would)
    echo_ok(server.port)


# --- a crowd -------------------------------------------------------------------

CROWD = 200


def test_200_clients_at_once_each_get_every_message_back_intact(
    server: Running,
) -> None:
    ready = threading.Barrier(CROWD, timeout=TIMEOUT)

    def client(number: int) -> tuple[str, str]:
        rng = random.Random(number)
        messages = [rng.randbytes(rng.randrange(2000)) for _ in range(3)]
        ready.wait()
        sent, got = hashlib.sha256(), hashlib.sha256()
        with connect(server.port) as sock:
            for message in messages:
                sent.update(message)
                got.update(ask(sock, message))
        return sent.hexdigest(), got.hexdigest()

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        results = list(pool.map(client, range(CROWD), timeout=6 * TIMEOUT))
    assert len(results) == CROWD
    assert all(sent == got for sent, got in results)


# --- servers of their own: the idle timeout, and how they stop ------------------


@pytest.mark.parametrize("name", SERVERS)
def test_a_silent_client_is_dropped_after_the_idle_timeout(name: str) -> None:
    with running(name, "--idle-timeout", "0.5") as started:
        with connect(started.port) as silent:
            begun = time.monotonic()
            if name in CONCURRENT:  # it holds no one up meanwhile
                echo_ok(started.port)
            assert closed_by_server(silent)
            assert time.monotonic() - begun >= 0.3
        echo_ok(started.port)
        line = started.program.next_line(stderr=True)
        assert re.fullmatch(r"127\.0\.0\.1:\d+: timed out", line), line


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("name", SERVERS)
def test_ctrl_c_and_sigterm_stop_the_server_cleanly(
    name: str, signum: signal.Signals
) -> None:
    program = Program(command(name))
    try:
        port = program.wait_listening()
        with connect(port) as idle, connect(port) as halfway:
            halfway.sendall(HEADER.pack(10) + b"abc")
            idle.sendall(frame(b"hello"))
            assert recv_exactly(idle, 9) == frame(b"hello")
            program.proc.send_signal(signum)
            code, out, err = program.finish()
            assert (code, out) == (130, ""), err
            *reports, last = err.splitlines()
            assert last == "Stopped.", err
            for line in reports:  # a client cut in the middle is reported
                assert re.fullmatch(r"127\.0\.0\.1:\d+: .+", line), err
            assert "Traceback" not in err and "Warning" not in err
            assert closed_by_server(idle)
            assert closed_by_server(halfway)
    finally:
        program.close()
