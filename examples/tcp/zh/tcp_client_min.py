"""最小的 TCP 客户端：连接服务器，发一条消息，再读服务器的回复（如果有）。

运行：先启动服务器，再运行 python tcp_client_min.py [端口]，端口默认 8888。
"""

import socket
import sys

try:
    # 端口默认 8888，也可以写在命令行上：python tcp_client_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. 创建 socket 对象（TCP）；每一步最多等 10 秒
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
        client_socket.settimeout(10)
        # 2. 向服务器的 IP 地址和端口发起连接：参数是 (ip, port) 元组
        ip = "127.0.0.1"
        client_socket.connect((ip, port))
        print(f"Connected to {ip}:{port}")
        # 3. 发送数据：sendall() 发完全部字节才返回，send() 可能只发一部分
        message = "Welcome to python world"
        data = message.encode("utf-8")
        client_socket.sendall(data)
        # 4. 关闭发送方向：服务器的 recv() 随后返回 b""，知道消息结束了
        client_socket.shutdown(socket.SHUT_WR)
        # 5. 读到服务器关闭连接为止：读到的是回复，也可能什么都没有
        reply = b""
        while True:
            chunk = client_socket.recv(1024)
            if not chunk:
                break
            reply += chunk
    # 6. 服务器已经关闭连接，说明它读完了全部数据
    print(f"Sent {len(data)} bytes.")
    if reply:
        print("Reply:", reply.decode("utf-8", errors="backslashreplace"))
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
