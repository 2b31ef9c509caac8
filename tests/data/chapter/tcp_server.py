# TCP服务器端流程：
from socket import socket,AF_INET,SOCK_STREAM

# 1.创建socket对象
sever_socket=socket(AF_INET,SOCK_STREAM)
# 2.绑定IP地址和端口
ip='127.0.0.1'# local
port=8888 # 端口范围
sever_socket.bind((ip,port))

# 3.使用listen监听
sever_socket.listen(5)
print('服务器已启动')

# 4.等待客户端连接
client_socket,client_addr=sever_socket.accept() # 系列解包赋值

# 5.接收来自客户端的连接
data=client_socket.recv(1024)
print('客户端发送过来的数据为：',data.decode('utf-8')) # 要求客户端发送的数据采用utf-8解码

# 6.关闭socket
sever_socket.close()
