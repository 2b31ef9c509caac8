"""Length-prefixed messages: several messages over one TCP connection.

TCP carries a stream of bytes and keeps no message boundaries, so each
message goes out as a frame: its length as a 4-byte big-endian unsigned
number, then that many bytes. The receiver reads the length, checks it
against a maximum size before it keeps any of the message, then reads
exactly that many bytes. `recv_message` does that on a blocking socket;
`FrameDecoder` does it for bytes that come in pieces of any size.

Run as a program, it is a client of the site's TCP server started with
``--echo``: it sends every MESSAGE as a frame over one connection, prints
the bytes it sent, reads the echoed stream back ``--recv-size`` bytes at a
time, and prints each message the decoder gives back whole.

Usage (start ``python tcp_server.py --echo`` first):

    python length_prefix.py [--host HOST] [--port PORT] [--timeout SECONDS]
                            [--max-size BYTES] [--recv-size BYTES]
                            [MESSAGE] ...
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
from collections.abc import Iterable, Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
ENCODING = "utf-8"
BUFFER_SIZE = 4096  # bytes asked for per recv()
TIMEOUT = 10.0  # seconds to wait for the server at each step
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted
HEADER = struct.Struct("!I")  # 4 bytes, big-endian ("network order")
MAX_SIZE = 1024 * 1024  # bytes: the largest message accepted by default
MAX_RECV_SIZE = 65536  # bytes: the largest --recv-size accepted
MESSAGES = ["Hello", "world", "你好"]  # sent when none is given


class MessageTooLarge(ValueError):
    """A message, or a frame's announced length, is over the maximum size."""


class IncompleteMessage(EOFError):
    """The peer closed the connection in the middle of a message."""

    def __init__(self, received: int, expected: int) -> None:
        """Say how many of the expected bytes arrived before the end."""
        super().__init__(
            f"connection closed after {received} of {expected} bytes"
        )
        self.received = received
        self.expected = expected


def check_size(size: int, max_size: int) -> None:
    """Refuse a message of ``size`` bytes if it is over ``max_size``.

    Raises:
        MessageTooLarge: ``size`` is over ``max_size``.
    """
    if size > max_size:
        message = (
            f"a message of {size} bytes is over the {max_size}-byte limit"
        )
        raise MessageTooLarge(message)


def encode_message(data: bytes, max_size: int = MAX_SIZE) -> bytes:
    """Frame one message: its length in 4 bytes, then the bytes themselves.

    Args:
        data: The message; may be empty.
        max_size: The largest message allowed; at most 4 GiB - 1, the
            largest length 4 bytes can hold.

    Returns:
        The frame, ready for ``sendall()``.

    Raises:
        MessageTooLarge: ``data`` is longer than ``max_size``.
    """
    check_size(len(data), min(max_size, 2**32 - 1))
    return HEADER.pack(len(data)) + data


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly ``size`` bytes from a connected stream socket.

    One ``recv()`` returns what has arrived, possibly less than asked for,
    so this reads until it has ``size`` bytes, asking for at most
    ``BUFFER_SIZE`` at a time.

    Args:
        sock: A connected TCP socket.
        size: How many bytes to read.

    Returns:
        Exactly ``size`` bytes.

    Raises:
        IncompleteMessage: The peer closed the connection first.
        TimeoutError: The peer sent nothing for longer than the socket's
            timeout.
    """
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), BUFFER_SIZE))
        if not chunk:  # b"": the peer closed its side
            raise IncompleteMessage(len(data), size)
        data += chunk
    return bytes(data)


def recv_message(
    sock: socket.socket, max_size: int = MAX_SIZE
) -> bytes | None:
    """Read one length-prefixed message from a connected stream socket.

    Args:
        sock: A connected TCP socket.
        max_size: The largest message accepted.

    Returns:
        The message, or None if the peer closed the connection between two
            messages (the normal end).

    Raises:
        MessageTooLarge: The announced length is over ``max_size``; nothing
            of the message has been read.
        IncompleteMessage: The peer closed the connection in the middle of
            a message.
    """
    try:
        header = recv_exactly(sock, HEADER.size)
    except IncompleteMessage as error:
        if error.received == 0:
            return None
        raise
    (size,) = HEADER.unpack(header)
    check_size(size, max_size)  # before reading, and keeping, any of it
    return recv_exactly(sock, size)


class FrameDecoder:
    """Turn bytes that arrive in pieces of any size back into messages.

    A piece may hold several messages, the end of one and the start of the
    next, or a few bytes of a length: what is not yet a whole message is
    kept until the next piece completes it.
    """

    def __init__(self, max_size: int = MAX_SIZE) -> None:
        """Start with nothing buffered; refuse messages over ``max_size``."""
        self.max_size = max_size
        self._buffer = bytearray()
        self._size: int | None = None  # the length read, for the next body

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the messages they complete.

        Args:
            data: The next bytes of the stream, as ``recv()`` returned them.

        Returns:
            Every message completed so far, in order; often none.

        Raises:
            MessageTooLarge: A length is over the maximum size.
        """
        self._buffer += data
        messages: list[bytes] = []
        while True:
            if self._size is None:
                if len(self._buffer) < HEADER.size:
                    return messages
                (size,) = HEADER.unpack_from(self._buffer)
                check_size(size, self.max_size)
                del self._buffer[: HEADER.size]
                self._size = size
            if len(self._buffer) < self._size:
                return messages
            messages.append(bytes(self._buffer[: self._size]))
            del self._buffer[: self._size]
            self._size = None

    def close(self) -> None:
        """Check, at the end of the stream, that no message was left half.

        Raises:
            IncompleteMessage: The stream ended inside a message.
        """
        if self._size is not None:
            raise IncompleteMessage(len(self._buffer), self._size)
        if self._buffer:
            raise IncompleteMessage(len(self._buffer), HEADER.size)


def exchange(
    sock: socket.socket,
    messages: Iterable[bytes],
    max_size: int = MAX_SIZE,
    recv_size: int = BUFFER_SIZE,
) -> list[bytes]:
    """Send messages as frames to an echo server; decode what comes back.

    Args:
        sock: A TCP socket connected to the server.
        messages: The messages to send.
        max_size: The largest message sent or accepted.
        recv_size: The most bytes to take per ``recv()`` call.

    Returns:
        The messages decoded from the server's answer.

    Raises:
        MessageTooLarge: A message is over ``max_size``.
        IncompleteMessage: The answer ended inside a message.
    """
    stream = b"".join(encode_message(data, max_size) for data in messages)
    sock.sendall(stream)
    sock.shutdown(socket.SHUT_WR)  # the echo server answers after b""
    decoder = FrameDecoder(max_size)
    received = []
    while chunk := sock.recv(recv_size):
        received += decoder.feed(chunk)
    decoder.close()
    return received


def decode(data: bytes) -> str:
    r"""Turn received bytes into text that can be printed.

    Bytes that are not valid UTF-8 are shown as escapes such as ``\xff``
    instead of raising ``UnicodeDecodeError``.

    Args:
        data: The bytes received.

    Returns:
        The text.
    """
    return data.decode(ENCODING, errors="backslashreplace")


def format_address(address: Any) -> str:
    """Write a socket address as ``host:port``, or ``[host]:port`` for IPv6.

    Args:
        address: A tuple whose first two items are host and port.

    Returns:
        The address as text.
    """
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def port_number(text: str) -> int:
    """Parse a port number for argparse: a whole number from 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        message = f"must be a whole number from 0 to 65535, not {text!r}"
        raise argparse.ArgumentTypeError(message)
    return port


def seconds(text: str) -> float:
    """Parse a timeout for argparse: more than 0 seconds, at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_TIMEOUT:  # also refuses nan and inf
        message = (
            f"must be a number of seconds above 0 and at most {MAX_TIMEOUT:g},"
            f" not {text!r}"
        )
        raise argparse.ArgumentTypeError(message)
    return value


def byte_count(highest: int) -> Any:
    """An argparse type: a whole number of bytes from 1 to ``highest``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= highest:
            message = (
                f"must be a whole number from 1 to {highest}, not {text!r}"
            )
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Send length-prefixed messages to an echo server."
    )
    parser.add_argument(
        "message",
        nargs="*",
        help=f"messages to send (default: {' '.join(MESSAGES)})",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="server address (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="server port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=TIMEOUT,
        metavar="SECONDS",
        help="longest wait at each step (default: %(default)s)",
    )
    parser.add_argument(
        "--max-size",
        type=byte_count(2**32 - 1),
        default=MAX_SIZE,
        metavar="BYTES",
        help="largest message sent or accepted (default: %(default)s)",
    )
    parser.add_argument(
        "--recv-size",
        type=byte_count(MAX_RECV_SIZE),
        default=BUFFER_SIZE,
        metavar="BYTES",
        help="most bytes taken per recv() (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the client; return the exit status."""
    args = parse_args(argv)
    server = format_address((args.host, args.port))
    texts = args.message or MESSAGES
    # surrogateescape sends bytes from the command line unchanged
    messages = [text.encode(ENCODING, "surrogateescape") for text in texts]
    try:
        for data in messages:
            check_size(len(data), args.max_size)  # before connecting
        address = (args.host, args.port)
        with socket.create_connection(address, args.timeout) as sock:
            replies = exchange(sock, messages, args.max_size, args.recv_size)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except (MessageTooLarge, IncompleteMessage) as exc:
        print(f"length_prefix: {server}: {exc}", file=sys.stderr)
        return 1
    except ConnectionRefusedError:
        print(
            f"length_prefix: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"length_prefix: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        reason = exc.strerror or exc
        print(f"length_prefix: {server}: {reason}", file=sys.stderr)
        return 1
    stream = b"".join(encode_message(m, args.max_size) for m in messages)
    noun = "message" if len(messages) == 1 else "messages"
    print(f"Sent {len(messages)} {noun} in {len(stream)} bytes: {stream!r}")
    for number, data in enumerate(replies, start=1):
        print(f"Message {number}: {decode(data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
