"""Which spec speaks for a blueprint when several link it as their primary link.

cinder's ``group-snapshots.rst`` links ``generic-volume-group`` in its preamble, as
does ``generic-volume-group.rst``; nova copies a re-proposed spec into each new
release folder. One rule, for pull (which file it updates), audit (which file's fields
it checks) and ``audit --fix`` (which file it rewrites):

1. the specs named after the blueprint speak for it; when there are any, the others
   are checked for the link's existence only, like reference links;
2. with none named after it, all of them are candidates;
3. among the candidates, the copies in the newest release folder speak (ties: all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lpsync.releases import release_key, same_series
from lpsync.specdoc import stem_names


@dataclass(frozen=True)
class Linker:
    """A spec whose primary link names the blueprint, with the project as linked
    (for oslo's ``<project>-<name>.rst`` file names)."""

    path: Path
    project: str | None


@dataclass(frozen=True)
class Speakers:
    paths: list[Path]  # the specs that speak for the blueprint
    named: list[Path]  # the linkers named after it; when any, the others only link it

    def only_links(self, path: Path) -> bool:
        """Whether ``path`` is outranked by a spec named after the blueprint: its link
        is checked for existence only."""
        return bool(self.named) and path not in self.named


def speakers(
    linkers: Sequence[Linker], name: str, specs_root: Path, release: str | None = None
) -> Speakers:
    """The specs among ``linkers`` that speak for blueprint ``name``; ``release``
    prefers that release's copies (pull's ``--release``). ``linkers`` must not be empty."""
    named = [ln for ln in linkers if name in stem_names(ln.path, ln.project)]
    pool = [ln.path for ln in named or linkers]
    if release:
        # Either spelling of the release: --release antelope finds specs/2023.1/.
        pool = [
            p for p in pool if any(same_series(f, release) for f in _parts(p, specs_root)[:-1])
        ] or pool
    keys = {p: release_key(_parts(p, specs_root)) for p in pool}
    newest = max(keys.values())
    return Speakers([p for p in pool if keys[p] == newest], [ln.path for ln in named])


def _parts(path: Path, specs_root: Path) -> tuple[str, ...]:
    try:
        return path.relative_to(specs_root).parts
    except ValueError:
        return path.parts
