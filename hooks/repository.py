"""MkDocs hook: link the repository even when ``REPO_URL`` is not set.

mkdocs.yml takes ``repo_url`` from the environment (the GitHub workflow sets
it). A reader who cloned the project and serves the site has no such
variable, so this hook falls back to the checkout's git remote ``origin``,
written as a web address (``git@github.com:OWNER/REPO.git`` becomes
``https://github.com/OWNER/REPO``). With neither, the pages have no
repository link, as before.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

ROOT = Path(__file__).resolve().parent.parent
SSH = re.compile(r"^(?:ssh://)?git@(?P<host>[^:/]+)[:/](?P<path>.+)$")


def web_address(remote: str) -> str | None:
    """An https address for a git remote URL, or None for a local path."""
    remote = remote.strip()
    ssh = SSH.match(remote)
    if ssh:
        remote = f"https://{ssh['host']}/{ssh['path']}"
    if not remote.startswith(("https://", "http://")):
        return None
    return re.sub(r"\.git/?$", "", remote.rstrip("/"))


def origin() -> str | None:
    try:
        result = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:  # no git on this machine
        return None
    return web_address(result.stdout) if result.returncode == 0 else None


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.repo_url:
        url = origin()
        if url:
            config.repo_url = url
            config.repo_name = "/".join(url.split("/")[-2:])
    return config
