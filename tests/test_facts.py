"""The facts the concept pages state (basics, layers, glossary), checked here.

One test per number or checkable claim of docs/*/basics.md and
docs/*/layers.md, named for it, with the standard library only (and, on
Linux, /proc and iproute2's ip and ss); also the system settings that
errata.md, socket-api.md and faq.md give as numbers (the backlog's limit,
how long an unanswered connect() waits, macOS's rule for low ports), with a
check that the pages state the number the test finds. Facts that
tests/test_errata.py already checks are cited there, not repeated:

- ports run from 0 to 65535, 65536 numbers; 65536 and -1 are rejected
  (test_ports_run_from_0_to_65535_which_is_65536_numbers);
- bind() with port 0 asks the system for a free port
  (test_port_0_asks_the_system_for_a_free_port);
- TCP and UDP port numbers are separate spaces
  (test_tcp_and_udp_ports_are_separate_spaces);
- the largest UDP payload over IPv4 is 65507 bytes = 65535 - 20 (IPv4
  header) - 8 (UDP header) (test_largest_udp_payload_over_ipv4_is_65507_bytes).

Sockets use 127.0.0.1 and port 0 only, and every blocking call has a timeout.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.pages import DOCS, LANGUAGES, assert_shows, page_output
from tests.support import TIMEOUT

PROC_IPV4 = Path("/proc/sys/net/ipv4")
SERVICES = Path("/etc/services")
on_linux = pytest.mark.skipif(
    sys.platform != "linux", reason="a Linux setting, read from /proc"
)


def stated(page: str) -> list[str]:
    """The Markdown of docs/zh/PAGE and docs/en/PAGE, for the facts they state."""
    return [
        (DOCS / language / page).read_text(encoding="utf-8") for language in LANGUAGES
    ]


# --- IP addresses: basics.md#ipv4-ipv6 ---------------------------------------


def test_ipv4_addresses_are_32_bits_so_there_are_4294967296() -> None:
    address = ipaddress.ip_address("192.168.1.10")
    assert address.version == 4
    assert address.max_prefixlen == 32
    assert len(address.packed) * 8 == 32
    assert ipaddress.ip_network("0.0.0.0/0").num_addresses == 2**32 == 4_294_967_296


def test_ipv6_addresses_are_128_bits_about_3_4_times_10_to_the_38() -> None:
    address = ipaddress.ip_address("2001:db8::1")
    assert address.version == 6
    assert address.max_prefixlen == 128
    assert len(address.packed) * 8 == 128
    count = ipaddress.ip_network("::/0").num_addresses
    assert count == 2**128
    assert f"{count:.1e}" == "3.4e+38"


def test_ipv6_notation_shortens_a_run_of_zero_groups_to_two_colons() -> None:
    assert ipaddress.ip_address("2001:db8::1").exploded == (
        "2001:0db8:0000:0000:0000:0000:0000:0001"
    )
    assert ipaddress.ip_address("::1").exploded == (
        "0000:0000:0000:0000:0000:0000:0000:0001"
    )


def test_an_ipv4_socket_cannot_use_an_ipv6_address() -> None:
    # Two versions of the protocol, two address families: AF_INET is IPv4 only.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(OSError):
            sock.bind(("::1", 0))
        assert sock.family == socket.AF_INET


def test_ipv6_writes_an_ipv4_address_as_an_ipv4_mapped_address() -> None:
    # RFC 4291: ::ffff:0:0/96 holds the IPv4 addresses, the last 32 bits.
    mapped = ipaddress.IPv6Address("::ffff:192.0.2.1")
    assert mapped.ipv4_mapped == ipaddress.IPv4Address("192.0.2.1")
    assert mapped in ipaddress.ip_network("::ffff:0:0/96")
    assert ipaddress.IPv6Address("2001:db8::1").ipv4_mapped is None
    for text in stated("basics.md") + stated("errata.md"):
        assert "`::ffff:192.0.2.1`" in text


@pytest.mark.skipif(
    not socket.has_dualstack_ipv6(), reason="needs a dual-stack IPv6 socket"
)
def test_a_dual_stack_socket_sees_an_ipv4_client_as_a_mapped_address() -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        listener.bind(("::ffff:127.0.0.1", 0))  # loopback, in its IPv6 form
        listener.listen()
        listener.settimeout(TIMEOUT)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as client:
            assert client.family == socket.AF_INET  # the client speaks IPv4
            conn, address = listener.accept()
            with conn:
                peer = ipaddress.IPv6Address(address[0])
                assert peer.ipv4_mapped == ipaddress.IPv4Address("127.0.0.1")
                assert address[1] == client.getsockname()[1]


# --- private and public addresses: basics.md#private-public -------------------


@pytest.mark.parametrize(
    ("network", "first", "last", "count"),
    [
        ("10.0.0.0/8", "10.0.0.0", "10.255.255.255", 16_777_216),
        ("172.16.0.0/12", "172.16.0.0", "172.31.255.255", 1_048_576),
        ("192.168.0.0/16", "192.168.0.0", "192.168.255.255", 65_536),
    ],
)
def test_private_ipv4_ranges_and_their_sizes(
    network: str, first: str, last: str, count: int
) -> None:
    net = ipaddress.ip_network(network)
    assert net.is_private
    assert (str(net[0]), str(net[-1]), net.num_addresses) == (first, last, count)


def test_172_32_is_outside_the_private_172_16_12_range() -> None:
    private = ipaddress.ip_network("172.16.0.0/12")
    assert ipaddress.ip_address("172.31.255.255") in private
    assert ipaddress.ip_address("172.32.0.0") not in private
    assert ipaddress.ip_address("172.32.0.0").is_global


def test_ipv6_unique_local_addresses_fc00_7_are_private() -> None:
    unique_local = ipaddress.ip_network("fc00::/7")
    assert unique_local.is_private
    assert ipaddress.ip_address("fd00::2") in unique_local


# --- loopback: basics.md#loopback ---------------------------------------------


def test_loopback_is_all_of_127_0_0_0_8_and_only_1_in_ipv6() -> None:
    loopback = ipaddress.ip_network("127.0.0.0/8")
    assert loopback.is_loopback
    assert loopback.num_addresses == 16_777_216
    assert ipaddress.ip_address("127.255.255.254").is_loopback
    assert not ipaddress.ip_address("128.0.0.1").is_loopback
    assert ipaddress.ip_address("::1").is_loopback
    assert not ipaddress.ip_address("::2").is_loopback


def test_localhost_resolves_to_loopback_addresses() -> None:
    infos = socket.getaddrinfo("localhost", None)
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    assert addresses
    assert all(address.is_loopback for address in addresses)


# --- finding your address: basics.md#find-your-address ------------------------


def test_gethostname_returns_the_host_name_as_a_string() -> None:
    name = socket.gethostname()
    assert isinstance(name, str)
    assert name


def test_getaddrinfo_returns_5_tuples_ending_in_a_socket_address() -> None:
    # A numeric address needs no name server: nothing leaves the machine.
    infos = socket.getaddrinfo(
        "127.0.0.1", 8888, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
    )
    assert infos
    for family, kind, proto, canonname, sockaddr in infos:
        assert (family, kind) == (socket.AF_INET, socket.SOCK_STREAM)
        assert isinstance(proto, int)
        assert canonname == ""
        assert sockaddr == ("127.0.0.1", 8888)


# `ip -brief address` prints one line per interface: the name padded to 16
# columns, the state to 14, then each address with its prefix length.
IP_BRIEF = re.compile(r"(?P<name>\S+) +(?P<state>[A-Z]+) +(?P<addresses>(?:\S+/\d+ )*)")


def ip_brief_lines(text: str) -> dict[str, tuple[str, list[str]]]:
    """Interface name -> (state, addresses) of ``ip -brief address`` output."""
    interfaces = {}
    for line in text.splitlines():
        match = IP_BRIEF.fullmatch(line)
        assert match, f"not a line of ip -brief address: {line!r}"
        name, state = match["name"], match["state"]
        addresses = match["addresses"].split()
        assert line == f"{name:<16} {state:<14} " + "".join(a + " " for a in addresses)
        interfaces[name] = (state, addresses)
    return interfaces


@on_linux
@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2's ip")
def test_ip_brief_address_prints_lines_like_the_page_shows() -> None:
    # The page shows one real run on the machine it was written on; this
    # machine has other interfaces. Both outputs have the same layout, and
    # the loopback interface is the same everywhere.
    shown = ip_brief_lines(page_output("ip-brief-address"))
    result = subprocess.run(
        ["ip", "-brief", "address"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    printed = ip_brief_lines(result.stdout)
    assert printed["lo"][0] == shown["lo"][0] == "UNKNOWN"
    assert printed["lo"][1][0] == shown["lo"][1][0] == "127.0.0.1/8"
    # What the page says of its block: four interfaces, five addresses.
    assert len(shown) == 4
    assert sum(len(addresses) for _, addresses in shown.values()) == 5


# --- TCP and UDP: basics.md#tcp, basics.md#udp ---------------------------------


def test_tcp_is_a_byte_stream_one_send_can_take_several_recvs() -> None:
    message = b"Welcome to python world"  # 23 bytes, sent in one call
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        with socket.create_connection(
            listener.getsockname(), timeout=TIMEOUT
        ) as client:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                client.sendall(message)
                client.shutdown(socket.SHUT_WR)
                pieces = list(iter(lambda: conn.recv(10), b""))
    # The reader decides how many bytes to take; the sender's call is gone.
    assert b"".join(pieces) == message
    assert len(pieces) >= 3
    assert all(1 <= len(piece) <= 10 for piece in pieces)


def test_udp_keeps_message_boundaries_one_sendto_one_recvfrom() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender,
    ):
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(TIMEOUT)
        for message in (b"one", b"two", b"three"):
            sender.sendto(message, receiver.getsockname())
        received = [receiver.recvfrom(65535)[0] for _ in range(3)]
    assert received == [b"one", b"two", b"three"]


def test_udp_sendto_reports_nothing_when_nobody_receives() -> None:
    # Connectionless, no acknowledgement: the sender is not told of the loss.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as closed:
        closed.bind(("127.0.0.1", 0))
        address = closed.getsockname()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        assert sender.sendto(b"hello", address) == 5


# --- ports: basics.md#ports ----------------------------------------------------


def test_port_65535_is_a_valid_port_number() -> None:
    # The largest 16-bit number; 65536 is rejected (see test_errata.py).
    assert 2**16 - 1 == 65535
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", 65535))
        except OSError as error:  # in use by someone else: valid all the same
            assert error.errno == errno.EADDRINUSE
        else:
            assert sock.getsockname()[1] == 65535


def read_to_end(sock: socket.socket) -> bytes:
    """Everything ``sock`` receives until its peer closes its sending side."""
    return b"".join(iter(lambda: sock.recv(4096), b""))


def test_connections_on_one_port_are_told_apart_by_both_ends() -> None:
    # A port does not name one socket: the listening socket and every
    # connection it accepts share one local address; what differs is the
    # peer's, so the 4-tuple (local and remote address and port) does.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(TIMEOUT)
        address = listener.getsockname()
        with (
            socket.create_connection(address, timeout=TIMEOUT) as first,
            socket.create_connection(address, timeout=TIMEOUT) as second,
        ):
            one, _ = listener.accept()
            two, _ = listener.accept()
            with one, two:
                one.settimeout(TIMEOUT)
                two.settimeout(TIMEOUT)
                assert one.getsockname() == two.getsockname() == address
                assert one.getpeername() != two.getpeername()
                clients = (first.getsockname(), second.getsockname())
                assert {one.getpeername(), two.getpeername()} == set(clients)
                # The system delivers each client's bytes to its own socket.
                for client in (first, second):
                    client.sendall(b"from %d" % client.getsockname()[1])
                    client.shutdown(socket.SHUT_WR)
                by_peer = {conn.getpeername(): read_to_end(conn) for conn in (one, two)}
    assert by_peer == {client: b"from %d" % client[1] for client in clients}


def test_iana_port_ranges_divide_0_to_65535_without_gap() -> None:
    well_known = range(0, 1023 + 1)
    registered = range(1024, 49151 + 1)
    dynamic = range(49152, 65535 + 1)
    assert (len(well_known), len(registered), len(dynamic)) == (1024, 48128, 16384)
    assert [*well_known, *registered, *dynamic] == list(range(65536))


@pytest.mark.skipif(
    not SERVICES.is_file(),
    reason="no /etc/services, the services database getservbyname() reads",
)
@pytest.mark.parametrize(
    ("service", "protocol", "port"),
    [
        ("ftp", "tcp", 21),  # the control connection
        ("ssh", "tcp", 22),
        ("smtp", "tcp", 25),
        ("domain", "udp", 53),  # DNS
        ("domain", "tcp", 53),
        ("http", "tcp", 80),
        ("https", "tcp", 443),
    ],
)
def test_well_known_port_of_a_service(service: str, protocol: str, port: int) -> None:
    assert socket.getservbyname(service, protocol) == port
    assert port <= 1023


@on_linux
def test_linux_default_ephemeral_port_range_is_32768_to_60999() -> None:
    # Fails on a machine whose administrator changed the setting: the page
    # states the default, and this machine then does not have it.
    low, high = map(int, (PROC_IPV4 / "ip_local_port_range").read_text().split())
    assert (low, high) == (32768, 60999)


@on_linux
def test_linux_picks_the_port_for_port_0_from_the_ephemeral_range() -> None:
    low, high = map(int, (PROC_IPV4 / "ip_local_port_range").read_text().split())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        assert low <= sock.getsockname()[1] <= high


def command_numbers(*argv: str) -> list[int]:
    """Run a system command; return the numbers in its output, in order."""
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=TIMEOUT, check=True
    )
    return [int(number) for number in re.findall(r"\d+", result.stdout)]


@pytest.mark.skipif(sys.platform != "darwin", reason="a macOS setting (sysctl)")
def test_macos_default_ephemeral_port_range_is_49152_to_65535() -> None:
    first = command_numbers("sysctl", "-n", "net.inet.ip.portrange.first")
    last = command_numbers("sysctl", "-n", "net.inet.ip.portrange.last")
    assert (first, last) == ([49152], [65535])


@pytest.mark.skipif(sys.platform != "win32", reason="a Windows setting (netsh)")
def test_windows_default_ephemeral_port_range_is_49152_to_65535() -> None:
    # "Start Port : 49152" and "Number of Ports : 16384", in the system's language.
    numbers = command_numbers(
        "netsh", "interface", "ipv4", "show", "dynamicportrange", "protocol=tcp"
    )
    assert numbers == [49152, 16384]
    assert 49152 + 16384 - 1 == 65535


CAP_NET_BIND_SERVICE = 10  # its bit in the capability masks of /proc/PID/status
# The child that tries the ports: the last privileged one, then the first free one.
TRY_PORTS = textwrap.dedent(
    """
    import errno, socket, sys
    status = open("/proc/self/status").read().split("CapEff:")[1].split()[0]
    if int(status, 16) >> 10 & 1:
        sys.exit("still has CAP_NET_BIND_SERVICE")
    start = int(sys.argv[1])
    for port in (start - 1, start):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                print(port, "bound")
            except OSError as error:
                print(port, f"{type(error).__name__}: {error}")
    """
)
# For a privileged parent (root): drop CAP_NET_BIND_SERVICE from the bounding
# set (prctl PR_CAPBSET_DROP = 24), then run TRY_PORTS; root without the
# capability is refused like anyone else.
DROP_CAPABILITY = textwrap.dedent(
    """
    import ctypes, os, sys
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(24, 10, 0, 0, 0) != 0:
        sys.exit("cannot drop CAP_NET_BIND_SERVICE")
    os.execv(sys.executable, [sys.executable, "-I", "-c", *sys.argv[1:]])
    """
)


def has_capability(bit: int) -> bool:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    effective = status.split("CapEff:")[1].split()[0]
    return bool(int(effective, 16) >> bit & 1)


@on_linux
def test_linux_ports_below_ip_unprivileged_port_start_need_privileges() -> None:
    start = int((PROC_IPV4 / "ip_unprivileged_port_start").read_text())
    if start == 0:  # Docker, for one, sets 0 in its containers
        pytest.skip("ip_unprivileged_port_start is 0: every port is unprivileged")
    privileged = has_capability(CAP_NET_BIND_SERVICE)
    if privileged:  # root, usually: the bind is allowed here ...
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", start - 1))
            except OSError as error:
                assert error.errno == errno.EADDRINUSE
    # ... and refused without the capability.
    boot = [DROP_CAPABILITY] if privileged else []
    result = subprocess.run(
        [sys.executable, "-I", "-c", *boot, TRY_PORTS, str(start)],
        env={"PATH": os.environ.get("PATH", "")},  # no coverage in the child
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if "CAP_NET_BIND_SERVICE" in result.stderr:
        pytest.skip(f"cannot run without the capability here: {result.stderr}")
    assert result.returncode == 0, result.stderr
    below, at = result.stdout.splitlines(keepends=True)
    assert below.startswith(f"{start - 1} ")
    assert_shows(below.split(" ", 1)[1], page_output("permission-denied"))
    in_use = f"OSError: [Errno {errno.EADDRINUSE}] {os.strerror(errno.EADDRINUSE)}\n"
    assert at in (f"{start} bound\n", f"{start} {in_use}")


@pytest.mark.skipif(sys.platform != "darwin", reason="macOS's rule (since 10.14)")
def test_macos_low_ports_need_privileges_only_on_a_specific_address() -> None:
    if os.geteuid() == 0:
        pytest.skip("root may bind any port")
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", 1023))  # all interfaces: allowed
        except OSError as error:
            assert error.errno == errno.EADDRINUSE
    with socket.socket() as sock, pytest.raises(PermissionError):
        sock.bind(("127.0.0.1", 1023))  # one address: still refused


@pytest.mark.parametrize("page", ["basics.md", "faq.md"])
def test_the_pages_state_the_macos_rule_that_the_macos_test_checks(page: str) -> None:
    # One rule on every page: since 10.14, all interfaces need no privileges,
    # one address (127.0.0.1 included) still does.
    for text in stated(page):
        (paragraph,) = [p for p in text.split("\n\n") if "10.14" in p]
        assert "macOS" in paragraph
        assert "`0.0.0.0`" in paragraph
        assert "`127.0.0.1`" in paragraph


# --- the listen backlog: errata.md#listen-backlog, socket-api.md#listen -------

PROC_CORE = Path("/proc/sys/net/core")


def listen_backlog(sock: socket.socket) -> int:
    """The backlog Linux gave a listening socket: ss shows it as Send-Q."""
    port = sock.getsockname()[1]
    result = subprocess.run(
        ["ss", "-H", "-l", "-t", "-n", "sport", "=", f":{port}"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    (line,) = result.stdout.splitlines()
    state, _, send_q, local, _ = line.split()
    assert (state, local) == ("LISTEN", f"127.0.0.1:{port}")
    return int(send_q)


@on_linux
@pytest.mark.skipif(shutil.which("ss") is None, reason="needs iproute2's ss")
def test_linux_caps_the_backlog_at_net_core_somaxconn() -> None:
    somaxconn = int((PROC_CORE / "somaxconn").read_text())
    # The default the pages state (Linux 5.4 and later); fails where an
    # administrator changed it, as the page then does not describe the machine.
    assert somaxconn == 4096
    for text in stated("errata.md") + stated("socket-api.md"):
        (line,) = [x for x in text.splitlines() if "/proc/sys/net/core/somax" in x]
        assert "`net.core.somaxconn`" in line
        assert "4096" in line
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(socket.SOMAXCONN * 100)  # far too many: lowered, no error
        assert listen_backlog(sock) == somaxconn  # the setting, not the constant
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # no argument: the smaller of SOMAXCONN and 128
        assert listen_backlog(sock) == min(socket.SOMAXCONN, 128, somaxconn)


# --- connect() without a timeout: socket-api.md#connect, faq.md#timeout -------


@on_linux
def test_linux_gives_up_an_unanswered_connect_after_127_seconds() -> None:
    # Default settings: the SYN is sent again tcp_syn_retries times; the first
    # wait is 1 s (the initial retransmission timeout), and each one doubles.
    retries = int((PROC_IPV4 / "tcp_syn_retries").read_text())
    assert retries == 6  # fails where an administrator changed it
    waits = [2**attempt for attempt in range(retries + 1)]
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert sum(waits) == 127
    for text in stated("socket-api.md"):
        assert "`net.ipv4.tcp_syn_retries`" in text
        assert "1 + 2 + 4 + 8 + 16 + 32 + 64 = 127" in text
    for text in stated("faq.md"):
        (paragraph,) = [p for p in text.split("\n\n") if "ETIMEDOUT" in p]
        assert "127" in paragraph
