"""Tests of examples/servers/echo_asyncio.py: asyncio streams.

What every server does alike is in test_common.py and test_robustness.py;
here, the coroutines on streams fed by hand, and Ctrl+C on Windows.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from examples.servers import echo_asyncio
from tests.servers.peers import frame


def read_from(data: bytes, max_size: int = 10) -> bytes | None:
    async def run() -> bytes | None:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await echo_asyncio.read_message(reader, max_size)

    return asyncio.run(run())


def test_read_message_reads_one_message() -> None:
    assert read_from(frame(b"hello") + frame(b"next")) == b"hello"


def test_read_message_returns_none_at_the_end_between_messages() -> None:
    assert read_from(b"") is None


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\x00\x00", "connection closed after 2 of 4 bytes"),
        (b"\x00\x00\x00\x05abc", "connection closed after 3 of 5 bytes"),
    ],
)
def test_read_message_reports_the_end_in_the_middle(data: bytes, text: str) -> None:
    with pytest.raises(echo_asyncio.IncompleteMessage, match=text):
        read_from(data)


def test_read_message_refuses_a_header_over_the_maximum() -> None:
    with pytest.raises(echo_asyncio.MessageTooLarge):
        read_from(frame(b"x" * 11))


class Transport:
    def __init__(self) -> None:
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True


class WriterNobodyReads:
    """A stream writer whose last replies the client never takes."""

    def __init__(self) -> None:
        self.transport = Transport()
        self.written = b""

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 50000)

    def write(self, data: bytes) -> None:
        self.written += data

    async def drain(self) -> None:
        pass

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        await asyncio.Event().wait()  # never closed: the replies stay unsent


def test_a_client_that_never_takes_its_last_replies_is_aborted() -> None:
    writer = WriterNobodyReads()

    async def run() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(frame(b"last"))
        reader.feed_eof()
        await echo_asyncio.handle_client(reader, writer, 10, 0.05)  # type: ignore[arg-type]

    asyncio.run(run())
    assert writer.written == frame(b"last")
    assert writer.transport.aborted


def test_ctrl_c_where_asyncio_cannot_watch_signals_stops_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # On Windows, Ctrl+C raises KeyboardInterrupt out of asyncio.run().
    async def interrupted(server: socket.socket, *args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(echo_asyncio, "serve", interrupted)
    assert echo_asyncio.main(["--port", "0"]) == 130
    captured = capsys.readouterr()
    assert captured.out.startswith("Listening on 127.0.0.1:")
    assert captured.err == "Stopped.\n"
