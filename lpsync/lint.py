"""``lpsync lint``: the offline checks every spec repo's ``tests/test_titles.py`` makes.

Nothing here talks to Launchpad. Per spec: the link checks audit makes offline
(LPS101-103, the same code), the sections against the spec's template (LPS801-803),
and the lines (LPS804-806); per ``redirects`` file, its lines (LPS807). Results come in
audit's shape so ``lpsync.report`` prints them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lpsync import audit, redirects, specdoc
from lpsync.audit import AuditError, AuditResult, Finding
from lpsync.config import Config, is_excluded
from lpsync.errors import SpecError, UsageError
from lpsync.specdoc import structure
from lpsync.specdoc.lines import split_lines
from lpsync.specdoc.templates import SERIES_FIELD

# code -> (field, what it means). Stable: CI suppressions key on them.
CODES: dict[str, tuple[str, str]] = {
    "LPS801": ("section", "a section of the template is missing"),
    "LPS802": ("section", "a top-level section the template does not have"),
    "LPS803": ("section", "a subsection of the template is missing from its section"),
    "LPS804": ("line", "line longer than max_line_length"),
    "LPS805": ("line", "trailing whitespace"),
    "LPS806": ("line", "carriage return or zero-width space"),
    "LPS807": ("redirect", "redirect whose source still exists or whose target does not"),
}

# A scheme starts a run of scheme characters and is short: linear on long lines.
_URL_RE = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://")
# Invisible characters that break searches and diffs: zero-width space, joiners, word
# joiner, and a byte-order mark anywhere but at the very start.
_ZERO_WIDTH = {"\u200b": "zero-width space", "\u200c": "zero-width non-joiner"}
_ZERO_WIDTH |= {"\u200d": "zero-width joiner", "\u2060": "word joiner"}
_ZERO_WIDTH |= {"\ufeff": "zero-width no-break space (a byte-order mark inside the text)"}
_ZERO_WIDTH_RE = re.compile("[" + "".join(_ZERO_WIDTH) + "]")
_TRAILING_RE = re.compile(r"[ \t\v\f](?=[\r\n\x1c\x1d\x1e\x85\u2028\u2029]|\Z)")


def run_lint(repo_root: Path, config: Config, paths: Sequence[Path] = ()) -> AuditResult:
    """Lint the specs and redirects files under ``config.specs_dir`` (or ``paths``).

    UsageError for a PATH that is missing or outside the repo, or a configured
    template that does not exist; unreadable files become error entries (exit 3)."""
    root = Path(os.path.realpath(repo_root))
    specs_root = root / config.specs_dir
    if not specs_root.is_dir():
        raise UsageError(f"{root}: no specs directory {config.specs_dir!r}")
    targets, broken = audit._targets(root, specs_root, paths, config.exclude)
    result = AuditResult(checked=0, findings=list(broken), command="lint")
    if paths and not targets and not broken:
        notice = audit.excluded_notice(root, specs_root, paths, config)
        result.warnings += [notice] if notice else []
    templates = _Templates(root, config)
    result.warnings += templates.warnings
    for path in targets:
        rel = path.relative_to(root).as_posix()
        try:
            found = _lint_spec(path, rel, config, templates)
        except SpecError as exc:
            result.errors.append(AuditError(rel, exc.detail, line=exc.line))
            continue
        result.checked += 1
        result.findings += found
    for path in _redirect_files(root, specs_root, paths):
        rel = path.relative_to(root).as_posix()
        if is_excluded(rel, config.exclude):
            continue
        try:
            result.findings += _lint_redirects(root, path, rel)
        except SpecError as exc:
            result.errors.append(AuditError(rel, exc.detail, line=exc.line))
    result.findings.sort(key=lambda f: (f.path, f.line, f.code))
    result.errors.sort(key=lambda e: e.path)
    return result


def _finding(
    rel: str,
    line: int,
    code: str,
    message: str,
    expected: str | None = None,
    actual: str | None = None,
) -> Finding:
    return Finding(rel, line, code, CODES[code][0], None, expected, actual, message)


def _read(path: Path) -> tuple[bytes, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpecError(path, f"cannot read: {exc.strerror or exc}") from None
    return data, specdoc.decode_spec(data, path)


def _lint_spec(path: Path, rel: str, config: Config, templates: _Templates) -> list[Finding]:
    data, text = _read(path)
    lv = split_lines(text)
    findings = audit.link_findings(path, rel, text, specdoc.read_fields(text, path), config)
    findings += line_findings(rel, data, text, config.max_line_length, lv)
    template = templates.for_spec(path)
    if template is not None:
        tree = structure.read_sections(text, lv)
        findings += section_findings(rel, tree, template, config)
    return findings


# -- lines ---------------------------------------------------------------------------


def line_findings(
    rel: str, data: bytes, text: str, max_length: int, lv: specdoc._Lines | None = None
) -> list[Finding]:
    """LPS804-806. Lines are split as docutils splits them; CRs are counted in the
    bytes, so a CRLF file is caught (Python's universal newlines would hide it)."""
    lv = lv if lv is not None else split_lines(text)
    findings: list[Finding] = []
    crs = data.count(b"\r")
    if crs:
        first = next(i for i, eol in enumerate(lv.eols) if "\r" in eol) + 1
        findings.append(
            _finding(
                rel,
                first,
                "LPS806",
                f"carriage return (CR) in the file: {crs} line{'s' if crs > 1 else ''} "
                "end in CR; use LF line endings",
                actual=str(crs),
            )
        )
    long: list[int] = []
    # Most lines pass every check: look closer only at the lines that may not.
    suspect = _ZERO_WIDTH_RE.search(text) is not None or _TRAILING_RE.search(text) is not None
    for i, line in enumerate(lv.content):
        if not suspect and len(line) <= max_length:
            continue
        n = i + 1
        if i == 0 and lv.bom:
            line = line[1:]
        for ch in _ZERO_WIDTH_RE.findall(line):
            name = _ZERO_WIDTH[ch]
            findings.append(_finding(rel, n, "LPS806", f"{name} (U+{ord(ch):04X})"))
        if line != line.rstrip(" \t"):
            findings.append(_finding(rel, n, "LPS805", "trailing whitespace"))
        if len(line) > max_length and not _URL_RE.search(line) and len(line.split()) > 1:
            long.append(n)
    literal = structure.literal_lines(text, long, lv)
    for n in long:
        if n in literal:
            continue
        length = len(lv.content[n - 1]) - (1 if n == 1 and lv.bom else 0)
        findings.append(
            _finding(
                rel,
                n,
                "LPS804",
                f"line is {length} characters long (max_line_length {max_length})",
                expected=str(max_length),
                actual=str(length),
            )
        )
    return findings


# -- sections ------------------------------------------------------------------------


@dataclass
class _Template:
    rel: str
    tree: structure.SectionTree


class _Templates:
    """The template each spec is held to (``specdoc.spec_template``, the finder pull
    uses, with the spec's first folder under specs_dir as its release), each found
    and read once."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self.specs = root / config.specs_dir
        self.paths: dict[str | None, Path | None] = {}
        self.loaded: dict[Path, _Template] = {}
        self.locate(None)  # a configured template that does not exist: usage, at once
        self.warnings = self._unmatched_pattern()

    def _unmatched_pattern(self) -> list[str]:
        """A ``{series}`` template that no release has: pull refuses it (exit 2), lint
        says so once and goes on with the other checks (sections are not checked)."""
        config = self.config
        if not config.template or SERIES_FIELD not in config.template:
            return []
        try:
            specdoc.find_template(self.root, config.specs_dir, config.template)
        except SpecError:
            plain = self.paths[None]
            instead = (
                f"specs are held to {plain.relative_to(self.root).as_posix()}"
                if plain
                else "sections are not checked against a template"
            )
            return [
                f"{config.source}: key 'template': no file matches {config.template} "
                f"for any release; {instead}"
            ]
        return []

    def locate(self, series: str | None) -> Path | None:
        if series not in self.paths:
            config = self.config
            try:
                found = specdoc.spec_template(self.root, config.specs_dir, config.template, series)
            except SpecError:
                raise UsageError(
                    f"{config.source}: key 'template': {config.template} does not exist"
                ) from None
            self.paths[series] = found
        return self.paths[series]

    def find(self, series: str | None) -> _Template | None:
        path = self.locate(series)
        if path is None:
            return None
        if path not in self.loaded:
            rel = path.relative_to(self.root).as_posix()
            try:
                _data, text = _read(path)
            except SpecError as exc:  # reported on each spec held to it: name it
                raise SpecError(path, f"its template {rel}: {exc.detail}") from None
            self.loaded[path] = _Template(rel, structure.read_sections(text))
        return self.loaded[path]

    def for_spec(self, spec: Path) -> _Template | None:
        parts = spec.relative_to(self.specs).parts if spec.is_relative_to(self.specs) else ()
        return self.find(parts[0] if len(parts) > 1 else None)


def section_findings(
    rel: str, tree: structure.SectionTree, template: _Template, config: Config
) -> list[Finding]:
    """LPS801-803: each top-level section of the template present, none added, and
    each template subsection present in its section (extra subsections are fine)."""
    findings: list[Finding] = []
    wanted = template.tree.top_level
    have = {s.title: s for s in reversed(tree.top_level)}  # the first of a title wins
    # A title written twice (keystone's trusts-redelegation has two "Proposed Change"):
    # the subsections under either count, rather than calling present ones missing.
    subs_of: dict[str, set[str]] = {}
    for s in tree.top_level:
        subs_of.setdefault(s.title, set()).update(c.title for c in s.children)
    known = {s.title for s in wanted}
    where = tree.sections[0].line if tree.sections else 1
    optional = set(config.optional_sections)
    optional_sub = set(config.optional_subsections)
    for section in wanted:
        mine = have.get(section.title)
        if mine is None:
            if section.title not in optional:
                findings.append(
                    _finding(
                        rel,
                        where,
                        "LPS801",
                        f"section {section.title!r} of {template.rel} is missing",
                        expected=section.title,
                    )
                )
            continue
        subs = subs_of[section.title]
        for sub in section.children:
            if sub.title not in subs and sub.title not in optional_sub:
                findings.append(
                    _finding(
                        rel,
                        mine.line,
                        "LPS803",
                        f"section {section.title!r} lacks the subsection {sub.title!r} "
                        f"of {template.rel}",
                        expected=sub.title,
                    )
                )
    for section in tree.top_level:
        if section.title not in known:
            findings.append(
                _finding(
                    rel,
                    section.line,
                    "LPS802",
                    f"top-level section {section.title!r} is not in {template.rel}",
                    actual=section.title,
                )
            )
    return findings


# -- redirects -----------------------------------------------------------------------


def _redirect_files(root: Path, specs_root: Path, paths: Sequence[Path]) -> list[Path]:
    if not paths:
        out = []
        for dirpath, dirnames, filenames in os.walk(specs_root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if redirects.REDIRECTS in filenames:
                out.append(Path(dirpath, redirects.REDIRECTS))
        return out
    found = []
    for given in paths:
        path = Path(os.path.abspath(given if Path(given).exists() else root / given))
        if path.name == redirects.REDIRECTS and path.is_file() and path.is_relative_to(root):
            found.append(path)
        elif path.is_dir():
            found += _redirect_files(root, path, ())
    return sorted(set(found))


def _lint_redirects(root: Path, path: Path, rel: str) -> list[Finding]:
    """Each line of a ``redirects`` file (``lpsync.redirects``: ``move`` writes them)."""
    _data, text = _read(path)
    findings = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or redirects.is_comment(line):
            continue
        parts = redirects.LINE_RE.fullmatch(line)
        if parts is None:
            findings.append(
                _finding(rel, n, "LPS807", f"not 'source target': {line!r}", actual=line)
            )
            continue
        named, pointed = parts.group(2), parts.group(4)
        source, target = redirects.resolve(path, named, pointed)
        if not (source.is_relative_to(root) and target.is_relative_to(root)):
            findings.append(_finding(rel, n, "LPS807", f"redirect leaves the repository: {line!r}"))
            continue
        if os.path.lexists(source):
            findings.append(
                _finding(
                    rel,
                    n,
                    "LPS807",
                    f"redirect source {named} still exists (its page would be hidden)",
                    actual=named,
                )
            )
        if not target.exists():
            findings.append(
                _finding(
                    rel,
                    n,
                    "LPS807",
                    f"redirect target {pointed} does not exist",
                    expected=pointed,
                )
            )
    return findings
