"""A spec's structure as docutils sees it: its section tree and its literal blocks.

Lint compares every spec's sections with its template's, so reading them must be cheap
(a full docutils parse costs 8-28 ms a spec). The fast reader gives docutils only the
lines that can matter, as the field reader does:

* every section title is a non-blank line followed by an adornment line, so those
  lines are the candidates;
* docutils parses the top-level blocks holding a candidate (a block runs from an
  unindented line after a blank line to the next such line; in RST only such a line
  starts a new element at section level), joined in order, plus everything before the
  first section, which decides whether docutils would take that section as the
  document title.

docutils then decides which candidates are sections and how they nest (levels come
from the order of adornment styles, which the joined blocks keep). A test checks that
the result equals the full parse's on every corpus spec.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from docutils import nodes
from docutils.utils import column_width

from lpsync.specdoc.lines import _ADORN_RE, _join_ranges, _Lines, _title_candidates
from lpsync.specdoc.parse import _parse

__all__ = [
    "Section",
    "SectionTree",
    "literal_lines",
    "read_full",
    "read_sections",
    "read_sections_full",
]


@dataclass(frozen=True)
class Section:
    title: str  # as rendered, whitespace collapsed
    line: int  # 1-based line of the title text
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class SectionTree:
    """The document's top-level sections, and whether docutils' DocTitle transform
    would promote the only one to the document title (only comments, targets and
    the like before it), as ``publish_doctree`` does for the repos' own tests."""

    sections: tuple[Section, ...]
    titled: bool

    @property
    def top_level(self) -> tuple[Section, ...]:
        """The sections a template lists at its top level: the title's children when
        the document has a title, else the top-level sections themselves."""
        return self.sections[0].children if self.titled else self.sections


def _content(lv: _Lines) -> list[str]:
    if lv.bom:
        return [lv.content[0][1:], *lv.content[1:]]
    return list(lv.content)


def _tree(document: nodes.document, line_map: Sequence[int] | None) -> SectionTree:
    def sections(node: nodes.Element) -> tuple[Section, ...]:
        found: list[Section] = []
        for child in node.children:
            if not isinstance(child, nodes.section):
                continue
            title = child.next_node(nodes.title)
            line = 0
            if title is not None and title.line:
                idx = title.line - 2  # .line is the underline; 0-based text line
                if line_map is not None:
                    idx = line_map[idx] if 0 <= idx < len(line_map) else -1
                line = idx + 1
            text = " ".join(title.astext().split()) if title is not None else ""
            found.append(Section(text, line, sections(child)))
        return tuple(found)

    top = sections(document)
    first = next((c for c in document.children if not isinstance(c, nodes.PreBibliographic)), None)
    titled = len(top) == 1 and isinstance(first, nodes.section) and document[-1] is first
    return SectionTree(top, titled)


def read_full(
    text: str, wanted: Iterable[int] = (), lines: _Lines | None = None
) -> tuple[SectionTree, set[int]]:
    """Reference reader: docutils parses the whole file once. The section tree, and
    which of the 1-based ``wanted`` lines lie in a literal block."""
    content = _content(lines if lines is not None else _Lines(text))
    document = _parse(content)
    literal = _literal_lines(document, content)
    return _tree(document, None), {n for n in wanted if n - 1 in literal}


def read_sections_full(text: str, lines: _Lines | None = None) -> SectionTree:
    """Reference reader of the section tree: docutils parses the whole file."""
    return read_full(text, (), lines)[0]


def read_sections(text: str, lines: _Lines | None = None) -> SectionTree:
    """The section tree, with docutils seeing only the blocks that hold a title.
    ``lines``: the text already split (``_Lines(text)``), to split it once."""
    lv = lines if lines is not None else _Lines(text)
    candidates = list(_title_candidates(lv))
    if not candidates:
        return SectionTree((), False)
    content = _content(lv)
    if _SIMPLE_TABLE_RE.search(text):
        # A simple table may hold blank lines, so its rows are no blocks of their own,
        # and a row over a dash line looks like a title: docutils reads all of it.
        return _tree(_parse(content), None)
    plain = _plain_tree(content, candidates)
    if plain is not None:
        return plain
    # From the block's start to the underline: what follows cannot change the title.
    blocks = [(lv.block_bounds(i)[0], i + 2) for i in candidates]
    prefix = blocks[0][0]
    while True:
        # Comments before the first title (the licence) can only be invisible to the
        # title decision: leave them out rather than have docutils parse them.
        invisible = _only_comments(content[:prefix])
        ranges = [*blocks, (0, prefix)] if prefix and not invisible else blocks
        joined, line_map = _join_ranges(content, ranges)
        tree = _tree(_parse(joined), line_map)
        if not tree.sections:
            return tree
        # Whether the first section is the document title depends on everything
        # before it: when the first candidate was no section, read up to the first one.
        first_start = lv.block_bounds(tree.sections[0].line - 1)[0]
        if first_start <= prefix:
            return tree
        prefix = first_start


# Title text docutils renders as written: no inline markup, no list or other marker.
_PLAIN_TITLE_RE = re.compile(r"[A-Za-z0-9\"'][^`*|\\\[\]<>\t]*\Z")
# An underscore that could end a reference (``name_``) or start one (``_name``).
_REFERENCE_RE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENUMERATOR_RE = re.compile(r"(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)]\s")
_SIMPLE_TABLE_RE = re.compile(r"^=+( +=+)+[ \t]*\r?$", re.MULTILINE)


def _plain_tree(content: Sequence[str], candidates: Sequence[int]) -> SectionTree | None:
    """The tree without docutils, for the common document whose every title is plain:
    at column 0 after a blank line (or under a matching overline), plain text, an
    adornment at least as wide, comments alone before the first,
    levels as docutils assigns them. None when anything is less plain; then docutils
    decides. A test checks that this equals docutils' tree on every corpus spec."""
    styles: list[tuple[str, str]] = []
    stack: list[tuple[str, int, list]] = []  # open sections: title, line, children
    top: list = []
    first_start: int | None = None
    for i in candidates:
        text = content[i]
        if text[:1].isspace():
            over = content[i - 1] if i else ""
            if over.strip() and _ADORN_RE.match(over):
                return None  # an inset title under an overline
            continue  # indented: inside a quote, list or literal block, never a title
        under = content[i + 1].rstrip()
        if (
            not _PLAIN_TITLE_RE.match(text.rstrip())
            or _REFERENCE_RE.search(text)
            or _ENUMERATOR_RE.match(text)
            or len(under) < column_width(text.rstrip())
        ):
            return None
        start = i
        over_char = ""
        if i and content[i - 1].strip():
            over = content[i - 1].rstrip()
            if over != under or (i > 1 and content[i - 2].strip()):
                return None
            start, over_char = i - 1, over[0]
        style = (over_char, under[0])
        level = styles.index(style) + 1 if style in styles else len(styles) + 1
        if level > len(stack) + 1:
            return None  # docutils reports an inconsistent title style
        if level > len(styles):
            styles.append(style)
        del stack[level - 1 :]
        node: tuple[str, int, list] = (" ".join(text.split()), i + 1, [])
        (stack[-1][2] if stack else top).append(node)
        stack.append(node)
        if first_start is None:
            first_start = start
    if first_start is None:
        return SectionTree((), False)
    if not _only_comments(content[:first_start]):
        return None

    def freeze(nodes_: list) -> tuple[Section, ...]:
        return tuple(Section(t, n, freeze(c)) for t, n, c in nodes_)

    return SectionTree(freeze(top), len(top) == 1)


def _only_comments(lines: Sequence[str]) -> bool:
    """Lines that certainly hold nothing but comments: each block opens at column 0
    with ``..`` (and text, or its indented body on the next line: an empty ``..``
    before a blank line is an empty comment, and what follows it a block quote), has
    no ``::`` anywhere (a directive), and goes on only with indented lines."""
    in_comment = False
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        if "::" in line:
            return False
        if line[:1].isspace():
            if not in_comment:
                return False
            continue
        if not (line == ".." or line.startswith(".. ")) or (k and lines[k - 1].strip()):
            return False  # prose, or explicit markup straight after a comment's text
        if not line[2:].strip() and not (k + 1 < len(lines) and lines[k + 1][:1].isspace()):
            return False
        in_comment = True
    return True


def literal_lines(text: str, lines: Iterable[int], split: _Lines | None = None) -> set[int]:
    """Which of the given 1-based ``lines`` lie in a literal block (after ``::``, a
    code directive, or a directive docutils does not know, whose text it keeps as
    written); docutils parses only the blocks holding them."""
    wanted = sorted(set(lines))
    if not wanted:
        return set()
    lv = split if split is not None else _Lines(text)
    content = _content(lv)
    ranges = [_with_introduction(lv, *lv.block_bounds(n - 1)) for n in wanted]
    parsed, line_map = _join_ranges(content, ranges)
    literal = {line_map[i] for i in _literal_lines(_parse(parsed), parsed)}
    return {n for n in wanted if n - 1 in literal}


def _with_introduction(lv: _Lines, start: int, end: int) -> tuple[int, int]:
    """The block, and before it every block ending in ``::``: an unindented block
    right after ``::`` is a quoted literal block (each line starts with ``>``, say)."""
    content = lv.content
    while start > 0:
        prev = start - 1
        while prev >= 0 and not content[prev].strip():
            prev -= 1
        if prev < 0 or not content[prev].rstrip().endswith("::"):
            break
        start = lv.block_bounds(prev)[0]
    return start, end


def _literal_lines(document: nodes.document, content: Sequence[str]) -> set[int]:
    """The 0-based indices of ``content`` (the lines docutils parsed) that lie in a
    literal block. By position, not by text: a line of prose that reads like a line of
    a literal block is still prose.

    docutils quotes the source in some error messages: of a directive it does not
    know (kept as written, as a literal block) count, but not of a title at an
    inconsistent level, say: that text is no literal block of the document."""
    literal: set[int] = set()
    for block in document.findall(nodes.literal_block):
        message = block.parent
        quoted = isinstance(message, nodes.system_message)
        if quoted and "directive" not in message[0].astext():  # the message's own words
            continue
        # rawsource: the text as written (a code directive's numbered lines add none).
        lines = [line.strip() for line in (block.rawsource or block.astext()).splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        if not lines:
            continue
        # docutils gives a literal block after ``::`` the line it starts on; a code
        # directive's and a quoted directive's lines point past it, or nowhere: the
        # block is where its text is, nearest to that line.
        hint = (block.line or (message.line if quoted else None) or 1) - 1
        start = next((i for i in _outwards(hint, len(content)) if _lines_at(content, i, lines)), -1)
        if start >= 0:
            literal.update(range(start, start + len(lines)))
    return literal


def _outwards(start: int, size: int) -> Iterator[int]:
    """0..size-1, nearest to ``start`` first (the earlier of two equally near)."""
    start = min(max(start, 0), size - 1)
    yield start
    for d in range(1, size):
        if start - d >= 0:
            yield start - d
        if start + d < size:
            yield start + d


def _lines_at(content: Sequence[str], start: int, lines: Sequence[str]) -> bool:
    if start < 0 or start + len(lines) > len(content):
        return False
    return all(content[start + k].expandtabs(8).strip() == line for k, line in enumerate(lines))
