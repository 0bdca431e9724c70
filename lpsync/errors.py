"""The one error hierarchy of lpsync.

The core raises these; the CLI maps ``exit_code`` to the process exit status in one
place (``lpsync.cli``). Messages are one line, name the file, line or value at fault,
and never carry credentials.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DRIFT = 1  # drift found, or the blueprint does not exist
EXIT_USAGE = 2  # bad option, config, name or spec input
EXIT_FAILED = 3  # could not finish: Launchpad, network or git failure


class LpsyncError(Exception):
    """Base of every expected failure; ``str(err)`` is the one-line message."""

    exit_code = EXIT_FAILED


class UsageError(LpsyncError):
    """The user asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    """A bad key or value in the repo's lpsync configuration."""


class InvalidNameError(UsageError):
    """A blueprint or project reference that is not a valid Launchpad name."""


class SpecError(UsageError):
    """A spec or template file that cannot be read or understood."""

    def __init__(self, path: object, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class NotFoundError(LpsyncError):
    """A blueprint (or project) that Launchpad does not have."""

    exit_code = EXIT_DRIFT


class LaunchpadError(LpsyncError):
    """Launchpad could not be reached or answered badly (timeout, HTTP error, bad body)."""


class RefusedError(LaunchpadError):
    """Launchpad refused a value for one object (HTTP 400, its validation message):
    the session is fine, other writes may still go through."""


class GitError(LpsyncError):
    """A git operation failed or the repository is in a state lpsync refuses to touch."""
