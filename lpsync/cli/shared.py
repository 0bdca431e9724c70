"""What several commands use: the repository root, Launchpad opened on first use,
the option of the commands that commit, and whether output goes to a terminal."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lpsync.cli.app import global_options

if TYPE_CHECKING:
    from lpsync.launchpad import LaunchpadSession


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


def repo_root(repo: Path) -> Path:
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


class LazyLaunchpad:
    """Open Launchpad on first use only, so checks that fail early cost no request."""

    def __init__(self, ctx: typer.Context, credentials: Any = None) -> None:
        self.options = global_options(ctx)
        self.credentials = credentials
        self._stack = ExitStack()
        self._session: LaunchpadSession | None = None

    def __enter__(self) -> Callable[..., LaunchpadSession]:
        return self._open

    def _open(self, *, background: bool = False) -> LaunchpadSession:
        if self._session is None:
            from lpsync.launchpad import default_cache_dir, open_launchpad

            self._session = self._stack.enter_context(
                open_launchpad(
                    self.options.service_root,
                    cache_dir=self.options.cache_dir or default_cache_dir(),
                    timeout=self.options.timeout,
                    credentials=self.credentials,
                    background=background,
                )
            )
        return self._session

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")  # no-color.org
