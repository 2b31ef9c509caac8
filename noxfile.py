"""Project tasks. Run ``nox -l`` for the list, ``nox -s NAME`` for one task.

Every task installs its exact pins from ``requirements/`` into its own
virtual environment under ``.nox/``, reused between runs.
"""

from __future__ import annotations

import time
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "docs"]
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
# uv installs a session's pins in about a quarter of pip's time (12 s against
# 48 s for requirements/tests.txt, measured here); requirements/nox.txt brings
# it. Without uv, nox falls back to virtualenv and pip.
nox.options.default_venv_backend = "uv|virtualenv"

SERVE_ADDRESS = "127.0.0.1:8000"
# Lighthouse for the ``lighthouse`` benchmark, from npm, exact version.
LIGHTHOUSE = "lighthouse@12.8.2"
BENCH_SITE = ".nox/bench-site"
# mkdocs-material 9.x prints a banner about its end of life; it is not a warning.
DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
# pytest's default arguments: two workers, each module on one worker (so
# test_site.py builds the site once).
PYTEST_WORKERS = ["-n", "2", "--dist", "loadfile"]
# The oldest Python the examples support; the site's tools need 3.11 or newer
# (mkdocs-material 9.8 and coverage 7.17 require it).
OLDEST_PYTHON = "3.10"
# The tests that need the site's tools (MkDocs, Griffe, PyYAML, Playwright).
SITE_TESTS = [
    "tests/test_site.py",
    "tests/test_docstrings_zh.py",
    "tests/test_code_files.py",
    "tests/test_repository.py",
    "tests/test_workflow.py",
    "tests/browser",
]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite on two workers, with 100 % branch coverage of examples/."""
    session.install("-r", "requirements/tests.txt")
    args = session.posargs or PYTEST_WORKERS
    session.run("pytest", *args, env=DOCS_ENV)


@nox.session(python=OLDEST_PYTHON)
def examples(session: nox.Session) -> None:
    """Test the examples on Python 3.10, the oldest they support (no site tests).

    The site's tools need Python 3.11, so the modules in ``SITE_TESTS`` are
    left out; the rest (examples, transcripts, errata, socket facts, code
    blocks) needs the standard library and pytest only. Coverage of examples/
    must still be 100 %.
    """
    session.install("-r", "requirements/examples.txt")
    args = session.posargs or PYTEST_WORKERS
    session.run("pytest", *args, *(f"--ignore={path}" for path in SITE_TESTS))


WORKFLOW = ".github/workflows/ci.yml"


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting (ruff), types (mypy --strict on examples/)
    and the GitHub workflow (zizmor's audit, the workflow schema), offline."""
    session.install("-r", "requirements/lint.txt")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "examples")
    session.run("zizmor", "--offline", WORKFLOW)
    session.run(
        "check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the bilingual site into site/, failing on any warning."""
    session.install("-r", "requirements/docs.txt")
    session.run("mkdocs", "build", "--strict", *session.posargs, env=DOCS_ENV)


@nox.session
def serve(session: nox.Session) -> None:
    """Build the site and serve it with live reload at http://127.0.0.1:8000/."""
    session.install("-r", "requirements/docs.txt")
    session.run(
        "mkdocs",
        "serve",
        "--strict",
        "--dev-addr",
        SERVE_ADDRESS,
        *session.posargs,
        env=DOCS_ENV,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Time a warm strict docs build and the test suite; report the site's size."""
    session.install("-r", "requirements/tests.txt")
    build = ["mkdocs", "build", "--strict", "--quiet", "--site-dir", BENCH_SITE]
    session.run(*build, env=DOCS_ENV)  # warm-up: caches, jieba's dictionary
    start = time.perf_counter()
    session.run(*build, env=DOCS_ENV)
    docs_seconds = time.perf_counter() - start
    files = [path for path in Path(BENCH_SITE).rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    start = time.perf_counter()
    session.run("pytest", "-q", *PYTEST_WORKERS, env=DOCS_ENV)
    test_seconds = time.perf_counter() - start
    session.log(f"warm docs build: {docs_seconds:.1f} s")
    session.log(f"built site: {size / 1e6:.1f} MB in {len(files)} files")
    session.log(f"pytest -n 2: {test_seconds:.1f} s")


@nox.session(name="bench-servers")
def bench_servers(session: nox.Session) -> None:
    """Round trips per second and connections held by each echo server.

    A benchmark, not a test: tools/bench_servers.py starts each server of
    examples/servers/ on 127.0.0.1 and drives it with asyncio clients; the
    table goes to artifacts/bench/servers.md. Arguments go to the tool
    (``--seconds 3``, ``--limit 2000``).
    """
    session.run("python", "tools/bench_servers.py", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """Test the built site in Chromium: every page, both languages (tests/browser).

    Drives Debian's Chromium at /usr/bin/chromium (apt-get install chromium
    fonts-noto-cjk) through Playwright; no browser is downloaded. Screenshots
    of every page go to artifacts/screenshots/.
    """
    session.install("-r", "requirements/browser.txt")
    # Two workers, each with its own build, server and browser, and all the
    # tests of one page on the same worker (it visits the page once); --no-cov:
    # these tests run no example, so the suite's coverage floor does not apply.
    args = session.posargs or ["-n", "2", "--dist", "loadgroup"]
    session.run("pytest", "--no-cov", *args, "tests/browser", env=DOCS_ENV)


@nox.session
def lighthouse(session: nox.Session) -> None:
    """Lighthouse mobile scores and page weight of every page (a benchmark).

    Builds the site, serves it gzip-compressed on 127.0.0.1 as GitHub Pages
    does, and runs Lighthouse on every page, one at a time; the table goes to
    artifacts/lighthouse/report.md. Needs Node.js (npm) and Debian's Chromium;
    Lighthouse is installed into this session's folder, no browser is
    downloaded. Arguments go to tools/lighthouse.py (``--site DIR``,
    ``--runs 3``, ``--page en/``, ``--help``).
    """
    session.install("-r", "requirements/docs.txt")
    prefix = Path(session.virtualenv.location)
    session.run(
        "npm",
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--save-exact",
        "--prefer-offline",
        LIGHTHOUSE,
        external=True,
        silent=True,
    )
    binary = prefix / "node_modules" / ".bin" / "lighthouse"
    session.run(
        "python",
        "tools/lighthouse.py",
        "--lighthouse",
        str(binary),
        *session.posargs,
        env=DOCS_ENV,
    )
