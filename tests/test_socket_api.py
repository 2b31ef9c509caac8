"""What the socket API page and the common-errors page say, checked on real sockets.

Each test is one behaviour that docs/{zh,en}/socket-api.md or faq.md states,
shown with sockets on 127.0.0.1 or ::1 and port 0. Behaviours that
tests/test_errata.py already shows are not repeated here; the pages cite it:
``bind()`` with two arguments (``test_udp_receiver_calls_bind_with_two_arguments``),
``recv()`` returning bytes, ``send()`` sending only part of the data,
``listen()`` without an argument and backlogs above 5, the 65507-byte UDP
limit with ``EMSGSIZE``, a datagram cut short by a small buffer, a refused
connection, and Ctrl+C stopping a blocking ``accept()`` on Linux. Nor those
that tests/test_facts.py shows: one ``sendall()`` read by several ``recv()``
calls of at most ``bufsize`` bytes, one ``sendto()`` per ``recvfrom()``, and
``PermissionError`` (``EACCES``) for ports below 1024 on Linux.

Each error message the pages show in a text block (``<!-- output-of: KEY
-->``) is compared with ``page_output("KEY")`` by the test that makes Python
raise it: exactly on Linux, whose errno numbers the pages show, and with this
system's numbers elsewhere (tests/pages.py). The last tests check that every
message quoted in a sentence, on any page, is one of those blocks, and that
both languages quote the same messages.
"""

from __future__ import annotations

import codecs
import errno
import re
import socket
import struct
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pages import (
    DOCS,
    assert_shows,
    page_files,
    page_output,
    shown_outputs,
)
from tests.support import TIMEOUT

SHORT = 0.05  # seconds: a timeout that is meant to expire
LINUX = sys.platform.startswith("linux")


def last_line(exc: BaseException) -> str:
    """The line Python prints last for an uncaught ``exc``."""
    return traceback.format_exception_only(type(exc), exc)[-1]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1 at a free port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.settimeout(TIMEOUT)
        yield sock


@pytest.fixture
def pair(listener: socket.socket) -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected TCP pair over loopback: (client side, server side)."""
    with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as client:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            yield client, conn


def wait_for(sock: socket.socket, size: int) -> None:
    """Block until ``size`` bytes wait in ``sock``'s receive buffer (Linux)."""
    assert len(sock.recv(size, socket.MSG_PEEK | socket.MSG_WAITALL)) == size


# --- what a socket is ---------------------------------------------------------


def test_a_socket_object_is_a_handle_to_an_operating_system_socket() -> None:
    with socket.socket() as sock:
        assert sock.fileno() >= 0  # the handle: a file descriptor (Unix) or SOCKET
    assert sock.fileno() == -1


def test_socket_defaults_to_ipv4_and_tcp() -> None:
    with socket.socket() as sock:
        assert (sock.family, sock.type) == (socket.AF_INET, socket.SOCK_STREAM)


def test_an_accepted_socket_shares_the_listening_sockets_address(
    listener: socket.socket, pair: tuple[socket.socket, socket.socket]
) -> None:
    client, conn = pair
    # Two sockets with the same local address: the address is not the socket.
    assert conn.getsockname() == listener.getsockname()
    assert conn.getpeername() == client.getsockname()
    assert client.getpeername() == listener.getsockname()


def test_ipv6_addresses_are_returned_as_four_tuples() -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.bind(("::1", 0))  # a (host, port) pair is accepted
        host, port, flowinfo, scope_id = sock.getsockname()
    assert (host, flowinfo, scope_id) == ("::1", 0, 0)
    assert port > 0


# --- bind, listen, accept, connect ---------------------------------------------


def test_listen_accepts_a_backlog_far_above_the_system_limit() -> None:
    # The system silently caps it (Linux: net.core.somaxconn).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(socket.SOMAXCONN * 100)


def test_the_handshake_completes_before_the_server_calls_accept(
    listener: socket.socket,
) -> None:
    # listen() is enough: the system answers the handshake, connect() returns
    # and data can be sent; accept() later takes the established connection.
    with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as client:
        assert client.getpeername() == listener.getsockname()
        client.sendall(b"before accept")
        client.shutdown(socket.SHUT_WR)
        conn, address = listener.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            assert address == client.getsockname()
            assert b"".join(iter(lambda: conn.recv(4096), b"")) == b"before accept"


def test_accept_returns_a_new_socket_and_the_clients_address(
    listener: socket.socket,
) -> None:
    with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as client:
        conn, address = listener.accept()
        with conn:
            assert isinstance(conn, socket.socket)
            assert conn is not listener
            assert address == client.getsockname()
            assert address[0] == "127.0.0.1"


def test_connect_to_a_port_where_nothing_listens_is_refused() -> None:
    with socket.socket() as closed:  # bound but not listening
        closed.bind(("127.0.0.1", 0))
        with socket.socket() as sock:
            sock.settimeout(TIMEOUT)
            with pytest.raises(ConnectionRefusedError) as info:
                sock.connect(closed.getsockname())
    assert_shows(last_line(info.value), page_output("connection-refused"))


def test_a_name_that_cannot_be_resolved_raises_gaierror_an_oserror() -> None:
    assert issubclass(socket.gaierror, OSError)


# --- send, sendall, recv --------------------------------------------------------


@pytest.mark.parametrize("method", ["send", "sendall"])
def test_sending_a_str_raises_type_error(
    pair: tuple[socket.socket, socket.socket], method: str
) -> None:
    client, _ = pair
    with pytest.raises(TypeError) as info:
        getattr(client, method)("Welcome")
    assert_shows(last_line(info.value), page_output("bytes-required"))


def test_sendto_a_str_raises_type_error() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(TypeError) as info,
    ):
        sock.sendto("你好", ("127.0.0.1", 9))  # type: ignore[call-overload]
    assert_shows(last_line(info.value), page_output("bytes-required"))


def test_send_returns_the_number_of_bytes_it_took(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, _ = pair
    assert client.send(b"hello") == 5  # a small message fits the empty buffer


def test_sendall_returns_none(pair: tuple[socket.socket, socket.socket]) -> None:
    client, _ = pair
    assert client.sendall(b"hello") is None  # type: ignore[func-returns-value]


def test_recv_returns_what_has_arrived_without_waiting_to_fill_bufsize(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall(b"hello")  # the client stays connected and sends no more
    assert 1 <= len(conn.recv(4096)) <= 5


@pytest.mark.skipif(not LINUX, reason="MSG_PEEK with MSG_WAITALL is used on Linux")
def test_two_sendall_calls_can_arrive_in_one_recv(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall(b"hello")
    client.sendall(b"world")
    wait_for(conn, 10)
    assert conn.recv(4096) == b"helloworld"  # no boundary between the two


def test_recv_returns_empty_bytes_once_the_peer_has_closed(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall(b"bye")
    client.close()
    assert conn.recv(4096) == b"bye"
    assert conn.recv(4096) == b""
    assert conn.recv(4096) == b""  # and again on every later call


def test_recv_raises_connection_reset_when_the_peer_resets(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    # SO_LINGER on with a zero timeout: close() sends a reset (RST), not FIN.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    with pytest.raises(ConnectionResetError) as info:
        conn.recv(4096)
    assert_shows(last_line(info.value), page_output("connection-reset"))


@pytest.mark.skipif(not LINUX, reason="the page describes what Linux does")
def test_close_with_unread_data_resets_the_connection(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall(b"never read")
    wait_for(conn, 10)  # arrived, and still unread in conn's receive buffer
    conn.close()  # sends RST, not FIN: the client gets no b""
    with pytest.raises(ConnectionResetError) as info:
        client.recv(4096)
    assert_shows(last_line(info.value), page_output("connection-reset"))


# --- sendto, recvfrom ------------------------------------------------------------


def test_sendto_returns_the_size_and_recvfrom_the_data_and_the_sender() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        assert sender.sendto("你好".encode(), receiver.getsockname()) == 6
        data, address = receiver.recvfrom(65535)
        assert data == "你好".encode()
        # sendto() gave the sender a free port (an ephemeral port) of its own.
        assert address == ("127.0.0.1", sender.getsockname()[1])


def test_an_empty_datagram_arrives_as_empty_bytes() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        sender.sendto(b"", receiver.getsockname())
        sender.sendto(b"after", receiver.getsockname())
        assert receiver.recvfrom(65535)[0] == b""  # not "closed": UDP has no connection
        assert receiver.recvfrom(65535)[0] == b"after"


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows raises ConnectionResetError instead"
)
def test_a_datagram_to_a_closed_port_raises_nothing_on_an_unconnected_socket() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.settimeout(SHORT)
        sender.sendto(b"anyone?", nobody)
        with pytest.raises(TimeoutError):  # no reply, and no error either
            sender.recvfrom(65535)


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows reports it to unconnected sockets too"
)
def test_a_connected_udp_socket_is_told_of_port_unreachable_at_once() -> None:
    # The ICMP "port unreachable" message comes back at once; Linux and macOS
    # report it only to a connected UDP socket, on its next call.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.settimeout(1.0)  # "at once": within a second, over loopback
        sender.connect(nobody)
        sender.send(b"anyone?")
        with pytest.raises(ConnectionRefusedError) as info:  # not a timeout
            sender.recv(65535)
    assert_shows(last_line(info.value), page_output("connection-refused"))


# --- settimeout, setsockopt ---------------------------------------------------------


def test_every_socket_error_is_an_oserror() -> None:
    for exc in (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        assert issubclass(exc, ConnectionError)
    assert issubclass(ConnectionError, OSError)
    for other in (TimeoutError, PermissionError, BlockingIOError, socket.gaierror):
        assert issubclass(other, OSError)


def test_socket_timeout_is_timeout_error() -> None:
    assert socket.timeout is TimeoutError
    assert issubclass(TimeoutError, OSError)


def test_settimeout_makes_recv_raise_timeout_error(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    _, conn = pair
    conn.settimeout(SHORT)
    with pytest.raises(TimeoutError) as info:
        conn.recv(4096)
    assert_shows(last_line(info.value), page_output("timeout"))


def test_settimeout_makes_accept_raise_timeout_error(listener: socket.socket) -> None:
    listener.settimeout(SHORT)
    with pytest.raises(TimeoutError):
        listener.accept()


def test_settimeout_none_blocks_and_zero_does_not() -> None:
    with socket.socket() as sock:
        assert sock.gettimeout() is None  # the default: blocking
        sock.settimeout(0)
        assert sock.getblocking() is False
        sock.settimeout(None)
        assert sock.getblocking() is True


def test_a_non_blocking_recv_with_nothing_to_read_raises_blocking_io_error(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    _, conn = pair
    conn.settimeout(0)
    with pytest.raises(BlockingIOError):
        conn.recv(4096)


def test_setsockopt_returns_none_and_getsockopt_reads_the_option() -> None:
    with socket.socket() as sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 0
        assert sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1) is None
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0


# --- shutdown, close, with ---------------------------------------------------------


def test_shutdown_wr_ends_the_peers_recv_but_the_reply_still_arrives(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall(b"question")
    client.shutdown(socket.SHUT_WR)  # half-close: "I have finished sending"
    assert conn.recv(4096) == b"question"
    assert conn.recv(4096) == b""
    conn.sendall(b"answer")  # the other direction is still open
    assert client.recv(4096) == b"answer"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows raises WSAESHUTDOWN")
def test_send_after_shutdown_wr_raises_broken_pipe(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, _ = pair
    client.shutdown(socket.SHUT_WR)
    with pytest.raises(BrokenPipeError) as info:
        client.send(b"more")
    assert_shows(last_line(info.value), page_output("broken-pipe"))


def test_a_closed_socket_refuses_every_operation_and_closes_twice_quietly() -> None:
    sock = socket.socket()
    sock.close()
    sock.close()  # no error
    with pytest.raises(OSError) as info:
        sock.bind(("127.0.0.1", 0))
    assert info.value.errno == errno.EBADF
    assert_shows(last_line(info.value), page_output("bad-file-descriptor"))


def test_with_closes_the_socket_even_when_the_block_raises() -> None:
    with pytest.raises(ZeroDivisionError), socket.socket() as sock:
        1 / 0  # noqa: B018
    assert sock.fileno() == -1


# --- common errors -------------------------------------------------------------------


def test_a_port_with_a_listening_server_cannot_be_bound_even_with_so_reuseaddr(
    listener: socket.socket,
) -> None:
    with socket.socket() as second:
        if sys.platform != "win32":  # on Windows it would take the port
            second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with pytest.raises(OSError) as info:
            second.bind(listener.getsockname())
    assert info.value.errno == errno.EADDRINUSE
    assert_shows(last_line(info.value), page_output("address-in-use"))


@pytest.mark.skipif(sys.platform == "win32", reason="SO_REUSEADDR differs on Windows")
def test_time_wait_blocks_a_restart_only_without_so_reuseaddr() -> None:
    with socket.socket() as first:
        first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        first.bind(("127.0.0.1", 0))
        first.listen()
        first.settimeout(TIMEOUT)
        address = first.getsockname()
        with socket.create_connection(address, timeout=TIMEOUT) as client:
            conn, _ = first.accept()
            conn.close()  # the server closes first: its side waits in TIME_WAIT
            assert client.recv(1) == b""
    with socket.socket() as plain, pytest.raises(OSError) as info:
        plain.bind(address)
    assert info.value.errno == errno.EADDRINUSE
    with socket.socket() as reusing:
        reusing.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        reusing.bind(address)
        reusing.listen()


def test_decoding_part_of_a_character_raises_unicode_decode_error() -> None:
    data = "你好".encode()  # 6 bytes, 3 per character
    with pytest.raises(UnicodeDecodeError) as info:
        data[:4].decode("utf-8")
    assert_shows(last_line(info.value), page_output("split-character"))
    assert data.decode("utf-8") == "你好"  # the whole message decodes


@pytest.mark.skipif(not LINUX, reason="MSG_PEEK with MSG_WAITALL is used on Linux")
def test_recv_can_split_a_character_between_two_calls(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, conn = pair
    client.sendall("你好".encode())
    wait_for(conn, 6)
    first = conn.recv(4)
    assert first == "你好".encode()[:4]
    with pytest.raises(UnicodeDecodeError):
        first.decode("utf-8")


def test_an_incremental_decoder_keeps_a_split_character_for_the_next_piece() -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    data = "你好".encode()
    assert decoder.decode(data[:4]) == "你"
    assert decoder.decode(data[4:], final=True) == "好"


def test_invalid_bytes_raise_unicode_decode_error_unless_escaped() -> None:
    with pytest.raises(UnicodeDecodeError) as info:
        b"\xff".decode("utf-8")
    assert_shows(last_line(info.value), page_output("invalid-start-byte"))
    assert b"caf\xe9".decode("utf-8", errors="backslashreplace") == "caf\\xe9"
    assert "你好".encode()[:4].decode("utf-8", errors="backslashreplace") == "你\\xe5"


# --- the pages quote exactly these messages ------------------------------------------

# A Python error message: the exception's name, a colon, the text.
QUOTED = re.compile(r"`((?:[A-Z]\w*(?:Error|Exception)|socket\.\w+): [^`]+)`")


def quoted_messages(path: Path, windows: bool = False) -> list[str]:
    """Error messages a page quotes in prose; Windows ones only if asked."""
    found = QUOTED.findall(path.read_text(encoding="utf-8"))
    return [message for message in found if windows or "WinError" not in message]


@pytest.mark.parametrize(
    "path", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_every_message_quoted_in_prose_is_one_a_test_compares(path: Path) -> None:
    # The text blocks that show a message are compared by the tests above
    # (or in test_errata.py, test_facts.py); a message quoted in a sentence
    # must be one of them.
    shown = {
        block.body.rstrip("\n") for found in shown_outputs().values() for block in found
    }
    assert sorted(set(quoted_messages(path)) - shown) == []


@pytest.mark.parametrize(
    "path", page_files("zh"), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_both_languages_quote_the_same_messages(path: Path) -> None:
    english = DOCS / "en" / path.relative_to(DOCS / "zh")
    assert sorted(set(quoted_messages(path, windows=True))) == sorted(
        set(quoted_messages(english, windows=True))
    )
