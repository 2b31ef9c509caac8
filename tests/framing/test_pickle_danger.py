"""Tests of examples/framing/pickle_danger.py: a pickle runs code as it loads.

The crafted pickle's call is print(): loading it prints a line, which is
how these tests see that code ran. Nothing here calls anything but print.
"""

from __future__ import annotations

import pickle
import shutil
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from examples.framing import pickle_danger
from tests.framing.conftest import read_to_end
from tests.support import ROOT, TIMEOUT, Program, one_line

PeerStarter = Callable[[Callable[[socket.socket], None]], int]


def test_loading_the_crafted_pickle_runs_its_call(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = pickle_danger.crafted_pickle()
    assert b"builtins" in data and b"print" in data  # the call, named inside
    assert capsys.readouterr().out == ""  # making it runs nothing
    assert pickle.loads(data) is None  # what print() returns
    assert capsys.readouterr().out == pickle_danger.SHOWN + "\n"


def test_the_crafted_pickle_is_the_same_on_every_python() -> None:
    assert len(pickle_danger.crafted_pickle()) == 100  # protocol 4, fixed


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x80\x04", "not UTF-8 text: invalid start byte"),
        (
            b"{1",
            "not JSON: Expecting property name",
        ),
        (b"[" * 100_000, "not JSON: nested too deeply"),
    ],
)
def test_the_safe_decoder_refuses_what_is_not_json(data: bytes, error: str) -> None:
    with pytest.raises(ValueError) as info:
        pickle_danger.load_safely(data)
    # json's own words after the first ones vary between Python versions
    assert str(info.value).startswith(error)


def test_the_safe_decoder_reads_json_data() -> None:
    assert pickle_danger.load_safely('{"text": "你好"}'.encode()) == {"text": "你好"}


def test_main_shows_the_call_run_by_pickle_loads(
    echo_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pickle_danger.main(["--port", str(echo_port)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Received 100 bytes: b'\\x80\\x04")
    assert lines[1:] == [
        "pickle.loads():",
        pickle_danger.SHOWN,
        "It returned None, after running the call it named.",
        "The safe decoder refuses the same bytes: not UTF-8 text: invalid start byte",
    ]


def test_main_never_loads_bytes_that_are_not_its_own_pickle(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    def other(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(pickle.dumps("something else"))

    port = tcp_peer(other)
    assert pickle_danger.main(["--port", str(port)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err) == (
        f"pickle_danger: 127.0.0.1:{port} did not echo the pickle; not loading it"
    )


def test_main_reports_refused_silent_and_reset_servers(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        assert pickle_danger.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"pickle_danger: 127.0.0.1:{port} refused; is the server running?"
    )

    answered = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_to_end(conn)
        answered.wait(TIMEOUT)

    port = tcp_peer(silent)
    try:
        assert pickle_danger.main(["--port", str(port), "--timeout", "0.2"]) == 1
    finally:
        answered.set()
    assert one_line(capsys.readouterr().err).endswith(": no answer in 0.2 s")

    def reset(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    port = tcp_peer(reset)
    assert pickle_danger.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err).endswith(": Connection reset by peer")


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: object) -> socket.socket:
        raise KeyboardInterrupt

    monkeypatch.setattr(socket, "create_connection", ctrl_c)
    assert pickle_danger.main([]) == 130
    assert capsys.readouterr() == ("", "Stopped.\n")


def test_command_talks_to_the_sites_echo_server(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    shutil.copy(ROOT / "examples" / "framing" / "pickle_danger.py", tmp_path)
    for words, cwd in [
        (["examples/framing/pickle_danger.py"], ROOT),
        (["-m", "examples.framing.pickle_danger"], ROOT),
        (["pickle_danger.py"], tmp_path),  # a lone copy of the file
    ]:
        server = start("examples/tcp/tcp_server.py", "--echo", "--port", "0")
        port = str(server.wait_listening())
        code, out, err = start(*words, "--port", port, cwd=cwd).finish()
        assert (code, err) == (0, "")
        assert f"\n{pickle_danger.SHOWN}\n" in out
        assert server.finish()[0] == 0
