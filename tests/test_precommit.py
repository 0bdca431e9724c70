"""The hook as a spec repo runs it: through pre-commit itself (``try-repo``), which
clones this project and installs it into its own environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import git
from test_lint import TEMPLATE, spec_text

ROOT = Path(__file__).resolve().parents[1]
BUILD_FAILED = 3  # pre-commit's exit code for its own errors (no environment, say)


def _clone_project(dest: Path) -> Path:
    """This checkout as it is now (tracked and new files, not ignored ones), committed
    in a repo of its own: try-repo installs the hook from what is being tested."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "lpsync under test")
    return dest


def _pre_commit(
    project: Path, repo: Path, home: Path, *files: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env |= {"PRE_COMMIT_HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(project), "lpsync-lint"]
        + ["--files", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_hook_fails_on_a_damaged_spec_and_passes_a_clean_one(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout of lpsync: nothing for try-repo to clone")
    repo = tmp_path / "specs-repo"
    (repo / "specs" / "zed").mkdir(parents=True)
    (repo / "specs" / "template.rst").write_text(TEMPLATE)
    (repo / "specs" / "zed" / "clean.rst").write_text(spec_text())
    (repo / "specs" / "zed" / "damaged.rst").write_text(
        spec_text("damaged", drop=("Proposed change",), body="\ntrailing \n")
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"
    project = _clone_project(tmp_path / "lpsync")

    damaged = _pre_commit(project, repo, home, "specs/zed/damaged.rst", "specs/template.rst")
    if damaged.returncode == BUILD_FAILED:
        pytest.skip(f"pre-commit could not build the hook's environment: {damaged.stdout[-300:]}")
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    assert "specs/zed/damaged.rst:6: LPS801 section 'Proposed change'" in damaged.stdout
    assert "specs/zed/damaged.rst:" in damaged.stdout and "LPS805" in damaged.stdout

    clean = _pre_commit(project, repo, home, "specs/zed/clean.rst")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "lpsync lint" in clean.stdout and "Passed" in clean.stdout
