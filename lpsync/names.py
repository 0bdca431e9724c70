"""Launchpad names and blueprint references.

A name that passes ``is_valid_name`` is safe to use as a single path component: it
cannot contain a separator, start with a dot, or be empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from lpsync.errors import InvalidNameError

# Launchpad's own rule for project, person and blueprint names.
NAME_RE = re.compile(r"[a-z0-9][a-z0-9+.\-]*\Z")

BLUEPRINTS_HOST = "blueprints.launchpad.net"


def is_valid_name(name: str) -> bool:
    return bool(NAME_RE.match(name))


def check_name(name: str, what: str = "blueprint") -> str:
    if not is_valid_name(name):
        raise InvalidNameError(
            f"{what} name {name!r} is not a valid Launchpad name "
            "(lowercase letters, digits, '+', '.', '-', starting with a letter or digit)"
        )
    return name


def blueprint_url(project: str, name: str) -> str:
    """The canonical web URL of a blueprint, as specs should link it."""
    return f"https://{BLUEPRINTS_HOST}/{project}/+spec/{name}"


@dataclass(frozen=True)
class BlueprintRef:
    """A blueprint as named by a user or a spec: ``project`` may be a project group."""

    project: str | None
    name: str

    @property
    def url(self) -> str | None:
        return blueprint_url(self.project, self.name) if self.project else None


def parse_blueprint_url(url: str) -> BlueprintRef | None:
    """Read ``https://blueprints.launchpad.net/<project>/+spec/<name>`` or the
    ``<project>?searchtext=<name>`` form. Returns None for anything else (bug or
    StoryBoard links are not blueprint links). Names are not validated here."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != BLUEPRINTS_HOST:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) >= 3 and segments[1] == "+spec":
        return BlueprintRef(segments[0], segments[2])
    if len(segments) == 1:
        search = parse_qs(parts.query).get("searchtext")
        if search and search[0].strip():
            return BlueprintRef(segments[0], search[0].strip())
    return None


def parse_ref(ref: str, default_project: str | None) -> BlueprintRef:
    """Parse a user's REF: ``name``, ``project/name`` or a blueprint URL.

    Raises InvalidNameError (exit 2) for anything that is not a valid name, so a REF
    can never become a path outside the repo."""
    text = ref.strip()
    if "://" in text:
        parsed = parse_blueprint_url(text)
        if parsed is None:
            raise InvalidNameError(f"{ref!r} is not a Launchpad blueprint URL")
    elif "/" in text:
        project, _, name = text.partition("/")
        parsed = BlueprintRef(project, name)
    else:
        parsed = BlueprintRef(default_project, text)
    check_name(parsed.name)
    if parsed.project is None:
        raise InvalidNameError(
            f"blueprint {parsed.name!r} names no project: use project/name or set "
            "'project' in [tool.lpsync]"
        )
    check_name(parsed.project, "project")
    return parsed


def contains_token(value: str, token: str) -> bool:
    """Whether ``token`` appears in ``value`` as a whole word (case-insensitive): the
    one rule for "the spec already names this person or milestone"."""
    rx = r"(?<![A-Za-z0-9_.+-])" + re.escape(token) + r"(?![A-Za-z0-9_+-]|\.[A-Za-z0-9])"
    return re.search(rx, value, re.IGNORECASE) is not None
