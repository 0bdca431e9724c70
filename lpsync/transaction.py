"""The one git transaction every writing command (pull, move) goes through.

Check the repository's state, hold lpsync's lock, get onto the branch, change files,
commit through ``git commit`` (hooks, signing, sign-off), and on any failure (Ctrl-C
too) put the files, the index, ``HEAD`` and the branches back as they were. The
commands decide *what* to change; this module owns *how* it is changed and undone.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from lpsync.errors import GitError, LpsyncError
from lpsync.fileio import write_atomic
from lpsync.gitrepo import GitRepo

T = TypeVar("T")


def guarded(
    git: GitRepo | None, branch: str, *, check_state: bool, lock: bool = True
) -> AbstractContextManager[None]:
    """lpsync's lock for the whole command and, for a command that will commit,
    the refusals (git's locks, an operation in progress, conflicts, staged changes).
    Without ``lock`` (a dry run, which writes nothing) only the refusals."""
    if git is None:
        return nullcontext()
    if not lock:
        if check_state:
            refuse_repo_state(git, branch)
        return nullcontext()
    return _guarded(git, branch, check_state)


@contextmanager
def _guarded(git: GitRepo, branch: str, check_state: bool) -> Iterator[None]:
    with git.locked():  # a parallel writer must not switch branches under us
        if check_state:
            refuse_repo_state(git, branch)
        yield


def refuse_repo_state(git: GitRepo, branch: str) -> None:
    git.check_trusted()
    locks = git.git_locks(branch)
    if locks:
        raise GitError(
            f"{locks[0]}: git's lock file exists: another git command is running, "
            "or one crashed (then delete the file)"
        )
    operation = git.operation_in_progress()
    if operation:
        raise GitError(f"{git.root}: {operation} is in progress; finish or abort it first")
    unmerged = git.unmerged_paths()
    if unmerged:
        raise GitError(f"{unmerged[0]}: unmerged path; resolve the conflict first")
    staged = git.staged_paths()
    if staged:
        raise GitError(
            f"the index holds staged changes ({staged[0]}"
            f"{f' and {len(staged) - 1} more' if len(staged) > 1 else ''}); "
            "commit or unstage them first"
        )


def refuse_ignored(git: GitRepo, path: Path) -> None:
    """A new file in a folder git ignores: ``git add`` would refuse it after the
    write, with a message that names neither the file nor the rule."""
    rule = git.ignored_by(path)
    if rule:
        raise GitError(
            f"{git.relative(path)}: ignored by git ({rule}), so it cannot be committed; "
            "change that rule, or use --no-commit"
        )


def refuse_dirty(git: GitRepo, path: Path, *, hint: str = " (or use --no-commit)") -> None:
    """A file the command will change must be as committed: its commit would carry
    the author's uncommitted edits, and a rollback would lose them."""
    status = git.path_status(path)
    if status == "??":
        raise GitError(f"{git.relative(path)}: untracked file in the way; commit or move it first")
    if status:
        raise GitError(
            f"{git.relative(path)}: has uncommitted changes; commit or stash them first{hint}"
        )


@dataclass(frozen=True)
class WriteOptions:
    """What a writing command (pull, move) was asked to do with git."""

    release: str | None = None
    branch: str | None = None
    commit: bool = True
    dry_run: bool = False
    signoff: bool | None = None  # None: as the config says


class Transaction:
    """The changes of one command, each recorded with how to undo it.

    Use through ``run``: it rolls everything back when the body raises."""

    def __init__(self, git: GitRepo, branch: str, on_branch: bool) -> None:
        self.git = git
        self.branch = branch
        self.on_branch = on_branch  # already on it: nothing to switch or create
        self.start_branch = git.current_branch()
        self.start_commit = git.head_commit()
        self.created_branch = False
        self.tip: str | None = None  # the branch's commit before ours (to restore)
        self.current: str | None = None  # the path being changed, for error messages
        # Per change, the steps that undo it in their order; changes undo last first.
        self._undo: list[list[tuple[str, Callable[[], object]]]] = []

    # -- steps -------------------------------------------------------------------

    def switch(self) -> str | None:
        """Get onto the branch, creating it from HEAD; returns what was done."""
        if self.on_branch:
            return None
        self.created_branch = not self.git.branch_exists(self.branch)
        self.git.switch(self.branch, create=self.created_branch)
        return f"{'created' if self.created_branch else 'switched to'} {self.branch}"

    def write(self, path: Path, old: str | None, new: str) -> None:
        """Write ``new`` over ``old`` (None: a new file) and stage nothing yet."""
        rel = path.relative_to(self.git.root).as_posix()
        self.current = rel
        undo: list[tuple[str, Callable[[], object]]] = [
            (f"the index entry of {rel}", lambda: self.git.unstage(path))
        ]
        if old is None:
            undo.append((f"the removal of {rel}", lambda: path.unlink(missing_ok=True)))
        else:
            undo.append((f"the text of {rel}", lambda: write_atomic(path, old)))
        created_dirs = _missing_dirs(path.parent, self.git.root)
        undo.extend(("", functools.partial(Path.rmdir, d)) for d in created_dirs)
        self._undo.append(undo)
        write_atomic(path, new)

    def relink(self, path: Path, old: str, new: str) -> None:
        """Point the symbolic link ``path`` at ``new`` (it points at ``old``)."""
        rel = path.relative_to(self.git.root).as_posix()
        self.current = rel
        self._undo.append(
            [
                (f"the index entry of {rel}", lambda: self.git.unstage(path)),
                (f"the link {rel} to {old}", lambda: _symlink_atomic(path, old)),
            ]
        )
        _symlink_atomic(path, new)

    def move(self, source: Path, target: Path) -> None:
        """``git mv``: the file renamed in the work tree and the index, byte for byte."""
        root = self.git.root
        src, dst = source.relative_to(root).as_posix(), target.relative_to(root).as_posix()
        self.current = src
        created_dirs = _missing_dirs(target.parent, root)
        undo: list[tuple[str, Callable[[], object]]] = [
            (f"{src} (moved to {dst})", functools.partial(self._move_back, source, target))
        ]
        undo.extend(("", functools.partial(Path.rmdir, d)) for d in created_dirs)
        self._undo.append(undo)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.git.run("mv", "--", src, dst)

    def _move_back(self, source: Path, target: Path) -> None:
        if os.path.lexists(target) and not os.path.lexists(source):
            os.replace(target, source)
        self.git.unstage(source, target)

    def commit(
        self, paths: Sequence[Path], message: str, *, signoff: bool, amend: bool = False
    ) -> str:
        """Commit exactly ``paths`` (a moved file under both names) on the branch."""
        self.current = None
        # The branch's commit before ours, on a branch just created too: a Ctrl-C as
        # git finishes leaves our commit on it, and the index must be put back to the
        # commit before it, not to ours, before the files move back.
        self.tip = self.git.head_commit()
        if signoff and self.git.signed_off(message):
            signoff = False  # an amended commit carries this sign-off already
        return self.git.commit_paths(paths, message, signoff=signoff, amend=amend)

    # -- rollback ------------------------------------------------------------------

    def rollback(self, *, interrupted: bool = False) -> list[str]:
        """Undo, best effort and in reverse order; returns what could not be restored,
        so the error can say so instead of hiding it. Only after Ctrl-C is a dying git's
        index lock waited for: after other failures a lock is not ours to wait for."""
        git = self.git
        recover = functools.partial(git.recover, 5.0 if interrupted else 0.0)
        steps: list[tuple[str, Callable[[], object]]] = [("", recover)]
        tip, branch = self.tip, self.branch
        if tip is not None:  # first, so the unstaging below resets to the old commit

            def back_to_tip() -> None:
                if git.run("rev-parse", "--verify", f"refs/heads/{branch}") != tip:
                    git.set_branch(branch, tip)  # our commit (or amend) landed

            steps.append((f"branch {branch} at {tip[:12]}", back_to_tip))
        for undo in reversed(self._undo):
            steps.extend(undo)
        if not self.on_branch:
            start_branch, start_commit = self.start_branch, self.start_commit
            if start_branch and start_commit is None:  # a repo with no commit yet
                back = functools.partial(
                    git.run, "symbolic-ref", "HEAD", f"refs/heads/{start_branch}"
                )
                steps.append((f"HEAD on {start_branch}", back))
            elif start_commit:
                where = (
                    f"HEAD on {start_branch}" if start_branch else f"HEAD at {start_commit[:12]}"
                )
                steps.append((where, lambda: git.return_to(start_branch, start_commit)))
        if self.created_branch:
            steps.append((f"the removal of branch {branch}", lambda: git.delete_branch(branch)))
        failed = []
        for what, step in steps:
            try:
                step()
            except (LpsyncError, OSError):
                if what:  # an empty folder left behind is no loss
                    failed.append(what)
        return failed


def run(git: GitRepo, branch: str, on_branch: bool, body: Callable[[Transaction], T]) -> T:
    """Run ``body`` as one transaction: any failure rolls back what it changed."""
    tx = Transaction(git, branch, on_branch)
    try:
        return body(tx)
    except BaseException as exc:  # Ctrl-C too: never leave a half-made commit behind
        failed = tx.rollback(interrupted=isinstance(exc, KeyboardInterrupt))
        if failed and isinstance(exc, KeyboardInterrupt):  # still 130, but say it
            raise KeyboardInterrupt(f"could not restore {', '.join(failed)}") from None
        if failed:
            raise GitError(f"{exc}; could not restore {', '.join(failed)}") from None
        if isinstance(exc, OSError):
            raise GitError(f"{tx.current or git.root}: {exc}") from None
        raise


def _missing_dirs(directory: Path, root: Path) -> list[Path]:
    """The folders a write will create, deepest first (the order to remove them in)."""
    missing = []
    while directory != root and not directory.exists():
        missing.append(directory)
        directory = directory.parent
    return missing


def _symlink_atomic(path: Path, target: str) -> None:
    """Make ``path`` a symbolic link to ``target``: a new link renamed over the old."""
    tmp = path.with_name(f".{path.name}.lpsync-tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
