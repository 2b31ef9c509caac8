"""Tests of the minimal framing program, "framing_min.py", both copies (zh, en).

A top-level script whose two sockets are a socket pair inside it: it needs
no port and no second terminal, and it is run as a command. Its error
branches (a peer that closes mid-message, no socket pair, Ctrl+C) cannot
happen in a real run, so they are run in-process (runpy) with
``socket.socketpair`` replaced.
"""

from __future__ import annotations

import runpy
import shutil
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.pages import as_on_page
from tests.support import LANGUAGES, Program, example_path, unbuffered

NAME = "framing_min.py"
OUTPUT = (
    "One recv() got: b'Helloworld'\n"
    "Message of 5 bytes: Hello\n"
    "Message of 5 bytes: world\n"
    "Message of 5 bytes: café\n"
)


@pytest.fixture(params=LANGUAGES)
def script(request: pytest.FixtureRequest) -> Path:
    """The copy of the program in one language: examples/framing/zh/ or en/."""
    return example_path(NAME, request.param)


def test_two_sends_arrive_as_one_recv_and_frames_come_back_whole(
    start: Callable[..., Program], script: Path
) -> None:
    code, out, err = start(*unbuffered(script)).finish()
    # as_on_page: on Windows the one recv() may get b'Hello' alone.
    assert (code, as_on_page(out), err) == (0, OUTPUT, "")


def test_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], script: Path, tmp_path: Path
) -> None:
    shutil.copy(script, tmp_path)
    code, out, err = start(*unbuffered(NAME), cwd=tmp_path).finish()
    assert (code, as_on_page(out), err) == (0, OUTPUT, "")


class ClosesMidMessage:
    """A sender that delivers the first bytes of the frames, then closes.

    It wraps one end of a real socket pair: the receiving end reads those
    bytes, then b"" in the middle of a message.
    """

    def __init__(self, sock: socket.socket, keep: int) -> None:
        self.sock = sock
        self.left = keep  # bytes of the frames still delivered

    def __enter__(self) -> ClosesMidMessage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def sendall(self, data: bytes) -> None:
        if data in (b"Hello", b"world"):  # step 2, before any frame
            self.sock.sendall(data)
            return
        if self.left == 0:
            return  # closed already: the rest is lost
        self.sock.sendall(data[: self.left])
        self.left -= min(self.left, len(data))
        if self.left == 0:
            self.sock.shutdown(socket.SHUT_WR)


class FirstRecvShort:
    """A receiving end whose first recv() returns 5 bytes at most.

    That is what Windows may do, where socketpair() is a TCP connection and
    the second message can still be on its way when the first recv() runs.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.first = True

    def __enter__(self) -> FirstRecvShort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def settimeout(self, seconds: float) -> None:
        self.sock.settimeout(seconds)

    def recv(self, size: int) -> bytes:
        if self.first:
            self.first = False
            size = min(size, 5)
        return self.sock.recv(size)


def test_keeps_in_step_when_the_first_recv_gets_one_message(
    script: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = socket.socketpair

    def pair(*args: Any) -> tuple[socket.socket, Any]:
        sender, receiver = real()
        return sender, FirstRecvShort(receiver)

    monkeypatch.setattr(socket, "socketpair", pair)
    runpy.run_path(str(script), run_name="__main__")
    printed = capsys.readouterr().out
    assert printed == OUTPUT.replace("b'Helloworld'", "b'Hello'")
    assert as_on_page(printed) == (OUTPUT if sys.platform == "win32" else printed)


def run_in_process(script: Path) -> Any:
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(script), run_name="__main__")
    return info.value.code


def test_reports_a_peer_that_closes_mid_message(
    script: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = socket.socketpair

    def pair(*args: Any) -> tuple[Any, socket.socket]:
        sender, receiver = real()
        return ClosesMidMessage(sender, keep=4 + 5 + 4 + 2), receiver

    monkeypatch.setattr(socket, "socketpair", pair)
    assert run_in_process(script) == "Error: closed after 2 of 5 bytes"
    assert capsys.readouterr().out == (
        "One recv() got: b'Helloworld'\nMessage of 5 bytes: Hello\n"
    )


def fail_with(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    def fail(*args: Any) -> Any:
        raise error

    monkeypatch.setattr(socket, "socketpair", fail)


def test_reports_an_error_in_one_line(
    script: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_with(monkeypatch, OSError("no socket pair"))
    assert run_in_process(script) == "Error: no socket pair"
    assert capsys.readouterr() == ("", "")


def test_stops_cleanly_on_ctrl_c(
    script: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_with(monkeypatch, KeyboardInterrupt())
    assert run_in_process(script) == 130
    assert capsys.readouterr() == ("", "Stopped.\n")
