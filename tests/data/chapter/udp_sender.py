# UDP发送
from socket import socket,AF_INET,SOCK_STREAM

# 1.创建socket对象
send_socket=socket(AF_INET,SOCK_STREAM)

# 2.准备发送数据
data=input('请输入要发送的数据')
# 3.指定接收方的ip和端口
ip_port=('127.0.0.1',8888)
# 4.发送数据
send_socket.sendto(data.encode('utf-8'),ip_port)

# 5.关闭socket对象
send_socket.close()
