"""Every command a page tells the reader to type is run, and its output compared.

Pages mark their shell blocks (CONTRIBUTING.md, "Code on pages"; read by
tests/pages.py):

    <!-- run: ID ROLE [OPTION ...] -->        a command to type
    <!-- output: ID ROLE -->                  what that terminal shows
    <!-- platform: linux|macos|windows -->    a command for one system

(the options: ``input="typed line"``, ``ctrl-c``, ``host=ADDRESS``).

This module reads those blocks from both languages' pages, checks that the
two languages show the same transcripts (tests/test_code_blocks.py checks
that no block is left unmarked), then runs each transcript as a reader
would: the commands in page order, in separate "terminals", with a free
port in place of 8888. The output a terminal shows (standard output and
error together, plus what the reader types) must equal the page's block,
except for port numbers other than 8888 (the client's ephemeral port changes
from run to run). A transcript whose commands are typed on two computers
(``host=ADDRESS``) is run by tests/test_two_hosts.py, in network namespaces,
with `run_transcript` as here.
"""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.pages import DOCS, LANGUAGES, as_on_page, blocks, normalise, page_files
from tests.support import ROOT, TIMEOUT, Program, example_path, is_minimal

SERVERS = (
    "tcp_server.py",
    "udp_receiver.py",
    "tcp_server_min.py",
    "echo_server_min.py",
    "udp_receiver_min.py",
    "examples.tcp.tcp_server",
    "examples.udp.udp_receiver",
    "echo_sequential.py",
    "echo_threads.py",
    "echo_socketserver.py",
    "echo_selectors.py",
    "echo_asyncio.py",
    "echo_threads_min.py",
)
PROMPTS = ("Message to send: ", "Reply: ")
PLATFORMS = {"linux": "linux", "macos": "darwin", "windows": "win32"}


@dataclass
class Step:
    """One command of a transcript, typed in its own terminal."""

    role: str
    command: str
    typed: str | None = None
    ctrl_c: bool = False
    host: str | None = None  # the computer it is typed on (two-computer sections)


@dataclass
class Transcript:
    """The commands of one scenario and what each terminal shows."""

    name: str
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class PageBlocks:
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    platform: list[tuple[str, str]] = field(default_factory=list)  # (system, commands)


def read_blocks(path: Path) -> PageBlocks:
    """Collect the transcripts and the platform commands of one page."""
    found = PageBlocks()
    for block in blocks(path):
        if block.kind == "platform":
            found.platform.append((block.args[0], block.body))
            continue
        if block.kind not in ("run", "output"):
            continue
        name, role, *options = block.args
        transcript = found.transcripts.setdefault(name, Transcript(name))
        if block.kind == "output":
            transcript.outputs[role] = block.body
            continue
        step = Step(role, block.body.strip())
        for option in options:
            if option.startswith("input="):
                step.typed = option.removeprefix("input=")
            elif option == "ctrl-c":
                step.ctrl_c = True
            elif option.startswith("host="):
                step.host = option.removeprefix("host=")
            else:
                raise AssertionError(f"{block.where}: unknown option {option!r}")
        transcript.steps.append(step)
    return found


def pages() -> list[str]:
    """Page paths relative to a language folder, present in either language."""
    return sorted(
        {
            path.relative_to(DOCS / lang).as_posix()
            for lang in LANGUAGES
            for path in page_files(lang)
        }
    )


BLOCKS = {
    (lang, page): read_blocks(DOCS / lang / page)
    for lang in LANGUAGES
    for page in pages()
    if (DOCS / lang / page).exists()
}
TRANSCRIPTS = {
    name: (page, transcript)
    for (lang, page), found in BLOCKS.items()
    if lang == "zh"
    for name, transcript in found.transcripts.items()
}


def on_two_hosts(transcript: Transcript) -> bool:
    """Typed on two computers: tests/test_two_hosts.py runs it, not this module."""
    return any(step.host is not None for step in transcript.steps)


LOCAL_TRANSCRIPTS = sorted(
    name
    for name, (_, transcript) in TRANSCRIPTS.items()
    if not on_two_hosts(transcript)
)


def test_transcript_names_are_unique_across_pages() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for (lang, page), found in BLOCKS.items():
        if lang != "zh":
            continue
        for name in found.transcripts:
            if name in seen:
                clashes.append((name, seen[name], page))
            seen[name] = page
    assert clashes == []


@pytest.mark.parametrize("page", pages())
def test_both_languages_show_the_same_commands_and_output(page: str) -> None:
    zh, en = BLOCKS[("zh", page)], BLOCKS[("en", page)]
    assert zh.transcripts == en.transcripts
    assert zh.platform == en.platform


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_every_output_belongs_to_a_command(name: str) -> None:
    _, transcript = TRANSCRIPTS[name]
    roles = [step.role for step in transcript.steps]
    assert transcript.steps, f"{name}: output but no command"
    assert len(roles) == len(set(roles)), f"{name}: a role is used twice"
    assert set(transcript.outputs) <= set(roles)


# --- running a transcript ----------------------------------------------------


def terminal_view(output: str, step: Step) -> str:
    """What a terminal shows: typed text is echoed after its prompt, and ^C."""
    if step.typed is not None:
        prompt = next(p for p in PROMPTS if p in output)
        output = output.replace(prompt, f"{prompt}{step.typed}\n", 1)
    if step.ctrl_c:
        head, sep, tail = output.rpartition("Stopped.\n")
        assert sep, output
        output = f"{head}^CStopped.\n{tail}"
    return output


@dataclass
class Terminal:
    step: Step
    program: Program
    first_line: str | None = None


def command_words(step: Step, port: int, tmp_path: Path) -> tuple[list[str], Path]:
    """The command as words to run, with the test's port; and where to run it.

    A minimal program takes the port as its only argument, the others take
    ``--port``.
    """
    words = shlex.split(step.command)
    assert words[0] == "python", step.command
    cwd = ROOT
    script = words[1]
    if "/" not in script and script.endswith(".py"):  # "a lone copy of the file"
        shutil.copy(example_path(script), tmp_path)
        cwd = tmp_path
    if is_minimal(script):
        assert len(words) <= 3, f"{step.command}: a minimal program takes a port only"
        words[2:] = [str(port)]
    elif "--port" in words:
        words[words.index("--port") + 1] = str(port)
    else:
        words += ["--port", str(port)]
    # In a terminal Python writes each line out as it is printed; into a pipe
    # it would hold the lines back until the program ends (the minimal
    # programs do not flush), unless unbuffered: -u makes the pipe a terminal.
    return [sys.executable, "-u", *words[1:]], cwd


def is_server(step: Step) -> bool:
    """A server prints "Listening on ..." and waits; start it before its clients."""
    words = shlex.split(step.command)[1:3]
    return any(word.endswith(SERVERS) for word in words)


def closed_port(stack: ExitStack, step: Step) -> int:
    """A port where nothing answers: TCP refuses, UDP stays silent."""
    kind = socket.SOCK_DGRAM if "udp" in step.command else socket.SOCK_STREAM
    sock = stack.enter_context(socket.socket(socket.AF_INET, kind))
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    return port


def run_transcript(
    transcript: Transcript,
    run: Callable[..., Program],
    tmp_path: Path,
    prefix: Callable[[Step], list[str]] | None = None,
) -> dict[str, str]:
    """Run the steps in page order, as a reader in several terminals would.

    ``prefix`` gives the words put before a step's command, such as
    ``ip netns exec NS`` to type it on another computer.
    """
    terminals: list[Terminal] = []
    port: int | None = None
    with ExitStack() as stack:
        for step in transcript.steps:
            server = is_server(step)
            if port is None:
                chosen = 0 if server else closed_port(stack, step)
            else:
                chosen = port
            words, cwd = command_words(step, chosen, tmp_path)
            if prefix is not None:
                words = [*prefix(step), *words]
            typed = None if step.typed is None else step.typed + "\n"
            # Coverage comes from the other tests; measuring here only slows it.
            program = run(
                *words, cwd=cwd, stdin=typed, merge_stderr=True, measure=False
            )
            terminal = Terminal(step, program)
            terminals.append(terminal)
            if server:
                terminal.first_line = program.next_line()
                listening = re.match(
                    r"Listening on (?:UDP )?\S+:(\d+)$", terminal.first_line
                )
                if listening and port is None:
                    port = int(listening[1])
            elif not step.ctrl_c:
                program.proc.wait(timeout=TIMEOUT)  # like a reader: one after another
            if port is None and not server:
                port = chosen
        for terminal in terminals:
            if terminal.step.ctrl_c:
                terminal.program.interrupt()
        views = {}
        for terminal in terminals:
            code, out, _ = terminal.program.finish()
            if terminal.first_line is not None:
                out = terminal.first_line + "\n" + out
            views[terminal.step.role] = normalise(
                as_on_page(terminal_view(out, terminal.step)), port
            )
            assert code in (0, 1, 2, 130), (terminal.step.command, code, out)
    return views


@pytest.mark.parametrize("name", LOCAL_TRANSCRIPTS)
def test_transcript_runs_and_prints_what_the_page_shows(
    name: str, run: Callable[..., Program], tmp_path: Path
) -> None:
    page, transcript = TRANSCRIPTS[name]
    assert_shown(transcript, run_transcript(transcript, run, tmp_path), page)


def assert_shown(transcript: Transcript, views: dict[str, str], page: str) -> None:
    """Assert that each terminal shows what the page's output block does."""
    expected = {
        role: normalise(text, None) for role, text in transcript.outputs.items()
    }
    assert {role: views[role] for role in expected} == expected, page


def platform_commands() -> Iterator[tuple[str, str, str]]:
    for (lang, page), found in BLOCKS.items():
        if lang == "zh":
            for system, body in found.platform:
                yield page, system, body


@pytest.mark.parametrize(("page", "system", "body"), list(platform_commands()))
def test_platform_command_runs_on_its_system(page: str, system: str, body: str) -> None:
    assert system in PLATFORMS, f"{page}: unknown platform {system}"
    if sys.platform != PLATFORMS[system]:
        pytest.skip(f"a {system} command; this is {sys.platform}")
    for line in body.strip().splitlines():
        result = subprocess.run(
            shlex.split(line),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, (page, line, result.stderr)
