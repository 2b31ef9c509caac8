"""Across two computers: the examples run in two network namespaces.

The pages' sections "Across two computers" (``{ #two-computers }``) show
commands typed on two computers, marked ``host=ADDRESS`` (tests/pages.py):
192.0.2.1 runs the server, 192.0.2.2 the client; both addresses are from
RFC 5737's documentation range. Here each computer is a Linux network
namespace, the two joined by a veth pair and nothing else: there is no
route beyond 192.0.2.0/24, so no packet leaves the machine. Creating
namespaces needs root; elsewhere these tests are skipped, with the reason.

This module runs every such transcript of the pages with
tests/test_transcripts.py's runner (each command prefixed with
``ip netns exec NAMESPACE``), tests that runner on two transcripts of its
own, and checks the facts the sections state: which address a server binds
decides whether the other computer reaches it, and what the client prints
when a firewall drops or rejects its connection.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.pages import blocks, page_files
from tests.support import TIMEOUT, Program, example_path
from tests.test_transcripts import (
    TRANSCRIPTS,
    Step,
    Transcript,
    assert_shown,
    on_two_hosts,
    read_blocks,
    run_transcript,
)

SERVER = "192.0.2.1"  # the computer the server runs on
OTHER = "192.0.2.2"  # the other computer
PREFIX = 24  # both on 192.0.2.0/24, the veth pair's one link
LINK = "veth0"  # the veth end's name in each namespace
TCP_SERVER = "examples/tcp/tcp_server.py"
TCP_CLIENT = "examples/tcp/tcp_client.py"
UDP_RECEIVER = "examples/udp/udp_receiver.py"
UDP_SENDER = "examples/udp/udp_sender.py"
LANGUAGES = ("zh", "en")
_namespaces = itertools.count()  # unique names within one pytest worker


def ip(*args: str) -> str:
    """Run ``ip ARGS`` (iproute2); assert that it succeeds; return its output."""
    result = subprocess.run(
        ["ip", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout


@dataclass(frozen=True)
class Hosts:
    """Two computers: the network namespace of each address."""

    namespaces: dict[str, str]

    def on(self, address: str) -> list[str]:
        """The words that run a command on the computer ``address``."""
        assert address in self.namespaces, f"no computer {address}"
        return ["ip", "netns", "exec", self.namespaces[address]]


def wait_until_up(namespace: str) -> None:
    """Wait until the veth end is up: from then on the link passes packets.

    The kernel may report a new veth pair up a moment after both ends are
    set up; a packet sent before then is dropped.
    """
    deadline = time.monotonic() + TIMEOUT
    while True:
        (link,) = json.loads(ip("-n", namespace, "-j", "link", "show", "dev", LINK))
        if link["operstate"] == "UP":
            return
        assert time.monotonic() < deadline, link
        time.sleep(0.01)


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    """192.0.2.1 and 192.0.2.2, two network namespaces joined by a veth pair.

    Each has its own loopback (up) and one end of the pair, named ``veth0``
    in both (the pair is made inside the namespaces, so nothing appears on
    the machine's own interfaces); both are removed at the end, whatever
    happened. The names hold the pid and a counter, since two pytest
    workers run at once.
    """
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("needs root on Linux to create network namespaces")
    if shutil.which("ip") is None:
        pytest.skip("ip (iproute2) not found")
    base = f"sockets-test-{os.getpid()}-{next(_namespaces)}"
    namespaces = {SERVER: f"{base}-server", OTHER: f"{base}-other"}
    created = []
    try:
        for namespace in namespaces.values():
            ip("netns", "add", namespace)
            created.append(namespace)
        first, second = namespaces.values()
        pair = f"{LINK} netns {first} type veth peer name {LINK} netns {second}"
        ip("link", "add", *pair.split())
        for address, namespace in namespaces.items():
            ip("-n", namespace, "address", "add", f"{address}/{PREFIX}", "dev", LINK)
            ip("-n", namespace, "link", "set", "lo", "up")
            ip("-n", namespace, "link", "set", LINK, "up")
        for namespace in namespaces.values():
            wait_until_up(namespace)
        yield Hosts(namespaces)
    finally:
        # Deleting a namespace deletes its veth end, and with it the pair.
        results = [
            subprocess.run(
                ["ip", "netns", "delete", namespace],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
            for namespace in created
        ]
        assert [r.stderr for r in results if r.returncode != 0] == []


def test_the_two_computers_reach_nothing_but_each_other(hosts: Hosts) -> None:
    """Only loopback and the veth pair; routes only to the pair's own link."""
    for address, namespace in hosts.namespaces.items():
        links = json.loads(ip("-n", namespace, "-j", "link", "show"))
        assert sorted(link["ifname"] for link in links) == ["lo", LINK]
        routes = json.loads(ip("-n", namespace, "-j", "-4", "route", "show"))
        assert [(r["dst"], r["dev"], r.get("prefsrc")) for r in routes] == [
            (f"192.0.2.0/{PREFIX}", LINK, address)
        ]
        # IPv6: the link-local route of the veth end only (fe80::/64).
        routes6 = json.loads(ip("-n", namespace, "-j", "-6", "route", "show"))
        assert {(r["dst"], r["dev"]) for r in routes6} <= {("fe80::/64", LINK)}


# --- transcripts typed on two computers ---------------------------------------


def two_host_transcripts() -> list[str]:
    """The transcripts with a ``host=`` step, read from the pages directly."""
    return sorted(
        {
            block.args[0]
            for path in page_files("zh")
            for block in blocks(path)
            if block.kind == "run"
            and any(arg.startswith("host=") for arg in block.args)
        }
    )


PAGE_TRANSCRIPTS = sorted(
    name for name, (_, transcript) in TRANSCRIPTS.items() if on_two_hosts(transcript)
)


def run_on_two_hosts(
    transcript: Transcript,
    hosts: Hosts,
    run: Callable[..., Program],
    tmp_path: Path,
) -> dict[str, str]:
    """Run a transcript, each command on the computer its step names.

    The runner is tests/test_transcripts.py's: it puts ``ip netns exec
    NAMESPACE`` before each command.
    """

    def on_its_computer(step: Step) -> list[str]:
        assert step.host is not None, f"{transcript.name}: {step.role} has no host="
        return hosts.on(step.host)

    return run_transcript(transcript, run, tmp_path, prefix=on_its_computer)


def test_every_transcript_on_two_computers_is_run_here() -> None:
    """test_transcripts.py leaves them out; each one must be run below."""
    assert two_host_transcripts() == PAGE_TRANSCRIPTS
    for name in PAGE_TRANSCRIPTS:
        page, transcript = TRANSCRIPTS[name]
        hosts = [step.host for step in transcript.steps]
        assert set(hosts) <= {SERVER, OTHER}, (page, name, hosts)


@pytest.mark.parametrize("name", PAGE_TRANSCRIPTS)
def test_page_transcript_runs_across_two_computers(
    name: str, hosts: Hosts, run: Callable[..., Program], tmp_path: Path
) -> None:
    page, transcript = TRANSCRIPTS[name]
    assert_shown(transcript, run_on_two_hosts(transcript, hosts, run, tmp_path), page)


# The runner's own tests: transcripts as a page would show them, the output
# copied from a real run.
RUNNER_TRANSCRIPTS = {
    "tcp-lan": """
<!-- run: tcp-lan server host=192.0.2.1 -->
```bash
python examples/tcp/tcp_server.py --host 0.0.0.0
```
<!-- run: tcp-lan client host=192.0.2.2 -->
```bash
python examples/tcp/tcp_client.py --host 192.0.2.1 "Hello from the other computer"
```
<!-- output: tcp-lan server -->
```text
Listening on 0.0.0.0:8888
Received 29 bytes from 192.0.2.2:55992: Hello from the other computer
```
<!-- output: tcp-lan client -->
```text
Connected to 192.0.2.1:8888
Sent 29 bytes.
```
""",
    "udp-lan": """
<!-- run: udp-lan receiver host=192.0.2.1 -->
```bash
python examples/udp/udp_receiver.py --host 0.0.0.0 --reply "Got it"
```
<!-- run: udp-lan sender host=192.0.2.2 -->
```bash
python examples/udp/udp_sender.py --host 192.0.2.1 "Hello"
```
<!-- output: udp-lan receiver -->
```text
Listening on UDP 0.0.0.0:8888
Received 5 bytes from 192.0.2.2:55187: Hello
Replied 6 bytes.
```
<!-- output: udp-lan sender -->
```text
Sent 5 bytes to 192.0.2.1:8888; waiting up to 60.0 s for the reply.
Reply from 192.0.2.1:8888: Got it
```
""",
}


@pytest.mark.parametrize("name", sorted(RUNNER_TRANSCRIPTS))
def test_runner_runs_a_transcript_across_two_computers(
    name: str, hosts: Hosts, run: Callable[..., Program], tmp_path: Path
) -> None:
    page = tmp_path / "two-computers.md"
    page.write_text(RUNNER_TRANSCRIPTS[name], encoding="utf-8")
    transcript = read_blocks(page).transcripts[name]
    assert [step.host for step in transcript.steps] == [SERVER, OTHER]
    views = run_on_two_hosts(transcript, hosts, run, tmp_path)
    assert_shown(transcript, views, name)


def test_runner_fails_when_a_terminal_shows_something_else(
    hosts: Hosts, run: Callable[..., Program], tmp_path: Path
) -> None:
    """The client's address is compared: 192.0.2.1 would not be 192.0.2.2."""
    page = tmp_path / "two-computers.md"
    page.write_text(
        RUNNER_TRANSCRIPTS["tcp-lan"].replace("from 192.0.2.2", "from 192.0.2.1"),
        encoding="utf-8",
    )
    transcript = read_blocks(page).transcripts["tcp-lan"]
    views = run_on_two_hosts(transcript, hosts, run, tmp_path)
    with pytest.raises(AssertionError):
        assert_shown(transcript, views, "tcp-lan")


# --- what the sections state ---------------------------------------------------


@pytest.fixture
def on(hosts: Hosts, run: Callable[..., Program]) -> Callable[..., Program]:
    """Start ``python ARGS`` on a computer: ``on(SERVER, "x.py", ...)``.

    Coverage measures these runs, as it does the other tests' programs:
    ``ip netns exec`` passes the environment on, and a namespace has the
    machine's files, where coverage writes its data.
    """

    def _on(address: str, *args: str, **options: Any) -> Program:
        return run(*hosts.on(address), sys.executable, *args, **options)

    return _on


def refused(host: str, port: int) -> str:
    """What tcp_client.py prints when nothing listens at ``host:port``."""
    return f"tcp_client: {host}:{port} refused; is the server running?\n"


def waiting(port: int) -> str:
    """What ``udp_sender.py --timeout 1 Hi`` prints at once, on standard output."""
    return f"Sent 2 bytes to {SERVER}:{port}; waiting up to 1.0 s for the reply.\n"


def no_reply(port: int) -> str:
    """What ``udp_sender.py --timeout 1`` prints when 192.0.2.1 never replies."""
    return (
        f"udp_sender: no reply from {SERVER}:{port} (waited up to 1.0 s);"
        " is the receiver running?\n"
    )


def sent(host: str, port: int) -> str:
    """What tcp_client.py prints when it has sent "Hello" to ``host:port``."""
    return f"Connected to {host}:{port}\nSent 5 bytes.\n"


def started(program: Program, listening: str) -> int:
    """Wait for the server's ``Listening on ...`` line; return its port."""
    port = program.wait_listening()
    assert program.listening_line == f"Listening on {listening}:{port}"
    return port


def assert_received(server: Program, source: str) -> None:
    """tcp_server.py ends, having printed the "Hello" that ``source`` sent."""
    code, out, err = server.finish()
    assert (code, err) == (0, ""), out + err
    assert re.fullmatch(rf"Received 5 bytes from {re.escape(source)}:\d+: Hello\n", out)


@pytest.mark.parametrize("bind", ["0.0.0.0", SERVER])
def test_a_tcp_server_on_every_address_or_its_own_is_reached_from_the_other(
    bind: str, on: Callable[..., Program]
) -> None:
    server = on(SERVER, TCP_SERVER, "--host", bind, "--port", "0")
    port = started(server, bind)
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (0, sent(SERVER, port), "")
    assert_received(server, OTHER)


def test_a_tcp_server_on_loopback_is_refused_to_the_other_computer(
    on: Callable[..., Program],
) -> None:
    server = on(SERVER, TCP_SERVER, "--host", "127.0.0.1", "--port", "0")
    port = started(server, "127.0.0.1")
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (1, "", refused(SERVER, port))
    # It was listening all along: on its own computer, 127.0.0.1 reaches it.
    local = on(SERVER, TCP_CLIENT, "--port", str(port), "Hello")
    assert local.finish() == (0, sent("127.0.0.1", port), "")
    assert_received(server, "127.0.0.1")


def test_a_tcp_server_on_its_own_address_is_not_on_its_loopback(
    on: Callable[..., Program],
) -> None:
    server = on(SERVER, TCP_SERVER, "--host", SERVER, "--port", "0")
    port = started(server, SERVER)
    local = on(SERVER, TCP_CLIENT, "--port", str(port), "Hello")
    assert local.finish() == (1, "", refused("127.0.0.1", port))
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (0, sent(SERVER, port), "")
    assert_received(server, OTHER)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("tcp_server_min.py", ""),
        ("echo_server_min.py", "Reply: Welcome to python world\n"),
    ],
    ids=["tcp_server_min", "echo_server_min"],
)
def test_a_minimal_tcp_server_is_refused_to_the_other_computer(
    name: str, reply: str, language: str, on: Callable[..., Program]
) -> None:
    """The minimal programs bind 127.0.0.1: only their own computer reaches them."""
    server = on(SERVER, str(example_path(name, language)), "0")
    port = started(server, "127.0.0.1")
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (1, "", refused(SERVER, port))
    # The minimal client, on the server's own computer, reaches it.
    local = on(SERVER, str(example_path("tcp_client_min.py", language)), str(port))
    shown = f"Connected to 127.0.0.1:{port}\nSent 23 bytes.\n{reply}"
    assert local.finish() == (0, shown, "")
    assert server.finish() == (0, "Received: Welcome to python world\n", "")


@pytest.mark.parametrize("bind", ["0.0.0.0", SERVER])
def test_a_udp_receiver_on_every_address_or_its_own_is_reached_from_the_other(
    bind: str, on: Callable[..., Program]
) -> None:
    receiver = on(
        SERVER, UDP_RECEIVER, "--host", bind, "--port", "0", "--reply", "Got it"
    )
    port = started(receiver, f"UDP {bind}")
    sender = on(OTHER, UDP_SENDER, "--host", SERVER, "--port", str(port), "Hello")
    reply = (
        f"Sent 5 bytes to {SERVER}:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from {SERVER}:{port}: Got it\n"
    )
    assert sender.finish() == (0, reply, "")
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert re.fullmatch(
        rf"Received 5 bytes from {re.escape(OTHER)}:\d+: Hello\nReplied 6 bytes\.\n",
        out,
    ), out


def test_a_udp_receiver_on_loopback_is_not_reached_from_the_other_computer(
    on: Callable[..., Program],
) -> None:
    receiver = on(
        SERVER, UDP_RECEIVER, "--host", "127.0.0.1", "--port", "0", "--reply", "Ok"
    )
    port = started(receiver, "UDP 127.0.0.1")
    sender = on(
        OTHER, UDP_SENDER, "--host", SERVER, "--port", str(port), "--timeout", "1", "Hi"
    )
    assert sender.finish() == (1, waiting(port), no_reply(port))
    # It was listening all along: on its own computer, 127.0.0.1 reaches it.
    local = on(SERVER, UDP_SENDER, "--port", str(port), "Hi")
    reply = (
        f"Sent 2 bytes to 127.0.0.1:{port}; waiting up to 60.0 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: Ok\n"
    )
    assert local.finish() == (0, reply, "")
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    received = r"Received 2 bytes from 127\.0\.0\.1:\d+: Hi\nReplied 2 bytes\.\n"
    assert re.fullmatch(received, out), out


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_minimal_udp_receiver_is_not_reached_from_the_other_computer(
    language: str, on: Callable[..., Program]
) -> None:
    receiver_min = str(example_path("udp_receiver_min.py", language))
    receiver = on(SERVER, receiver_min, "0", stdin="Got it\n")
    port = started(receiver, "UDP 127.0.0.1")
    sender = on(
        OTHER, UDP_SENDER, "--host", SERVER, "--port", str(port), "--timeout", "1", "Hi"
    )
    assert sender.finish() == (1, waiting(port), no_reply(port))
    # The minimal sender, on the receiver's own computer, reaches it.
    sender_min = str(example_path("udp_sender_min.py", language))
    local = on(SERVER, sender_min, str(port), stdin="Hello\n")
    shown = (
        "Message to send: Sent 5 bytes; waiting up to 60 s for the reply.\n"
        f"Reply from 127.0.0.1:{port}: Got it\n"
    )
    assert local.finish() == (0, shown, "")
    code, out, err = receiver.finish()
    assert (code, err) == (0, "")
    assert re.fullmatch(r"Received from 127\.0\.0\.1:\d+: Hello\nReply: ", out), out


# --- a firewall on the server's computer ---------------------------------------


@dataclass(frozen=True)
class Firewall:
    """nftables on 192.0.2.1: rules for the packets it receives."""

    hosts: Hosts

    def nft(self, *args: str, stdin: str | None = None) -> None:
        result = subprocess.run(
            [*self.hosts.on(SERVER), "nft", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, (args, stdin, result.stderr)

    def add(self, rule: str) -> None:
        """Apply ``rule`` to every packet that comes in."""
        self.nft(
            "-f",
            "-",
            stdin="table inet two_hosts {\n"
            "  chain input {\n"
            "    type filter hook input priority filter; policy accept;\n"
            f"    {rule}\n"
            "  }\n"
            "}\n",
        )

    def clear(self) -> None:
        """Remove every rule."""
        self.nft("flush", "ruleset")


@pytest.fixture
def firewall(hosts: Hosts) -> Firewall:
    """A firewall on 192.0.2.1, with no rule yet (nft, Debian's nftables)."""
    if shutil.which("nft") is None:
        pytest.skip("nft (nftables) not found")
    probe = subprocess.run(
        [*hosts.on(SERVER), "nft", "list", "ruleset"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"nft does not work in a network namespace: {probe.stderr}")
    return Firewall(hosts)


def test_a_firewall_that_drops_the_port_leaves_the_client_unanswered(
    on: Callable[..., Program], firewall: Firewall
) -> None:
    server = on(SERVER, TCP_SERVER, "--host", "0.0.0.0", "--port", "0")
    port = started(server, "0.0.0.0")
    firewall.add(f"tcp dport {port} drop")
    client = on(
        OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "--timeout", "1", "Hi"
    )
    unanswered = f"tcp_client: {SERVER}:{port}: no answer in 1.0 s\n"
    assert client.finish() == (1, "", unanswered)
    firewall.clear()  # the server was there all along
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (0, sent(SERVER, port), "")
    assert_received(server, OTHER)


@pytest.mark.parametrize(
    ("reject", "ending"),
    [
        ("reject with tcp reset", " refused; is the server running?"),
        # nft's plain reject: ICMP "port unreachable", as if nothing listened.
        ("reject", " refused; is the server running?"),
        # ICMP "administratively prohibited": shown as no route to host.
        ("reject with icmpx admin-prohibited", ": No route to host"),
    ],
    ids=["tcp-reset", "port-unreachable", "admin-prohibited"],
)
def test_a_firewall_that_rejects_the_port_fails_the_client_at_once(
    reject: str, ending: str, on: Callable[..., Program], firewall: Firewall
) -> None:
    server = on(SERVER, TCP_SERVER, "--host", "0.0.0.0", "--port", "0")
    port = started(server, "0.0.0.0")
    firewall.add(f"tcp dport {port} {reject}")
    client = on(
        OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "--timeout", "1", "Hi"
    )
    assert client.finish() == (1, "", f"tcp_client: {SERVER}:{port}{ending}\n")
    firewall.clear()
    client = on(OTHER, TCP_CLIENT, "--host", SERVER, "--port", str(port), "Hello")
    assert client.finish() == (0, sent(SERVER, port), "")
    assert_received(server, OTHER)
