"""UDP receiver: wait for a datagram, print it, send a reply back.

The corrected form of the chapter's UDP receiver. It binds a datagram socket
to 127.0.0.1:8888, waits for one datagram, prints it and replies to the
address it came from. The reply is ``--reply TEXT``, or, as in the chapter,
typed at a prompt.

Lifecycle: by default it handles one datagram and exits, as in the chapter.
With ``--forever`` it handles datagrams until Ctrl+C.

Buffer size: it receives with a buffer of 65535 bytes, more than the largest
UDP payload (65507 bytes over IPv4, 65527 over IPv6), so no datagram is ever
cut short. With a smaller buffer the rest of a longer datagram would be lost
(Linux, macOS) or ``recvfrom()`` would raise an error (Windows).

Usage (then run udp_sender.py in a second terminal):

    python udp_receiver.py [--host HOST] [--port PORT] [--reply TEXT]
                           [--forever]
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
MAX_DATAGRAM = 65535  # bytes; every UDP datagram fits
POLL_INTERVAL = (
    0.5  # seconds; recvfrom() wakes this often so Ctrl+C works on Windows
)


def open_receiver(host: str, port: int) -> socket.socket:
    """Create a UDP socket bound to ``host:port``.

    Args:
        host: The address to receive on; one containing ``:`` is IPv6.
        port: The port to receive on; 0 lets the operating system pick a
            free one.

    Returns:
        The bound socket. The caller closes it.

    Raises:
        OSError: The address cannot be used, for example the port is in use.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)  # SOCK_DGRAM: UDP
    try:
        sock.bind((host, port))  # one argument: a (host, port) tuple
    except OSError:
        sock.close()
        raise
    return sock


def receive(
    sock: socket.socket, poll_interval: float = POLL_INTERVAL
) -> tuple[bytes, Any]:
    """Wait for the next datagram.

    ``recvfrom()`` blocks until a datagram arrives. On Windows a blocking call
    does not notice Ctrl+C, so it waits at most ``poll_interval`` seconds at
    a time and then tries again. Windows also reports there, as
    ``ConnectionResetError``, that an earlier reply found no one listening;
    that is no reason to stop receiving.

    Args:
        sock: A bound UDP socket.
        poll_interval: Seconds between two checks for Ctrl+C.

    Returns:
        The datagram's bytes (possibly ``b""``) and the sender's address.
    """
    sock.settimeout(poll_interval)
    while True:
        try:
            return sock.recvfrom(MAX_DATAGRAM)
        except (TimeoutError, ConnectionResetError):
            continue


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


def handle_datagram(
    sock: socket.socket, data: bytes, address: Any, reply: str | None = None
) -> bool:
    """Print a datagram and send a reply to the address it came from.

    Args:
        sock: The socket the datagram arrived on.
        data: The datagram's bytes.
        address: The sender's address.
        reply: The reply's text; ``None`` asks for it at a prompt.

    Returns:
        True if the reply was sent, False if sending failed (the reason is
            printed on stderr).

    Raises:
        EOFError: The reply was to be typed, but standard input is closed.
    """
    print(
        f"Received {len(data)} bytes from {format_address(address)}:"
        f" {decode(data)}",
        flush=True,
    )
    text = input("Reply: ") if reply is None else reply
    payload = text.encode(ENCODING, errors="surrogateescape")
    try:
        sock.sendto(payload, address)  # UDP: every send names its destination
    except OSError as exc:  # e.g. a reply longer than a datagram can hold
        print(
            f"{format_address(address)}: {exc.strerror or exc}",
            file=sys.stderr,
            flush=True,
        )
        return False
    print(f"Replied {len(payload)} bytes.", flush=True)
    return True


def serve(
    sock: socket.socket,
    reply: str | None = None,
    forever: bool = False,
    poll_interval: float = POLL_INTERVAL,
) -> int:
    """Handle one datagram, or with ``forever`` every datagram until Ctrl+C.

    Args:
        sock: A bound UDP socket from `open_receiver`.
        reply: The reply's text; ``None`` asks for each reply at a prompt.
        forever: Keep going after the first datagram.
        poll_interval: Seconds between two checks for Ctrl+C.

    Returns:
        The exit status for one datagram: 0 if the reply was sent, else 1.
    """
    while True:
        data, address = receive(sock, poll_interval)
        ok = handle_datagram(sock, data, address, reply)
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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command-line options."""
    parser = argparse.ArgumentParser(
        description="Print UDP datagrams and reply."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to receive on; 0.0.0.0: all (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="port to receive on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--reply",
        help="reply text (default: asked at a prompt for each datagram)",
    )
    parser.add_argument(
        "--forever",
        action="store_true",
        help="handle datagrams until Ctrl+C (default: one, then exit)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the receiver; return the exit status."""
    args = parse_args(argv)
    try:
        sock = open_receiver(args.host, args.port)
    except OSError as exc:
        reason = exc.strerror or exc
        print(
            f"udp_receiver: cannot bind {args.host}:{args.port}: {reason}",
            file=sys.stderr,
        )
        return 1
    try:
        with sock:
            print(
                f"Listening on UDP {format_address(sock.getsockname())}",
                flush=True,
            )
            return serve(sock, args.reply, args.forever)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except EOFError:  # Ctrl+D at the prompt: end the prompt's line first
        print("\nudp_receiver: no reply given", file=sys.stderr)
        return 2
    except UnicodeError as exc:
        print(
            f"udp_receiver: the reply is not valid text: {exc}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
