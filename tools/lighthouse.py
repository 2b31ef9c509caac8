"""Lighthouse mobile scores and page weight of every built page (a benchmark).

Builds the site (or takes built ones), serves each on 127.0.0.1 the way
GitHub Pages does (gzip for text types, ``404.html`` with status 404 for a
missing path, a folder's ``index.html``, a redirect to add a folder's
slash), runs Lighthouse on every page of both languages (every index.html
and 404.html), one page at a time, and writes Markdown tables: scores,
failing best-practices audits, and the bytes each page load transferred
(compressed) and decoded (uncompressed), in total and for the search index.

Lighthouse's defaults apply: the mobile form factor and simulated throttling
(a slow 4G network and a 4x slower CPU, computed from the real load). The
scores depend on this machine's CPU, so compare sites measured side by side:
given several sites, the script measures each page of every site before the
next page, the sites taking turns to go first. Before each run it waits (up
to ``--wait-idle`` seconds) for the CPU to be mostly idle, and the table
records how busy it was and Lighthouse's own CPU benchmark. Nothing leaves
the machine: the servers listen on 127.0.0.1 and Chromium runs with its
background networking switched off.

Usage (the nox session ``lighthouse`` installs Lighthouse and runs this)::

    python tools/lighthouse.py --lighthouse PATH/TO/lighthouse
        [--site DIR ...] [--source CHECKOUT ...] [--label TEXT ...]
        [--runs N] [--page URL-PATH ...] [--output DIR] [--uncompressed]

Without ``--site`` or ``--source`` it builds this checkout. The report goes
to ``artifacts/lighthouse/report.md``, each run's JSON report beside it.
"""

from __future__ import annotations

import argparse
import datetime
import email.utils
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROME_PATH = "/usr/bin/chromium"
# Debian's Chromium, headless, with nothing that talks to the network by
# itself (see shared/STACK.md); Lighthouse's launcher adds a fresh profile.
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
CATEGORIES = "performance,best-practices"
SEARCH_INDEX = "search/search_index.json"
# Types GitHub Pages sends gzip-compressed (text; JSON, JavaScript, XML, SVG).
COMPRESSED_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)
# GitHub Pages lets browsers cache every file for ten minutes.
CACHE_CONTROL = "max-age=600"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
}


def content_type(path: Path) -> str:
    """The Content-Type header for a file, by its suffix."""
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return TYPES.get(path.suffix, guessed)


class PagesHandler(http.server.BaseHTTPRequestHandler):
    """Serve a built site from ``server.site`` as GitHub Pages would."""

    server: PagesServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the output for the table."""

    def do_HEAD(self) -> None:
        """Answer a HEAD request: the headers of the GET."""
        self.respond(body=False)

    def do_GET(self) -> None:
        """Answer a GET request."""
        self.respond(body=True)

    def resolve(self) -> tuple[int, Path | None, str | None]:
        """Status, file and redirect location for the requested path."""
        url = urllib.parse.urlsplit(self.path)
        parts = [p for p in urllib.parse.unquote(url.path).split("/") if p]
        if any(p in (".", "..") for p in parts):
            return 404, None, None
        target = self.server.site.joinpath(*parts)
        if target.is_dir():
            if not url.path.endswith("/"):
                return 301, None, url.path + "/"
            target = target / "index.html"
        if target.is_file():
            return 200, target, None
        return 404, None, None

    def respond(self, *, body: bool) -> None:
        """Send the status, the headers and, for a GET, the (compressed) file."""
        status, path, location = self.resolve()
        if status == 404:
            path = self.server.site / "404.html"
        data = b"" if path is None or not path.is_file() else path.read_bytes()
        kind = "text/html; charset=utf-8" if path is None else content_type(path)
        accepts = self.headers.get("Accept-Encoding", "")
        gzipped = (
            self.server.compress
            and kind.startswith(COMPRESSED_TYPES)
            and "gzip" in accepts
            and data
        )
        if gzipped:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("Vary", "Accept-Encoding")
        if path is not None and status == 200:
            modified = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
            self.send_header("Last-Modified", modified)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()
        if body:
            self.wfile.write(data)
        self.server.sent.append((self.path, status, len(data) if body else 0))


class PagesServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server that knows the site's folder."""

    daemon_threads = True

    def __init__(self, site: Path, *, compress: bool = True) -> None:
        """Listen on 127.0.0.1, on a free port."""
        self.site = site
        self.compress = compress
        # (request path, status, body bytes sent) of every request answered.
        self.sent: list[tuple[str, int, int]] = []
        super().__init__(("127.0.0.1", 0), PagesHandler)

    @property
    def root(self) -> str:
        """The site's root URL."""
        return f"http://127.0.0.1:{self.server_address[1]}/"


@contextmanager
def serving(site: Path, *, compress: bool = True) -> Iterator[PagesServer]:
    """Serve ``site`` in a thread; yield the server."""
    server = PagesServer(site, compress=compress)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def build(source: Path, site: Path) -> None:
    """Build the site of the checkout ``source`` into ``site`` (strict)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    subprocess.run([*command, "--site-dir", str(site)], cwd=source, env=env, check=True)


def pages(site: Path) -> list[str]:
    """The site's pages as URL paths: every index.html and 404.html.

    The default language's pages (at the root) come first, then the others.
    """
    found = [*site.rglob("index.html"), *site.rglob("404.html")]
    paths = []
    for path in found:
        relative = path.relative_to(site).as_posix()
        url = relative[: -len("index.html")] if path.name == "index.html" else relative
        paths.append(url)
    # A further language is a top folder with its own search index (en/).
    languages = {p.parent.parent.name for p in site.glob(f"*/{SEARCH_INDEX}")}

    def order(url: str) -> tuple[bool, str]:
        return url.split("/", maxsplit=1)[0] in languages, url

    return sorted(paths, key=order)


def lighthouse(binary: Path, url: str, report: Path) -> dict[str, Any]:
    """Run Lighthouse once on ``url``; return its JSON report."""
    env = {**os.environ, "CHROME_PATH": CHROME_PATH}
    command = [
        str(binary),
        url,
        f"--only-categories={CATEGORIES}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--quiet",
    ]
    subprocess.run(command, env=env, check=True, timeout=300)
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU time in use over ``seconds`` (Linux)."""

    def times() -> tuple[int, int]:
        fields = [int(f) for f in Path("/proc/stat").read_text().split()[1:9]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total, idle = times()
        time.sleep(seconds)
        total2, idle2 = times()
    except OSError:
        return None
    return 1 - (idle2 - idle) / max(total2 - total, 1)


def wait_until_quiet(limit: float, threshold: float = 0.25) -> float | None:
    """Wait up to ``limit`` seconds for the CPU to be mostly idle.

    Returns the last share of CPU in use measured (others' work: nothing of
    this benchmark runs while it waits).
    """
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


@dataclass
class Result:
    """What one Lighthouse run found for one page."""

    page: str
    performance: int
    best_practices: int
    failing: list[str]
    transferred: int
    decoded: int
    index_transferred: int | None
    index_decoded: int | None
    served: int
    served_index: int
    fcp: float
    lcp: float
    tbt: float
    cls: float
    observed: tuple[float, float]  # first contentful paint, load (ms, unthrottled)
    benchmark: float
    busy: float | None
    runs: str = ""


def score(report: dict[str, Any], category: str) -> int:
    """A category's score, 0 to 100."""
    value = report["categories"][category]["score"]
    return -1 if value is None else round(value * 100)


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """Ids of the category's audits that count and did not pass."""
    failed = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        counts = mode not in ("notApplicable", "informative", "manual", "error")
        if mode == "error":
            failed.append(f"{ref['id']} (error)")
        elif counts and audit.get("score") is not None and audit["score"] < 1:
            failed.append(ref["id"])
    return failed


def is_index(url: str) -> bool:
    """Whether a URL or request path is a search index."""
    return urllib.parse.urlsplit(url).path.endswith(SEARCH_INDEX)


def summarise(
    page: str,
    report: dict[str, Any],
    sent: list[tuple[str, int, int]],
    busy: float | None,
) -> Result:
    """The table's numbers from one Lighthouse report and the server's log."""
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    index = [r for r in requests if is_index(r["url"])]
    # Lighthouse itself fetches source maps (valid-source-maps); a reader's
    # browser does not, so they are left out of what the server sent.
    sent = [s for s in sent if not urllib.parse.urlsplit(s[0]).path.endswith(".map")]
    # None (a dash in the table) when the page did not load the index.
    index_transferred = sum(r.get("transferSize", 0) for r in index) if index else None
    index_decoded = sum(r.get("resourceSize", 0) for r in index) if index else None

    def metric(name: str) -> float:
        return float(audits[name]["numericValue"])

    # What the unthrottled load really did, from which the scores are computed.
    observed = audits["metrics"]["details"]["items"][0]

    return Result(
        page=page,
        performance=score(report, "performance"),
        best_practices=score(report, "best-practices"),
        failing=failing_audits(report, "best-practices"),
        transferred=sum(r.get("transferSize", 0) for r in requests),
        decoded=sum(r.get("resourceSize", 0) for r in requests),
        index_transferred=index_transferred,
        index_decoded=index_decoded,
        served=sum(size for _, _, size in sent),
        served_index=sum(size for path, _, size in sent if is_index(path)),
        fcp=metric("first-contentful-paint"),
        lcp=metric("largest-contentful-paint"),
        tbt=metric("total-blocking-time"),
        cls=metric("cumulative-layout-shift"),
        observed=(
            float(observed["observedFirstContentfulPaint"]),
            float(observed["observedLoad"]),
        ),
        benchmark=float(report["environment"]["benchmarkIndex"]),
        busy=busy,
    )


def median_result(runs: list[Result]) -> Result:
    """The run with the median performance score (the lower of two middles)."""
    ordered = sorted(runs, key=lambda r: r.performance)
    return ordered[(len(ordered) - 1) // 2]


def kib(size: int | None) -> str:
    """Bytes as KiB with one decimal, or a dash."""
    return "–" if size is None else f"{size / 1024:.1f}"


COLUMNS = [
    "page",
    "perf",
    "best pr.",
    "failing best-practices audits",
    "transferred KiB",
    "search index KiB",
    "uncompressed KiB",
    "search index uncompr. KiB",
    "server sent KiB (index)",
    "FCP s",
    "LCP s",
    "TBT ms",
    "CLS",
    "observed paint / load ms",
    "CPU bench",
    "CPU busy before",
]


def table(results: list[Result], runs: int) -> str:
    """The Markdown table of the results, and a summary line."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        perf = f"{r.performance} ({r.runs})" if runs > 1 else str(r.performance)
        busy = "–" if r.busy is None else f"{r.busy:.0%}"
        cells = [
            f"`/{r.page}`",
            perf,
            str(r.best_practices),
            ", ".join(r.failing) or "–",
            kib(r.transferred),
            kib(r.index_transferred),
            kib(r.decoded),
            kib(r.index_decoded),
            f"{kib(r.served)} ({kib(r.served_index)})",
            f"{r.fcp / 1000:.1f}",
            f"{r.lcp / 1000:.1f}",
            f"{r.tbt:.0f}",
            f"{r.cls:.3f}",
            f"{r.observed[0]:.0f} / {r.observed[1]:.0f}",
            f"{r.benchmark:.0f}",
            busy,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    perfs = [r.performance for r in results]
    below = [r.page for r in results if r.performance < 95]
    lines.append("")
    lines.append(
        f"Performance {min(perfs)}–{max(perfs)} (median "
        f"{statistics.median(perfs):g}) over {len(results)} pages; "
        f"{len(below)} below 95. Best practices "
        f"{min(r.best_practices for r in results)}–"
        f"{max(r.best_practices for r in results)}."
    )
    return "\n".join(lines)


NOTES = """\
Transferred and uncompressed bytes are Lighthouse's (network-requests:
transferSize, resourceSize, all requests of the load, the worker's included).
"server sent" is what the server wrote as bodies during the run, compressed,
without headers and without the source maps that Lighthouse fetches for its
own audit: a check on Lighthouse's count, which gives the search worker's
script as a few hundred bytes only. "CPU bench" is Lighthouse's
benchmarkIndex (higher is faster; its mobile throttling expects about 1000 or
more); "CPU busy before" is the machine's CPU use, by others, just before the
run. Lighthouse ran one page at a time: it is CPU-sensitive. "observed
paint / load" is the unthrottled load that the scores are computed from:
headless Chromium here sometimes shows its first paint about a second late,
after the load has finished and with the main thread idle; the simulation
then puts the page's scripts before the paint, and that run scores up to 10
points lower. Compare medians of three runs or more (--runs).
"""


@dataclass
class Site:
    """A built site under test, its server and its results."""

    label: str
    folder: Path
    output: Path
    server: PagesServer | None = None
    results: dict[str, Result] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


def measure(site: Site, page: str, args: argparse.Namespace) -> Result:
    """Run Lighthouse ``args.runs`` times on a page of a site; the median run."""
    assert site.server is not None
    runs = []
    for run in range(args.runs):
        name = page.strip("/").replace("/", "_") or "index"
        path = site.output / f"{name}.{run}.json"
        busy = wait_until_quiet(args.wait_idle)
        site.server.sent.clear()
        site.report = lighthouse(args.lighthouse, site.server.root + page, path)
        runs.append(summarise(page, site.report, list(site.server.sent), busy))
    result = median_result(runs)
    result.runs = "/".join(str(r.performance) for r in runs)
    return result


def comparison(sites: list[Site], urls: list[str]) -> str:
    """A side-by-side table of the sites' scores and weights, page by page."""
    labels = [site.label for site in sites]
    head = [
        "page",
        *(f"perf: {label}" for label in labels),
        *(f"best pr.: {label}" for label in labels),
        *(f"KiB: {label}" for label in labels),
        *(f"index KiB: {label}" for label in labels),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for page in urls:
        found = [site.results.get(page) for site in sites]

        def cells(get: Any, found: list[Result | None] = found) -> list[str]:
            return ["–" if r is None else get(r) for r in found]

        row = [
            f"`/{page}`",
            *cells(lambda r: str(r.performance)),
            *cells(lambda r: str(r.best_practices)),
            *cells(lambda r: kib(r.transferred)),
            *cells(lambda r: kib(r.index_transferred)),
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def slug(text: str) -> str:
    """A folder name from a label."""
    return "".join(c if c.isalnum() else "-" for c in text).strip("-") or "site"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", type=Path, required=True, help="its CLI")
    parser.add_argument(
        "--site", type=Path, action="append", default=[], help="a built site"
    )
    parser.add_argument(
        "--source",
        type=Path,
        action="append",
        default=[],
        help="a checkout to build (default: this one, if no --site is given)",
    )
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        help="a name for each site, in the order: --site ones, then --source ones",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median)")
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "artifacts" / "lighthouse",
        help="folder for report.md and the JSON reports",
    )
    parser.add_argument("--page", action="append", help="only these URL paths")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=20.0,
        help="seconds to wait at most, before each run, for an idle CPU",
    )
    parser.add_argument(
        "--uncompressed",
        action="store_true",
        help="serve without gzip (as python -m http.server does), to compare",
    )
    args = parser.parse_args(argv)
    if not args.site and not args.source:
        args.source = [ROOT]
    if len(args.label) > len(args.site) + len(args.source):
        parser.error("more --label than sites")
    return args


def write_report(
    sites: list[Site], urls: list[str], args: argparse.Namespace, started: str
) -> str:
    """Write report.md: the conditions, the tables and the notes; return it."""
    report = next(site.report for site in sites if site.report)
    serving_as = (
        "UNCOMPRESSED (--uncompressed), unlike GitHub Pages."
        if args.uncompressed
        else "gzip level 6 for text types, as GitHub Pages serves them."
    )
    sections = [
        "# Lighthouse: mobile performance and page weight",
        "",
        f"Measured {started} with Lighthouse {report['lighthouseVersion']} "
        "(mobile, simulated throttling), one page at a time, "
        f"{args.runs} run(s) per page"
        f"{' (median; all runs in brackets)' * (args.runs > 1)}; "
        f"{report['environment']['hostUserAgent']}; {os.cpu_count()} CPUs. "
        f"Served by tools/lighthouse.py's standard-library server on 127.0.0.1, "
        f"{serving_as}",
        "",
    ]
    if len(sites) > 1:
        sections += ["## Side by side", "", comparison(sites, urls), ""]
    for site in sites:
        results = [site.results[u] for u in urls if u in site.results]
        sections += [f"## {site.label}", "", table(results, args.runs), ""]
    sections.append(NOTES)
    text = "\n".join(sections)
    (args.output / "report.md").write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    """Measure every page and write the tables; return the exit status."""
    args = arguments(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        folders = [site.resolve() for site in args.site]
        for number, source in enumerate(args.source):
            folder = Path(scratch) / f"site{number}"
            print(f"building {source} ...", flush=True)
            build(source.resolve(), folder)
            folders.append(folder)
        labels = args.label + [str(f) for f in folders[len(args.label) :]]
        sites = []
        for number, (label, folder) in enumerate(zip(labels, folders, strict=True)):
            output = args.output / f"{number}-{slug(label)}"
            output.mkdir(exist_ok=True)
            site = Site(label, folder, output)
            serve = serving(folder, compress=not args.uncompressed)
            site.server = servers.enter_context(serve)
            sites.append(site)
        every = (url for site in sites for url in pages(site.folder))
        known = list(dict.fromkeys(every))
        urls = [page.lstrip("/") for page in args.page] if args.page else known
        unknown = [page for page in urls if page not in known]
        if unknown:
            sys.exit(f"error: no such page: {', '.join(unknown)} (pages: {known})")
        started = f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
        print(
            f"Lighthouse on {len(urls)} pages of {len(sites)} site(s), one page at "
            f"a time (it is CPU-sensitive), {args.runs} run(s) each, served "
            f"{'uncompressed' if args.uncompressed else 'gzip-compressed'} on "
            "127.0.0.1",
            flush=True,
        )
        for number, page in enumerate(urls):
            # The sites take turns going first, so that a change in the
            # machine's load weighs on each alike.
            turn = sites[number % len(sites) :] + sites[: number % len(sites)]
            for site in turn:
                if not (site.folder / page).exists():
                    continue
                result = measure(site, page, args)
                site.results[page] = result
                print(
                    f"{site.label}: /{page}: performance {result.runs}, best "
                    f"practices {result.best_practices}, "
                    f"{kib(result.transferred)} KiB",
                    flush=True,
                )
    print(write_report(sites, urls, args, started))
    return 0


if __name__ == "__main__":
    if shutil.which("node") is None:
        sys.exit("tools/lighthouse.py needs Node.js")
    sys.exit(main())
