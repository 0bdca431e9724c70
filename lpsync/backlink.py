"""The blueprint's link back to its spec: the ``spec_url`` config key, audit's LPS701
and LPS702, and what ``lpsync push`` would write.

``spec_url`` is where a spec is published, with placeholders (``PLACEHOLDERS``). A
blueprint's ``specification_url`` is in step when it names the page of the spec that
links the blueprint, compared as ``same_url`` does. A Gerrit review URL is accepted
while the spec is not merged yet; lpsync calls a spec merged once its file is on the
branch the repository publishes from (``published_paths``). After that the review
link is stale: LPS702, and ``push`` replaces it with the published page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from lpsync.errors import GitError

if TYPE_CHECKING:
    from lpsync.gitrepo import GitRepo

# placeholder -> what it stands for (README and the config error list them).
PLACEHOLDERS = {
    "path": "the spec's path under the docs root, .rst replaced by .html",
    "specs_path": "the spec's path under specs_dir, .rst replaced by .html",
    "name": "the blueprint's name",
    "project": "the blueprint's project",
}
# One of these makes each spec's URL its own.
PER_SPEC = ("path", "specs_path", "name")

MISSING = "LPS701"
ELSEWHERE = "LPS702"

# OpenDev's Gerrit (and its old name): /c/<repo>/+/N, the old /#/c/N and the short /N.
_REVIEW = re.compile(
    r"^https?://review\.(?:opendev|openstack)\.org/"
    r"(?:c/[^?#]+?/\+/|#/c/|)(?P<number>\d+)(?:[/?#].*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SpecLink:
    """A spec that speaks for its blueprint (audit's rule), as audit found it."""

    path: str  # relative to the repo root, POSIX
    line: int  # of the blueprint link
    project: str
    name: str
    current: str | None  # the blueprint's specification_url
    linked: str | None = None  # the project as the spec's link names it (a group, say)


@dataclass(frozen=True)
class BackLink:
    path: str
    line: int
    project: str
    name: str
    current: str | None
    expected: str
    code: str | None  # None when in step (or a review of the unmerged spec)
    message: str
    review: bool = False  # in step as a review link of a spec that is not merged
    linked: tuple[str, ...] = ()  # the projects its specs' links name (oslo for a member)

    @property
    def blueprint(self) -> str:
        return f"{self.project}/{self.name}"


def spec_page(template: str, path: str, specs_dir: str, project: str, name: str) -> str:
    """The published URL of the spec at ``path`` (relative to the repo root).

    OpenStack spec repos publish ``doc/source``, where ``specs`` links to
    ``../../specs``, so a spec's path under the docs root is its path in the repo."""
    html = PurePosixPath(path).with_suffix(".html")
    under_specs = html.relative_to(PurePosixPath(specs_dir)) if specs_dir != "." else html
    return template.format(
        path=quote(html.as_posix()),
        specs_path=quote(under_specs.as_posix()),
        name=name,
        project=project,
    )


def same_url(a: str | None, b: str | None) -> bool:
    """Whether two URLs name the same page: scheme (http is https) and host case
    aside, a fragment and surrounding whitespace ignored."""
    if not a or not b:
        return False
    return _normal(a) == _normal(b)


def _normal(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url.strip())
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    return scheme, parts.netloc.lower(), parts.path or "/", parts.query


def is_review_url(url: str | None) -> bool:
    return bool(url and _REVIEW.match(url.strip()))


def check(
    template: str,
    specs_dir: str,
    specs: Sequence[SpecLink],
    merged: Callable[[str], bool],
) -> list[BackLink]:
    """One BackLink per blueprint, from the first of its specs by path; a URL of any
    of the specs that speak for it (ties) counts as in step. ``merged(path)`` is asked only about
    specs whose blueprint points at a review."""
    by_blueprint: dict[tuple[str, str], list[SpecLink]] = {}
    for spec in sorted(specs, key=lambda s: (s.path, s.line)):
        by_blueprint.setdefault((spec.project, spec.name), []).append(spec)
    result = []
    for (project, name), copies in sorted(by_blueprint.items()):
        first = copies[0]
        label = f"{project}/{name}"
        pages = [spec_page(template, c.path, specs_dir, project, name) for c in copies]
        expected = pages[0]
        current = first.current
        code: str | None = None
        review = False
        message = f"{label} points at its spec"
        if not current or not current.strip():
            code = MISSING
            message = f"{label} has no specification URL; its spec is published at {expected}"
        elif any(same_url(current, page) for page in pages):
            pass
        elif is_review_url(current):
            if merged(first.path):
                code = ELSEWHERE
                message = (
                    f"{label}'s specification URL is the review {current.strip()}, "
                    f"but the spec is merged and published at {expected}"
                )
            else:
                review = True
                message = f"{label} points at a review of its unmerged spec"
        else:
            code = ELSEWHERE
            message = (
                f"{label}'s specification URL is {current.strip()}, not its spec's page {expected}"
            )
        result.append(
            BackLink(
                first.path,
                first.line,
                project,
                name,
                current,
                expected,
                code,
                message,
                review,
                tuple(sorted({c.linked for c in copies if c.linked and c.linked != project})),
            )
        )
    return result


def published_paths(root: Path) -> Callable[[str], bool]:
    """``merged(path)``: whether the file is on the branch the repo publishes from:
    ``_published_ref``. Outside git everything is merged.
    Reads the tree once, on the first question."""
    known: dict[str, set[str] | None] = {}

    def merged(path: str) -> bool:
        if "tree" not in known:
            known["tree"] = _tree_of_published_branch(root)
        tree = known["tree"]
        return tree is None or path in tree

    return merged


def _published_ref(git: GitRepo) -> str:
    """The ref whose tree is merged: the current branch's upstream, else origin/HEAD,
    when the current branch is another one (a review branch); HEAD when it is that
    branch itself (a CI checkout of master, whose remote refs may lag) or detached."""

    def short(*args: str) -> str | None:
        try:
            return git.run(*args).strip() or None
        except GitError:
            return None

    branch = short("symbolic-ref", "--quiet", "--short", "HEAD")
    published = short("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    published = published or short("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if branch is None or published is None or published.split("/", 1)[-1] == branch:
        return "HEAD"
    return published


def _tree_of_published_branch(root: Path) -> set[str] | None:
    from lpsync.gitrepo import GitRepo

    try:
        git = GitRepo(root)
    except GitError:
        return None
    prefix = PurePosixPath(root.resolve().relative_to(git.root).as_posix())
    ref = _published_ref(git)
    try:
        out = git.run("ls-tree", "-r", "--name-only", "-z", "--full-tree", ref)
    except GitError:  # an unborn branch: nothing is published yet
        return set()
    # ls-tree names files from the top level; audit's paths are from ``root``.
    names = (PurePosixPath(n) for n in out.split("\0") if n)
    return {n.relative_to(prefix).as_posix() for n in names if n.is_relative_to(prefix)}
