"""Builders for audit tests and the benchmark: spec text, git repos, stand-in data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gitrepos import git, make_repo  # noqa: F401  (re-exported for audit tests)

from lpsync.audit import AuditResult, run_audit
from lpsync.config import load_config
from lpsync.launchpad import open_launchpad
from lpsync.sandbox import Sandbox, SandboxData


def spec(
    title: str,
    url: str | None,
    assignee: str | None = None,
    milestone: str | None = None,
    *,
    milestone_field: bool = True,
) -> str:
    """An oslo-template-shaped spec. ``assignee=None`` leaves the Assignee(s) section
    out; ``milestone_field=False`` leaves the Milestones section out."""
    bar = "=" * (len(title) + 2)
    parts = [
        ".. Licensed under CC BY 3.0.",
        "",
        bar,
        f" {title}",
        bar,
        "",
    ]
    if url is not None:
        parts += [url, ""]
    parts += [
        "Problem description",
        "===================",
        "",
        "Something is missing.",
        "",
        "Implementation",
        "==============",
        "",
    ]
    if assignee is not None:
        parts += ["Assignee(s)", "-----------", "", "Primary assignee:", f"  {assignee}", ""]
    if milestone_field:
        parts += ["Milestones", "----------", "", "Target Milestone for completion:"]
        parts += [f"  {milestone}", ""] if milestone else [""]
    parts += ["Work Items", "----------", "", "* Write the code.", ""]
    return "\n".join(parts)


def bp_url(project: str, name: str) -> str:
    return f"https://blueprints.launchpad.net/{project}/+spec/{name}"


def base_data() -> SandboxData:
    """People, the nova and oslo.messaging projects (the latter in the oslo group)."""
    data = SandboxData()
    data.add_person(name="jdoe", display_name="Jane Doe")
    data.add_person(name="rroe", display_name="Richard Roe")
    data.add_person(name="hberaud", display_name="Hervé Beraud")
    data.add_project_group(name="oslo", display_name="Oslo")
    for project in ("nova", "oslo.messaging"):
        group = "oslo" if project.startswith("oslo") else None
        data.add_project(name=project, display_name=project.title(), project_group=group)
        data.add_series(project=project, name="zed")
        data.add_milestone(project=project, name="zed-1", series="zed")
        data.add_milestone(project=project, name="zed-2", series="zed")
    return data


BLUEPRINTS = [
    # name, title, assignee, milestone, definition, implementation
    ("clean", "Clean blueprint", "jdoe", "zed-1", "Approved", "Good progress"),
    ("retitled", "The new title", "jdoe", None, "Approved", "Started"),
    ("reassigned", "Reassigned", "rroe", None, "Approved", "Started"),
    ("accented", "Accented", "hberaud", None, "Approved", "Started"),
    ("unassigned", "Unassigned", None, None, "Approved", "Started"),
    ("retargeted", "Retargeted", None, "zed-2", "Approved", "Started"),
    ("done", "Done", None, None, "Approved", "Implemented"),
    ("started", "Started", None, None, "Approved", "Started"),
    ("dead", "Dead", None, None, "Obsolete", "Unknown"),
    ("replaced", "Replaced", None, None, "Superseded", "Unknown"),
]


@pytest.fixture(scope="module")
def audit_sandbox() -> Iterator[Sandbox]:
    data = base_data()
    for name, title, assignee, milestone, definition, impl in BLUEPRINTS:
        data.add_blueprint(
            project="nova",
            name=name,
            title=title,
            assignee=assignee,
            milestone=milestone,
            definition_status=definition,
            implementation_status=impl,
        )
    data.add_blueprint(project="oslo.messaging", name="grouped-too", title="Grouped too")
    data.add_blueprint(
        project="oslo.messaging",
        name="grouped",
        title="Grouped",
        assignee="jdoe",
        milestone="zed-1",
        definition_status="Approved",
        implementation_status="Started",
    )
    with Sandbox.from_model(data) as server:
        server.start()
        yield server


@pytest.fixture
def audit(audit_sandbox: Sandbox, tmp_path: Path) -> Iterator[Callable[..., AuditResult]]:
    """``audit(repo, **kwargs)``: a fresh session (no memo carried over) per call."""

    def run(repo: Path, **kwargs: object) -> AuditResult:
        audit_sandbox.clear_requests()
        with open_launchpad(audit_sandbox.service_root, cache_dir=tmp_path / "lpcache") as lp:
            return run_audit(repo, load_config(repo), lp, **kwargs)  # type: ignore[arg-type]

    yield run
    audit_sandbox.clear_faults()
