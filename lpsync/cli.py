"""The command line: parse options, call the core, print, and map errors to exit codes.

This is the only module that prints or knows about typer. The core raises
``LpsyncError`` subclasses; ``_handle_errors`` turns them into one line on stderr and
the documented exit code (0 done, 1 drift or not found, 2 usage, 3 could not finish).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from lpsync import __version__
from lpsync.console import echo, progress_display, warn
from lpsync.errors import EXIT_FAILED, LpsyncError

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession
    from lpsync.sandbox import RequestRecord

F = TypeVar("F", bound=Callable[..., object])

app = typer.Typer(
    name="lpsync",
    help="Keep OpenStack-style spec repositories in sync with Launchpad blueprints.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain text: "[default: ...]" must print, not read as rich markup.
    rich_markup_mode=None,
)


@dataclass
class GlobalOptions:
    service_root: str = "production"
    cache_dir: Path | None = None
    timeout: float = 30.0


# The options every command shares, declared once. Each is accepted before the command
# name (read by the group callback, with its environment variable) and after it (added
# to every command by ``command()``); a value given after the command wins over one
# given before it, which wins over the environment.
SHARED_OPTIONS: dict[str, tuple[Any, typer.models.OptionInfo, str | None]] = {
    "service_root": (
        str,
        typer.Option(
            "--service-root",
            help="production, staging, qastaging, a web service URL without the version, "
            "or a directory of sandbox data (serves it in-process). [default: production]",
            show_default=False,
        ),
        "LPSYNC_SERVICE_ROOT",
    ),
    "cache_dir": (
        Path,
        typer.Option(
            "--cache-dir",
            help="launchpadlib cache. [default: a per-user cache directory]",
            show_default=False,
        ),
        "LPSYNC_CACHE_DIR",
    ),
    "timeout": (
        float,
        typer.Option(
            "--timeout",
            min=0.1,
            max=3600,
            help="Seconds for each Launchpad request, the whole answer included; 502 "
            "and 503 are retried for as long. [default: 30]",
            show_default=False,
        ),
        "LPSYNC_TIMEOUT",
    ),
}


def _shared_parameters(*, before_command: bool) -> list[inspect.Parameter]:
    """The shared options as signature parameters: with their environment variables and
    defaults on the group, as overrides (None when absent) on each command."""
    defaults = GlobalOptions()
    params = []
    for name, (kind, info, envvar) in SHARED_OPTIONS.items():
        option = copy.copy(info)
        if before_command:
            option.envvar = envvar
            default: object = getattr(defaults, name)
            annotation: object = Annotated[kind if default is not None else kind | None, option]
        else:
            default, annotation = None, Annotated[kind | None, option]
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return params


def _with_signature(func: Callable[..., object], params: list[inspect.Parameter]) -> None:
    func.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    func.__annotations__ = {p.name: p.annotation for p in params}


def _handle_errors(func: F) -> F:
    """The one place where core errors become exit codes."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return func(*args, **kwargs)
        except LpsyncError as exc:
            echo(f"lpsync: error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:
            # A rollback cut short says what it could not put back.
            echo(f"lpsync: interrupted{f'; {exc}' if str(exc) else ''}", err=True)
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            _internal_error(exc)

    return wrapper  # type: ignore[return-value]


def command(**settings: Any) -> Callable[[F], F]:
    """Register an lpsync command: its errors mapped to exit codes, and the shared
    options accepted after its name. ``ctx.obj`` then holds the merged options."""

    def register(func: F) -> F:
        own = list(inspect.signature(func, eval_str=True).parameters.values())
        wants_ctx = any(p.name == "ctx" for p in own)
        handled = _handle_errors(func)

        def wrapper(**kwargs: Any) -> object:
            ctx = kwargs["ctx"] if wants_ctx else kwargs.pop("ctx")
            given = {name: kwargs.pop(name) for name in SHARED_OPTIONS}
            ctx.obj = dataclasses.replace(
                _options(ctx), **{k: v for k, v in given.items() if v is not None}
            )
            return handled(**kwargs)

        functools.update_wrapper(wrapper, func)
        # typer must read the signature set below, not the one of func.
        del wrapper.__wrapped__  # type: ignore[attr-defined]
        ctx_param = (
            []
            if wants_ctx
            else [
                inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
            ]
        )
        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        _with_signature(wrapper, params + ctx_param + _shared_parameters(before_command=False))
        app.command(**settings)(wrapper)
        return func

    return register


def _version(value: bool) -> None:
    if value:
        echo(f"lpsync {__version__}")
        raise typer.Exit()


def main_options(ctx: typer.Context, version: bool = False, **shared: Any) -> None:
    ctx.obj = GlobalOptions(**shared)


_with_signature(
    main_options,
    [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context),
        inspect.Parameter(
            "version",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[
                bool,
                typer.Option("--version", callback=_version, is_eager=True, help="Show version."),
            ],
        ),
        *_shared_parameters(before_command=True),
    ],
)
app.callback()(main_options)


def _options(ctx: typer.Context) -> GlobalOptions:
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


@command()
def sandbox(
    data: Annotated[Path, typer.Option(help="Directory of sandbox JSON data.")] = Path(
        "fixtures/launchpad"
    ),
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 0,
    log: Annotated[
        Path | None,
        typer.Option(help="Append one JSON line per request to this file.", show_default=False),
    ] = None,
) -> None:
    """Serve a local Launchpad stand-in on DATA until interrupted."""
    from lpsync.sandbox import Sandbox

    with ExitStack() as stack:
        on_request = _request_logger(stack, log) if log is not None else None
        server = Sandbox(data, host=host, port=port, on_request=on_request)
        if not _is_loopback_host(host):
            warn(f"--host {host}: the stand-in serves its data to the network, not only here")
        server.start()
        echo(server.service_root)
        sys.stdout.flush()
        try:
            server.serve_forever()
        finally:
            server.stop()


def _is_loopback_host(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def _request_logger(stack: ExitStack, path: Path) -> Callable[[RequestRecord], None]:
    """One JSON object per line and request, flushed at once (``tail -f`` works)."""
    import json
    import threading
    from datetime import UTC, datetime

    from lpsync.errors import UsageError

    try:
        out = stack.enter_context(path.open("a", encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--log {path}: cannot open: {exc.strerror}") from None
    lock = threading.Lock()

    def write(record: RequestRecord) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **record._asdict()}
        with lock:
            out.write(json.dumps(entry) + "\n")
            out.flush()

    return write


# Options of the commands that commit (pull, move), declared once.
SignoffOption = Annotated[
    bool | None,
    typer.Option(
        "--signoff/--no-signoff",
        "-s",
        help="Add Signed-off-by, as git commit -s does. [default: config 'signoff', off]",
        show_default=False,
    ),
]


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

    with _launchpad(ctx) as launchpad:
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
    root = _repo_root(repo)
    config = load_config(root)
    with (
        repo_lock(root) if fix else contextlib.nullcontext(),  # --fix writes: one writer
        progress_display(fmt == "text" and sys.stderr.isatty()) as progress,
        _launchpad(ctx) as launchpad,
    ):
        result = run_audit(root, config, launchpad(), paths or (), fix=fix, progress=progress)
    color = fmt == "text" and _is_terminal(sys.stdout)
    output = render(result, fmt, color=color)
    echo(output, nl=not output.endswith("\n"), styled=color)
    raise typer.Exit(result.exit_code)


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
    with _launchpad(ctx) as launchpad:
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
    with _launchpad(ctx) as launchpad:
        result = run_status(_repo_root(repo), series, launchpad())
    for error in result.errors:
        warn(error)
    output = json.dumps(result.as_json(), indent=2) if fmt == "json" else result.as_text()
    echo(output, nl=not output.endswith("\n"))
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
    root = _repo_root(repo)
    result = run_lint(root, load_config(root), paths or ())
    color = fmt == "text" and _is_terminal(sys.stdout)
    output = render(result, fmt, color=color)
    echo(output, nl=not output.endswith("\n"), styled=color)
    raise typer.Exit(result.exit_code)


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
    root = _repo_root(repo)
    config = load_config(root)
    with _launchpad(ctx) as launchpad:
        result = run_record(root, config, launchpad(), output, paths or ())
    counts = ", ".join(f"{n} {stem.replace('_', ' ')}" for stem, n in result.counts.items())
    echo(f"{result.output}: recorded {counts} for {result.audit.checked} specs")


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

    root = _repo_root(repo)
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
    with _launchpad(ctx, None if dry_run else signed) as launchpad:
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

    def __init__(self, ctx: typer.Context, credentials: Any = None) -> None:
        self.options = _options(ctx)
        self.credentials = credentials
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
                    credentials=self.credentials,
                )
            )
        return self._session

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def _unraisable(info: Any) -> None:
    """An exception in a finaliser (``__del__``; Ctrl-C can land in GitPython's) is
    dropped by Python after printing "Exception ignored" and a traceback: drop it
    quietly (the command carries on either way), with the traceback on opt-in."""
    if os.environ.get("LPSYNC_DEBUG"):
        sys.__unraisablehook__(info)


def main() -> None:
    """Console-script entry point: usage errors too become one line on stderr."""
    sys.unraisablehook = _unraisable
    try:
        code = app(standalone_mode=False)
    except typer.Abort:  # Ctrl-C outside a command (while parsing, say)
        echo("lpsync: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        # typer's (vendored) click raises these for bad options and arguments; they
        # are recognised by shape so lpsync never imports click itself.
        exit_code = getattr(exc, "exit_code", None)
        if not isinstance(exit_code, int) or not hasattr(exc, "format_message"):
            _internal_error(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":
            # Plain `lpsync`: its message is the help itself, not an error to report.
            echo(exc.format_message())
        else:
            echo(f"lpsync: error: {exc.format_message()} (see lpsync --help)", err=True)
        sys.exit(exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _internal_error(exc: BaseException) -> NoReturn:
    """A bug: one line and exit 3; the traceback only with LPSYNC_DEBUG=1."""
    if os.environ.get("LPSYNC_DEBUG") == "1":
        echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
    detail = str(exc).strip().splitlines()
    what = type(exc).__name__ + (f": {detail[0]}" if detail else "")
    echo(f"lpsync: internal error: {what} (LPSYNC_DEBUG=1 shows the traceback)", err=True)
    raise SystemExit(EXIT_FAILED)


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")  # no-color.org
