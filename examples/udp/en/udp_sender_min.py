"""The smallest UDP sender: send a datagram, wait for the reply, print it.

Run: start the receiver, then python udp_sender_min.py [PORT] (default 8888).
"""

import socket
import sys

try:
    # Port 8888 unless one is given: python udp_sender_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. Create the socket: SOCK_DGRAM means UDP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as send_socket:
        # 2. Get the data to send
        data = input("Message to send: ").encode("utf-8")
        # 3. The receiver's IP address and port
        ip_port = ("127.0.0.1", port)
        # 4. Send: one sendto() sends one datagram
        send_socket.sendto(data, ip_port)
        # 5. Wait at most 60 s: UDP may lose the datagram, or the reply
        print(f"Sent {len(data)} bytes; waiting up to 60 s for the reply.")
        send_socket.settimeout(60)
        reply, addr = send_socket.recvfrom(65535)
    text = reply.decode("utf-8", errors="backslashreplace")
    print(f"Reply from {addr[0]}:{addr[1]}: {text}")
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except EOFError:  # no message typed (Ctrl+D; on Windows Ctrl+Z, then Enter)
    sys.exit("\nError: no message given")
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
