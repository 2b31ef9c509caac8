"""The smallest echo server: take all one client sends, send it back.

Run: python echo_server_min.py [PORT]; the port is 8888 unless given.
"""

import socket
import sys

try:
    # Port 8888 unless one is given: python echo_server_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. Create the socket: AF_INET means IPv4, SOCK_STREAM means TCP
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
        # 2. Bind to an IP address and port: bind() takes one (ip, port) tuple
        ip = "127.0.0.1"
        server_socket.bind((ip, port))
        # 3. Listen, and say what it waits for (with port 0, the port chosen)
        server_socket.listen()
        ip, port = server_socket.getsockname()
        print(f"Listening on {ip}:{port}")
        # 4. Wait for a client; the with block closes its new socket in the end
        client_socket, client_addr = server_socket.accept()
        with client_socket:
            client_socket.settimeout(10)  # give up on a client silent for 10 s
            # 5. Receive until recv() returns b"": the client has finished
            data = b""
            while True:
                chunk = client_socket.recv(1024)
                if not chunk:
                    break
                data += chunk
            # 6. Answer: send the same bytes back; the with block then closes
            client_socket.sendall(data)
    # 7. Decode once it is all here; bytes that are not UTF-8 show as \xff
    print("Received:", data.decode("utf-8", errors="backslashreplace"))
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
