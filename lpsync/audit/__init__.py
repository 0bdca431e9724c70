"""``lpsync audit``: do the specs still say what their blueprints say?

The run has three phases so that Launchpad is asked as little as possible and a
Launchpad failure can never leave a half-fixed tree:

1. read every spec (local; unreadable ones become error entries);
2. fetch the linked blueprints in bulk, one ``get_blueprints`` call per project, then
   the display names of just the people an assignee could not be matched without;
3. compare, and with ``fix`` rewrite the drifted fields through ``specdoc.update_text``.

Any ``LaunchpadError`` propagates out of phase 2, before anything is written.

The package: ``model`` (codes, findings, the result, a spec as read), ``links`` (a
spec's own links, LPS101-103), ``read`` (phases 1 and 2), ``checks`` (phase 3) and
``fix`` (``--fix``). Everything other modules use is importable from here."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import specdoc
from lpsync.audit.checks import (
    _check_backlinks,
    _check_existence,
    _check_fields,
    _check_link_projects,
    _check_status,
    _has_folder,
    _speakers,
    parts_under,
    place_of,
)
from lpsync.audit.fix import _fix
from lpsync.audit.links import link_findings
from lpsync.audit.model import (
    ASKING,
    CODES,
    DEAD,
    FIXABLE,
    IMPLEMENTED,
    PEOPLE,
    READING,
    AuditError,
    AuditResult,
    Finding,
    Key,
    LinkedSpec,
    Progress,
)
from lpsync.audit.read import (
    AllExcluded,
    LinkedSpecs,
    _targets,
    excluded_notice,
    read_linked_specs,
    spec_root,
)
from lpsync.config import Config

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession, SessionFactory

__all__ = [
    "ASKING",
    "AllExcluded",
    "CODES",
    "DEAD",
    "FIXABLE",
    "IMPLEMENTED",
    "PEOPLE",
    "READING",
    "AuditError",
    "AuditResult",
    "Finding",
    "Key",
    "LinkedSpec",
    "LinkedSpecs",
    "Progress",
    "_targets",
    "excluded_notice",
    "link_findings",
    "parts_under",
    "place_of",
    "read_linked_specs",
    "run_audit",
    "spec_root",
    "specdoc",
]


def run_audit(
    repo_root: Path,
    config: Config,
    launchpad: LaunchpadSession | SessionFactory,
    paths: Sequence[Path] = (),
    fix: bool = False,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit the specs under ``config.specs_dir`` (or ``paths``) against Launchpad.

    Given a session factory (the CLI's), audit opens the session first and logs in
    from a thread while it finds and reads the specs: the listings go out the moment
    both the login and the specs' link scan are done.

    ``progress(stage, done, total)`` hears of each phase as it goes: READING (files),
    ASKING (Launchpad's listings and people, overlapping the reading), PEOPLE (display
    names still needed once every spec is read).

    Raises LaunchpadError when Launchpad fails (nothing is written then) and
    UsageError for a PATH that is missing or outside the repo. PATHs whose specs are
    all excluded by config ``exclude`` give a result with that one warning (exit 0)."""
    # First, as before: a bad service root is a usage error before any file is read.
    if callable(launchpad):
        launchpad = launchpad(background=True)
    root = Path(os.path.realpath(repo_root))
    spec_root(root, config)
    # Each spec is fixed against its release's template, as pull updates it. A bad
    # configured template would otherwise surface only after every Launchpad read.
    template_for = specdoc.templates_by_release(root, config.specs_dir, config.template)
    if fix:
        template_for(root / config.specs_dir / "template.rst")
    try:
        linked = read_linked_specs(root, config, launchpad, paths, progress, early_people=True)
    except AllExcluded as exc:
        launchpad.logged_in()  # a login under way that failed fails audit, as before
        return AuditResult(checked=0, warnings=[str(exc)])
    specs, specs_root = linked.specs, linked.specs_root
    _check_existence(specs, linked.found, linked.missing_projects, launchpad.place)
    _check_link_projects(specs)
    authoritative = _speakers(specs, specs_root)
    has_implemented = _has_folder(specs_root, "implemented")
    _check_fields(specs, authoritative, launchpad, progress)
    for spec in specs:
        if spec.audited and id(spec) in authoritative:
            _check_status(spec, specs_root, has_implemented)

    result = AuditResult(checked=linked.checked, errors=linked.errors, findings=list(linked.broken))
    if config.spec_url:
        result.backlinks = _check_backlinks(
            root, config.spec_url, config.specs_dir, specs, authoritative
        )
    for spec in specs:
        if spec.audited:
            result.findings += spec.findings
    if fix:
        fixable = [s for s in specs if s.audited and s.fix]
        result.fixed, result.unfixed, result.warnings = _fix(
            template_for, fixable, result.errors, config
        )
    result.findings.sort(key=lambda f: (f.path, f.line, f.code))
    result.errors.sort(key=lambda e: e.path)
    return result
