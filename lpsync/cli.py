"""The command line: parse options, call the core, print, and map errors to exit codes.

This is the only module that prints or knows about typer. The core raises
``LpsyncError`` subclasses; ``_handle_errors`` turns them into one line on stderr and
the documented exit code (0 done, 1 drift or not found, 2 usage, 3 could not finish).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from lpsync import __version__
from lpsync.errors import LpsyncError

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession

F = TypeVar("F", bound=Callable[..., object])

app = typer.Typer(
    name="lpsync",
    help="Keep OpenStack-style spec repositories in sync with Launchpad blueprints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@dataclass
class GlobalOptions:
    service_root: str = "production"
    cache_dir: Path | None = None
    timeout: float = 30.0


def _handle_errors(func: F) -> F:
    """The one place where core errors become exit codes."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return func(*args, **kwargs)
        except LpsyncError as exc:
            typer.echo(f"lpsync: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("lpsync: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lpsync {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    service_root: Annotated[
        str,
        typer.Option(
            envvar="LPSYNC_SERVICE_ROOT",
            help="production, staging, qastaging, a web service URL without the version, "
            "or a directory of sandbox data (serves it in-process).",
        ),
    ] = "production",
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="LPSYNC_CACHE_DIR",
            help="launchpadlib cache (default: a per-user cache directory).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, max=3600, help="Seconds to wait for each Launchpad request."),
    ] = 30.0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    ctx.obj = GlobalOptions(service_root=service_root, cache_dir=cache_dir, timeout=timeout)


def _options(ctx: typer.Context) -> GlobalOptions:
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


@app.command()
@_handle_errors
def sandbox(
    data: Annotated[Path, typer.Option(help="Directory of sandbox JSON data.")] = Path(
        "fixtures/launchpad"
    ),
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 0,
) -> None:
    """Serve a local Launchpad stand-in on DATA until interrupted."""
    from lpsync.sandbox import Sandbox

    server = Sandbox(data, host=host, port=port)
    server.start()
    typer.echo(server.service_root)
    sys.stdout.flush()
    try:
        server.serve_forever()
    finally:
        server.stop()


@app.command()
@_handle_errors
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
) -> None:
    """Fetch a blueprint and scaffold or update its spec, committed on its own branch."""
    from lpsync.pull import PullOptions
    from lpsync.pull import pull as run_pull

    with _launchpad(ctx) as launchpad:
        result = run_pull(
            repo,
            ref,
            launchpad,
            PullOptions(release=release, branch=branch, commit=commit, dry_run=dry_run),
        )
    for name in result.left_as_written:
        typer.echo(
            f"lpsync: warning: {result.path}: the {name} does not match Launchpad "
            "and was left as written (several lines of prose, or no place for it)",
            err=True,
        )
    if not result.changed:
        typer.echo(f"{result.path}: up to date with blueprint {result.blueprint.name}")
        return
    if result.dry_run:
        typer.echo(result.diff, nl=False)
        for step in result.actions:
            typer.echo(step)
        return
    for step in result.actions:
        typer.echo(step)
    typer.echo(f"{result.path}: {result.action} from blueprint {result.blueprint.name}")


@app.command()
@_handle_errors
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
    from lpsync.report import FORMATS, render

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    root = _repo_root(repo)
    config = load_config(root)
    progress = _progress_bar() if fmt == "text" and _is_terminal(sys.stderr) else None
    try:
        with _launchpad(ctx) as launchpad:
            result = run_audit(root, config, launchpad(), paths or (), fix=fix, progress=progress)
    finally:
        if progress is not None:
            progress(-1, -1)  # clear the counter line, on errors and Ctrl-C too
    output = render(result, fmt, color=fmt == "text" and _is_terminal(sys.stdout))
    typer.echo(output, nl=not output.endswith("\n"))
    raise typer.Exit(result.exit_code)


def _repo_root(repo: Path) -> Path:
    """The git top level when REPO is in a work tree, else REPO itself."""
    from lpsync.errors import UsageError

    path = repo.resolve()
    if not path.is_dir():
        raise UsageError(f"--repo {repo}: not a directory")
    probe = path
    while True:
        if (probe / ".git").exists():
            return probe
        if probe.parent == probe:
            return path
        probe = probe.parent


class _launchpad:
    """Open Launchpad on first use only, so checks that fail early cost no request."""

    def __init__(self, ctx: typer.Context) -> None:
        self.options = _options(ctx)
        self._stack = ExitStack()
        self._session: LaunchpadSession | None = None

    def __enter__(self) -> Callable[[], LaunchpadSession]:
        return self._open

    def _open(self) -> LaunchpadSession:
        if self._session is None:
            from lpsync.launchpad import default_cache_dir, open_launchpad

            self._session = self._stack.enter_context(
                open_launchpad(
                    self.options.service_root,
                    cache_dir=self.options.cache_dir or default_cache_dir(),
                    timeout=self.options.timeout,
                )
            )
        return self._session

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _progress_bar() -> Callable[[int, int], None]:
    """A one-line progress counter on stderr; (-1, -1) clears it."""

    def report(done: int, total: int) -> None:
        if done < 0:
            sys.stderr.write("\r\033[K")
        elif total >= 50:
            sys.stderr.write(f"\rchecking specs: {done}/{total}")
        sys.stderr.flush()

    return report


def main() -> None:
    """Console-script entry point: usage errors too become one line on stderr."""
    try:
        code = app(standalone_mode=False)
    except Exception as exc:
        # typer's (vendored) click raises these for bad options and arguments; they
        # are recognised by shape so lpsync never imports click itself.
        exit_code = getattr(exc, "exit_code", None)
        if not isinstance(exit_code, int) or not hasattr(exc, "format_message"):
            raise
        typer.echo(f"lpsync: error: {exc.format_message()} (see lpsync --help)", err=True)
        sys.exit(exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")  # no-color.org
