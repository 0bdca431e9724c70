"""Commit messages for spec changes, in the form a Gerrit core reviewer accepts.

OpenStack's conventions: a subject of at most 72 columns, a blank line, a body wrapped
at 72 (a URL is never broken), and the footers last, one paragraph, ``Change-Id`` among
them. A new spec is the first step of implementing its blueprint
(``Implements: blueprint NAME``); an update of an existing spec only relates to it
(``Related: blueprint NAME``). Gerrit's blueprint integration links a review to every
blueprint that a line ``... blueprint NAME`` names, so both forms keep the link, and
only the first claims the work.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from lpsync.specdoc import clean_title

SUBJECT_WIDTH = 72
BODY_WIDTH = 72

IMPLEMENTS = "Implements: blueprint {name}"
RELATED = "Related: blueprint {name}"

_SUBJECT_FORMS = (
    "{verb} spec for blueprint {name}",
    "{verb} spec for {name}",
    "{verb} spec {name}",
)
# A footer line: "Token: value", the token without spaces (git interpret-trailers).
_TRAILER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*: \S")
_BLUEPRINT_FOOTER_RE = re.compile(r"(?:Implements|Related): blueprint \S+\Z")


@dataclass(frozen=True)
class FieldChange:
    """One managed field of the spec, before and after (None: the spec had none)."""

    label: str  # "Title", "URL", "Assignee", "Milestone"
    old: str | None
    new: str | None


def subject(verb: str, name: str) -> str:
    """At most SUBJECT_WIDTH columns: the longest form that fits, else the name cut
    at a hyphen (never inside a word), with an ellipsis."""
    for form in _SUBJECT_FORMS:
        line = form.format(verb=verb, name=name)
        if len(line) <= SUBJECT_WIDTH:
            return line
    prefix = f"{verb} spec "
    room = SUBJECT_WIDTH - len(prefix) - len("...")
    words = name.split("-")
    kept = words[0]
    for word in words[1:]:
        if len(kept) + 1 + len(word) > room:
            break
        kept = f"{kept}-{word}"
    if len(kept) > room:  # one hyphen-free word longer than a subject: no clean cut
        kept = kept[:room]
    return f"{prefix}{kept}..."


def build(
    name: str,
    title: str,
    created: bool,
    changes: Sequence[FieldChange] = (),
    trailers: Sequence[str] = (),
) -> str:
    """The whole message; ``trailers`` are footers to keep (Change-Id, sign-offs) from
    the commit this one replaces."""
    title = clean_title(title)
    paragraphs = []
    if created:
        paragraphs.append(_wrap(title))
    else:
        paragraphs.append(_wrap(f"Bring the spec in line with Launchpad blueprint {name}."))
        # One item a field; a continuation line is indented under its item.
        paragraphs.append("\n".join(_wrap(_change_line(c), indent="  ") for c in changes))
    footer = (IMPLEMENTS if created else RELATED).format(name=name)
    kept = [t for t in trailers if not _is_blueprint_footer(t, name)]
    paragraphs.append("\n".join([footer, *kept]))
    return f"{subject('Add' if created else 'Update', name)}\n\n" + "\n\n".join(paragraphs) + "\n"


def _change_line(change: FieldChange) -> str:
    old = clean_title(change.old) if change.old else "(none)"
    new = clean_title(change.new) if change.new else "(none)"
    return f"{change.label}: {old} -> {new}"


def _wrap(line: str, indent: str = "") -> str:
    """Wrap at BODY_WIDTH; a URL is one unbreakable word, so it may stand alone on a
    longer line, never split."""
    return "\n".join(
        textwrap.wrap(
            line,
            BODY_WIDTH,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def trailers(message: str) -> list[str]:
    """The footer lines of a commit message: the paragraphs at its end (never the
    subject) whose every line reads as a trailer; a hook may have added one apart."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    found: list[str] = []
    for paragraph in reversed(paragraphs[1:]):
        lines = [line.rstrip() for line in paragraph.splitlines() if line.strip()]
        if not all(_TRAILER_RE.match(line) for line in lines):
            break
        found[:0] = lines
        if any(_BLUEPRINT_FOOTER_RE.match(line) for line in lines):
            # lpsync's own footer paragraph: what precedes it is the body, even a
            # title that reads as footers ("Change-Id: I..."), which must not be kept.
            break
    return found


def is_own(message: str, name: str) -> bool:
    """Whether a commit message is one lpsync wrote for blueprint ``name``."""
    first = message.split("\n", 1)[0]
    if not first.startswith(("Add spec ", "Update spec ")):
        return False
    return any(_is_blueprint_footer(t, name) for t in trailers(message))


def _is_blueprint_footer(line: str, name: str) -> bool:
    return line in (IMPLEMENTS.format(name=name), RELATED.format(name=name))
