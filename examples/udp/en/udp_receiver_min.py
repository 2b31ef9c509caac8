"""The smallest UDP receiver: wait for a datagram, print it, send a reply.

Run: python udp_receiver_min.py [PORT]; the port is 8888 unless given.
"""

import socket
import sys

try:
    # Port 8888 unless one is given: python udp_receiver_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. Create the socket: SOCK_DGRAM means UDP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as recv_socket:
        # 2. Bind to an IP address and port: bind() takes one (ip, port) tuple
        ip = "127.0.0.1"
        recv_socket.bind((ip, port))
        ip, port = recv_socket.getsockname()  # with port 0, the port chosen
        print(f"Listening on UDP {ip}:{port}")
        # 3. Receive one datagram: 65535 bytes hold any UDP datagram whole
        recv_data, addr = recv_socket.recvfrom(65535)
        text = recv_data.decode("utf-8", errors="backslashreplace")
        print(f"Received from {addr[0]}:{addr[1]}: {text}")
        # 4. Get the reply to send
        data = input("Reply: ")
        # 5. Reply: send it to addr, where the datagram came from
        recv_socket.sendto(data.encode("utf-8"), addr)
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # one line, exit status 1
except EOFError:  # no reply typed (Ctrl+D; on Windows Ctrl+Z, then Enter)
    sys.exit("\nError: no reply given")
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
