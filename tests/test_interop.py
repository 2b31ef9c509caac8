"""Each example talks to a standard tool, socat, acting as its peer.

This shows the programs speak plain TCP and UDP, not a private protocol of
their own. The tests need ``socat`` (``apt-get install socat``); ``.ci/run``
installs it. Where it is missing they are skipped with that reason.
"""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import Program, example_path, one_line, unbuffered

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(shutil.which("socat") is None, reason="socat is not installed"),
]

SOCAT_PORT = re.compile(r"listening on AF=2 127\.0\.0\.1:(\d+)$")


def free_udp_port() -> int:
    """Ask the OS for a free UDP port (socat cannot report one it picked)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_tcp_server_prints_what_socat_sends(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    server = start("examples/tcp/tcp_server.py", "--port", "0")
    port = server.wait_listening()
    client = run("socat", "-u", "-", f"TCP:127.0.0.1:{port}", stdin="套接字 via socat")
    assert client.finish() == (0, "", "")
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    assert one_line(out).endswith(": 套接字 via socat")


def test_tcp_client_sends_to_a_socat_server(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    # -t 0.1: once the client has closed, socat waits 0.1 s (not 0.5) to end.
    server = run(
        "socat", "-d", "-d", "-t", "0.1", "TCP-LISTEN:0,bind=127.0.0.1", "STDOUT"
    )
    match = SOCAT_PORT.search(server.next_line(stderr=True))
    assert match
    port = match[1]
    client = start("examples/tcp/tcp_client.py", "--port", port, "你好 socat")
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 12 bytes.\n",
        "",
    )
    code, out, _ = server.finish()
    assert (code, out) == (0, "你好 socat")


def test_udp_receiver_answers_socat(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    receiver = start("examples/udp/udp_receiver.py", "--port", "0", "--reply", "收到")
    port = receiver.wait_listening()
    sender = run(
        "socat",
        "-t",
        "0.1",
        "-",
        f"UDP:127.0.0.1:{port}",
        stdin="hello",
        keep_stdin=True,
    )
    assert receiver.next_line().endswith(": hello")
    assert receiver.next_line() == "Replied 6 bytes."
    sender.close_stdin()  # socat then stops, after printing the reply
    assert sender.finish() == (0, "收到", "")
    assert receiver.finish() == (0, "", "")


def test_udp_sender_gets_the_reply_of_a_socat_receiver(
    start: Callable[..., Program], run: Callable[..., Program], tmp_path: Path
) -> None:
    port = free_udp_port()
    got = tmp_path / "got.txt"
    receiver = run(
        "socat",
        "-d",
        "-d",
        f"UDP-RECVFROM:{port},bind=127.0.0.1",
        f"SYSTEM:cat > {got}; printf 收到",
    )
    assert "receiving on" in receiver.next_line(stderr=True)
    sender = start("examples/udp/udp_sender.py", "--port", str(port), "你好 socat")
    assert sender.finish() == (
        0,
        f"Sent 12 bytes to 127.0.0.1:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    assert receiver.finish()[0] == 0
    assert got.read_text(encoding="utf-8") == "你好 socat"


# --- the minimal programs: each with socat, and with its hardened partner ----
# One copy (zh) is enough: tests/test_minimal_copies.py proves that the en
# copy is the same code. They print without flush=True, so they run with -u
# (tests/support.py unbuffered), as a terminal would show their lines.


def minimal(name: str, *args: str) -> list[str]:
    """The words that run the Chinese copy of a minimal program."""
    return unbuffered(example_path(name, "zh"), *args)


def test_tcp_server_min_prints_what_socat_sends(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    server = start(*minimal("tcp_server_min.py", "0"))
    port = server.wait_listening()
    client = run("socat", "-u", "-", f"TCP:127.0.0.1:{port}", stdin="套接字 via socat")
    assert client.finish() == (0, "", "")
    assert server.finish() == (0, "Received: 套接字 via socat\n", "")


def test_tcp_server_min_prints_what_the_sites_client_sends(
    start: Callable[..., Program],
) -> None:
    server = start(*minimal("tcp_server_min.py", "0"))
    port = server.wait_listening()
    client = start("examples/tcp/tcp_client.py", "--port", str(port), "你好 TCP")
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 10 bytes.\n",
        "",
    )
    assert server.finish() == (0, "Received: 你好 TCP\n", "")


def test_tcp_client_min_sends_to_a_socat_server(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    # -t 0.1: once the client has closed, socat waits 0.1 s (not 0.5) to end.
    server = run(
        "socat", "-d", "-d", "-t", "0.1", "TCP-LISTEN:0,bind=127.0.0.1", "STDOUT"
    )
    match = SOCAT_PORT.search(server.next_line(stderr=True))
    assert match
    port = match[1]
    client = start(*minimal("tcp_client_min.py", port))
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n",
        "",
    )
    code, out, _ = server.finish()
    assert (code, out) == (0, "Welcome to python world")


def test_tcp_client_min_sends_to_the_sites_server(
    start: Callable[..., Program],
) -> None:
    server = start("examples/tcp/tcp_server.py", "--port", "0")
    port = str(server.wait_listening())
    client = start(*minimal("tcp_client_min.py", port))
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n",
        "",
    )
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    received = one_line(out)
    assert received.startswith("Received 23 bytes from 127.0.0.1:")
    assert received.endswith(": Welcome to python world")


def test_tcp_client_min_prints_the_echo_of_the_sites_server(
    start: Callable[..., Program],
) -> None:
    server = start("examples/tcp/tcp_server.py", "--port", "0", "--echo")
    port = str(server.wait_listening())
    client = start(*minimal("tcp_client_min.py", port))
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n"
        "Reply: Welcome to python world\n",
        "",
    )
    code, out, err = server.finish()
    assert (code, err) == (0, "")
    assert out.endswith(": Welcome to python world\nEchoed 23 bytes.\n")


def test_echo_server_min_answers_the_sites_client(
    start: Callable[..., Program],
) -> None:
    server = start(*minimal("echo_server_min.py", "0"))
    port = str(server.wait_listening())
    client = start("examples/tcp/tcp_client.py", "--port", port, "你好，echo")
    assert client.finish() == (
        0,
        f"Connected to 127.0.0.1:{port}\nSent 13 bytes.\nReply: 你好，echo\n",
        "",
    )
    assert server.finish() == (0, "Received: 你好，echo\n", "")


def test_echo_server_min_answers_socat(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    server = start(*minimal("echo_server_min.py", "0"))
    port = server.wait_listening()
    # Both directions: at the end of its stdin socat half-closes the
    # connection, then waits (up to -t 10 s) for the echo, and stops as soon
    # as the server closes.
    client = run(
        "socat", "-t", "10", "-", f"TCP:127.0.0.1:{port}", stdin="回声 via socat"
    )
    assert client.finish() == (0, "回声 via socat", "")
    assert server.finish() == (0, "Received: 回声 via socat\n", "")


def test_udp_receiver_min_answers_the_sites_sender(
    start: Callable[..., Program],
) -> None:
    receiver = start(*minimal("udp_receiver_min.py", "0"), stdin="收到\n")
    port = receiver.wait_listening()
    sender = start("examples/udp/udp_sender.py", "--port", str(port), "你好，UDP")
    assert sender.finish() == (
        0,
        f"Sent 12 bytes to 127.0.0.1:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert out.startswith("Received from 127.0.0.1:")
    assert out.endswith(": 你好，UDP\nReply: ")


def test_udp_receiver_min_answers_socat(
    start: Callable[..., Program], run: Callable[..., Program]
) -> None:
    receiver = start(*minimal("udp_receiver_min.py", "0"), stdin="收到\n")
    port = receiver.wait_listening()
    sender = run(
        "socat",
        "-t",
        "0.1",
        "-",
        f"UDP:127.0.0.1:{port}",
        stdin="hello",
        keep_stdin=True,
    )
    assert receiver.next_line().endswith(": hello")
    assert receiver.finish() == (0, "Reply: ", "")  # it has sent the reply
    sender.close_stdin()  # socat then stops, after printing the reply
    assert sender.finish() == (0, "收到", "")


def test_udp_sender_min_gets_the_reply_of_the_sites_receiver(
    start: Callable[..., Program],
) -> None:
    receiver = start("examples/udp/udp_receiver.py", "--port", "0", "--reply", "收到")
    port = receiver.wait_listening()
    sender = start(*minimal("udp_sender_min.py", str(port)), stdin="你好，UDP\n")
    assert sender.finish() == (
        0,
        "Message to send: Sent 12 bytes; waiting up to 60 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert out.endswith(": 你好，UDP\nReplied 6 bytes.\n")


def test_udp_sender_min_gets_the_reply_of_a_socat_receiver(
    start: Callable[..., Program], run: Callable[..., Program], tmp_path: Path
) -> None:
    port = free_udp_port()
    got = tmp_path / "got.txt"
    receiver = run(
        "socat",
        "-d",
        "-d",
        f"UDP-RECVFROM:{port},bind=127.0.0.1",
        f"SYSTEM:cat > {got}; printf 收到",
    )
    assert "receiving on" in receiver.next_line(stderr=True)
    sender = start(*minimal("udp_sender_min.py", str(port)), stdin="你好 socat\n")
    assert sender.finish() == (
        0,
        "Message to send: Sent 12 bytes; waiting up to 60 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    assert receiver.finish()[0] == 0
    assert got.read_text(encoding="utf-8") == "你好 socat"
