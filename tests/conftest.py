"""Fixtures: start examples in subprocesses or threads, and clean them up."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.support import ROOT, Program

T = TypeVar("T")


@pytest.fixture
def start() -> Iterator[Callable[..., Program]]:
    """Start example programs; any still running at the end are killed."""
    started: list[Program] = []

    def _start(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> Program:
        program = Program(list(args), cwd=cwd, stdin=stdin)
        started.append(program)
        return program

    yield _start
    for program in started:
        program.close()


@pytest.fixture
def in_thread() -> Iterator[Callable[..., Future[Any]]]:
    """Run a function in a background thread; ``.result(TIMEOUT)`` collects it."""
    with ThreadPoolExecutor(max_workers=4) as pool:

        def _submit(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
            return pool.submit(fn, *args, **kwargs)

        yield _submit
