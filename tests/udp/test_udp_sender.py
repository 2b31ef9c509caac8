"""Tests of examples/udp/udp_sender.py, in-process and as the documented command."""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
import sys
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from examples.udp import udp_sender
from tests.pages import normalise, page_output
from tests.support import ROOT, TIMEOUT, Program, one_line, port_of


def answer(peer: socket.socket, reply: bytes) -> bytes:
    """Act as the receiver: take one datagram, reply, return what came."""
    data, address = peer.recvfrom(65535)
    peer.sendto(reply, address)
    return data


# --- send_and_wait -----------------------------------------------------------


def test_send_and_wait_returns_the_reply_and_its_address(
    peer: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    received = in_thread(answer, peer, b"pong")
    reply = udp_sender.send_and_wait("127.0.0.1", port_of(peer), b"ping")
    assert reply == (b"pong", peer.getsockname())
    assert received.result(TIMEOUT) == b"ping"


def test_send_and_wait_works_over_ipv6(in_thread: Callable[..., Future[Any]]) -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as v6:
        v6.settimeout(TIMEOUT)
        v6.bind(("::1", 0))
        in_thread(answer, v6, b"v6")
        assert udp_sender.send_and_wait("::1", port_of(v6), b"?")[0] == b"v6"


def test_send_and_wait_raises_timeout_when_nobody_replies(peer: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        udp_sender.send_and_wait("127.0.0.1", port_of(peer), b"hello?", timeout=0.1)


def test_decode_shows_invalid_utf8_as_escapes() -> None:
    assert udp_sender.decode(b"\xff") == "\\xff"


def test_format_address_puts_ipv6_hosts_in_brackets() -> None:
    assert udp_sender.format_address(("::1", 1, 0, 0)) == "[::1]:1"


# --- main --------------------------------------------------------------------


def test_main_prints_what_it_sent_and_the_reply(
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = port_of(peer)
    received = in_thread(answer, peer, "收到".encode() + b" \xff")
    assert udp_sender.main(["--port", str(port), "你好，UDP"]) == 0
    assert received.result(TIMEOUT) == "你好，UDP".encode()
    assert capsys.readouterr() == (
        f"Sent 12 bytes to 127.0.0.1:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到 \\xff\n",
        "",
    )


def test_main_asks_for_the_message_when_none_is_given(
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("typed\n"))
    received = in_thread(answer, peer, b"ok")
    assert udp_sender.main(["--port", str(port_of(peer))]) == 0
    assert received.result(TIMEOUT) == b"typed"
    assert capsys.readouterr().out.startswith("Message to send: Sent 5 bytes to ")


def test_main_sends_an_empty_datagram(
    peer: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    received = in_thread(answer, peer, b"")
    assert udp_sender.main(["--port", str(port_of(peer)), ""]) == 0
    assert received.result(TIMEOUT) == b""


def test_main_sends_command_line_bytes_that_are_not_utf8_unchanged(
    peer: socket.socket, in_thread: Callable[..., Future[Any]]
) -> None:
    received = in_thread(answer, peer, b"")
    assert udp_sender.main(["--port", str(port_of(peer)), "\udcff"]) == 0
    assert received.result(TIMEOUT) == b"\xff"


def test_main_reports_no_reply_within_the_timeout(
    peer: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = port_of(peer)  # bound, so the datagram arrives, but nobody answers
    assert udp_sender.main(["--port", str(port), "--timeout", "0.1", "hi"]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"udp_sender: no reply from 127.0.0.1:{port} (waited up to 0.1 s); is the receiver running?"
    )


def test_main_reports_a_message_too_long_for_one_datagram(
    peer: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = port_of(peer)
    assert udp_sender.main(["--port", str(port), "x" * 65508]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"udp_sender: 127.0.0.1:{port}: {os.strerror(errno.EMSGSIZE)}"
    )


def test_main_reports_a_closed_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert udp_sender.main(["--port", "9"]) == 2
    # A newline first: the error starts on a line of its own, not on the
    # prompt's (Ctrl+D leaves the cursor there).
    err = capsys.readouterr().err
    assert err.startswith("\n")
    assert one_line(err.removeprefix("\n")) == "udp_sender: no message given"


def test_main_reports_input_that_is_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff\n")))
    assert udp_sender.main(["--port", "9"]) == 2
    err = one_line(capsys.readouterr().err)
    assert err.startswith("udp_sender: the message is not valid text: 'utf-8' codec")


def test_main_stops_cleanly_on_ctrl_c_at_the_prompt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("builtins.input", ctrl_c)
    assert udp_sender.main([]) == 130
    assert capsys.readouterr().err == "Stopped.\n"


@pytest.mark.parametrize("port", ["-1", "65536", "http"])
def test_main_rejects_a_port_outside_0_to_65535(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        udp_sender.main(["--port", port, "hi"])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.endswith(
        f"argument --port: must be a whole number from 0 to 65535, not {port!r}"
    )


# --- the commands the pages give: receiver in one terminal, sender in another -


def start_receiver(start: Callable[..., Program]) -> tuple[Program, int]:
    receiver = start("examples/udp/udp_receiver.py", "--port", "0", "--reply", "收到")
    return receiver, receiver.wait_listening()


def test_command_talks_to_the_receiver_command(start: Callable[..., Program]) -> None:
    receiver, port = start_receiver(start)
    sender = start("examples/udp/udp_sender.py", "--port", str(port), "你好，UDP")
    assert sender.finish() == (
        0,
        f"Sent 12 bytes to 127.0.0.1:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert out.endswith(": 你好，UDP\nReplied 6 bytes.\n")


def test_command_runs_as_a_module(
    start: Callable[..., Program],
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    received = in_thread(answer, peer, b"ok")
    sender = start("-m", "examples.udp.udp_sender", "--port", str(port_of(peer)), "m")
    assert sender.finish()[0] == 0
    assert received.result(TIMEOUT) == b"m"


def test_command_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program],
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
    tmp_path: Path,
) -> None:
    shutil.copy(ROOT / "examples" / "udp" / "udp_sender.py", tmp_path)
    received = in_thread(answer, peer, b"ok")
    port = str(port_of(peer))
    sender = start("udp_sender.py", "--port", port, "copied", cwd=tmp_path)
    assert sender.finish()[0] == 0
    assert received.result(TIMEOUT) == b"copied"


def test_command_sends_the_message_typed_at_the_prompt(
    start: Callable[..., Program],
    peer: socket.socket,
    in_thread: Callable[..., Future[Any]],
) -> None:
    received = in_thread(answer, peer, b"ok")
    port = port_of(peer)
    sender = start("examples/udp/udp_sender.py", "--port", str(port), stdin="typed\n")
    assert sender.finish() == (
        0,
        f"Message to send: Sent 5 bytes to 127.0.0.1:{port};"
        " waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: ok\n",
        "",
    )
    assert received.result(TIMEOUT) == b"typed"


def test_command_reports_no_reply(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    port = port_of(peer)
    sender = start(
        "examples/udp/udp_sender.py", "--port", str(port), "--timeout", "0.2", "x"
    )
    code, out, err = sender.finish()
    # It says at once what it sent and what it waits for, then why it gave up.
    assert (code, out) == (
        1,
        f"Sent 1 bytes to 127.0.0.1:{port}; waiting up to 0.2 s for the reply.\n",
    )
    assert one_line(err) == (
        f"udp_sender: no reply from 127.0.0.1:{port} (waited up to 0.2 s); is the receiver running?"
    )


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows words WSAEMSGSIZE its own way"
)
def test_command_reports_a_message_too_long_as_the_page_shows(
    start: Callable[..., Program], peer: socket.socket
) -> None:
    # udp.md#size: the sender is given a 70000-byte message.
    port = port_of(peer)
    message = "x" * 70000
    code, out, err = start(
        "examples/udp/udp_sender.py", "--port", str(port), message
    ).finish()
    assert (code, out) == (1, "")
    shown = page_output("udp-sender-too-long")
    assert normalise(err, port) == normalise(shown, None)


def test_command_reports_no_reply_when_nothing_is_bound_to_the_port(
    start: Callable[..., Program],
) -> None:
    # udp.md#lan-no-reply: with no socket on the port, the receiver's system
    # answers "port unreachable"; a sender that never called connect() is not
    # told (Linux, macOS) or gets ConnectionResetError (Windows): either way
    # the same line as a plain timeout, and no "refused".
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        port = port_of(closed)
    sender = start(
        "examples/udp/udp_sender.py", "--port", str(port), "--timeout", "0.5", "x"
    )
    code, out, err = sender.finish()
    assert (code, out) == (
        1,
        f"Sent 1 bytes to 127.0.0.1:{port}; waiting up to 0.5 s for the reply.\n",
    )
    assert one_line(err) == (
        f"udp_sender: no reply from 127.0.0.1:{port} (waited up to 0.5 s); is the receiver running?"
    )
