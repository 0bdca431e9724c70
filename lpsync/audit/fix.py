"""``audit --fix``: the drifted managed fields rewritten with pull's update code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import specdoc
from lpsync.audit.model import AuditError, _Spec
from lpsync.config import Config
from lpsync.errors import LpsyncError, SpecError
from lpsync.fileio import write_atomic
from lpsync.names import blueprint_url

if TYPE_CHECKING:
    pass


def _fix(
    template_for: Callable[[Path], str],
    specs: list[_Spec],
    errors: list[AuditError],
    config: Config,
) -> tuple[list[str], list[str], list[str]]:
    """Rewrite the drifted managed fields with pull's update code; never moves files.
    Every file's new text is computed before any is written, so a failure while
    computing leaves the tree as it was. ``template_for(path)`` is the template of
    the spec's release, as pull uses. Returns the paths rewritten, as "path: why"
    what could not be fixed, and a warning per rewritten title whose line is longer
    than ``max_line_length``."""
    planned: list[tuple[_Spec, str]] = []
    unfixed: list[str] = []
    warnings: list[str] = []
    for spec in specs:
        blueprint = spec.blueprint
        if blueprint is None or spec.link is None:
            continue
        url = blueprint_url(blueprint.project, blueprint.name)
        text = spec.text
        if "LPS102" in spec.fix:
            # update_text keeps any link that names the right blueprint, even a broken
            # one (double slash, wrapped): splice the canonical URL over it first.
            text = text[: spec.link.start] + url + text[spec.link.end :]
        values = specdoc.BlueprintValues(
            title=blueprint.title if "LPS301" in spec.fix else (spec.fields.title_text or ""),
            url=url,
            assignee=blueprint.assignee if "LPS401" in spec.fix else None,
            milestone=blueprint.milestone if "LPS501" in spec.fix else None,
            assignee_name=spec.assignee_name,
        )
        try:
            template = template_for(spec.path)
            new = specdoc.update_text(text, values, template, path=spec.path)
        except SpecError as exc:
            errors.append(AuditError(spec.rel, f"cannot fix: {exc.detail}", fixing=True))
            continue
        if new != spec.text:
            planned.append((spec, new))
        unfixed += [f"{spec.rel}: {why}" for why in _left_as_written(new, values)]
    fixed: list[str] = []
    for spec, new in planned:
        try:
            # Through a symlink, rewrite the file it points to, not the link.
            write_atomic(spec.path.resolve(), new)
        except LpsyncError as exc:
            errors.append(AuditError(spec.rel, f"cannot fix: {exc}", fixing=True))
            continue
        fixed.append(spec.rel)
        long = specdoc.long_title(spec.rel, new, config.max_line_length)
        if long and "LPS301" in spec.fix:
            warnings.append(long)
    return fixed, unfixed, warnings


def _left_as_written(text: str, values: specdoc.BlueprintValues) -> list[str]:
    """Why fields the update was asked to fix still drift: it never deletes prose."""
    reasons = []
    for name in specdoc.stale_fields(text, values):
        if name == "assignee" and not specdoc.read_fields(text).has_assignee_field:
            reasons.append("no Assignee(s) section to put the primary assignee in")
        else:
            reasons.append(f"the {name} spans several lines of prose; left as written")
    return reasons
