"""最小的 TCP 服务器：收下一个客户端发来的全部数据，打印出来，然后退出。

运行：python tcp_server_min.py [端口]，端口默认 8888。
"""

import socket
import sys

try:
    # 端口默认 8888，也可以写在命令行上：python tcp_server_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. 创建 socket 对象：AF_INET 表示 IPv4，SOCK_STREAM 表示 TCP
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
        # 2. 绑定 IP 地址和端口：bind() 只接收一个参数，即 (ip, port) 元组
        ip = "127.0.0.1"
        server_socket.bind((ip, port))
        # 3. 开始监听，并说明在等什么（端口为 0 时，这里是系统选的端口）
        server_socket.listen()
        ip, port = server_socket.getsockname()
        print(f"Listening on {ip}:{port}")
        # 4. 等待客户端连接；with 保证这个新的套接字最后会被关闭
        client_socket, client_addr = server_socket.accept()
        with client_socket:
            client_socket.settimeout(10)  # 客户端 10 秒不发数据就放弃
            # 5. 循环接收，直到 recv() 返回 b""：客户端发完了
            data = b""
            while True:
                chunk = client_socket.recv(1024)
                if not chunk:
                    break
                data += chunk
    # 6. 收齐以后再解码；不是 UTF-8 的字节显示成 \xff 这样的转义
    print("Received:", data.decode("utf-8", errors="backslashreplace"))
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
