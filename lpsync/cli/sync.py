"""The spec commands: ``pull`` (a spec from its blueprint), ``audit`` (specs against
Launchpad) and ``lint`` (specs against their template, offline)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from lpsync.cli.app import command
from lpsync.cli.shared import LazyLaunchpad, SignoffOption, is_terminal, repo_root
from lpsync.console import echo, progress_display, warn


@command()
def pull(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(help="Blueprint: NAME (project from config), PROJECT/NAME, or its URL."),
    ],
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    release: Annotated[
        str | None,
        typer.Option(help="Series folder for a new spec [default: the milestone's series]."),
    ] = None,
    branch: Annotated[
        str | None, typer.Option(help="Branch to commit on [default: config 'branch', bp/NAME].")
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit/--no-commit", help="Commit, or only write the file.")
    ] = True,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Print the diff and planned git steps only.")
    ] = False,
    signoff: SignoffOption = None,
) -> None:
    """Fetch a blueprint and scaffold or update its spec, committed on its own branch."""
    from lpsync.pull import PullOptions
    from lpsync.pull import pull as run_pull

    with LazyLaunchpad(ctx) as launchpad:
        result = run_pull(
            repo,
            ref,
            launchpad,
            PullOptions(
                release=release, branch=branch, commit=commit, dry_run=dry_run, signoff=signoff
            ),
        )
    for line in result.warnings:
        warn(line)
    for name in result.left_as_written:
        warn(
            f"{result.path}: the {name} does not match Launchpad "
            "and was left as written (several lines of prose, or no place for it)"
        )
    if not result.changed:
        echo(f"{result.path}: up to date with blueprint {result.blueprint.name}")
        return
    if result.dry_run:
        echo(result.diff, nl=False)
        for step in result.actions:
            echo(step)
        return
    for step in result.actions:
        echo(step)
    echo(f"{result.path}: {result.action} from blueprint {result.blueprint.name}")


@command()
def audit(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Spec files or folders [default: specs_dir].")
    ] = None,
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    fmt: Annotated[str, typer.Option("--format", help="Output: text, json or github.")] = "text",
    fix: Annotated[
        bool, typer.Option("--fix", help="Rewrite drifted fields in place (no commit).")
    ] = False,
) -> None:
    """Check every spec against its blueprint; exit 1 on drift, 3 if it could not finish."""
    from lpsync.audit import run_audit
    from lpsync.config import load_config
    from lpsync.errors import UsageError
    from lpsync.gitrepo import repo_lock
    from lpsync.report import FORMATS, render

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    root = repo_root(repo)
    config = load_config(root)
    with (
        repo_lock(root) if fix else contextlib.nullcontext(),  # --fix writes: one writer
        progress_display(fmt == "text" and sys.stderr.isatty()) as progress,
        LazyLaunchpad(ctx) as launchpad,
    ):
        result = run_audit(root, config, launchpad, paths or (), fix=fix, progress=progress)
    color = fmt == "text" and is_terminal(sys.stdout)
    output = render(result, fmt, color=color)
    echo(output, nl=not output.endswith("\n"), styled=color)
    raise typer.Exit(result.exit_code)


@command()
def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Spec or redirects files, or folders [default: specs_dir]."),
    ] = None,
    repo: Annotated[Path, typer.Option(help="The spec repository.")] = Path("."),
    fmt: Annotated[str, typer.Option("--format", help="Output: text, json or github.")] = "text",
) -> None:
    """Check specs against their template and the line rules, offline; exit 1 on findings."""
    from lpsync.config import load_config
    from lpsync.errors import UsageError
    from lpsync.lint import run_lint
    from lpsync.report import FORMATS, render

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    root = repo_root(repo)
    result = run_lint(root, load_config(root), paths or ())
    color = fmt == "text" and is_terminal(sys.stdout)
    output = render(result, fmt, color=color)
    echo(output, nl=not output.endswith("\n"), styled=color)
    raise typer.Exit(result.exit_code)
