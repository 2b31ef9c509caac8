"""JSON messages over a length prefix: structured data between programs.

Each message is a JSON object, encoded as UTF-8 and sent as one
length-prefixed frame (the framing of length_prefix.py, copied here so that
this file runs alone). The receiver refuses, with a clear error, a frame
that is not UTF-8, not JSON, or JSON but not an object, and never runs
anything a message says: JSON can only describe data. (A received pickle,
by contrast, can run code as it is loaded; see pickle_danger.py.)

Run as a program, it is a client of the site's TCP server started with
``--echo``: it sends every MESSAGE, a JSON object, as a frame over one
connection, reads the echoed frames back and prints each one decoded, as a
Python dictionary.

Usage (start ``python tcp_server.py --echo`` first):

    python json_messages.py [--host HOST] [--port PORT] [--timeout SECONDS]
                            [--max-size BYTES]
                            [MESSAGE] ...
"""

from __future__ import annotations

import argparse
import json
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
MESSAGES = ['{"op": "add", "numbers": [2, 3]}', '{"text": "你好"}']
# What each JSON value that is not an object is called in an error.
JSON_NAMES = {
    bool: "true or false",  # before int: True is an int too
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    type(None): "null",
}


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


class BadMessage(ValueError):
    """A message is not a JSON object encoded as UTF-8."""


def reject_constant(name: str) -> None:
    """Refuse ``NaN``, ``Infinity`` and ``-Infinity``, which JSON lacks.

    Raises:
        ValueError: Always.
    """
    raise ValueError(f"{name} is not a JSON value")


def encode_json(value: dict[str, Any]) -> bytes:
    """Encode a dictionary as a JSON object in UTF-8.

    Args:
        value: A dictionary of JSON values (strings, numbers, booleans,
            None, lists, dictionaries).

    Returns:
        The JSON text as bytes, non-ASCII characters as themselves.

    Raises:
        TypeError: A value cannot be written as JSON.
        ValueError: A number is ``nan`` or infinite.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.encode(ENCODING)


def decode_json(data: bytes) -> dict[str, Any]:
    """Decode one message: UTF-8 text that holds a JSON object.

    Args:
        data: The message, as `recv_message` returned it.

    Returns:
        The object, as a dictionary.

    Raises:
        BadMessage: The bytes are not UTF-8, not JSON, too deeply nested,
            or JSON but not an object.
    """
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError as error:
        raise BadMessage(f"not UTF-8 text: {error.reason}") from None
    try:
        value = json.loads(text, parse_constant=reject_constant)
    except ValueError as error:  # json.JSONDecodeError among them
        raise BadMessage(f"not JSON: {error}") from None
    except RecursionError:
        raise BadMessage("not JSON: nested too deeply") from None
    if not isinstance(value, dict):
        name = JSON_NAMES[type(value)]
        raise BadMessage(f"{name}, not a JSON object")
    return value


def exchange(
    sock: socket.socket,
    values: Iterable[dict[str, Any]],
    max_size: int = MAX_SIZE,
) -> list[dict[str, Any]]:
    """Send JSON objects to an echo server; decode what comes back.

    Args:
        sock: A TCP socket connected to the server.
        values: The objects to send, one message each.
        max_size: The largest message sent or accepted.

    Returns:
        The objects decoded from the server's answer.

    Raises:
        MessageTooLarge: A message is over ``max_size``.
        IncompleteMessage: The answer ended inside a message.
        BadMessage: A message that came back is not a JSON object.
    """
    frames = (encode_message(encode_json(v), max_size) for v in values)
    sock.sendall(b"".join(frames))
    sock.shutdown(socket.SHUT_WR)  # the echo server answers after b""
    received = []
    while (data := recv_message(sock, max_size)) is not None:
        received.append(decode_json(data))
    return received


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


def json_object(text: str) -> dict[str, Any]:
    """Parse a message for argparse: the text of a JSON object."""
    try:
        return decode_json(text.encode(ENCODING, "surrogateescape"))
    except BadMessage as error:
        raise argparse.ArgumentTypeError(f"{error}: {text!r}") from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Send JSON objects to an echo server, length-prefixed."
    )
    parser.add_argument(
        "message",
        nargs="*",
        type=json_object,
        help="JSON objects to send (default: two sample objects)",
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
    values = args.message or [json_object(text) for text in MESSAGES]
    try:
        messages = [encode_json(value) for value in values]
        for data in messages:
            check_size(len(data), args.max_size)  # before connecting
        address = (args.host, args.port)
        with socket.create_connection(address, args.timeout) as sock:
            replies = exchange(sock, values, args.max_size)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except (MessageTooLarge, IncompleteMessage, BadMessage) as exc:
        print(f"json_messages: {server}: {exc}", file=sys.stderr)
        return 1
    except ConnectionRefusedError:
        print(
            f"json_messages: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"json_messages: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        reason = exc.strerror or exc
        print(f"json_messages: {server}: {reason}", file=sys.stderr)
        return 1
    total = sum(HEADER.size + len(data) for data in messages)
    noun = "message" if len(messages) == 1 else "messages"
    print(f"Sent {len(messages)} {noun} in {total} bytes.")
    for number, value in enumerate(replies, start=1):
        print(f"Message {number}: {value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
