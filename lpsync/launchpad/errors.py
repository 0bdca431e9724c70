"""What a failed request becomes: one LaunchpadError line naming the service and the
read, never a traceback."""

from __future__ import annotations

import http.client
import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from lpsync.errors import LaunchpadError, LpsyncError


def _describe(exc: BaseException, timeout: float) -> str:
    """One line for what went wrong, never headers or bodies with secrets."""
    from lazr.restfulclient.errors import HTTPError

    from lpsync.lphttp import RetriesExhausted

    if isinstance(exc, RetriesExhausted):
        return str(exc)
    if isinstance(exc, HTTPError):
        status = getattr(exc.response, "status", "?")
        reason = getattr(exc.response, "reason", "") or ""
        return f"HTTP {status} {reason}".rstrip()
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (ConnectionResetError, http.client.RemoteDisconnected)):
        return "connection closed without a response"
    if isinstance(exc, http.client.HTTPException):
        return f"bad HTTP response ({type(exc).__name__})"
    if isinstance(exc, json.JSONDecodeError):
        return "the response was not valid JSON"
    if type(exc) is ValueError:  # lpsync's own checks of an answer's shape and text
        return " ".join(str(exc).split())[:300]
    name = type(exc).__name__
    if name == "ParseError":  # xml.etree: the WADL was not XML
        return "the service description (WADL) was not valid XML"
    if name == "ServerNotFoundError":
        return "host not found"
    text = " ".join(str(exc).split())[:200]
    return f"{name}: {text}" if text else name


class _IsGroup(Exception):
    """getSpecification was asked of a project group, which has none."""


@contextmanager
def _translate(where: str, timeout: float, what: str) -> Iterator[None]:
    """Turn any failure into one LaunchpadError naming the service (``where``: "Launchpad
    URL" or "sandbox DIR") and the operation."""
    try:
        yield
    except (LpsyncError, _IsGroup):
        raise
    except Exception as exc:  # everything else becomes one clear LaunchpadError
        raise LaunchpadError(f"{where}: {what}: {_describe(exc, timeout)}") from None


def _plain(content: bytes | str | None) -> str:
    """A server message as one short line of text (its HTML tags dropped)."""

    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content or ""
    text = " ".join(re.sub(r"<[^>]*>", "", text).split())
    return text[:200] or "(no reason given)"
