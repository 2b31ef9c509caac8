"""Echo client: send length-prefixed messages on one connection, print replies.

It speaks the protocol of the echo servers in this folder: each message goes
out as a 4-byte big-endian length followed by its bytes, and the client
reads the reply, framed the same way, before it sends the next one. A
message over ``--max-size`` bytes is refused before it is sent, and a reply
announcing more before it is read.

The messages come from the command line, one argument each; without any,
from standard input, one line each: at a ``Message to send:`` prompt when
standard input is a terminal (Ctrl+D, or Ctrl+Z then Enter on Windows, ends
it), else line by line from a file or a pipe. The client prints each reply
after ``Reply:``.

Usage (with one of the echo servers running):

    python echo_client.py [--host HOST] [--port PORT] [--timeout SECONDS]
                          [--max-size BYTES] [MESSAGE] ...
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
from collections.abc import Iterator, Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
ENCODING = "utf-8"
BUFFER_SIZE = 4096  # bytes asked for per recv()
HEADER = struct.Struct("!I")  # 4 bytes, big-endian ("network order")
MAX_SIZE = 1024 * 1024  # bytes: the largest message sent or accepted
TIMEOUT = 10.0  # seconds: the longest wait for the server at each step
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted
PROMPT = "Message to send: "


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


def ask(sock: socket.socket, data: bytes, max_size: int = MAX_SIZE) -> bytes:
    """Send one message and return the server's reply to it.

    Args:
        sock: A socket connected to an echo server.
        data: The message.
        max_size: The largest message sent, and the largest reply accepted.

    Returns:
        The reply's bytes.

    Raises:
        MessageTooLarge: The message, or the reply, is over ``max_size``.
        EOFError: The server closed the connection before the whole reply.
        OSError: The connection failed, or timed out (TimeoutError).
    """
    sock.sendall(encode_message(data, max_size))
    reply = recv_message(sock, max_size)
    if reply is None:
        raise EOFError("the server closed the connection")
    return reply


def messages(words: Sequence[str]) -> Iterator[bytes]:
    """The messages to send, as bytes, one at a time.

    Each comes encoded as UTF-8; ``surrogateescape`` sends bytes from the
    command line unchanged, and lines from a file or a pipe are sent as their
    bytes, without the line ending.

    Args:
        words: The command line's messages. Without any, the lines of
            standard input are the messages: typed at a prompt if it is a
            terminal, else read as they come.
    """
    if words:
        for word in words:
            yield word.encode(ENCODING, errors="surrogateescape")
    elif sys.stdin.isatty():
        while True:
            try:
                text = input(PROMPT)
            except EOFError:  # Ctrl+D: end the prompt's line, then stop
                print()
                return
            yield text.encode(ENCODING, errors="surrogateescape")
    else:
        for line in sys.stdin.buffer:
            yield line.rstrip(b"\r\n")


def run(
    host: str,
    port: int,
    words: Sequence[str],
    timeout: float = TIMEOUT,
    max_size: int = MAX_SIZE,
) -> int:
    """Connect, then send each message and print its reply.

    Args:
        host: The server's address.
        port: The server's port.
        words: The messages from the command line (see `messages`).
        timeout: Seconds to wait at each step: connect, send, each read.
        max_size: The largest message sent, and the largest reply accepted.

    Returns:
        How many messages were answered.
    """
    answered = 0
    with socket.create_connection((host, port), timeout=timeout) as sock:
        print(f"Connected to {format_address((host, port))}", flush=True)
        for data in messages(words):
            reply = ask(sock, data, max_size)
            print(f"Reply: {decode(reply)}", flush=True)
            answered += 1
    return answered


def format_address(address: Any) -> str:
    """Write a socket address as ``host:port``, or ``[host]:port`` for IPv6.

    Args:
        address: A tuple whose first two items are host and port.

    Returns:
        The address as text.
    """
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


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
        help="messages to send (default: lines of standard input)",
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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the client; return the exit status."""
    args = parse_args(argv)
    server = format_address((args.host, args.port))
    try:
        run(args.host, args.port, args.message, args.timeout, args.max_size)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except UnicodeError as exc:
        print(
            f"echo_client: the message is not valid text: {exc}",
            file=sys.stderr,
        )
        return 2
    except ConnectionRefusedError:
        print(
            f"echo_client: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"echo_client: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except (EOFError, ValueError) as exc:  # closed early, or a wrong reply
        print(f"echo_client: {server}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        print(f"echo_client: {server}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
