"""The command line's output path: everything lpsync prints goes through ``echo``.

Part of the CLI layer (the core never prints). Titles and display names come from
Launchpad and file names from the repository; printed raw, an escape sequence in one
of them would drive the user's terminal (move the cursor, rewrite earlier lines, set
the window title). ``clean`` removes every control character but tab and newline, so
no caller has to remember to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

# Whole escape sequences first (CSI, OSC up to its terminator, two-byte ESC forms), so
# no "[2J" residue is left; then any control character that remains.
_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 controls except tab and newline, DEL, C1 controls (0x9b is a one-byte CSI on some
# terminals), bidirectional overrides and isolates (text that displays reordered).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A lone surrogate cannot be encoded for the terminal at all.
_SURROGATE = re.compile("[\ud800-\udfff]")
# The SGR sequences lpsync's own reports use (lpsync.report); kept in styled output.
_OWN_SGR = re.compile(r"(\x1b\[(?:0|1|31|33)m)")


def clean(text: str, *, styled: bool = False) -> str:
    """TEXT without control characters; with ``styled``, lpsync's own colours stay."""
    if styled:
        parts = _OWN_SGR.split(text)
        # split() with one group: odd items are the separators (the kept sequences).
        return "".join(p if i % 2 else clean(p) for i, p in enumerate(parts))
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", _ESCAPE.sub("", text)))


def echo(text: str = "", *, err: bool = False, nl: bool = True, styled: bool = False) -> None:
    """Print TEXT (cleaned) on stdout, or stderr with ``err``."""
    typer.echo(clean(text, styled=styled), err=err, nl=nl)


def warn(message: str) -> None:
    echo(f"lpsync: warning: {message}", err=True)


# A core progress event: (stage, done, total); total may grow while a stage runs, and
# 0 means not known yet (the bar then pulses).
ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def progress_display(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A rich progress display on stderr, one bar per stage, cleared when the block
    ends (on errors and Ctrl-C too); None when not ``enabled`` (not a terminal)."""
    if not enabled:
        yield None
        return
    # rich comes with typer; imported here so --help and pipes never pay for it.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, object] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True
    ) as bars:

        def report(stage: str, done: int, total: int) -> None:
            size = total if total > 0 else None
            if stage not in tasks:
                tasks[stage] = bars.add_task(clean(stage), total=size)
            bars.update(tasks[stage], completed=done, total=size)  # type: ignore[arg-type]

        yield report
