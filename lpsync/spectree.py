"""Where spec files are read from: the working tree, or a branch that is not checked out.

``pull`` computes its change against the branch it will commit on; reading that
branch through git objects means a no-op pull never switches branches at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from lpsync.errors import SpecError
from lpsync.gitrepo import GitRepo
from lpsync.specdoc import decode_spec

SYMLINK_MODE = 0o120000


class SpecTree(Protocol):
    root: Path

    def files(self, specs_dir: str) -> Iterator[Path]:
        """Regular ``.rst`` files below specs_dir (symlinks are not followed)."""

    def read(self, path: Path) -> str | None:
        """The file's text with its newlines as stored, or None when absent."""


def walk_rst(top: Path) -> Iterator[Path]:
    """``.rst`` files below ``top`` (symlinks included, not followed into), sorted,
    skipping hidden files and folders."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".rst") and not name.startswith("."):
                yield Path(dirpath, name)


class WorkTree:
    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self, specs_dir: str) -> Iterator[Path]:
        return (p for p in walk_rst(self.root / specs_dir) if not p.is_symlink())

    def read(self, path: Path) -> str | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SpecError(path, f"cannot read: {exc.strerror}") from None
        return decode_spec(data, path)


class RevTree:
    """The tree of a git revision, listed in one ``git ls-tree -r`` and read blob by
    blob through GitPython's ``cat-file --batch`` process: walking tree objects path
    by path costs a scan of a folder's entries per file, quadratic in a large repo."""

    def __init__(self, root: Path, git: GitRepo, rev: str) -> None:
        self.root = root
        self._odb = git.repo.odb
        self._blobs: dict[str, tuple[str, str]] = {}  # path -> (mode, sha)
        out = git.run("ls-tree", "-r", "-z", "--full-tree", rev)
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, kind, sha = meta.split(" ")
            if kind == "blob":
                self._blobs[path] = (mode, sha)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def files(self, specs_dir: str) -> Iterator[Path]:
        prefix = specs_dir.strip("/") + "/"
        for path in sorted(self._blobs):
            mode, _ = self._blobs[path]
            if path.startswith(prefix) and path.endswith(".rst") and int(mode, 8) != SYMLINK_MODE:
                yield self.root / path

    def read(self, path: Path) -> str | None:
        entry = self._blobs.get(self._rel(path))
        if entry is None:
            return None
        return decode_spec(self._odb.stream(bytes.fromhex(entry[1])).read(), path)
