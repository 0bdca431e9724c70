"""``lpsync pull``: bring one blueprint into its spec file, committed on its own branch.

The order of work keeps every failure harmless: all checks and Launchpad reads come
first, the change is computed against the branch it will land on (read through git
objects, so a no-op never switches branches), and only then is anything written. Once
the tree is touched, any failure rolls back the file, the index, HEAD and a branch
lpsync created.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lpsync import commitmsg, specdoc, transaction
from lpsync.config import Config, load_config, placeholders
from lpsync.errors import (
    GitError,
    LaunchpadError,
    NotFoundError,
    SpecError,
    UsageError,
)
from lpsync.fileio import write_atomic
from lpsync.gitrepo import GitRepo, is_valid_branch_name
from lpsync.names import BlueprintRef, blueprint_url, is_valid_name, parse_ref
from lpsync.releases import release_folder
from lpsync.speakers import Linker, speakers
from lpsync.spectree import RevTree, SpecTree, WorkTree

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession


@dataclass(frozen=True)
class PullOptions(transaction.WriteOptions):
    """The git options every writing command takes (``transaction.WriteOptions``)."""


@dataclass(frozen=True)
class OwnCommit:
    """lpsync's own commit for this blueprint at the tip of its branch, not yet on any
    other branch: a re-pull amends it, so the review stays one Gerrit change."""

    sha: str
    message: str
    base: str | None  # the spec in the commit's parent (None: the commit added it)


@dataclass
class PullResult:
    blueprint: Blueprint
    path: str  # relative to the repo root
    action: str  # "created", "updated" or "up to date"
    diff: str
    actions: list[str] = field(default_factory=list)  # git steps taken, or planned on dry run
    branch: str | None = None
    commit: str | None = None
    amended: str | None = None  # the commit a re-pull replaced
    message: str | None = None  # the commit message, made or planned
    dry_run: bool = False
    # Managed fields the update left as written (several lines of the author's prose,
    # or no section to put them in): the spec still disagrees with Launchpad there.
    left_as_written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one line each, e.g. a long title

    @property
    def changed(self) -> bool:
        return self.action != "up to date"


def pull(
    repo_dir: Path,
    ref: str,
    launchpad_factory: Callable[[], LaunchpadSession],
    options: PullOptions = PullOptions(),
) -> PullResult:
    """Pull blueprint REF into the spec repo at ``repo_dir``.

    ``launchpad_factory`` opens the Launchpad session lazily, so a bad name or a
    refused repo state costs no network round trip."""
    if not Path(repo_dir).is_dir():
        raise UsageError(f"repository {repo_dir}: not a directory")
    git = _open_git(repo_dir, options)
    root = git.root if git else Path(repo_dir).resolve()
    config = load_config(root)
    bp_ref = parse_ref(ref, config.project)
    if options.release is not None and not is_valid_name(options.release):
        raise UsageError(f"release {options.release!r} is not a valid series name")
    branch = options.branch or config.branch.format(name=bp_ref.name, project=bp_ref.project)

    if not is_valid_branch_name(branch):
        raise UsageError(f"branch {branch!r} is not a valid git branch name")
    # A dry run writes nothing: it takes no lock, but meets the refusals a run would.
    with transaction.guarded(git, branch, check_state=options.commit, lock=not options.dry_run):
        return _pull(root, git, config, bp_ref, branch, launchpad_factory, options)


def _pull(
    root: Path,
    git: GitRepo | None,
    config: Config,
    bp_ref: BlueprintRef,
    branch: str,
    launchpad_factory: Callable[[], LaunchpadSession],
    options: PullOptions,
) -> PullResult:
    launchpad = launchpad_factory()
    project = cast(str, bp_ref.project)  # parse_ref refuses a REF without a project
    blueprint = launchpad.get_blueprint(project, bp_ref.name)
    if blueprint is None:
        raise NotFoundError(f"blueprint {project}/{bp_ref.name} does not exist {launchpad.place}")
    problem = specdoc.title_problem(blueprint.title)
    if problem:  # Launchpad's data, not the user's request: exit 3, not a usage error
        raise LaunchpadError(
            f"blueprint {blueprint.project}/{blueprint.name} {launchpad.place}: its {problem}"
        )

    vcs = git if options.commit else None  # the repo to commit in, if any
    on_branch = vcs is not None and vcs.current_branch() == branch
    tree: SpecTree = WorkTree(root)
    if vcs is not None and not on_branch and vcs.branch_exists(branch):
        tree = RevTree(root, vcs, branch)

    path = _find_spec(tree, config, bp_ref, blueprint, options.release)
    if path is not None and not Path(os.path.realpath(path)).is_relative_to(root):
        raise UsageError(f"{path.relative_to(root)}: resolves outside the repository")
    old = tree.read(path) if path else None
    series: str | None
    if path is None:
        path, series = _scaffold_path(root, config, blueprint, options.release, launchpad)
    else:
        series = specdoc.release_of(path, root / config.specs_dir)
    # The release's own template (nova keeps one per release), else the newest.
    template = specdoc.load_template(root, config.specs_dir, config.template, series)
    values = specdoc.BlueprintValues(
        title=blueprint.title,
        url=blueprint_url(blueprint.project, blueprint.name),
        assignee=blueprint.assignee,
        milestone=blueprint.milestone,
    )
    if old is not None and blueprint.assignee and specdoc.needs_display_name(old, values):
        # "Alice Kowalski" names alice-k for audit: one person request to agree.
        name = launchpad.display_name(blueprint.assignee)
        values = replace(values, assignee_name=name or "")
    rel = path.relative_to(root).as_posix()
    if old is None:
        new = specdoc.scaffold(template, values)
        action = "created"
    else:
        new = specdoc.update_text(old, values, template=template, path=rel)
        action = "updated"
    result = PullResult(blueprint, rel, action, _diff(old, new, rel), dry_run=options.dry_run)
    result.left_as_written = specdoc.stale_fields(new, values)
    long = specdoc.long_title(rel, new, config.max_line_length)
    result.warnings = [long] if long else []
    if old is None:
        result.warnings += _release_template_warning(root, config, series, rel)
    if new == old:
        result.action = "up to date"
        return result

    own = _own_commit(vcs, branch, path, blueprint.name) if vcs is not None else None
    if own is not None and own.base == new:
        raise GitError(
            f"{rel}: Launchpad now agrees with the spec as it was before {own.sha[:12]} "
            f"on {branch}; drop that commit instead of pulling"
        )
    result.message = _message(blueprint, own, old, new, path)
    if vcs is not None:
        transaction.refuse_ignored(vcs, path)  # a new spec git would not add
        transaction.refuse_dirty(vcs, path)
    if options.dry_run:
        result.actions = _planned(vcs, on_branch, branch, rel, action, own)
        return result
    if vcs is None:
        write_atomic(path, new)
        result.actions = [f"wrote {rel}"]
        return result

    def update(checked_out: str) -> str:
        return specdoc.update_text(checked_out, values, template=template, path=rel)

    signoff = config.signoff if options.signoff is None else options.signoff
    _commit(vcs, path, old, new, update, branch, on_branch, own, signoff, result)
    return result


def _open_git(repo_dir: Path, options: PullOptions) -> GitRepo | None:
    try:
        return GitRepo(Path(repo_dir))
    except GitError as exc:
        if options.commit:  # a dry run too: it meets the refusal the run would
            raise GitError(f"{exc}; --no-commit only writes the spec file") from None
        return None  # --no-commit works on a plain directory


def _find_spec(
    tree: SpecTree,
    config: Config,
    bp_ref: BlueprintRef,
    blueprint: Blueprint,
    release: str | None,
) -> Path | None:
    """The spec that speaks for this blueprint among those linking it (the rule audit
    uses too, lpsync.speakers), else one named after it."""
    projects = {bp_ref.project, blueprint.project}
    linked: list[Linker] = []
    named: list[Linker] = []
    for path in tree.files(config.specs_dir):
        # By name only: a RevTree's files need not exist in the working tree.
        if not specdoc.is_spec_name(path.name):
            continue
        if path.stem == blueprint.name:
            named.append(Linker(path, blueprint.project))
        try:
            text = tree.read(path)
        except SpecError:
            continue  # an unreadable spec elsewhere is not this pull's business
        if not text or blueprint.name not in text:
            continue  # cheap filter: a link must spell the name
        # The spec's own link, chosen as audit chooses it: a mention of the blueprint
        # in another spec's intro or References does not make that spec its own.
        link = specdoc.primary_link(path, text, specdoc.read_fields(text, path))
        project = link.ref.project.lower() if link and link.ref.project else None
        if link and link.ref.name == blueprint.name and link.ref.project in projects:
            linked.append(Linker(path, project))
    candidates = linked or named
    if not candidates:
        return None
    chosen = speakers(candidates, blueprint.name, tree.root / config.specs_dir, release)
    return max(chosen.paths)  # ties in one release: the last path, as always


def _release_template_warning(
    root: Path, config: Config, series: str | None, rel: str
) -> list[str]:
    """A new spec in a release without its own template, in a repo that keeps one per
    release: nova's gate then fails on the missing template until the release is opened."""
    missing = specdoc.missing_release_template(root, config.specs_dir, config.template, series)
    if missing is None:
        return []
    used = specdoc.find_template(root, config.specs_dir, config.template, series)
    made_from = f"made from {used.relative_to(root).as_posix()}; " if used else ""
    return [
        f"{rel}: {made_from}the repository keeps a template per release and has no "
        f"{missing}: open release {series} before review"
    ]


def _scaffold_path(
    root: Path,
    config: Config,
    blueprint: Blueprint,
    release: str | None,
    launchpad: LaunchpadSession,
) -> tuple[Path, str | None]:
    """Where a new spec goes, and the release folder it goes in (None: the layout has
    no ``{series}``, and no release was given)."""
    for value in (blueprint.name, blueprint.project):
        if not is_valid_name(value):  # Launchpad's answer becomes a path: trust nothing
            raise LaunchpadError(f"Launchpad returned an invalid name {value!r}")
    series = release
    if series is None and "series" in placeholders(config.layout):
        if not blueprint.milestone:
            raise UsageError(
                f"blueprint {blueprint.name} has no target milestone to take the series "
                "from; pass --release SERIES"
            )
        series = launchpad.milestone_series(blueprint.project, blueprint.milestone)
        if series is None:
            raise UsageError(
                f"blueprint {blueprint.name} targets milestone {blueprint.milestone}, which "
                f"Launchpad does not have (no {blueprint.project}/+milestone/"
                f"{blueprint.milestone}); pass --release SERIES"
            )
    if series is not None and not is_valid_name(series):  # Launchpad's: --release is checked
        raise LaunchpadError(f"Launchpad returned an invalid series name {series!r}")
    fields = {"name": blueprint.name, "project": blueprint.project}
    # The folder the repo already uses for this release, in either spelling (antelope
    # or 2023.1); a new one only when there is none, named as the repo names them.
    parent, has_series, _ = config.layout.partition("{series}")
    if has_series and series is not None:
        series = release_folder(root / config.specs_dir / parent.format(**fields), series)
    rel = config.layout.format(series=series or "", **fields)
    path = Path(os.path.normpath(root / config.specs_dir / rel))
    if not path.is_relative_to(root):
        raise UsageError(f"layout {config.layout!r} puts the spec outside the repo: {path}")
    link = _link_leading_out(root, path)
    if link is not None:
        raise UsageError(
            f"{link.relative_to(root)}: a symbolic link to {os.path.realpath(link)}, "
            "outside the repository; lpsync writes specs only inside it"
        )
    return path.resolve(), series


def _link_leading_out(root: Path, path: Path) -> Path | None:
    """The first symbolic link on the way from ``root`` to ``path`` (the file itself
    included) that resolves outside ``root``, if any."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink() and not Path(os.path.realpath(current)).is_relative_to(root):
            return current
    return None


def _diff(old: str | None, new: str, rel: str) -> str:
    before = old.splitlines(keepends=True) if old is not None else []
    fromfile = f"a/{rel}" if old is not None else "/dev/null"
    lines = difflib.unified_diff(before, new.splitlines(keepends=True), fromfile, f"b/{rel}")
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _own_commit(git: GitRepo, branch: str, path: Path, name: str) -> OwnCommit | None:
    """The tip of ``branch`` when it is lpsync's commit of this spec alone, for this
    blueprint, and on no other branch; None when a new commit is due."""
    if not git.branch_exists(branch):
        return None
    message = git.message(branch)
    if not commitmsg.is_own(message, name) or git.changed_paths(branch) != [git.relative(path)]:
        return None
    if git.on_other_refs(branch, branch):
        return None  # merged, or another branch builds on it: leave it be
    sha = git.run("rev-parse", "--verify", f"{branch}^{{commit}}")
    base = RevTree(git.root, git, f"{sha}^").read(path) if git.has_parent(sha) else None
    return OwnCommit(sha, message, base)


def _message(
    blueprint: Blueprint, own: OwnCommit | None, old: str | None, new: str, path: Path
) -> str:
    """The message of the commit; an amended one describes its whole change against
    its parent and keeps the footers (Change-Id, sign-offs) it had."""
    before = own.base if own is not None else old
    changes = _field_changes(before, new, path) if before is not None else []
    return commitmsg.build(
        blueprint.name,
        blueprint.title,
        created=before is None,
        changes=changes,
        trailers=commitmsg.trailers(own.message) if own is not None else (),
    )


def _field_changes(old: str, new: str, path: Path) -> list[commitmsg.FieldChange]:
    def values(text: str) -> dict[str, str | None]:
        fields = specdoc.read_fields(text, path)
        link = specdoc.primary_link(path, text, fields)
        return {
            "Title": fields.title_text,
            "URL": link.url if link else None,
            "Assignee": fields.assignee.value if fields.assignee else None,
            "Milestone": fields.milestone.value if fields.milestone else None,
        }

    before, after = values(old), values(new)
    return [
        commitmsg.FieldChange(label, before[label], after[label])
        for label in before
        if _collapse(before[label]) != _collapse(after[label])
    ]


def _collapse(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def _planned(
    vcs: GitRepo | None,
    on_branch: bool,
    branch: str,
    rel: str,
    action: str,
    own: OwnCommit | None = None,
) -> list[str]:
    """The steps a dry run would take; ``vcs`` None means it would not commit."""
    verb = "create" if action == "created" else "update"
    if vcs is None:
        return [f"would {verb} {rel}"]
    steps = []
    if not on_branch:
        how = "switch to" if vcs.branch_exists(branch) else "create branch"
        steps.append(f"would {how} {branch}")
    steps.append(f"would {verb} {rel}")
    if own is not None:
        steps.append(f"would amend {own.sha[:12]} on {branch} (its Change-Id kept)")
    else:
        steps.append(f"would commit {rel} on {branch}")
    return steps


def _commit(
    git: GitRepo,
    path: Path,
    old: str | None,
    new: str,
    update: Callable[[str], str],
    branch: str,
    on_branch: bool,
    own: OwnCommit | None,
    signoff: bool,
    result: PullResult,
) -> None:
    """Switch, write, commit, as one transaction (rolled back on any failure)."""

    def body(tx: transaction.Transaction) -> None:
        nonlocal new
        switched = tx.switch()
        if switched:
            result.actions.append(switched)
            current = WorkTree(git.root).read(path)
            if (
                current != old
                and current is not None
                and old is not None
                and (_lf(current) == _lf(old))
            ):
                new = update(current)  # checked out with other line endings (autocrlf)
            elif current != old:  # the tree moved under us between reading and switching
                raise GitError(f"{git.relative(path)}: changed on {branch} while pulling")
        tx.write(path, old, new)
        assert result.message is not None
        result.commit = tx.commit([path], result.message, signoff=signoff, amend=own is not None)
        result.branch = branch
        if own is not None:
            result.amended = own.sha
            result.actions.append(f"amended {own.sha[:12]} with {result.path} on {branch}")
        else:
            result.actions.append(f"committed {result.path} on {branch}")

    transaction.run(git, branch, on_branch, body)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")
