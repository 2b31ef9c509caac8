"""最小的 UDP 接收端：等一个数据报，打印出来，再把输入的回复发回去。

运行：python udp_receiver_min.py [端口]，端口默认 8888。
"""

import socket
import sys

try:
    # 端口默认 8888，也可以写在命令行上：python udp_receiver_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. 创建 socket 对象：SOCK_DGRAM 表示 UDP
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as recv_socket:
        # 2. 绑定 IP 地址和端口：bind() 只接收一个参数，即 (ip, port) 元组
        ip = "127.0.0.1"
        recv_socket.bind((ip, port))
        ip, port = recv_socket.getsockname()  # 端口为 0 时是系统选的端口
        print(f"Listening on UDP {ip}:{port}")
        # 3. 接收一个数据报：65535 字节装得下任何 UDP 数据报，不会截断
        recv_data, addr = recv_socket.recvfrom(65535)
        text = recv_data.decode("utf-8", errors="backslashreplace")
        print(f"Received from {addr[0]}:{addr[1]}: {text}")
        # 4. 准备回复对方的数据
        data = input("Reply: ")
        # 5. 回复：发回数据报来的地址 addr
        recv_socket.sendto(data.encode("utf-8"), addr)
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except EOFError:  # 没有输入回复（Ctrl+D，Windows 上是 Ctrl+Z 再回车）
    sys.exit("\nError: no reply given")
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
