"""Phases 1 and 2: which files are specs, reading them, and fetching their
blueprints (and the people audit will need) while they are read."""

from __future__ import annotations

import functools
import os
import re
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync import people, specdoc
from lpsync.audit.checks import _speaking
from lpsync.audit.links import _is_search, _link_refs, _pick_link, _project
from lpsync.audit.model import ASKING, READING, AuditError, Finding, Key, Progress, _Spec
from lpsync.config import Config, is_excluded
from lpsync.errors import SpecError, UsageError
from lpsync.names import BlueprintRef, is_valid_name
from lpsync.prefetch import Prefetch
from lpsync.spectree import walk_rst

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession


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
    broken: list[Finding] = field(default_factory=list)  # LPS104/105: links not followed

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
        notice = excluded_notice(root, specs_root, paths, config)
        if notice:
            raise AllExcluded(notice)
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
    launchpad.logged_in()  # a login under way failed: so does audit, even of no spec
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


class AllExcluded(UsageError):
    """Every spec among the paths given is excluded by config ``exclude``: audit and
    lint report it as a notice with exit 0 (pre-commit passes the changed files, which
    may all be excluded); move refuses it (exit 2)."""


def excluded_notice(
    root: Path, specs_root: Path, paths: Sequence[Path], config: Config
) -> str | None:
    """The one line saying that the ``paths`` given, which hold no spec to check, do hold
    specs that config ``exclude`` leaves out; None when they hold none at all."""
    if not paths or not config.exclude:
        return None
    specs, broken = _targets(root, specs_root, paths)
    if not specs and not broken:
        return None
    where = config.source or "the config"
    return f"the paths given are all excluded by config `exclude` ({where}): nothing checked"


def _targets(
    root: Path, specs_root: Path, paths: Sequence[Path], exclude: tuple[str, ...] = ()
) -> tuple[list[Path], list[Finding]]:
    """Spec files to audit, in a stable order, and an LPS104 finding per broken symlink
    (LPS105 per symlink leading outside the repository, whose target is never read).
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
        elif not path.resolve().is_relative_to(root):
            # Never read: it could be any file of the machine. The repo's mistake too.
            target = os.readlink(path)
            message = f"symlink leads outside the repository: {target}"
            broken.append(
                Finding(_rel(root, path), 1, "LPS105", "file", None, None, target, message)
            )
        elif _is_spec(path.resolve(), root):
            # Into specs_dir or elsewhere in the repo: checked under the link's name.
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
