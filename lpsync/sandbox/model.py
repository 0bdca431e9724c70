"""The stand-in's data: people, projects, project groups, series, milestones, blueprints.

Loaded from a directory of JSON files (format: ``fixtures/launchpad/README.rst``) or built
in memory with the ``add_*`` methods. Every record passes the same checks either way, and
a bad record fails with one line naming the file (or ``add_*`` call) and the entry.
"""

from __future__ import annotations

import json
import threading
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lpsync.errors import UsageError
from lpsync.names import is_valid_name
from lpsync.sandbox import enums

DEFAULT_DATE = "2024-01-01T00:00:00+00:00"


class DataError(UsageError):
    """A stand-in data file (or in-memory record) that cannot be used."""


@dataclass
class Person:
    name: str
    display_name: str
    is_team: bool = False
    karma: int = 0
    time_zone: str = "UTC"
    date_created: str = DEFAULT_DATE


@dataclass
class ProjectGroup:
    name: str
    display_name: str
    title: str = ""
    summary: str = ""
    owner: str | None = None
    homepage_url: str | None = None
    date_created: str = DEFAULT_DATE


@dataclass
class Project:
    name: str
    display_name: str
    title: str = ""
    summary: str = ""
    owner: str | None = None
    project_group: str | None = None
    development_focus: str | None = None
    homepage_url: str | None = None
    date_created: str = DEFAULT_DATE


@dataclass
class Series:
    project: str
    name: str
    status: str = "Active Development"
    summary: str = ""
    active: bool = True
    date_created: str = DEFAULT_DATE


@dataclass
class Milestone:
    project: str
    name: str
    series: str
    code_name: str | None = None
    summary: str | None = None
    is_active: bool = True
    date_targeted: str | None = None


@dataclass
class Blueprint:
    project: str
    name: str
    title: str
    definition_status: str = "New"
    implementation_status: str = "Unknown"
    priority: str = "Undefined"
    summary: str = ""
    assignee: str | None = None
    drafter: str | None = None
    approver: str | None = None
    owner: str | None = None
    starter: str | None = None
    completer: str | None = None
    milestone: str | None = None
    # The series goal (Launchpad's "targeted to the series"): only an Accepted goal puts
    # the blueprint in the series' listings and makes has_accepted_goal true.
    series: str | None = None
    goal_status: str = "Accepted"
    specification_url: str | None = None
    whiteboard: str | None = None
    workitems_text: str = ""
    information_type: str = "Public"
    direction_approved: bool = False
    date_created: str = DEFAULT_DATE
    date_started: str | None = None
    date_completed: str | None = None

    @property
    def lifecycle_status(self) -> str:
        return enums.lifecycle_status(self.definition_status, self.implementation_status)

    @property
    def is_complete(self) -> bool:
        return enums.is_complete(self.definition_status, self.implementation_status)

    @property
    def is_started(self) -> bool:
        return enums.is_started(self.definition_status, self.implementation_status)

    @property
    def has_accepted_goal(self) -> bool:
        return self.series is not None and self.goal_status == "Accepted"


@dataclass
class Token:
    """An OAuth access token writes may be signed with (``tokens.json``). Launchpad's
    consumer secret is always empty; PLAINTEXT signs with ``&`` + ``secret``."""

    person: str
    key: str
    secret: str
    consumer_key: str = "lpsync"
    consumer_secret: str = ""


# file name -> record class; loaded in this order so references resolve.
FILES: dict[str, type] = {
    "people.json": Person,
    "tokens.json": Token,
    "project_groups.json": ProjectGroup,
    "projects.json": Project,
    "series.json": Series,
    "milestones.json": Milestone,
    "blueprints.json": Blueprint,
}

_ENUMS: dict[tuple[type, str], tuple[str, ...]] = {
    (Blueprint, "definition_status"): enums.DEFINITION_STATUSES,
    (Blueprint, "implementation_status"): enums.IMPLEMENTATION_STATUSES,
    (Blueprint, "priority"): enums.PRIORITIES,
    (Blueprint, "information_type"): enums.INFORMATION_TYPES,
    (Blueprint, "goal_status"): enums.GOAL_STATUSES,
    (Series, "status"): enums.SERIES_STATUSES,
}
_PEOPLE_FIELDS = ("person", "owner", "assignee", "drafter", "approver", "starter", "completer")
_DATETIME_FIELDS = ("date_created", "date_started", "date_completed")


class SandboxData:
    """The in-memory model. Safe to mutate while a server reads it (one lock)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.people: dict[str, Person] = {}
        self.groups: dict[str, ProjectGroup] = {}
        self.projects: dict[str, Project] = {}
        self.series: dict[tuple[str, str], Series] = {}
        self.milestones: dict[tuple[str, str], Milestone] = {}
        self.blueprints: dict[tuple[str, str], Blueprint] = {}
        self.tokens: dict[str, Token] = {}  # by key

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path | str) -> SandboxData:
        """Read every known ``*.json`` file of ``data_dir`` (missing files mean none)."""
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            raise DataError(f"{data_dir}: not a directory of Launchpad stand-in data")
        data = cls()
        for filename, record_type in FILES.items():
            path = data_dir / filename
            if not path.exists():
                continue
            try:
                entries = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise DataError(f"{path}: cannot read JSON: {exc}") from None
            if not isinstance(entries, list):
                raise DataError(f"{path}: expected a JSON list of objects")
            for index, entry in enumerate(entries):
                data._add(record_type, entry, f"{path}: entry {index}")
        return data

    # -- in-memory building (same checks as files) ---------------------------------------

    def add_person(self, **values: Any) -> Person:
        return self._add(Person, values, "add_person")

    def add_project_group(self, **values: Any) -> ProjectGroup:
        return self._add(ProjectGroup, values, "add_project_group")

    def add_project(self, **values: Any) -> Project:
        return self._add(Project, values, "add_project")

    def add_series(self, **values: Any) -> Series:
        return self._add(Series, values, "add_series")

    def add_milestone(self, **values: Any) -> Milestone:
        return self._add(Milestone, values, "add_milestone")

    def add_blueprint(self, **values: Any) -> Blueprint:
        return self._add(Blueprint, values, "add_blueprint")

    def add_token(self, **values: Any) -> Token:
        return self._add(Token, values, "add_token")

    def _add(self, record_type: type, values: Any, where: str) -> Any:
        if isinstance(values, dict) and isinstance(values.get("name"), str):
            where = f"{where} ({values['name']!r})"
        try:
            record = self._build(record_type, values)
            with self.lock:
                self._check_refs(record)
                self._store(record)
        except DataError as exc:
            raise DataError(f"{where}: {exc}") from None
        return record

    @staticmethod
    def _build(record_type: type, values: Any) -> Any:
        if not isinstance(values, dict):
            raise DataError("expected a JSON object")
        known = {f.name: f for f in fields(record_type)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise DataError(f"unknown field(s) {', '.join(unknown)}")
        optional = {
            name
            for name, field in known.items()
            if field.default is not MISSING or field.default_factory is not MISSING
        }
        # An optional field given as null takes its default, as if it were left out:
        # what a snapshot or a hand-written file says when it has no value.
        values = {k: v for k, v in values.items() if not (v is None and k in optional)}
        for name in known:
            if name not in values:
                if name not in optional:
                    raise DataError(f"missing required field {name!r}")
                continue
            value = values[name]
            field = known[name]
            allowed = _types_of(field.type)
            if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
                raise DataError(f"field {name!r} has the wrong type ({type(value).__name__})")
            options = _ENUMS.get((record_type, name))
            if options and value not in options:
                raise DataError(f"{name} {value!r} is not one of: {', '.join(options)}")
            if isinstance(value, str) and name in _DATETIME_FIELDS:
                try:
                    datetime.fromisoformat(value)
                except ValueError:
                    raise DataError(f"{name} {value!r} is not an ISO date-time") from None
            if isinstance(value, str) and name == "date_targeted":
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise DataError(f"{name} {value!r} is not an ISO date") from None
        if "name" in known and not is_valid_name(values["name"]):
            raise DataError(f"{values['name']!r} is not a valid Launchpad name")
        return record_type(**values)

    def _check_refs(self, record: Any) -> None:
        for name in _PEOPLE_FIELDS:
            person = getattr(record, name, None)
            if person is not None and person not in self.people:
                raise DataError(f"{name} {person!r} is not a known person")
        project = getattr(record, "project", None)
        if project is not None and project not in self.projects:
            raise DataError(f"project {project!r} is not a known project")
        if isinstance(record, Project):
            if record.project_group is not None and record.project_group not in self.groups:
                raise DataError(f"project_group {record.project_group!r} is not a known group")
            # Series come after projects, so the focus is checked by name only.
            focus = record.development_focus
            if focus is not None and not is_valid_name(focus):
                raise DataError(f"development_focus {record.development_focus!r} is invalid")
        if isinstance(record, Milestone) and (record.project, record.series) not in self.series:
            raise DataError(f"series {record.series!r} is not a series of {record.project!r}")
        if (
            isinstance(record, Blueprint)
            and record.milestone is not None
            and (record.project, record.milestone) not in self.milestones
        ):
            raise DataError(f"milestone {record.milestone!r} is not a milestone of {project!r}")
        if (
            isinstance(record, Blueprint)
            and record.series is not None
            and (record.project, record.series) not in self.series
        ):
            raise DataError(f"series {record.series!r} is not a series of {project!r}")

    def _store(self, record: Any) -> None:
        if isinstance(record, Person):
            table: dict[Any, Any] = self.people
            key: Any = record.name
        elif isinstance(record, (ProjectGroup, Project)):
            if record.name in self.groups or record.name in self.projects:
                raise DataError(f"pillar {record.name!r} is defined twice")
            table = self.groups if isinstance(record, ProjectGroup) else self.projects
            key = record.name
        elif isinstance(record, Series):
            if record.name in _RESERVED:
                raise DataError(f"series name {record.name!r} clashes with a project path")
            table, key = self.series, (record.project, record.name)
        elif isinstance(record, Milestone):
            table, key = self.milestones, (record.project, record.name)
        elif isinstance(record, Token):
            if record.key in self.tokens:  # never echo a credential in a message
                raise DataError("a token with this key is defined twice")
            table, key = self.tokens, record.key
        else:
            table, key = self.blueprints, (record.project, record.name)
        if key in table:
            raise DataError(f"{type(record).__name__.lower()} {record.name!r} is defined twice")
        table[key] = record

    # -- queries (used by the server) ----------------------------------------------------

    def members(self, group: str) -> list[Project]:
        with self.lock:
            return sorted(
                (p for p in self.projects.values() if p.project_group == group),
                key=lambda p: p.name,
            )

    def specifications(self, pillar: str, *, valid_only: bool = False) -> list[Blueprint]:
        """A project's or group's blueprints, most important first (Launchpad's default
        listing order is by priority), then by name."""
        with self.lock:
            members = self.members(pillar) if pillar in self.groups else []
            owners = {p.name for p in members} or {pillar}
            specs = [b for b in self.blueprints.values() if b.project in owners]
        if valid_only:
            hidden = enums.INVALID_DEFINITION_STATUSES
            specs = [b for b in specs if b.definition_status not in hidden]
        rank = {p: i for i, p in enumerate(enums.PRIORITIES)}
        return sorted(specs, key=lambda b: (-rank[b.priority], b.name, b.project))

    def series_specifications(
        self, project: str, series: str, *, valid_only: bool = False
    ) -> list[Blueprint]:
        """The blueprints whose accepted goal is the series, in listing order (as
        Launchpad's series listings: proposed and declined goals are left out)."""
        specs = self.specifications(project, valid_only=valid_only)
        return [b for b in specs if b.series == series and b.has_accepted_goal]

    def milestones_of(self, project: str, *, active_only: bool = False) -> list[Milestone]:
        with self.lock:
            found = [m for m in self.milestones.values() if m.project == project]
        if active_only:
            found = [m for m in found if m.is_active]
        return sorted(found, key=lambda m: (m.date_targeted or "9999", m.name))

    def series_of(self, project: str) -> list[Series]:
        with self.lock:
            return sorted(
                (s for s in self.series.values() if s.project == project), key=lambda s: s.name
            )


# Path segments under a project that are not series names.
_RESERVED = frozenset(
    {
        "all_specifications",
        "valid_specifications",
        "series",
        "all_milestones",
        "active_milestones",
        "projects",
        "+spec",
        "+milestone",
    }
)


def _types_of(annotation: Any) -> tuple[type, ...]:
    """Runtime types allowed by a dataclass field annotation (a string here)."""
    text = str(annotation)
    runtime: dict[str, type] = {"str": str, "bool": bool, "int": int, "None": type(None)}
    allowed = [runtime[part.strip()] for part in text.split("|")]
    return tuple(allowed)
