"""Benchmark of the five echo servers in examples/servers/ (not a test).

For each server, started as a reader starts it (``python FILE --port 0``),
on 127.0.0.1 of this machine:

- **round trips per second** with 1, 10 and 100 clients at once, each
  sending a small length-prefixed message and waiting for its echo before
  sending the next, for ``--seconds`` seconds;
- **connections held**: clients connect in batches of ``--batch``, each
  makes one round trip and stays connected, until ``--limit`` clients are
  connected at once or one of them fails (refused, reset, or no echo within
  ``--timeout`` seconds); the number before the first failure is reported.

The clients are asyncio streams in this one process, so they share the
machine's CPUs with the server: the numbers compare the servers with one
another on one machine, in one run, and are not a server's capacity. As a
reference from outside Python, the same round trips are timed against socat
(``socat TCP-LISTEN:0,fork PIPE``: a process per connection that sends back
every byte, which is an echo of every frame) when socat is installed; its
connections held are not measured, since that would start a process each. The
soft limit on open files is raised (to the hard limit at most) before the
servers start, and they inherit it.

Usage::

    python tools/bench_servers.py [--seconds 3] [--limit 2000] [--batch 100]
        [--timeout 5] [--output artifacts/bench/servers.md]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import platform
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = [
    "echo_sequential.py",
    "echo_threads.py",
    "echo_socketserver.py",
    "echo_selectors.py",
    "echo_asyncio.py",
]
CLIENT_COUNTS = (1, 10, 100)
MESSAGE = b"x" * 64
LISTENING = re.compile(r"Listening on (\S+):(\d+)")


# socat -d -d reports its listening address on stderr, among other lines.
SOCAT_LISTENING = re.compile(r"listening on AF=\d+ (\S+):(\d+)")
SOCAT = "socat (reference)"


class Server:
    """One server in a subprocess, on a free port of 127.0.0.1.

    An example (``examples/servers/NAME``), or socat for ``SOCAT``.
    """

    def __init__(self, name: str) -> None:
        """Start it and read the port it printed."""
        if name == SOCAT:
            argv = ["socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,fork", "PIPE"]
            pattern, out, err = SOCAT_LISTENING, subprocess.DEVNULL, subprocess.PIPE
        else:
            path = ROOT / "examples" / "servers" / name
            argv = [sys.executable, str(path), "--port", "0", "--idle-timeout", "600"]
            pattern, out, err = LISTENING, subprocess.PIPE, subprocess.DEVNULL
        self.proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        stream = self.proc.stdout if name != SOCAT else self.proc.stderr
        assert stream is not None
        for line in stream:
            match = pattern.search(line)
            if match is not None:
                self.port = int(match[2])
                break
        else:
            self.stop()
            raise SystemExit(f"error: {name} ended without printing its port")
        # socat logs each connection: read on, so that the pipe never fills.
        threading.Thread(target=stream.read, daemon=True).start()

    def stop(self) -> None:
        """Stop it as Ctrl+C does; kill it if it has not ended in 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def frame(data: bytes) -> bytes:
    """The message with its 4-byte big-endian length in front."""
    return struct.pack("!I", len(data)) + data


async def round_trip(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float
) -> None:
    """Send one message and wait for its echo."""
    writer.write(frame(MESSAGE))
    await writer.drain()
    reply = await asyncio.wait_for(reader.readexactly(4 + len(MESSAGE)), timeout)
    if reply[4:] != MESSAGE:
        raise ValueError("the echo differs from the message")


async def close(writer: asyncio.StreamWriter) -> None:
    """Close a connection; a server that reset it already is no error."""
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def rate(port: int, clients: int, seconds: float, timeout: float) -> float:
    """Round trips per second of ``clients`` clients at once."""
    count = 0
    deadline = time.monotonic() + seconds

    async def client() -> None:
        nonlocal count
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline:
                await round_trip(reader, writer, timeout)
                if time.monotonic() < deadline:  # answered in time
                    count += 1
        finally:
            await close(writer)

    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    # A server that serves one client at a time leaves the others waiting:
    # they are cancelled at the deadline, and only answered trips count.
    done, pending = await asyncio.wait(tasks, timeout=seconds + timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None and not isinstance(
            task.exception(), asyncio.TimeoutError
        ):
            raise task.exception()  # type: ignore[misc]
    return count / seconds


async def held(port: int, limit: int, batch: int, timeout: float) -> tuple[int, str]:
    """Connections held at once before the first failure, and that failure."""
    open_writers: list[asyncio.StreamWriter] = []

    async def connect() -> asyncio.StreamWriter:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), timeout
        )
        try:
            await round_trip(reader, writer, timeout)
        except BaseException:
            await close(writer)
            raise
        return writer

    failure = f"none up to --limit {limit}"
    try:
        while len(open_writers) < limit:
            size = min(batch, limit - len(open_writers))
            results = await asyncio.gather(
                *(connect() for _ in range(size)), return_exceptions=True
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            open_writers += [r for r in results if not isinstance(r, BaseException)]
            if errors:
                error = errors[0]
                failure = type(error).__name__ + (f": {error}" if str(error) else "")
                break
        return len(open_writers), failure
    finally:
        await asyncio.gather(*(close(w) for w in open_writers))


def raise_file_limit(wanted: int) -> int:
    """Raise the soft open-file limit towards ``wanted``; return the new one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rates_of(name: str, seconds: float, timeout: float) -> list[float]:
    """Round trips per second for each of CLIENT_COUNTS, a fresh server each."""
    rates = []
    for clients in CLIENT_COUNTS:
        server = Server(name)
        try:
            rates.append(asyncio.run(rate(server.port, clients, seconds, timeout)))
        finally:
            server.stop()
    return rates


def main() -> int:
    """Measure every server; print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "artifacts" / "bench" / "servers.md"
    )
    args = parser.parse_args()
    # Each connection is a descriptor here and one in the server.
    files = raise_file_limit(args.limit + 200)
    rows = []
    for name in SERVERS:
        rates = rates_of(name, args.seconds, args.timeout)
        server = Server(name)
        try:
            count, failure = asyncio.run(
                held(server.port, args.limit, args.batch, args.timeout)
            )
        finally:
            server.stop()
        row = [f"`{name}`", *(f"{r:,.0f}" for r in rates), f"{count:,}", failure]
        print(" | ".join(row), flush=True)
        rows.append(row)
    if shutil.which("socat"):
        rates = rates_of(SOCAT, args.seconds, args.timeout)
        row = [SOCAT, *(f"{r:,.0f}" for r in rates), "not measured", ""]
        print(" | ".join(row), flush=True)
        rows.append(row)
    header = [
        "server",
        *(f"round trips/s, {n} client{'s' * (n > 1)}" for n in CLIENT_COUNTS),
        "connections held",
        "first failure",
    ]
    lines = [
        "# Echo servers: round trips and connections held",
        "",
        f"Measured {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by "
        f"tools/bench_servers.py on {platform.platform()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, open-file limit "
        f"{files}; {len(MESSAGE)}-byte messages, {args.seconds:g} s per rate, "
        f"clients in this process (asyncio), servers on 127.0.0.1.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
