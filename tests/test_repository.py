"""Tests of hooks/repository.py and the repository link on every page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pages import REPO_URL, build_site
from tests.support import load_hook

pytestmark = pytest.mark.no_cover  # nothing here runs examples/


hook = load_hook("repository")


@pytest.mark.parametrize(
    ("remote", "address"),
    [
        ("https://github.com/owner/repo.git\n", "https://github.com/owner/repo"),
        ("https://github.com/owner/repo", "https://github.com/owner/repo"),
        ("git@github.com:owner/repo.git", "https://github.com/owner/repo"),
        ("ssh://git@gitee.com/owner/repo.git", "https://gitee.com/owner/repo"),
        ("/home/me/sockets", None),
        ("../sockets.git", None),
    ],
)
def test_a_git_remote_becomes_a_web_address(remote: str, address: str | None) -> None:
    assert hook.web_address(remote) == address


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    build_site(site_dir, repo_url=REPO_URL)
    return site_dir


def test_every_page_links_the_repository(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    link = f'<a href="{REPO_URL}" title='
    assert [
        p.relative_to(site).as_posix()
        for p in pages
        if link not in p.read_text("utf-8")
    ] == []


def test_the_link_does_not_make_the_theme_ask_github_for_stars(site: Path) -> None:
    # data-md-component="source" makes Material's JavaScript fetch
    # api.github.com; overrides/partials/source.html leaves it out.
    pages = sorted(site.rglob("*.html"))
    assert [
        p.name for p in pages if 'data-md-component="source"' in p.read_text("utf-8")
    ] == []
