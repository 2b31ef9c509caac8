"""Tests of examples/udp/udp_receiver.py, in-process and as the documented command."""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.udp import udp_receiver
from tests.support import ROOT, Program, one_line, port_of

MAX_IPV4_PAYLOAD = 65535 - 20 - 8  # IP packet limit minus IPv4 and UDP headers


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    with udp_receiver.open_receiver("127.0.0.1", 0) as sock:
        yield sock


# --- open_receiver and receive -----------------------------------------------


def test_open_receiver_binds_a_datagram_socket_to_a_free_port(
    receiver: socket.socket,
) -> None:
    assert receiver.type == socket.SOCK_DGRAM
    assert receiver.getsockname()[0] == "127.0.0.1"
    assert port_of(receiver) > 0


def test_open_receiver_accepts_an_ipv6_address() -> None:
    with udp_receiver.open_receiver("::1", 0) as sock:
        assert sock.family == socket.AF_INET6


def test_open_receiver_raises_when_the_port_is_in_use(receiver: socket.socket) -> None:
    # The socket it made before bind() failed must be closed: an unclosed one
    # would raise ResourceWarning, which this suite turns into an error.
    with pytest.raises(OSError) as info:
        udp_receiver.open_receiver("127.0.0.1", port_of(receiver))
    assert info.value.errno == errno.EADDRINUSE


class QuietThenDatagramSocket:
    """A stand-in socket whose first recvfrom() raises ``first``."""

    def __init__(self, first: OSError) -> None:
        self.first = first
        self.calls = 0
        self.timeouts: list[float | None] = []

    def settimeout(self, value: float | None) -> None:
        self.timeouts.append(value)

    def recvfrom(self, bufsize: int) -> tuple[bytes, tuple[str, int]]:
        self.calls += 1
        if self.calls == 1:
            raise self.first
        return b"late", ("127.0.0.1", 50000)


@pytest.mark.parametrize(
    "first",
    [
        TimeoutError("timed out"),  # a poll interval passed: check for Ctrl+C
        ConnectionResetError(10054, "reset"),  # Windows: an earlier reply bounced
    ],
)
def test_receive_keeps_waiting_after(first: OSError) -> None:
    sock = QuietThenDatagramSocket(first)
    result = udp_receiver.receive(sock, poll_interval=0.25)  # type: ignore[arg-type]
    assert result == (b"late", ("127.0.0.1", 50000))
    assert (sock.calls, sock.timeouts) == (2, [0.25])


def test_receive_takes_the_largest_datagram_whole(
    receiver: socket.socket, peer: socket.socket
) -> None:
    message = bytes(range(256)) * 255 + bytes(MAX_IPV4_PAYLOAD - 256 * 255)
    assert len(message) == 65507
    peer.sendto(message, receiver.getsockname())
    data, address = udp_receiver.receive(receiver)
    assert data == message
    assert address == peer.getsockname()


def test_a_datagram_one_byte_over_the_limit_cannot_be_sent(
    receiver: socket.socket, peer: socket.socket
) -> None:
    with pytest.raises(OSError) as info:
        peer.sendto(bytes(MAX_IPV4_PAYLOAD + 1), receiver.getsockname())
    assert info.value.errno == errno.EMSGSIZE


def test_each_datagram_arrives_as_one_message(
    receiver: socket.socket, peer: socket.socket
) -> None:
    # Unlike TCP's byte stream, UDP keeps the boundaries between sends.
    for text in (b"one", b"", b"three"):
        peer.sendto(text, receiver.getsockname())
    received = [udp_receiver.receive(receiver)[0] for _ in range(3)]
    assert received == [b"one", b"", b"three"]


# --- handle_datagram and serve -----------------------------------------------


def test_handle_datagram_prints_it_and_replies_to_the_sender(
    receiver: socket.socket, peer: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    address = peer.getsockname()
    assert udp_receiver.handle_datagram(receiver, "你好".encode(), address, "收到")
    assert peer.recvfrom(100) == ("收到".encode(), receiver.getsockname())
    assert capsys.readouterr() == (
        f"Received 6 bytes from 127.0.0.1:{address[1]}: 你好\nReplied 6 bytes.\n",
        "",
    )


def test_handle_datagram_asks_for_the_reply_when_none_is_given(
    receiver: socket.socket,
    peer: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("typed reply\n"))
    assert udp_receiver.handle_datagram(receiver, b"hi", peer.getsockname())
    assert peer.recvfrom(100)[0] == b"typed reply"
    assert "\nReply: Replied 11 bytes.\n" in capsys.readouterr().out


def test_handle_datagram_shows_invalid_utf8_as_escapes(
    receiver: socket.socket, peer: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    assert udp_receiver.handle_datagram(receiver, b"\xff\xfe", peer.getsockname(), "")
    assert peer.recvfrom(100)[0] == b""
    assert ": \\xff\\xfe\n" in capsys.readouterr().out


def test_handle_datagram_reports_a_reply_too_long_for_a_datagram(
    receiver: socket.socket, peer: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = "x" * (MAX_IPV4_PAYLOAD + 1)
    assert not udp_receiver.handle_datagram(receiver, b"hi", peer.getsockname(), reply)
    err = one_line(capsys.readouterr().err)
    assert err == f"127.0.0.1:{port_of(peer)}: {os.strerror(errno.EMSGSIZE)}"


def test_serve_handles_one_datagram_and_returns_0(
    receiver: socket.socket, peer: socket.socket
) -> None:
    peer.sendto(b"ping", receiver.getsockname())
    assert udp_receiver.serve(receiver, reply="pong") == 0
    assert peer.recvfrom(100)[0] == b"pong"


def test_serve_returns_1_when_the_reply_cannot_be_sent(
    receiver: socket.socket, peer: socket.socket
) -> None:
    peer.sendto(b"ping", receiver.getsockname())
    assert udp_receiver.serve(receiver, reply="x" * (MAX_IPV4_PAYLOAD + 1)) == 1


def test_serve_forever_answers_every_datagram_until_ctrl_c(
    receiver: socket.socket,
    peer: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_receive = udp_receiver.receive
    calls = 0

    def receive_then_ctrl_c(sock: socket.socket, poll: float) -> Any:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt
        return real_receive(sock, poll)

    monkeypatch.setattr(udp_receiver, "receive", receive_then_ctrl_c)
    too_long = "x" * (MAX_IPV4_PAYLOAD + 1)
    for text in (b"a", b"b", b"c"):
        peer.sendto(text, receiver.getsockname())
    replies = iter(["A", too_long, "C"])  # the second reply fails; serving goes on
    monkeypatch.setattr("builtins.input", lambda prompt: next(replies))
    with pytest.raises(KeyboardInterrupt):
        udp_receiver.serve(receiver, forever=True)
    assert [peer.recvfrom(100)[0] for _ in range(2)] == [b"A", b"C"]
    assert capsys.readouterr().out.count("Received 1 bytes") == 3


# --- main --------------------------------------------------------------------


def test_main_reports_a_port_in_use_in_one_line(
    receiver: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = port_of(receiver)
    assert udp_receiver.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"udp_receiver: cannot bind 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    )


def answer_from_main(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, effect: Callable[..., Any]
) -> int:
    """Run main() with receive() replaced by one datagram, and input() by effect."""

    def one_datagram(sock: socket.socket, poll: float) -> Any:
        return b"hi", sock.getsockname()  # a datagram "from itself"

    monkeypatch.setattr(udp_receiver, "receive", one_datagram)
    monkeypatch.setattr("builtins.input", effect)
    return udp_receiver.main(["--port", "0", *argv])


def raiser(exc: BaseException) -> Callable[[str], str]:
    def _raise(prompt: str) -> str:
        raise exc

    return _raise


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer_from_main([], monkeypatch, raiser(KeyboardInterrupt())) == 130
    assert capsys.readouterr().err == "Stopped.\n"


def test_main_reports_a_closed_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer_from_main([], monkeypatch, raiser(EOFError())) == 2
    # A newline first: the error starts on a line of its own, not on the
    # prompt's (Ctrl+D leaves the cursor there).
    err = capsys.readouterr().err
    assert err.startswith("\n")
    assert one_line(err.removeprefix("\n")) == "udp_receiver: no reply given"


def test_main_reports_a_reply_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\n"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert answer_from_main([], monkeypatch, input) == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith("udp_receiver: the reply is not valid text: 'utf-8' codec")


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_main_rejects_a_port_outside_0_to_65535(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        udp_receiver.main(["--port", port])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith(
        f"argument --port: must be a whole number from 0 to 65535, not {port!r}"
    )


# --- the commands the pages give ---------------------------------------------


def check_answers_one_datagram(receiver: Program, peer: socket.socket) -> None:
    port = receiver.wait_listening()
    peer.sendto("你好，UDP".encode(), ("127.0.0.1", port))
    assert peer.recvfrom(100) == ("收到".encode(), ("127.0.0.1", port))
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert out == (
        f"Received 12 bytes from 127.0.0.1:{port_of(peer)}: 你好，UDP\nReplied 6 bytes.\n"
    )


def test_command_answers_one_datagram_and_exits(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    receiver = start("examples/udp/udp_receiver.py", "--port", "0", "--reply", "收到")
    check_answers_one_datagram(receiver, peer)


def test_command_runs_as_a_module(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    receiver = start(
        "-m", "examples.udp.udp_receiver", "--port", "0", "--reply", "收到"
    )
    check_answers_one_datagram(receiver, peer)


def test_command_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], peer: socket.socket, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "examples" / "udp" / "udp_receiver.py", tmp_path)
    receiver = start("udp_receiver.py", "--port", "0", "--reply", "收到", cwd=tmp_path)
    check_answers_one_datagram(receiver, peer)


def test_command_takes_the_reply_typed_at_the_prompt(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    receiver = start("examples/udp/udp_receiver.py", "--port", "0", stdin="收到\n")
    port = receiver.wait_listening()
    peer.sendto(b"hello", ("127.0.0.1", port))
    assert peer.recvfrom(100)[0] == "收到".encode()
    code, out, _ = receiver.finish()
    assert code == 0
    assert out.endswith(": hello\nReply: Replied 6 bytes.\n")


def test_command_forever_answers_until_ctrl_c(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    receiver = start(
        "examples/udp/udp_receiver.py", "--port", "0", "--reply", "ok", "--forever"
    )
    port = receiver.wait_listening()
    for text in ("first", "second"):
        peer.sendto(text.encode(), ("127.0.0.1", port))
        assert peer.recvfrom(100)[0] == b"ok"
        assert receiver.next_line().endswith(f": {text}")
        assert receiver.next_line() == "Replied 2 bytes."
    receiver.interrupt()
    assert receiver.finish() == (130, "", "Stopped.\n")


def test_command_reports_a_port_in_use(
    start: Callable[..., Program], receiver: socket.socket
) -> None:
    port = port_of(receiver)
    code, out, err = start("examples/udp/udp_receiver.py", "--port", str(port)).finish()
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"udp_receiver: cannot bind 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    )


def test_command_on_every_address_answers_a_datagram_sent_to_loopback(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    # udp.md#lan-receiver: --host 0.0.0.0 receives on every interface of the
    # machine, loopback included, and replies from the address it was sent to.
    options = ["--host", "0.0.0.0", "--port", "0", "--reply", "收到"]
    receiver = start("examples/udp/udp_receiver.py", *options)
    port = receiver.wait_listening()
    assert receiver.listening_line == f"Listening on UDP 0.0.0.0:{port}"
    peer.sendto(b"hello", ("127.0.0.1", port))
    assert peer.recvfrom(100) == ("收到".encode(), ("127.0.0.1", port))
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    sender = f"127.0.0.1:{port_of(peer)}"
    assert out == f"Received 5 bytes from {sender}: hello\nReplied 6 bytes.\n"
