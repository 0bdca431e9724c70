"""``lpsync push``: point each blueprint's ``specification_url`` at its spec's page.

The one place lpsync writes to Launchpad, and it writes that one field only. It reads
first, in bulk, with the audit's own reads (with ``spec_url`` set, the audit works out
every blueprint's back-link, ``lpsync.backlink``); then it sends one PATCH per
blueprint whose value differs (audit's LPS701 and LPS702), in blueprint order. A
second run finds nothing to write. A value Launchpad refuses for one blueprint (HTTP
400: another blueprint has the URL, say) fails that blueprint alone; any other failed
write (401, 5xx, no answer) stops the run: the blueprints before it are written, the
ones after it are not, and the result says so; so does Ctrl-C (the blueprint whose
PATCH it cut short may or may not be written). A refusal must not stop the run: it
comes back on every rerun, and would keep every later blueprint from being written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lpsync.audit import AuditError, run_audit
from lpsync.backlink import BackLink, same_url
from lpsync.config import Config
from lpsync.errors import LpsyncError, RefusedError, UsageError
from lpsync.names import BlueprintRef, parse_ref

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession

# What happened to each blueprint.
UP_TO_DATE = "up to date"
KEPT_REVIEW = "kept"  # a review link of a spec that is not merged yet
WOULD_SET = "would set"  # --dry-run
WRITTEN = "written"
FAILED = "failed"
NOT_WRITTEN = "not written"
INTERRUPTED = "interrupted"  # Ctrl-C while its PATCH was on its way: written or not


@dataclass(frozen=True)
class PushItem:
    link: BackLink
    outcome: str


@dataclass
class PushResult:
    items: list[PushItem] = field(default_factory=list)
    errors: list[AuditError] = field(default_factory=list)  # specs that could not be read
    failures: list[LpsyncError] = field(default_factory=list)  # the failed writes, in order
    stopped: bool = False  # a failure other than a refusal ended the writes
    interrupted: bool = False  # Ctrl-C stopped the writes (the CLI exits 130)

    @property
    def failure(self) -> LpsyncError | None:
        """What the run ends on: the one failed write, or a summary of several."""
        if len(self.failures) <= 1:
            return self.failures[0] if self.failures else None
        failed = [i.link.blueprint for i in self.items if i.outcome == FAILED]
        names = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
        return LpsyncError(
            f"{len(self.failures)} writes failed ({names}); the first: {self.failures[0]}"
        )

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item.outcome == outcome)


Writer = Callable[[str, str, str], None]  # (project, name, url)


def plan(
    repo_root: Path,
    config: Config,
    launchpad: Callable[[], LaunchpadSession],
    targets: Sequence[str] = (),
) -> tuple[list[BackLink], list[AuditError]]:
    """The back-link of every blueprint the TARGETs (spec paths or blueprint REFs;
    none: every spec) name, from one bulk audit read. ``launchpad`` opens the session
    once the config and the TARGETs have been checked."""
    if not config.spec_url:
        raise UsageError(
            "push needs the config key spec_url (where a spec is published), "
            f"in {config.source or 'setup.cfg [lpsync], tox.ini [lpsync] or pyproject.toml'}"
        )
    paths, refs = _split(repo_root, config, targets)
    # REFs are found among all specs; PATHs alone limit the read to themselves.
    result = run_audit(repo_root, config, launchpad(), [] if refs else paths)
    links = result.backlinks
    if targets:
        links = _select(repo_root, links, paths, refs)
    return links, result.errors


def _split(
    repo_root: Path, config: Config, targets: Sequence[str]
) -> tuple[list[Path], list[tuple[str, BlueprintRef]]]:
    paths: list[Path] = []
    refs: list[tuple[str, BlueprintRef]] = []
    for target in targets:
        if "://" not in target and (os.path.lexists(target) or (repo_root / target).exists()):
            paths.append(Path(target))
        elif "://" not in target and (target.count("/") > 1 or target.endswith((".rst", "/"))):
            # No REF has these shapes: a spec path mistyped, or a glob the shell kept.
            raise UsageError(f"{target}: no such spec file or folder")
        else:
            refs.append((target, parse_ref(target, config.project)))
    return paths, refs


def _select(
    repo_root: Path,
    links: list[BackLink],
    paths: list[Path],
    refs: list[tuple[str, BlueprintRef]],
) -> list[BackLink]:
    root = Path(os.path.realpath(repo_root))
    wanted: dict[tuple[str, str], BackLink] = {}
    for given in paths:
        real = Path(os.path.realpath(given if given.exists() else repo_root / given))
        for link in links:
            if (root / link.path).is_relative_to(real) or Path(
                os.path.realpath(root / link.path)
            ).is_relative_to(real):
                wanted[(link.project, link.name)] = link
    for text, ref in refs:
        named = [link for link in links if link.name == ref.name]
        exact = [link for link in named if ref.project in (link.project, *link.linked)]
        if not exact and _is_bare(text):
            # NAME alone, with config project a group (oslo): the one a spec links.
            exact = named
        if len(exact) != 1:
            what = "no spec in the repository links" if not exact else "several projects have"
            raise UsageError(f"{text}: {what} blueprint {ref.project or ''}/{ref.name}")
        wanted[(exact[0].project, exact[0].name)] = exact[0]
    return [wanted[key] for key in sorted(wanted)]


def _is_bare(text: str) -> bool:
    return "/" not in text and "://" not in text


def push(links: Sequence[BackLink], write: Writer | None) -> PushResult:
    """Write each differing back-link with ``write``; None is a dry run. Items come
    in the order of ``links``; writes in the order Launchpad accepts them."""
    outcomes: dict[tuple[str, str], str] = {}
    result = PushResult()
    for link in write_order([link for link in links if link.code is not None]):
        key = (link.project, link.name)
        if write is None:
            outcomes[key] = WOULD_SET
        elif result.stopped or result.interrupted:
            outcomes[key] = NOT_WRITTEN
        else:
            try:
                write(link.project, link.name, link.expected)
            except LpsyncError as exc:
                result.failures.append(exc)
                result.stopped = not isinstance(exc, RefusedError)
                outcomes[key] = FAILED
            except KeyboardInterrupt:
                # The report must still say which blueprints were written.
                result.interrupted = True
                outcomes[key] = INTERRUPTED
            else:
                outcomes[key] = WRITTEN
    for link in links:
        kept = KEPT_REVIEW if link.review else UP_TO_DATE
        result.items.append(PushItem(link, outcomes.get((link.project, link.name), kept)))
    return result


def write_order(writes: Sequence[BackLink]) -> list[BackLink]:
    """Launchpad lets one blueprint have a URL at a time (SpecURLField), so a blueprint
    taking the URL another one still has (a spec renamed over an old one's page) is
    written after that one moves away. A cycle is written as it comes and fails on
    Launchpad, naming the blueprint."""
    left = list(writes)
    ordered: list[BackLink] = []
    while left:
        free = [
            link
            for link in left
            if not any(o is not link and same_url(o.current, link.expected) for o in left)
        ]
        ordered += free or left
        left = [link for link in left if link not in ordered]
    return ordered


# -- the report (one line per blueprint, then a summary; the CLI prints it) ------------


def describe(item: PushItem) -> str:
    link = item.link
    # One line each: a URL from Launchpad may hold line breaks (a forged line).
    was = " ".join((link.current or "").split()) or "(none)"
    return {
        UP_TO_DATE: f"{link.blueprint}: up to date: {was}",
        KEPT_REVIEW: f"{link.blueprint}: kept {was} (a review; the spec is not merged yet)",
        WOULD_SET: f"{link.blueprint}: {was} -> {link.expected}",
        WRITTEN: f"{link.blueprint}: written: {was} -> {link.expected}",
        FAILED: f"{link.blueprint}: FAILED: {was} -> {link.expected}",
        NOT_WRITTEN: f"{link.blueprint}: not written: {was} -> {link.expected}",
        INTERRUPTED: f"{link.blueprint}: interrupted (written or not): {was} -> {link.expected}",
    }[item.outcome]


def summary(result: PushResult, dry_run: bool) -> str:
    total = f"{len(result.items)} blueprint{'' if len(result.items) == 1 else 's'}"
    same = result.count(UP_TO_DATE) + result.count(KEPT_REVIEW)
    if dry_run:
        return (
            f"lpsync push: {total}, {result.count(WOULD_SET)} to write, {same} up to date (dry run)"
        )
    parts = [f"{result.count(WRITTEN)} written"]
    if result.failures:
        parts += [f"{result.count(FAILED)} failed"]
    if result.interrupted:
        parts += [f"{result.count(INTERRUPTED)} interrupted"]
    if result.stopped or result.interrupted:
        parts += [f"{result.count(NOT_WRITTEN)} not written"]
    return f"lpsync push: {total}, {', '.join(parts)}, {same} up to date"
