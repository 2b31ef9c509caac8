"""Tests of examples/tcp/tcp_server.py: in-process through its functions, and as a command."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import struct
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from examples.tcp import tcp_server
from tests.pages import normalise, page_output
from tests.support import ROOT, TIMEOUT, Program, one_line, port_of

MiB = 1024 * 1024


def connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.connect((host, port))
    return sock


def send_and_close(port: int, data: bytes, host: str = "127.0.0.1") -> None:
    """Act as a minimal client: send ``data``, then close."""
    with connect(port, host) as sock:
        sock.sendall(data)


@pytest.fixture
def server() -> Any:
    with tcp_server.open_server("127.0.0.1", 0) as listener:
        yield listener


# --- open_server -------------------------------------------------------------


def test_open_server_listens_on_a_free_port_when_port_is_zero(
    server: socket.socket,
) -> None:
    assert server.getsockname()[0] == "127.0.0.1"
    assert port_of(server) > 0
    assert server.type == socket.SOCK_STREAM


def test_open_server_accepts_an_ipv6_address() -> None:
    with tcp_server.open_server("::1", 0) as listener:
        assert listener.family == socket.AF_INET6
        assert listener.getsockname()[0] == "::1"


def test_open_server_raises_when_the_port_is_in_use(server: socket.socket) -> None:
    with pytest.raises(OSError) as info:
        tcp_server.open_server("127.0.0.1", port_of(server))
    assert info.value.errno == errno.EADDRINUSE


def test_open_server_can_restart_while_a_closed_connection_is_in_time_wait(
    in_thread: Callable[..., Future[Any]],
) -> None:
    with tcp_server.open_server("127.0.0.1", 0) as first:
        port = port_of(first)
        client = in_thread(connect, port)
        conn, _ = first.accept()
        conn.close()  # the server closes first: its side enters TIME_WAIT
        with client.result(TIMEOUT) as sock:
            assert sock.recv(1) == b""
    # Without SO_REUSEADDR this bind fails with "Address already in use".
    with tcp_server.open_server("127.0.0.1", port) as second:
        assert port_of(second) == port


# --- accept_client -----------------------------------------------------------


class SilentThenConnectedListener:
    """A stand-in listener whose first accept() times out, like a quiet poll."""

    def __init__(self) -> None:
        self.calls = 0
        self.timeouts: list[float | None] = []

    def settimeout(self, value: float | None) -> None:
        self.timeouts.append(value)

    def accept(self) -> tuple[str, tuple[str, int]]:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("timed out")
        return "connection", ("127.0.0.1", 50000)


def test_accept_client_keeps_waiting_after_a_poll_interval_passes() -> None:
    listener = SilentThenConnectedListener()
    result = tcp_server.accept_client(listener, poll_interval=0.25)  # type: ignore[arg-type]
    assert result == ("connection", ("127.0.0.1", 50000))
    assert listener.calls == 2
    assert listener.timeouts == [0.25]


def test_accept_client_returns_a_blocking_connection(
    server: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    sent = in_thread(send_and_close, port_of(server), b"x")
    conn, address = tcp_server.accept_client(server)
    with conn:
        assert address[0] == "127.0.0.1"
        assert conn.recv(1) == b"x"
    sent.result(TIMEOUT)


# --- recv_all ----------------------------------------------------------------


def test_recv_all_returns_a_1_mib_message_whole(
    server: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    message = bytes(range(256)) * (4 * 1024)  # 1 MiB, every byte value
    assert len(message) == MiB
    sent = in_thread(send_and_close, port_of(server), message)
    conn, _ = server.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        assert tcp_server.recv_all(conn) == message
    sent.result(TIMEOUT)


def test_recv_all_joins_a_message_read_in_many_small_pieces(
    server: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    message = "套接字 socket ".encode() * 100
    sent = in_thread(send_and_close, port_of(server), message)
    conn, _ = server.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        assert tcp_server.recv_all(conn, bufsize=7) == message
    sent.result(TIMEOUT)


# --- decode and format_address -----------------------------------------------


def test_decode_shows_invalid_utf8_as_escapes() -> None:
    assert tcp_server.decode("你好".encode() + b"\xff\xfe") == "你好\\xff\\xfe"


def test_format_address_puts_ipv6_hosts_in_brackets() -> None:
    assert tcp_server.format_address(("127.0.0.1", 8888)) == "127.0.0.1:8888"
    assert tcp_server.format_address(("::1", 8888, 0, 0)) == "[::1]:8888"


# --- handle_client and serve -------------------------------------------------


def serve_one(
    server: socket.socket, data: bytes, in_thread: Callable[..., Future[Any]]
) -> int:
    sent = in_thread(send_and_close, port_of(server), data)
    status = tcp_server.serve(server)
    sent.result(TIMEOUT)
    return status


def test_serve_prints_the_clients_message_and_returns_0(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert serve_one(server, "Welcome to python world 你好".encode(), in_thread) == 0
    out = one_line(capsys.readouterr().out)
    assert out.startswith("Received 30 bytes from 127.0.0.1:")
    assert out.endswith(": Welcome to python world 你好")


def test_serve_shows_invalid_utf8_instead_of_crashing(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert serve_one(server, b"ok \xff\xfe", in_thread) == 0
    assert one_line(capsys.readouterr().out).endswith(": ok \\xff\\xfe")


def test_serve_accepts_an_empty_message(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert serve_one(server, b"", in_thread) == 0
    out = one_line(capsys.readouterr().out)
    assert out.startswith("Received 0 bytes from 127.0.0.1:")
    assert out.endswith(": ")


def test_serve_drops_a_silent_client_after_the_timeout_and_returns_1(
    server: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(port_of(server)):  # connects, then says nothing
        assert tcp_server.serve(server, timeout=0.1) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).endswith(": timed out")


def test_serve_drops_a_client_that_sends_but_never_shuts_down(
    server: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without shutdown(SHUT_WR) the server never sees b"": it waits until its
    # timeout, drops the data and closes, and then the client's recv() ends.
    with connect(port_of(server)) as client:
        client.sendall(b"no end in sight")
        assert tcp_server.serve(server, timeout=0.1) == 1
        assert client.recv(100) == b""
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).endswith(": timed out")


def test_serve_reports_a_client_that_resets_the_connection(
    server: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    client = connect(port_of(server))
    client.sendall(b"half a messa")
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    assert tcp_server.serve(server) == 1
    err = one_line(capsys.readouterr().err)
    assert err.startswith("127.0.0.1:")
    assert err.endswith(": Connection reset by peer")


def half_close_and_read(port: int, data: bytes) -> bytes:
    """Act as this site's client: send, shut down the sending side, read to EOF."""
    with connect(port) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = bytearray()
        while chunk := sock.recv(4096):
            reply += chunk
        return bytes(reply)


def test_serve_with_echo_sends_the_message_back_before_closing(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    message = "回声 echo ".encode() * 100_000  # 1.2 MB: many recv() calls
    reply = in_thread(half_close_and_read, port_of(server), message)
    assert tcp_server.serve(server, echo=True) == 0
    assert reply.result(TIMEOUT) == message
    received, echoed = capsys.readouterr().out.splitlines()
    assert received.startswith("Received 1200000 bytes from 127.0.0.1:")
    assert echoed == "Echoed 1200000 bytes."


def test_serve_with_echo_cannot_answer_a_client_that_never_shuts_down(
    server: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    # The echo comes after recv() returns b"", which only a half-close (or a
    # close) makes it return: without one, the timeout ends the wait, and the
    # client reads the end of the connection and no reply.
    with connect(port_of(server)) as client:
        client.sendall(b"no end in sight")
        assert tcp_server.serve(server, timeout=0.1, echo=True) == 1
        assert client.recv(100) == b""
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).endswith(": timed out")


def test_serve_with_echo_reports_a_client_gone_before_the_answer(
    server: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def reset(conn: socket.socket, bufsize: int = 4096) -> bytes:
        raise ConnectionResetError(errno.ECONNRESET, os.strerror(errno.ECONNRESET))

    with connect(port_of(server)) as client:
        client.sendall(b"x")
        client.shutdown(socket.SHUT_WR)
        # A reset may strike either recv() or sendall(); recv_all stands in.
        monkeypatch.setattr(tcp_server, "recv_all", reset)
        assert tcp_server.serve(server, echo=True) == 1
    assert one_line(capsys.readouterr().err).endswith(": Connection reset by peer")


def test_serve_forever_serves_clients_one_after_another(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_accept = tcp_server.accept_client
    calls = 0

    def accept_then_ctrl_c(listener: socket.socket, poll: float) -> Any:
        nonlocal calls
        calls += 1
        if calls == 4:  # after three clients, the user presses Ctrl+C
            raise KeyboardInterrupt
        return real_accept(listener, poll)

    monkeypatch.setattr(tcp_server, "accept_client", accept_then_ctrl_c)
    port = port_of(server)
    first = in_thread(send_and_close, port, b"one")
    second = in_thread(send_and_close, port, b"")
    third = in_thread(send_and_close, port, b"three")
    with pytest.raises(KeyboardInterrupt):
        tcp_server.serve(server, forever=True)
    for sent in (first, second, third):
        sent.result(TIMEOUT)
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.rsplit(": ", 1)[-1] for line in lines) == ["", "one", "three"]


def test_serve_forever_keeps_serving_after_a_failed_client(
    server: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_accept = tcp_server.accept_client
    calls = 0

    def accept_then_ctrl_c(listener: socket.socket, poll: float) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real_accept(listener, poll)

    monkeypatch.setattr(tcp_server, "accept_client", accept_then_ctrl_c)
    silent = connect(port_of(server))
    with silent, pytest.raises(KeyboardInterrupt):
        after = in_thread(send_and_close, port_of(server), b"still here")
        tcp_server.serve(server, forever=True, timeout=0.1)
    after.result(TIMEOUT)
    captured = capsys.readouterr()
    assert one_line(captured.err).endswith(": timed out")
    assert one_line(captured.out).endswith(": still here")


# --- main --------------------------------------------------------------------


def test_main_reports_a_port_in_use_in_one_line(
    server: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = port_of(server)
    assert tcp_server.main(["--port", str(port)]) == 1
    err = one_line(capsys.readouterr().err)
    assert (
        err
        == f"tcp_server: cannot listen on 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    )


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(tcp_server, "accept_client", ctrl_c)
    assert tcp_server.main(["--port", "0", "--forever"]) == 130
    captured = capsys.readouterr()
    assert captured.out.startswith("Listening on 127.0.0.1:")
    assert captured.err == "Stopped.\n"


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_main_rejects_a_port_outside_0_to_65535(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        tcp_server.main(["--port", port])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith(
        f"argument --port: must be a whole number from 0 to 65535, not {port!r}"
    )


# --- the commands the pages give ---------------------------------------------


def check_serves_one_client(server: Program) -> None:
    port = server.wait_listening()
    send_and_close(port, b"Welcome to python world")
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    assert one_line(out).endswith(": Welcome to python world")


def test_command_serves_one_client_and_exits(start: Callable[..., Program]) -> None:
    check_serves_one_client(start("examples/tcp/tcp_server.py", "--port", "0"))


def test_command_runs_as_a_module(start: Callable[..., Program]) -> None:
    check_serves_one_client(start("-m", "examples.tcp.tcp_server", "--port", "0"))


def test_command_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    shutil.copy(ROOT / "examples" / "tcp" / "tcp_server.py", tmp_path)
    check_serves_one_client(start("tcp_server.py", "--port", "0", cwd=tmp_path))


def test_command_listens_on_ipv6(start: Callable[..., Program]) -> None:
    server = start("examples/tcp/tcp_server.py", "--host", "::1", "--port", "0")
    port = server.wait_listening()
    send_and_close(port, b"v6", host="::1")
    code, out, _ = server.finish()
    assert code == 0
    assert one_line(out).startswith("Received 2 bytes from [::1]:")


def test_command_forever_serves_until_ctrl_c(start: Callable[..., Program]) -> None:
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--forever")
    port = server.wait_listening()
    for text in ("first", "second"):
        send_and_close(port, text.encode())
        assert server.next_line().endswith(f": {text}")
    server.interrupt()
    code, out, err = server.finish()
    assert (code, out, err) == (130, "", "Stopped.\n")


def test_command_with_echo_answers_the_sites_client(
    start: Callable[..., Program],
) -> None:
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--echo")
    port = str(server.wait_listening())
    client = start("examples/tcp/tcp_client.py", "--port", port, "你好，echo")
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 13 bytes.\nReply: 你好，echo\n",
        "",
    )
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    assert out.endswith(": 你好，echo\nEchoed 13 bytes.\n")


def test_command_reports_a_port_in_use(
    start: Callable[..., Program], server: socket.socket
) -> None:
    port = port_of(server)
    code, out, err = start("examples/tcp/tcp_server.py", "--port", str(port)).finish()
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"tcp_server: cannot listen on 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    )


# --- output the TCP page shows, from a client no command there can play ---------


def test_command_shows_latin1_bytes_as_the_page_shows(
    start: Callable[..., Program],
) -> None:
    # tcp.md#decode: the client sends "café" encoded as Latin-1.
    server = start("examples/tcp/tcp_server.py", "--port", "0")
    port = server.wait_listening()
    send_and_close(port, "café".encode("latin-1"))
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    terminal = f"{server.listening_line}\n{out}"
    assert normalise(terminal, port) == normalise(
        page_output("tcp-server-latin1"), None
    )


def test_command_drops_a_silent_client_as_the_page_shows(
    start: Callable[..., Program],
) -> None:
    # tcp.md#silent-client: a server started with --timeout 1 meets a client
    # that connects and neither sends nor closes.
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--timeout", "1")
    port = server.wait_listening()
    with connect(port):
        code, out, err = server.finish()
    assert (code, out) == (1, "")  # the line about the client is on stderr
    terminal = f"{server.listening_line}\n{err}"
    shown = page_output("tcp-server-silent-client")
    assert normalise(terminal, port) == normalise(shown, None)


def test_command_with_echo_cannot_answer_without_shutdown_as_the_page_shows(
    start: Callable[..., Program],
) -> None:
    # tcp.md#no-shutdown: a server started with --echo --timeout 1 meets a
    # client that sends its message and waits for the answer without calling
    # shutdown(SHUT_WR): the server times out, and the client reads no reply.
    server = start(
        "examples/tcp/tcp_server.py", "--port", "0", "--echo", "--timeout", "1"
    )
    port = server.wait_listening()
    with connect(port) as client:
        client.sendall(b"Welcome to python world")
        assert client.recv(4096) == b""  # the end of the connection, no reply
        code, out, err = server.finish()
    assert (code, out) == (1, "")  # neither Received nor Echoed; stderr only
    terminal = f"{server.listening_line}\n{err}"
    shown = page_output("tcp-echo-no-shutdown")
    assert normalise(terminal, port) == normalise(shown, None)


def test_command_with_echo_answers_a_client_that_closed_as_the_page_shows(
    start: Callable[..., Program],
) -> None:
    # tcp.md#why-shutdown: a client that close()s right after sending ends the
    # server's loop too, but can no longer read; the server's sendall() still
    # returns, and it reports the echo that nobody reads.
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--echo")
    port = server.wait_listening()
    send_and_close(port, b"Welcome to python world")
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    terminal = f"{server.listening_line}\n{out}"
    shown = page_output("tcp-echo-client-closed")
    assert normalise(terminal, port) == normalise(shown, None)


def test_an_answer_to_a_client_that_closed_is_met_with_a_reset(
    server: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    # tcp.md#why-shutdown: the answer's sendall() returns as usual, since the
    # bytes only go to the server's operating system; the client's, whose
    # socket is closed, answers them with a reset, which a later call reports.
    sent = in_thread(send_and_close, port_of(server), b"Welcome to python world")
    conn, _ = server.accept()
    with conn:
        conn.settimeout(TIMEOUT)
        assert tcp_server.recv_all(conn) == b"Welcome to python world"
        sent.result(TIMEOUT)  # the client has closed
        conn.sendall(b"Welcome to python world")  # no error: nobody reads it
        deadline = time.monotonic() + TIMEOUT
        with pytest.raises(ConnectionError):  # reset, or broken pipe after it
            while time.monotonic() < deadline:
                conn.sendall(b"x")


# --- a crowd: many clients connecting at the same moment ------------------------

CROWD = 64  # a classroom's worth of clients, all at once


def test_command_serves_a_crowd_that_connects_at_once_every_message_whole(
    start: Callable[..., Program],
) -> None:
    # The server serves one client at a time; the others wait in the listen
    # backlog. With the backlog at 5, about half of such a burst was turned
    # away (ConnectionResetError). Each client here connects when all are
    # ready, then sends a message of its own, larger than one recv().
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--forever")
    port = server.wait_listening()
    ready = threading.Barrier(CROWD, timeout=TIMEOUT)

    def client(number: int) -> str:
        ready.wait()
        message = f"client {number:02d} " * 500  # 5000 bytes
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
            sock.sendall(message.encode())
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(1) == b""  # the server has read it all, and closed
        return message

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        sent = list(pool.map(client, range(CROWD), timeout=3 * TIMEOUT))
    received = [server.next_line() for _ in range(CROWD)]
    server.interrupt()
    assert server.finish() == (130, "", "Stopped.\n")
    texts = sorted(line.split(": ", 1)[1] for line in received)
    assert texts == sorted(sent)
    assert all(
        line.startswith("Received 5000 bytes from 127.0.0.1:") for line in received
    )
