"""Test helpers: start an example as the reader would, and check its output.

Every wait here is bounded by ``TIMEOUT``; nothing sleeps to wait for a
server: a test waits for the line in which the server prints its port.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import signal
import socket
import subprocess
import threading
from pathlib import Path
from types import ModuleType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# The site's languages, which are also the minimal programs' folders.
LANGUAGES = ("zh", "en")
TIMEOUT = 10.0  # seconds; the bound on every blocking call in the tests
LISTENING = re.compile(
    r"^Listening on (?:UDP )?(?P<host>\[.*\]|[^\[:]+):(?P<port>\d+)$"
)


class Program:
    """A program started in a subprocess, its output read line by line as it comes.

    ``argv`` is the whole command. For an example it is ``python`` followed
    by exactly the words a page tells the reader to type (plus ``--port`` to
    keep tests off fixed ports). Both output streams are read by threads, so
    a program that prints a lot never blocks on a full pipe. Text given as
    ``stdin`` is typed in and standard input is then closed, unless
    ``keep_stdin`` asks to leave it open until `close_stdin`. Python shows
    all warnings unless ``warnings`` is false, and coverage measures the run
    (``[tool.coverage.run] patch``) unless ``measure`` is false. With
    ``merge_stderr``, standard error goes into standard output, interleaved
    as a terminal shows them.
    """

    def __init__(
        self,
        argv: list[str],
        *,
        cwd: Path = ROOT,
        stdin: str | None = None,
        keep_stdin: bool = False,
        warnings: bool = True,
        measure: bool = True,
        merge_stderr: bool = False,
    ):
        self.argv = argv
        self.listening_line: str | None = None
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            encoding="utf-8",
            # Show every warning, ResourceWarning (an unclosed socket) included,
            # on stderr, where the tests see it. (-X dev would too, but slower.)
            env={
                **{
                    k: v
                    for k, v in os.environ.items()
                    if measure or "COVERAGE" not in k
                },
                "PYTHONWARNINGS": "default" if warnings else "",
                # argparse wraps usage and help to the terminal's width, which
                # a program on a pipe takes from COLUMNS: the pages show what
                # an 80-column terminal shows, whatever the test runner's is.
                "COLUMNS": "80",
            },
        )
        self._out: queue.Queue[str | None] = queue.Queue()
        self._err: queue.Queue[str | None] = queue.Queue()
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._out))
        ]
        if merge_stderr:
            self._err.put(None)
        else:
            self._readers.append(
                threading.Thread(target=self._pump, args=(self.proc.stderr, self._err))
            )
        for reader in self._readers:
            reader.start()
        assert self.proc.stdin is not None
        if stdin is not None:
            self.proc.stdin.write(stdin)
            self.proc.stdin.flush()
        if not keep_stdin:
            self.close_stdin()

    @staticmethod
    def _pump(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
        assert stream is not None
        for line in stream:
            lines.put(line)
        lines.put(None)

    def close_stdin(self) -> None:
        """Close standard input: the program reads end-of-file."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    def next_line(self, stderr: bool = False) -> str:
        """Wait for the next line on standard output (or error); return it."""
        line = (self._err if stderr else self._out).get(timeout=TIMEOUT)
        if line is None:
            raise AssertionError(f"{self.argv} ended early")
        return line.rstrip("\n")

    def wait_listening(self) -> int:
        """Wait for the ``Listening on host:port`` line; return the port.

        The line itself is kept in ``listening_line``.
        """
        line = self.next_line()
        match = LISTENING.match(line)
        assert match, line
        self.listening_line = line
        return int(match["port"])

    def interrupt(self) -> None:
        """Press Ctrl+C: send SIGINT to the program."""
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        """Wait for the program to end; return exit status, stdout, stderr.

        The output holds only the lines that `next_line` has not taken.
        """
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        finally:
            self.close()
        out = "".join(iter(self._out.get_nowait, None))
        err = "".join(iter(self._err.get_nowait, None))
        return code, out, err

    def close(self) -> None:
        """Stop the program if it still runs and release its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=TIMEOUT)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe is not None:  # stderr is None when merged into stdout
                pipe.close()


def port_of(sock: socket.socket) -> int:
    """The port a bound socket got (the tests bind port 0)."""
    port: int = sock.getsockname()[1]
    return port


def one_line(text: str) -> str:
    """Assert that ``text`` is exactly one line (no traceback); return it."""
    assert text.endswith("\n"), repr(text)
    assert text.count("\n") == 1, text
    assert "Traceback" not in text, text
    return text.rstrip("\n")


def example_modules() -> list[str]:
    """Every example as a module path, such as ``tcp.tcp_server``.

    The examples are grouped by the site's sections (``examples/tcp/``,
    ``examples/udp/``); the minimal programs, in two languages, sit one level
    deeper (``examples/tcp/zh/``).
    """
    return sorted(
        path.relative_to(EXAMPLES).with_suffix("").as_posix().replace("/", ".")
        for path in EXAMPLES.rglob("*.py")
        if path.name != "__init__.py"
    )


def example_path(name: str, language: str = "zh") -> Path:
    """The example file called ``name``, such as ``"tcp_server.py"``.

    A minimal program (``tcp_server_min.py``) has a copy per language; this
    is the copy in ``language``.
    """
    found = [
        path
        for path in EXAMPLES.rglob(name)
        if path.parent.name not in LANGUAGES or path.parent.name == language
    ]
    assert len(found) == 1, (name, found)
    return found[0]


def is_minimal(name: str) -> bool:
    """A minimal program: no options; its port is its only, optional, argument."""
    return name.endswith("_min.py")


def unbuffered(path: Path | str, *args: str) -> list[str]:
    """``python`` words that run ``path`` with ``args``, its output unbuffered.

    The minimal programs print without ``flush=True``: in a terminal each line
    shows at once, but through a pipe, as the tests read it, Python would keep
    the ``Listening on`` line in its buffer until the program ends. ``-u``
    makes the pipe show each line as the terminal does.
    """
    return ["-u", str(path), *args]


def error_line(code: int) -> str:
    """The line a minimal program prints on stderr for an OSError ``code``.

    Built from this system's errno number and text, as Python words the
    error: ``Error: [Errno 98] Address already in use`` on Linux, errno 48
    on macOS. (Windows words socket errors its own way, ``[WinError ...]``.)
    """
    return f"Error: [Errno {code}] {os.strerror(code)}\n"


def talk(port: int, data: bytes) -> bytes:
    """Act as a client: send ``data``, half-close, read until the server closes.

    Returns the server's reply (``b""`` if it sent none). The read ends only
    once the server has closed its socket for the connection.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        reply = bytearray()
        while chunk := sock.recv(65536):
            reply += chunk
        return bytes(reply)


def load_hook(name: str) -> ModuleType:
    """Import ``hooks/NAME.py`` (hooks/ is not a package) under its own name."""
    spec = importlib.util.spec_from_file_location(
        f"hooks_{name}_test", ROOT / "hooks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
