"""The values the spec model reads and writes: located fields, blueprint links."""

from __future__ import annotations

from dataclasses import dataclass

from lpsync.names import BlueprintRef

# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class Located:
    """One field occurrence: ``text[start:end] == value``; ``line`` is 1-based."""

    value: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class LinkedBlueprint:
    ref: BlueprintRef
    url: str  # as written, line wrapping removed
    line: int
    start: int
    end: int
    malformed: str | None = None


@dataclass(frozen=True)
class SpecFields:
    title: Located | None
    title_text: str | None
    links: tuple[LinkedBlueprint, ...]
    assignee: Located | None
    has_assignee_field: bool
    milestone: Located | None
    has_milestone_field: bool


@dataclass(frozen=True)
class BlueprintValues:
    title: str
    url: str
    assignee: str | None
    milestone: str | None
    # The assignee's display name, when known: a spec that names the person by it
    # says the same as the id (audit's rule), and is left as written.
    assignee_name: str | None = None
