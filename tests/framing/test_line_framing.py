"""Tests of examples/framing/line_framing.py: newline-delimited messages.

As for the length prefix: one stream split at every byte offset, then
(hypothesis) random lists of lines read back in random piece sizes over a
real socket pair; the cap on a line's length, and the commands.
"""

from __future__ import annotations

import shutil
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examples.framing import line_framing
from tests.framing.conftest import read_to_end
from tests.support import ROOT, TIMEOUT, Program, one_line

LINES = [b"Hello", b"", b"world", "你好".encode(), b"\r\t\x00"]
STREAM = b"".join(line + b"\n" for line in LINES)
PeerStarter = Callable[[Callable[[socket.socket], None]], int]


def test_encode_line_adds_a_newline() -> None:
    assert line_framing.encode_line(b"Hello") == b"Hello\n"
    assert line_framing.encode_line(b"") == b"\n"


def test_encode_line_refuses_a_newline_inside_or_a_line_too_long() -> None:
    with pytest.raises(line_framing.LineTooLong) as info:
        line_framing.encode_line(b"two\nlines")
    assert str(info.value) == "a message sent as a line cannot hold a newline"
    assert line_framing.encode_line(b"1234", max_line=4) == b"1234\n"
    with pytest.raises(line_framing.LineTooLong) as info:
        line_framing.encode_line(b"12345", max_line=4)
    assert str(info.value) == "a line of 5 bytes is over the 4-byte limit"


def decode_in_pieces(
    stream: bytes, sizes: list[int], max_line: int = 100
) -> list[bytes]:
    decoder = line_framing.LineDecoder(max_line)
    lines, start = [], 0
    for size in sizes:
        lines += decoder.feed(stream[start : start + size])
        start += size
    lines += decoder.feed(stream[start:])
    decoder.close()
    return lines


@pytest.mark.parametrize("offset", range(len(STREAM) + 1))
def test_decoder_gives_back_the_lines_split_at_any_offset(offset: int) -> None:
    assert decode_in_pieces(STREAM, [offset]) == LINES


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_decoder_gives_back_the_lines_fed_in_pieces_of_any_size(size: int) -> None:
    assert decode_in_pieces(STREAM, [size] * (len(STREAM) // size)) == LINES


def test_decoder_keeps_a_line_of_exactly_the_cap_until_its_newline() -> None:
    decoder = line_framing.LineDecoder(max_line=4)
    assert decoder.feed(b"12") == []
    assert decoder.feed(b"34") == []
    assert decoder.feed(b"\nab\n") == [b"1234", b"ab"]
    decoder.close()


@pytest.mark.parametrize("pieces", [[b"12345"], [b"123", b"45"], [b"12345\n"]])
def test_decoder_refuses_a_line_over_the_cap_without_waiting_for_its_end(
    pieces: list[bytes],
) -> None:
    decoder = line_framing.LineDecoder(max_line=4)
    with pytest.raises(line_framing.LineTooLong) as info:
        for piece in pieces:
            decoder.feed(piece)
    assert str(info.value) == "a line is over the 4-byte limit"


def test_decoder_close_raises_when_the_stream_ends_inside_a_line() -> None:
    decoder = line_framing.LineDecoder()
    assert decoder.feed(b"ok\nhal") == [b"ok"]
    with pytest.raises(line_framing.UnterminatedLine) as info:
        decoder.close()
    assert str(info.value) == "connection closed after 3 bytes of a line"


@given(
    lines=st.lists(
        st.binary(max_size=200).map(lambda b: b.replace(b"\n", b"")), max_size=12
    ),
    sizes=st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=50),
)
def test_decoder_gives_back_random_lines_read_in_random_sizes(
    lines: list[bytes], sizes: list[int]
) -> None:
    left, right = socket.socketpair()
    with left, right:
        right.settimeout(TIMEOUT)
        left.sendall(b"".join(line_framing.encode_line(line) for line in lines))
        left.shutdown(socket.SHUT_WR)
        decoder = line_framing.LineDecoder(max_line=200)
        received: list[bytes] = []
        turn = 0
        while chunk := right.recv(sizes[turn % len(sizes)]):
            received += decoder.feed(chunk)
            turn += 1
        decoder.close()
    assert received == lines


# --- exchange and main ---------------------------------------------------------------


def test_exchange_sends_lines_and_splits_the_echo(echo_port: int) -> None:
    with socket.create_connection(("127.0.0.1", echo_port), TIMEOUT) as sock:
        assert line_framing.exchange(sock, LINES, recv_size=2) == LINES


def test_main_prints_what_it_sent_and_each_line_back(
    echo_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert line_framing.main(["--port", str(echo_port), "--recv-size", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Sent 3 lines in 19 bytes: b'Hello\\nworld\\n\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd\\n'",
        "Line 1: Hello",
        "Line 2: world",
        "Line 3: 你好",
    ]


def test_main_refuses_a_message_with_a_newline_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert line_framing.main(["--port", "9", "one\ntwo"]) == 1
    assert one_line(capsys.readouterr().err) == (
        "line_framing: 127.0.0.1:9: a message sent as a line cannot hold a newline"
    )


def test_main_reports_a_line_cut_off_and_one_too_long(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    def cut(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(b"Hello\nwor")

    port = tcp_peer(cut)
    assert line_framing.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"line_framing: 127.0.0.1:{port}: connection closed after 3 bytes of a line"
    )

    def endless(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(b"x" * 100)

    port = tcp_peer(endless)
    assert line_framing.main(["--port", str(port), "--max-line", "50", "x"]) == 1
    assert one_line(capsys.readouterr().err).endswith(
        ": a line is over the 50-byte limit"
    )


def test_main_reports_refused_silent_and_reset_servers(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        assert line_framing.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"line_framing: 127.0.0.1:{port} refused; is the server running?"
    )

    answered = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_to_end(conn)
        answered.wait(TIMEOUT)

    port = tcp_peer(silent)
    try:
        assert line_framing.main(["--port", str(port), "--timeout", "0.2"]) == 1
    finally:
        answered.set()
    assert one_line(capsys.readouterr().err).endswith(": no answer in 0.2 s")

    def reset(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    port = tcp_peer(reset)
    assert line_framing.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err).endswith(": Connection reset by peer")


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: object) -> socket.socket:
        raise KeyboardInterrupt

    monkeypatch.setattr(socket, "create_connection", ctrl_c)
    assert line_framing.main([]) == 130
    assert capsys.readouterr() == ("", "Stopped.\n")


def test_main_refuses_a_cap_that_cannot_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        line_framing.main(["--max-line", "lots"])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            "argument --max-line: must be a whole number from 1 to 2147483647, not 'lots'"
        )
    )


# --- the commands the page gives ---------------------------------------------------


def test_command_talks_to_the_sites_echo_server(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    for words, cwd in [
        (["examples/framing/line_framing.py"], ROOT),
        (["-m", "examples.framing.line_framing"], ROOT),
        (["line_framing.py"], tmp_path),  # a lone copy of the file
    ]:
        shutil.copy(ROOT / "examples" / "framing" / "line_framing.py", tmp_path)
        server = start("examples/tcp/tcp_server.py", "--echo", "--port", "0")
        port = str(server.wait_listening())
        code, out, err = start(*words, "--port", port, cwd=cwd).finish()
        assert (code, err) == (0, "")
        assert out.endswith("Line 1: Hello\nLine 2: world\nLine 3: 你好\n")
        assert server.finish()[0] == 0
