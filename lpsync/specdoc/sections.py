"""Sections with their raw line spans (start, title, body, end), as the surgical
edits and the preamble reader need them. lint's section tree is ``structure``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from docutils import nodes

from lpsync.specdoc.candidates import _decide
from lpsync.specdoc.lines import _ADORN_RE, _Lines, _title_candidates
from lpsync.specdoc.parse import _EXCLUDED, _parse


@dataclass
class _Section:
    title: str
    depth: int
    start: int  # 0-based first line (overline if any)
    text_line: int  # 0-based title text line
    body: int  # 0-based first line after the underline
    end: int = 0  # 0-based line where the next same-or-higher section starts
    char: str = "="
    overline: bool = False


def _sections(lv: _Lines) -> list[_Section]:
    """Section titles as docutils sees them (full parse), with raw line positions."""
    document = _parse(lv.content if not lv.bom else [lv.content[0][1:], *lv.content[1:]])
    found: list[_Section] = []

    def visit(node: nodes.Element, depth: int) -> None:
        for child in node.children:
            if isinstance(child, nodes.section):
                title = child.next_node(nodes.title)
                if title is not None and title.line:
                    under = title.line - 1
                    text_line = under - 1
                    char = lv.content[under].strip()[:1] or "="
                    start = text_line
                    over = text_line - 1
                    if (
                        over >= 0
                        and lv.content[over].strip()[:1] == char
                        and _ADORN_RE.match(lv.content[over])
                    ):
                        start = over
                    found.append(
                        _Section(
                            title.astext(),
                            depth,
                            start,
                            text_line,
                            under + 1,
                            0,
                            char,
                            start != text_line,
                        )
                    )
                visit(child, depth + 1)
            elif isinstance(child, nodes.Element) and not isinstance(child, _EXCLUDED):
                visit(child, depth)

    visit(document, 0)
    for n, sec in enumerate(found):
        sec.end = len(lv)
        for later in found[n + 1 :]:
            if later.depth <= sec.depth:
                sec.end = later.start
                break
    return found


def _find_section(sections: Sequence[_Section], pattern: str) -> _Section | None:
    rx = re.compile(pattern, re.IGNORECASE)
    for sec in sections:
        if rx.match(sec.title.strip()):
            return sec
    return None


def _preamble_end(lv: _Lines, title_line: int) -> Iterator[_Section]:
    """Section titles after the document title, cheaply: a raw title candidate that
    docutils accepts in its own block."""
    for i in _title_candidates(lv):
        if i <= title_line + 1:
            continue  # the document title itself
        start, end = lv.block_bounds(i)
        if _block_title_line(tuple(lv.content[start:end])) == i - start:
            start = i - 1 if i > 0 and _ADORN_RE.match(lv.content[i - 1]) else i
            yield _Section(lv.content[i].strip(), 1, start, i, i + 2)
            return


@lru_cache(maxsize=256)
def _block_title_line(block: tuple[str, ...]) -> int | None:
    """The line of ``block`` (one top-level block) docutils reads as a section title.
    Cached: the section titles after a spec's preamble are the template's, the same
    few blocks in every spec of a repo."""
    return _decide(_parse(block), None).title_line
