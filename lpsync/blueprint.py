"""A blueprint as lpsync reads it: the value type every command shares, built from the
web service's ``specification-full`` JSON with no extra request."""

from __future__ import annotations

from dataclasses import dataclass

from lpsync.names import blueprint_url, is_valid_name


@dataclass(frozen=True)
class Blueprint:
    project: str  # the project that owns it (from target_link), never the group
    name: str
    title: str
    web_link: str
    assignee: str | None  # Launchpad id from assignee_link
    milestone: str | None  # milestone name from milestone_link
    milestone_link: str | None
    definition_status: str
    implementation_status: str
    lifecycle_status: str
    specification_url: str | None = None  # the blueprint's link to its spec

    @classmethod
    def from_json(cls, rep: object) -> Blueprint:
        """Build from a ``specification-full`` JSON object, with no extra request.

        Raises ValueError for anything that is not one (the session reports it as a
        LaunchpadError): names from Launchpad become paths and branch names, so they
        are checked here, once, for every way a blueprint is read."""
        if not isinstance(rep, dict):
            raise ValueError(f"expected a blueprint object, got {type(rep).__name__}")
        for key in BLUEPRINT_TEXT:
            if rep.get(key) is not None and not isinstance(rep[key], str):
                raise ValueError(f"blueprint field {key!r} is not text: {rep[key]!r}")
        name = rep.get("name")
        project = last_segment(rep.get("target_link"))
        milestone_link = rep.get("milestone_link")
        milestone = last_segment(milestone_link)
        assignee = last_segment(rep.get("assignee_link"))
        assignee = assignee[1:] if assignee and assignee.startswith("~") else assignee
        if not isinstance(name, str) or not is_valid_name(name):
            raise ValueError(f"blueprint name {name!r} is not a valid Launchpad name")
        if project is None or not is_valid_name(project):
            raise ValueError(f"blueprint project {project!r} is not a valid Launchpad name")
        for what, value in (("assignee", assignee), ("milestone", milestone)):
            if value is not None and not is_valid_name(value):
                raise ValueError(f"blueprint {what} {value!r} is not a valid Launchpad name")
        for key in BLUEPRINT_TEXT:
            # A lone surrogate survives JSON decoding but no file, commit or terminal
            # can take it: refuse it here, where the blueprint and field are known.
            if rep.get(key) is not None and not is_text(rep[key]):
                raise ValueError(
                    f"blueprint {project}/{name}: field {key!r} is not valid Unicode text "
                    "(it holds a lone surrogate)"
                )
        return cls(
            project=project,
            name=name,
            title=rep.get("title") or "",
            web_link=rep.get("web_link") or blueprint_url(project, name),
            assignee=assignee,
            milestone=milestone,
            milestone_link=milestone_link,
            definition_status=rep.get("definition_status") or "",
            implementation_status=rep.get("implementation_status") or "",
            lifecycle_status=rep.get("lifecycle_status") or "",
            specification_url=rep.get("specification_url") or None,
        )


# The blueprint fields lpsync reads: all text (or null) on the wire.
BLUEPRINT_TEXT = (
    "name",
    "title",
    "web_link",
    "target_link",
    "assignee_link",
    "milestone_link",
    "definition_status",
    "implementation_status",
    "lifecycle_status",
    "specification_url",
)


def is_text(value: str) -> bool:
    """Whether ``value`` can be written as UTF-8 (no lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def last_segment(link: str | None) -> str | None:
    if not link or link.startswith("tag:"):  # missing, or redacted by Launchpad
        return None
    return link.rstrip("/").rsplit("/", 1)[-1] or None
