"""What audit reports and works on: the finding codes, a finding, an error, the
result, and a spec as read (with the helpers that add findings to it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import backlink, specdoc
from lpsync.errors import EXIT_DRIFT, EXIT_FAILED, EXIT_OK
from lpsync.names import BlueprintRef

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint


# code -> (field, what it means). Codes are stable: CI suppressions key on them.
CODES: dict[str, tuple[str, str]] = {
    "LPS101": ("url", "no blueprint link"),
    "LPS102": ("url", "malformed blueprint link"),
    "LPS103": ("url", "link names another blueprint than the file name"),
    "LPS104": ("file", "the spec is a symlink to nothing (broken symlink)"),
    "LPS105": ("file", "the spec is a symlink that leads outside the repository"),
    "LPS201": ("blueprint", "linked blueprint does not exist"),
    "LPS301": ("title", "title differs from the blueprint's"),
    "LPS401": ("assignee", "assignee does not name the blueprint's assignee"),
    "LPS402": ("assignee", "assignee is an email that cannot be matched"),
    "LPS501": ("milestone", "milestone differs from the blueprint's"),
    "LPS601": ("status", "under implemented/ but the blueprint is not Implemented"),
    "LPS602": ("status", "blueprint is Implemented but the spec is not under implemented/"),
    "LPS603": ("status", "under approved/ but the blueprint is Obsolete or Superseded"),
    "LPS604": ("status", "under abandoned/ but the blueprint is not Obsolete or Superseded"),
    "LPS701": ("spec_url", "the blueprint has no specification URL"),
    "LPS702": ("spec_url", "the blueprint's specification URL points elsewhere"),
}


# Findings that --fix rewrites; the others need a human (rename, move, decide).
FIXABLE = frozenset({"LPS102", "LPS301", "LPS401", "LPS501"})


IMPLEMENTED = "Implemented"


DEAD = frozenset({"Obsolete", "Superseded"})


# Progress: (stage, done, total), called from the calling thread only.
Progress = Callable[[str, int, int], None]


READING = "reading specs"


ASKING = "asking Launchpad"


PEOPLE = "looking up people"


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the repo root, POSIX separators
    line: int
    code: str
    field: str
    blueprint: str | None  # "project/name"
    expected: str | None  # Launchpad's value
    actual: str | None  # the spec's value
    message: str


@dataclass(frozen=True)
class AuditError:
    path: str
    message: str
    fixing: bool = False  # the spec was checked; its --fix could not be made or written
    line: int | None = None  # where the file stops being readable, when known


@dataclass
class AuditResult:
    checked: int
    findings: list[Finding] = field(default_factory=list)
    errors: list[AuditError] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)  # paths rewritten by --fix
    unfixed: list[str] = field(default_factory=list)  # "path: why" for what --fix could not
    warnings: list[str] = field(default_factory=list)  # one line each: a --fix title too long
    command: str = "audit"  # lint reports in the same shape
    backlinks: list[backlink.BackLink] = field(default_factory=list)  # with spec_url set

    @property
    def exit_code(self) -> int:
        """3 if any spec could not be checked, else 1 if anything drifted, else 0.

        Findings that --fix rewrote still count: the tree changed, so CI must not
        read the run as clean (as pre-commit does for hooks that modify files)."""
        if self.errors:
            return EXIT_FAILED
        return EXIT_DRIFT if self.findings else EXIT_OK


@dataclass
class _Spec:
    path: Path  # absolute, as found (may be a symlink)
    rel: str
    text: str
    fields: specdoc.SpecFields
    audited: bool = True  # False for same-named copies read only to rank releases
    link: specdoc.LinkedBlueprint | None = None  # the primary link
    ref: BlueprintRef | None = None  # what the primary link is looked up as
    blueprint: Blueprint | None = None
    assignee_name: str | None = None  # the assignee's display name, if fetched
    # The blueprints the repo's templates link (their instruction examples): in a spec
    # they are no reference to look up.
    template_links: frozenset[Key] = frozenset()
    findings: list[Finding] = field(default_factory=list)
    fix: set[str] = field(default_factory=set)


LinkedSpec = _Spec  # a spec as read, with its primary link's blueprint (move, status)


Key = tuple[str, str]  # (project as linked, lowercased; blueprint name)


def _add(
    spec: _Spec,
    line: int,
    code: str,
    blueprint: str | None,
    expected: str | None,
    actual: str | None,
    message: str,
) -> None:
    spec.findings.append(
        Finding(spec.rel, line, code, CODES[code][0], blueprint, expected, actual, message)
    )
    if code in FIXABLE:
        spec.fix.add(code)


def _label(blueprint: Blueprint) -> str:
    return f"{blueprint.project}/{blueprint.name}"


def _fallback_line(spec: _Spec) -> int:
    return spec.fields.title.line if spec.fields.title else 1
