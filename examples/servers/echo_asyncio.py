"""Echo server with asyncio streams: one thread, a coroutine per client.

The protocol is that of every server in this folder (see echo_sequential.py):
a 4-byte big-endian length, then that many bytes, answered with the same
bytes; a header announcing more than ``--max-size`` bytes is refused before
anything is allocated, with one line on stderr, and the connection is closed
without an answer.

asyncio runs an event loop, as echo_selectors.py does by hand, and hides it:
``asyncio.start_server()`` calls `handle_client` for each connection, a
coroutine written as plainly as the blocking code of echo_threads.py, but
each ``await`` (``readexactly()``, ``drain()``) lets the loop serve the other
clients until the data is there. ``drain()`` is the backpressure: after
``write()`` it waits while more than 64 KiB (the transport's high-water
mark) are unsent, and meanwhile that client's coroutine reads nothing more.

Timeouts: every wait (for a header, for a message's body, for ``drain()``)
is bounded by ``--idle-timeout`` with ``asyncio.wait_for()``, which every
supported Python has; from Python 3.11, ``async with asyncio.timeout(s):``
says the same. A whole message body must arrive within that time.

Ctrl+C or SIGTERM stops it: the server stops accepting and closes every
connection (the replies not yet sent are lost, and a client cut in the
middle of a message is reported), each client's coroutine returns, and the
program prints ``Stopped.``.

Usage (then run echo_client.py in a second terminal):

    python echo_asyncio.py [--host HOST] [--port PORT] [--max-size BYTES]
                           [--idle-timeout SECS]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
import struct
import sys
from collections.abc import Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8888
HEADER = struct.Struct("!I")  # 4 bytes, big-endian ("network order")
MAX_SIZE = 1024 * 1024  # bytes: the largest message accepted (1 MiB)
IDLE_TIMEOUT = 30.0  # seconds a client may stay silent before it is dropped
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --idle-timeout accepted


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


async def read_message(
    reader: asyncio.StreamReader, max_size: int
) -> bytes | None:
    """Read one message: its 4-byte length, then that many bytes.

    Args:
        reader: The client's stream.
        max_size: The largest message accepted.

    Returns:
        The message, or None if the client closed the connection between
            two messages (the normal end).

    Raises:
        MessageTooLarge: The announced length is over ``max_size``; nothing
            of the message has been read.
        IncompleteMessage: The client closed the connection in the middle
            of a message.
    """
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise IncompleteMessage(len(error.partial), HEADER.size) from None
    (size,) = HEADER.unpack(header)
    check_size(size, max_size)  # before reading, and keeping, any of it
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as error:
        raise IncompleteMessage(len(error.partial), size) from None


def report(address: Any, problem: Exception) -> None:
    """Print one line on stderr: the client's address and what went wrong."""
    reason = problem.strerror if isinstance(problem, OSError) else None
    print(
        f"{format_address(address)}: {reason or problem}",
        file=sys.stderr,
        flush=True,
    )


async def handle_client(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    max_size: int,
    idle_timeout: float,
) -> None:
    """Answer each message of one client until it leaves; then close.

    Args:
        reader: The client's stream, to read from.
        writer: The client's stream, to write to. It is closed on return.
        max_size: The largest message accepted.
        idle_timeout: Seconds each wait may last: for a header, a message's
            body, or room in the send buffer (``drain()``).
    """
    address = writer.get_extra_info("peername")
    try:
        while True:
            reading = read_message(reader, max_size)
            message = await asyncio.wait_for(reading, idle_timeout)
            if message is None:
                break
            writer.write(HEADER.pack(len(message)) + message)
            await asyncio.wait_for(writer.drain(), idle_timeout)
    except asyncio.TimeoutError:  # not an OSError before Python 3.11
        report(address, TimeoutError("timed out"))
        writer.transport.abort()  # close now, dropping the unsent replies
    except EOFError as exc:  # in the middle of a message: still reply
        report(address, exc)
    except (OSError, ValueError) as exc:
        report(address, exc)
        writer.transport.abort()
    finally:
        writer.close()  # once the last replies are sent (if not aborted)
        try:
            await asyncio.wait_for(writer.wait_closed(), idle_timeout)
        except (OSError, asyncio.TimeoutError):  # reset, or never read
            writer.transport.abort()


async def serve(
    server: socket.socket,
    max_size: int = MAX_SIZE,
    idle_timeout: float = IDLE_TIMEOUT,
) -> None:
    """Serve every client from asyncio's event loop, until Ctrl+C or SIGTERM.

    Then it stops accepting, closes every connection (each client's
    coroutine reads the end and returns) and waits for the coroutines.

    Args:
        server: A listening socket from `open_server`.
        max_size: The largest message accepted.
        idle_timeout: Seconds each wait of a client may last.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    # On Windows asyncio cannot watch signals: there Ctrl+C raises
    # KeyboardInterrupt out of asyncio.run() instead, and main() catches it.
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGINT, stopping.set)
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
    clients: dict[asyncio.StreamWriter, asyncio.Future[Any]] = {}

    async def on_client(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        clients[writer] = asyncio.ensure_future(
            handle_client(reader, writer, max_size, idle_timeout)
        )
        try:
            await clients[writer]
        finally:
            del clients[writer]

    listener = await asyncio.start_server(on_client, sock=server)
    await stopping.wait()
    listener.close()
    remaining = list(clients.items())
    for writer, _ in remaining:
        writer.transport.abort()  # its reader sees the end of the stream
    await asyncio.gather(*(task for _, task in remaining))


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
        description="Echo length-prefixed messages with asyncio streams."
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
            f"echo_asyncio: cannot listen on {args.host}:{args.port}:"
            f" {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    try:
        with server:
            print(
                f"Listening on {format_address(server.getsockname())}",
                flush=True,
            )
            asyncio.run(serve(server, args.max_size, args.idle_timeout))
    except KeyboardInterrupt:  # Ctrl+C on Windows (see serve())
        pass
    print("Stopped.", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
