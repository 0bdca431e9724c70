"""Phase 3: each spec compared with its blueprint (existence, link project, title,
assignee, milestone, status folder, specification URL)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import backlink, people, specdoc
from lpsync.audit.links import _is_search, _link_refs
from lpsync.audit.model import (
    DEAD,
    IMPLEMENTED,
    PEOPLE,
    Key,
    Progress,
    _add,
    _fallback_line,
    _label,
    _Spec,
)
from lpsync.names import blueprint_url, contains_token
from lpsync.speakers import Linker, speakers

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession


def _check_existence(
    specs: list[_Spec],
    found: dict[Key, Blueprint | None],
    missing_projects: set[str],
    place: str,
) -> None:
    for spec in specs:
        for link, ref in _link_refs(spec):
            if found.get((ref.project, ref.name)) is not None:  # type: ignore[arg-type]
                continue
            label = f"{ref.project}/{ref.name}"
            why = (
                f"project {ref.project!r} does not exist {place}"
                if ref.project in missing_projects
                else f"no such blueprint {place}"
            )
            _add(spec, link.line, "LPS201", label, None, link.url, f"{label}: {why}")
        # A malformed link to a blueprint that exists: rewrite it to the real URL.
        for index, finding in enumerate(spec.findings):
            if finding.code == "LPS102" and spec.blueprint is not None:
                spec.findings[index] = replace(finding, expected=spec.blueprint.web_link)


def _check_link_projects(specs: list[_Spec]) -> None:
    """A ``+spec`` link under a project group (oslo/+spec/x) names no real page: the
    blueprint lives in a member project. ``?searchtext=`` links are meant for groups."""
    for spec in specs:
        link, blueprint = spec.link, spec.blueprint
        if link is None or blueprint is None or link.malformed or _is_search(link):
            continue
        if link.ref.project and link.ref.project.lower() != blueprint.project:
            url = blueprint_url(blueprint.project, blueprint.name)
            _add(
                spec,
                link.line,
                "LPS102",
                _label(blueprint),
                url,
                link.url,
                f"the link names {link.ref.project}, but the blueprint belongs to "
                f"{blueprint.project}: {url}",
            )


def _speakers(specs: list[_Spec], specs_root: Path) -> set[int]:
    """ids of the specs whose blueprint-derived fields are checked (and fixed): those
    that speak for their blueprint by lpsync.speakers' rule, which pull follows too.

    A spec outranked by one named after the blueprint only links it: like a reference
    link, its link is checked for existence alone, so its other link findings go."""
    chosen, outranked = _speaking(specs, specs_root)
    for spec in outranked:
        spec.findings = [f for f in spec.findings if f.code == "LPS201"]
        spec.fix.clear()
    return chosen


def _speaking(specs: list[_Spec], specs_root: Path) -> tuple[set[int], list[_Spec]]:
    """ids of the specs that speak for their blueprint, and the specs outranked by
    one named after it."""
    groups: dict[Key, list[_Spec]] = defaultdict(list)
    for spec in specs:
        if spec.blueprint is not None:
            groups[(spec.blueprint.project, spec.blueprint.name)].append(spec)
    chosen: set[int] = set()
    outranked: list[_Spec] = []
    for (_project, name), group in groups.items():
        linkers = [Linker(s.path, s.ref.project if s.ref else None) for s in group]
        speaking = speakers(linkers, name, specs_root)
        chosen.update(id(s) for s in group if s.path in speaking.paths)
        outranked += [s for s in group if speaking.only_links(s.path)]
    return chosen, outranked


def parts_under(path: Path, specs_root: Path) -> tuple[str, ...]:
    try:
        return path.relative_to(specs_root).parts
    except ValueError:
        return path.parts


def _has_folder(specs_root: Path, name: str) -> bool:
    return any(name in dirnames for _dirpath, dirnames, _files in os.walk(specs_root))


def _collapse(text: str | None) -> str:
    """A title as compared: whitespace collapsed, control characters dropped (as
    specdoc.clean_title does when it writes one)."""
    return specdoc.clean_title(text or "")


def _check_fields(
    specs: list[_Spec],
    authoritative: set[int],
    launchpad: LaunchpadSession,
    progress: Progress | None = None,
) -> None:
    current = [s for s in specs if s.audited and id(s) in authoritative]
    # Assignees: decide what the Launchpad id alone can, then fetch each person whose
    # display name is still needed, once, concurrently.
    verdicts: dict[int, people.Match] = {}
    need: set[str] = set()
    for spec in current:
        assignee = spec.blueprint.assignee if spec.blueprint else None
        if assignee is None:
            continue
        text = spec.fields.assignee.value if spec.fields.assignee else None
        verdicts[id(spec)] = verdict = people.match(text, assignee)
        if verdict is people.Match.NEED_NAME:
            need.add(assignee)
    if progress and need:
        progress(PEOPLE, 0, len(need))
    names = launchpad.display_names(sorted(need))
    if progress and need:
        progress(PEOPLE, len(need), len(need))

    for spec in current:
        blueprint = spec.blueprint
        assert blueprint is not None
        label = _label(blueprint)
        fields = spec.fields
        if _collapse(fields.title_text) != _collapse(blueprint.title):
            _add(
                spec,
                fields.title.line if fields.title else 1,
                "LPS301",
                label,
                blueprint.title,
                fields.title_text,
                f"title differs from {label}: Launchpad has {blueprint.title!r}",
            )
        if id(spec) in verdicts:
            _check_assignee(spec, blueprint, verdicts[id(spec)], names)
        _check_milestone(spec, blueprint)


def _check_assignee(
    spec: _Spec, blueprint: Blueprint, verdict: people.Match, names: dict[str, str | None]
) -> None:
    assignee = blueprint.assignee
    assert assignee is not None
    located = spec.fields.assignee
    text = located.value if located else None
    if verdict is people.Match.NEED_NAME:
        # An unknown or hidden person matches on the id alone.
        spec.assignee_name = names.get(assignee) or ""
        verdict = people.match(text, assignee, spec.assignee_name)
    if verdict is people.Match.YES:
        return
    line = located.line if located else _fallback_line(spec)
    label = _label(blueprint)
    shown = f"{assignee} ({names[assignee]})" if names.get(assignee) else assignee
    if verdict is people.Match.UNVERIFIABLE:
        _add(
            spec,
            line,
            "LPS402",
            label,
            assignee,
            text,
            f"assignee {text!r} cannot be matched to {label}'s assignee {shown} "
            "(an email alone is unverifiable)",
        )
    else:
        if verdict is not people.Match.EMPTY:
            message = f"assignee {text!r} does not name {label}'s assignee {shown}"
        elif not spec.fields.has_assignee_field:
            message = f"spec has no assignee field but {label} is assigned to {shown}"
        else:
            what = f"says {text.strip()!r}" if text and text.strip() else "names nobody"
            message = f"spec {what} but {label} is assigned to {shown}"
        _add(spec, line, "LPS401", label, assignee, text, message)


def _check_milestone(spec: _Spec, blueprint: Blueprint) -> None:
    fields = spec.fields
    if not fields.has_milestone_field or blueprint.milestone is None:
        return
    text = fields.milestone.value if fields.milestone else None
    if text is not None and contains_token(text, blueprint.milestone):
        return  # the rule update_text uses, so --fix and audit agree
    line = fields.milestone.line if fields.milestone else _fallback_line(spec)
    label = _label(blueprint)
    shown = repr(text.strip()) if text and text.strip() else "nothing"
    _add(
        spec,
        line,
        "LPS501",
        label,
        blueprint.milestone,
        text,
        f"milestone says {shown} but {label} targets {blueprint.milestone}",
    )


def place_of(parts: Sequence[str]) -> str | None:
    """implemented, abandoned or approved, from the spec's folders (innermost wins)."""
    for part in reversed(parts[:-1]):
        name = part.lower()
        # ironic: juno-implemented/ holds implemented specs, not-implemented/ does not.
        if name == "implemented" or (name.endswith("-implemented") and name != "not-implemented"):
            return "implemented"
        if name in ("abandoned", "approved"):
            return name
    return None


def _check_status(spec: _Spec, specs_root: Path, has_implemented: bool) -> None:
    blueprint = spec.blueprint
    if blueprint is None:
        return
    place = place_of(parts_under(spec.path, specs_root))
    label = _label(blueprint)
    line = _fallback_line(spec)
    impl, definition = blueprint.implementation_status, blueprint.definition_status
    # One status finding per spec, the most specific first.
    if place == "implemented" and impl != IMPLEMENTED:
        _add(
            spec,
            line,
            "LPS601",
            label,
            impl,
            place,
            f"spec is under implemented/ but {label} is {impl!r}, not Implemented",
        )
    elif impl == IMPLEMENTED and place != "implemented" and has_implemented:
        _add(
            spec,
            line,
            "LPS602",
            label,
            impl,
            place,
            f"{label} is Implemented but the spec is not under implemented/",
        )
    elif place == "approved" and definition in DEAD:
        _add(
            spec,
            line,
            "LPS603",
            label,
            definition,
            place,
            f"spec is under approved/ but {label} is {definition}",
        )
    elif place == "abandoned" and definition not in DEAD and impl != IMPLEMENTED:
        _add(
            spec,
            line,
            "LPS604",
            label,
            definition,
            place,
            f"spec is under abandoned/ but {label} is {definition!r}, not Obsolete or Superseded",
        )


def _check_backlinks(
    root: Path, spec_url: str, specs_dir: str, specs: list[_Spec], authoritative: set[int]
) -> list[backlink.BackLink]:
    """LPS701/LPS702 on the spec that speaks for each blueprint (lpsync.backlink)."""
    by_rel: dict[str, _Spec] = {}
    links = []
    for s in specs:
        if s.audited and id(s) in authoritative and s.link and s.blueprint:
            by_rel[s.rel] = s
            bp = s.blueprint
            links.append(
                backlink.SpecLink(
                    s.rel,
                    s.link.line,
                    bp.project,
                    bp.name,
                    bp.specification_url,
                    s.ref.project if s.ref else None,
                )
            )
    found = backlink.check(spec_url, specs_dir, links, backlink.published_paths(root))
    for link in found:
        if link.code is not None:
            spec = by_rel[link.path]
            _add(
                spec,
                link.line,
                link.code,
                link.blueprint,
                link.expected,
                link.current,
                link.message,
            )
    return found
