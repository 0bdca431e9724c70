"""The commands that carry data between specs and Launchpad: ``record`` (a snapshot
as stand-in data) and ``push`` (specification URLs, the one write)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lpsync.cli.app import command
from lpsync.cli.shared import LazyLaunchpad, repo_root
from lpsync.console import echo, warn


@command()
def record(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Spec files or folders [default: specs_dir].")
    ] = None,
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    output: Annotated[
        Path | None, typer.Option(help="A new or empty directory for the stand-in data.")
    ] = None,
) -> None:
    """Snapshot what the specs need from Launchpad as stand-in data (for audit)."""
    from lpsync.config import load_config
    from lpsync.errors import UsageError
    from lpsync.record import check_output
    from lpsync.record import record as run_record

    if output is None:
        raise UsageError("record needs --output DIR (a new or empty directory)")
    check_output(output)  # before any request
    root = repo_root(repo)
    config = load_config(root)
    with LazyLaunchpad(ctx) as launchpad:
        result = run_record(root, config, launchpad(), output, paths or ())
    counts = ", ".join(_count(n, stem) for stem, n in result.counts.items())
    echo(f"{result.output}: recorded {counts} for {_count(result.audit.checked, 'specs')}")


# The snapshot's file stems as nouns, one of each.
_ONE = {"people": "person", "project_groups": "project group", "specs": "spec"}


def _count(count: int, stem: str) -> str:
    plural = stem.replace("_", " ")
    one = _ONE.get(stem, plural if plural == "series" else plural.removesuffix("s"))
    return f"{count} {one if count == 1 else plural}"


@command()
def push(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REF|PATH",
            help="Blueprints (NAME, PROJECT/NAME or URL) or spec files and folders "
            "[default: every spec].",
            show_default=False,
        ),
    ] = None,
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help="Print current and new values; needs no credentials."),
    ] = False,
    credentials: Annotated[
        Path | None,
        typer.Option(
            envvar="LPSYNC_CREDENTIALS",
            help="A launchpadlib credentials file (a bot's, in CI).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Set each blueprint's specification URL to its spec's page (config spec_url)."""
    from lpsync.config import load_config
    from lpsync.errors import EXIT_FAILED, UsageError
    from lpsync.launchpad import load_credentials
    from lpsync.push import describe, plan, summary
    from lpsync.push import push as run_push

    root = repo_root(repo)
    config = load_config(root)
    if not dry_run:
        if credentials is None:
            raise UsageError(
                "push writes to Launchpad: give --credentials FILE (or LPSYNC_CREDENTIALS), "
                "or --dry-run"
            )
        # Read once, before any request: a bad file fails early, and a pipe
        # (--credentials <(pass show lp-bot)) cannot be read twice.
        signed = load_credentials(credentials)
    with LazyLaunchpad(ctx, None if dry_run else signed) as launchpad:
        links, errors = plan(root, config, launchpad, targets or ())
        result = run_push(links, None if dry_run else launchpad().set_specification_url)
    for error in errors:
        warn(f"{error.path}: {error.message} (not pushed)")
    for item in result.items:
        echo(describe(item))
    echo(summary(result, dry_run))
    if result.interrupted:
        raise KeyboardInterrupt  # "lpsync: interrupted", 130, once the report is out
    if result.failure is not None:
        raise result.failure  # exit 3, the error naming the blueprint, on stderr
    if errors:
        raise typer.Exit(EXIT_FAILED)
