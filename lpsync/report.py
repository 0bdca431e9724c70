"""Audit output: ``text`` for people and Zuul logs, ``json`` for tools, ``github`` for
GitHub Actions annotations. Output is deterministic (the audit sorts its findings)."""

from __future__ import annotations

import json

from lpsync.audit import FIXABLE, AuditResult

FORMATS = ("text", "json", "github")
JSON_VERSION = 1

# ANSI SGR; only used when the CLI says stdout is a colour terminal.
_RESET = "\033[0m"
_BOLD = "\033[1m"
_RED = "\033[31m"
_YELLOW = "\033[33m"


def render(result: AuditResult, fmt: str, color: bool = False) -> str:
    """The whole report, ending in a newline."""
    if fmt == "text":
        return _text(result, color)
    if fmt == "json":
        return _json(result)
    if fmt == "github":
        return _github(result)
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def summary(result: AuditResult) -> str:
    """One line: what was checked and what was found."""
    specs = _plural(result.checked, "spec")
    parts = [_plural(len(result.findings), "finding")]
    if result.errors:
        parts.append(_plural(len(result.errors), "error"))
    if result.fixed:
        parts.append(f"{_plural(len(result.fixed), 'file')} fixed")
    if result.unfixed:
        parts.append(f"{len(result.unfixed)} not fixable")
    line = f"lpsync {result.command}: {specs} checked, {', '.join(parts)}"
    if any(not e.fixing for e in result.errors):
        line += " (incomplete: some specs could not be checked)"
    elif result.errors:  # every spec was checked; some fixes failed
        line += " (incomplete: some specs were checked but could not be fixed)"
    elif not (result.fixed or result.unfixed) and any(
        f.code in FIXABLE and f.expected is not None for f in result.findings
    ):
        line += "; 'lpsync audit --fix' rewrites titles, URLs, assignees and milestones"
    return line


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _text(result: AuditResult, color: bool) -> str:
    def paint(text: str, *styles: str) -> str:
        return "".join(styles) + text + _RESET if color else text

    lines = [
        f"{paint(f'{_escape_path(f.path)}:{f.line}:', _BOLD)} {paint(f.code, _YELLOW)} "
        f"{_one_line(f.message)}"
        for f in result.findings
    ]
    lines += [
        f"{paint(_escape_path(e.path) + (f':{e.line}:' if e.line else ':'), _BOLD)} "
        f"{paint('error:', _RED)} {_one_line(e.message)}"
        for e in result.errors
    ]
    lines += [f"{paint('not fixed:', _YELLOW)} {_one_line(why)}" for why in result.unfixed]
    lines += [f"{paint('warning:', _YELLOW)} {_one_line(w)}" for w in result.warnings]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _escape_path(path: str) -> str:
    # A file name may hold a newline; the finding must stay on its one line.
    return path.replace("\r", "\\r").replace("\n", "\\n")


def _one_line(text: str) -> str:
    # A title or assignee quoted from a spec may span lines; one finding, one line.
    return " ".join(text.split())


def _json(result: AuditResult) -> str:
    document: dict[str, object] = {
        "version": JSON_VERSION,
        "checked": result.checked,
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "code": f.code,
                "blueprint": f.blueprint,
                "field": f.field,
                "expected": f.expected,
                "actual": f.actual,
                "message": f.message,
            }
            for f in result.findings
        ],
        "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in result.errors],
    }
    # Only after --fix did something: version 1 readers see the keys they know.
    if result.fixed:
        document["fixed"] = result.fixed
    if result.unfixed:
        document["not_fixed"] = result.unfixed
    if result.warnings:
        document["warnings"] = result.warnings
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _github(result: AuditResult) -> str:
    """Workflow commands: https://docs.github.com/actions/reference/workflow-commands."""
    lines = [
        _command(
            "warning",
            {"file": f.path, "line": str(f.line), "title": f"lpsync {f.code}"},
            f.message,
        )
        for f in result.findings
    ]
    lines += [
        _command(
            "error",
            {
                "file": e.path,
                **({"line": str(e.line)} if e.line else {}),
                "title": f"lpsync {result.command}",
            },
            e.message,
        )
        for e in result.errors
    ]
    lines += [
        _command("notice", {"file": path, "title": "lpsync --fix"}, "rewritten by lpsync --fix")
        for path in result.fixed
    ]
    lines += [
        _command("notice", {"title": "lpsync --fix"}, f"not fixed: {why}") for why in result.unfixed
    ]
    lines += [
        _command("warning", {"title": f"lpsync {result.command}"}, w) for w in result.warnings
    ]
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def _command(kind: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{kind} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
