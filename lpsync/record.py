"""``lpsync record``: snapshot what a repo's specs need from Launchpad as stand-in data.

Record runs the audit itself (read-only, no ``--fix``) on a session and writes down what
that session answered: so the snapshot holds exactly what audit reads, it costs the
same bulk reads (plus one ``all_milestones`` page per project whose blueprints target a
milestone, for the milestone's series), and ``lpsync audit --service-root DIR`` against
it repeats the live audit line for line.

Only public blueprint fields lpsync reads are kept. Fields the stand-in requires but
lpsync never reads are filled with the name (project and unlooked-up people's display
names) or left at the stand-in's defaults.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpsync.audit import AuditResult, run_audit
from lpsync.config import Config
from lpsync.errors import LpsyncError, UsageError

if TYPE_CHECKING:
    from lpsync.launchpad import Answered, Blueprint, LaunchpadSession


@dataclass(frozen=True)
class RecordResult:
    output: Path
    counts: dict[str, int]  # file stem -> entries written
    audit: AuditResult


def check_output(output: Path) -> Path:
    """The output must be a new or an empty directory (checked before any request)."""
    path = Path(os.path.abspath(output))
    try:
        if path.exists() or path.is_symlink():
            if not path.is_dir() or path.is_symlink():
                raise UsageError(f"--output {output}: exists and is not a directory")
            if any(path.iterdir()):
                raise UsageError(f"--output {output}: not empty (record writes a new snapshot)")
        elif not path.parent.is_dir():
            raise UsageError(f"--output {output}: parent directory {path.parent} does not exist")
    except OSError as exc:  # a name too long, a folder that cannot be listed
        raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
    return path


def record(
    repo_root: Path,
    config: Config,
    launchpad: LaunchpadSession,
    output: Path,
    paths: Sequence[Path] = (),
) -> RecordResult:
    target = check_output(output)
    result = run_audit(repo_root, config, launchpad, paths)
    answered = launchpad.answered()
    milestone_projects = sorted(
        {b.project for b in _blueprints(answered) if b.milestone is not None}
    )
    series_of = {p: launchpad.milestone_series_all(p) for p in milestone_projects}
    files = snapshot(answered, series_of)
    _write_dir(target, {f"{stem}.json": _dump(entries) for stem, entries in files.items()})
    return RecordResult(target, {stem: len(v) for stem, v in files.items()}, result)


def _blueprints(answered: Answered) -> list[Blueprint]:
    found = {}
    for names in answered.blueprints.values():
        for blueprint in (names or {}).values():
            if blueprint is not None:
                found[(blueprint.project, blueprint.name)] = blueprint
    return [found[k] for k in sorted(found)]


def snapshot(
    answered: Answered, series_of: dict[str, dict[str, str | None]]
) -> dict[str, list[dict[str, Any]]]:
    """The stand-in's data files (stem -> entries), sorted, from what was answered."""
    blueprints = _blueprints(answered)
    groups = sorted(
        p for p, got in answered.blueprints.items() if got is not None and p in answered.groups
    )
    member_of: dict[str, str] = {}
    for group in groups:
        for blueprint in (answered.blueprints[group] or {}).values():
            if blueprint is not None:
                member_of[blueprint.project] = group
    projects = {p for p, got in answered.blueprints.items() if got is not None} - set(groups)
    projects |= {b.project for b in blueprints}

    people = {b.assignee for b in blueprints if b.assignee is not None}
    people |= {p for p, name in answered.people.items() if name is not None}
    people_entries = [
        {"name": p, "display_name": answered.people.get(p) or p} for p in sorted(people)
    ]

    milestones: list[dict[str, Any]] = []
    series: set[tuple[str, str]] = set()
    for project, name in sorted({(b.project, b.milestone) for b in blueprints if b.milestone}):
        known = series_of.get(project, {})
        if name not in known or known[name] is None:
            raise LpsyncError(
                f"milestone {project}/{name} is not in {project}'s all_milestones listing"
            )
        series.add((project, known[name]))  # type: ignore[arg-type]
        milestones.append({"project": project, "name": name, "series": known[name]})

    blueprint_entries = []
    for b in blueprints:
        entry: dict[str, Any] = {
            "project": b.project,
            "name": b.name,
            "title": b.title,
            "definition_status": b.definition_status,
            "implementation_status": b.implementation_status,
        }
        optional = {"assignee": b.assignee, "milestone": b.milestone}
        optional["specification_url"] = b.specification_url
        entry.update({k: v for k, v in optional.items() if v is not None})
        blueprint_entries.append(entry)

    return {
        "people": people_entries,
        "project_groups": [{"name": g, "display_name": g} for g in groups],
        "projects": [
            {
                "name": p,
                "display_name": p,
                **({"project_group": member_of[p]} if p in member_of else {}),
            }
            for p in sorted(projects)
        ],
        "series": [{"project": p, "name": s} for p, s in sorted(series)],
        "milestones": milestones,
        "blueprints": blueprint_entries,
    }


def _dump(entries: list[dict[str, Any]]) -> str:
    # Sorted keys, one stable layout, a final newline: snapshots diff well in git.
    return json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _write_dir(target: Path, files: dict[str, str]) -> None:
    """Write every file into a temp dir beside ``target``, then rename it into place
    (rename replaces an empty directory): readers see all of the snapshot or none."""
    tmp: Path | None = None
    try:
        # A short fixed prefix: a name near the file system's limit still fits.
        tmp = Path(tempfile.mkdtemp(prefix=".lpsync-record-", dir=target.parent))
        for name, text in files.items():
            with open(tmp / name, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        os.chmod(tmp, 0o777 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:  # Ctrl-C too: never leave a half-written snapshot
        if tmp is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp)
        if isinstance(exc, OSError):
            detail = exc.strerror or exc
            raise LpsyncError(f"{target}: cannot write the snapshot: {detail}") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
