"""What every echo server does alike: its command line, its address, its port.

Each server takes the same options (``--host``, ``--port``, ``--max-size``,
``--idle-timeout``), prints the same ``Listening on`` line, runs as a file,
as a module and as a lone copy, listens on IPv6 when asked, and a port in
use gives one line and exit status 1.
"""

from __future__ import annotations

import errno
import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.servers.peers import SERVERS, echo_ok, path_of, running
from tests.support import Program, one_line, port_of

MODULES: dict[str, ModuleType] = {
    name: importlib.import_module(f"examples.servers.{name}") for name in SERVERS
}
WITH_ACCEPT_LOOP = ["echo_sequential"]


@pytest.mark.parametrize("name", SERVERS)
def test_a_port_in_use_gives_one_line_and_status_1(name: str) -> None:
    with MODULES["echo_sequential"].open_server("127.0.0.1", 0) as taken:
        port = port_of(taken)
        program = Program([sys.executable, str(path_of(name)), "--port", str(port)])
        code, out, err = program.finish()
    assert (code, out) == (1, "")
    assert one_line(err) == (
        f"{name}: cannot listen on 127.0.0.1:{port}: {os.strerror(errno.EADDRINUSE)}"
    )


@pytest.mark.parametrize("name", SERVERS)
def test_main_reports_a_port_in_use_in_one_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with MODULES["echo_sequential"].open_server("127.0.0.1", 0) as taken:
        port = port_of(taken)
        assert MODULES[name].main(["--port", str(port)]) == 1
    assert one_line(capsys.readouterr().err).startswith(
        f"{name}: cannot listen on 127.0.0.1:{port}: "
    )


@pytest.mark.parametrize("name", SERVERS)
def test_it_listens_on_ipv6_when_asked(name: str) -> None:
    with running(name, "--host", "::1") as server:
        assert server.program.listening_line == f"Listening on [::1]:{server.port}"
        echo_ok(server.port, host="::1")


@pytest.mark.parametrize("name", SERVERS)
def test_it_runs_as_a_module(name: str) -> None:
    program = Program([sys.executable, "-m", f"examples.servers.{name}", "--port", "0"])
    try:
        port = program.wait_listening()
        echo_ok(port)
        program.interrupt()
        assert program.finish() == (130, "", "Stopped.\n")
    finally:
        program.close()


@pytest.mark.parametrize("name", SERVERS)
def test_it_runs_from_a_lone_copy_of_the_file(name: str, tmp_path: Path) -> None:
    shutil.copy(path_of(name), tmp_path)
    program = Program(
        [sys.executable, f"{name}.py", "--port", "0"], cwd=tmp_path, measure=False
    )
    try:
        port = program.wait_listening()
        echo_ok(port)
        program.interrupt()
        assert program.finish() == (130, "", "Stopped.\n")
    finally:
        program.close()


@pytest.mark.parametrize("name", SERVERS)
def test_the_defaults(name: str) -> None:
    args = MODULES[name].parse_args([])
    assert (args.host, args.port, args.max_size, args.idle_timeout) == (
        "127.0.0.1",
        8888,
        1024 * 1024,
        30.0,
    )


@pytest.mark.parametrize("name", SERVERS)
@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--max-size", "0", "a whole number from 1 to 4294967295"),
        ("--max-size", "4294967296", "a whole number from 1 to 4294967295"),
        ("--max-size", "1MiB", "a whole number from 1 to 4294967295"),
        ("--idle-timeout", "0", "a number of seconds above 0 and at most 86400"),
        ("--idle-timeout", "nan", "a number of seconds above 0 and at most 86400"),
        ("--idle-timeout", "soon", "a number of seconds above 0 and at most 86400"),
    ],
)
def test_a_value_that_cannot_work_is_refused_in_plain_words(
    name: str,
    option: str,
    value: str,
    words: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        MODULES[name].parse_args([option, value])
    assert info.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith(f"argument {option}: must be {words}, not {value!r}")
    )


@pytest.mark.parametrize("name", SERVERS)
def test_values_within_limits_are_taken(name: str) -> None:
    args = MODULES[name].parse_args(["--max-size", "1", "--idle-timeout", "0.5"])
    assert (args.max_size, args.idle_timeout) == (1, 0.5)


@pytest.mark.parametrize("name", SERVERS)
def test_format_address_puts_ipv6_hosts_in_brackets(name: str) -> None:
    format_address = MODULES[name].format_address
    assert format_address(("127.0.0.1", 8888)) == "127.0.0.1:8888"
    assert format_address(("::1", 8888, 0, 0)) == "[::1]:8888"


class SilentThenConnectedListener:
    """A stand-in listener whose first accept() times out, like a quiet poll."""

    def __init__(self) -> None:
        self.calls = 0

    def settimeout(self, value: float | None) -> None:
        pass

    def accept(self) -> tuple[str, tuple[str, int]]:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("timed out")
        return "connection", ("127.0.0.1", 50000)


@pytest.mark.parametrize("name", WITH_ACCEPT_LOOP)
def test_accept_client_keeps_waiting_after_a_poll_interval_passes(name: str) -> None:
    listener = SilentThenConnectedListener()
    accept_client = MODULES[name].accept_client
    assert accept_client(listener, 0.25) == ("connection", ("127.0.0.1", 50000))
    assert listener.calls == 2
