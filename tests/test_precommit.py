"""The pre-commit hook, for real: the `pre-commit` tool installs this checkout's hook from
``.pre-commit-hooks.yaml`` into its own environment, and `git commit` runs it.

The checkout as it is (committed or not) is copied into a one-commit repository, which the
test repository's ``.pre-commit-config.yaml`` pins by its hash, as a user pins a release:
so the hook that runs is the one in this working tree. pre-commit builds its environment
once for the module (it installs consider from source, from the package index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

OPENAPI = "openapi: 3.0.3\ninfo: {title: Orders, version: '1'}\npaths: {}\n"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=_env(cwd)
    )
    return done.stdout.strip()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    config = home.parent / "gitconfig"
    if not config.exists():
        config.write_text("[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n")
    env.update(
        GIT_CONFIG_GLOBAL=str(config),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        PRE_COMMIT_HOME=str(home.parent / "pre-commit-home"),
        CONSIDER_NO_CACHE="1",
        NO_COLOR="1",
    )
    return env


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout, tracked and untracked files alike (not the ignored), as one commit."""
    snapshot = tmp_path_factory.mktemp("precommit") / "consider"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env=_env(snapshot.parent / "listing"),  # a CI clone may belong to another user
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet staged is listed too
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, _git(snapshot, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def project(hook_source: tuple[Path, str]) -> Path:
    """A repository that uses the hook, pinned by commit, with pre-commit installed."""
    source, rev = hook_source
    project = source.parent / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n"
        "      - id: consider\n        verbose: true\n",
        encoding="utf-8",
    )
    _git(project, "add", ".pre-commit-config.yaml")
    _git(project, "commit", "-q", "-m", "hooks")
    _pre_commit(project, "install")
    return project


def _pre_commit(project: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        capture_output=True,
        check=True,
        env=_env(project),
    )


def _commit(project: Path, message: str) -> tuple[int, str]:
    done = subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(project),
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_hook_gates_commits_on_specs_whatever_their_names(project: Path) -> None:
    # A clean spec not named *spec.yaml, beside an OpenAPI file named like a spec: passes.
    shutil.copy(EXAMPLES / "sound-search-ranking.yaml", project / "search.yaml")
    (project / "openapi-spec.yaml").write_text(OPENAPI, encoding="utf-8")
    _git(project, "add", "search.yaml", "openapi-spec.yaml")
    code, output = _commit(project, "a clean spec")
    assert code == 0, output
    assert (
        "search.yaml: 0 errors, 0 warnings, 0 info, 0 waived, 0 open questions (0 acknowledged)"
        in output
    )
    assert "openapi-spec.yaml" not in output
    clean = _git(project, "rev-parse", "HEAD")

    # A spec with error-level risks, and the OpenAPI file changed again: refused.
    shutil.copy(EXAMPLES / "home-recommender.yaml", project / "home.yaml")
    (project / "openapi-spec.yaml").write_text(OPENAPI + "x-note: changed\n", encoding="utf-8")
    _git(project, "add", "home.yaml", "openapi-spec.yaml")
    code, output = _commit(project, "a risky spec")
    assert code != 0, output
    assert "consider check" in output and "Failed" in output
    assert "home.yaml: 4 errors, 5 warnings" in output
    assert "openapi-spec.yaml" not in output
    assert _git(project, "rev-parse", "HEAD") == clean
