"""The smallest TCP client: connect, send one message, read any reply.

Run: start the server, then python tcp_client_min.py [PORT] (default 8888).
"""

import socket
import sys

try:
    # Port 8888 unless one is given: python tcp_client_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. Create the socket (TCP); wait at most 10 s at each step
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
        client_socket.settimeout(10)
        # 2. Connect to the server's IP address and port, an (ip, port) tuple
        ip = "127.0.0.1"
        client_socket.connect((ip, port))
        print(f"Connected to {ip}:{port}")
        # 3. Send: sendall() returns once every byte is out; send() may not
        message = "Welcome to python world"
        data = message.encode("utf-8")
        client_socket.sendall(data)
        # 4. Close the sending side: the server's recv() then returns b""
        client_socket.shutdown(socket.SHUT_WR)
        # 5. Read until the server closes: a reply, or perhaps nothing at all
        reply = b""
        while True:
            chunk = client_socket.recv(1024)
            if not chunk:
                break
            reply += chunk
    # 6. The server has closed the connection, so it has read everything
    print(f"Sent {len(data)} bytes.")
    if reply:
        print("Reply:", reply.decode("utf-8", errors="backslashreplace"))
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
