"""Templates: the one a new spec is made from, found in the repo or packaged."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

from lpsync.errors import SpecError
from lpsync.specdoc.files import _is_template_name


def default_template() -> str:
    return (
        resources.files("lpsync")
        .joinpath("templates/spec-template.rst")
        .read_text(encoding="utf-8")
    )


_NUMBERED_RELEASE_RE = re.compile(r"(\d{4})\.(\d+)")


def find_template(
    repo_root: Path, specs_dir: str = "specs", configured: str | None = None
) -> Path | None:
    """The template a new spec is made from; None means use ``default_template()``.

    Order: the configured path (relative to the repo root; SpecError if missing), then
    ``<specs>/template.rst``, then the newest ``<specs>/*template*.rst``: numbered
    releases (``2026.2-template.rst``) by number, newest first, ahead of any other
    name; among the rest the most recently modified, then the name."""
    root = Path(repo_root)
    if configured:
        path = root / configured
        if not path.is_file():
            raise SpecError(path, "configured template does not exist")
        return path
    specs = root / specs_dir
    plain = specs / "template.rst"
    if plain.is_file():
        return plain
    if not specs.is_dir():
        return None
    found = [p for p in specs.glob("*template*.rst") if p.is_file() and _is_template_name(p.name)]
    if not found:
        return None

    def key(p: Path) -> tuple:
        m = _NUMBERED_RELEASE_RE.match(p.name)
        numbered = (1, int(m.group(1)), int(m.group(2))) if m else (0, 0, 0)
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        return (*numbered, mtime, p.name)

    return max(found, key=key)


def load_template(repo_root: Path, specs_dir: str = "specs", configured: str | None = None) -> str:
    """The text of the repo's template (see ``find_template``), else the packaged one,
    with its newlines as stored."""
    path = find_template(repo_root, specs_dir, configured)
    if path is None:
        return default_template()
    # Like a spec, a template must be the repo's own file: through a symlink (or a
    # symlinked folder) it could copy any file of the machine into a commit.
    if not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(repo_root)):
        raise SpecError(path, "template resolves outside the repository (a symbolic link)")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise SpecError(path, f"template is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SpecError(path, f"cannot read template: {exc.strerror or exc}") from None
