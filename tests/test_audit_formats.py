"""Golden output of every format on one fixed small repo, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_audit import audit, audit_sandbox, bp_url, make_repo, spec

from lpsync.audit import AuditResult
from lpsync.errors import LaunchpadError
from lpsync.report import render
from lpsync.sandbox import Sandbox

__all__ = ["audit", "audit_sandbox"]  # fixtures

FILES = {
    "setup.cfg": "[lpsync]\nproject = nova\n",
    "specs/zed/approved/retitled.rst": spec("The old title", bp_url("nova", "retitled"), "jdoe"),
    "specs/zed/approved/reassigned.rst": spec(
        "Reassigned", bp_url("nova", "reassigned"), "Jane Doe, 50%"
    ),
    "specs/zed/implemented/started.rst": spec("Started", bp_url("nova", "started")),
    "specs/zed/approved/ghost.rst": spec("Ghost", bp_url("nova", "ghost")),
    "specs/zed/approved/clean.rst": spec(
        "Clean blueprint", bp_url("nova", "clean"), "jdoe", "zed-1"
    ),
}

TEXT = """\
specs/zed/approved/ghost.rst:7: LPS201 nova/ghost: no such blueprint on Launchpad
specs/zed/approved/reassigned.rst:21: LPS401 assignee 'Jane Doe, 50%' does not name \
nova/reassigned's assignee rroe (Richard Roe)
specs/zed/approved/retitled.rst:4: LPS301 title differs from nova/retitled: Launchpad has \
'The new title'
specs/zed/implemented/started.rst:4: LPS601 spec is under implemented/ but nova/started is \
'Started', not Implemented
lpsync audit: 5 specs checked, 4 findings; 'lpsync audit --fix' rewrites titles, URLs, \
assignees and milestones
"""

GITHUB = """\
::warning file=specs/zed/approved/ghost.rst,line=7,title=lpsync LPS201::nova/ghost: no such \
blueprint on Launchpad
::warning file=specs/zed/approved/reassigned.rst,line=21,title=lpsync LPS401::assignee \
'Jane Doe, 50%25' does not name nova/reassigned's assignee rroe (Richard Roe)
::warning file=specs/zed/approved/retitled.rst,line=4,title=lpsync LPS301::title differs \
from nova/retitled: Launchpad has 'The new title'
::warning file=specs/zed/implemented/started.rst,line=4,title=lpsync LPS601::spec is under \
implemented/ but nova/started is 'Started', not Implemented
lpsync audit: 5 specs checked, 4 findings; 'lpsync audit --fix' rewrites titles, URLs, \
assignees and milestones
"""

JSON = {
    "version": 1,
    "checked": 5,
    "findings": [
        {
            "path": "specs/zed/approved/ghost.rst",
            "line": 7,
            "code": "LPS201",
            "blueprint": "nova/ghost",
            "field": "blueprint",
            "expected": None,
            "actual": "https://blueprints.launchpad.net/nova/+spec/ghost",
            "message": "nova/ghost: no such blueprint on Launchpad",
        },
        {
            "path": "specs/zed/approved/reassigned.rst",
            "line": 21,
            "code": "LPS401",
            "blueprint": "nova/reassigned",
            "field": "assignee",
            "expected": "rroe",
            "actual": "Jane Doe, 50%",
            "message": "assignee 'Jane Doe, 50%' does not name nova/reassigned's assignee "
            "rroe (Richard Roe)",
        },
        {
            "path": "specs/zed/approved/retitled.rst",
            "line": 4,
            "code": "LPS301",
            "blueprint": "nova/retitled",
            "field": "title",
            "expected": "The new title",
            "actual": "The old title",
            "message": "title differs from nova/retitled: Launchpad has 'The new title'",
        },
        {
            "path": "specs/zed/implemented/started.rst",
            "line": 4,
            "code": "LPS601",
            "blueprint": "nova/started",
            "field": "status",
            "expected": "Started",
            "actual": "implemented",
            "message": "spec is under implemented/ but nova/started is 'Started', not Implemented",
        },
    ],
    "errors": [],
}


@pytest.fixture
def result(tmp_path: Path, audit) -> AuditResult:
    return audit(make_repo(tmp_path / "repo", FILES))


def test_text_golden(result: AuditResult) -> None:
    assert render(result, "text") == TEXT
    assert result.exit_code == 1


def test_github_golden(result: AuditResult) -> None:
    assert render(result, "github") == GITHUB


def test_json_golden(result: AuditResult) -> None:
    assert json.loads(render(result, "json")) == JSON


def test_exit_0_when_clean(tmp_path: Path, audit) -> None:
    files = {k: v for k, v in FILES.items() if k.endswith(("clean.rst", ".cfg"))}
    result = audit(make_repo(tmp_path / "repo", files))
    assert (result.exit_code, render(result, "text")) == (
        0,
        "lpsync audit: 1 spec checked, 0 findings\n",
    )


def test_exit_3_when_a_spec_is_unreadable(tmp_path: Path, audit) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    (repo / "specs/zed/approved/clean.rst").write_bytes(b"\xff oops\n")
    result = audit(repo)
    assert result.exit_code == 3
    assert len(result.findings) == 4
    document = json.loads(render(result, "json"))
    assert document["errors"] == [
        {"path": "specs/zed/approved/clean.rst", "line": 1, "message": "not valid UTF-8 (byte 0)"}
    ]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"malformed": True}, "not valid JSON"),
    ],
)
def test_launchpad_faults_raise_one_clear_line(
    audit_sandbox: Sandbox, tmp_path: Path, audit, fault: dict, expected: str
) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    audit_sandbox.add_fault(r"all_specifications|getSpecification", **fault)
    with pytest.raises(LaunchpadError, match=expected) as caught:
        audit(repo, fix=True)
    message = str(caught.value)
    assert "\n" not in message and "nova" in message
    assert caught.value.exit_code == 3


def test_launchpad_timeout(audit_sandbox: Sandbox, tmp_path: Path) -> None:
    from lpsync.audit import run_audit
    from lpsync.config import load_config
    from lpsync.launchpad import open_launchpad

    repo = make_repo(tmp_path / "repo", FILES)
    with open_launchpad(audit_sandbox.service_root, cache_dir=tmp_path / "c", timeout=0.5) as lp:
        audit_sandbox.add_fault(r"~rroe", hang=True, times=1)
        try:
            with pytest.raises(LaunchpadError, match="timed out"):
                run_audit(repo, load_config(repo), lp, fix=True)
        finally:
            audit_sandbox.clear_faults()
    # Nothing was fixed: the title drift of retitled.rst is still there.
    assert "The old title" in (repo / "specs/zed/approved/retitled.rst").read_text()
