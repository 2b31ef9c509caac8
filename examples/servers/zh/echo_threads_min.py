"""最小的并发回显服务器：每个客户端一个线程。

一条消息先是 4 个字节的长度（大端序），后面是这么多字节的内容。
运行：python echo_threads_min.py [端口]，端口默认 8888。
"""

import socket
import struct
import sys
import threading


def recv_exactly(conn: socket.socket, size: int) -> bytes:
    """正好读 size 个字节；对方先关闭连接时引发 EOFError。"""
    # 6. 正好读 size 个字节：一次 recv() 可能读到的更少
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return data


def serve_client(conn: socket.socket) -> None:
    """回复一个客户端的每条消息，然后关闭它的连接。"""
    # 5. 在这个客户端自己的线程里：读长度、读消息，再把两者原样发回
    with conn:
        conn.settimeout(30)  # 客户端 30 秒不发数据，就结束它的线程
        try:
            while True:
                header = recv_exactly(conn, 4)
                (size,) = struct.unpack("!I", header)
                if size > 1024 * 1024:  # 超过 1 MiB：不回复，直接关闭
                    return
                conn.sendall(header + recv_exactly(conn, size))
        except (OSError, EOFError):
            return  # 客户端走了、重置了连接或一直不出声：线程结束


try:
    # 端口默认 8888，也可以写在命令行上：python echo_threads_min.py 9000
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    # 1. 创建 socket 对象：AF_INET 表示 IPv4，SOCK_STREAM 表示 TCP
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
        # 2. 绑定回环地址和端口
        server_socket.bind(("127.0.0.1", port))
        # 3. 开始监听，并说明在哪里（端口为 0 时，这里是系统选的端口）
        server_socket.listen()
        ip, port = server_socket.getsockname()
        print(f"Listening on {ip}:{port}")
        while True:
            # 4. 接受每个客户端，为它启动一个线程
            conn, addr = server_socket.accept()
            thread = threading.Thread(target=serve_client, args=(conn,))
            thread.daemon = True  # 按 Ctrl+C 时不等这些客户端
            thread.start()
except (OSError, ValueError, OverflowError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
