"""Templates: the one a spec is held to or made from, found in the repo or packaged.

One finder for every command: ``lint`` holds a spec to ``spec_template`` (the repo's
own templates only), ``pull`` and ``audit --fix`` scaffold from ``find_template``
(the same search, then the newest template, then the packaged one). A release may
have its own template (nova: ``specs/<release>-template.rst``; neutron:
``specs/<release>/template.rst``), and the config key ``template`` may name one per
release with ``{series}``.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

from lpsync.errors import SpecError
from lpsync.releases import series_key, spellings
from lpsync.specdoc.fields import scan_links
from lpsync.specdoc.files import _is_template_name

SERIES_FIELD = "{series}"


def default_template() -> str:
    return (
        resources.files("lpsync")
        .joinpath("templates/spec-template.rst")
        .read_text(encoding="utf-8")
    )


_NUMBERED_RELEASE_RE = re.compile(r"(\d{4})\.(\d+)")


def release_templates(
    repo_root: Path, specs_dir: str, configured: str | None, series: str | None
) -> Iterator[Path]:
    """Where the template of release ``series`` may be, best first (they need not
    exist): the configured pattern with ``{series}`` filled in, then
    ``<specs>/<series>-template.rst`` and ``<specs>/<series>/template.rst``; each with
    every spelling of the release (``2023.1``, ``antelope``), the one given first."""
    root = Path(repo_root)
    specs = root / specs_dir
    names = spellings(series) if series else []
    if configured and SERIES_FIELD in configured:
        for name in names:
            yield root / configured.replace(SERIES_FIELD, name)
    elif configured:
        return
    for name in names:
        yield specs / f"{name}-template.rst"
        yield specs / name / "template.rst"


def spec_template(
    repo_root: Path,
    specs_dir: str = "specs",
    configured: str | None = None,
    series: str | None = None,
    *,
    plain: bool = True,
) -> Path | None:
    """The repo's template for a spec of release ``series``: the configured one (a
    path relative to the repo root; SpecError if it names one file and that is
    missing), else the release's own (``release_templates``), else (``plain``)
    ``<specs>/template.rst``. None when the repo has none of these: lint never holds
    a spec to another release's template nor to the packaged one."""
    root = Path(repo_root)
    if configured and SERIES_FIELD not in configured:
        path = root / configured
        if not path.is_file():
            raise SpecError(path, "configured template does not exist")
        return path
    for path in release_templates(root, specs_dir, configured, series):
        if path.is_file():
            return path
    fallback = root / specs_dir / "template.rst"
    return fallback if plain and fallback.is_file() else None


def find_template(
    repo_root: Path,
    specs_dir: str = "specs",
    configured: str | None = None,
    series: str | None = None,
) -> Path | None:
    """The template a new spec of release ``series`` is made from; None means use
    ``default_template()``.

    ``spec_template`` first (for a ``{series}`` pattern without ``specs/template.rst``);
    then, for a ``{series}`` pattern, the newest release's file matching it (SpecError
    when there is none); unconfigured, the newest ``<specs>/*template*.rst``: numbered
    releases (``2026.2-template.rst``) by number, newest first, ahead of any other
    name; among the rest the most recently modified, then the name."""
    root = Path(repo_root)
    per_release = bool(configured and SERIES_FIELD in configured)
    own = spec_template(root, specs_dir, configured, series, plain=not per_release)
    if own is not None:
        return own
    if configured:
        return _newest_release_file(root, configured)
    specs = root / specs_dir
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


def missing_release_template(
    repo_root: Path, specs_dir: str, configured: str | None, series: str | None
) -> str | None:
    """The template release ``series`` lacks (its path from the repo root) when the repo
    keeps one per release, as nova does: its gate opens ``specs/<release>-template.rst``
    for every release folder. None when the release has one, or the repo keeps one
    template for all (oslo)."""
    if not series:
        return None
    root = Path(repo_root)
    if any(path.is_file() for path in release_templates(root, specs_dir, configured, series)):
        return None
    if configured:
        return configured.replace(SERIES_FIELD, series) if SERIES_FIELD in configured else None
    specs = root / specs_dir
    if any(series_key(p.name[: -len("-template.rst")]) for p in specs.glob("*-template.rst")):
        return f"{specs_dir}/{series}-template.rst"
    if any(series_key(p.parent.name) for p in specs.glob("*/template.rst")):
        return f"{specs_dir}/{series}/template.rst"
    return None


def _newest_release_file(root: Path, configured: str) -> Path:
    """The file matching the ``{series}`` pattern whose series is the newest release."""
    before, _, after = configured.partition(SERIES_FIELD)
    pattern = glob.escape(before) + "*" + glob.escape(after).replace(SERIES_FIELD, "*")
    ranked = []
    for match in root.glob(pattern):
        rel = match.relative_to(root).as_posix()
        series = rel[len(before) : len(rel) - len(after)] if after else rel[len(before) :]
        key = series_key(series) if "/" not in series else None
        if key is not None and match.is_file():
            ranked.append((key, match))
    if not ranked:
        raise SpecError(root / configured, "configured template does not exist for any release")
    return max(ranked)[1]


def load_template(
    repo_root: Path,
    specs_dir: str = "specs",
    configured: str | None = None,
    series: str | None = None,
) -> str:
    """The text of the template for release ``series`` (see ``find_template``), else
    the packaged one, with its newlines as stored."""
    path = find_template(repo_root, specs_dir, configured, series)
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


def release_of(path: Path, specs_root: Path) -> str | None:
    """The release folder a spec sits in: the first of its folders that names one."""
    try:
        parts = path.relative_to(specs_root).parts[:-1]
    except ValueError:
        return None
    return next((p for p in parts if series_key(p) is not None), None)


def templates_by_release(
    repo_root: Path, specs_dir: str = "specs", configured: str | None = None
) -> Callable[[Path], str]:
    """``load_template`` for the release of each spec path given (``release_of``), read
    once per release: what ``pull`` uses for that spec, so ``audit --fix`` agrees with
    it byte for byte (nova's templates differ between releases)."""
    root = Path(repo_root)
    specs_root = root / specs_dir
    texts: dict[str | None, str] = {}

    def template_for(path: Path) -> str:
        series = release_of(path, specs_root)
        if series not in texts:
            texts[series] = load_template(root, specs_dir, configured, series)
        return texts[series]

    return template_for


def template_links(
    repo_root: Path, specs_dir: str = "specs", configured: str | None = None
) -> frozenset[tuple[str, str]]:
    """The blueprints (project lowercased, name) that the repo's templates link: their
    placeholder and the examples of their instructions (nova: "a URL of
    .../+spec/awesome-thing should be named awesome-thing.rst", kept in every new spec).
    In a spec, such a link is the template's, not a reference to check. Every template
    a spec may come from counts: ``<specs>/*template*.rst``, ``<specs>/*/template.rst``,
    the configured one (any release) and the packaged one."""
    root = Path(repo_root)
    specs = root / specs_dir
    paths = [p for p in specs.glob("*template*.rst") if _is_template_name(p.name)]
    paths += specs.glob("*/template.rst")
    if configured:
        paths += root.glob(glob.escape(configured).replace(glob.escape(SERIES_FIELD), "*"))
    texts = [default_template()]
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # not this finder's business: pull and lint report a bad template
    return frozenset(
        (link.ref.project.lower(), link.ref.name)
        for text in texts
        for link in scan_links(text)
        if link.ref.project
    )
