"""The hook as a spec repo runs it: through pre-commit itself, which clones this
project and installs it into an environment of its own.

The spec repo's ``.pre-commit-config.yaml`` is the README's snippet, pointing at a
clone of this checkout. ``pre-commit try-repo`` would write the same config, but it
builds the hook's environment in a fresh temporary store on every call (about 10 s
each); ``pre-commit run`` keeps it in PRE_COMMIT_HOME, so the clean run reuses what
the damaged run built."""

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
PRE_COMMIT_ERROR = 3  # pre-commit's exit code for its own errors


def _clone_project(dest: Path) -> str:
    """This checkout as it is now (tracked and new files, not ignored ones), committed
    in a repo of its own: pre-commit installs the hook from what is being tested.
    Returns the commit, the ``rev`` of the config."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "lpsync under test")
    return git(dest, "rev-parse", "HEAD").strip()


def _pre_commit(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env |= {"PRE_COMMIT_HOME": str(home), "GIT_CONFIG_GLOBAL": os.devnull}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "lpsync-lint", "--files", *files],
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
        pytest.skip("not a git checkout of lpsync: nothing for pre-commit to clone")
    project = tmp_path / "lpsync"
    rev = _clone_project(project)
    repo = tmp_path / "specs-repo"
    (repo / "specs" / "zed").mkdir(parents=True)
    (repo / "specs" / "template.rst").write_text(TEMPLATE)
    (repo / "specs" / "zed" / "clean.rst").write_text(spec_text())
    (repo / "specs" / "zed" / "damaged.rst").write_text(
        spec_text("damaged", drop=("Proposed change",), body="\ntrailing \n")
    )
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {project}\n    rev: {rev}\n    hooks:\n      - id: lpsync-lint\n"
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    damaged = _pre_commit(repo, home, "specs/zed/damaged.rst", "specs/template.rst")
    if damaged.returncode == PRE_COMMIT_ERROR and "CalledProcessError" in damaged.stdout:
        # Installing the environment failed (no package index, say); a bad hook
        # manifest or config is another error, and fails the test.
        pytest.skip(f"pre-commit could not build the hook's environment: {damaged.stdout[-300:]}")
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    assert "specs/zed/damaged.rst:6: LPS801 section 'Proposed change'" in damaged.stdout
    assert "specs/zed/damaged.rst:" in damaged.stdout and "LPS805" in damaged.stdout

    clean = _pre_commit(repo, home, "specs/zed/clean.rst")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "lpsync lint" in clean.stdout and "Passed" in clean.stdout
