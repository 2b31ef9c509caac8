"""Test helpers: start an example as the reader would, and check its output.

Every wait here is bounded by ``TIMEOUT``; nothing sleeps to wait for a
server: a test waits for the line in which the server prints its port.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 10.0  # seconds; the bound on every blocking call in the tests
LISTENING = re.compile(
    r"^Listening on (?:UDP )?(?P<host>\[.*\]|[^\[:]+):(?P<port>\d+)$"
)

T = TypeVar("T")


class Program:
    """An example program started in a subprocess, its output read as it comes.

    ``args`` are the words after ``python``, exactly as a page tells the
    reader to type them (plus ``--port`` to keep tests off fixed ports).
    Standard output and error are read by threads, so a program that prints
    a lot never blocks on a full pipe.
    """

    def __init__(self, args: list[str], cwd: Path = ROOT, stdin: str | None = None):
        self.args = args
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            # Development mode prints ResourceWarning (an unclosed socket) on
            # stderr, where the tests see it.
            env={**os.environ, "PYTHONDEVMODE": "1"},
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        assert self.proc.stdin is not None
        if stdin is not None:
            self.proc.stdin.write(stdin)
        self.proc.stdin.close()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._stdout.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self._stderr.extend(self.proc.stderr)

    def next_line(self) -> str:
        """Wait for the next line on standard output and return it."""
        line = self._lines.get(timeout=TIMEOUT)
        if line is None:
            raise AssertionError(f"{self.args} ended early: {''.join(self._stderr)}")
        return line.rstrip("\n")

    def wait_listening(self) -> int:
        """Wait for the ``Listening on host:port`` line; return the port."""
        line = self.next_line()
        match = LISTENING.match(line)
        assert match, line
        return int(match["port"])

    def interrupt(self) -> None:
        """Press Ctrl+C: send SIGINT to the program."""
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        """Wait for the program to end; return exit status, stdout, stderr.

        ``stdout`` holds only what `next_line` has not taken yet.
        """
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        finally:
            self.close()
        rest = [line for line in iter(self._lines.get_nowait, None)]
        return code, "".join(rest), "".join(self._stderr)

    def close(self) -> None:
        """Stop the program if it still runs and release its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=TIMEOUT)
        for pipe in (self.proc.stdout, self.proc.stderr):
            assert pipe is not None
            pipe.close()


def one_line(text: str) -> str:
    """Assert that ``text`` is exactly one line (no traceback); return it."""
    assert text.endswith("\n"), repr(text)
    assert text.count("\n") == 1, text
    assert "Traceback" not in text, text
    return text.rstrip("\n")
