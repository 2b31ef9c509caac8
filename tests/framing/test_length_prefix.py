"""Tests of examples/framing/length_prefix.py: the framing, and the command.

The decoder is fed one stream of several messages split at every byte
offset and in pieces of every size, then (hypothesis) random lists of
messages read back in random piece sizes, over a real socket pair: decoding
must give back exactly the messages sent, and nothing more.
"""

from __future__ import annotations

import shutil
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from examples.framing import length_prefix
from tests.framing.conftest import read_to_end
from tests.pages import normalise, page_output
from tests.support import ROOT, TIMEOUT, Program, one_line

MESSAGES = [b"Hello", b"", b"world", "你好".encode(), bytes(range(256))]
STREAM = b"".join(length_prefix.encode_message(m) for m in MESSAGES)
PeerStarter = Callable[[Callable[[socket.socket], None]], int]


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Two connected stream sockets, each with the tests' timeout."""
    left, right = socket.socketpair()
    with left, right:
        left.settimeout(TIMEOUT)
        right.settimeout(TIMEOUT)
        yield left, right


# --- encode_message and check_size --------------------------------------------


def test_a_frame_is_a_4_byte_big_endian_length_then_the_message() -> None:
    assert length_prefix.encode_message(b"Hello") == b"\x00\x00\x00\x05Hello"
    assert length_prefix.encode_message(b"") == b"\x00\x00\x00\x00"
    frame = length_prefix.encode_message(b"x" * 258)
    assert frame[:4] == b"\x00\x00\x01\x02" == struct.pack("!I", 258)


def test_encode_message_refuses_a_message_over_the_maximum() -> None:
    assert length_prefix.encode_message(b"1234", max_size=4)[:4] == b"\0\0\0\4"
    with pytest.raises(length_prefix.MessageTooLarge) as info:
        length_prefix.encode_message(b"12345", max_size=4)
    assert str(info.value) == "a message of 5 bytes is over the 4-byte limit"


def test_the_largest_length_4_bytes_hold_caps_any_maximum() -> None:
    class Huge(bytes):
        def __len__(self) -> int:  # stands in for a 4 GiB message
            return 2**32

    with pytest.raises(length_prefix.MessageTooLarge):
        length_prefix.encode_message(Huge(), max_size=2**40)


# --- recv_exactly and recv_message ----------------------------------------------


def test_recv_exactly_joins_pieces_and_leaves_the_rest_unread(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, right = pair
    left.sendall(b"Hel")
    left.sendall(b"lo, world")
    assert length_prefix.recv_exactly(right, 5) == b"Hello"
    assert right.recv(100) == b", world"


def test_recv_exactly_reads_a_message_larger_than_one_recv(
    pair: tuple[socket.socket, socket.socket],
    in_thread: Callable[..., Future[Any]],
) -> None:
    left, right = pair
    message = bytes(range(256)) * 1024  # 256 KiB: many recv() calls
    sent = in_thread(left.sendall, message)  # more than the socket buffers hold
    assert length_prefix.recv_exactly(right, len(message)) == message
    sent.result(TIMEOUT)


def test_recv_exactly_raises_on_a_short_read(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, right = pair
    left.sendall(b"abc")
    left.shutdown(socket.SHUT_WR)
    with pytest.raises(length_prefix.IncompleteMessage) as info:
        length_prefix.recv_exactly(right, 10)
    assert (info.value.received, info.value.expected) == (3, 10)
    assert str(info.value) == "connection closed after 3 of 10 bytes"
    assert isinstance(info.value, EOFError)


def test_recv_message_reads_each_message_then_none_at_a_clean_end(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, right = pair
    left.sendall(STREAM)
    left.shutdown(socket.SHUT_WR)
    received = []
    while (message := length_prefix.recv_message(right)) is not None:
        received.append(message)
    assert received == MESSAGES


@pytest.mark.parametrize(
    ("sent", "received", "expected"),
    [
        (b"\x00\x00", 2, 4),  # inside the length
        (b"\x00\x00\x00\x05Hel", 3, 5),  # inside the message
    ],
)
def test_recv_message_raises_when_the_peer_closes_mid_frame(
    pair: tuple[socket.socket, socket.socket],
    sent: bytes,
    received: int,
    expected: int,
) -> None:
    left, right = pair
    left.sendall(sent)
    left.shutdown(socket.SHUT_WR)
    with pytest.raises(length_prefix.IncompleteMessage) as info:
        length_prefix.recv_message(right)
    assert (info.value.received, info.value.expected) == (received, expected)


def test_recv_message_refuses_a_length_over_the_maximum_before_reading_it(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, right = pair
    left.sendall(struct.pack("!I", 2**32 - 1) + b"body")  # claims 4 GiB
    with pytest.raises(length_prefix.MessageTooLarge) as info:
        length_prefix.recv_message(right)
    assert (
        str(info.value)
        == "a message of 4294967295 bytes is over the 1048576-byte limit"
    )
    assert right.recv(100) == b"body"  # nothing of the message was read


def test_recv_message_takes_a_message_of_exactly_the_maximum(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    left, right = pair
    left.sendall(length_prefix.encode_message(b"1234"))
    assert length_prefix.recv_message(right, max_size=4) == b"1234"


# --- FrameDecoder ------------------------------------------------------------------


def decode_in_pieces(stream: bytes, sizes: list[int]) -> list[bytes]:
    """Feed ``stream`` to a decoder in pieces of ``sizes`` (the last takes the rest)."""
    decoder = length_prefix.FrameDecoder()
    messages, start = [], 0
    for size in sizes:
        messages += decoder.feed(stream[start : start + size])
        start += size
    messages += decoder.feed(stream[start:])
    decoder.close()
    return messages


@pytest.mark.parametrize("offset", range(len(STREAM) + 1))
def test_decoder_gives_back_the_messages_split_at_any_offset(offset: int) -> None:
    assert decode_in_pieces(STREAM, [offset]) == MESSAGES


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 64])
def test_decoder_gives_back_the_messages_fed_in_pieces_of_any_size(size: int) -> None:
    assert decode_in_pieces(STREAM, [size] * (len(STREAM) // size)) == MESSAGES


def test_decoder_returns_each_message_as_soon_as_it_is_whole() -> None:
    decoder = length_prefix.FrameDecoder()
    assert decoder.feed(b"\x00\x00") == []
    assert decoder.feed(b"\x00\x02h") == []
    assert decoder.feed(b"i\x00\x00\x00\x00\x00") == [b"hi", b""]
    assert decoder.feed(b"\x00\x00\x01!") == [b"!"]
    decoder.close()


def test_decoder_refuses_a_length_over_the_maximum_at_once() -> None:
    decoder = length_prefix.FrameDecoder(max_size=4)
    assert decoder.feed(length_prefix.encode_message(b"1234")) == [b"1234"]
    with pytest.raises(length_prefix.MessageTooLarge):
        decoder.feed(b"\x00\x00\x00\x05")  # refused before any of the body


@pytest.mark.parametrize(
    ("rest", "received", "expected"),
    [
        (b"\x00\x00\x00", 3, 4),
        (b"\x00\x00\x00\x05He", 2, 5),
        (b"\x00\x00\x00\x05", 0, 5),
    ],
)
def test_decoder_close_raises_when_the_stream_ends_mid_frame(
    rest: bytes, received: int, expected: int
) -> None:
    decoder = length_prefix.FrameDecoder()
    assert decoder.feed(length_prefix.encode_message(b"ok") + rest) == [b"ok"]
    with pytest.raises(length_prefix.IncompleteMessage) as info:
        decoder.close()
    assert (info.value.received, info.value.expected) == (received, expected)


@given(
    messages=st.lists(st.binary(max_size=300), max_size=12),
    sizes=st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=50),
)
def test_decoder_gives_back_random_messages_read_in_random_sizes(
    messages: list[bytes], sizes: list[int]
) -> None:
    stream = b"".join(length_prefix.encode_message(m) for m in messages)
    left, right = socket.socketpair()
    with left, right:
        right.settimeout(TIMEOUT)
        left.sendall(stream)
        left.shutdown(socket.SHUT_WR)
        decoder = length_prefix.FrameDecoder()
        received: list[bytes] = []
        turn = 0
        while chunk := right.recv(sizes[turn % len(sizes)]):
            received += decoder.feed(chunk)
            turn += 1
        decoder.close()
    assert received == messages


@given(messages=st.lists(st.binary(max_size=300), max_size=12))
def test_recv_message_gives_back_random_messages(messages: list[bytes]) -> None:
    left, right = socket.socketpair()
    with left, right:
        right.settimeout(TIMEOUT)
        left.sendall(b"".join(length_prefix.encode_message(m) for m in messages))
        left.shutdown(socket.SHUT_WR)
        received = []
        while (message := length_prefix.recv_message(right)) is not None:
            received.append(message)
    assert received == messages


# --- exchange and main, with the site's TCP server as the echo server -----------


def test_exchange_sends_frames_and_decodes_the_echo(echo_port: int) -> None:
    with socket.create_connection(("127.0.0.1", echo_port), TIMEOUT) as sock:
        assert length_prefix.exchange(sock, MESSAGES, recv_size=3) == MESSAGES


def test_main_prints_what_it_sent_and_each_message_back(
    echo_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert length_prefix.main(["--port", str(echo_port), "Hi", "你好"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Sent 2 messages in 16 bytes:"
        " b'\\x00\\x00\\x00\\x02Hi\\x00\\x00\\x00\\x06\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd'",
        "Message 1: Hi",
        "Message 2: 你好",
    ]


def test_main_sends_the_default_messages_when_none_is_given(
    echo_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert length_prefix.main(["--port", str(echo_port), "--recv-size", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["Message 1: Hello", "Message 2: world", "Message 3: 你好"]


def test_main_refuses_a_message_over_the_maximum_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Port 9 (discard) is never dialled: the size is checked first.
    assert length_prefix.main(["--port", "9", "--max-size", "4", "Hello"]) == 1
    assert one_line(capsys.readouterr().err) == (
        "length_prefix: 127.0.0.1:9: a message of 5 bytes is over the 4-byte limit"
    )


def test_main_reports_an_answer_cut_off_mid_frame(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    def cut(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(b"\x00\x00\x00\x0aHel")  # announces 10 bytes, sends 3

    port = tcp_peer(cut)
    assert length_prefix.main(["--port", str(port)]) == 1
    err = one_line(capsys.readouterr().err)
    assert (
        err == f"length_prefix: 127.0.0.1:{port}: connection closed after 3 of 10 bytes"
    )


def test_main_reports_an_announced_length_over_the_maximum(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    def huge(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(b"\xff\xff\xff\xff")

    port = tcp_peer(huge)
    assert length_prefix.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err).endswith(
        ": a message of 4294967295 bytes is over the 1048576-byte limit"
    )


def test_main_reports_a_refused_connection(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, not listening: refused
        port = closed.getsockname()[1]
        assert length_prefix.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"length_prefix: 127.0.0.1:{port} refused; is the server running?"
    )


def test_main_reports_a_server_that_never_answers(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    answered = threading.Event()

    def silent(conn: socket.socket) -> None:
        read_to_end(conn)
        answered.wait(TIMEOUT)  # keeps the connection open, says nothing

    port = tcp_peer(silent)
    try:
        assert length_prefix.main(["--port", str(port), "--timeout", "0.2"]) == 1
    finally:
        answered.set()
    assert one_line(capsys.readouterr().err) == (
        f"length_prefix: 127.0.0.1:{port}: no answer in 0.2 s"
    )


def test_main_reports_a_reset_connection(
    tcp_peer: PeerStarter, capsys: pytest.CaptureFixture[str]
) -> None:
    def reset(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    port = tcp_peer(reset)
    assert length_prefix.main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err) == (
        f"length_prefix: 127.0.0.1:{port}: Connection reset by peer"
    )


def test_main_stops_cleanly_on_ctrl_c(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def ctrl_c(*args: object) -> socket.socket:
        raise KeyboardInterrupt

    monkeypatch.setattr(socket, "create_connection", ctrl_c)
    assert length_prefix.main([]) == 130
    assert capsys.readouterr() == ("", "Stopped.\n")


@pytest.mark.parametrize(
    ("option", "value", "highest"),
    [
        ("--max-size", "0", 4294967295),
        ("--max-size", "4294967296", 4294967295),
        ("--recv-size", "65537", 65536),
        ("--recv-size", "lots", 65536),
    ],
)
def test_main_refuses_a_size_that_cannot_work(
    option: str, value: str, highest: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        length_prefix.main([option, value])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(
            f"argument {option}: must be a whole number from 1 to {highest}, not {value!r}"
        )
    )


# --- the commands the page gives ---------------------------------------------------


def run_against_echo_server(
    start: Callable[..., Program], *words: str, cwd: Path = ROOT
) -> tuple[str, tuple[int, str, str]]:
    """Start the site's server with --echo, then the command; return both outputs."""
    server = start("examples/tcp/tcp_server.py", "--echo", "--port", "0")
    port = str(server.wait_listening())
    client = start(*words, "--port", port, cwd=cwd).finish()
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    return out, client


def test_command_talks_to_the_sites_echo_server(start: Callable[..., Program]) -> None:
    server_out, client = run_against_echo_server(
        start, "examples/framing/length_prefix.py", "--recv-size", "1"
    )
    assert client == (
        0,
        "Sent 3 messages in 28 bytes: b'\\x00\\x00\\x00\\x05Hello\\x00\\x00\\x00"
        "\\x05world\\x00\\x00\\x00\\x06\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd'\n"
        "Message 1: Hello\nMessage 2: world\nMessage 3: 你好\n",
        "",
    )
    assert server_out.startswith("Received 28 bytes from 127.0.0.1:")
    assert server_out.endswith("Echoed 28 bytes.\n")


def test_command_runs_as_a_module(start: Callable[..., Program]) -> None:
    _, (code, out, _) = run_against_echo_server(
        start, "-m", "examples.framing.length_prefix", "x"
    )
    assert (code, out.splitlines()[-1]) == (0, "Message 1: x")


def test_command_runs_from_a_lone_copy_of_the_file(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    shutil.copy(ROOT / "examples" / "framing" / "length_prefix.py", tmp_path)
    _, (code, out, _) = run_against_echo_server(
        start, str(tmp_path / "length_prefix.py"), "copied", cwd=tmp_path
    )
    assert (code, out.splitlines()[-1]) == (0, "Message 1: copied")


def test_command_reports_an_answer_cut_off_mid_frame_as_the_page_shows(
    start: Callable[..., Program], tcp_peer: PeerStarter
) -> None:
    # framing.md#incomplete: a peer that announces 10 bytes, sends 3, closes.
    def cut(conn: socket.socket) -> None:
        read_to_end(conn)
        conn.sendall(b"\x00\x00\x00\x0aHel")

    port = tcp_peer(cut)
    code, out, err = start(
        "examples/framing/length_prefix.py", "--port", str(port)
    ).finish()
    assert (code, out) == (1, "")
    assert normalise(err, port) == normalise(page_output("framing-incomplete"), None)


# --- what the page says about the problem ------------------------------------------


@pytest.mark.skipif(
    sys.platform == "win32", reason="MSG_PEEK | MSG_WAITALL is a Unix combination"
)
def test_without_nagles_algorithm_two_sends_still_come_back_from_one_recv() -> None:
    # framing.md#names: TCP_NODELAY sends each small write at once, yet gives
    # the messages no boundaries: once both have arrived, one recv() takes both.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        sender = socket.create_connection(listener.getsockname()[:2], TIMEOUT)
        receiver, _ = listener.accept()
        with sender, receiver:
            receiver.settimeout(TIMEOUT)
            sender.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sender.sendall(b"Hello")
            sender.sendall(b"world")
            # Wait, without taking anything, until all 10 bytes are there.
            flags = socket.MSG_PEEK | socket.MSG_WAITALL
            assert receiver.recv(10, flags) == b"Helloworld"
            assert receiver.recv(1024) == b"Helloworld"
