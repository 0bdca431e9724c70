"""``lpsync move``: put specs where their blueprints' status says, through git.

At the end of a release a spec team moves the specs whose blueprints were implemented
(``approved/`` to the sibling ``implemented/``) and abandons the dead ones (Obsolete or
Superseded, to ``abandoned/``), leaving a redirect so that old URLs keep working. The
specs are found as audit finds them, by their primary link and newest copy, in audit's
bulk reads; the moves are ``git mv`` renames committed through pull's transaction.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lpsync import audit, transaction
from lpsync.config import Config, load_config
from lpsync.errors import GitError, SpecError, UsageError
from lpsync.gitrepo import GitRepo, is_valid_branch_name
from lpsync.names import is_valid_name
from lpsync.redirects import LINE_RE, REDIRECTS, is_comment, resolve
from lpsync.releases import release_aliases
from lpsync.spectree import walk_rst

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession


@dataclass(frozen=True)
class MoveOptions(transaction.WriteOptions):
    """The git options every writing command takes (``transaction.WriteOptions``)."""


@dataclass(frozen=True)
class Move:
    source: str  # relative to the repo root
    target: str
    blueprint: str  # "project/name"
    status: str  # why: "Implemented", "Obsolete" or "Superseded"


@dataclass(frozen=True)
class RedirectsEdit:
    path: str  # the redirects file, relative to the repo root
    old: str | None  # None: lpsync creates the file
    new: str
    added: tuple[str, ...]  # lines appended
    updated: tuple[tuple[str, str], ...]  # (line as it was, line as it is now)


@dataclass(frozen=True)
class Relink:
    """A symbolic link to a moved spec (ironic lists specs as links), pointed anew."""

    path: str  # the link, relative to the repo root
    old: str  # its target as written
    new: str


@dataclass
class MoveResult:
    moves: list[Move] = field(default_factory=list)
    redirects: list[RedirectsEdit] = field(default_factory=list)
    relinks: list[Relink] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)  # git steps taken
    skipped: list[str] = field(default_factory=list)  # "path: why it stays"
    errors: list[str] = field(default_factory=list)  # "path: why it could not be read"
    nothing: str | None = None  # why there is nothing to move at all
    branch: str | None = None
    commit: str | None = None
    message: str | None = None
    dry_run: bool = False

    def report(self) -> list[str]:
        """What was done (or would be, on a dry run), one line each, for the CLI."""
        if self.nothing:
            return [self.nothing]
        verb = "would move" if self.dry_run else "moved"
        lines = [f"{verb} {m.source} -> {m.target} ({m.blueprint}: {m.status})" for m in self.moves]
        for edit in self.redirects:
            lines += [f"{edit.path}: + {line}" for line in edit.added]
            lines += [f"{edit.path}: {old} => {new}" for old, new in edit.updated]
        lines += [f"{link.path}: link {link.old} => {link.new}" for link in self.relinks]
        return lines + [step for step in self.actions if not step.startswith("moved ")]


def move(
    repo_dir: Path,
    launchpad_factory: Callable[[], LaunchpadSession],
    paths: Sequence[Path] = (),
    options: MoveOptions = MoveOptions(),
) -> MoveResult:
    """Move the specs under ``paths`` (default: specs_dir, or the release's folder)
    whose folder disagrees with their blueprint's status.

    Checks and Launchpad reads come first; files change only inside one transaction,
    rolled back on any failure."""
    if not Path(repo_dir).is_dir():
        raise UsageError(f"repository {repo_dir}: not a directory")
    git = GitRepo(Path(repo_dir))  # a dry run too: it meets the refusals a run would
    root = git.root
    config = load_config(root)
    specs_root = audit.spec_root(root, config)
    if options.release is not None and not is_valid_name(options.release):
        raise UsageError(f"release {options.release!r} is not a valid series name")
    branch = options.branch or f"move/{options.release or 'specs'}"
    if not is_valid_branch_name(branch):
        raise UsageError(f"branch {branch!r} is not a valid git branch name")
    if not paths and options.release is not None:
        paths = [release_folder(specs_root, options.release, config)]

    result = MoveResult(dry_run=options.dry_run)
    if not (
        _has_folders(specs_root, config.implemented_dir) or _abandoned_exists(specs_root, config)
    ):
        result.nothing = (
            f"nothing to move: {config.specs_dir}/ has no implemented folder "
            f"({config.implemented_dir}) and no abandoned folder ({config.abandoned_dir})"
        )
        return result
    # A dry run writes nothing: it takes no lock, but meets the refusals a run would.
    with transaction.guarded(git, branch, check_state=options.commit, lock=not options.dry_run):
        linked = audit.read_linked_specs(root, config, launchpad_factory(), paths)
        result.errors = [f"{e.path}: {e.message}" for e in linked.errors]
        result.moves, result.skipped = plan_moves(root, config, linked)
        if not result.moves:
            result.nothing = "nothing to move: every spec is where its blueprint's status says"
            return result
        result.redirects = plan_redirects(root, specs_root, result.moves)
        result.relinks = plan_relinks(root, specs_root, result.moves)
        _refuse_targets(root, result.moves)
        result.message = _message(result.moves, options.release)
        changed = [m.source for m in result.moves] + [r.path for r in result.redirects]
        for path in changed + [link.path for link in result.relinks]:
            if os.path.lexists(root / path):
                transaction.refuse_dirty(git, root / path, hint="")
        if options.commit:
            _refuse_branch(git, branch)
        if options.dry_run:
            return result
        signoff = config.signoff if options.signoff is None else options.signoff
        _apply(git, branch, options.commit, signoff, result)
    return result


def release_folder(specs_root: Path, release: str, config: Config) -> Path:
    """The folder of ``release`` under specs_dir, by its codename or its number."""
    for name in release_aliases(release):
        if (specs_root / name).is_dir():
            return specs_root / name
    names = " or ".join(release_aliases(release))
    raise UsageError(f"{config.specs_dir}/{names}: no such release folder")


# -- planning --------------------------------------------------------------------------


def _folder(pattern: str, release: str) -> PurePosixPath:
    """A configured folder for one release, relative to specs_dir."""
    parts = [p for p in pattern.format(release=release).split("/") if p not in ("", ".")]
    return PurePosixPath(*parts)


def _has_folders(specs_root: Path, pattern: str) -> bool:
    """Whether any release has the folder ``pattern`` names ({release}: any folders)."""
    glob = pattern.replace("{release}", "*").strip("/")
    for dirpath, dirnames, _files in os.walk(specs_root):
        for name in dirnames:
            rel = Path(dirpath, name).relative_to(specs_root).as_posix()
            if fnmatch.fnmatchcase(rel, glob):
                return True
    return False


def _abandoned_exists(specs_root: Path, config: Config) -> bool:
    if "{release}" in config.abandoned_dir:
        return _has_folders(specs_root, config.abandoned_dir)
    return (specs_root / _folder(config.abandoned_dir, "")).is_dir()


def plan_moves(
    root: Path, config: Config, linked: audit.LinkedSpecs
) -> tuple[list[Move], list[str]]:
    """The moves the blueprints' status asks for, and why other candidates stay."""
    specs_root = linked.specs_root
    moves: list[Move] = []
    skipped: list[str] = []
    # The folders each blueprint's specs sit in, copies read only to rank them too: a
    # spec already abandoned (or moved into a folder outside the releases) has left
    # its release folder, so the older copy it outranked would speak next. That copy
    # is history; moving it too would collide with, or duplicate, the first.
    folders_of: dict[tuple[str, str], set[Path]] = {}
    for spec in linked.specs:
        if spec.blueprint is not None:
            key = (spec.blueprint.project, spec.blueprint.name)
            folders_of.setdefault(key, set()).add(spec.path.parent)
    for spec in linked.current():
        blueprint = spec.blueprint
        if blueprint is None or spec.path.is_symlink():
            continue  # no blueprint: audit's LPS101/201; a symlink points at the spec
        parts = audit.parts_under(spec.path, specs_root)
        place = audit.place_of(parts)
        label = f"{blueprint.project}/{blueprint.name}"
        folders = [p.lower() for p in parts[:-1]]
        # The release folder: the one above approved/ (or the spec's own folder).
        cut = (
            len(folders) - 1 - folders[::-1].index("approved")
            if "approved" in folders
            else len(folders)
        )
        release = "/".join(parts[:cut])
        if blueprint.implementation_status == audit.IMPLEMENTED:
            if place != "approved":
                continue
            folder, status = _folder(config.implemented_dir, release), audit.IMPLEMENTED
        elif blueprint.definition_status in audit.DEAD and place not in (
            "abandoned",
            "implemented",
        ):
            folder, status = _folder(config.abandoned_dir, release), blueprint.definition_status
        else:
            continue
        target_dir = specs_root / folder
        if target_dir in folders_of[(blueprint.project, blueprint.name)]:
            continue  # a copy is there already: this one is history
        if not target_dir.is_dir():
            rel_dir = target_dir.relative_to(root).as_posix()
            skipped.append(f"{spec.rel}: {label} is {status} but there is no folder {rel_dir}/")
            continue
        if os.path.realpath(target_dir) != str(target_dir):
            # git would stage the spec beyond the link and drop the link from the index;
            # a link out of the repo would take the spec with it.
            raise GitError(
                f"{target_dir.relative_to(root).as_posix()}: is or passes through a symbolic "
                f"link; cannot move {spec.rel} there"
            )
        target = target_dir / spec.path.name
        moves.append(Move(spec.rel, target.relative_to(root).as_posix(), label, status))
    moves.sort(key=lambda m: m.source)
    return moves, skipped


def _refuse_targets(root: Path, moves: list[Move]) -> None:
    seen: dict[str, str] = {}
    for m in moves:
        if os.path.lexists(root / m.target):
            raise GitError(f"{m.target}: already exists; cannot move {m.source} there")
        if m.target in seen:
            raise GitError(f"{m.target}: both {seen[m.target]} and {m.source} would move there")
        seen[m.target] = m.source


def _redirects_file(specs_root: Path, source: Path) -> Path:
    """nova's place: the redirects file of the folder above the spec's folder."""
    folder = source.parent
    return (folder.parent if folder != specs_root else folder) / REDIRECTS


def plan_redirects(root: Path, specs_root: Path, moves: list[Move]) -> list[RedirectsEdit]:
    """The redirects lines the moves need, where the repo keeps redirects files:
    one new line per move in its source's file, and every existing line that pointed
    at a moved spec updated to its new place."""
    existing = sorted(specs_root.rglob(REDIRECTS))
    existing = [p for p in existing if p.is_file() and not p.is_symlink()]
    if not existing:
        return []  # the repo keeps no redirects: create none
    moved = {os.path.normpath(root / m.source): root / m.target for m in moves}
    arriving = {os.path.normpath(root / m.target): m for m in moves}
    new_lines: dict[Path, list[tuple[str, str]]] = {}
    for m in moves:
        source, target = root / m.source, root / m.target
        file = _redirects_file(specs_root, source)
        pair = (
            Path(os.path.relpath(source, file.parent)).as_posix(),
            Path(os.path.relpath(target, source.parent)).as_posix(),
        )
        if any(len(part.split()) != 1 for part in pair):
            # A redirect is "source target": the docs build (and lint) could not read it.
            rel = file.relative_to(root).as_posix()
            raise GitError(
                f"{m.source}: a file name with whitespace cannot be written as a redirect "
                f"in {rel}; rename the spec first"
            )
        new_lines.setdefault(file, []).append(pair)

    edits = []
    for file in sorted(set(existing) | set(new_lines)):
        if file.is_symlink():  # writing would replace the link, or follow it out of the repo
            rel = file.relative_to(root).as_posix()
            raise GitError(f"{rel}: a symbolic link; lpsync writes redirects to a regular file")
        old = _read_redirects(root, file) if file.exists() else None
        text = old or ""
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.splitlines(keepends=True)
        # New lines take the file's own separator (the first line's), else one space.
        forms = (LINE_RE.fullmatch(raw.rstrip("\r\n")) for raw in lines)
        sep = next((f.group(3) for f in forms if f and not is_comment(f.group(2))), " ")
        updated: list[tuple[str, str]] = []
        for index, raw in enumerate(lines):
            body = raw.rstrip("\r\n")
            match = LINE_RE.fullmatch(body)
            if not match or is_comment(body):
                continue
            source, pointed_path = resolve(file, match.group(2), match.group(4))
            if str(source) in arriving:
                # The docs build would write the moved spec's page as this redirect
                # (updated, to itself): whether the line goes is the team's call.
                here = f"{file.relative_to(root).as_posix()}:{index + 1}"
                into = arriving[str(source)]
                raise GitError(
                    f"{here}: redirects {match.group(2)} away, and {into.source} would "
                    "move there; remove the line first"
                )
            pointed = str(pointed_path)
            if pointed in moved:
                new_target = Path(os.path.relpath(moved[pointed], source.parent)).as_posix()
                changed = body[: match.start(4)] + new_target + body[match.end(4) :]
                lines[index] = changed + raw[len(body) :]
                updated.append((body, changed))
        present = {tuple(raw.split()) for raw in lines}
        wanted = sorted(new_lines.get(file, []))
        added = [f"{src}{sep}{dst}" for src, dst in wanted if (src, dst) not in present]
        if not added and not updated:
            continue
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        new = "".join(lines) + "".join(line + newline for line in added)
        edits.append(
            RedirectsEdit(file.relative_to(root).as_posix(), old, new, tuple(added), tuple(updated))
        )
    return edits


def plan_relinks(root: Path, specs_root: Path, moves: list[Move]) -> list[Relink]:
    """The symbolic links under specs_dir that point at a spec about to move, each
    pointed at its new place: left as they were, they would dangle (ironic lists its
    release's specs as links into approved/)."""
    moved = {os.path.normpath(root / m.source): root / m.target for m in moves}
    relinks = []
    for link in walk_rst(specs_root):
        if not link.is_symlink():
            continue
        old = os.readlink(link)
        pointed = os.path.normpath(link.parent / old)
        if pointed in moved:
            new = Path(os.path.relpath(moved[pointed], link.parent)).as_posix()
            relinks.append(Relink(link.relative_to(root).as_posix(), old, new))
    return relinks


def _read_redirects(root: Path, path: Path) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except UnicodeDecodeError as exc:
        raise SpecError(path.relative_to(root), f"not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise SpecError(path.relative_to(root), f"cannot read: {exc.strerror}") from None


def _message(moves: list[Move], release: str | None) -> str:
    where = f" of {release}" if release else ""
    implemented = sum(m.status == audit.IMPLEMENTED for m in moves)
    kinds = []
    if implemented:
        kinds.append("implemented")
    if implemented < len(moves):
        kinds.append("abandoned")
    subject = f"Move the {' and '.join(kinds)} specs{where}"
    body = [
        "Launchpad says these blueprints are done or dead; each spec moves to",
        "the folder its blueprint's status asks for, with a redirect where the",
        "repository keeps them, so that the old URLs keep working.",
        "",
    ]
    for m in moves:
        body += [f"* {m.blueprint}: {m.status}", f"  {m.source}", f"  -> {m.target}"]
    return "\n".join([subject, "", *body]) + "\n"


# -- doing -----------------------------------------------------------------------------


def _refuse_branch(git: GitRepo, branch: str) -> None:
    """Commit on an existing branch only from it, or when it is where HEAD is."""
    if git.current_branch() != branch and git.branch_exists(branch):
        tip = git.run("rev-parse", "--verify", f"{branch}^{{commit}}")
        if tip != git.head_commit():
            raise GitError(
                f"branch {branch} exists and differs from HEAD; check it out to move "
                "there, delete it, or pass --branch"
            )


def _apply(git: GitRepo, branch: str, commit: bool, signoff: bool, result: MoveResult) -> None:
    root = git.root
    on_branch = not commit or git.current_branch() == branch

    def body(tx: transaction.Transaction) -> None:
        switched = tx.switch()
        if switched:
            result.actions.append(switched)
        for m in result.moves:
            tx.move(root / m.source, root / m.target)
            result.actions.append(f"moved {m.source} -> {m.target}")
        for edit in result.redirects:
            tx.write(root / edit.path, edit.old, edit.new)
            result.actions.append(f"{'wrote' if edit.old is None else 'updated'} {edit.path}")
        paths = [root / m.source for m in result.moves] + [root / m.target for m in result.moves]
        for link in result.relinks:
            tx.relink(root / link.path, link.old, link.new)
            result.actions.append(f"relinked {link.path}")
        paths += [root / edit.path for edit in result.redirects]
        paths += [root / link.path for link in result.relinks]
        if not commit:
            written = [edit.path for edit in result.redirects] + [k.path for k in result.relinks]
            if written:
                git.run("add", "--", *written)
            return
        assert result.message is not None
        result.commit = tx.commit(paths, result.message, signoff=signoff)
        result.branch = branch
        count = len(result.moves)
        result.actions.append(f"committed {count} move{'s' if count != 1 else ''} on {branch}")

    transaction.run(git, branch, on_branch, body)
