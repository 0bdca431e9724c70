"""Real git repositories in temp dirs, isolated from the user's git config."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

IDENTITY = (
    "[user]\n\tname = Spec Author\n\temail = author@example.org\n[init]\n\tdefaultBranch = master\n"
)


@pytest.fixture
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A global git config of our own, so tests never see the developer's."""
    home = tmp_path_factory.mktemp("githome")
    config = home / "gitconfig"
    config.write_text(IDENTITY)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_AUTHOR_NAME",
        "GIT_COMMITTER_NAME",
    ):
        monkeypatch.delenv(key, raising=False)


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=False, env=os.environ
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def make_repo(path: Path, files: dict[str, str]) -> Path:
    """A repo with one commit holding ``files`` (written byte for byte)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Initial specs")
    return path


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
