"""The GitHub Actions workflow runs what .ci/run runs, where the README promises.

GitHub cannot be reached from here, so the workflow is checked as a file:
it runs the same nox sessions as ``.ci/run`` (and each exists in
noxfile.py), on Linux, macOS and Windows: the examples on the oldest Python
that ``requires-python`` allows, which the noxfile's ``examples`` session
asks for, and everything else on each later version; and it publishes the site that the ``docs`` session
builds to GitHub Pages, only from main and only after every check passed.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import yaml

from tests.support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
NOX_RUN = re.compile(r"\bnox -s (?P<sessions>[\w ]+?)\s*(?:--|#|$)", re.M)


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def steps(job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow()["jobs"][job]["steps"]
    return found


def sessions_run(text: str) -> set[str]:
    return {s for m in NOX_RUN.finditer(text) for s in m["sessions"].split()}


def workflow_sessions(job: str) -> set[str]:
    return sessions_run("\n".join(step.get("run", "") for step in steps(job)))


def test_the_workflow_runs_the_sessions_ci_runs() -> None:
    ci = sessions_run((ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert ci == {"tests", "lint", "docs", "examples", "browser"}
    jobs = ("checks", "examples", "browser")
    assert set().union(*(workflow_sessions(job) for job in jobs)) == ci


def test_every_session_the_workflow_runs_is_in_the_noxfile() -> None:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    defined = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(ast.unparse(d).startswith("nox.session") for d in node.decorator_list)
    }
    used = set().union(*(workflow_sessions(job) for job in workflow()["jobs"]))
    assert used <= defined


def minors(versions: list[str]) -> list[int]:
    return sorted(int(version.split(".")[1]) for version in versions)


def test_the_checks_run_on_three_systems_and_every_supported_python() -> None:
    jobs = workflow()["jobs"]
    checks, examples = (
        jobs[job]["strategy"]["matrix"] for job in ("checks", "examples")
    )
    for matrix in (checks, examples):
        assert {os.split("-")[0] for os in matrix["os"]} == {
            "ubuntu",
            "macos",
            "windows",
        }
    # tomllib is 3.11 and later; the line is simple enough to read.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    requires = re.search(r'^requires-python = ">=3\.(\d+)"$', pyproject, re.M)
    assert requires is not None
    oldest = int(requires[1])
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert f'OLDEST_PYTHON = "3.{oldest}"' in noxfile
    assert minors(examples["python"]) == [oldest]
    assert minors(checks["python"]) == list(
        range(oldest + 1, minors(checks["python"])[-1] + 1)
    )
    assert jobs["browser"]["strategy"]["matrix"]["python"] == checks["python"]


def test_the_browser_job_installs_debians_chromium_not_a_download() -> None:
    job = workflow()["jobs"]["browser"]
    assert job["container"]["image"].endswith("-bookworm")
    commands = "\n".join(step.get("run", "") for step in job["steps"])
    assert "apt-get install -y chromium fonts-noto-cjk" in commands
    assert "playwright install" not in commands


def test_pages_are_built_by_the_docs_session_and_deployed_from_main_only() -> None:
    jobs = workflow()["jobs"]
    build = jobs["pages-build"]
    assert set(build["needs"]) == {"checks", "examples", "browser"}
    assert "refs/heads/main" in build["if"]
    assert workflow_sessions("pages-build") == {"docs"}
    uploaded = next(
        s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", "")
    )
    built = next(s["run"] for s in build["steps"] if "nox -s docs" in s.get("run", ""))
    assert f"--site-dir {uploaded['with']['path']}" in built
    configure = next(
        s for s in build["steps"] if "configure-pages" in s.get("uses", "")
    )
    docs_step = next(s for s in build["steps"] if "nox -s docs" in s.get("run", ""))
    assert docs_step["env"]["SITE_URL"] == (
        "${{ steps." + configure["id"] + ".outputs.base_url }}/"
    )
    # Every page links the repository the site is built from.
    assert docs_step["env"]["REPO_URL"] == (
        "${{ github.server_url }}/${{ github.repository }}"
    )
    deploy = jobs["pages-deploy"]
    assert deploy["needs"] == "pages-build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


# --- supply chain: what zizmor audits, kept so by a test as well --------------

USES = re.compile(
    r"^\s*(?:- )?uses:\s*(?P<action>\S+?)@(?P<ref>\S+)(?P<comment>.*)$", re.M
)


def test_every_action_is_pinned_to_a_commit_with_its_tag_in_a_comment() -> None:
    found = list(USES.finditer(WORKFLOW.read_text(encoding="utf-8")))
    assert len(found) >= 6
    loose = [
        m[0].strip()
        for m in found
        if not re.fullmatch(r"[0-9a-f]{40}", m["ref"])
        or not re.fullmatch(r"\s+# v\d+\.\d+\.\d+", m["comment"])
    ]
    assert loose == []


def test_checkouts_do_not_keep_the_token_in_the_git_config() -> None:
    checkouts = [
        step
        for job in workflow()["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == 4
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_no_expression_is_expanded_into_a_script() -> None:
    # ${{ }} in a run: script is pasted into the shell before it runs; values
    # go through env: instead.
    scripts = [
        step["run"]
        for job in workflow()["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]
    assert [run for run in scripts if "${{" in run] == []


def test_lint_checks_the_workflow_offline() -> None:
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert '"zizmor", "--offline", WORKFLOW' in noxfile
    assert '"--builtin-schema", "vendor.github-workflows", WORKFLOW' in noxfile
