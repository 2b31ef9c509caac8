"""最小的 UDP 发送端：发一个数据报，等接收端的回复并打印出来。

运行：先启动接收端，再运行 python udp_sender_min.py [端口]，端口默认 8888。
"""

import socket
import sys

try:
    # 端口默认 8888，也可以写在命令行上：python udp_sender_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. 创建 socket 对象：SOCK_DGRAM 表示 UDP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as send_socket:
        # 2. 准备要发送的数据
        data = input("Message to send: ").encode("utf-8")
        # 3. 指定接收端的 IP 地址和端口
        ip_port = ("127.0.0.1", port)
        # 4. 发送：一次 sendto() 发出一个数据报
        send_socket.sendto(data, ip_port)
        # 5. 等回复，最多 60 秒：UDP 不保证送达，回复可能永远不来
        print(f"Sent {len(data)} bytes; waiting up to 60 s for the reply.")
        send_socket.settimeout(60)
        reply, addr = send_socket.recvfrom(65535)
    text = reply.decode("utf-8", errors="backslashreplace")
    print(f"Reply from {addr[0]}:{addr[1]}: {text}")
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except EOFError:  # 没有输入消息（Ctrl+D，Windows 上是 Ctrl+Z 再回车）
    sys.exit("\nError: no message given")
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
