# bind((ip,port))绑定ip地址和端口
# listen(N)开始TCP监听，N表示操作系统挂起的最大连接数量，取值1-5
# accept()被动接收TCP客户端连接，阻塞式
# connect((ip,port))主动初始化TCP服务器连接
# recv(size)接受TCP数据，返回值为字符串类型，size表示要接收的最大数据量
