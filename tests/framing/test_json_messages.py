"""Tests of examples/framing/json_messages.py: JSON objects over a length prefix."""

from __future__ import annotations

import shutil
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examples.framing import json_messages
from tests.framing.conftest import read_to_end
from tests.support import ROOT, TIMEOUT, Program, one_line

PeerStarter = Callable[[Callable[[socket.socket], None]], int]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=10,
)


def test_encode_json_writes_utf8_with_chinese_as_itself() -> None:
    assert json_messages.encode_json({"text": "你好"}) == '{"text": "你好"}'.encode()


def test_encode_json_refuses_nan_which_json_lacks() -> None:
    with pytest.raises(ValueError):
        json_messages.encode_json({"x": float("nan")})


@given(st.dictionaries(st.text(), JSON_VALUES, max_size=5))
def test_decode_json_gives_back_any_object_encoded(value: dict[str, Any]) -> None:
    assert json_messages.decode_json(json_messages.encode_json(value)) == value


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\xff{}", "not UTF-8 text: invalid start byte"),
        (
            b"{",
            "not JSON: Expecting property name",
        ),
        (b'{"x": NaN}', "not JSON: NaN is not a JSON value"),
        (b"[" * 100_000, "not JSON: nested too deeply"),
        (b"[1, 2]", "an array, not a JSON object"),
        (b'"text"', "a string, not a JSON object"),
        (b"3.5", "a number, not a JSON object"),
        (b"true", "true or false, not a JSON object"),
        (b"null", "null, not a JSON object"),
    ],
)
def test_decode_json_refuses_anything_but_a_json_object(
    data: bytes, error: str
) -> None:
    with pytest.raises(json_messages.BadMessage) as info:
        json_messages.decode_json(data)
    # json's own words after the first ones vary between Python versions
    assert str(info.value).startswith(error)


def test_exchange_sends_objects_and_decodes_the_echo(echo_port: int) -> None:
    values = [{"op": "add", "numbers": [2, 3]}, {}, {"text": "你好"}]
    with socket.create_connection(("127.0.0.1", echo_port), TIMEOUT) as sock:
        assert json_messages.exchange(sock, values) == values


def test_main_prints_each_object_back_as_a_dictionary(
    echo_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert json_messages.main(["--port", str(echo_port)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Sent 2 messages in 58 bytes.",
        "Message 1: {'op': 'add', 'numbers': [2, 3]}",
        "Message 2: {'text': '你好'}",
    ]


def test_main_refuses_a_message_that_is_not_an_object_at_parse_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        json_messages.main(["[1, 2]"])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("error: argument message: an array, not a JSON object: '[1, 2]'")
    )


def test_main_refuses_a_message_over_the_maximum_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert json_messages.main(["--port", "9", "--max-size", "10", '{"a": "long"}']) == 1
    assert one_line(capsys.readouterr().err) == (
        "json_messages: 127.0.0.1:9: a message of 13 bytes is over the 10-byte limit"
    )


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (b"\x00\x00\x00\x05[1,2]", "an array, not a JSON object"),
        (b"\x00\x00\x00\x09{", "connection closed after 1 of 9 bytes"),
        (b"\x00\x00", "connection closed after 2 of 4 bytes"),
    ],
)
def test_main_reports_a_peer_that_sends_a_bad_message(
    tcp_peer: PeerStarter,
    capsys: pytest.CaptureFixture[str],
    answer: bytes,
    error: str,
) -> None:
    def bad(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(answer)

    port = tcp_peer(bad)
    assert json_messages.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"json_messages: 127.0.0.1:{port}: {error}"
    )


def test_main_reports_refused_silent_and_reset_servers(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        assert json_messages.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"json_messages: 127.0.0.1:{port} refused; is the server running?"
    )

    answered = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_to_end(conn)
        answered.wait(TIMEOUT)

    port = tcp_peer(silent)
    try:
        assert json_messages.main(["--port", str(port), "--timeout", "0.2"]) == 1
    finally:
        answered.set()
    assert one_line(capsys.readouterr().err).endswith(": no answer in 0.2 s")

    def reset(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    port = tcp_peer(reset)
    assert json_messages.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err).endswith(": Connection reset by peer")


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: object) -> socket.socket:
        raise KeyboardInterrupt

    monkeypatch.setattr(socket, "create_connection", ctrl_c)
    assert json_messages.main([]) == 130
    assert capsys.readouterr() == ("", "Stopped.\n")


def test_main_refuses_a_size_that_cannot_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        json_messages.main(["--max-size", "lots"])
    assert info.value.code == 2


def test_command_talks_to_the_sites_echo_server(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    shutil.copy(ROOT / "examples" / "framing" / "json_messages.py", tmp_path)
    for words, cwd in [
        (["examples/framing/json_messages.py"], ROOT),
        (["-m", "examples.framing.json_messages"], ROOT),
        (["json_messages.py"], tmp_path),  # a lone copy of the file
    ]:
        server = start("examples/tcp/tcp_server.py", "--echo", "--port", "0")
        port = str(server.wait_listening())
        code, out, err = start(*words, "--port", port, '{"n": 1}', cwd=cwd).finish()
        assert (code, out, err) == (
            0,
            "Sent 1 message in 12 bytes.\nMessage 1: {'n': 1}\n",
            "",
        )
        assert server.finish()[0] == 0
