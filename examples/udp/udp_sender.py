"""UDP sender: send one datagram and print the receiver's reply.

The corrected form of the chapter's UDP sender. It sends the message as one
UTF-8 datagram to 127.0.0.1:8888 with ``sendto()`` and waits, with a timeout,
for the reply. UDP has no connection: if no receiver is running, Linux and
macOS tell the sender nothing, so the timeout ends the wait; Windows reports
it at once as ``ConnectionResetError``. Both end in the same message.

Usage (start udp_receiver.py first):

    python udp_sender.py [--host HOST] [--port PORT] [--timeout SECONDS]
                         [MESSAGE]

Without MESSAGE the sender asks for it at a prompt, as in the chapter.
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
TIMEOUT = 60.0  # seconds to wait for the reply; someone may be typing it
MAX_TIMEOUT = 86400.0  # seconds (a day): the longest --timeout accepted


def send_and_wait(
    host: str, port: int, data: bytes, timeout: float = TIMEOUT
) -> tuple[bytes, Any]:
    """Send ``data`` as one datagram to ``host:port`` and wait for the reply.

    Once the datagram is sent, it prints what it sent and how long it waits.

    Args:
        host: The receiver's address; one containing ``:`` is IPv6.
        port: The receiver's port.
        data: The datagram's bytes: at most 65507 over IPv4; may be empty.
        timeout: Seconds to wait for the reply.

    Returns:
        The reply's bytes and the address it came from.

    Raises:
        TimeoutError: No reply came within ``timeout`` seconds.
        ConnectionResetError: On Windows: nothing listens on ``host:port``.
        OSError: Sending failed, for example the message is too long for
            one datagram ("Message too long").
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:  # SOCK_DGRAM: UDP
        sock.settimeout(timeout)
        sock.sendto(
            data, (host, port)
        )  # no connect(): each datagram is addressed
        # Say at once what was sent and what comes next: the wait may be long.
        print(
            f"Sent {len(data)} bytes to {format_address((host, port))};"
            f" waiting up to {timeout} s for the reply.",
            flush=True,
        )
        return sock.recvfrom(MAX_DATAGRAM)


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
        description="Send one UDP datagram; print the reply."
    )
    parser.add_argument(
        "message", nargs="?", help="text to send (default: asked at a prompt)"
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="receiver address (default: %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help="receiver port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=TIMEOUT,
        metavar="SECONDS",
        help="longest wait for the reply (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sender; return the exit status."""
    args = parse_args(argv)
    receiver = format_address((args.host, args.port))
    try:
        text = (
            input("Message to send: ")
            if args.message is None
            else args.message
        )
        # surrogateescape sends bytes from the command line unchanged
        data = text.encode(ENCODING, errors="surrogateescape")
        reply, address = send_and_wait(
            args.host, args.port, data, args.timeout
        )
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    except EOFError:  # Ctrl+D at the prompt: end the prompt's line first
        print("\nudp_sender: no message given", file=sys.stderr)
        return 2
    except UnicodeError as exc:
        print(
            f"udp_sender: the message is not valid text: {exc}",
            file=sys.stderr,
        )
        return 2
    except (TimeoutError, ConnectionResetError):
        print(
            f"udp_sender: no reply from {receiver}"
            f" (waited up to {args.timeout} s); is the receiver running?",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # e.g. "Message too long"
        print(
            f"udp_sender: {receiver}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    print(f"Reply from {format_address(address)}: {decode(reply)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
