"""``lpsync audit``: do the specs still say what their blueprints say?

The run has three phases so that Launchpad is asked as little as possible and a
Launchpad failure can never leave a half-fixed tree:

1. read every spec (local; unreadable ones become error entries);
2. fetch the linked blueprints in bulk, one ``get_blueprints`` call per project, then
   the display names of just the people an assignee could not be matched without;
3. compare, and with ``fix`` rewrite the drifted fields through ``specdoc.update_text``.

Any ``LaunchpadError`` propagates out of phase 2, before anything is written.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import backlink, people, specdoc
from lpsync.config import Config, is_excluded
from lpsync.errors import (
    EXIT_DRIFT,
    EXIT_FAILED,
    EXIT_OK,
    LpsyncError,
    SpecError,
    UsageError,
)
from lpsync.fileio import write_atomic
from lpsync.names import BlueprintRef, blueprint_url, contains_token, is_valid_name
from lpsync.prefetch import Prefetch
from lpsync.speakers import Linker, speakers
from lpsync.spectree import walk_rst

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession

# code -> (field, what it means). Codes are stable: CI suppressions key on them.
CODES: dict[str, tuple[str, str]] = {
    "LPS101": ("url", "no blueprint link"),
    "LPS102": ("url", "malformed blueprint link"),
    "LPS103": ("url", "link names another blueprint than the file name"),
    "LPS104": ("file", "the spec is a symlink to nothing (broken symlink)"),
    "LPS201": ("blueprint", "linked blueprint does not exist"),
    "LPS301": ("title", "title differs from the blueprint's"),
    "LPS401": ("assignee", "assignee does not name the blueprint's assignee"),
    "LPS402": ("assignee", "assignee is an email that cannot be matched"),
    "LPS501": ("milestone", "milestone differs from the blueprint's"),
    "LPS601": ("status", "under implemented/ but the blueprint is not Implemented"),
    "LPS602": ("status", "blueprint is Implemented but the spec is not under implemented/"),
    "LPS603": ("status", "under approved/ but the blueprint is Obsolete or Superseded"),
    "LPS604": ("status", "under abandoned/ but the blueprint is not Obsolete or Superseded"),
    "LPS701": ("spec_url", "the blueprint has no specification URL"),
    "LPS702": ("spec_url", "the blueprint's specification URL points elsewhere"),
}
# Findings that --fix rewrites; the others need a human (rename, move, decide).
FIXABLE = frozenset({"LPS102", "LPS301", "LPS401", "LPS501"})

IMPLEMENTED = "Implemented"
DEAD = frozenset({"Obsolete", "Superseded"})

# Progress: (stage, done, total), called from the calling thread only.
Progress = Callable[[str, int, int], None]
READING = "reading specs"
ASKING = "asking Launchpad"
PEOPLE = "looking up people"


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the repo root, POSIX separators
    line: int
    code: str
    field: str
    blueprint: str | None  # "project/name"
    expected: str | None  # Launchpad's value
    actual: str | None  # the spec's value
    message: str


@dataclass(frozen=True)
class AuditError:
    path: str
    message: str
    fixing: bool = False  # the spec was checked; its --fix could not be made or written
    line: int | None = None  # where the file stops being readable, when known


@dataclass
class AuditResult:
    checked: int
    findings: list[Finding] = field(default_factory=list)
    errors: list[AuditError] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)  # paths rewritten by --fix
    unfixed: list[str] = field(default_factory=list)  # "path: why" for what --fix could not
    warnings: list[str] = field(default_factory=list)  # one line each: a --fix title too long
    command: str = "audit"  # lint reports in the same shape
    backlinks: list[backlink.BackLink] = field(default_factory=list)  # with spec_url set

    @property
    def exit_code(self) -> int:
        """3 if any spec could not be checked, else 1 if anything drifted, else 0.

        Findings that --fix rewrote still count: the tree changed, so CI must not
        read the run as clean (as pre-commit does for hooks that modify files)."""
        if self.errors:
            return EXIT_FAILED
        return EXIT_DRIFT if self.findings else EXIT_OK


@dataclass
class _Spec:
    path: Path  # absolute, as found (may be a symlink)
    rel: str
    text: str
    fields: specdoc.SpecFields
    audited: bool = True  # False for same-named copies read only to rank releases
    link: specdoc.LinkedBlueprint | None = None  # the primary link
    ref: BlueprintRef | None = None  # what the primary link is looked up as
    blueprint: Blueprint | None = None
    assignee_name: str | None = None  # the assignee's display name, if fetched
    # The blueprints the repo's templates link (their instruction examples): in a spec
    # they are no reference to look up.
    template_links: frozenset[Key] = frozenset()
    findings: list[Finding] = field(default_factory=list)
    fix: set[str] = field(default_factory=set)


LinkedSpec = _Spec  # a spec as read, with its primary link's blueprint (move, status)

Key = tuple[str, str]  # (project as linked, lowercased; blueprint name)


@dataclass
class LinkedSpecs:
    """Phases 1 and 2: the specs read, each with its primary link's blueprint. What
    audit checks, and what move and status act on: one notion of a spec's identity."""

    specs_root: Path
    specs: list[_Spec]
    errors: list[AuditError]
    checked: int  # specs read among the targets (copies read to rank them excluded)
    found: dict[Key, Blueprint | None]
    missing_projects: set[str]
    broken: list[Finding] = field(default_factory=list)  # LPS104, one per broken symlink

    def current(self) -> list[_Spec]:
        """The specs asked about that speak for their blueprint (lpsync.speakers)."""
        speaking, _outranked = _speaking(self.specs, self.specs_root)
        return [s for s in self.specs if s.audited and id(s) in speaking]


def read_linked_specs(
    repo_root: Path,
    config: Config,
    launchpad: LaunchpadSession,
    paths: Sequence[Path] = (),
    progress: Progress | None = None,
    early_people: bool = False,
) -> LinkedSpecs:
    """Read the specs under ``config.specs_dir`` (or ``paths``) and fetch their
    blueprints in bulk (one listing per project, never one request per spec), while
    the specs are read. ``early_people``: also ask for the display names audit will need
    as soon as they are known (audit's ``_check_fields``). ``progress(stage, done,
    total)`` hears of READING (files) and ASKING (the Launchpad reads started so far:
    listings and people), which overlap.

    Raises LaunchpadError when Launchpad fails and UsageError for a PATH that is
    missing or outside the repo."""
    root = Path(os.path.realpath(repo_root))
    specs_root = spec_root(root, config)
    targets, broken = _targets(root, specs_root, paths, config.exclude)
    errors: list[AuditError] = []
    if paths and not targets and not broken:
        # A CI job pointed at the wrong file must not pass as "0 specs checked".
        raise UsageError(f"no spec among the paths given: {', '.join(map(str, paths))}")
    with Prefetch(launchpad) as net:
        # The cheap line scan first, so Launchpad works while docutils reads the specs.
        raw = {path: _read_bytes(path) for path in targets}
        examples = specdoc.template_links(root, config.specs_dir, config.template)
        scanned = {path: _scan(path, data, config, examples) for path, data in raw.items()}
        net.start_listings(_wanted(ref for refs in scanned.values() for ref in refs))
        # A person is asked for early only for a spec no other file links (so it
        # speaks for its blueprint): the same people audit would ask for after reading.
        linked_by = Counter(ref.name for refs in scanned.values() for ref in set(refs))
        early = _EarlyPeople(net, linked_by if early_people and not paths else None)
        # Specs whose people will be asked for are read first (_reading_order), so
        # those requests overlap the rest of the reading. Results keep the files' order.
        order = {path: k for k, path in enumerate(targets)}
        reading = _reading_order(targets, raw, scanned, net, early.linked_by)
        specs: list[_Spec] = []
        for done, path in enumerate(reading, 1):
            spec = _read(root, path, errors, raw.pop(path))
            if spec is not None:
                spec.template_links = examples
                specs.append(spec)
                _pick_link(spec, config)
                early.offer(spec)
            if progress:
                progress(READING, done, len(targets))
                progress(ASKING, *net.counts())
            early.drain()
        early.drain(final=True)
        specs.sort(key=lambda spec: order[spec.path])
        checked = len(specs)
        if paths:
            copies = _copies_elsewhere(root, specs_root, specs, targets, config.exclude)
            for spec in copies:
                spec.template_links = examples
                _pick_link(spec, config)
            specs += copies
        if progress:
            net.wait_all(functools.partial(progress, ASKING))
        found, missing_projects = _fetch(net, specs)
        net.people_done()
    return LinkedSpecs(specs_root, specs, errors, checked, found, missing_projects, broken)


def spec_root(root: Path, config: Config) -> Path:
    """``specs_dir`` of the repo at ``root``; UsageError when it is missing or leaves
    the repository (a typo must not pass CI as "0 specs, 0 findings")."""
    specs_root = root / config.specs_dir
    if not specs_root.is_dir():
        raise UsageError(f"{root}: no specs directory {config.specs_dir!r}")
    if not Path(os.path.realpath(specs_root)).is_relative_to(root):
        raise UsageError(f"{config.specs_dir}: resolves outside the repository {root}")
    return specs_root


def run_audit(
    repo_root: Path,
    config: Config,
    launchpad: LaunchpadSession,
    paths: Sequence[Path] = (),
    fix: bool = False,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit the specs under ``config.specs_dir`` (or ``paths``) against Launchpad.

    ``progress(stage, done, total)`` hears of each phase as it goes: READING (files),
    ASKING (Launchpad's listings and people, overlapping the reading), PEOPLE (display
    names still needed once every spec is read).

    Raises LaunchpadError when Launchpad fails (nothing is written then) and
    UsageError for a PATH that is missing or outside the repo."""
    root = Path(os.path.realpath(repo_root))
    spec_root(root, config)
    # A bad template would otherwise surface only after every Launchpad read.
    template = specdoc.load_template(root, config.specs_dir, config.template) if fix else ""
    linked = read_linked_specs(root, config, launchpad, paths, progress, early_people=True)
    specs, specs_root = linked.specs, linked.specs_root
    _check_existence(specs, linked.found, linked.missing_projects, launchpad.place)
    _check_link_projects(specs)
    authoritative = _speakers(specs, specs_root)
    has_implemented = _has_folder(specs_root, "implemented")
    _check_fields(specs, authoritative, launchpad, progress)
    for spec in specs:
        if spec.audited and id(spec) in authoritative:
            _check_status(spec, specs_root, has_implemented)

    result = AuditResult(checked=linked.checked, errors=linked.errors, findings=list(linked.broken))
    if config.spec_url:
        result.backlinks = _check_backlinks(
            root, config.spec_url, config.specs_dir, specs, authoritative
        )
    for spec in specs:
        if spec.audited:
            result.findings += spec.findings
    if fix:
        fixable = [s for s in specs if s.audited and s.fix]
        result.fixed, result.unfixed, result.warnings = _fix(
            template, fixable, result.errors, config
        )
    result.findings.sort(key=lambda f: (f.path, f.line, f.code))
    result.errors.sort(key=lambda e: e.path)
    return result


# -- phase 1: which files, and what they say ------------------------------------------


def _targets(
    root: Path, specs_root: Path, paths: Sequence[Path], exclude: tuple[str, ...] = ()
) -> tuple[list[Path], list[Finding]]:
    """Spec files to audit, in a stable order, and an LPS104 finding per broken symlink.
    Files matching a config ``exclude`` pattern are left out, even when named."""
    found: list[Path] = []
    if not paths:
        found = list(walk_rst(specs_root))
    for given in paths:
        # Resolve the folders (the repo may be reached through a symlink) but not the
        # last component: a symlinked spec is audited, and reported, as the link.
        path = _real_folders(Path(given))
        if not path.is_relative_to(root) and not Path(given).is_absolute():
            path = _real_folders(root / given)  # relative to --repo when not to the cwd
        if not path.is_relative_to(root):
            raise UsageError(f"{given}: not inside the repository {root}")
        if not os.path.lexists(path):
            raise UsageError(f"{given}: no such file or directory")
        found += walk_rst(path) if path.is_dir() else [path]

    broken: list[Finding] = []
    regular: list[Path] = []
    links: list[Path] = []
    for path in dict.fromkeys(found):  # de-duplicated, order kept
        if exclude and is_excluded(_rel(root, path), exclude):
            continue
        if not path.is_symlink():
            if _is_spec(path, specs_root):
                regular.append(path)
        elif not (specdoc.is_spec_name(path.name) and path.is_relative_to(specs_root)):
            continue  # nova's release-dir placeholder links to the template, say
        elif not path.exists():
            # A repo's own mistake (ironic has one), not a failure to check: a finding.
            target = os.readlink(path)
            rel = _rel(root, path)
            message = f"broken symlink: {target} does not exist"
            broken.append(Finding(rel, 1, "LPS104", "file", None, None, target, message))
        elif _is_spec(path.resolve(), specs_root):
            links.append(path)
    # A symlink to a spec that is audited anyway (ironic's release dirs link into
    # approved/) would count the spec twice: audit the file once, under its own path.
    real = {p.resolve() for p in regular} if links else set()  # resolve(): syscalls a part
    for link in links:
        if link.resolve() not in real:
            real.add(link.resolve())
            regular.append(link)
    return regular, broken


def _real_folders(given: Path) -> Path:
    absolute = Path(os.path.abspath(given))
    return Path(os.path.realpath(absolute.parent)) / absolute.name


def _is_spec(path: Path, specs_root: Path) -> bool:
    try:
        return specdoc.is_spec_file(path, specs_root)
    except OSError:
        return False


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _read_bytes(path: Path) -> bytes | SpecError:
    try:
        return path.read_bytes()
    except OSError as err:
        return SpecError(path, f"cannot read: {err.strerror or err}")


def _read(
    root: Path, path: Path, errors: list[AuditError], data: bytes | SpecError | None = None
) -> _Spec | None:
    rel = _rel(root, path)
    try:
        if data is None:
            data = _read_bytes(path)
        if isinstance(data, SpecError):
            raise data
        text, fields = specdoc.spec_from_bytes(data, path)  # every failure is a SpecError
    except SpecError as exc:
        errors.append(AuditError(rel, exc.detail, line=exc.line))
        return None
    return _Spec(path=path, rel=rel, text=text, fields=fields)


def _copies_elsewhere(
    root: Path,
    specs_root: Path,
    specs: list[_Spec],
    targets: list[Path],
    exclude: tuple[str, ...] = (),
) -> list[_Spec]:
    """Specs outside the PATHs given that may speak for the same blueprints (same-named
    copies in other releases, specs named after a linked blueprint), read only to tell
    which one speaks."""
    names = {s.path.name for s in specs}
    linked: dict[str | None, set[str]] = defaultdict(set)  # project as linked -> names
    for s in specs:
        if s.ref is not None:
            linked[s.ref.project].add(s.ref.name)
    given = set(targets)
    copies: list[_Spec] = []
    for path in walk_rst(specs_root):
        if path in given or path.is_symlink():
            continue
        if exclude and is_excluded(_rel(root, path), exclude):
            continue
        if path.name in names or any(
            specdoc.stem_names(path, project) & wanted for project, wanted in linked.items()
        ):
            spec = _read(root, path, [])
            if spec is not None:
                spec.audited = False
                copies.append(spec)
    return copies


# -- phase 2: Launchpad ----------------------------------------------------------------


def _pick_link(spec: _Spec, config: Config) -> None:
    """Choose the spec's primary link (the one naming the file's blueprint, else the
    first) and report url findings about it."""
    # Only the preamble's links say which blueprint the spec is about; one in its body
    # or References is a mention of other work (still checked for existence).
    link = specdoc.primary_link(spec.path, spec.text, spec.fields)
    if link is None:
        # Not guessed from the file name: a wrong guess would be "fixed" into the spec.
        _add(
            spec,
            _fallback_line(spec),
            "LPS101",
            None,
            None,
            None,
            "no Launchpad blueprint link (bug and StoryBoard links are not blueprints)",
        )
        return
    spec.link = link
    project, name = _project(link) or config.project, link.ref.name
    label = f"{project}/{name}" if project else name
    valid = bool(project and is_valid_name(project) and is_valid_name(name))
    if link.malformed or not valid:
        problem = (
            f"malformed blueprint link: {link.malformed}"
            if link.malformed
            else f"blueprint link {link.url!r} does not name a valid Launchpad blueprint"
        )
        _add(spec, link.line, "LPS102", label, None, link.url, problem)
    if not valid:
        return
    spec.ref = BlueprintRef(project, name)
    if name not in specdoc.stem_names(spec.path, project):
        _add(
            spec,
            link.line,
            "LPS103",
            label,
            name,
            spec.path.stem,
            f"links blueprint {label} but the file is named {spec.path.name} "
            "(checked against the linked blueprint)",
        )


def link_findings(
    path: Path, rel: str, text: str, fields: specdoc.SpecFields, config: Config
) -> list[Finding]:
    """LPS101-103, which need no Launchpad: what the spec's own links say. lint runs
    the very checks audit runs."""
    spec = _Spec(path=path, rel=rel, text=text, fields=fields)
    _pick_link(spec, config)
    return spec.findings


def _project(link: specdoc.LinkedBlueprint) -> str | None:
    # Launchpad names are lowercase; real specs sometimes write /Nova/.
    return link.ref.project.lower() if link.ref.project else None


def _scan(
    path: Path, data: bytes | SpecError, config: Config, examples: frozenset[Key] = frozenset()
) -> list[BlueprintRef]:
    """What the cheap line scan says a spec links: a superset of what ``_link_refs``
    will look up once docutils has read it, minus group searches and template examples
    that cannot be the spec's own link (see ``_link_refs``)."""
    if isinstance(data, SpecError):
        return []
    try:
        text = specdoc.decode_spec(data, path)
    except SpecError:
        return []
    refs = []
    named = False  # whether a link before this one names the file's blueprint
    for index, link in enumerate(specdoc.scan_links(text)):
        project = _project(link) or config.project
        if not (project and is_valid_name(project) and is_valid_name(link.ref.name)):
            continue
        names_file = link.ref.name in specdoc.stem_names(path, project)
        # Only these can be the primary link (the first, or the first naming the file).
        may_be_primary = index == 0 or (names_file and not named)
        named = named or names_file
        if may_be_primary or not (_is_search(link) or (project, link.ref.name) in examples):
            refs.append(BlueprintRef(project, link.ref.name))
    return refs


_ASSIGNEE_HINT_RE = re.compile(
    rb"Primary[ \t]+assignees?(?:\(s\))?[ \t*]*:[ \t*]*(?:\r?\n[ \t]*)?(?:[-*+][ \t]+)?([^\r\n]*)",
    re.IGNORECASE,
)


def _assignee_hint(data: bytes | SpecError) -> str | None:
    """The primary assignee as the raw bytes seem to say it: a guess, for the reading
    order only (docutils decides what the field holds)."""
    if isinstance(data, SpecError):
        return None
    m = _ASSIGNEE_HINT_RE.search(data)
    return m.group(1).strip().decode("utf-8", "replace") if m else None


def _names_by_display_name(hint: str | None) -> bool:
    """The assignee looks like a full name ("Jane Doe"), which audit may need the
    person's display name to match."""
    return hint is not None and " " in hint and not any(c in hint for c in "(<@`:")


def _reading_order(
    targets: list[Path],
    raw: dict[Path, bytes | SpecError],
    scanned: dict[Path, list[BlueprintRef]],
    net: Prefetch,
    linked_by: Counter[str] | None,
) -> Iterator[Path]:
    """The specs in the order to read them: those naming their assignee by display name
    first; then, whenever a listing page has come in, the unread specs whose blueprint
    it holds and whose assignee (as the raw bytes seem to say it) does not name that
    person by id. Reading those early asks for their people early (_EarlyPeople); the
    people asked for stay exactly those the specs as read need."""
    hints = {path: _assignee_hint(raw[path]) for path in targets}
    queue = deque(sorted(targets, key=lambda path: not _names_by_display_name(hints[path])))
    # The specs _EarlyPeople may ask a person for whose blueprint is not known yet.
    undecided = [p for p in queue if linked_by is not None and _early_ref(scanned[p], linked_by)]
    done: set[Path] = set()
    seen = -1
    while queue:
        if undecided and net.news != seen:
            seen = net.news
            urgent: list[Path] = []
            waiting: list[Path] = []
            for path in undecided:
                ref = _early_ref(scanned[path], linked_by)  # type: ignore[arg-type]
                assert ref is not None and ref.project is not None
                known, blueprint = net.known(ref.project, ref.name)
                if path in done:
                    continue
                if not known:
                    waiting.append(path)
                elif blueprint is not None and blueprint.assignee and hints[path] is not None:
                    verdict = people.match(hints[path], blueprint.assignee)
                    if verdict is people.Match.NEED_NAME:
                        urgent.append(path)
            undecided = waiting
            if urgent:
                first = set(urgent)
                queue = deque([*urgent, *(p for p in queue if p not in first)])
        path = queue.popleft()
        done.add(path)
        yield path


def _early_ref(refs: list[BlueprintRef], linked_by: Counter[str]) -> BlueprintRef | None:
    """The scan's first link, when no other spec links its blueprint (the specs whose
    people _EarlyPeople asks for)."""
    return refs[0] if refs and linked_by[refs[0].name] == 1 else None


def _wanted(refs: Iterable[BlueprintRef]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        wanted[ref.project].add(ref.name)  # type: ignore[index]
    return wanted


class _EarlyPeople:
    """Ask for display names while the specs are still being read: for each spec no
    other file links, as soon as the listing page holding its blueprint has arrived."""

    def __init__(self, net: Prefetch, linked_by: Counter[str] | None) -> None:
        self.net = net
        self.linked_by = linked_by  # None: not safe to guess (PATHs given)
        self.pending: list[_Spec] = []
        self.seen = -1  # the net's news count at the last look at the pending specs

    def offer(self, spec: _Spec) -> None:
        ref = spec.ref
        if (
            self.linked_by is not None
            and ref is not None
            and self.linked_by[ref.name] == 1
            and not self._try(spec)
        ):
            self.pending.append(spec)

    def _try(self, spec: _Spec) -> bool:
        """Ask for the spec's person if needed; False while its blueprint is unknown."""
        assert spec.ref is not None and spec.ref.project is not None
        known, blueprint = self.net.known(spec.ref.project, spec.ref.name)
        if not known:
            return False
        if blueprint is not None and blueprint.assignee is not None:
            text = spec.fields.assignee.value if spec.fields.assignee else None
            if people.match(text, blueprint.assignee) is people.Match.NEED_NAME:
                self.net.person(blueprint.assignee)
        return True

    def drain(self, final: bool = False) -> None:
        if final:
            for spec in self.pending:
                self.net.wait_listing(spec.ref.project)  # type: ignore[union-attr,arg-type]
        elif self.net.news == self.seen:
            return  # no page came in since the last look
        self.seen = self.net.news
        self.pending = [spec for spec in self.pending if not self._try(spec)]


def _fetch(net: Prefetch, specs: list[_Spec]) -> tuple[dict[Key, Blueprint | None], set[str]]:
    """Every linked blueprint, from the listings started early (one bulk read per
    project). Returns what was found (None: no such blueprint) and the projects
    Launchpad does not have."""
    found, missing = net.blueprints(_wanted(ref for s in specs for _link, ref in _link_refs(s)))
    for spec in specs:
        if spec.ref is not None:
            spec.blueprint = found.get((spec.ref.project, spec.ref.name))  # type: ignore[arg-type]
    return found, missing


def _is_search(link: specdoc.LinkedBlueprint) -> bool:
    """``?searchtext=``: a search of a project or group, not a blueprint's page."""
    return "searchtext=" in link.url


def _link_refs(spec: _Spec) -> list[tuple[specdoc.LinkedBlueprint, BlueprintRef]]:
    """Each blueprint link of the spec with what it is looked up as: the primary link
    as chosen by _pick_link, the others when they name a valid project and name."""
    refs = []
    for link in spec.fields.links:
        project = _project(link)
        if link is spec.link:
            if spec.ref is not None:
                refs.append((link, spec.ref))
        elif _is_search(link):
            # A search cannot be dead, and under a group (openstack) it would page
            # through every project's blueprints: only the primary link is looked up.
            continue
        elif project is not None and (project, link.ref.name) in spec.template_links:
            continue  # the template's example, kept in the spec as an instruction
        elif project and is_valid_name(project) and is_valid_name(link.ref.name):
            refs.append((link, BlueprintRef(project, link.ref.name)))
    return refs


# -- phase 3: compare ------------------------------------------------------------------


def _add(
    spec: _Spec,
    line: int,
    code: str,
    blueprint: str | None,
    expected: str | None,
    actual: str | None,
    message: str,
) -> None:
    spec.findings.append(
        Finding(spec.rel, line, code, CODES[code][0], blueprint, expected, actual, message)
    )
    if code in FIXABLE:
        spec.fix.add(code)


def _label(blueprint: Blueprint) -> str:
    return f"{blueprint.project}/{blueprint.name}"


def _check_existence(
    specs: list[_Spec],
    found: dict[Key, Blueprint | None],
    missing_projects: set[str],
    place: str,
) -> None:
    for spec in specs:
        for link, ref in _link_refs(spec):
            if found.get((ref.project, ref.name)) is not None:  # type: ignore[arg-type]
                continue
            label = f"{ref.project}/{ref.name}"
            why = (
                f"project {ref.project!r} does not exist {place}"
                if ref.project in missing_projects
                else f"no such blueprint {place}"
            )
            _add(spec, link.line, "LPS201", label, None, link.url, f"{label}: {why}")
        # A malformed link to a blueprint that exists: rewrite it to the real URL.
        for index, finding in enumerate(spec.findings):
            if finding.code == "LPS102" and spec.blueprint is not None:
                spec.findings[index] = replace(finding, expected=spec.blueprint.web_link)


def _check_link_projects(specs: list[_Spec]) -> None:
    """A ``+spec`` link under a project group (oslo/+spec/x) names no real page: the
    blueprint lives in a member project. ``?searchtext=`` links are meant for groups."""
    for spec in specs:
        link, blueprint = spec.link, spec.blueprint
        if link is None or blueprint is None or link.malformed or _is_search(link):
            continue
        if link.ref.project and link.ref.project.lower() != blueprint.project:
            url = blueprint_url(blueprint.project, blueprint.name)
            _add(
                spec,
                link.line,
                "LPS102",
                _label(blueprint),
                url,
                link.url,
                f"the link names {link.ref.project}, but the blueprint belongs to "
                f"{blueprint.project}: {url}",
            )


def _speakers(specs: list[_Spec], specs_root: Path) -> set[int]:
    """ids of the specs whose blueprint-derived fields are checked (and fixed): those
    that speak for their blueprint by lpsync.speakers' rule, which pull follows too.

    A spec outranked by one named after the blueprint only links it: like a reference
    link, its link is checked for existence alone, so its other link findings go."""
    chosen, outranked = _speaking(specs, specs_root)
    for spec in outranked:
        spec.findings = [f for f in spec.findings if f.code == "LPS201"]
        spec.fix.clear()
    return chosen


def _speaking(specs: list[_Spec], specs_root: Path) -> tuple[set[int], list[_Spec]]:
    """ids of the specs that speak for their blueprint, and the specs outranked by
    one named after it."""
    groups: dict[Key, list[_Spec]] = defaultdict(list)
    for spec in specs:
        if spec.blueprint is not None:
            groups[(spec.blueprint.project, spec.blueprint.name)].append(spec)
    chosen: set[int] = set()
    outranked: list[_Spec] = []
    for (_project, name), group in groups.items():
        linkers = [Linker(s.path, s.ref.project if s.ref else None) for s in group]
        speaking = speakers(linkers, name, specs_root)
        chosen.update(id(s) for s in group if s.path in speaking.paths)
        outranked += [s for s in group if speaking.only_links(s.path)]
    return chosen, outranked


def parts_under(path: Path, specs_root: Path) -> tuple[str, ...]:
    try:
        return path.relative_to(specs_root).parts
    except ValueError:
        return path.parts


def _has_folder(specs_root: Path, name: str) -> bool:
    return any(name in dirnames for _dirpath, dirnames, _files in os.walk(specs_root))


def _collapse(text: str | None) -> str:
    """A title as compared: whitespace collapsed, control characters dropped (as
    specdoc.clean_title does when it writes one)."""
    return specdoc.clean_title(text or "")


def _check_fields(
    specs: list[_Spec],
    authoritative: set[int],
    launchpad: LaunchpadSession,
    progress: Progress | None = None,
) -> None:
    current = [s for s in specs if s.audited and id(s) in authoritative]
    # Assignees: decide what the Launchpad id alone can, then fetch each person whose
    # display name is still needed, once, concurrently.
    verdicts: dict[int, people.Match] = {}
    need: set[str] = set()
    for spec in current:
        assignee = spec.blueprint.assignee if spec.blueprint else None
        if assignee is None:
            continue
        text = spec.fields.assignee.value if spec.fields.assignee else None
        verdicts[id(spec)] = verdict = people.match(text, assignee)
        if verdict is people.Match.NEED_NAME:
            need.add(assignee)
    if progress and need:
        progress(PEOPLE, 0, len(need))
    names = launchpad.display_names(sorted(need))
    if progress and need:
        progress(PEOPLE, len(need), len(need))

    for spec in current:
        blueprint = spec.blueprint
        assert blueprint is not None
        label = _label(blueprint)
        fields = spec.fields
        if _collapse(fields.title_text) != _collapse(blueprint.title):
            _add(
                spec,
                fields.title.line if fields.title else 1,
                "LPS301",
                label,
                blueprint.title,
                fields.title_text,
                f"title differs from {label}: Launchpad has {blueprint.title!r}",
            )
        if id(spec) in verdicts:
            _check_assignee(spec, blueprint, verdicts[id(spec)], names)
        _check_milestone(spec, blueprint)


def _check_assignee(
    spec: _Spec, blueprint: Blueprint, verdict: people.Match, names: dict[str, str | None]
) -> None:
    assignee = blueprint.assignee
    assert assignee is not None
    located = spec.fields.assignee
    text = located.value if located else None
    if verdict is people.Match.NEED_NAME:
        # An unknown or hidden person matches on the id alone.
        spec.assignee_name = names.get(assignee) or ""
        verdict = people.match(text, assignee, spec.assignee_name)
    if verdict is people.Match.YES:
        return
    line = located.line if located else _fallback_line(spec)
    label = _label(blueprint)
    shown = f"{assignee} ({names[assignee]})" if names.get(assignee) else assignee
    if verdict is people.Match.UNVERIFIABLE:
        _add(
            spec,
            line,
            "LPS402",
            label,
            assignee,
            text,
            f"assignee {text!r} cannot be matched to {label}'s assignee {shown} "
            "(an email alone is unverifiable)",
        )
    else:
        if verdict is not people.Match.EMPTY:
            message = f"assignee {text!r} does not name {label}'s assignee {shown}"
        elif not spec.fields.has_assignee_field:
            message = f"spec has no assignee field but {label} is assigned to {shown}"
        else:
            what = f"says {text.strip()!r}" if text and text.strip() else "names nobody"
            message = f"spec {what} but {label} is assigned to {shown}"
        _add(spec, line, "LPS401", label, assignee, text, message)


def _fallback_line(spec: _Spec) -> int:
    return spec.fields.title.line if spec.fields.title else 1


def _check_milestone(spec: _Spec, blueprint: Blueprint) -> None:
    fields = spec.fields
    if not fields.has_milestone_field or blueprint.milestone is None:
        return
    text = fields.milestone.value if fields.milestone else None
    if text is not None and contains_token(text, blueprint.milestone):
        return  # the rule update_text uses, so --fix and audit agree
    line = fields.milestone.line if fields.milestone else _fallback_line(spec)
    label = _label(blueprint)
    shown = repr(text.strip()) if text and text.strip() else "nothing"
    _add(
        spec,
        line,
        "LPS501",
        label,
        blueprint.milestone,
        text,
        f"milestone says {shown} but {label} targets {blueprint.milestone}",
    )


def place_of(parts: Sequence[str]) -> str | None:
    """implemented, abandoned or approved, from the spec's folders (innermost wins)."""
    for part in reversed(parts[:-1]):
        name = part.lower()
        # ironic: juno-implemented/ holds implemented specs, not-implemented/ does not.
        if name == "implemented" or (name.endswith("-implemented") and name != "not-implemented"):
            return "implemented"
        if name in ("abandoned", "approved"):
            return name
    return None


def _check_status(spec: _Spec, specs_root: Path, has_implemented: bool) -> None:
    blueprint = spec.blueprint
    if blueprint is None:
        return
    place = place_of(parts_under(spec.path, specs_root))
    label = _label(blueprint)
    line = _fallback_line(spec)
    impl, definition = blueprint.implementation_status, blueprint.definition_status
    # One status finding per spec, the most specific first.
    if place == "implemented" and impl != IMPLEMENTED:
        _add(
            spec,
            line,
            "LPS601",
            label,
            impl,
            place,
            f"spec is under implemented/ but {label} is {impl!r}, not Implemented",
        )
    elif impl == IMPLEMENTED and place != "implemented" and has_implemented:
        _add(
            spec,
            line,
            "LPS602",
            label,
            impl,
            place,
            f"{label} is Implemented but the spec is not under implemented/",
        )
    elif place == "approved" and definition in DEAD:
        _add(
            spec,
            line,
            "LPS603",
            label,
            definition,
            place,
            f"spec is under approved/ but {label} is {definition}",
        )
    elif place == "abandoned" and definition not in DEAD and impl != IMPLEMENTED:
        _add(
            spec,
            line,
            "LPS604",
            label,
            definition,
            place,
            f"spec is under abandoned/ but {label} is {definition!r}, not Obsolete or Superseded",
        )


def _check_backlinks(
    root: Path, spec_url: str, specs_dir: str, specs: list[_Spec], authoritative: set[int]
) -> list[backlink.BackLink]:
    """LPS701/LPS702 on the spec that speaks for each blueprint (lpsync.backlink)."""
    by_rel: dict[str, _Spec] = {}
    links = []
    for s in specs:
        if s.audited and id(s) in authoritative and s.link and s.blueprint:
            by_rel[s.rel] = s
            bp = s.blueprint
            links.append(
                backlink.SpecLink(
                    s.rel,
                    s.link.line,
                    bp.project,
                    bp.name,
                    bp.specification_url,
                    s.ref.project if s.ref else None,
                )
            )
    found = backlink.check(spec_url, specs_dir, links, backlink.published_paths(root))
    for link in found:
        if link.code is not None:
            spec = by_rel[link.path]
            _add(
                spec,
                link.line,
                link.code,
                link.blueprint,
                link.expected,
                link.current,
                link.message,
            )
    return found


# -- --fix -----------------------------------------------------------------------------


def _fix(
    template: str, specs: list[_Spec], errors: list[AuditError], config: Config
) -> tuple[list[str], list[str], list[str]]:
    """Rewrite the drifted managed fields with pull's update code; never moves files.
    Every file's new text is computed before any is written, so a failure while
    computing leaves the tree as it was. Returns the paths rewritten, as "path: why"
    what could not be fixed, and a warning per rewritten title whose line is longer
    than ``max_line_length``."""
    planned: list[tuple[_Spec, str]] = []
    unfixed: list[str] = []
    warnings: list[str] = []
    for spec in specs:
        blueprint = spec.blueprint
        if blueprint is None or spec.link is None:
            continue
        url = blueprint_url(blueprint.project, blueprint.name)
        text = spec.text
        if "LPS102" in spec.fix:
            # update_text keeps any link that names the right blueprint, even a broken
            # one (double slash, wrapped): splice the canonical URL over it first.
            text = text[: spec.link.start] + url + text[spec.link.end :]
        values = specdoc.BlueprintValues(
            title=blueprint.title if "LPS301" in spec.fix else (spec.fields.title_text or ""),
            url=url,
            assignee=blueprint.assignee if "LPS401" in spec.fix else None,
            milestone=blueprint.milestone if "LPS501" in spec.fix else None,
            assignee_name=spec.assignee_name,
        )
        try:
            new = specdoc.update_text(text, values, template, path=spec.path)
        except SpecError as exc:
            errors.append(AuditError(spec.rel, f"cannot fix: {exc.detail}", fixing=True))
            continue
        if new != spec.text:
            planned.append((spec, new))
        unfixed += [f"{spec.rel}: {why}" for why in _left_as_written(new, values)]
    fixed: list[str] = []
    for spec, new in planned:
        try:
            # Through a symlink, rewrite the file it points to, not the link.
            write_atomic(spec.path.resolve(), new)
        except LpsyncError as exc:
            errors.append(AuditError(spec.rel, f"cannot fix: {exc}", fixing=True))
            continue
        fixed.append(spec.rel)
        long = specdoc.long_title(spec.rel, new, config.max_line_length)
        if long and "LPS301" in spec.fix:
            warnings.append(long)
    return fixed, unfixed, warnings


def _left_as_written(text: str, values: specdoc.BlueprintValues) -> list[str]:
    """Why fields the update was asked to fix still drift: it never deletes prose."""
    reasons = []
    for name in specdoc.stale_fields(text, values):
        if name == "assignee" and not specdoc.read_fields(text).has_assignee_field:
            reasons.append("no Assignee(s) section to put the primary assignee in")
        else:
            reasons.append(f"the {name} spans several lines of prose; left as written")
    return reasons
