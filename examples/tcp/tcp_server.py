"""TCP server: accept a client, read its whole message, print it.

The corrected form of the chapter's TCP server. It listens on 127.0.0.1:8888,
reads everything a client sends until the client closes its side of the
connection, prints the text and closes the connection. With ``--echo`` it
answers first: it sends the same bytes back, then closes.

Lifecycle: by default it serves one client and exits, as in the chapter. With
``--forever`` it serves clients one after another until Ctrl+C.

Usage (then run tcp_client.py in a second terminal):

    python tcp_server.py [--host HOST] [--port PORT] [--forever] [--echo]
                         [--timeout SECONDS]
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
BUFFER_SIZE = (
    4096  # bytes asked for per recv(); any size works, bigger is faster
)
CLIENT_TIMEOUT = 10.0  # seconds a connected client may stay silent
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted
POLL_INTERVAL = (
    0.5  # seconds; accept() wakes this often so Ctrl+C works on Windows
)


def open_server(
    host: str, port: int, backlog: int = socket.SOMAXCONN
) -> socket.socket:
    """Create a TCP socket that listens on ``host:port``.

    Args:
        host: The address to listen on. ``127.0.0.1`` accepts local clients
            only; an address containing ``:`` is IPv6, such as ``::1``.
        port: The port to listen on; 0 lets the operating system pick a free
            one.
        backlog: How many connections the operating system keeps
            established, ahead of ``accept()``; more clients connecting at
            once are turned away or kept waiting. The default asks for the
            most the system allows (on Linux, ``net.core.somaxconn`` caps it),
            so that a burst of clients all get through, one after another.

    Returns:
        The listening socket. The caller closes it.

    Raises:
        OSError: The address cannot be used, for example the port is in use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)  # SOCK_STREAM: TCP
    # Let the server restart at once even if old connections of this port are
    # still in TIME_WAIT (SO_REUSEADDR). On Windows that option would let a
    # second server take a port in use, so there SO_EXCLUSIVEADDRUSE is set.
    option = getattr(socket, "SO_EXCLUSIVEADDRUSE", socket.SO_REUSEADDR)
    server.setsockopt(socket.SOL_SOCKET, option, 1)
    try:
        server.bind((host, port))  # one argument: a (host, port) tuple
        server.listen(backlog)
    except OSError:
        server.close()
        raise
    return server


def accept_client(
    server: socket.socket, poll_interval: float = POLL_INTERVAL
) -> tuple[socket.socket, Any]:
    """Wait for the next client and return its socket and address.

    ``accept()`` blocks until a client connects. On Windows a blocking
    ``accept()`` does not notice Ctrl+C, so it waits at most
    ``poll_interval`` seconds at a time and then tries again.

    Args:
        server: A listening socket from `open_server`.
        poll_interval: Seconds between two checks for Ctrl+C.

    Returns:
        The connected socket and the client's address, such as
            ``("127.0.0.1", 50000)``.
    """
    server.settimeout(poll_interval)
    while True:
        try:
            return server.accept()
        except TimeoutError:
            continue


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


def handle_client(
    conn: socket.socket,
    address: Any,
    timeout: float = CLIENT_TIMEOUT,
    echo: bool = False,
) -> bool:
    """Read one client's whole message, print it and close the connection.

    Args:
        conn: The socket that `accept_client` returned. It is closed on return.
        address: The client's address.
        timeout: Seconds the client may stay silent before it is dropped.
        echo: Send the message back before closing: the client, which has
            closed only its sending side, reads it as the reply.

    Returns:
        True if the message arrived, False if the connection failed (the
            reason is printed on stderr).
    """
    with conn:
        conn.settimeout(timeout)
        try:
            data = recv_all(conn)
            if echo:
                conn.sendall(data)
        except OSError as exc:  # TimeoutError, ConnectionResetError, ...
            reason = exc.strerror or exc
            print(
                f"{format_address(address)}: {reason}",
                file=sys.stderr,
                flush=True,
            )
            return False
    text = decode(data)
    print(
        f"Received {len(data)} bytes from {format_address(address)}: {text}",
        flush=True,
    )
    if echo:
        print(f"Echoed {len(data)} bytes.", flush=True)
    return True


def serve(
    server: socket.socket,
    forever: bool = False,
    timeout: float = CLIENT_TIMEOUT,
    poll_interval: float = POLL_INTERVAL,
    echo: bool = False,
) -> int:
    """Serve one client, or with ``forever`` every client until Ctrl+C.

    Args:
        server: A listening socket from `open_server`.
        forever: Keep serving after the first client.
        timeout: Seconds each client may stay silent.
        poll_interval: Seconds between two checks for Ctrl+C.
        echo: Send each client's message back to it.

    Returns:
        The exit status for one client: 0 if its message arrived, else 1.
    """
    while True:
        conn, address = accept_client(server, poll_interval)
        ok = handle_client(conn, address, timeout, echo)
        if not forever:
            return 0 if ok else 1


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
        description="Print what TCP clients send."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on; 0.0.0.0: all (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--forever",
        action="store_true",
        help="serve clients until Ctrl+C (default: one, then exit)",
    )
    parser.add_argument(
        "--echo",
        action="store_true",
        help="send each message back to its client (default: no answer)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=CLIENT_TIMEOUT,
        metavar="SECONDS",
        help="longest silence of a client (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; return the exit status."""
    args = parse_args(argv)
    try:
        server = open_server(args.host, args.port)
    except OSError as exc:
        reason = exc.strerror or exc
        print(
            f"tcp_server: cannot listen on {args.host}:{args.port}: {reason}",
            file=sys.stderr,
        )
        return 1
    try:
        with server:
            print(
                f"Listening on {format_address(server.getsockname())}",
                flush=True,
            )
            return serve(server, args.forever, args.timeout, echo=args.echo)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
