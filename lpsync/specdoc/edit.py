"""Surgical edits: rewrite the managed fields of a spec, every other byte kept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from docutils.utils import column_width

from lpsync import people
from lpsync.errors import SpecError
from lpsync.names import BlueprintRef, contains_token, parse_blueprint_url
from lpsync.specdoc.candidates import (
    _ASSIGNEE_RE,
    _MILESTONE_RE,
    _decide,
    _find_candidates,
    _marked_lines,
)
from lpsync.specdoc.fields import _preamble_links, read_fields
from lpsync.specdoc.files import _refuse_lone_cr
from lpsync.specdoc.lines import _ADORN_RE, _Lines
from lpsync.specdoc.model import BlueprintValues, LinkedBlueprint, Located
from lpsync.specdoc.parse import _parse
from lpsync.specdoc.sections import _find_section, _Section, _sections
from lpsync.specdoc.templates import default_template
from lpsync.specdoc.titles import clean_title, escape_title, title_problem


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
        if located is None:
            said = False
        elif name == "assignee":
            said = names_assignee(located.value, values)  # audit's rule
        else:
            said = contains_token(located.value, wanted)
        if not said:
            stale.append(name)
    return stale


def names_assignee(text: str | None, values: BlueprintValues) -> bool:
    """Whether ``text`` names the blueprint's assignee, by audit's rule (people.match):
    by the id, or by the display name when ``values`` carries it."""
    if not values.assignee:
        return False
    verdict = people.match(text, values.assignee.strip(), values.assignee_name)
    return verdict is people.Match.YES


def needs_display_name(text: str, values: BlueprintValues) -> bool:
    """Whether only the assignee's display name can tell if ``text`` names them: the
    caller may then spend one person request and set ``assignee_name``."""
    located = read_fields(text).assignee
    if not values.assignee or located is None or values.assignee_name is not None:
        return False
    return people.match(located.value, values.assignee.strip()) is people.Match.NEED_NAME


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
    differently from ``values.title``; the URL when no well-formed blueprint link in
    the preamble names the same blueprint (a wrapped one is rewritten); the assignee
    when the current value does not name the person by audit's rule (``people.match``,
    with ``values.assignee_name`` when known); the milestone when given and not already
    a word of the current value, or of a Milestones section without the label; missing
    fields are added where the template has them."""
    title = clean_title(values.title)
    problem = title_problem(title)
    if problem:
        raise SpecError(path, f"the blueprint {problem}")
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
    same = [link for link in preamble if _same_blueprint(link, ref)]
    # A link that names the blueprint but is malformed (wrapped across lines, double
    # slash, uppercase project: audit's LPS102) is rewritten like a wrong one.
    url_needed = all(link.malformed for link in same)
    if url_needed and preamble:
        # Rewrite the URL text only: a label, hyperlink text or bullet around it stays.
        target = same[0] if same else preamble[0]
        edits.replace(target.start, target.end, values.url)
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
            elif not names_assignee(fields.assignee.value, values):
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
        elif (
            milestone
            and tsections
            and _find_section(tsections, r"milestones?\b")
            and not _section_names(lv, get_sections(), r"milestones?\b", milestone)
        ):
            _add_milestone(lv, edits, get_sections(), tsections, milestone, eol)

    return edits.apply()


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
    # Same width, same adornment: an author's longer (or padded) over- and underline
    # stay byte for byte, so the diff shows only the title.
    if column_width(line.rstrip().lstrip("\ufeff")) == column_width(lead + new):
        return
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


def _section_names(lv: _Lines, sections: list[_Section], pattern: str, value: str) -> bool:
    """Whether the section matching ``pattern`` already says ``value`` without a label
    (oslo's ``Milestones`` section holding just ``kilo-1``): a label above it would
    say it twice."""
    sec = _find_section(sections, pattern)
    if sec is None:
        return False
    body = sec.body
    while body < sec.end and lv.blank(body):
        body += 1
    end = body
    while end < sec.end and not lv.blank(end):
        end += 1
    return end > body and contains_token("\n".join(lv.content[body:end]), value)


def _body_end(lv: _Lines, sec: _Section) -> int:
    """The line after the section's last non-blank body line (before any subsection)."""
    end = sec.end
    i = end
    while i > sec.body and lv.blank(i - 1):
        i -= 1
    return i


def long_title(rel: str, text: str, max_length: int) -> str | None:
    """One warning line when the spec's title line is longer than ``max_length``
    characters (the gates count characters, as ``lpsync lint`` does); None when it fits.

    Launchpad allows 70-character titles and a repo's indent and escapes add to them,
    so pull and ``audit --fix`` say so before review does."""
    fields = read_fields(text, rel)
    if fields.title is None:
        return None
    lv = _Lines(text)
    line = lv.content[fields.title.line - 1]
    if fields.title.line == 1 and lv.bom:
        line = line[1:]
    width = len(line.rstrip())
    if width <= max_length:
        return None
    return (
        f"{rel}:{fields.title.line}: the title line is {width} characters wide, over "
        f"max_line_length {max_length}; shorten the blueprint's title on Launchpad"
    )
