"""Echo server with selectors: one thread, non-blocking sockets, an event loop.

The protocol is that of every server in this folder (see echo_sequential.py):
a 4-byte big-endian length, then that many bytes, answered with the same
bytes; a header announcing more than ``--max-size`` bytes is refused before
anything is allocated, with one line on stderr, and the connection is closed
without an answer.

One thread serves every client. Every socket is non-blocking, so no call
waits: a selector (``selectors.DefaultSelector``: epoll on Linux, kqueue on
macOS, select on Windows) says which sockets are ready, and the loop reads
or writes only those. Each connection keeps what has arrived of its next
message and a send buffer of the replies the client has not yet taken.

Backpressure: while a client's unsent replies exceed ``--max-size`` bytes,
the server stops reading from it, so a client that sends without reading
holds at most about three times ``--max-size`` bytes (a message being
received, one read, and its unsent replies), and is dropped once it has
neither sent nor taken anything for ``--idle-timeout`` seconds.

Ctrl+C or SIGTERM stops it: the loop ends, every connection is closed (the
replies not yet sent are lost), and the program prints ``Stopped.``.

Usage (then run echo_client.py in a second terminal):

    python echo_selectors.py [--host HOST] [--port PORT] [--max-size BYTES]
                             [--idle-timeout SECS]
"""

from __future__ import annotations

import argparse
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
BUFFER_SIZE = 4096  # bytes asked for per recv()
HEADER = struct.Struct("!I")  # 4 bytes, big-endian ("network order")
MAX_SIZE = 1024 * 1024  # bytes: the largest message accepted (1 MiB)
IDLE_TIMEOUT = 30.0  # seconds a client may stay silent before it is dropped
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --idle-timeout accepted
POLL_INTERVAL = 0.5  # seconds; select() wakes this often: idle clients, Ctrl+C


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


def report(address: Any, problem: Exception) -> None:
    """Print one line on stderr: the client's address and what went wrong."""
    reason = problem.strerror if isinstance(problem, OSError) else None
    print(
        f"{format_address(address)}: {reason or problem}",
        file=sys.stderr,
        flush=True,
    )


class Connection:
    """One client: its socket, what it has sent so far, what it is owed."""

    def __init__(
        self, sock: socket.socket, address: Any, max_size: int, now: float
    ) -> None:
        """Start with nothing received and nothing to send."""
        self.sock = sock
        self.address = address
        self.decoder = FrameDecoder(max_size)  # the message being received
        self.unsent = bytearray()  # replies the client has not yet taken
        self.last_active = now  # when it last sent or took any bytes
        self.finished = False  # it closed its side: send the rest, then close
        self.events = selectors.EVENT_READ  # what the selector watches for


def accept_ready(
    server: socket.socket,
    selector: selectors.BaseSelector,
    max_size: int,
    now: float,
) -> None:
    """Accept a waiting client, make its socket non-blocking, watch it."""
    try:
        sock, address = server.accept()
    except BlockingIOError:  # it went away before accept()
        return
    sock.setblocking(False)
    conn = Connection(sock, address, max_size, now)
    selector.register(sock, conn.events, conn)


def read_some(conn: Connection) -> None:
    """Read what has arrived; queue a reply for each message it completes.

    When the client has finished sending, the replies it is owed are still
    sent, even if it stopped in the middle of a message (which is reported).

    Raises:
        MessageTooLarge: A header announces more than the maximum size.
        OSError: The connection failed (ConnectionResetError, ...).
    """
    data = conn.sock.recv(BUFFER_SIZE)
    if not data:  # b"": the client has finished sending
        conn.finished = True
        try:
            conn.decoder.close()
        except IncompleteMessage as exc:
            report(conn.address, exc)
        return
    for message in conn.decoder.feed(data):
        conn.unsent += HEADER.pack(len(message)) + message


def send_some(conn: Connection) -> int:
    """Send as much of the unsent replies as the system takes now.

    Returns:
        How many bytes were sent; 0 if the socket's send buffer is full.

    Raises:
        OSError: The connection failed (BrokenPipeError, ...).
    """
    try:
        sent = conn.sock.send(conn.unsent)
    except BlockingIOError:  # the system's send buffer is full
        return 0
    del conn.unsent[:sent]
    return sent


def wanted(conn: Connection, max_size: int) -> int:
    """The events to watch on a connection; 0 when it is done.

    Reading stops while the unsent replies exceed ``max_size`` bytes
    (backpressure) and once the client has finished sending; writing is
    watched only while there is something to send.
    """
    events = 0
    if not conn.finished and len(conn.unsent) <= max_size:
        events |= selectors.EVENT_READ
    if conn.unsent:
        events |= selectors.EVENT_WRITE
    return events


def drop(selector: selectors.BaseSelector, conn: Connection) -> None:
    """Stop watching a connection, and close it."""
    selector.unregister(conn.sock)
    conn.sock.close()


def handle_events(
    selector: selectors.BaseSelector,
    conn: Connection,
    events: int,
    max_size: int,
    now: float,
) -> None:
    """Do what a ready connection allows: read, answer, send, or close."""
    try:
        if events & selectors.EVENT_READ:
            read_some(conn)
            conn.last_active = now
        if conn.unsent and send_some(conn):  # try at once, no need to wait
            conn.last_active = now
    except (OSError, ValueError) as exc:
        report(conn.address, exc)
        drop(selector, conn)
        return
    events = wanted(conn, max_size)
    if not events:  # finished, and every reply sent
        drop(selector, conn)
    elif events != conn.events:
        conn.events = events
        selector.modify(conn.sock, events, conn)


def drop_idle(
    selector: selectors.BaseSelector, idle_timeout: float, now: float
) -> None:
    """Drop every client that has neither sent nor taken bytes for a while."""
    for key in list(selector.get_map().values()):
        conn = key.data
        if conn is not None and now - conn.last_active > idle_timeout:
            report(conn.address, TimeoutError("timed out"))
            drop(selector, conn)


def serve(
    server: socket.socket,
    stopping: threading.Event,
    max_size: int = MAX_SIZE,
    idle_timeout: float = IDLE_TIMEOUT,
    poll_interval: float = POLL_INTERVAL,
) -> None:
    """Serve every client from one loop, until ``stopping`` is set.

    Then every connection is closed.

    Args:
        server: A listening socket from `open_server`.
        stopping: Set by Ctrl+C or SIGTERM (see `stop_on_signals`).
        max_size: The largest message accepted; also the most unsent reply
            bytes a client may have before the server stops reading it.
        idle_timeout: Seconds each client may make no progress.
        poll_interval: The longest wait in ``select()``.
    """
    server.setblocking(False)
    with selectors.DefaultSelector() as selector:
        selector.register(server, selectors.EVENT_READ)  # data None: accept
        try:
            while not stopping.is_set():
                ready = selector.select(poll_interval)
                now = time.monotonic()
                for key, events in ready:
                    if key.data is None:
                        accept_ready(server, selector, max_size, now)
                    else:
                        handle_events(
                            selector, key.data, events, max_size, now
                        )
                drop_idle(selector, idle_timeout, now)
        finally:
            for key in list(selector.get_map().values()):
                if key.data is not None:
                    key.data.sock.close()


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
        description="Echo length-prefixed messages from one event loop."
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
            f"echo_selectors: cannot listen on {args.host}:{args.port}:"
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
