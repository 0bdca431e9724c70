"""``lpsync sandbox``: serve the Launchpad stand-in, with an optional request log."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lpsync.cli.app import command
from lpsync.console import echo, warn

if TYPE_CHECKING:
    from lpsync.sandbox import RequestRecord


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
