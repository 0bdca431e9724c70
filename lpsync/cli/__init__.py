"""The command line: parse options, call the core, print, and map errors to exit codes.

This is the only package that prints or knows about typer. The core raises
``LpsyncError`` subclasses; ``app._handle_errors`` turns them into one line on stderr
and the documented exit code (0 done, 1 drift or not found, 2 usage, 3 could not finish).

``app`` holds the typer app and what every command shares; one module per group of
commands declares them, and they are registered here, in the order ``lpsync --help``
lists them.
"""

from lpsync.cli import launchpad_cmds, release, sandbox, sync
from lpsync.cli.app import app, main, register

register(
    sandbox.sandbox,
    sync.pull,
    sync.audit,
    release.move,
    release.status,
    sync.lint,
    launchpad_cmds.record,
    launchpad_cmds.push,
)

__all__ = ["app", "main"]
