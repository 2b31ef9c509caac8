"""Why received bytes are never unpickled: a pickle that runs code.

``pickle.loads()`` rebuilds objects by calling the functions that the pickle
names, with the arguments it gives: whoever wrote the bytes chooses what runs,
as soon as they are loaded, before the program can look at the result. A
pickle is for data a program wrote itself; from the network, take JSON (see
json_messages.py), which can only describe data.

Run as a program, it builds a pickle whose loading calls ``print()`` (a
harmless stand-in for any function at all), sends it through the site's TCP
server started with ``--echo``, as a peer would send it, and loads what
comes back twice: with ``pickle.loads()``, which prints the line, and with
the safe decoder, which refuses the bytes. It loads only the very bytes it
made: an answer that is not their echo is refused unread.

Usage (start ``python tcp_server.py --echo`` first):

    python pickle_danger.py [--host HOST] [--port PORT] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import pickle
import socket
import sys
from collections.abc import Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
ENCODING = "utf-8"
BUFFER_SIZE = 4096  # bytes asked for per recv()
TIMEOUT = 10.0  # seconds to wait for the server at each step
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted
PROTOCOL = 4  # the pickle protocol: the same bytes on every Python version
SHOWN = "This line was printed by pickle.loads(), not by the program."


class RunsCode:
    """An object whose pickle calls ``print()`` when it is loaded."""

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Tell pickle how to rebuild this object: call ``print(SHOWN)``.

        Any function could stand here: ``print`` is only the harmless one.
        """
        return (print, (SHOWN,))


def crafted_pickle() -> bytes:
    """The bytes of a pickle that calls ``print()`` as it is loaded."""
    return pickle.dumps(RunsCode(), protocol=PROTOCOL)


def load_safely(data: bytes) -> Any:
    """Decode received bytes as JSON: data only, never code.

    Args:
        data: The bytes received.

    Returns:
        The value the JSON text describes.

    Raises:
        ValueError: The bytes are not UTF-8 text holding JSON.
    """
    try:
        return json.loads(data.decode(ENCODING))
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 text: {error.reason}") from None
    except RecursionError:
        raise ValueError("not JSON: nested too deeply") from None
    except ValueError as error:
        raise ValueError(f"not JSON: {error}") from None


def round_trip(sock: socket.socket, data: bytes) -> bytes:
    """Send ``data`` to an echo server, as a peer would; return the echo.

    Args:
        sock: A TCP socket connected to the server.
        data: The bytes to send.

    Returns:
        What the server sent back before closing.
    """
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)  # the echo server answers after b""
    return recv_all(sock)


def recv_all(sock: socket.socket, bufsize: int = BUFFER_SIZE) -> bytes:
    """Read from a connected TCP socket until the peer closes its side.

    TCP is a stream of bytes, not of messages: one ``recv()`` returns what has
    arrived so far, anything from 1 byte up to ``bufsize``. Only ``b""``
    means that the peer has finished sending.

    Args:
        sock: A connected TCP socket.
        bufsize: The most bytes to take per ``recv()`` call.

    Returns:
        Everything the peer sent; ``b""`` if it sent nothing.

    Raises:
        TimeoutError: The peer sent nothing for longer than the socket's
            timeout.
    """
    data = bytearray()
    while True:
        chunk = sock.recv(bufsize)
        if not chunk:  # b"": the peer closed its side
            return bytes(data)
        data += chunk


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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Show a pickle that runs code once it is loaded."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="echo server address (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="echo server port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=TIMEOUT,
        metavar="SECONDS",
        help="longest wait at each step (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demonstration; return the exit status."""
    args = parse_args(argv)
    server = format_address((args.host, args.port))
    data = crafted_pickle()
    try:
        address = (args.host, args.port)
        with socket.create_connection(address, args.timeout) as sock:
            received = round_trip(sock, data)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except ConnectionRefusedError:
        print(
            f"pickle_danger: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"pickle_danger: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        reason = exc.strerror or exc
        print(f"pickle_danger: {server}: {reason}", file=sys.stderr)
        return 1
    if received != data:  # never unpickle bytes this program did not make
        print(
            f"pickle_danger: {server} did not echo the pickle; not loading it",
            file=sys.stderr,
        )
        return 1
    print(f"Received {len(received)} bytes: {received!r}")
    print("pickle.loads():", flush=True)
    result = pickle.loads(received)  # the very danger shown here
    print(f"It returned {result!r}, after running the call it named.")
    try:
        load_safely(received)
    except ValueError as error:
        print(f"The safe decoder refuses the same bytes: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
