"""TCP client: connect to a server, send one message, wait until it is read.

The corrected form of the chapter's TCP client. It connects to 127.0.0.1:8888,
sends the message as UTF-8 with ``sendall()``, tells the server it has
finished with ``shutdown()``, and waits until the server closes the
connection, so "Sent" is printed only once the server has read everything.
If the server answers before it closes, the answer is printed too.

Usage (start tcp_server.py first):

    python tcp_client.py [--host HOST] [--port PORT] [--timeout SECONDS]
                         [MESSAGE]

Without MESSAGE the client asks for it at a prompt, as in the chapter.
"""

from __future__ import annotations

import argparse
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


def send_message(
    host: str, port: int, data: bytes, timeout: float = TIMEOUT
) -> bytes:
    """Send ``data`` to the server at ``host:port`` and return its answer.

    Args:
        host: The server's address; one containing ``:`` is IPv6.
        port: The server's port.
        data: The bytes to send; may be empty.
        timeout: Seconds to wait for the server at each step.

    Returns:
        What the server sent back before closing; ``b""`` if nothing.

    Raises:
        ConnectionRefusedError: Nothing listens on ``host:port``.
        TimeoutError: The server did not answer within ``timeout`` seconds.
        OSError: Any other network failure.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        print(f"Connected to {format_address((host, port))}", flush=True)
        sock.sendall(data)  # send() may send only part; sendall() sends it all
        sock.shutdown(
            socket.SHUT_WR
        )  # no more data: the server's recv() gets b""
        return recv_all(sock)  # returns once the server has closed


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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Send one message to a TCP server; print any reply."
    )
    parser.add_argument(
        "message", nargs="?", help="text to send (default: asked at a prompt)"
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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the client; return the exit status."""
    args = parse_args(argv)
    server = format_address((args.host, args.port))
    try:
        text = (
            input("Message to send: ")
            if args.message is None
            else args.message
        )
        # surrogateescape sends bytes from the command line unchanged
        data = text.encode(ENCODING, errors="surrogateescape")
        reply = send_message(args.host, args.port, data, args.timeout)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except EOFError:  # Ctrl+D at the prompt: end the prompt's line first
        print("\ntcp_client: no message given", file=sys.stderr)
        return 2
    except UnicodeError as exc:
        print(
            f"tcp_client: the message is not valid text: {exc}",
            file=sys.stderr,
        )
        return 2
    except ConnectionRefusedError:
        print(
            f"tcp_client: {server} refused; is the server running?",
            file=sys.stderr,
        )
        return 1
    except TimeoutError:
        print(
            f"tcp_client: {server}: no answer in {args.timeout} s",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # ConnectionResetError, no route to host, ...
        print(f"tcp_client: {server}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Sent {len(data)} bytes.")
    if reply:
        print(f"Reply: {decode(reply)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
