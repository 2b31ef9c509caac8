"""Tests of the minimal thread-per-client echo server, "echo_threads_min.py".

Both copies (zh/ and en/) run as the page tells the reader: the port is the
only, optional, argument.
"""

from __future__ import annotations

import errno
import struct
import sys
from collections.abc import Iterator

import pytest

from tests.servers.peers import (
    ask,
    closed_by_server,
    connect,
    echo_ok,
    frame,
    read_to_end,
    reset,
)
from tests.support import LANGUAGES, Program, error_line, example_path, unbuffered

NAME = "echo_threads_min.py"


def start(language: str, *args: str) -> Program:
    return Program([sys.executable, *unbuffered(example_path(NAME, language), *args)])


@pytest.fixture(params=LANGUAGES)
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Program, int]]:
    program = start(request.param, "0")
    try:
        yield program, program.wait_listening()
    finally:
        program.close()


def stop(program: Program) -> None:
    program.interrupt()
    assert program.finish() == (130, "", "Stopped.\n")


def test_it_serves_a_client_while_others_stay_connected(
    server: tuple[Program, int],
) -> None:
    program, port = server
    with connect(port) as silent, connect(port) as halfway:
        halfway.sendall(struct.pack("!I", 10) + b"abc")
        echo_ok(port)  # neither the silent client nor the slow one holds it up
        with connect(port) as other:
            assert ask(other, "你好".encode()) == "你好".encode()
        assert silent.fileno() != -1
    stop(program)


def test_bad_clients_end_their_own_thread_only(server: tuple[Program, int]) -> None:
    program, port = server
    with connect(port) as sock:  # over 1 MiB: closed without an answer
        sock.sendall(struct.pack("!I", 1024 * 1024 + 1))
        assert read_to_end(sock) == b""
    with connect(port) as sock:  # a header cut short, then the end
        sock.sendall(b"\x00\x00")
        sock.close()
    sock = connect(port)  # a reset in the middle of a message
    sock.sendall(frame(b"whole") + b"\x00\x00\x00\x09half")
    reset(sock)
    with connect(port) as sock:  # the largest message allowed
        data = b"m" * (1024 * 1024)
        assert ask(sock, data) == data
    echo_ok(port)
    stop(program)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ctrl_c_with_clients_connected_stops_it(language: str) -> None:
    program = start(language, "0")
    try:
        port = program.wait_listening()
        with connect(port) as idle:
            assert ask(idle, b"x") == b"x"
            stop(program)
            assert closed_by_server(idle)
    finally:
        program.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_port_in_use_gives_one_line(language: str) -> None:
    first = start(language, "0")
    try:
        port = first.wait_listening()
        code, out, err = start(language, str(port)).finish()
        assert (code, out, err) == (1, "", error_line(errno.EADDRINUSE))
        stop(first)
    finally:
        first.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_port_that_is_not_a_number_gives_one_line(language: str) -> None:
    code, out, err = start(language, "http").finish()
    assert (code, out) == (1, "")
    assert err == "Error: invalid literal for int() with base 10: 'http'\n"
