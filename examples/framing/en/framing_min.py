"""Two sends, one recv(): a byte stream keeps no boundaries; a length does.

Run: python framing_min.py (no port: both sockets are in this program).
"""

import socket
import struct
import sys


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly size bytes; raise EOFError if the peer closes first."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:  # b"": closed in the middle of a message
            raise EOFError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return data


try:
    # 1. Two connected stream sockets: what one sends, the other receives
    sender, receiver = socket.socketpair()
    with sender, receiver:
        receiver.settimeout(10)  # wait at most 10 s in each recv()
        # 2. Two sendall() calls, then one recv(): the boundary is gone
        sender.sendall(b"Hello")
        sender.sendall(b"world")
        first = receiver.recv(1024)
        print("One recv() got:", first)
        # the rest of the 10 bytes, if some came later (on Windows)
        recv_exactly(receiver, 10 - len(first))
        # 3. Frame each message: its length in 4 bytes (big-endian), then it
        for text in ["Hello", "world", "café"]:
            data = text.encode("utf-8")
            sender.sendall(struct.pack("!I", len(data)) + data)
        # 4. Read three messages: 4 bytes of length, then exactly that many
        for _ in range(3):
            (size,) = struct.unpack("!I", recv_exactly(receiver, 4))
            message = recv_exactly(receiver, size).decode("utf-8")
            print(f"Message of {size} bytes: {message}")
except (OSError, EOFError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
