r"""Newline-delimited messages: one line per message over a TCP connection.

Each message ends with a newline byte, ``b"\n"``, and so may not contain
one. The receiver keeps what it has received until a newline ends a line,
and refuses a line longer than a maximum length before buffering more:
without that cap, a peer that never sends a newline would make it keep
everything. Lines suit text typed or read by people (many internet
protocols, such as SMTP and Redis's, are line-based); a length prefix
suits any bytes.

Run as a program, it is a client of the site's TCP server started with
``--echo``: it sends every MESSAGE as a line over one connection, reads the
echoed stream back ``--recv-size`` bytes at a time, and prints each line the
decoder gives back.

Usage (start ``python tcp_server.py --echo`` first):

    python line_framing.py [--host HOST] [--port PORT] [--timeout SECONDS]
                           [--max-line BYTES] [--recv-size BYTES]
                           [MESSAGE] ...
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Iterable, Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
ENCODING = "utf-8"
BUFFER_SIZE = 4096  # bytes asked for per recv()
TIMEOUT = 10.0  # seconds to wait for the server at each step
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted
NEWLINE = b"\n"
MAX_LINE = 64 * 1024  # bytes: the longest line accepted by default
MAX_RECV_SIZE = 65536  # bytes: the largest --recv-size accepted
MESSAGES = ["Hello", "world", "你好"]  # sent when none is given


class LineTooLong(ValueError):
    """A line is over the maximum length, or holds a newline of its own."""


class UnterminatedLine(EOFError):
    """The stream ended after part of a line, with no newline after it."""


def encode_line(data: bytes, max_line: int = MAX_LINE) -> bytes:
    r"""Turn one message into a line: the bytes, then a newline.

    Args:
        data: The message; may be empty, may not contain ``b"\n"``.
        max_line: The longest message allowed, newline not counted.

    Returns:
        The line, ready for ``sendall()``.

    Raises:
        LineTooLong: ``data`` holds a newline, or is over ``max_line``.
    """
    if NEWLINE in data:
        raise LineTooLong("a message sent as a line cannot hold a newline")
    if len(data) > max_line:
        message = (
            f"a line of {len(data)} bytes is over the {max_line}-byte limit"
        )
        raise LineTooLong(message)
    return data + NEWLINE


class LineDecoder:
    """Turn bytes that arrive in pieces of any size back into lines."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        """Start with nothing buffered; refuse lines over ``max_line``."""
        self.max_line = max_line
        self._buffer = bytearray()
        self._searched = 0  # bytes of the buffer known to hold no newline

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the lines they complete.

        Args:
            data: The next bytes of the stream, as ``recv()`` returned them.

        Returns:
            Every line completed so far, without its newline, in order.

        Raises:
            LineTooLong: A line is over the maximum length.
        """
        self._buffer += data
        lines: list[bytes] = []
        while True:
            end = self._buffer.find(NEWLINE, self._searched)
            if end == -1:  # no whole line (yet): keep the bytes, if allowed
                self._searched = len(self._buffer)
                if len(self._buffer) > self.max_line:
                    raise LineTooLong(self._too_long())
                return lines
            if end > self.max_line:
                raise LineTooLong(self._too_long())
            lines.append(bytes(self._buffer[:end]))
            del self._buffer[: end + 1]
            self._searched = 0

    def _too_long(self) -> str:
        return f"a line is over the {self.max_line}-byte limit"

    def close(self) -> None:
        """Check, at the end of the stream, that no line was left half.

        Raises:
            UnterminatedLine: The stream ended inside a line.
        """
        if self._buffer:
            count = len(self._buffer)
            message = f"connection closed after {count} bytes of a line"
            raise UnterminatedLine(message)


def exchange(
    sock: socket.socket,
    messages: Iterable[bytes],
    max_line: int = MAX_LINE,
    recv_size: int = BUFFER_SIZE,
) -> list[bytes]:
    """Send messages as lines to an echo server; split what comes back.

    Args:
        sock: A TCP socket connected to the server.
        messages: The messages to send.
        max_line: The longest line sent or accepted.
        recv_size: The most bytes to take per ``recv()`` call.

    Returns:
        The lines read from the server's answer.

    Raises:
        LineTooLong: A line is over ``max_line``, or a message holds a
            newline.
        UnterminatedLine: The answer ended inside a line.
    """
    stream = b"".join(encode_line(data, max_line) for data in messages)
    sock.sendall(stream)
    sock.shutdown(socket.SHUT_WR)  # the echo server answers after b""
    decoder = LineDecoder(max_line)
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
        description="Send newline-delimited messages to an echo server."
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
        "--max-line",
        type=byte_count(2**31 - 1),
        default=MAX_LINE,
        metavar="BYTES",
        help="longest line sent or accepted (default: %(default)s)",
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
        stream = b"".join(
            encode_line(data, args.max_line) for data in messages
        )
        address = (args.host, args.port)
        with socket.create_connection(address, args.timeout) as sock:
            replies = exchange(sock, messages, args.max_line, args.recv_size)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except (LineTooLong, UnterminatedLine) as exc:
        print(f"line_framing: {server}: {exc}", file=sys.stderr)
        return 1
    except ConnectionRefusedError:
        print(
            f"line_framing: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"line_framing: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        reason = exc.strerror or exc
        print(f"line_framing: {server}: {reason}", file=sys.stderr)
        return 1
    noun = "line" if len(messages) == 1 else "lines"
    print(f"Sent {len(messages)} {noun} in {len(stream)} bytes: {stream!r}")
    for number, data in enumerate(replies, start=1):
        print(f"Line {number}: {decode(data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
