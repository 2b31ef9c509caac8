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

from tests.support import Program, one_line

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
        f"Sent 12 bytes.\nReply from 127.0.0.1:{port}: 收到\n",
        "",
    )
    assert receiver.finish()[0] == 0
    assert got.read_text(encoding="utf-8") == "你好 socat"
