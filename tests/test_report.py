"""Output formats of the audit, on hand-built results (end-to-end goldens are in
test_audit_formats.py)."""

from __future__ import annotations

import json
import re

import pytest

from lpsync.audit import AuditError, AuditResult, Finding
from lpsync.report import FORMATS, render, summary


def finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "path": "specs/zed/foo.rst",
        "line": 2,
        "code": "LPS301",
        "field": "title",
        "blueprint": "nova/foo",
        "expected": "New title",
        "actual": "Old title",
        "message": "title differs from nova/foo: Launchpad has 'New title'",
    }
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_text_one_line_per_finding_then_summary() -> None:
    result = AuditResult(checked=3, findings=[finding(), finding(line=9, code="LPS501")])
    assert render(result, "text") == (
        "specs/zed/foo.rst:2: LPS301 title differs from nova/foo: Launchpad has 'New title'\n"
        "specs/zed/foo.rst:9: LPS501 title differs from nova/foo: Launchpad has 'New title'\n"
        "lpsync audit: 3 specs checked, 2 findings; 'lpsync audit --fix' rewrites titles, "
        "URLs, assignees and milestones\n"
    )


def test_text_keeps_a_multi_line_message_on_one_line() -> None:
    result = AuditResult(checked=1, findings=[finding(message="assignee 'a\nb' is wrong")])
    first = render(result, "text").splitlines()[0]
    assert first == "specs/zed/foo.rst:2: LPS301 assignee 'a b' is wrong"


def test_text_clean_run() -> None:
    assert render(AuditResult(checked=1), "text") == "lpsync audit: 1 spec checked, 0 findings\n"


def test_text_errors_and_fixed() -> None:
    result = AuditResult(
        checked=2,
        findings=[finding()],
        errors=[AuditError("specs/zed/bad.rst", "not UTF-8 text (byte 3)")],
        fixed=["specs/zed/foo.rst"],
    )
    assert render(result, "text") == (
        "specs/zed/foo.rst:2: LPS301 title differs from nova/foo: Launchpad has 'New title'\n"
        "specs/zed/bad.rst: error: not UTF-8 text (byte 3)\n"
        "lpsync audit: 2 specs checked, 1 finding, 1 error, 1 file fixed "
        "(incomplete: some specs could not be checked)\n"
    )


def test_colour_only_when_asked() -> None:
    result = AuditResult(checked=1, findings=[finding()])
    assert "\033[" not in render(result, "text")
    coloured = render(result, "text", color=True)
    assert "\033[33mLPS301\033[0m" in coloured
    # Stripping the escapes gives the plain report back.
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == render(result, "text")


def test_json_schema() -> None:
    result = AuditResult(
        checked=2, findings=[finding()], errors=[AuditError("specs/x.rst", "broken symlink")]
    )
    document = json.loads(render(result, "json"))
    assert document == {
        "version": 1,
        "checked": 2,
        "findings": [
            {
                "path": "specs/zed/foo.rst",
                "line": 2,
                "code": "LPS301",
                "blueprint": "nova/foo",
                "field": "title",
                "expected": "New title",
                "actual": "Old title",
                "message": "title differs from nova/foo: Launchpad has 'New title'",
            }
        ],
        "errors": [{"path": "specs/x.rst", "line": None, "message": "broken symlink"}],
    }


def test_json_keeps_non_ascii() -> None:
    result = AuditResult(checked=1, findings=[finding(expected="Hervé")])
    assert '"expected": "Hervé"' in render(result, "json")


def test_github_escapes_data_and_properties() -> None:
    result = AuditResult(
        checked=1,
        findings=[finding(path="specs/a,b:c.rst", message="100% wrong\r\nsecond: line, here")],
        errors=[AuditError("specs/%.rst", "cannot read:\nboom")],
    )
    lines = render(result, "github").splitlines()
    assert lines[0] == (
        "::warning file=specs/a%2Cb%3Ac.rst,line=2,title=lpsync LPS301::"
        "100%25 wrong%0D%0Asecond: line, here"
    )
    assert lines[1] == "::error file=specs/%25.rst,title=lpsync audit::cannot read:%0Aboom"
    assert lines[2] == summary(result)


def test_every_format_ends_with_a_newline() -> None:
    for fmt in FORMATS:
        assert render(AuditResult(checked=0), fmt).endswith("\n")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(AuditResult(checked=0), "xml")
