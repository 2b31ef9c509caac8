"""The chapter's defects, shown by running its original code (tests/data/chapter/).

Each test runs the original program, kept verbatim, and asserts the failure or
wrong behaviour that the errata page describes. The only change made at run
time is the port: the chapter's fixed ``8888`` becomes a free port, because
tests never use a fixed port. The corrected programs in ``examples/`` are
tested for the same situations in their own test modules.
"""

from __future__ import annotations

import errno
import hashlib
import re
import signal
import socket
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pages import assert_shows, normalise, page_output
from tests.support import ROOT, TIMEOUT, Program

CHAPTER = ROOT / "tests" / "data" / "chapter"


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def original(
    name: str, port: int, tmp_path: Path, fix: tuple[str, str] | None = None
) -> str:
    """Write the chapter's program ``name`` to tmp_path with ``port`` for 8888.

    ``fix`` replaces a piece of text wherever it occurs, to show the next
    defect behind a first one. Returns the path of the file to run.
    """
    source = (CHAPTER / name).read_text(encoding="utf-8")
    assert source.count("8888") == 1
    source = source.replace("8888", str(port))
    if fix is not None:
        assert fix[0] in source
        source = source.replace(*fix)
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return str(path)


def last_line(text: str) -> str:
    """The last line of ``text``, with its newline."""
    return text.rstrip("\n").rsplit("\n", 1)[-1] + "\n"


def as_in_python_3_11(warning: str) -> str:
    """An unclosed socket's ResourceWarning as Python 3.11 prints it (the page's).

    Python 3.10 shows the family and type as enum members, and 3.13 and later
    name the place of the warning ``<sys>:0`` instead of ``sys:1``.
    """
    warning = warning.replace(
        "family=AddressFamily.AF_INET, type=SocketKind.SOCK_STREAM",
        "family=2, type=1",
    )
    return re.sub(r"^<sys>:0: ", "sys:1: ", warning)


def send_and_close(port: int, data: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)


@pytest.fixture
def start(run: Callable[..., Program]) -> Callable[..., Program]:
    """Run ``python`` as a reader would, with the default warning filters.

    Coverage is off: it measures examples/, and these are the chapter's files.
    """

    def _start(*args: str, **options: object) -> Program:
        return run(sys.executable, *args, warnings=False, measure=False, **options)

    return _start


@pytest.fixture
def server(start: Callable[..., Program], tmp_path: Path) -> tuple[Program, int]:
    """The chapter's TCP server, started and ready (it has printed its line)."""
    port = free_port()
    # -u: unbuffered, so the "started" line arrives while the server waits.
    program = start("-u", original("tcp_server.py", port, tmp_path))
    assert program.next_line() == "服务器已启动"
    return program, port


# --- the UDP programs do not run ---------------------------------------------


def test_udp_sender_with_a_stream_socket_fails_at_sendto(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    path = original("udp_sender.py", free_port(socket.SOCK_DGRAM), tmp_path)
    code, out, err = start(path, stdin="hello\n").finish()
    assert code == 1
    assert out == "请输入要发送的数据"
    assert_shows(last_line(err), page_output("errata-sendto-on-stream-socket"))


def test_udp_receiver_calls_bind_with_two_arguments(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    path = original("udp_receiver.py", free_port(socket.SOCK_DGRAM), tmp_path)
    code, _, err = start(path).finish()
    assert code == 1
    assert_shows(last_line(err), page_output("bind-two-arguments"))


def test_udp_receiver_with_bind_fixed_still_fails_on_a_stream_socket(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    port = free_port(socket.SOCK_DGRAM)
    fix = (f"bind('127.0.0.1',{port})", f"bind(('127.0.0.1',{port}))")
    code, _, err = start(original("udp_receiver.py", port, tmp_path, fix)).finish()
    assert code == 1
    assert_shows(last_line(err), page_output("errata-recvfrom-on-stream-socket"))


def test_udp_sender_with_a_datagram_socket_never_reads_the_reply(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    # Even with SOCK_DGRAM, the chapter's sender closes without recvfrom():
    # the receiver's reply reaches a port where nobody listens any more.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        port = receiver.getsockname()[1]
        fix = ("SOCK_STREAM", "SOCK_DGRAM")
        sender = start(original("udp_sender.py", port, tmp_path, fix), stdin="hello\n")
        assert sender.finish() == (0, "请输入要发送的数据", "")
        data, address = receiver.recvfrom(1024)
        assert data == b"hello"
        receiver.connect(address)  # so that the kernel reports what happened
        receiver.send("收到".encode())
        with pytest.raises(ConnectionRefusedError):
            receiver.recv(1024)


# --- the TCP pair works only by luck -----------------------------------------


def test_tcp_pair_works_for_the_chapters_short_message(
    server: tuple[Program, int], start: Callable[..., Program], tmp_path: Path
) -> None:
    program, port = server
    client = start(original("tcp_client.py", port, tmp_path))
    assert client.finish() == (0, "-----与服务器连接成功------\n发送完毕\n", "")
    code, out, err = program.finish()
    assert (code, out) == (0, "客户端发送过来的数据为： Welcome to python world\n")
    assert "ResourceWarning" not in err  # only shown under -X dev, see below


def test_tcp_server_reads_only_the_first_recv_of_a_long_message(
    server: tuple[Program, int],
) -> None:
    program, port = server
    send_and_close(port, b"a" * 3000)
    code, out, _ = program.finish()
    assert code == 0
    shown = out.removeprefix("客户端发送过来的数据为： ").rstrip("\n")
    assert 0 < len(shown) <= 1024  # the other 1976 or more bytes are lost


def test_tcp_server_crashes_when_recv_splits_a_character(
    server: tuple[Program, int],
) -> None:
    program, port = server
    send_and_close(port, "你".encode() * 400)  # 1200 bytes; byte 1024 is mid-character
    code, out, err = program.finish()
    assert (code, out) == (1, "")
    assert_shows(last_line(err), page_output("errata-split-character"))


def test_tcp_server_crashes_on_bytes_that_are_not_utf8(
    server: tuple[Program, int],
) -> None:
    program, port = server
    send_and_close(port, b"\xff")
    code, _, err = program.finish()
    assert code == 1
    assert last_line(err).startswith("UnicodeDecodeError: ")


def test_tcp_server_leaves_the_client_socket_open(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    port = free_port()
    program = start("-u", "-X", "dev", original("tcp_server.py", port, tmp_path))
    assert program.next_line() == "服务器已启动"
    send_and_close(port, b"hi")
    code, _, err = program.finish()
    assert code == 0
    # The accepted socket: laddr is the server's port, raddr the client's.
    shown = page_output("errata-unclosed-socket")
    assert normalise(as_in_python_3_11(last_line(err)), port) == normalise(shown, None)


def test_tcp_server_waits_forever_for_a_silent_client(
    server: tuple[Program, int],
) -> None:
    program, port = server
    # No timeout in the chapter's code: recv() blocks as long as the client
    # neither sends nor closes. Half a second stands for "forever".
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT),
        pytest.raises(subprocess.TimeoutExpired),
    ):
        program.proc.wait(timeout=0.5)
    code, out, _ = program.finish()  # the client closed: recv() returns b""
    assert (code, out) == (0, "客户端发送过来的数据为： \n")


def test_tcp_server_prints_a_traceback_on_ctrl_c(server: tuple[Program, int]) -> None:
    program, _ = server
    program.interrupt()
    code, _, err = program.finish()
    assert code == -signal.SIGINT  # an uncaught KeyboardInterrupt ends it by SIGINT
    assert "Traceback" in err
    assert last_line(err) == "KeyboardInterrupt\n"


def test_tcp_client_prints_a_traceback_when_no_server_runs(
    start: Callable[..., Program], tmp_path: Path
) -> None:
    with socket.socket() as closed:  # bound, not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        code, _, err = start(original("tcp_client.py", port, tmp_path)).finish()
    assert code == 1
    assert_shows(last_line(err), page_output("errata-client-refused"))


# --- claims about the socket API ---------------------------------------------


def test_recv_returns_bytes_not_str() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall("套接字".encode())
        data = right.recv(1024)
    assert type(data) is bytes
    assert data.decode("utf-8") == "套接字"


def test_send_may_send_only_part_of_the_data() -> None:
    # send() returns how many bytes it took; with a timeout (or non-blocking)
    # and a full buffer that can be fewer than given. sendall() loops.
    with (
        socket.create_server(("127.0.0.1", 0)) as listener,
        socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as sock,
    ):
        conn, _ = listener.accept()
        with conn:  # the peer never reads
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
            sock.setblocking(False)
            data = bytes(8 * 1024 * 1024)
            sent = sock.send(data)
    assert 0 < sent < len(data)


def test_listen_backlog_is_not_limited_to_1_to_5() -> None:
    # Linux's limit is net.core.somaxconn, not this constant: see
    # test_facts.py's test_linux_caps_the_backlog_at_net_core_somaxconn.
    assert socket.SOMAXCONN > 5
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(socket.SOMAXCONN)  # accepted; so is listen() with no argument
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()


def test_ports_run_from_0_to_65535_which_is_65536_numbers() -> None:
    assert len(range(0, 65535 + 1)) == 65536
    with socket.socket() as sock, pytest.raises(OverflowError, match="0-65535"):
        sock.bind(("127.0.0.1", 65536))
    with socket.socket() as sock, pytest.raises(OverflowError, match="0-65535"):
        sock.bind(("127.0.0.1", -1))


def test_port_0_asks_the_system_for_a_free_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        assert 0 < sock.getsockname()[1] <= 65535


def test_tcp_and_udp_ports_are_separate_spaces() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.bind(("127.0.0.1", 0))
        port = tcp.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", port))  # the same number, no conflict
            assert udp.getsockname() == tcp.getsockname()


def test_largest_udp_payload_over_ipv4_is_65507_bytes() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(bytes(65507), receiver.getsockname())
            assert len(receiver.recv(65535)) == 65507
            with pytest.raises(OSError) as info:
                sender.sendto(bytes(65508), receiver.getsockname())
    assert info.value.errno == errno.EMSGSIZE
    printed = traceback.format_exception_only(type(info.value), info.value)[-1]
    assert_shows(printed, page_output("message-too-long"))
    assert 65535 - 20 - 8 == 65507  # IPv4 total length - IPv4 header - UDP header


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows raises WSAEMSGSIZE instead"
)
def test_recvfrom_with_a_small_buffer_cuts_a_datagram_short() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            sender.sendto(b"x" * 2000, receiver.getsockname())
            sender.sendto(b"next", receiver.getsockname())
            first, _ = receiver.recvfrom(1024)
            second, _ = receiver.recvfrom(1024)
    assert len(first) == 1024  # the other 976 bytes are gone
    assert second == b"next"


def test_the_chapters_code_is_kept_byte_for_byte() -> None:
    sums = (CHAPTER / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    recorded = {name: digest for digest, name in (line.split() for line in sums)}
    actual = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in CHAPTER.glob("*.py")
    }
    assert actual == recorded
    assert len(actual) == 5


# --- the page names these tests ---------------------------------------------

PROVEN_BY = {"zh": "由测试证实：", "en": "Proven by: "}
NODE_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def cited_tests(language: str) -> dict[str, list[tuple[str, str]]]:
    """Entry anchor -> the (file, test) pairs its "proven by" line names."""
    page = (ROOT / "docs" / language / "errata.md").read_text(encoding="utf-8")
    cited = {}
    # An entry runs from its heading to the next heading of any level.
    for entry in re.split(r"(?m)^(?=#{2,3} )", page)[1:]:
        anchor = re.match(r"### .*\{ #([\w-]+) \}", entry)
        if anchor is None:  # a section's heading, and its introduction
            assert PROVEN_BY[language] not in entry
            continue
        notes = [
            line for line in entry.splitlines() if line.startswith(PROVEN_BY[language])
        ]
        if notes:
            # One note, the entry's last line; no test named anywhere else.
            assert notes == [entry.rstrip().splitlines()[-1]]
            assert len(NODE_ID.findall(entry)) == len(NODE_ID.findall(notes[0]))
            assert not re.search(r"`test_\w+`", entry)
            cited[anchor[1]] = NODE_ID.findall(notes[0])
    return cited


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_test_the_errata_page_names_exists(language: str) -> None:
    cited = cited_tests(language)
    assert len(cited) >= 15
    missing = [
        f"{path}::{name}"
        for pairs in cited.values()
        for path, name in pairs
        if not (ROOT / path).is_file()
        or f"\ndef {name}(" not in (ROOT / path).read_text(encoding="utf-8")
    ]
    assert missing == []


def test_both_languages_name_the_same_tests_for_each_entry() -> None:
    assert cited_tests("zh") == cited_tests("en")
