"""``lpsync status SERIES``: what a PTL asks at a release's milestones.

Launchpad's own notion of "targeted to the series" is the series'
``valid_specifications`` collection (an accepted series goal, not Obsolete or
Superseded). Against it: how many blueprints are targeted, Approved and Implemented;
which specs in the series' approved folder wait for their blueprint's approval; which
Approved, targeted blueprints have no spec; which specs in the series folder belong to
a blueprint targeted elsewhere. A project group sums its member projects' same-named
series.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import audit, specdoc
from lpsync.config import load_config
from lpsync.errors import EXIT_DRIFT, EXIT_FAILED, EXIT_OK, NotFoundError, SpecError, UsageError
from lpsync.names import is_valid_name
from lpsync.releases import release_aliases
from lpsync.spectree import walk_rst

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession

APPROVED = "Approved"


@dataclass
class StatusResult:
    project: str
    series: str  # as Launchpad names it
    targeted: int = 0
    approved: int = 0
    implemented: int = 0
    needs_approval: list[str] = field(default_factory=list)  # spec paths
    without_spec: list[str] = field(default_factory=list)  # "project/name"
    not_targeted: list[str] = field(default_factory=list)  # spec paths
    folder: str | None = None  # the series folder, relative to the repo root
    errors: list[str] = field(default_factory=list)  # "path: why it could not be read"

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_FAILED
        lists = (self.needs_approval, self.without_spec, self.not_targeted)
        return EXIT_DRIFT if any(lists) else EXIT_OK

    def as_text(self) -> str:
        """A summary line, then each list that is not empty."""
        lines = [
            f"{self.project} {self.series}: {self.targeted} targeted, "
            f"{self.approved} approved, {self.implemented} implemented"
        ]
        sections = (
            ("specs whose blueprint needs approval", self.needs_approval),
            ("approved blueprints without a spec", self.without_spec),
            (f"specs not targeted to {self.series}", self.not_targeted),
        )
        for title, items in sections:
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "project": self.project,
            "series": self.series,
            "targeted": self.targeted,
            "approved": self.approved,
            "implemented": self.implemented,
            "needs_approval": self.needs_approval,
            "without_spec": self.without_spec,
            "not_targeted": self.not_targeted,
        }


def status(repo_dir: Path, series: str, launchpad: LaunchpadSession) -> StatusResult:
    """The series' counts and lists for the repo at ``repo_dir``."""
    if not is_valid_name(series):
        raise UsageError(f"series {series!r} is not a valid series name")
    root = Path(os.path.realpath(repo_dir))
    config = load_config(root)
    if config.project is None:
        raise UsageError(f"{root}: status needs the Launchpad project: set 'project' in the config")
    project = config.project
    specs_root = audit.spec_root(root, config)
    folder = next(
        (specs_root / n for n in release_aliases(series) if (specs_root / n).is_dir()), None
    )

    name, targeted = _targeted(launchpad, project, series)
    result = StatusResult(project, name, targeted=len(targeted))
    result.approved = sum(b.definition_status == APPROVED for b in targeted)
    result.implemented = sum(b.implementation_status == audit.IMPLEMENTED for b in targeted)
    keys = {(b.project, b.name) for b in targeted}

    linked_specs: list[audit.LinkedSpec] = []
    if folder is not None:
        result.folder = folder.relative_to(root).as_posix()
        linked = audit.read_linked_specs(root, config, launchpad, [folder])
        result.errors = [f"{e.path}: {e.message}" for e in linked.errors]
        linked_specs = [s for s in linked.specs if s.audited]
        has_approved = (folder / "approved").is_dir()
        for spec in linked_specs:
            blueprint = spec.blueprint
            if blueprint is None:
                continue  # no link, or no such blueprint: audit reports those
            if (blueprint.project, blueprint.name) not in keys:
                result.not_targeted.append(spec.rel)
            place = audit.place_of(audit.parts_under(spec.path, folder))
            in_approved = place == "approved" if has_approved else place is None
            if in_approved and blueprint.definition_status != APPROVED:
                result.needs_approval.append(spec.rel)
    wanted = [b for b in targeted if b.definition_status == APPROVED]
    covered = _with_spec(specs_root, project, wanted, linked_specs)
    result.without_spec = sorted(
        f"{b.project}/{b.name}" for b in wanted if (b.project, b.name) not in covered
    )
    return result


def _targeted(
    launchpad: LaunchpadSession, project: str, series: str
) -> tuple[str, list[Blueprint]]:
    """The series' name on Launchpad (codename or number) and its targeted blueprints,
    summed over the members of a project group."""
    kind = launchpad.pillar_kind(project)
    if kind is None:
        raise NotFoundError(f"project {project!r} does not exist {launchpad.place}")
    members = [project] if kind == "project" else launchpad.group_projects(project)
    found: str | None = None
    blueprints: list[Blueprint] = []
    for member in members:
        for name in release_aliases(series):
            got = launchpad.series_specifications(member, name)
            if got is not None:
                found = found or name
                blueprints += got
                break
    if found is None:
        names = " or ".join(release_aliases(series))
        raise UsageError(f"series {names} does not exist in {project} {launchpad.place}")
    return found, blueprints


def _with_spec(
    specs_root: Path,
    project: str,
    wanted: list[Blueprint],
    already_read: list[audit.LinkedSpec],
) -> set[tuple[str, str]]:
    """The wanted blueprints that have a spec anywhere in the repo, by its primary
    link or by its file name. Only files that spell a wanted name are parsed."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for b in wanted:
        by_name.setdefault(b.name, []).append((b.project, b.name))
    covered = {
        (s.blueprint.project, s.blueprint.name) for s in already_read if s.blueprint is not None
    }
    read = {s.path for s in already_read}
    for path in walk_rst(specs_root):
        if path in read or not specdoc.is_spec_file(path, specs_root):
            continue
        for name in specdoc.stem_names(path, project) & set(by_name):
            covered.update(by_name[name])
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if not any(name.encode() in data for name in by_name):
            continue  # cheap filter: a link must spell the name
        try:
            text, fields = specdoc.read_spec(path)
        except SpecError:
            continue  # unreadable: audit and lint say so
        link = specdoc.primary_link(path, text, fields)
        if link is not None:
            linked_project = (link.ref.project or project).lower()
            for key in by_name.get(link.ref.name, []):
                if linked_project in (key[0], project):
                    covered.add(key)
    return covered
