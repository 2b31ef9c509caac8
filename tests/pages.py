"""What the tests read from the pages' Markdown: fenced blocks and their markers.

Every fenced block on a page is code included from a file (Python), or is
preceded, on the line just above it, by an HTML comment that says what it is
and which test runs or produces it (CONTRIBUTING.md, "Code on pages"):

    <!-- run: ID ROLE [OPTION ...] -->        a command to type
    <!-- output: ID ROLE -->                  what that terminal shows
    <!-- platform: linux|macos|windows -->    a command for one system
    <!-- output-of: KEY -->                   what a test's program prints

A run marker's options: ``input="typed line"`` (typed at the prompt),
``ctrl-c`` (pressed at the end) and ``host=ADDRESS`` (the computer the
command is typed on, in a section across two computers). The first three
kinds are transcripts, which tests/test_transcripts.py runs (those with
``host=`` steps tests/test_two_hosts.py runs, in network namespaces). An
``output-of`` block is output that no command on the page can reproduce on
its own (it needs a peer that misbehaves, or it is the chapter's original
code failing): a test produces it by running the program and compares the
result with ``page_output("KEY")``. tests/test_code_blocks.py checks that
every block is marked and every ``output-of`` key is compared by some test.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT

DOCS = ROOT / "docs"
LANGUAGES = ("zh", "en")
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]*)[^\n]*\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)
MARKER = re.compile(
    r"<!--\s*(?P<kind>run|output|platform|output-of):\s*(?P<args>.*?)\s*-->\s*$"
)
# host:port as the examples print it, and ('host', port) as Python shows a socket.
# Besides this machine's loopback: a server bound to every address (0.0.0.0),
# and the two computers of "Across two computers", 192.0.2.1 and 192.0.2.2
# (RFC 5737's documentation range; network namespaces in the tests).
ADDRESS = re.compile(
    r"(127\.0\.0\.1|0\.0\.0\.0|192\.0\.2\.\d{1,3}|\[::1\]|localhost):(\d+)"
)
ADDRESS_TUPLE = re.compile(r"(\('127\.0\.0\.1', )(\d+)(\))")
# The pages show errors as Linux numbers and words them ("on Linux, the last
# line is ..."); other systems number some of them differently. Linux's
# numbers of the errors the pages show, by name:
LINUX_ERRNO = {
    9: "EBADF",
    13: "EACCES",
    32: "EPIPE",
    90: "EMSGSIZE",
    98: "EADDRINUSE",
    104: "ECONNRESET",
    107: "ENOTCONN",
    111: "ECONNREFUSED",
}
ERRNO_MESSAGE = re.compile(r"\[Errno (\d+)\] [^\n]*")
# Below pytest-timeout's 120 s, so that a hung build is reported as such; a
# build takes about 5 s, far longer only on a heavily loaded machine.
BUILD_TIMEOUT = 100


@dataclass(frozen=True)
class Block:
    """One fenced block of a page's Markdown source."""

    path: Path
    line: int  # of the opening fence
    lang: str  # the fence's language, lower case ("" if none)
    body: str  # the text between the fences, with its final newline
    kind: str | None  # the marker above it: run, output, platform, output-of
    args: tuple[str, ...]  # the marker's words

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def page_files(language: str | None = None) -> list[Path]:
    """The Markdown pages of one language, or of all of them."""
    folders = [DOCS / lang for lang in LANGUAGES if language in (None, lang)]
    return sorted(path for folder in folders for path in folder.rglob("*.md"))


@functools.cache
def blocks(path: Path) -> tuple[Block, ...]:
    """The fenced blocks of one page, in order, each with its marker if any."""
    text = path.read_text(encoding="utf-8")
    found = []
    for fence in FENCE.finditer(text):
        above = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(above)
        found.append(
            Block(
                path=path,
                line=text[: fence.start()].count("\n") + 1,
                lang=fence["lang"].lower(),
                body=fence["body"],
                kind=marker["kind"] if marker else None,
                args=tuple(shlex.split(marker["args"])) if marker else (),
            )
        )
    return tuple(found)


@functools.cache
def shown_outputs(language: str | None = None) -> dict[str, list[Block]]:
    """``output-of`` key -> the blocks that show it, on every page."""
    found: dict[str, list[Block]] = {}
    for path in page_files(language):
        for block in blocks(path):
            if block.kind == "output-of":
                found.setdefault(block.args[0], []).append(block)
    return found


def page_output(key: str) -> str:
    """The text the pages show for ``key`` (a block marked ``output-of: KEY``).

    Fails unless both languages show it and every block that shows it, on
    any page, holds the same text; the result ends with a newline, as a
    program's output does.
    """
    shown = shown_outputs().get(key, [])
    languages = {block.path.relative_to(DOCS).parts[0] for block in shown}
    assert languages == set(LANGUAGES), f"{key}: shown in {sorted(languages)}"
    texts = {block.body for block in shown}
    assert len(texts) == 1, f"{key}: {[b.where for b in shown]} differ"
    return texts.pop()


def as_here(shown: str) -> str:
    """A page's Linux error message with this system's errno number and text.

    ``[Errno 107] Transport endpoint is not connected`` on Linux is
    ``[Errno 57] Socket is not connected`` on macOS. On Linux the text is
    returned unchanged, so there the comparison is exact.
    """
    if sys.platform.startswith("linux"):
        return shown

    def local(match: re.Match[str]) -> str:
        code: int = getattr(errno, LINUX_ERRNO[int(match[1])])
        return f"[Errno {code}] {os.strerror(code)}"

    return ERRNO_MESSAGE.sub(local, shown)


def assert_shows(printed: str, shown: str) -> None:
    """Assert that a program printed ``printed``, the line a page ``shown``.

    The pages show Linux's errno numbers and texts; `as_here` gives this
    system's. Windows words socket errors its own way (``[WinError ...]``,
    listed in faq.md), so there only the exception's name is compared for them.
    """
    if sys.platform == "win32" and "[Errno " in shown:
        assert printed.split(":", maxsplit=1)[0] == shown.split(":", maxsplit=1)[0]
    else:
        assert printed == as_here(shown)


# What a program may print on one system in place of a line a page shows,
# for reasons of timing that the page explains: on Windows, socketpair() is a
# TCP connection, and framing_min.py's one recv() may get the first message
# alone (framing.md, #minimal-steps).
VARIANTS = {
    "win32": {"One recv() got: b'Hello'\n": "One recv() got: b'Helloworld'\n"},
}


def as_on_page(printed: str) -> str:
    """What a program printed, with this system's known variants as the page's.

    On Linux and macOS there are none: the text is returned unchanged, and
    the comparison stays exact.
    """
    for variant, shown in VARIANTS.get(sys.platform, {}).items():
        printed = printed.replace(variant, shown)
    return printed


def normalise(text: str, port: int | None) -> str:
    """Put 8888 back for the test's port; hide every other port number.

    Pages show the default port 8888 and a client's ephemeral port from one
    real run; tests use a free port, and the ephemeral port changes each time.
    The addresses whose ports are read are in ``ADDRESS``.
    """

    def number(match: re.Match[str]) -> str:
        return "8888" if int(match[2]) in (port, 8888) else "<ephemeral>"

    text = ADDRESS.sub(lambda m: f"{m[1]}:{number(m)}", text)
    return ADDRESS_TUPLE.sub(lambda m: f"{m[1]}{number(m)}{m[3]}", text)


# The repository address the test builds link to (REPO_URL): a GitHub address,
# so that the browser tests see the theme's repository link as on GitHub Pages.
REPO_URL = "https://github.com/example/python-sockets"


def build_site(site_dir: Path, site_url: str = "", repo_url: str = REPO_URL) -> str:
    """Build the site with ``mkdocs build --strict`` into ``site_dir``.

    ``site_url`` is where it will be published (mkdocs.yml reads ``SITE_URL``);
    by default none, whatever the environment says. ``repo_url`` is the
    repository's address (``REPO_URL``); empty, hooks/repository.py looks for
    the checkout's git remote. Returns what the build printed.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        # Coverage measures examples/ only; tracing MkDocs would just slow it.
        if not k.startswith("COVERAGE_") and k != "REPO_URL"
    }
    env |= {"NO_MKDOCS_2_WARNING": "1", "SITE_URL": site_url}
    if repo_url:
        env["REPO_URL"] = repo_url
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site_dir],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr
