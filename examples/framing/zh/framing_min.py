"""两次发送，一次 recv() 全收到：字节流不保留边界，要靠长度来分开消息。

运行：python framing_min.py（不用端口号：两个套接字都在这个程序里）。
"""

import socket
import struct
import sys


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """正好读取 size 个字节；对方提前关闭时引发 EOFError。"""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:  # b""：消息读到一半，对方关闭了连接
            raise EOFError(f"closed after {len(data)} of {size} bytes")
        data += chunk
    return data


try:
    # 1. 一对互相连接的流式套接字：一个发送的数据，由另一个接收
    sender, receiver = socket.socketpair()
    with sender, receiver:
        receiver.settimeout(10)  # 每次 recv() 最多等 10 秒
        # 2. 调用两次 sendall()，再调用一次 recv()：两条消息的边界没有了
        sender.sendall(b"Hello")
        sender.sendall(b"world")
        first = receiver.recv(1024)
        print("One recv() got:", first)
        # 10 个字节里晚到的部分（Windows 上可能有）也读出来
        recv_exactly(receiver, 10 - len(first))
        # 3. 给每条消息加上边界：先用 4 个字节写长度（大端序），再写消息本身
        for text in ["Hello", "world", "café"]:
            data = text.encode("utf-8")
            sender.sendall(struct.pack("!I", len(data)) + data)
        # 4. 读出三条消息：先读 4 个字节的长度，再正好读这么多字节
        for _ in range(3):
            (size,) = struct.unpack("!I", recv_exactly(receiver, 4))
            message = recv_exactly(receiver, size).decode("utf-8")
            print(f"Message of {size} bytes: {message}")
except (OSError, EOFError) as error:
    sys.exit(f"Error: {error}")  # 一行说明，退出码 1
except KeyboardInterrupt:  # Ctrl+C
    print("Stopped.", file=sys.stderr)
    sys.exit(130)
