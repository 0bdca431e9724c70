"""The git side of lpsync: preconditions, branches and commits.

Reads go through GitPython; every change goes through the git porcelain
(``repo.git.<command>``) so the user's hooks (Gerrit's commit-msg adds the Change-Id)
and signing config apply, which GitPython's own ``index.commit`` would skip.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from types import SimpleNamespace

from lpsync.errors import GitError

# Set by git when it runs a hook; inherited by a nested git they would point it at
# the outer repository (pre-commit's no_git_env has the same list).
_LEAKY_GIT_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX")

LOCK_NAME = "lpsync.lock"

IN_PROGRESS_MARKERS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or am",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
}


_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def is_valid_branch_name(name: str) -> bool:
    """git's rules for a new branch name (``git check-ref-format refs/heads/NAME``),
    without the shorthand expansion ``--branch`` applies (``@{-1}``, ``@``)."""
    if not name or name in ("@", "HEAD") or "@{" in name or ".." in name or "//" in name:
        return False
    if name.startswith(("/", "-")) or name.endswith(("/", ".")) or _BAD_REF_CHARS.search(name):
        return False
    return all(
        part and not part.startswith(".") and not part.endswith(".lock") for part in name.split("/")
    )


def _first_line(exc: object) -> str:
    """git's own words for what went wrong, on one line: its first ``error:`` or
    ``fatal:`` line (the cause: "error: gpg failed to sign the data", with the line
    that explains it when it ends in a colon) and its last (the consequence: "fatal:
    failed to write commit object"); else its last line that is not a hint, else its
    exit status."""
    stderr = str(getattr(exc, "stderr", "") or "").strip()
    # GitPython wraps stderr as "stderr: '...'"; take the wrapper off, not git's quotes.
    if stderr.startswith("stderr: '") and stderr.endswith("'"):
        stderr = stderr[len("stderr: '") : -1]
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith("hint:")]
    errors = [i for i, ln in enumerate(lines) if ln.startswith(("fatal:", "error:"))]
    if errors:
        first = lines[errors[0]]
        if first.endswith(":") and errors[0] + 1 < len(lines) and errors[0] + 1 not in errors:
            first = f"{first} {lines[errors[0] + 1]}"  # git 2.40+: the signer's own reason
        last = lines[errors[-1]]
        return last if len(errors) == 1 else f"{first}; {last}"
    if lines:
        return lines[-1]
    status = getattr(exc, "status", None)
    return f"failed with exit status {status}" if status is not None else str(exc).split("\n")[0]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """After Ctrl-C: a terminal sent git the same SIGINT; forward it in case only
    lpsync got it (a supervisor's ``kill -INT``), then wait, bounded, for git to end."""
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGINT)
    for _ in range(2):
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            proc.kill()
        except KeyboardInterrupt:  # pressed again: stop waiting politely
            proc.kill()


class GitRepo:
    """A working tree lpsync may change, with enough state to put it back."""

    def __init__(self, path: Path) -> None:
        import git  # lazy: keeps `lpsync --help` fast

        self._git_errors = (git.GitCommandError, git.InvalidGitRepositoryError, git.NoSuchPathError)
        env = {k: v for k, v in os.environ.items() if k not in _LEAKY_GIT_ENV}
        # git's messages in English (they are matched), as GitPython runs it.
        self._env = {**env, "LANGUAGE": "C", "LC_ALL": "C"}
        try:
            self.repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{path}: not inside a git repository") from None
        work_tree = self.repo.working_tree_dir
        if self.repo.bare or work_tree is None:
            raise GitError(f"{path}: is a bare git repository")
        self.repo.git.update_environment(**env)
        for key in _LEAKY_GIT_ENV:
            self.repo.git.update_environment(**{key: None})
        self.root = Path(work_tree).resolve()

    def run(self, *args: str) -> str:
        """Run git; its output without the last newline. A failure is a GitError in
        git's own words. On Ctrl-C (or any exception while it runs) git is let finish
        or die before this returns: a commit landing after the rollback has begun
        would survive it."""
        try:
            proc = subprocess.Popen(
                ["git", *args],
                cwd=self.repo.working_tree_dir,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise GitError(f"git {args[0]}: {exc.strerror}") from None
        try:
            out, err = proc.communicate()
        except BaseException:
            _stop(proc)
            raise
        stdout = out.decode("utf-8", "surrogateescape")
        if proc.returncode:
            stderr = err.decode("utf-8", "surrogateescape")
            words = _first_line(SimpleNamespace(stderr=stderr, status=proc.returncode))
            raise GitError(f"git {args[0]}: {words}")
        return stdout[:-1] if stdout.endswith("\n") else stdout

    # -- state -------------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        out = self.run("symbolic-ref", "--quiet", "--short", "HEAD") if not self._detached() else ""
        return out or None

    def _detached(self) -> bool:
        return self.repo.head.is_detached

    def head_commit(self) -> str | None:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # unborn branch: no commit yet
            return None

    def branch_exists(self, name: str) -> bool:
        return name in {h.name for h in self.repo.heads}

    def operation_in_progress(self) -> str | None:
        git_dir = Path(self.repo.git_dir)
        for marker, what in IN_PROGRESS_MARKERS.items():
            if (git_dir / marker).exists():
                return what
        return None

    def check_trusted(self) -> None:
        """Refuse, in git's words and with its remedy, a repository git itself will not
        work in: one another user owns ("dubious ownership", git 2.35.2 and later).
        Without this, the first git command fails in a way that names something else
        (``git diff`` even falls back to comparing files outside git)."""
        try:
            self.repo.git.execute(["git", "rev-parse", "--git-dir"])
        except self._git_errors as exc:
            line = _first_line(exc)
            if "dubious ownership" not in line:
                raise GitError(f"git rev-parse: {line}") from None
            raise GitError(
                f"{self.root}: git refuses to work in a repository another user owns "
                "(dubious ownership); if you trust it: "
                f"git config --global --add safe.directory {self.root}"
            ) from None

    def git_locks(self, branch: str | None = None) -> list[Path]:
        """git's own lock files that a change would need: a running git holds them,
        or a crashed one left them. Any of them would make a step, or the rollback,
        fail halfway, so a writer refuses before it starts."""
        git_dir = Path(self.repo.git_dir)
        common = Path(self.repo.common_dir)
        candidates = [git_dir / "index.lock", git_dir / "HEAD.lock"]
        if branch:
            candidates.append(common / "refs" / "heads" / f"{branch}.lock")
        return [path for path in candidates if path.exists()]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold lpsync's lock on the repository (``lpsync.lock`` in its common git
        dir, so linked worktrees share it) for a whole writing command: two commands
        that switch branches and commit in one repo at once would mix their commits."""
        path = Path(self.repo.common_dir) / LOCK_NAME
        with _taking_in_turn(path.parent):
            fd = _take_lock(path)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
            yield
        finally:
            path.unlink(missing_ok=True)

    def staged_paths(self) -> list[str]:
        out = self.run("diff", "--cached", "--name-only", "--no-ext-diff", "-z")
        return [p for p in out.split("\0") if p]

    def path_status(self, path: Path) -> str:
        """Porcelain status of one path: '' when clean, '??' untracked, else the XY code."""
        rel = self.relative(path)
        out = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", rel)
        return out[:2].strip() if out else ""

    def ignored_by(self, path: Path) -> str | None:
        """The rule that makes git ignore ``path`` ("source:line:pattern"), or None.
        A tracked file is never ignored; a new one in an ignored folder is, and
        ``git add`` would refuse it."""
        rel = self.relative(path)
        status, out, err = self.repo.git.execute(
            ["git", "check-ignore", "--verbose", "--", rel],
            with_exceptions=False,
            with_extended_output=True,
        )
        if status == 1:
            return None
        if status != 0:
            words = _first_line(SimpleNamespace(stderr=err, status=status))
            raise GitError(f"git check-ignore: {words}")
        return str(out).partition("\t")[0]

    def unmerged_paths(self) -> list[str]:
        out = self.run("diff", "--name-only", "--diff-filter=U", "-z")
        return [p for p in out.split("\0") if p]

    def relative(self, path: Path) -> str:
        """The path git knows the file by: symlinked folders resolved, as git does not
        add a path beyond a symbolic link."""
        # The folders only: a symbolic link is a file of its own to git (move points
        # links anew and commits them), not the file it points at.
        path = Path(path)
        real = Path(os.path.realpath(path.parent)) / path.name
        if not real.is_relative_to(self.root):
            raise GitError(f"{path}: resolves outside the repository {self.root}")
        return real.relative_to(self.root).as_posix()

    # -- changes -----------------------------------------------------------------

    def switch(self, branch: str, create: bool = False) -> None:
        args = ["switch", "--quiet"]
        if create:
            args.append("--create")
        self.run(*args, branch)

    def detach_to(self, commit: str) -> None:
        self.run("switch", "--quiet", "--detach", commit)

    def return_to(self, branch: str | None, commit: str) -> None:
        """Put HEAD back on ``branch`` (None: detached at ``commit``), as a rollback does.
        When HEAD's tree already is ``commit``'s (a branch lpsync created and has not
        committed on), only HEAD moves: no checkout, so no index lock is needed, and a
        lock another git holds or left cannot keep HEAD on the wrong branch."""
        if self.run("rev-parse", "HEAD^{tree}") == self.run("rev-parse", f"{commit}^{{tree}}"):
            if branch:
                self.run("symbolic-ref", "HEAD", f"refs/heads/{branch}")
            else:
                self.run("update-ref", "--no-deref", "HEAD", commit)
        elif branch:
            self.switch(branch)
        else:
            self.detach_to(commit)

    def delete_branch(self, branch: str) -> None:
        self.run("branch", "--quiet", "-D", branch)

    def commit_paths(
        self, paths: Sequence[Path], message: str, *, signoff: bool = False, amend: bool = False
    ) -> str:
        """Commit exactly ``paths`` with git's porcelain (hooks, signing and sign-off
        apply); a path that no longer exists commits its removal (a ``git mv``'s old
        name). ``amend`` replaces HEAD, keeping its author. Returns the commit id."""
        rels = [self.relative(path) for path in paths]
        present = [rel for rel, path in zip(rels, paths, strict=True) if os.path.lexists(path)]
        options = ["--signoff"] if signoff else []
        if amend:
            options.append("--amend")
        with _message_file(message) as msg:
            if present:
                self.run("add", "--", *present)
            self.run("commit", "--quiet", *options, "--file", str(msg), "--", *rels)
        return self.run("rev-parse", "HEAD")

    def message(self, rev: str) -> str:
        """The full commit message of ``rev``, as stored."""
        return self.run("log", "-1", "--format=%B", rev, "--")

    def changed_paths(self, rev: str) -> list[str]:
        """The paths ``rev`` changes against its first parent (all of them for a root)."""
        out = self.run("diff-tree", "--root", "--no-commit-id", "--name-only", "-r", "-z", rev)
        return [p for p in out.split("\0") if p]

    def has_parent(self, rev: str) -> bool:
        return bool(self.run("rev-list", "--parents", "-n", "1", rev).split()[1:])

    def on_other_refs(self, rev: str, branch: str) -> bool:
        """Whether a branch other than ``branch``, or a remote-tracking one, contains
        ``rev``: the commit has landed, or someone else builds on it."""
        out = self.run(
            "for-each-ref", "--contains", rev, "--format=%(refname)", "refs/heads", "refs/remotes"
        )
        return any(ref and ref != f"refs/heads/{branch}" for ref in out.splitlines())

    def signed_off(self, message: str) -> bool:
        """Whether ``message`` already carries the committer's Signed-off-by."""
        ident = self.run("var", "GIT_COMMITTER_IDENT").rsplit(" ", 2)[0]
        return f"Signed-off-by: {ident}" in message.splitlines()

    def set_branch(self, branch: str, commit: str) -> None:
        """Point ``branch`` at ``commit`` without touching the index or the tree."""
        self.run("update-ref", f"refs/heads/{branch}", commit)

    def recover(self, seconds: float = 5.0) -> None:
        """Get ready to roll back after an interruption: the same Ctrl-C may have killed
        GitPython's long-lived helper processes, and a dying ``git commit`` may still
        hold the index lock for a moment (bounded wait; 0 after other failures, where
        a lock is not ours to wait for)."""
        import time

        self.repo.git.clear_cache()

        lock = Path(self.repo.git_dir) / "index.lock"
        deadline = time.monotonic() + seconds
        while lock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def unstage(self, *paths: Path) -> None:
        """Put the index entries of ``paths`` back as HEAD has them."""
        rels = [self.relative(path) for path in paths]
        # Read first (no lock needed): a path with nothing staged needs no index lock.
        if self.head_commit() is None:
            rels = [rel for rel in rels if self.run("ls-files", "--cached", "-z", "--", rel)]
        elif not self.run("diff", "--cached", "--name-only", "-z", "--", *rels):
            return
        if not rels:
            return
        if self.head_commit() is None:
            self.run("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *rels)
        else:
            self.run("reset", "--quiet", "--", *rels)


def repo_lock(path: Path) -> AbstractContextManager[None]:
    """lpsync's lock on the git repository at ``path``; outside git, nothing to lock."""
    try:
        repo = GitRepo(path)
    except GitError:
        return nullcontext()
    return repo.locked()


@contextmanager
def _taking_in_turn(git_dir: Path) -> Iterator[None]:
    """Let one lpsync at a time judge and take the lock: two that both found a stale
    one would otherwise each delete the other's fresh lock and both go on. The flock on
    the git directory is held for microseconds and freed by the kernel on any exit."""
    try:
        dir_fd = os.open(git_dir, os.O_RDONLY)
    except OSError as exc:
        raise GitError(f"{git_dir}: cannot take lpsync's lock: {exc.strerror}") from None
    try:
        fcntl.flock(dir_fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(dir_fd)


def _take_lock(path: Path) -> int:
    for _ in range(2):
        try:
            return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _lock_owner(path)
            if pid is None or _alive(pid):
                owner = f" (pid {pid})" if pid else ""
                raise GitError(
                    f"{path}: another lpsync command{owner} is changing this repository; "
                    "wait for it to finish, or delete the file if none is running"
                ) from None
            path.unlink(missing_ok=True)  # its process is gone: a stale lock
        except OSError as exc:
            raise GitError(f"{path}: cannot take lpsync's lock: {exc.strerror}") from None
    raise GitError(f"{path}: cannot take lpsync's lock")


def _lock_owner(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


@contextmanager
def _message_file(message: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="lpsync-msg-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(message)
        yield Path(name)
    finally:
        os.unlink(name)
