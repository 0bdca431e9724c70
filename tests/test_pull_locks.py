"""Writers take the repository in turn: lpsync's own lock, git's lock files, and a
rollback that says what it could not put back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from gitrepos import GIT_ENV, git, snapshot
from test_pull import lpsync, pull_in_a_process, repo, runner  # noqa: F401 (fixtures)

from lpsync.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "launchpad"


def test_a_stale_index_lock_is_refused_before_anything_changes(
    repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    (repo / ".git/index.lock").write_text("")
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert ".git/index.lock: git's lock file exists" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(repo) == before
    assert sandbox.requests == []  # refused before any Launchpad request


def test_a_second_writer_refuses_at_once_and_the_first_one_commits(
    repo: Path, tmp_path: Path
) -> None:
    # The first pull waits in its pre-commit hook, lock held, while a second starts.
    hook = repo / ".git/hooks/pre-commit"
    started = tmp_path / "hook-started"
    hook.write_text(f"#!/bin/sh\ntouch {started}\nsleep 2\n")
    hook.chmod(0o755)
    env = {**os.environ, **GIT_ENV, "PYTHONPATH": str(ROOT)}
    env = {k: v for k, v in env.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}

    def pull(name: str, cache: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "lpsync", "pull", name, "--repo", str(repo)]
        command += ["--service-root", str(FIXTURES), "--cache-dir", str(tmp_path / cache)]
        return subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    first = pull("libvirt-vdpa-hotplug", "c1")
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), first.communicate()
    second = pull("unified-limits-nova", "c2")
    out2, err2 = second.communicate(timeout=30)
    out1, err1 = first.communicate(timeout=30)
    assert second.returncode == 3, err2
    assert "lpsync.lock: another lpsync command (pid " in err2
    assert len(err2.strip().splitlines()) == 1
    assert first.returncode == 0, err1
    assert git(repo, "log", "-1", "--format=%s", "bp/libvirt-vdpa-hotplug").startswith(
        "Update spec"
    )
    assert "bp/unified-limits-nova" not in git(repo, "branch")
    assert not (repo / ".git/lpsync.lock").exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (repo / ".git/lpsync.lock").write_text(dead.stdout)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert not (repo / ".git/lpsync.lock").exists()


def test_two_writers_taking_over_one_stale_lock_do_not_both_get_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four writers find the same stale lock; reading its owner is slowed so that all
    # of them have judged it stale before any takes it over. Only one may hold it.
    import threading

    from lpsync import gitrepo

    (repo / ".git/lpsync.lock").write_text("999999999\n")  # no such pid
    read_owner = gitrepo._lock_owner

    def slow_owner(path: Path) -> int | None:
        owner = read_owner(path)
        time.sleep(0.1)
        return owner

    monkeypatch.setattr(gitrepo, "_lock_owner", slow_owner)
    start = threading.Barrier(4)
    holding: list[int] = []
    most: list[int] = []
    refused: list[str] = []

    def writer() -> None:
        git_repo = gitrepo.GitRepo(repo)
        start.wait()
        try:
            with git_repo.locked():
                holding.append(1)
                most.append(len(holding))
                time.sleep(0.3)
                holding.pop()
        except gitrepo.GitError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(most) == 1
    assert len(refused) == 3 and all("another lpsync command" in r for r in refused)
    assert not (repo / ".git/lpsync.lock").exists()


def test_a_rollback_names_what_it_could_not_restore(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    # The hook fails and leaves git's HEAD.lock: switching back to master is impossible.
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text('#!/bin/sh\ntouch "$(git rev-parse --git-dir)/HEAD.lock"\nexit 1\n')
    hook.chmod(0o755)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert "could not restore HEAD on master" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_interrupted_rollback_names_what_it_could_not_restore(
    repo: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    # Ctrl-C (to lpsync alone) while a hook has left git's HEAD.lock: exit 130 as for
    # any interrupt, and the one line still says what is not as it was.
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(
        '#!/bin/sh\ntouch "$(git rev-parse --git-dir)/HEAD.lock"\n'
        "kill -INT $(ps -o ppid= -p $PPID | tr -d ' ')\nsleep 0.5\n"
    )
    hook.chmod(0o755)
    done = pull_in_a_process(repo, sandbox, tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr.startswith("lpsync: interrupted; could not restore HEAD on master")
    assert len(done.stderr.strip().splitlines()) == 1


def test_audit_fix_refuses_while_another_command_holds_the_lock(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    (repo / ".git/lpsync.lock").write_text(f"{os.getpid()}\n")  # this live process
    before = snapshot(repo)
    result = lpsync("audit", "--fix", "--repo", str(repo))
    assert result.exit_code == 3
    assert "lpsync.lock: another lpsync command" in result.stderr
    assert snapshot(repo) == before
    # A plain audit only reads: it does not need the lock.
    assert lpsync("audit", "--repo", str(repo)).exit_code == 1


def test_an_index_lock_taken_mid_pull_is_named_and_the_rollback_does_without_it(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    # After lpsync's checks another git takes the index lock (a hook stands in for it):
    # git add fails, and the rollback must still put HEAD and the branches back.
    hook = repo / ".git/hooks/post-checkout"
    hook.write_text('#!/bin/sh\ntouch "$(git rev-parse --git-dir)/index.lock"\n')
    hook.chmod(0o755)
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert result.stderr.startswith("lpsync: error: git add: fatal: Unable to create")
    assert "index.lock" in result.stderr and "could not restore" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (repo / ".git/index.lock").exists()  # another git's lock is not lpsync's to take
    (repo / ".git/index.lock").unlink()
    assert snapshot(repo) == before
