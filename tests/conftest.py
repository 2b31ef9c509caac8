"""Fixtures: start examples in subprocesses or threads, a UDP peer; all cleaned up."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from hypothesis import settings

from tests.support import TIMEOUT, Program

# The property tests (tests/framing/) must keep the suite quick: 50 examples
# each instead of hypothesis's 100; no deadline per example, which a loaded
# machine or coverage's tracing would miss for no fault of the code; and no
# example database left in the working tree (.hypothesis/).
settings.register_profile("suite", max_examples=50, deadline=None, database=None)
settings.load_profile("suite")

T = TypeVar("T")


@pytest.fixture
def run() -> Iterator[Callable[..., Program]]:
    """Start commands; any still running at the end of the test are killed."""
    started: list[Program] = []

    def _run(*argv: str, **options: Any) -> Program:
        program = Program(list(argv), **options)
        started.append(program)
        return program

    yield _run
    for program in started:
        program.close()


@pytest.fixture
def start(run: Callable[..., Program]) -> Callable[..., Program]:
    """Start ``python`` with the words a page gives, e.g. ``start("x.py")``."""

    def _start(*args: str, **options: Any) -> Program:
        return run(sys.executable, *args, **options)

    return _start


@pytest.fixture
def peer() -> Iterator[socket.socket]:
    """A UDP socket bound on 127.0.0.1, standing in for the sender or receiver."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        sock.bind(("127.0.0.1", 0))
        yield sock


@pytest.fixture
def in_thread() -> Iterator[Callable[..., Future[Any]]]:
    """Run a function in a background thread; ``.result(TIMEOUT)`` collects it."""
    with ThreadPoolExecutor(max_workers=4) as pool:

        def _submit(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
            return pool.submit(fn, *args, **kwargs)

        yield _submit
