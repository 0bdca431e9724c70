"""The release commands: ``move`` (finished specs to their folders) and ``status``
(a series' blueprints counted)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lpsync.cli.app import command
from lpsync.cli.shared import LazyLaunchpad, SignoffOption, repo_root
from lpsync.console import echo, warn


@command()
def move(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Spec files or folders [default: specs_dir, or the release's]."),
    ] = None,
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    release: Annotated[
        str | None, typer.Option(help="Only the specs of this release (codename or number).")
    ] = None,
    branch: Annotated[
        str | None,
        typer.Option(help="Branch to commit on [default: move/RELEASE, or move/specs]."),
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit/--no-commit", help="Commit, or only move in the index.")
    ] = True,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Print the moves and redirects only.")
    ] = False,
    signoff: SignoffOption = None,
) -> None:
    """Move specs whose blueprints are Implemented, Obsolete or Superseded, committed."""
    from lpsync.move import MoveOptions
    from lpsync.move import move as run_move

    options = MoveOptions(
        release=release, branch=branch, commit=commit, dry_run=dry_run, signoff=signoff
    )
    with LazyLaunchpad(ctx) as launchpad:
        result = run_move(repo, launchpad, paths or (), options)
    for error in result.errors:
        warn(f"{error} (not moved)")
    for note in result.skipped:
        warn(note)
    for line in result.report():
        echo(line)


@command()
def status(
    ctx: typer.Context,
    series: Annotated[str, typer.Argument(help="The series: codename or number.")],
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    fmt: Annotated[str, typer.Option("--format", help="Output: text or json.")] = "text",
) -> None:
    """Count a series' blueprints and list what needs a hand; exit 1 when a list is not empty."""
    import json

    from lpsync.errors import UsageError
    from lpsync.status import status as run_status

    if fmt not in ("text", "json"):
        raise UsageError(f"--format {fmt!r}: choose one of text, json")
    with LazyLaunchpad(ctx) as launchpad:
        result = run_status(repo_root(repo), series, launchpad())
    for error in result.errors:
        warn(error)
    output = json.dumps(result.as_json(), indent=2) if fmt == "json" else result.as_text()
    echo(output, nl=not output.endswith("\n"))
    raise typer.Exit(result.exit_code)
