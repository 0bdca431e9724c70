"""Field candidates and docutils' verdict on them.

A cheap scan finds every blueprint host and assignee/milestone label; each is marked
with a same-length token before docutils parses, so the doctree says which candidate
became a hyperlink or prose (see the package docs)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from docutils import nodes

from lpsync.specdoc.lines import _Lines
from lpsync.specdoc.parse import _EXCLUDED

_HOST_RE = re.compile(r"https?://(blueprints)\.launchpad\.net", re.IGNORECASE)
_ASSIGNEE_RE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?(Primary)[ \t]+assignees?(?:\(s\))?(?:/contact)?"
    r"(?:\*\*)?[ \t]*:(?:\*\*)?",
    re.IGNORECASE | re.MULTILINE,
)
_MILESTONE_RE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?(Target)[ \t]+milestone[ \t]+for[ \t]+completion"
    r"(?:\*\*)?[ \t]*:(?:\*\*)?",
    re.IGNORECASE | re.MULTILINE,
)


# The host's case is kept as written (Blueprints.Launchpad.net is the same host).
_MARK_RE = re.compile(r"bp(\d{8})\.(?i:launchpad\.net)|Q(\d{6})\b|T(\d{5})\b")


@dataclass
class _Candidates:
    hosts: list[int]  # offsets of "blueprints" in the URL host
    assignee: list[tuple[int, re.Match]]
    milestone: list[tuple[int, re.Match]]


def _find_hosts(text: str) -> list[int]:
    return [m.start(1) for m in _HOST_RE.finditer(text)]


def _find_candidates(text: str) -> _Candidates:
    return _Candidates(
        hosts=_find_hosts(text),
        assignee=[(m.start(1), m) for m in _ASSIGNEE_RE.finditer(text)],
        milestone=[(m.start(1), m) for m in _MILESTONE_RE.finditer(text)],
    )


def _marked_lines(lv: _Lines, cand: _Candidates) -> list[str]:
    """The lines with every candidate replaced by its numbered marker."""
    edits: list[tuple[int, str]] = []
    for k, off in enumerate(cand.hosts):
        edits.append((off, f"bp{k:08d}"))
    for k, (off, _m) in enumerate(cand.assignee):
        edits.append((off, f"Q{k:06d}"))
    for k, (off, _m) in enumerate(cand.milestone):
        edits.append((off, f"T{k:05d}"))
    content = list(lv.content)
    by_line: dict[int, list[tuple[int, str]]] = {}
    for off, rep in edits:
        by_line.setdefault(lv.line_of(off), []).append((off, rep))
    for i, items in by_line.items():
        line = content[i]
        base = lv.starts[i]
        for off, rep in sorted(items, reverse=True):
            col = off - base
            line = line[:col] + rep + line[col + len(rep) :]
        content[i] = line
    if content and lv.bom:
        content[0] = content[0][1:]
    return content


@dataclass
class _Decision:
    links: dict[int, str]  # host candidate -> refuri as docutils built it (marked)
    assignee: set[int]
    milestone: set[int]
    title_line: int | None  # 0-based line of the title text (in the parsed lines)
    title_text: str | None


def _decide(document: nodes.document, line_map: Sequence[int] | None) -> _Decision:
    """Read what docutils made of the marked candidates."""
    links: dict[int, str] = {}
    assignee: set[int] = set()
    milestone: set[int] = set()
    title_line = None
    title_text = None

    def visit(node: nodes.Node, in_text: bool) -> None:
        nonlocal title_line, title_text
        if isinstance(node, _EXCLUDED):
            return
        if isinstance(node, nodes.Text):
            for m in _MARK_RE.finditer(str(node)):
                if m.group(2):
                    assignee.add(int(m.group(2)))
                elif m.group(3):
                    milestone.add(int(m.group(3)))
            return
        assert isinstance(node, nodes.Element)
        uri = node.get("refuri")
        if uri and (isinstance(node, nodes.reference) or not in_text):
            for m in _MARK_RE.finditer(uri):
                if m.group(1):
                    links.setdefault(int(m.group(1)), uri)
        if isinstance(node, nodes.title) and title_line is None:
            parent = node.parent
            if isinstance(parent, nodes.section) and node.line:
                idx = node.line - 2  # .line is the underline; 0-based text line
                if line_map is not None:
                    idx = line_map[idx] if 0 <= idx < len(line_map) else -1
                title_line = idx
                title_text = node.astext()
        child_in_text = in_text or isinstance(node, nodes.TextElement)
        for child in node.children:
            visit(child, child_in_text)

    visit(document, False)
    return _Decision(links, assignee, milestone, title_line, title_text)


# --------------------------------------------------------------------------- extraction
