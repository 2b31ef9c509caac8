"""The smallest concurrent echo server: a thread for each client.

A message is its length in 4 bytes (big-endian), then that many bytes.
Run: python echo_threads_min.py [PORT]; the port is 8888 unless given.
"""

import socket
import struct
import sys
import threading


def recv_exactly(conn: socket.socket, size: int) -> bytes:
    """Read exactly size bytes; raise EOFError if the peer closes first."""
    # 6. Read exactly size bytes: one recv() may return fewer
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return data


def serve_client(conn: socket.socket) -> None:
    """Answer each message of one client, then close its connection."""
    # 5. In the client's own thread: read a length, the message, send both
    with conn:
        conn.settimeout(30)  # a client silent for 30 s frees its thread
        try:
            while True:
                header = recv_exactly(conn, 4)
                (size,) = struct.unpack("!I", header)
                if size > 1024 * 1024:  # over 1 MiB: close, answer nothing
                    return
                conn.sendall(header + recv_exactly(conn, size))
        except (OSError, EOFError):
            return  # the client left, reset or went silent: the thread ends


try:
    # Port 8888 unless one is given: python echo_threads_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. Create the socket: AF_INET means IPv4, SOCK_STREAM means TCP
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
        # 2. Bind to the loopback address and the port
        server_socket.bind(("127.0.0.1", port))
        # 3. Listen, and say where (with port 0, the port chosen)
        server_socket.listen()
        ip, port = server_socket.getsockname()
        print(f"Listening on {ip}:{port}")
        while True:
            # 4. Accept each client and start a thread that serves it
            conn, addr = server_socket.accept()
            thread = threading.Thread(target=serve_client, args=(conn,))
            thread.daemon = True  # Ctrl+C does not wait for the clients
            thread.start()
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
