"""Run the lpsync command line in-process against a stand-in, as a user would type it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import Sandbox


def lpsync_runner(
    sandbox: Sandbox, tmp_path: Path, *, options_after: bool = False
) -> Callable[..., object]:
    """``run(*args)`` invokes lpsync with the stand-in's service root and a fresh cache
    dir per call (so each run logs in anew), after clearing the stand-in's request log.
    The shared options go before the command name, or after the arguments."""
    runner = CliRunner()

    def run(*args: str) -> object:
        sandbox.clear_requests()
        cache = tmp_path / f"cache-{len(list(tmp_path.iterdir()))}"
        root = ["--service-root", sandbox.service_root, "--cache-dir", str(cache)]
        return runner.invoke(app, [*args, *root] if options_after else [*root, *args])

    return run
