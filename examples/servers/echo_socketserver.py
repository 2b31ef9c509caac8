"""Echo server on socketserver: ThreadingTCPServer starts a thread per client.

The protocol is that of every server in this folder (see echo_sequential.py):
a 4-byte big-endian length, then that many bytes, answered with the same
bytes; a header announcing more than ``--max-size`` bytes is refused before
anything is allocated, with one line on stderr, and the connection is closed
without an answer.

It does what echo_threads.py does, with the standard library's framework:
``socketserver.ThreadingTCPServer`` binds, listens, accepts and starts a
thread for each connection, which calls the handler's ``handle()``; the
handler runs the same blocking code as the other two. The costs and limits
are those of echo_threads.py: a thread per client, and no limit on their
number.

Ctrl+C or SIGTERM stops it: ``serve_forever()`` ends, every connection still
open is shut down (a reply not yet sent is lost, and a client cut in the
middle of a message is reported), ``server_close()`` waits for the threads,
and the program prints ``Stopped.``.

Usage (then run echo_client.py in a second terminal):

    python echo_socketserver.py [--host HOST] [--port PORT] [--max-size BYTES]
                                [--idle-timeout SECS]
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import socket
import socketserver
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
    0.5  # seconds; serve_forever() wakes this often to check for shutdown()
)


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


class EchoHandler(socketserver.BaseRequestHandler):
    """Serve one connection, in the thread the server started for it."""

    server: EchoServer

    def handle(self) -> None:
        """Answer the client's messages until it leaves, fails or idles."""
        self.server.opened(self.request)
        try:
            echo_client(
                self.request,
                self.client_address,
                self.server.max_size,
                self.server.idle_timeout,
            )
        finally:
            self.server.closed(self.request)


class EchoServer(socketserver.ThreadingTCPServer):
    """A ThreadingTCPServer that knows its connections, to end them at stop.

    ``server_close()`` waits for the clients' threads (``block_on_close``),
    so `hang_up_all` must first wake every thread blocked on its client.
    """

    # SO_REUSEADDR: restart at once despite TIME_WAIT; not on Windows, where
    # it would let a second server take the port.
    allow_reuse_address = not hasattr(socket, "SO_EXCLUSIVEADDRUSE")
    request_queue_size = socket.SOMAXCONN  # the listen backlog

    def __init__(
        self, address: tuple[str, int], max_size: int, idle_timeout: float
    ) -> None:
        """Bind to ``address`` and listen; an address with ``:`` is IPv6.

        Raises:
            OSError: The address cannot be used, for example the port is in
                use.
        """
        ipv6 = ":" in address[0]
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.max_size = max_size
        self.idle_timeout = idle_timeout
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()  # the clients' threads share the set
        super().__init__(address, EchoHandler)

    def opened(self, conn: socket.socket) -> None:
        """Note a connection that a handler serves."""
        with self.lock:
            self.connections.add(conn)

    def closed(self, conn: socket.socket) -> None:
        """Forget a connection whose handler is done."""
        with self.lock:
            self.connections.discard(conn)

    def hang_up_all(self) -> None:
        """Shut down every connection still open, waking its thread."""
        with self.lock:
            remaining = list(self.connections)
        for conn in remaining:
            hang_up(conn)


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
        description="Echo length-prefixed messages, socketserver's way."
    )
    add_options(parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server; return the exit status."""
    args = parse_args(argv)
    address = (args.host, args.port)
    try:
        server = EchoServer(address, args.max_size, args.idle_timeout)
    except OSError as exc:
        print(
            f"echo_socketserver: cannot listen on {args.host}:{args.port}:"
            f" {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    stopping = threading.Event()
    stop_on_signals(stopping)
    with server:  # on leaving: server_close(), which joins the threads
        print(
            f"Listening on {format_address(server.server_address)}",
            flush=True,
        )
        serving = threading.Thread(
            target=server.serve_forever, args=(POLL_INTERVAL,)
        )
        serving.start()
        while not stopping.wait(POLL_INTERVAL):  # wakes for Ctrl+C on Windows
            pass
        server.shutdown()  # serve_forever() returns; nothing more is accepted
        serving.join()
        server.hang_up_all()
    print("Stopped.", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
