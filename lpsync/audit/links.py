"""A spec's own blueprint links: which one is its primary link, the findings that
need no Launchpad (LPS101-103), and what each link is looked up as."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import specdoc
from lpsync.audit.model import Finding, _add, _fallback_line, _Spec
from lpsync.config import Config
from lpsync.names import BlueprintRef, is_valid_name

if TYPE_CHECKING:
    pass


def _pick_link(spec: _Spec, config: Config) -> None:
    """Choose the spec's primary link (the one naming the file's blueprint, else the
    first) and report url findings about it."""
    # Only the preamble's links say which blueprint the spec is about; one in its body
    # or References is a mention of other work (still checked for existence).
    link = specdoc.primary_link(spec.path, spec.text, spec.fields)
    if link is None:
        # Not guessed from the file name: a wrong guess would be "fixed" into the spec.
        _add(
            spec,
            _fallback_line(spec),
            "LPS101",
            None,
            None,
            None,
            "no Launchpad blueprint link (bug and StoryBoard links are not blueprints)",
        )
        return
    spec.link = link
    project, name = _project(link) or config.project, link.ref.name
    label = f"{project}/{name}" if project else name
    valid = bool(project and is_valid_name(project) and is_valid_name(name))
    if link.malformed or not valid:
        problem = (
            f"malformed blueprint link: {link.malformed}"
            if link.malformed
            else f"blueprint link {link.url!r} does not name a valid Launchpad blueprint"
        )
        _add(spec, link.line, "LPS102", label, None, link.url, problem)
    if not valid:
        return
    spec.ref = BlueprintRef(project, name)
    if name not in specdoc.stem_names(spec.path, project):
        _add(
            spec,
            link.line,
            "LPS103",
            label,
            name,
            spec.path.stem,
            f"links blueprint {label} but the file is named {spec.path.name} "
            "(checked against the linked blueprint)",
        )


def link_findings(
    path: Path, rel: str, text: str, fields: specdoc.SpecFields, config: Config
) -> list[Finding]:
    """LPS101-103, which need no Launchpad: what the spec's own links say. lint runs
    the very checks audit runs."""
    spec = _Spec(path=path, rel=rel, text=text, fields=fields)
    _pick_link(spec, config)
    return spec.findings


def _project(link: specdoc.LinkedBlueprint) -> str | None:
    # Launchpad names are lowercase; real specs sometimes write /Nova/.
    return link.ref.project.lower() if link.ref.project else None


def _is_search(link: specdoc.LinkedBlueprint) -> bool:
    """``?searchtext=``: a search of a project or group, not a blueprint's page."""
    return "searchtext=" in link.url


def _link_refs(spec: _Spec) -> list[tuple[specdoc.LinkedBlueprint, BlueprintRef]]:
    """Each blueprint link of the spec with what it is looked up as: the primary link
    as chosen by _pick_link, the others when they name a valid project and name."""
    refs = []
    for link in spec.fields.links:
        project = _project(link)
        if link is spec.link:
            if spec.ref is not None:
                refs.append((link, spec.ref))
        elif _is_search(link):
            # A search cannot be dead, and under a group (openstack) it would page
            # through every project's blueprints: only the primary link is looked up.
            continue
        elif project is not None and (project, link.ref.name) in spec.template_links:
            continue  # the template's example, kept in the spec as an instruction
        elif project and is_valid_name(project) and is_valid_name(link.ref.name):
            refs.append((link, BlueprintRef(project, link.ref.name)))
    return refs
