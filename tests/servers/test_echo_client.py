"""Tests of examples/servers/echo_client.py: messages out, replies printed.

Against the real servers (the threads one here; the pages' transcripts run
it against the others), and against stand-ins that misbehave: a server that
never answers, one that closes, one whose reply is too large, one that
resets.
"""

from __future__ import annotations

import errno
import os
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from examples.servers import echo_client
from tests.servers.peers import Running, path_of, recv_exactly, running
from tests.support import TIMEOUT, Program, one_line, port_of

CLIENT = str(path_of("echo_client"))


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    with running("echo_threads") as started:
        yield started


def test_each_argument_is_a_message_and_each_reply_is_printed(
    server: Running,
) -> None:
    program = Program(
        [sys.executable, CLIENT, "--port", str(server.port), "你好", "", "two words"]
    )
    assert program.finish() == (
        0,
        f"Connected to 127.0.0.1:{server.port}\n"
        "Reply: 你好\nReply: \nReply: two words\n",
        "",
    )


def test_without_arguments_each_line_of_a_pipe_is_a_message(server: Running) -> None:
    program = Program(
        [sys.executable, CLIENT, "--port", str(server.port)], stdin="one\n\nthree\n"
    )
    assert program.finish() == (
        0,
        f"Connected to 127.0.0.1:{server.port}\nReply: one\nReply: \nReply: three\n",
        "",
    )


class Terminal:
    """Standard input as a terminal: input() reads it (replaced here too)."""

    def isatty(self) -> bool:
        return True


def test_at_a_terminal_it_prompts_for_each_line_until_ctrl_d(
    server: Running,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed = iter(["first", "第二"])

    def fake_input(prompt: str) -> str:
        print(prompt, end="")
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", fake_input)
    assert echo_client.main(["--port", str(server.port)]) == 0
    assert capsys.readouterr().out == (
        f"Connected to 127.0.0.1:{server.port}\n"
        "Message to send: Reply: first\n"
        "Message to send: Reply: 第二\n"
        "Message to send: \n"
    )


def test_a_message_over_the_maximum_is_not_sent(
    server: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    port = server.port
    assert echo_client.main(["--port", str(port), "--max-size", "3", "ok", "long"]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"Connected to 127.0.0.1:{port}\nReply: ok\n"
    assert one_line(captured.err) == (
        f"echo_client: 127.0.0.1:{port}: a message of 4 bytes is over the 3-byte limit"
    )


def test_a_server_that_is_not_running_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = port_of(unused)
        assert echo_client.main(["--port", str(port), "x"]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"echo_client: 127.0.0.1:{port} refused; is the server running?"
    )


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.settimeout(TIMEOUT)
        yield sock


def test_a_server_that_never_answers_is_reported(
    listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = port_of(listener)  # the backlog takes the connection; no answer
    assert echo_client.main(["--port", str(port), "--timeout", "0.1", "x"]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"echo_client: 127.0.0.1:{port}: no answer in 0.1 s"
    )


def serve_once(listener: socket.socket, answer: Callable[[socket.socket], Any]) -> None:
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        recv_exactly(conn, 5)  # the message "x"
        answer(conn)


def close_at_once(conn: socket.socket) -> None:
    pass


def announce_too_much(conn: socket.socket) -> None:
    conn.sendall(struct.pack("!I", 2**31))


def half_a_header(conn: socket.socket) -> None:
    conn.sendall(b"\x00\x00")


def reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (close_at_once, "the server closed the connection"),
        (
            announce_too_much,
            "a message of 2147483648 bytes is over the 1048576-byte limit",
        ),
        (half_a_header, "connection closed after 2 of 4 bytes"),
        (reset, os.strerror(errno.ECONNRESET)),
    ],
)
def test_a_server_that_misbehaves_is_reported_in_one_line(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
    answer: Callable[[socket.socket], Any],
    reason: str,
) -> None:
    port = port_of(listener)
    done = in_thread(serve_once, listener, answer)
    assert echo_client.main(["--port", str(port), "x"]) == 1
    done.result(TIMEOUT)
    assert (
        one_line(capsys.readouterr().err) == f"echo_client: 127.0.0.1:{port}: {reason}"
    )


def test_a_message_that_is_not_text_is_refused(
    server: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    assert echo_client.main(["--port", str(server.port), "\ud800"]) == 2
    assert one_line(capsys.readouterr().err).startswith(
        "echo_client: the message is not valid text: "
    )


def test_ctrl_c_stops_it_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(echo_client, "run", ctrl_c)
    assert echo_client.main([]) == 130
    assert capsys.readouterr().err == "Stopped.\n"


def test_lines_that_are_not_utf8_are_sent_as_their_bytes(server: Running) -> None:
    result = subprocess.run(
        [sys.executable, CLIENT, "--port", str(server.port)],
        input=b"caf\xe9\r\n\xff\n",
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode().splitlines()[1:] == [
        "Reply: caf\\xe9",
        "Reply: \\xff",
    ]


@pytest.mark.parametrize("value", ["0", "4294967296", "lots"])
def test_a_max_size_that_cannot_be_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        echo_client.parse_args(["--max-size", value])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            f"argument --max-size: must be a whole number from 1 to 4294967295,"
            f" not {value!r}"
        )
    )
