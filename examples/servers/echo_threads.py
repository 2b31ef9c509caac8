"""Echo server, a thread per client: each connection is served on its own.

The protocol is that of every server in this folder (see echo_sequential.py):
a 4-byte big-endian length, then that many bytes, answered with the same
bytes; a header announcing more than ``--max-size`` bytes is refused before
anything is allocated, with one line on stderr, and the connection is closed
without an answer.

The main thread accepts connections and starts a thread for each, which
runs the same blocking code as the sequential server. A slow or silent
client blocks only its own thread, until ``--idle-timeout`` frees it; the
cost is a thread per client, each with its own stack, and nothing limits
how many there are.

Ctrl+C or SIGTERM stops it: the server stops accepting, shuts every
connection down (a reply not yet sent is lost, and a client cut in the
middle of a message is reported), waits for the threads, then prints
``Stopped.``.

Usage (then run echo_client.py in a second terminal):

    python echo_threads.py [--host HOST] [--port PORT] [--max-size BYTES]
                           [--idle-timeout SECS]
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import struct
import sys
import threading
from collections.abc import Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
BUFFER_SIZE = 4096  # bytes asked for per recv()
HEADER = struct.Struct("!I")  # 4 bytes, big-endian ("network order")
MAX_SIZE = 1024 * 1024  # bytes: the largest message accepted (1 MiB)
IDLE_TIMEOUT = 30.0  # seconds a client may stay silent before it is dropped
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --idle-timeout accepted
POLL_INTERVAL = (
    0.5  # seconds; accept() wakes this often to see if it must stop
)
STOP_TIMEOUT = 5.0  # seconds to wait for each client's thread at the end


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


def report(address: Any, problem: Exception) -> None:
    """Print one line on stderr: the client's address and what went wrong."""
    reason = problem.strerror if isinstance(problem, OSError) else None
    print(
        f"{format_address(address)}: {reason or problem}",
        file=sys.stderr,
        flush=True,
    )


def echo_client(
    conn: socket.socket, address: Any, max_size: int, idle_timeout: float
) -> None:
    """Answer each message of one client until it leaves; then close.

    Args:
        conn: The client's connected socket. It is closed on return.
        address: The client's address.
        max_size: The largest message accepted.
        idle_timeout: Seconds the client may stay silent (or leave a reply
            unread) before it is dropped.
    """
    with conn:
        conn.settimeout(idle_timeout)
        try:
            while (message := recv_message(conn, max_size)) is not None:
                conn.sendall(HEADER.pack(len(message)) + message)
        except (OSError, EOFError, ValueError) as exc:
            report(address, exc)


def hang_up(conn: socket.socket) -> None:
    """Shut a connection down both ways, waking a thread blocked on it.

    Its ``recv()`` then returns ``b""`` and its ``sendall()`` fails, so the
    thread ends and closes the socket itself.
    """
    with contextlib.suppress(OSError):  # its thread has closed it already
        conn.shutdown(socket.SHUT_RDWR)


def serve(
    server: socket.socket,
    stopping: threading.Event,
    max_size: int = MAX_SIZE,
    idle_timeout: float = IDLE_TIMEOUT,
    poll_interval: float = POLL_INTERVAL,
) -> None:
    """Serve each client in a thread of its own, until ``stopping`` is set.

    Then every connection still open is shut down, and its thread waited
    for.

    Args:
        server: A listening socket from `open_server`.
        stopping: Set by Ctrl+C or SIGTERM (see `stop_on_signals`).
        max_size: The largest message accepted.
        idle_timeout: Seconds each client may stay silent.
        poll_interval: The longest wait in ``accept()`` before the flag is
            checked again.
    """
    clients: dict[socket.socket, threading.Thread] = {}
    lock = threading.Lock()  # the main thread and the clients' share clients

    def serve_one(conn: socket.socket, address: Any) -> None:
        try:
            echo_client(conn, address, max_size, idle_timeout)
        finally:
            with lock:
                del clients[conn]

    server.settimeout(poll_interval)
    while not stopping.is_set():
        try:
            conn, address = server.accept()
        except TimeoutError:
            continue
        thread = threading.Thread(
            target=serve_one, args=(conn, address), daemon=True
        )
        with lock:
            clients[conn] = thread
        thread.start()
    with lock:
        remaining = list(clients.items())
    for conn, _ in remaining:
        hang_up(conn)
    for _, thread in remaining:
        thread.join(STOP_TIMEOUT)


def format_address(address: Any) -> str:
    """Write a socket address as ``host:port``, or ``[host]:port`` for IPv6.

    Args:
        address: A tuple whose first two items are host and port.

    Returns:
        The address as text.
    """
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def stop_on_signals(stopping: threading.Event) -> None:
    """Make Ctrl+C (SIGINT) and SIGTERM set ``stopping`` instead of raising.

    A handler that only sets a flag cannot interrupt the main thread halfway
    through starting a thread or registering a socket, as KeyboardInterrupt
    could; the serving loop checks the flag at least every poll interval.
    """

    def handler(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


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


def add_options(parser: argparse.ArgumentParser) -> None:
    """Add the options every echo server in this folder takes."""
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
        "--max-size",
        type=byte_count(2**32 - 1),
        default=MAX_SIZE,
        metavar="BYTES",
        help="largest message accepted (default: %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=seconds,
        default=IDLE_TIMEOUT,
        metavar="SECS",
        help="longest silence of a client (default: %(default)s)",
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Echo length-prefixed messages, a thread per client."
    )
    add_options(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; return the exit status."""
    args = parse_args(argv)
    try:
        server = open_server(args.host, args.port)
    except OSError as exc:
        print(
            f"echo_threads: cannot listen on {args.host}:{args.port}:"
            f" {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    stopping = threading.Event()
    stop_on_signals(stopping)
    with server:
        print(
            f"Listening on {format_address(server.getsockname())}",
            flush=True,
        )
        serve(server, stopping, args.max_size, args.idle_timeout)
    print("Stopped.", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
