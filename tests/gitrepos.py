"""Real git repositories in temp dirs, isolated from the developer's git config."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# No global or system config (no signing, hooks path or aliases of the developer's),
# and a fixed identity so commits work on a machine that has none.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Spec Author",
    "GIT_AUTHOR_EMAIL": "author@example.org",
    "GIT_COMMITTER_NAME": "Spec Author",
    "GIT_COMMITTER_EMAIL": "author@example.org",
}


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same isolation for the git that lpsync itself runs (pull commits)."""
    for key in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(key)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git(repo: Path, *args: str, check: bool = True, input: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | GIT_ENV
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False, input=input
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def make_repo(path: Path, files: dict[str, str], symlinks: dict[str, str] | None = None) -> Path:
    """A repo on branch master with one commit holding ``files`` (path -> text, written
    byte for byte) and ``symlinks`` (path -> link target, which may dangle)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "master")
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    for name, target in (symlinks or {}).items():
        link = path / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Initial specs")
    return path


def _diverge(repo: Path) -> None:
    """Branches side and master that both change README.rst from HEAD."""
    git(repo, "branch", "side")
    for branch in ("side", "master"):
        git(repo, "switch", "-q", branch)
        (repo / "README.rst").write_text(f"{branch}\n")
        git(repo, "add", "README.rst")
        git(repo, "commit", "-qm", branch)


def start_merge_conflict(repo: Path) -> None:
    """A merge stopped on a conflict in README.rst ."""
    _diverge(repo)
    git(repo, "merge", "side", check=False)


def start_rebase_conflict(repo: Path) -> None:
    """A rebase stopped on a conflict in README.rst ."""
    _diverge(repo)
    git(repo, "switch", "-q", "side")
    git(repo, "rebase", "master", check=False)


def assert_refused_as_found(
    repo: Path, make_state: Callable[[Path], None], run: Callable[[], Any], message: str
) -> None:
    """After ``make_state``, ``run`` (an lpsync command, a dry run too) refuses in one
    line holding ``message``, exit 3, and leaves the repository exactly as it found it."""
    make_state(repo)
    before = snapshot(repo)
    result = run()
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("lpsync: error: "), result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(repo) == before


@dataclass(frozen=True)
class RepoState:
    """Everything a failed lpsync run must leave as it found it."""

    head: str
    symbolic: str
    branches: str
    status: str
    index: str
    files: dict[str, bytes]


def snapshot(repo: Path) -> RepoState:
    files = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    return RepoState(
        head=git(repo, "rev-parse", "HEAD"),
        symbolic=git(repo, "rev-parse", "--abbrev-ref", "HEAD"),
        branches=git(repo, "branch", "-a", "-v", "--no-abbrev"),
        status=git(repo, "status", "--porcelain", "--untracked-files=all"),
        index=git(repo, "ls-files", "-s"),
        files=files,
    )


# A hook that presses Ctrl-C: SIGINT to the whole foreground process group.
INTERRUPTING_HOOK = """#!/bin/sh
kill -INT -$(ps -o pgid= -p $$ | tr -d ' ')
sleep 5
"""


def lpsync_process(*args: str) -> subprocess.CompletedProcess[str]:
    """lpsync in a process of its own, in its own process group, so that a hook's
    Ctrl-C reaches lpsync and its git, not pytest."""
    import sys

    root = Path(__file__).resolve().parents[1]
    return subprocess.run(
        [sys.executable, "-m", "lpsync", *args],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
