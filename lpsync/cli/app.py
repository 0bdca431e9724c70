"""The typer app: the options every command shares, ``command()``, and the one place
where errors become exit codes (0 done, 1 drift or not found, 2 usage, 3 could not
finish), for errors inside a command (``_handle_errors``) and while parsing (``main``).
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from lpsync import __version__
from lpsync.console import echo
from lpsync.errors import EXIT_FAILED, LpsyncError

F = TypeVar("F", bound=Callable[..., object])


class _EnvironmentLast(typer.core.TyperOption):
    """A shared option on the group: parsing reads only the command line; each command
    reads the environment variable (``from_environment``) when no option was given,
    before or after its name, so a bad value that an option overrides is no error."""

    def value_from_envvar(self, ctx: Any) -> None:
        return None

    def from_environment(self, ctx: Any) -> Any:
        """The environment variable's value, checked as the option's (the error names
        it), or None when unset."""
        raw = super().value_from_envvar(ctx)
        return None if raw is None else self.process_value(ctx, raw)


class _Group(typer.core.TyperGroup):
    """The lpsync group: its shared options read the environment last. typer builds
    the options itself, with no say in their class, hence the class set here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.name in SHARED_OPTIONS and type(param) is typer.core.TyperOption:
                param.__class__ = _EnvironmentLast


app = typer.Typer(
    cls=_Group,
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
# name (by the group, which shows its environment variable) and after it (added to
# every command by ``command()``); a value given after the command wins over one given
# before it, which wins over the environment (``_merged_options``).
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
    """The shared options as signature parameters, None when absent: on the group with
    their environment variables, on each command without."""
    params = []
    for name, (kind, info, envvar) in SHARED_OPTIONS.items():
        option = copy.copy(info)
        if before_command:
            option.envvar = envvar
        else:
            # Read by _merged_options, not by click: the help names it all the same.
            option.help = f"{info.help}  [env var: {envvar}]"
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[kind | None, option],
            )
        )
    return params


def _merged_options(ctx: typer.Context, after: dict[str, Any]) -> GlobalOptions:
    """Each shared option: given after the command name, else before it, else its
    environment variable (checked as the option is, the error naming it), else the
    default."""
    group = ctx.parent
    assert group is not None  # a command runs in the lpsync group
    merged = {}
    for param in group.command.params:
        if param.name not in SHARED_OPTIONS:
            continue
        value = after[param.name]
        if value is None:
            value = group.params.get(param.name)
        if value is None and isinstance(param, _EnvironmentLast):
            value = param.from_environment(group)
        if value is not None:
            merged[param.name] = value
    return GlobalOptions(**merged)


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


# Commands declared by ``command()``, each with its typer wrapper and settings, until
# ``register()`` adds them to the app in the order ``lpsync --help`` lists them.
_declared: dict[Callable[..., object], tuple[Callable[..., object], dict[str, Any]]] = {}


def command(**settings: Any) -> Callable[[F], F]:
    """Declare an lpsync command: its errors mapped to exit codes, and the shared
    options accepted after its name. ``ctx.obj`` then holds the merged options."""

    def declare(func: F) -> F:
        own = list(inspect.signature(func, eval_str=True).parameters.values())
        wants_ctx = any(p.name == "ctx" for p in own)
        handled = _handle_errors(func)

        def wrapper(**kwargs: Any) -> object:
            ctx = kwargs["ctx"] if wants_ctx else kwargs.pop("ctx")
            ctx.obj = _merged_options(ctx, {name: kwargs.pop(name) for name in SHARED_OPTIONS})
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
        _declared[func] = (wrapper, settings)
        return func

    return declare


def register(*commands: Callable[..., object]) -> None:
    """Add the declared commands to the app, in this order; each must be declared."""
    missing = set(_declared) - set(commands)
    if missing:
        raise RuntimeError(
            f"commands declared but not registered: {sorted(f.__name__ for f in missing)}"
        )
    for func in commands:
        wrapper, settings = _declared.pop(func)
        app.command(**settings)(wrapper)


def _version(value: bool) -> None:
    if value:
        echo(f"lpsync {__version__}")
        raise typer.Exit()


def main_options(ctx: typer.Context, version: bool = False, **shared: Any) -> None:
    """The shared options given here are read by each command (``_merged_options``)."""


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


def global_options(ctx: typer.Context) -> GlobalOptions:
    return ctx.obj if isinstance(ctx.obj, GlobalOptions) else GlobalOptions()


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
            echo(f"lpsync: error: {exc.format_message()} (see {_help_of(exc)})", err=True)
        sys.exit(exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def _help_of(exc: Exception) -> str:
    """``lpsync CMD --help`` for the command whose option or argument is at fault (the
    top-level help lists no command's own), ``lpsync --help`` otherwise."""
    names = []
    context = getattr(exc, "ctx", None)
    while context is not None and getattr(context, "parent", None) is not None:
        names.append(context.info_name)
        context = context.parent
    return " ".join(["lpsync", *reversed(names), "--help"])


def _internal_error(exc: BaseException) -> NoReturn:
    """A bug: one line and exit 3; the traceback only with LPSYNC_DEBUG=1."""
    if os.environ.get("LPSYNC_DEBUG") == "1":
        echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
    detail = str(exc).strip().splitlines()
    what = type(exc).__name__ + (f": {detail[0]}" if detail else "")
    echo(f"lpsync: internal error: {what} (LPSYNC_DEBUG=1 shows the traceback)", err=True)
    raise SystemExit(EXIT_FAILED)
