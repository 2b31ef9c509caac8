"""Clients of the echo servers, well-behaved and not; every wait is bounded.

The protocol: a 4-byte big-endian length, then that many bytes; the server
answers each message with the same bytes, framed the same way.
"""

from __future__ import annotations

import socket
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT, TIMEOUT, Program

HEADER = struct.Struct("!I")
SERVERS = [
    "echo_sequential",
    "echo_threads",
    "echo_socketserver",
    "echo_selectors",
    "echo_asyncio",
]
CONCURRENT = SERVERS[1:]
FOLDER = ROOT / "examples" / "servers"


def path_of(name: str) -> Path:
    return FOLDER / f"{name}.py"


def frame(data: bytes) -> bytes:
    return HEADER.pack(len(data)) + data


def connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.connect((host, port))
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return bytes(data)


def ask(sock: socket.socket, data: bytes) -> bytes:
    """Send one message, return the reply's body (its length checked)."""
    sock.sendall(frame(data))
    (size,) = HEADER.unpack(recv_exactly(sock, HEADER.size))
    assert size == len(data)
    return recv_exactly(sock, size)


def echo_ok(
    port: int, data: bytes = "still here 还在".encode(), host: str = "127.0.0.1"
) -> None:
    """A well-behaved client is served: the server did not give up."""
    with connect(port, host) as sock:
        assert ask(sock, data) == data
        assert ask(sock, b"") == b""


def read_to_end(sock: socket.socket) -> bytes:
    """Read until the server closes (FIN) or resets the connection."""
    data = bytearray()
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return bytes(data)


def replies_to(stream: bytes, max_size: int) -> tuple[bytes, bool]:
    """What an echo server answers to ``stream`` followed by the end.

    Returns the replies' bytes, and whether the server refused a header
    (then it closes with bytes unread, which may reset the connection and
    lose replies in flight: only a prefix is sure to arrive).
    """
    replies = bytearray()
    rest = stream
    while len(rest) >= HEADER.size:
        (size,) = HEADER.unpack_from(rest)
        if size > max_size:
            return bytes(replies), True
        if len(rest) - HEADER.size < size:
            break
        replies += rest[: HEADER.size + size]
        rest = rest[HEADER.size + size :]
    return bytes(replies), False


def closed_by_server(sock: socket.socket) -> bool:
    """The server has closed this connection (EOF or reset), within TIMEOUT."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the system sends RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@dataclass
class Running:
    name: str
    program: Program
    port: int


def command(name: str, *options: str) -> list[str]:
    return [sys.executable, str(path_of(name)), "--port", "0", *options]


@contextmanager
def running(name: str, *options: str) -> Iterator[Running]:
    """A server started as a command; stopped with Ctrl+C at the end, which
    must end it cleanly: status 130, ``Stopped.`` last, no traceback, no
    warning (an unclosed socket's ResourceWarning included)."""
    program = Program(command(name, *options))
    try:
        port = program.wait_listening()
        yield Running(name, program, port)
        program.interrupt()
        code, out, err = program.finish()
        assert (code, out) == (130, ""), err
        assert err.endswith("Stopped.\n"), err
        assert "Traceback" not in err and "Warning" not in err, err
    finally:
        program.close()


def rss_bytes(pid: int) -> int:
    """The resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")
