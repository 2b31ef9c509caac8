"""Tests of examples/tcp/tcp_client.py, in-process and as the documented command."""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from examples.tcp import tcp_client
from tests.support import ROOT, TIMEOUT, Program, one_line, port_of

MiB = 1024 * 1024


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening TCP socket on a free port, standing in for a server."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        sock.settimeout(TIMEOUT)
        yield sock


def read_all_then(listener: socket.socket, answer: bytes = b"") -> bytes:
    """Act as a server: read until the client's shutdown, answer, close."""
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        data = bytearray()
        while chunk := conn.recv(65536):
            data += chunk
        conn.sendall(answer)
    return bytes(data)


# --- send_message ------------------------------------------------------------


def test_send_message_delivers_a_1_mib_message_whole(
    listener: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    message = bytes(range(256)) * (4 * 1024)
    received = in_thread(read_all_then, listener)
    assert tcp_client.send_message("127.0.0.1", port_of(listener), message) == b""
    assert received.result(TIMEOUT) == message


def test_send_message_returns_what_the_server_answers(
    listener: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    received = in_thread(read_all_then, listener, b"thanks")
    reply = tcp_client.send_message("127.0.0.1", port_of(listener), b"hello")
    assert (reply, received.result(TIMEOUT)) == (b"thanks", b"hello")


def test_send_message_reaches_an_ipv6_server(
    in_thread: Callable[..., Future[Any]],
) -> None:
    family = socket.AF_INET6
    with socket.create_server(("::1", 0), family=family) as server:
        server.settimeout(TIMEOUT)
        received = in_thread(read_all_then, server)
        assert tcp_client.send_message("::1", port_of(server), b"v6") == b""
        assert received.result(TIMEOUT) == b"v6"


def test_recv_all_reads_until_the_peer_closes(
    listener: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    answered = in_thread(read_all_then, listener, "数据报".encode() * 1000)
    with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as sock:
        sock.shutdown(socket.SHUT_WR)
        assert tcp_client.recv_all(sock, bufsize=5) == "数据报".encode() * 1000
    answered.result(TIMEOUT)


def test_decode_shows_invalid_utf8_as_escapes() -> None:
    assert tcp_client.decode(b"\xffok") == "\\xffok"


# --- main --------------------------------------------------------------------


def test_main_says_connected_and_sent(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = port_of(listener)
    received = in_thread(read_all_then, listener)
    assert tcp_client.main(["--port", str(port), "Welcome to python world"]) == 0
    assert received.result(TIMEOUT) == b"Welcome to python world"
    assert capsys.readouterr() == (
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n",
        "",
    )


def test_main_prints_the_servers_reply(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    in_thread(read_all_then, listener, b"got it \xff")
    assert tcp_client.main(["--port", str(port_of(listener)), "hi"]) == 0
    assert capsys.readouterr().out.endswith("Sent 2 bytes.\nReply: got it \\xff\n")


def test_main_asks_for_the_message_when_none_is_given(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("你好，服务器\n"))
    received = in_thread(read_all_then, listener)
    assert tcp_client.main(["--port", str(port_of(listener))]) == 0
    assert received.result(TIMEOUT) == "你好，服务器".encode()
    assert capsys.readouterr().out.startswith("Message to send: Connected to ")


def test_main_sends_an_empty_message(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    received = in_thread(read_all_then, listener)
    assert tcp_client.main(["--port", str(port_of(listener)), ""]) == 0
    assert received.result(TIMEOUT) == b""
    assert "Sent 0 bytes." in capsys.readouterr().out


def test_main_sends_command_line_bytes_that_are_not_utf8_unchanged(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    # On POSIX, Python decodes an argument with the byte 0xff as "\udcff".
    received = in_thread(read_all_then, listener)
    assert tcp_client.main(["--port", str(port_of(listener)), "a\udcffb"]) == 0
    assert received.result(TIMEOUT) == b"a\xffb"


def test_main_reports_a_closed_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert tcp_client.main(["--port", "9"]) == 2
    # A newline first: the error starts on a line of its own, not on the
    # prompt's (Ctrl+D leaves the cursor there).
    err = capsys.readouterr().err
    assert err.startswith("\n")
    assert one_line(err.removeprefix("\n")) == "tcp_client: no message given"


def test_main_reports_input_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\n"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert tcp_client.main(["--port", "9"]) == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith("tcp_client: the message is not valid text: 'utf-8' codec")


def test_main_reports_a_refused_connection(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A bound socket that does not listen: connecting to it is refused.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = port_of(closed)
        assert tcp_client.main(["--port", str(port), "hi"]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"tcp_client: 127.0.0.1:{port} refused; is the server running?"
    )


def test_main_reports_a_server_that_never_answers(
    listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    # The listener never calls accept(): the connection waits in its queue.
    port = port_of(listener)
    assert tcp_client.main(["--port", str(port), "--timeout", "0.1", "hi"]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"tcp_client: 127.0.0.1:{port}: no answer in 0.1 s"
    )


def test_main_reports_a_reset_connection(
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    def accept_and_reset() -> None:
        conn, _ = listener.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()  # with a zero linger time, close() sends RST

    reset = in_thread(accept_and_reset)
    port = port_of(listener)
    assert tcp_client.main(["--port", str(port), "x" * MiB]) == 1
    reset.result(TIMEOUT)
    # Which call meets the reset (sendall, shutdown or recv) is up to the
    # kernel's timing, and each reports it with its own errno.
    err = one_line(capsys.readouterr().err)
    reasons = {errno.ECONNRESET, errno.EPIPE, errno.ENOTCONN}
    assert err in {f"tcp_client: 127.0.0.1:{port}: {os.strerror(e)}" for e in reasons}


def test_main_stops_cleanly_on_ctrl_c_at_the_prompt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", ctrl_c)
    assert tcp_client.main([]) == 130
    assert capsys.readouterr().err == "Stopped.\n"


# --- the commands the pages give: server in one terminal, client in another --


def start_server(start: Callable[..., Program]) -> tuple[Program, int]:
    server = start("examples/tcp/tcp_server.py", "--port", "0")
    return server, server.wait_listening()


def test_command_sends_to_the_server_command(start: Callable[..., Program]) -> None:
    server, port = start_server(start)
    client = start("examples/tcp/tcp_client.py", "--port", str(port), "你好 TCP")
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 10 bytes.\n",
        "",
    )
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    assert one_line(out).endswith(": 你好 TCP")


def test_command_runs_as_a_module(
    start: Callable[..., Program],
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    received = in_thread(read_all_then, listener)
    client = start(
        "-m", "examples.tcp.tcp_client", "--port", str(port_of(listener)), "m"
    )
    assert client.finish()[0] == 0
    assert received.result(TIMEOUT) == b"m"


def test_command_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program],
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "examples" / "tcp" / "tcp_client.py", tmp_path)
    received = in_thread(read_all_then, listener)
    port = str(port_of(listener))
    client = start("tcp_client.py", "--port", port, "copied", cwd=tmp_path)
    assert client.finish()[0] == 0
    assert received.result(TIMEOUT) == b"copied"


def test_command_sends_a_1_mib_message_typed_at_the_prompt(
    start: Callable[..., Program],
    listener: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    received = in_thread(read_all_then, listener, b"ok")
    port = str(port_of(listener))
    client = start(
        "examples/tcp/tcp_client.py", "--port", port, stdin="字" * MiB + "\n"
    )
    assert client.finish() == (
        0,
        f"Message to send: Connected to 127.0.0.1:{port}\n"
        f"Sent {3 * MiB} bytes.\nReply: ok\n",
        "",
    )
    assert received.result(TIMEOUT) == "字".encode() * MiB


def test_command_reports_a_refused_connection(start: Callable[..., Program]) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = port_of(closed)
        code, out, err = start(
            "examples/tcp/tcp_client.py", "--port", str(port), "x"
        ).finish()
    assert (code, out) == (1, "")
    assert (
        one_line(err) == f"tcp_client: 127.0.0.1:{port} refused; is the server running?"
    )


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_main_rejects_a_port_outside_0_to_65535(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        tcp_client.main(["--port", port, "hi"])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith(
        f"argument --port: must be a whole number from 0 to 65535, not {port!r}"
    )
