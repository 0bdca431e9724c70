"""Read and surgically update the fields lpsync manages in a spec file.

The four fields are the document title, the blueprint URL, the ``Primary assignee:``
value and the ``Target Milestone for completion:`` value.

How reading works:

* A cheap line scan finds *candidates*: every ``https://blueprints.launchpad.net`` host,
  every assignee/milestone label, every line that could be a section title.
* docutils decides which candidates are real.  Each candidate is *marked* in the text
  given to docutils with a same-length, same-character-class token (``blueprints`` ->
  ``bp00000007``, ``Primary`` -> ``Q000007``, ``Target`` -> ``T00007``) so that the
  doctree tells exactly which candidate became a hyperlink or prose, without relying on
  docutils' unreliable ``.line`` values.  Markers cannot change the structure docutils
  sees because lengths and character classes are unchanged.
* The fast reader gives docutils only the top-level blocks that hold a candidate (a
  block runs from an unindented line after a blank line to the next such line: in RST
  only such a line can start a new body element at section level).  The reference
  reader gives docutils the whole file.  Both then share the same value extraction, so
  they agree wherever docutils agrees on the blocks; a test checks this over the corpus.
* Values (where the URL ends, what follows a label) are taken from the raw text, so
  offsets are exact and updates can splice them byte for byte.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser, roles, states
from docutils.utils import column_width, new_document

from lpsync.errors import SpecError
from lpsync.names import BlueprintRef, contains_token, parse_blueprint_url

__all__ = [
    "BlueprintValues",
    "LinkedBlueprint",
    "Located",
    "SpecFields",
    "default_template",
    "find_template",
    "is_spec_file",
    "preamble_links",
    "read_fields",
    "read_fields_full",
    "read_spec",
    "scaffold",
    "update_text",
]


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class Located:
    """One field occurrence: ``text[start:end] == value``; ``line`` is 1-based."""

    value: str
    line: int
    start: int
    end: int


@dataclass(frozen=True)
class LinkedBlueprint:
    ref: BlueprintRef
    url: str  # as written, line wrapping removed
    line: int
    start: int
    end: int
    malformed: str | None = None


@dataclass(frozen=True)
class SpecFields:
    title: Located | None
    title_text: str | None
    links: tuple[LinkedBlueprint, ...]
    assignee: Located | None
    has_assignee_field: bool
    milestone: Located | None
    has_milestone_field: bool


@dataclass(frozen=True)
class BlueprintValues:
    title: str
    url: str
    assignee: str | None
    milestone: str | None


# --------------------------------------------------------------------------- raw patterns

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
# docutils' adornment rule: one repeated punctuation character from column 0.
_ADORN_RE = re.compile(r"([!-/:-@\[-`{-~])\1*[ \t]*\Z")
_MARK_RE = re.compile(r"bp(\d{8})\.launchpad\.net|Q(\d{6})\b|T(\d{5})\b")
_BULLET_RE = re.compile(r"[-*+][ \t]+")
# A line that is itself a label ("Other contributors:"): ends a value block.
_LABEL_LINE_RE = re.compile(r"[ \t]*(?:[-*+][ \t]+)?[A-Za-z][\w ()/'-]{0,60}:[ \t]*\Z")
# Characters that end a bare URL as written (docutils stops at these too).
_URL_CHARS_RE = re.compile(r"[^\s<>`\"'\\]*")
_TRAILING_PUNCT = ".,;:!?)]}"
_SEP_RE = re.compile(r"\r\n|\r|\n|\x1c|\x1d|\x1e|\x85|\u2028|\u2029")

_EXCLUDED = (
    nodes.comment,
    nodes.literal_block,
    nodes.doctest_block,
    nodes.raw,
    nodes.system_message,
    nodes.literal,
    nodes.math_block,
    nodes.substitution_definition,
    nodes.problematic,
)


# --------------------------------------------------------------------------- docutils


@lru_cache(maxsize=1)
def _settings():
    settings = get_default_settings(Parser)
    settings.report_level = 5  # Sphinx roles/directives must not error
    settings.halt_level = 5
    settings.file_insertion_enabled = False  # never act on .. include::
    settings.raw_enabled = False
    settings.tab_width = 8
    settings.syntax_highlight = "long"
    return settings


_local = threading.local()


def _parse(lines: Sequence[str]) -> nodes.document:
    """Parse already split lines with no transforms.

    Building docutils' state machine costs more than parsing a short snippet, so one
    machine per thread is reused; each run resets its per-document state."""
    settings = _settings()
    document = new_document("<spec>", settings)
    machine = getattr(_local, "machine", None)
    if machine is None:
        machine = states.RSTStateMachine(
            state_classes=states.state_classes, initial_state="Body", debug=False
        )
        _local.machine = machine
        inliner = states.Inliner()
        inliner.init_customizations(settings)
        # Its regex set-up is costly and the settings never change: skip it next time.
        inliner.init_customizations = lambda _settings: None  # type: ignore[method-assign,assignment]
        _local.inliner = inliner
    text = "\n".join(lines)
    from docutils.statemachine import string2lines

    inputlines = string2lines(text, tab_width=8, convert_whitespace=True)
    if any(len(line) > settings.line_length_limit for line in inputlines):
        return document  # docutils refuses such input as a whole: nothing is prose
    try:
        machine.run(inputlines, document, inliner=_local.inliner)
    finally:
        machine.observers.clear()
        roles._roles.pop("", None)  # type: ignore[attr-defined]  # docutils' role cache
    return document


# --------------------------------------------------------------------------- the raw view


class _Lines:
    """The text split the way docutils splits it, with offsets into the original."""

    def __init__(self, text: str) -> None:
        self.text = text
        # docutils turns \v and \f into spaces before splitting; str.splitlines would
        # split on them, so mask them (same length) to keep line numbers in step.
        masked = text.replace("\v", " ").replace("\f", " ")
        starts = [0]
        ends = []
        eols = []
        for m in _SEP_RE.finditer(masked):
            ends.append(m.start())
            eols.append(m.group())
            starts.append(m.end())
        if starts[-1] == len(text) and len(starts) > 1:
            starts.pop()
        else:
            ends.append(len(text))
            eols.append("")
        self.starts = starts
        self.ends = ends
        self.eols = eols
        self.content = [masked[s:e] for s, e in zip(starts, ends, strict=True)]
        if self.content and self.content[0].startswith("\ufeff"):
            self.bom = True
        else:
            self.bom = False

    def __len__(self) -> int:
        return len(self.content)

    def line_of(self, offset: int) -> int:
        """0-based index of the line holding ``offset``."""
        import bisect

        return bisect.bisect_right(self.starts, offset) - 1

    def blank(self, i: int) -> bool:
        return not self.content[i].strip()

    def indent(self, i: int) -> int:
        line = self.content[i].expandtabs(8)
        return len(line) - len(line.lstrip())

    def is_block_start(self, i: int) -> bool:
        """An unindented non-blank line after a blank line (or at the start)."""
        line = self.content[i]
        if not line or line[0] in " \t" or not line.strip():
            return False
        return i == 0 or self.blank(i - 1)

    def block_bounds(self, i: int) -> tuple[int, int]:
        s = i
        while s > 0 and not self.is_block_start(s):
            s -= 1
        e = i + 1
        while e < len(self) and not self.is_block_start(e):
            e += 1
        return s, e

    def eol_near(self, i: int) -> str:
        for j in range(i, -1, -1):
            if j < len(self.eols) and self.eols[j]:
                return self.eols[j]
        for e in self.eols:
            if e:
                return e
        return "\n"


@dataclass
class _Candidates:
    hosts: list[int]  # offsets of "blueprints" in the URL host
    assignee: list[tuple[int, re.Match]]
    milestone: list[tuple[int, re.Match]]


def _find_candidates(text: str) -> _Candidates:
    return _Candidates(
        hosts=[m.start(1) for m in _HOST_RE.finditer(text)],
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


def _title_candidates(lv: _Lines) -> Iterator[int]:
    """0-based lines that could be a section title's text: every docutils section title
    is a non-blank line followed by an adornment line, so this is a superset."""
    content = lv.content
    for i in range(len(content) - 1):
        if content[i].strip() and _ADORN_RE.match(content[i + 1]):
            yield i


def _unmark(text: str, raw_hosts: Sequence[str]) -> str:
    def repl(m: re.Match) -> str:
        if m.group(1):
            k = int(m.group(1))
            host = raw_hosts[k] if k < len(raw_hosts) else "blueprints"
            return f"{host}.launchpad.net"
        if m.group(2):
            return "Primary"
        return "Target"

    return _MARK_RE.sub(repl, text)


def _link_at(lv: _Lines, off: int, docutils_uri: str) -> LinkedBlueprint | None:
    """Build the link for the host candidate at ``off`` (offset of 'blueprints')."""
    text = lv.text
    i = lv.line_of(off)
    start = text.rfind("http", lv.starts[i], off)
    if start < 0:
        return None
    line_end = lv.ends[i]
    m = _URL_CHARS_RE.match(text, start, line_end)
    end = m.end() if m else start
    url = text[start:end]
    wrapped = False
    # The URL as docutils saw it (embedded `<url>` form drops whitespace across lines).
    target = re.sub(r"bp\d{8}(?=\.launchpad\.net)", text[off : off + 10], docutils_uri)
    if len(target) > len(url) and target.startswith(url) and end == line_end:
        # Embedded URI continued on following lines: consume raw chars, skipping
        # whitespace, until docutils' URI is covered.
        pos, got = end, url
        while len(got) < len(target) and pos < len(text):
            ch = text[pos]
            if not ch.isspace():
                if ch != target[len(got)]:
                    break
                got += ch
            pos += 1
        if got == target:
            url, end, wrapped = got, pos, True
    else:
        while url and url[-1] in _TRAILING_PUNCT and not url.endswith("/+spec/"):
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
            end -= 1
        # A bare URL broken across lines: continue when the first line clearly stops
        # mid-URL or the next line clearly goes on with it.
        if end == len(text[:line_end].rstrip()) and i + 1 < len(lv) and not lv.blank(i + 1):
            nxt = lv.content[i + 1]
            token_m = re.match(r"[ \t]*([A-Za-z0-9._~+/?=&%-]+)(?=[\s.,;:)\]>`]|\Z)", nxt)
            if token_m:
                token = token_m.group(1)
                if url.endswith(("/", "+spec", "-", "=")) or token.startswith(("-", "/", "+", "?")):
                    token = token.rstrip(".,;:")
                    if token:
                        url += token
                        end = lv.starts[i + 1] + token_m.start(1) + len(token)
                        wrapped = True
    ref = parse_blueprint_url(url)
    if ref is None:
        return None
    malformed = None
    path = url.split("://", 1)[-1]
    if wrapped:
        malformed = "wrapped across lines"
    elif "//" in path:
        malformed = "double slash"
    elif ref.project and ref.project != ref.project.lower():
        malformed = "uppercase project"
    if ref.project:
        ref = BlueprintRef(ref.project.lower(), ref.name)
    return LinkedBlueprint(ref, url, i + 1, start, end, malformed)


def _is_title_at(lv: _Lines, i: int) -> bool:
    return (
        i + 1 < len(lv) and bool(lv.content[i].strip()) and bool(_ADORN_RE.match(lv.content[i + 1]))
    )


def _value_after(lv: _Lines, m: re.Match) -> tuple[Located | None, int]:
    """The value that follows a label match.  Returns (value, insertion offset) where the
    offset is where a value would be written when there is none."""
    text = lv.text
    i = lv.line_of(m.start())
    label_indent = lv.indent(i)
    rest_start = m.end()
    line_end = lv.ends[i]
    rest = text[rest_start:line_end]
    if rest.strip():
        s = rest_start + (len(rest) - len(rest.lstrip()))
        e = rest_start + len(rest.rstrip())
        return Located(text[s:e], i + 1, s, e), line_end
    j = i + 1
    skipped = False
    while j < len(lv) and lv.blank(j):
        j += 1
        skipped = True
    if j >= len(lv):
        return None, line_end
    first = lv.content[j]
    if (
        _is_title_at(lv, j)
        or _ADORN_RE.match(first)
        or _LABEL_LINE_RE.match(first)
        or first.lstrip().startswith(("..", "::"))
        or _ASSIGNEE_RE.match(first)
        or _MILESTONE_RE.match(first)
    ):
        return None, line_end
    indent = lv.indent(j)
    if skipped and indent < label_indent:
        return None, line_end
    last = j
    k = j + 1
    while k < len(lv) and not lv.blank(k):
        line = lv.content[k]
        if indent > label_indent:
            if lv.indent(k) <= label_indent:
                break
        elif _LABEL_LINE_RE.match(line) or _is_title_at(lv, k) or _ADORN_RE.match(line):
            break
        last = k
        k += 1
    s = lv.starts[j] + len(first) - len(first.lstrip())
    bullet = _BULLET_RE.match(text, s, lv.ends[j])
    if bullet:
        s = bullet.end()
    e = lv.starts[last] + len(lv.content[last].rstrip())
    if e <= s:
        return None, line_end
    return Located(text[s:e], j + 1, s, e), line_end


def _first_label(
    lv: _Lines, labels: Sequence[tuple[int, re.Match]], decided: Container[int]
) -> tuple[bool, Located | None]:
    """Whether docutils kept any of the label candidates as prose, and the value after
    the first such label."""
    for k, (_off, m) in enumerate(labels):
        if k in decided:
            return True, _value_after(lv, m)[0]
    return False, None


def _only_comments_before(lv: _Lines, i: int) -> bool:
    """Whether the section title at line ``i`` opens the document: before it (and its
    overline) stand only comments, targets and the license's ``::`` block. A spec
    whose first heading comes after its URL has no title; that heading is a section."""
    lines = [line.lstrip("\ufeff") for line in lv.content[: i + 1]]
    start = i - 1 if i > 0 and _ADORN_RE.match(lines[i - 1]) else i
    return all(
        not line.strip() or line[:1].isspace() or line.startswith("..") or line.rstrip() == "::"
        for line in lines[:start]
    )


def _assemble(
    lv: _Lines,
    cand: _Candidates,
    dec: _Decision,
) -> SpecFields:
    text = lv.text
    raw_hosts = [text[o : o + 10] for o in cand.hosts]
    title = None
    title_text = None
    if (
        dec.title_line is not None
        and 0 <= dec.title_line < len(lv)
        and _only_comments_before(lv, dec.title_line)
    ):
        i = dec.title_line
        line = lv.content[i]
        s = lv.starts[i] + len(line) - len(line.lstrip())
        e = lv.starts[i] + len(line.rstrip())
        if lv.bom and i == 0:
            s = max(s, 1)
        title = Located(text[s:e], i + 1, s, e)
        title_text = _unmark(dec.title_text or "", raw_hosts)
    links = []
    covered = -1
    for k, off in enumerate(cand.hosts):
        if k in dec.links and off >= covered:
            link = _link_at(lv, off, dec.links[k])
            if link is not None:
                links.append(link)
                covered = link.end
    has_assignee, assignee = _first_label(lv, cand.assignee, dec.assignee)
    has_milestone, milestone = _first_label(lv, cand.milestone, dec.milestone)
    return SpecFields(
        title, title_text, tuple(links), assignee, has_assignee, milestone, has_milestone
    )


# --------------------------------------------------------------------------- readers


def read_fields_full(text: str, path: str | Path = "<spec>") -> SpecFields:
    """Reference reader: docutils parses the whole (marked) file."""
    lv = _Lines(text)
    cand = _find_candidates(text)
    document = _parse(_marked_lines(lv, cand))
    return _assemble(lv, cand, _decide(document, None))


def read_fields(text: str, path: str | Path = "<spec>") -> SpecFields:
    """Find the four fields; docutils sees only the top-level blocks that matter."""
    if not isinstance(text, str):
        raise SpecError(path, "spec text is not a string")
    if "\x00" in text:
        raise SpecError(
            path, "binary content (NUL byte)", text[: text.index("\x00")].count("\n") + 1
        )
    lv = _Lines(text)
    if not lv.content:
        return SpecFields(None, None, (), None, False, None, False)
    cand = _find_candidates(text)
    marked = _marked_lines(lv, cand)
    wanted: list[tuple[int, int]] = []
    for off in [*cand.hosts, *(o for o, _ in cand.assignee), *(o for o, _ in cand.milestone)]:
        wanted.append(lv.block_bounds(lv.line_of(off)))
    titles = _title_candidates(lv)
    first = next(titles, None)
    ranges = list(wanted)
    if first is not None:
        ranges.append(lv.block_bounds(first))
    lines, line_map = _join_ranges(marked, ranges)
    dec = _decide(_parse(lines), line_map)
    if first is not None and dec.title_line != first:
        # The first candidate is not a section in context (inside a comment or literal
        # block, a transition...).  Ask docutils about the next ones, one block each:
        # the first section of the file is the first candidate docutils accepts.
        dec.title_line = dec.title_text = None
        for tried, cand_line in enumerate(titles):
            if tried >= 8:  # pathological file: let docutils read all of it
                full = _decide(_parse(marked), None)
                dec.title_line, dec.title_text = full.title_line, full.title_text
                break
            lines, line_map = _join_ranges(marked, [lv.block_bounds(cand_line)])
            one = _decide(_parse(lines), line_map)
            if one.title_line == cand_line:
                dec.title_line, dec.title_text = one.title_line, one.title_text
                break
    return _assemble(lv, cand, dec)


def _join_ranges(
    marked: Sequence[str], ranges: Iterable[tuple[int, int]]
) -> tuple[list[str], list[int]]:
    merged: list[list[int]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    lines: list[str] = []
    line_map: list[int] = []
    for s, e in merged:
        if lines:
            lines.append("")
            line_map.append(-1)
        lines.extend(marked[s:e])
        line_map.extend(range(s, e))
    return lines, line_map


def read_spec(path: Path) -> tuple[str, SpecFields]:
    """Read a spec as UTF-8 keeping its line endings; SpecError when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SpecError(path, f"cannot read: {err.strerror or err}") from err
    text = decode_spec(data, path)
    _refuse_lone_cr(text, path)
    return text, read_fields(text, path)


def decode_spec(data: bytes, path: str | Path) -> str:
    """A spec file's bytes as text, line endings as stored; SpecError (naming the line)
    for a binary file or one that is not UTF-8. Every spec read goes through here."""
    if b"\x00" in data:
        raise SpecError(
            path, "binary file (NUL byte)", data[: data.index(b"\x00")].count(b"\n") + 1
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SpecError(path, f"not valid UTF-8 (byte {err.start})", line) from None


def _refuse_lone_cr(text: str, path: str | Path) -> None:
    """Old Mac line endings (CR alone): docutils and git disagree on where lines end,
    so an edit could land anywhere; refuse rather than guess."""
    cr = text.replace("\r\n", "").find("\r")
    if cr >= 0:
        line = text[: text.find("\r", cr)].count("\n") + 1
        raise SpecError(path, "line ends with a lone carriage return (CR); use LF or CRLF", line)


# --------------------------------------------------------------------------- updating

# Characters that can start or end inline markup; escaping each with a backslash makes
# docutils render it literally.  ``_ : @`` are escaped only where they could form a
# reference, a URI or an e-mail address (``a_b`` and ``Note: x`` stay readable).
_TITLE_ALWAYS = set("\\`*|<>[]")


def _title_char_needs_escape(clean: str, k: int) -> bool:
    ch = clean[k]
    if ch in _TITLE_ALWAYS:
        return True
    before = clean[k - 1] if k else " "
    after = clean[k + 1] if k + 1 < len(clean) else " "
    if ch == "_":
        return not (before.isalnum() and after.isalnum())
    if ch in ":@":
        return not after.isspace()
    return False


def clean_title(title: str) -> str:
    """The title as one line: whitespace runs (newlines included) become one space and
    control characters go."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in title
        if unicodedata.category(ch) != "Cc" or ch.isspace()
    )
    return " ".join(kept.split())


def escape_title(title: str) -> str:
    """RST source that renders as exactly ``clean_title(title)`` and nothing else."""
    clean = clean_title(title)
    out = "".join(
        "\\" + ch if _title_char_needs_escape(clean, k) else ch for k, ch in enumerate(clean)
    )
    # A title made only of punctuation would read as an adornment line; a leading
    # escape keeps it text.  Escaping the first character of every title would be
    # noisier for no gain.
    if out and not out[0].isalnum() and out[0] != "\\":
        out = "\\" + out
    return out


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


class _Edits:
    def __init__(self, lv: _Lines) -> None:
        self.lv = lv
        self.items: list[tuple[int, int, str]] = []

    def replace(self, start: int, end: int, new: str) -> None:
        if self.lv.text[start:end] != new:
            self.items.append((start, end, new))

    def insert_lines(self, line: int, block: Sequence[str], eol: str) -> None:
        """Insert ``block`` as whole lines before 0-based ``line``, separated from
        neighbouring text by one blank line on each side."""
        lv = self.lv
        before = [] if line == 0 or lv.blank(line - 1) else [""]
        after = [] if line >= len(lv) or lv.blank(line) else [""]
        body = [*before, *block, *after]
        if line >= len(lv):
            # At the end: the last line may lack its newline (keep the file's choice).
            pos = len(lv.text)
            prefix = "" if not lv.text or lv.eols[-1] else eol
            self.items.append((pos, pos, prefix + eol.join(body) + (eol if lv.eols[-1] else "")))
        else:
            pos = lv.starts[line]
            self.items.append((pos, pos, "".join(b + eol for b in body)))

    def apply(self) -> str:
        text = self.lv.text
        # Reverse order keeps earlier offsets valid; at one offset the edit added first
        # must end up first, so it is applied last.
        order = sorted(enumerate(self.items), key=lambda t: (t[1][0], t[1][1], t[0]))
        for _seq, (start, end, new) in reversed(order):
            text = text[:start] + new + text[end:]
        return text


def _replace_value(edits: _Edits, located: Located, new: str) -> None:
    """Replace a field's value without deleting what the author wrote around it.

    A one-line value is the field: it is replaced. A value over several lines is a
    list of people or a milestone plan: only a first line that is one lone word
    (``* rosmaita``) is replaced, and the other lines stay; anything else (prose) is
    left as written, for ``stale_fields`` to report."""
    first, newline, _rest = located.value.partition("\n")
    if not newline:
        edits.replace(located.start, located.end, new)
    elif first.strip() and len(first.split()) == 1:
        edits.replace(located.start, located.start + len(first.rstrip()), new)


def stale_fields(text: str, values: BlueprintValues) -> list[str]:
    """The managed fields of ``text`` that still do not say what ``values`` say, by the
    rules ``update_text`` uses: after an update, what it had to leave as written."""
    fields = read_fields(text)
    stale = []
    if clean_title(fields.title_text or "") != clean_title(values.title):
        stale.append("title")
    for name, wanted, has_field, located in (
        ("assignee", values.assignee, fields.has_assignee_field, fields.assignee),
        ("milestone", values.milestone, fields.has_milestone_field, fields.milestone),
    ):
        if not wanted or not (name == "assignee" or has_field):
            continue  # nothing asked, or a milestone the spec does not carry
        if located is None or not contains_token(located.value, wanted):
            stale.append(name)
    return stale


def _same_blueprint(link: LinkedBlueprint, ref: BlueprintRef) -> bool:
    """Whether an existing link names the blueprint we were given.  A ``?searchtext=``
    link with the same name counts whatever project or group it searches: oslo links
    blueprints through its project group on purpose."""
    if link.ref.name != ref.name:
        return False
    if "searchtext=" in link.url:
        return True
    return (link.ref.project or "").lower() == (ref.project or "").lower()


def _template_value_indent(template: str | None, label_re: re.Pattern) -> str:
    if template:
        lv = _Lines(template)
        m = label_re.search(template)
        if m:
            i = lv.line_of(m.start())
            if i + 1 < len(lv) and not lv.blank(i + 1) and lv.indent(i + 1) > lv.indent(i):
                line = lv.content[i + 1]
                return line[: len(line) - len(line.lstrip())]
    return "  "


def _template_sections(template: str | None) -> list[_Section]:
    return _sections(_Lines(template)) if template else []


def _subsection_char(sections: Sequence[_Section], depth: int, fallback: str) -> str:
    for sec in sections:
        if sec.depth == depth:
            return sec.char
    return fallback


def update_text(
    text: str,
    values: BlueprintValues,
    template: str | None = None,
    path: str | Path = "<spec>",
) -> str:
    """Rewrite the managed fields of a spec to ``values``; every other byte stays.

    See the module docs for the rules; in short: the title is rewritten when it renders
    differently from ``values.title``; the URL when no blueprint link in the preamble
    names the same blueprint; the assignee/milestone when given and not already present
    as a word of the current value; missing fields are added where the template has
    them."""
    title = clean_title(values.title)
    if not title:
        raise SpecError(path, "the blueprint title is empty")
    if _ADORN_RE.match(escape_title(title)):
        # Like "---": docutils would read the line as an adornment, never as a title.
        raise SpecError(path, f"the blueprint title {title!r} cannot be an RST title")
    ref = parse_blueprint_url(values.url)
    if ref is None or not ref.project or "searchtext=" in values.url:
        raise SpecError(path, f"not a canonical blueprint URL: {values.url!r}")
    _refuse_lone_cr(text, path)
    fields = read_fields(text, path)
    lv = _Lines(text)
    edits = _Edits(lv)
    eol = lv.eol_near(0)
    sections: list[_Section] | None = None

    def get_sections() -> list[_Section]:
        nonlocal sections
        if sections is None:
            sections = _sections(lv)
        return sections

    tsections = _template_sections(template) if template else None

    # -- title
    title_line: int | None = None
    if fields.title is not None:
        title_line = fields.title.line - 1
        current = clean_title(fields.title_text or "")
        if current != title and fields.title.value != escape_title(title):
            _rewrite_title(lv, edits, title_line, escape_title(title))

    # -- URL: only links in the preamble (title to first section) name the spec's own
    # blueprint; links further down are references to other work.
    preamble = _preamble_links(lv, fields)
    url_needed = not any(_same_blueprint(link, ref) for link in preamble)
    if url_needed and preamble:
        # Rewrite the URL text only: a label, hyperlink text or bullet around it stays.
        edits.replace(preamble[0].start, preamble[0].end, values.url)
        url_needed = False
    if title_line is None:
        _insert_title(
            lv, edits, escape_title(title), template, values.url if url_needed else None, eol
        )
    elif url_needed:
        _insert_url(lv, edits, title_line, values.url, eol)

    # -- assignee
    if values.assignee is not None:
        assignee = values.assignee.strip()
        if fields.has_assignee_field:
            if fields.assignee is None:
                _fill_empty(
                    lv,
                    edits,
                    _ASSIGNEE_RE,
                    assignee,
                    _template_value_indent(template, _ASSIGNEE_RE),
                )
            elif not contains_token(fields.assignee.value, assignee):
                _replace_value(edits, fields.assignee, assignee)
        elif assignee:
            _add_assignee(lv, edits, get_sections(), tsections, template, assignee, eol)

    # -- milestone
    if values.milestone is not None:
        milestone = values.milestone.strip()
        if fields.has_milestone_field:
            if fields.milestone is None:
                _fill_empty(lv, edits, _MILESTONE_RE, milestone, "", same_line=True)
            elif not contains_token(fields.milestone.value, milestone):
                _replace_value(edits, fields.milestone, milestone)
        elif milestone and tsections and _find_section(tsections, r"milestones?\b"):
            _add_milestone(lv, edits, get_sections(), tsections, milestone, eol)

    return edits.apply()


def _preamble_links(lv: _Lines, fields: SpecFields) -> list[LinkedBlueprint]:
    after = fields.title.line - 1 if fields.title is not None else -2
    first_section = next((s.start for s in _preamble_end(lv, after)), len(lv))
    return [link for link in fields.links if after < link.line - 1 < first_section]


def stem_names(path: Path, project: str | None) -> set[str]:
    """Blueprint names the file name suggests: the stem, ``_`` as ``-``, and oslo's
    ``<project>-<name>.rst`` convention."""
    stem = path.stem.lower()
    names = {stem, stem.replace("_", "-")}
    # oslo.log-quiet-libraries.rst links oslo?searchtext=quiet-libraries: any "-" may
    # end a project prefix that starts with the linked project (or group) name.
    if project:
        names.update(
            stem[i + 1 :] for i, c in enumerate(stem) if c == "-" and stem[:i].startswith(project)
        )
    return names


def primary_link(path: Path, text: str, fields: SpecFields | None = None) -> LinkedBlueprint | None:
    """The link that says which blueprint the spec is about: among the preamble's
    links, the one naming the file's blueprint, else the first. pull and audit both
    decide by this, so they agree on which spec belongs to a blueprint."""
    links = preamble_links(text, fields)
    for link in links:
        project = link.ref.project.lower() if link.ref.project else None
        if link.ref.name.lower() in stem_names(Path(path), project):
            return link
    return links[0] if links else None


def preamble_links(text: str, fields: SpecFields | None = None) -> tuple[LinkedBlueprint, ...]:
    """The blueprint links between the title and the first section: the ones that name
    the spec's own blueprint (``update_text`` keeps or rewrites only these)."""
    fields = fields if fields is not None else read_fields(text)
    return tuple(_preamble_links(_Lines(text), fields))


def _preamble_end(lv: _Lines, title_line: int) -> Iterator[_Section]:
    """Section titles after the document title, cheaply: a raw title candidate that
    docutils accepts in its own block."""
    for i in _title_candidates(lv):
        if i <= title_line + 1:
            continue  # the document title itself
        lines, line_map = _join_ranges(lv.content, [lv.block_bounds(i)])
        if _decide(_parse(lines), line_map).title_line == i:
            start = i - 1 if i > 0 and _ADORN_RE.match(lv.content[i - 1]) else i
            yield _Section(lv.content[i].strip(), 1, start, i, i + 2)
            return


# docutils reads an adornment shorter than 4 characters as text, not as a title.
MIN_ADORNMENT = 4


def _rewrite_title(lv: _Lines, edits: _Edits, i: int, new: str) -> None:
    line = lv.content[i]
    lead = line[: len(line) - len(line.lstrip())]
    under = lv.content[i + 1]
    char = under.strip()[:1]
    # A file may open with a byte-order mark, right before the overline.
    over = lv.content[i - 1].lstrip("\ufeff") if i > 0 else ""
    has_over = over.strip()[:1] == char and bool(_ADORN_RE.match(over))
    width = column_width(lead + new) + (len(lead) if has_over else 0)
    adorn = char * max(width, MIN_ADORNMENT)

    def put(j: int, content: str) -> None:
        old = lv.content[j]
        bom = "\ufeff" if old.startswith("\ufeff") else ""
        trail = old[len(old.rstrip()) :]
        edits.replace(lv.starts[j], lv.ends[j], bom + content + trail)

    put(i, lead + new)
    put(i + 1, adorn)
    if has_over:
        put(i - 1, adorn)


def _insert_title(
    lv: _Lines, edits: _Edits, new: str, template: str | None, url: str | None, eol: str
) -> None:
    """No title: add the block after the leading comments, as templates have it."""
    lead = ""
    if template:
        tf = read_fields(template)
        if tf.title is not None:
            tl = _Lines(template)
            line = tl.content[tf.title.line - 1]
            lead = line[: len(line) - len(line.lstrip())]
    width = column_width(lead + new) + len(lead)
    adorn = "=" * max(width, MIN_ADORNMENT)
    i = 0
    while i < len(lv) and (lv.blank(i) or lv.content[i].startswith(("..", " ", "\t"))):
        if lv.content[i].startswith(".. ") and "::" in lv.content[i]:
            break  # a directive, not a comment
        i += 1
    while i > 0 and lv.blank(i - 1):
        i -= 1
    block = [adorn, lead + new, adorn]
    if url:
        block += ["", url]
    edits.insert_lines(i, block, eol)


def _insert_url(lv: _Lines, edits: _Edits, title_line: int, url: str, eol: str) -> None:
    """Put the URL paragraph right after the title block, where every template has it
    (after an ``Include the URL ...`` paragraph if the spec kept one)."""
    i = title_line + 2
    j = i
    while j < len(lv) and lv.blank(j):
        j += 1
    if j < len(lv) and re.match(r"include the url", lv.content[j].strip(), re.IGNORECASE):
        while j < len(lv) and not lv.blank(j):
            j += 1
        i = j
    edits.insert_lines(i, [url], eol)


def _fill_empty(
    lv: _Lines,
    edits: _Edits,
    label_re: re.Pattern,
    value: str,
    indent: str,
    same_line: bool = False,
) -> None:
    """A label with no value: write it on the next line (indented) or the same line."""
    m = label_re.search(_masked_prose_label(lv, label_re))
    if m is None:
        return
    i = lv.line_of(m.start())
    if same_line:
        line = lv.content[i]
        end = lv.starts[i] + len(line.rstrip())
        edits.replace(end, lv.ends[i], " " + value)
        return
    label_indent = lv.content[i][: lv.indent(i)] if lv.indent(i) else ""
    new_line = label_indent + indent + value
    eol = lv.eols[i] or lv.eol_near(i)
    follow_blank = i + 1 >= len(lv) or lv.blank(i + 1)
    insert = eol + new_line + ("" if follow_blank else eol)
    if not lv.eols[i]:
        edits.items.append((lv.ends[i], lv.ends[i], insert))
    else:
        pos = lv.ends[i]
        edits.items.append((pos, pos, insert))


def _masked_prose_label(lv: _Lines, label_re: re.Pattern) -> str:
    """The text with labels that docutils does not see as prose blanked out, so a plain
    search finds the label the reader used."""
    fields_cand = _find_candidates(lv.text)
    document = _parse(_marked_lines(lv, fields_cand))
    dec = _decide(document, None)
    text = lv.text
    pairs = fields_cand.assignee if label_re is _ASSIGNEE_RE else fields_cand.milestone
    keep = dec.assignee if label_re is _ASSIGNEE_RE else dec.milestone
    for k, (_off, m) in enumerate(pairs):
        if k not in keep:
            text = text[: m.start()] + "#" * (m.end() - m.start()) + text[m.end() :]
    return text


def _add_assignee(
    lv: _Lines,
    edits: _Edits,
    sections: list[_Section],
    tsections: list[_Section] | None,
    template: str | None,
    assignee: str,
    eol: str,
) -> None:
    indent = _template_value_indent(template, _ASSIGNEE_RE)
    block = ["Primary assignee:", indent + assignee]
    sec = _find_section(sections, r"assignees?\b|assignee\(s\)")
    if sec is not None:
        for i in range(sec.body, sec.end):
            if re.match(r"[ \t]*other contributors?[ \t]*:", lv.content[i], re.IGNORECASE):
                edits.insert_lines(i, block, eol)
                return
        edits.insert_lines(_body_end(lv, sec), block, eol)
        return
    impl = _find_section(sections, r"implementation\b")
    tmpl = tsections if tsections is not None else _template_sections(default_template())
    t_assignee = _find_section(tmpl, r"assignees?\b|assignee\(s\)")
    if impl is None or t_assignee is None:
        return  # no place the template would have it: do not invent structure
    char = _subsection_char(sections, impl.depth + 1, t_assignee.char)
    sub = [t_assignee.title, char * column_width(t_assignee.title), "", *block]
    children = [
        s for s in sections if s.depth == impl.depth + 1 and impl.start < s.start < impl.end
    ]
    at = children[0].start if children else _body_end(lv, impl)
    edits.insert_lines(at, sub, eol)


def _add_milestone(
    lv: _Lines,
    edits: _Edits,
    sections: list[_Section],
    tsections: list[_Section],
    milestone: str,
    eol: str,
) -> None:
    label = f"Target Milestone for completion: {milestone}"
    sec = _find_section(sections, r"milestones?\b")
    if sec is not None:
        i = sec.body
        while i < sec.end and lv.blank(i):
            i += 1
        edits.insert_lines(i, [label], eol)
        return
    t_ms = _find_section(tsections, r"milestones?\b")
    assert t_ms is not None
    idx = tsections.index(t_ms)
    # Before the section that follows Milestones in the template, else after the one
    # that precedes it.
    for later in tsections[idx + 1 :]:
        if later.depth < t_ms.depth:
            break
        target = next(
            (s for s in sections if s.title.strip().lower() == later.title.strip().lower()), None
        )
        if target is not None and later.depth == t_ms.depth:
            char = target.char
            edits.insert_lines(
                target.start, [t_ms.title, char * column_width(t_ms.title), "", label], eol
            )
            return
    for earlier in reversed(tsections[:idx]):
        if earlier.depth != t_ms.depth:
            break
        target = next(
            (s for s in sections if s.title.strip().lower() == earlier.title.strip().lower()), None
        )
        if target is not None:
            edits.insert_lines(
                target.end, [t_ms.title, target.char * column_width(t_ms.title), "", label], eol
            )
            return


def _body_end(lv: _Lines, sec: _Section) -> int:
    """The line after the section's last non-blank body line (before any subsection)."""
    end = sec.end
    i = end
    while i > sec.body and lv.blank(i - 1):
        i -= 1
    return i


# --------------------------------------------------------------------------- scaffolding


def scaffold(template: str, values: BlueprintValues) -> str:
    """A new spec: the template with the four fields filled in; the rest (instruction
    comment, sections, guidance text) stays as the author's starting point.

    Every blueprint link of the template's preamble becomes the new blueprint's URL:
    an example left there (cinder's notes name ``+spec/awesome-thing``) would read
    as a link to a blueprint that does not exist."""
    text = template
    for link in reversed(preamble_links(template)):
        text = text[: link.start] + values.url + text[link.end :]
    return update_text(text, values, template=template, path="<template>")


def default_template() -> str:
    return (
        resources.files("lpsync")
        .joinpath("templates/spec-template.rst")
        .read_text(encoding="utf-8")
    )


_NUMBERED_RELEASE_RE = re.compile(r"(\d{4})\.(\d+)")


def _is_template_name(name: str) -> bool:
    stem = name[:-4] if name.endswith(".rst") else name
    return (
        stem == "template"
        or stem.endswith(("-template", "_template"))
        or stem.startswith(("template-", "template_"))
    )


def is_spec_name(name: str) -> bool:
    """What the file name alone says: an ``.rst`` that is no index, README or template."""
    return (
        name.endswith(".rst")
        and name not in ("index.rst", "README.rst")
        and not (_is_template_name(name))
    )


def find_template(
    repo_root: Path, specs_dir: str = "specs", configured: str | None = None
) -> Path | None:
    """The template a new spec is made from; None means use ``default_template()``.

    Order: the configured path (relative to the repo root; SpecError if missing), then
    ``<specs>/template.rst``, then the newest ``<specs>/*template*.rst``: numbered
    releases (``2026.2-template.rst``) by number, newest first, ahead of any other
    name; among the rest the most recently modified, then the name."""
    root = Path(repo_root)
    if configured:
        path = root / configured
        if not path.is_file():
            raise SpecError(path, "configured template does not exist")
        return path
    specs = root / specs_dir
    plain = specs / "template.rst"
    if plain.is_file():
        return plain
    if not specs.is_dir():
        return None
    found = [p for p in specs.glob("*template*.rst") if p.is_file() and _is_template_name(p.name)]
    if not found:
        return None

    def key(p: Path) -> tuple:
        m = _NUMBERED_RELEASE_RE.match(p.name)
        numbered = (1, int(m.group(1)), int(m.group(2))) if m else (0, 0, 0)
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        return (*numbered, mtime, p.name)

    return max(found, key=key)


_EXPORTED_LINK_RE = re.compile(rb"\s*[\w./+-]+\.rst\s*\Z")


def load_template(repo_root: Path, specs_dir: str = "specs", configured: str | None = None) -> str:
    """The text of the repo's template (see ``find_template``), else the packaged one,
    with its newlines as stored."""
    path = find_template(repo_root, specs_dir, configured)
    if path is None:
        return default_template()
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise SpecError(path, f"template is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise SpecError(path, f"cannot read template: {exc.strerror or exc}") from None


def is_spec_file(path: Path, specs_root: Path) -> bool:
    """Whether ``path`` is a spec lpsync manages.

    Not: non-``.rst`` files (nova's ``redirects``), ``index.rst``, ``README.rst``,
    templates (``template.rst``, ``*-template.rst``, ``*_template.rst``; but
    ``deploy-templates.rst`` is a spec), symlinks (ironic's release dirs link into
    ``approved/``, where the real file is read) and symlinks exported as one-line text
    files, and anything outside ``specs_root``."""
    path = Path(path)
    if not is_spec_name(path.name):
        return False
    try:
        Path(os.path.abspath(path)).relative_to(os.path.abspath(specs_root))
    except ValueError:
        return False
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return not (len(head) < 512 and _EXPORTED_LINK_RE.match(head))
