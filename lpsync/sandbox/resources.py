"""What the stand-in answers: URL routing and JSON representations, free of HTTP details.

URLs follow the real service: ``/devel/<project>``, ``/devel/<project>/+spec/<name>``,
``/devel/~<person>``, ``/devel/<project>/+milestone/<name>``, ``/devel/<project>/<series>``
and ``…/all_specifications`` style collections. Every representation carries exactly the
fields the WADL table declares for its type (a test checks this).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from lpsync.sandbox import model, wadl

JSON = "application/json"
WEB = "https://launchpad.net/"
BLUEPRINTS_WEB = "https://blueprints.launchpad.net/"
VERSION = "devel"
MAX_PAGE_SIZE = 300


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON
    cacheable: bool = False  # the WADL and service root may carry Cache-Control


def _text(status: int, message: str) -> Reply:
    return Reply(status, message.encode("utf-8"), "text/plain")


class Site:
    """Answers GETs for one base URL (``root`` = ``http://host:port/``)."""

    def __init__(self, data: model.SandboxData, root: str, page_size: int = 75) -> None:
        self.data = data
        self.root = root
        self.api = f"{root}{VERSION}/"
        self.page_size = page_size
        self._wadl: bytes | None = None

    # -- links -------------------------------------------------------------------------

    def type_link(self, type_id: str) -> str:
        # Must be exactly "<the URL the WADL was fetched from>#type" for wadllib.
        return f"{self.api}#{type_id}"

    def person_link(self, name: str | None) -> str | None:
        return None if name is None else f"{self.api}~{name}"

    def pillar_link(self, name: str | None) -> str | None:
        return None if name is None else f"{self.api}{name}"

    def milestone_link(self, project: str, name: str | None) -> str | None:
        return None if name is None else f"{self.api}{project}/+milestone/{name}"

    def series_link(self, project: str, name: str | None) -> str | None:
        return None if name is None else f"{self.api}{project}/{name}"

    # -- representations ---------------------------------------------------------------

    def _entry(self, type_id: str, self_link: str, web_link: str, **values: Any) -> dict:
        declared = wadl.field_names(type_id)
        rep: dict[str, Any] = {"self_link": self_link, "web_link": web_link}
        rep["resource_type_link"] = self.type_link(type_id)
        rep.update(values)
        rep["http_etag"] = None
        missing = set(declared) ^ set(rep)
        if missing:  # a programming error: the table and the builder disagree
            raise AssertionError(f"{type_id}: fields out of step with the WADL: {missing}")
        digest = hashlib.sha1(json.dumps(rep, sort_keys=True).encode()).hexdigest()
        rep["http_etag"] = f'"{digest}"'
        return rep

    def _pillar(self, p: model.Project | model.ProjectGroup) -> dict[str, Any]:
        """The fields projects and project groups share (wadl._PILLAR_FIELDS)."""
        link = f"{self.api}{p.name}"
        return {
            "name": p.name,
            "display_name": p.display_name,
            "title": p.title or p.display_name,
            "summary": p.summary,
            "active": True,
            "homepage_url": p.homepage_url,
            "date_created": p.date_created,
            "owner_link": self.person_link(p.owner),
            "all_specifications_collection_link": f"{link}/all_specifications",
            "valid_specifications_collection_link": f"{link}/valid_specifications",
        }

    def project(self, p: model.Project) -> dict:
        link = f"{self.api}{p.name}"
        return self._entry(
            "project",
            link,
            f"{WEB}{p.name}",
            **self._pillar(p),
            official_blueprints=True,
            information_type="Public",
            specification_sharing_policy="Public",
            project_group_link=self.pillar_link(p.project_group),
            development_focus_link=self.series_link(p.name, p.development_focus),
            series_collection_link=f"{link}/series",
            active_milestones_collection_link=f"{link}/active_milestones",
            all_milestones_collection_link=f"{link}/all_milestones",
        )

    def group(self, g: model.ProjectGroup) -> dict:
        link = f"{self.api}{g.name}"
        return self._entry(
            "project_group",
            link,
            f"{WEB}{g.name}",
            **self._pillar(g),
            projects_collection_link=f"{link}/projects",
        )

    def spec(self, b: model.Blueprint) -> dict:
        link = f"{self.api}{b.project}/+spec/{b.name}"
        return self._entry(
            "specification",
            link,
            f"{BLUEPRINTS_WEB}{b.project}/+spec/{b.name}",
            name=b.name,
            title=b.title,
            summary=b.summary,
            specification_url=b.specification_url,
            whiteboard=b.whiteboard,
            workitems_text=b.workitems_text,
            definition_status=b.definition_status,
            implementation_status=b.implementation_status,
            lifecycle_status=b.lifecycle_status,
            priority=b.priority,
            information_type=b.information_type,
            direction_approved=b.direction_approved,
            has_accepted_goal=b.has_accepted_goal,
            is_complete=b.is_complete,
            is_started=b.is_started,
            date_created=b.date_created,
            date_started=b.date_started,
            date_completed=b.date_completed,
            assignee_link=self.person_link(b.assignee),
            drafter_link=self.person_link(b.drafter),
            approver_link=self.person_link(b.approver),
            owner_link=self.person_link(b.owner),
            starter_link=self.person_link(b.starter),
            completer_link=self.person_link(b.completer),
            milestone_link=self.milestone_link(b.project, b.milestone),
            target_link=self.pillar_link(b.project),
            bugs_collection_link=f"{link}/bugs",
            dependencies_collection_link=f"{link}/dependencies",
            linked_branches_collection_link=f"{link}/linked_branches",
        )

    def person(self, p: model.Person) -> dict:
        values: dict[str, Any] = dict(
            name=p.name,
            display_name=p.display_name,
            is_team=p.is_team,
            karma=p.karma,
            time_zone=p.time_zone,
            private=False,
            visibility="Public",
            date_created=p.date_created,
        )
        if p.is_team:
            values.update(membership_policy="Moderated Team", team_owner_link=None)
        return self._entry(
            "team" if p.is_team else "person",
            f"{self.api}~{p.name}",
            f"{WEB}~{p.name}",
            **values,
        )

    def milestone(self, m: model.Milestone) -> dict:
        return self._entry(
            "milestone",
            f"{self.api}{m.project}/+milestone/{m.name}",
            f"{WEB}{m.project}/+milestone/{m.name}",
            name=m.name,
            title=f"{m.project} {m.name}" + (f' "{m.code_name}"' if m.code_name else ""),
            code_name=m.code_name,
            summary=m.summary,
            is_active=m.is_active,
            date_targeted=m.date_targeted,
            target_link=self.pillar_link(m.project),
            series_target_link=self.series_link(m.project, m.series),
        )

    def series(self, s: model.Series) -> dict:
        link = f"{self.api}{s.project}/{s.name}"
        return self._entry(
            "project_series",
            link,
            f"{WEB}{s.project}/{s.name}",
            name=s.name,
            display_name=s.name,
            title=f"{s.project} {s.name} series",
            summary=s.summary,
            active=s.active,
            status=s.status,
            date_created=s.date_created,
            project_link=self.pillar_link(s.project),
            active_milestones_collection_link=f"{link}/active_milestones",
            all_milestones_collection_link=f"{link}/all_milestones",
            all_specifications_collection_link=f"{link}/all_specifications",
            valid_specifications_collection_link=f"{link}/valid_specifications",
        )

    def service_root(self) -> dict:
        rep = {f"{c.id}_collection_link": f"{self.api}{c.id}" for c in wadl.COLLECTION_TYPES}
        rep["resource_type_link"] = self.type_link("service-root")
        return rep

    # -- dispatch ----------------------------------------------------------------------

    def get(self, path: str, query: str, accept: str) -> Reply:
        prefix = f"/{VERSION}/"
        if not path.startswith(prefix):
            return _text(404, f"Not found: {path}")
        segments = path[len(prefix) :].split("/")
        if segments and segments[-1] == "":
            segments.pop()
        args = parse_qs(query, keep_blank_values=True)
        if not segments:
            if wadl.WADL_MEDIA_TYPE in accept:
                if self._wadl is None:
                    self._wadl = wadl.render_wadl(self.api)
                return Reply(200, self._wadl, wadl.WADL_MEDIA_TYPE, cacheable=True)
            return Reply(200, _dump(self.service_root()), cacheable=True)
        with self.data.lock:
            found = self._resolve(segments)
        if found is None:
            return _text(404, f"Object: {self.api}, name: {'/'.join(segments)!r}")
        kind, value = found
        op = args.get("ws.op", [None])[0]
        if kind == "collection":
            if op is not None:
                return _text(400, f"No such operation: {op}")
            return self._page(value, path, args)
        if op is not None:
            return self._operation(kind, value, op, args)
        return Reply(200, _dump(value()))

    def patch(
        self, path: str, body: bytes, signer: model.Token | None, if_match: str | None
    ) -> Reply:
        """Apply a PATCH to a specification (the fields of ``specification-diff``), as
        lazr.restful does: 209 with the new representation."""
        if signer is None:
            return _text(401, "Unauthorized: an anonymous request cannot change anything.")
        prefix = f"/{VERSION}/"
        segments = [s for s in path[len(prefix) :].split("/") if s]
        if not path.startswith(prefix) or not segments:
            return _text(405, "Method not allowed")
        with self.data.lock:
            blueprint = None
            if len(segments) == 3 and segments[1] == "+spec":
                blueprint = self.data.blueprints.get((segments[0], segments[2]))
            if blueprint is None:
                if self._resolve(segments) is None:
                    return _text(404, f"Object: {self.api}, name: {'/'.join(segments)!r}")
                return _text(405, "The stand-in changes only specifications")
            try:
                changes = json.loads(body)
            except ValueError:
                return _text(400, "Expected a JSON object")
            if not isinstance(changes, dict):
                return _text(400, "Expected a JSON object")
            writable = {f.name for f in wadl.entry_type("specification").diff}
            for name, value in changes.items():
                problem = self._invalid(blueprint, name, value, writable)
                if problem:
                    return _text(400, f"{name}: {problem}")
            current = self.spec(blueprint)
            if if_match is not None and if_match not in (
                current["http_etag"],
                etag(_dump(current)),
            ):
                return _text(412, "Precondition Failed")
            for name, value in changes.items():
                setattr(blueprint, name, value or None)
            return Reply(209, _dump(self.spec(blueprint)))

    def _invalid(
        self, blueprint: model.Blueprint, name: str, value: Any, writable: set[str]
    ) -> str | None:
        """lazr.restful's and Launchpad's objections to one changed field, if any."""
        if name not in wadl.field_names("specification"):
            return "You tried to modify a nonexistent attribute."
        if name not in writable:
            return "You tried to modify a read-only attribute."
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return "Not a valid value."
        # Launchpad's SpecURLField: valid_webref, and no other specification's URL.
        if not value.startswith(("http://", "https://", "ftp://")) or any(
            c.isspace() for c in value
        ):
            return (
                "Not a valid URL. Please enter the full URL, including the scheme (for "
                "instance, http:// for a web URL), and ensure the URL uses either http, "
                "https or ftp."
            )
        for other in self.data.blueprints.values():
            if other is not blueprint and other.specification_url == value:
                page = f"{BLUEPRINTS_WEB}{other.project}/+spec/{other.name}"
                return f'{value} is already registered by <a href="{page}">{other.title}</a>.'
        return None

    def _resolve(self, seg: Sequence[str]) -> tuple[str, Any] | None:
        """(kind, thing): kind "collection" gives a callable returning entry dicts; the
        other kinds give a callable returning the entry's representation."""
        d = self.data
        head = seg[0]
        if len(seg) == 1:
            if head == "projects":
                return "collection", lambda: [self.project(p) for p in _by_name(d.projects)]
            if head == "project_groups":
                return "collection", lambda: [self.group(g) for g in _by_name(d.groups)]
            if head == "people":
                return "collection", lambda: [self.person(p) for p in _by_name(d.people)]
            if head.startswith("~") and head[1:] in d.people:
                person = d.people[head[1:]]
                return "person", lambda: self.person(person)
            if head in d.projects:
                project = d.projects[head]
                return "project", lambda: self.project(project)
            if head in d.groups:
                group = d.groups[head]
                return "group", lambda: self.group(group)
            return None
        if head not in d.projects and head not in d.groups:
            return None
        is_group = head in d.groups
        rest = seg[1:]
        if len(rest) == 1 and rest[0] in ("all_specifications", "valid_specifications"):
            valid = rest[0] == "valid_specifications"
            return "collection", lambda: [
                self.spec(b) for b in d.specifications(head, valid_only=valid)
            ]
        if is_group:
            if rest == ["projects"]:
                return "collection", lambda: [self.project(p) for p in d.members(head)]
            return None
        if len(rest) == 1 and rest[0] in ("all_milestones", "active_milestones"):
            active = rest[0] == "active_milestones"
            return "collection", lambda: [
                self.milestone(m) for m in d.milestones_of(head, active_only=active)
            ]
        if rest == ["series"]:
            return "collection", lambda: [self.series(s) for s in d.series_of(head)]
        if len(rest) >= 2 and rest[0] == "+spec" and (head, rest[1]) in d.blueprints:
            spec = d.blueprints[(head, rest[1])]
            if len(rest) == 2:
                return "spec", lambda: self.spec(spec)
            if len(rest) == 3 and rest[2] in ("bugs", "dependencies", "linked_branches"):
                return "collection", list  # the stand-in tracks none of these
            return None
        if len(rest) == 2 and rest[0] == "+milestone" and (head, rest[1]) in d.milestones:
            milestone = d.milestones[(head, rest[1])]
            return "milestone", lambda: self.milestone(milestone)
        if len(rest) == 1 and (head, rest[0]) in d.series:
            series = d.series[(head, rest[0])]
            return "series", lambda: self.series(series)
        if len(rest) == 2 and (head, rest[0]) in d.series:
            if rest[1] in ("all_specifications", "valid_specifications"):
                valid = rest[1] == "valid_specifications"
                return "collection", lambda: [
                    self.spec(b) for b in d.series_specifications(head, rest[0], valid_only=valid)
                ]
            active = rest[1] == "active_milestones"
            if rest[1] in ("all_milestones", "active_milestones"):
                return "collection", lambda: [
                    self.milestone(m)
                    for m in d.milestones_of(head, active_only=active)
                    if m.series == rest[0]
                ]
        return None

    def _operation(self, kind: str, _entry: Callable, op: str, args: dict) -> Reply:
        # Named operations exist on projects (and a series' getSpecification, which
        # looks in its project as Launchpad's does); anything else is lazr.restful's 400.
        lookups: dict[str, Callable[[str, str], dict | None]] = {
            "getSpecification": self._get_spec,
            "getMilestone": self._get_milestone,
            "getSeries": self._get_series,
        }
        allowed = {"project": set(lookups), "series": {"getSpecification"}}
        if op not in allowed.get(kind, set()):
            return _text(400, f"No such operation: {op}")
        raw = args.get("name", [None])[0]
        if raw is None:
            return _text(400, "name: Required input is missing.")
        name = _json_arg(raw)
        if not isinstance(name, str):
            return _text(400, f"name: Invalid value {raw!r}.")
        entry = _entry()
        project = entry["name"] if kind == "project" else _last(entry["project_link"])
        with self.data.lock:
            found = lookups[op](project, name)
        # An unknown name is 200 with a JSON null, as on the real service.
        return Reply(200, _dump(found))

    def _get_spec(self, project: str, name: str) -> dict | None:
        spec = self.data.blueprints.get((project, name))
        return None if spec is None else self.spec(spec)

    def _get_milestone(self, project: str, name: str) -> dict | None:
        milestone = self.data.milestones.get((project, name))
        return None if milestone is None else self.milestone(milestone)

    def _get_series(self, project: str, name: str) -> dict | None:
        series = self.data.series.get((project, name))
        return None if series is None else self.series(series)

    def _page(self, entries: Callable[[], list[dict]], path: str, args: dict) -> Reply:
        try:
            start = int(args.get("ws.start", ["0"])[0])
            size = int(args.get("ws.size", [str(self.page_size)])[0])
        except ValueError:
            return _text(400, "ws.start and ws.size must be integers")
        if start < 0 or size < 0:
            return _text(400, "ws.start and ws.size must not be negative")
        size = min(size, MAX_PAGE_SIZE)
        with self.data.lock:
            everything = entries()
        # Page type from the entries (an empty collection still needs a valid type).
        type_id = _page_type(path, everything)
        url = f"{self.root}{path.lstrip('/')}"
        rep: dict[str, Any] = {
            "total_size": len(everything),
            "start": start,
            "entries": everything[start : start + size],
            "resource_type_link": self.type_link(f"{type_id}-page-resource"),
        }
        if start + size < len(everything) and size > 0:
            rep["next_collection_link"] = _page_url(url, start + size, size)
        if start > 0:
            rep["prev_collection_link"] = _page_url(url, max(0, start - size), size)
        return Reply(200, _dump(rep))


def _page_url(url: str, start: int, size: int) -> str:
    return f"{url}?ws.size={size}&memo={start}&ws.start={start}"


def _page_type(path: str, entries: list[dict]) -> str:
    if entries:
        # Teams and persons share the person page type.
        kind = entries[0]["resource_type_link"].rsplit("#", 1)[1]
        return "person" if kind == "team" else kind
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return {
        "projects": "project",
        "project_groups": "project_group",
        "people": "person",
        "series": "project_series",
        "all_milestones": "milestone",
        "active_milestones": "milestone",
        "bugs": "bug",
        "linked_branches": "specification_branch",
    }.get(last, "specification")


def _last(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def _by_name(table: dict[str, Any]) -> list[Any]:
    return [table[key] for key in sorted(table)]


def _json_arg(raw: str) -> Any:
    # launchpadlib JSON-encodes named-operation arguments; a bare string is accepted too.
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def etag(body: bytes) -> str:
    """The ETag header the server sends with a body."""
    return f'"{hashlib.sha1(body).hexdigest()}"'


def _dump(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")
