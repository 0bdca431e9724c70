"""Reading the managed fields and the blueprint links of a spec's text."""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from pathlib import Path

from lpsync.errors import SpecError
from lpsync.names import BlueprintRef, parse_blueprint_url
from lpsync.specdoc.candidates import (
    _ASSIGNEE_RE,
    _MARK_RE,
    _MILESTONE_RE,
    _Candidates,
    _decide,
    _Decision,
    _find_candidates,
    _find_hosts,
    _marked_lines,
)
from lpsync.specdoc.lines import (
    _ADORN_RE,
    _join_ranges,
    _Lines,
    _title_candidates,
    split_lines,
)
from lpsync.specdoc.model import LinkedBlueprint, Located, SpecFields
from lpsync.specdoc.parse import _parse, line_length_limit
from lpsync.specdoc.sections import _preamble_end

_BULLET_RE = re.compile(r"[-*+][ \t]+")
# A line that is itself a label ("Other contributors:"): ends a value block.
_LABEL_LINE_RE = re.compile(r"[ \t]*(?:[-*+][ \t]+)?[A-Za-z][\w ()/'-]{0,60}:[ \t]*\Z")
# Characters that end a bare URL as written (docutils stops at these too).
_URL_CHARS_RE = re.compile(r"[^\s<>`\"'\\]*")
_TRAILING_PUNCT = ".,;:!?)]}"


def _unmark(text: str, raw_hosts: Sequence[str]) -> str:
    def repl(m: re.Match) -> str:
        if m.group(1):
            k = int(m.group(1))
            host = raw_hosts[k] if k < len(raw_hosts) else "blueprints"
            return f"{host}{m.group(0)[len('bp00000000') :]}"  # ".Launchpad.net" as written
        if m.group(2):
            return "Primary"
        return "Target"

    return _MARK_RE.sub(repl, text)


def _link_at(lv: _Lines, off: int, docutils_uri: str) -> LinkedBlueprint | None:
    """Build the link for the host candidate at ``off`` (offset of 'blueprints')."""
    text = lv.text
    i = lv.line_of(off)
    start = text[lv.starts[i] : off].lower().rfind("http")  # HTTPS:// is a scheme too
    if start < 0:
        return None
    start += lv.starts[i]
    line_end = lv.ends[i]
    m = _URL_CHARS_RE.match(text, start, line_end)
    end = m.end() if m else start
    url = text[start:end]
    wrapped = False
    # The URL as docutils saw it (embedded `<url>` form drops whitespace across lines).
    target = re.sub(r"bp\d{8}(?=\.(?i:launchpad\.net))", text[off : off + 10], docutils_uri)
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
    elif path.split("/", 1)[0] != path.split("/", 1)[0].lower():
        malformed = "uppercase host"
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


def read_fields_full(text: str, path: str | Path = "<spec>") -> SpecFields:
    """Reference reader: docutils parses the whole (marked) file."""
    lv = split_lines(text)
    cand = _find_candidates(text)
    document = _parse(_marked_lines(lv, cand))
    return _assemble(lv, cand, _decide(document, None))


def _refuse_overlong_line(text: str, path: str | Path) -> None:
    """docutils (so Sphinx) reads nothing of a file with a line over its limit: such a
    spec has no fields at all, which must not read as "no blueprint link"."""
    limit = line_length_limit()
    if len(text) <= limit:
        return
    for number, line in enumerate(text.splitlines(), 1):
        width = len(line.expandtabs(8))
        if width > limit:
            raise SpecError(
                path,
                f"line is {width} characters long, over docutils' limit of {limit}: "
                "docutils reads nothing of this file",
                number,
            )


def read_fields(text: str, path: str | Path = "<spec>") -> SpecFields:
    """Find the four fields; docutils sees only the top-level blocks that matter."""
    if not isinstance(text, str):
        raise SpecError(path, "spec text is not a string")
    if "\x00" in text:
        raise SpecError(
            path, "binary content (NUL byte)", text[: text.index("\x00")].count("\n") + 1
        )
    _refuse_overlong_line(text, path)
    lv = split_lines(text)
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
    return tuple(_preamble_links(split_lines(text), fields))


def scan_links(text: str) -> list[LinkedBlueprint]:
    """The blueprint links a cheap line scan finds after the first line that could be
    the title, without docutils: a superset of the preamble's and body's links (it
    keeps links in comments and literal blocks), for starting Launchpad look-ups while
    the spec is still being read. ``read_fields`` decides which links are real."""
    lv = split_lines(text)
    first = next(_title_candidates(lv), None)
    if first is None:
        return []
    after = lv.starts[first]
    links = []
    covered = -1
    for off in _find_hosts(text):  # the labels' regexes cost twice as much: not needed
        if off < after or off < covered:
            continue
        link = _link_at(lv, off, "")
        if link is not None:
            links.append(link)
            covered = link.end
    return links
