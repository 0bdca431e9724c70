"""launchpadlib's HTTP, bounded by ``--timeout``: per request and per session's retries.

httplib2's ``timeout`` is a socket timeout: it bounds each wait for bytes, so a server
that sends its headers and then one byte a second keeps a request running for as long
as the body lasts. And lazr.restfulclient retries 502 and 503 six times with 31 s of
sleeps, whatever the timeout. Here:

* every request has a deadline, ``timeout`` seconds after it starts, that bounds the
  whole exchange (connect, send, headers and body): each socket read or write may
  wait only for what is left of it;
* 502 and 503 are retried here, with backoff, within a retry budget the session's
  requests share: once a run of such answers has lasted ``timeout`` seconds, the next
  one is final (a success ends the run). The client's own retry loop never sees a
  502 or 503, so it never sleeps.

Imported only when a session is opened (it imports launchpadlib and httplib2).
"""

from __future__ import annotations

import io
import math
import socket
import threading
import time
from typing import Any

import httplib2
from launchpadlib.launchpad import Launchpad, LaunchpadOAuthAwareHttp

RETRY_STATUSES = frozenset({502, 503})
FIRST_BACKOFF = 0.5  # seconds; doubled for each retry of one request


class RetriesExhausted(Exception):
    """A 502/503 answer still came when the retry budget was spent."""

    def __init__(self, response: Any, budget: float) -> None:
        reason = getattr(response, "reason", "") or ""
        super().__init__(
            f"HTTP {response.status} {reason}".rstrip() + f", still after {budget:g} s of retries"
        )
        self.response = response


class RetryBudget:
    """How long a session keeps retrying 502/503 answers (thread-safe)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._until: float | None = None  # end of the current run of failures

    def wait(self, attempt: int) -> bool:
        """Sleep before retry ``attempt`` (0 for the first) of a request; False, at once,
        when the budget of the current run of failures is spent."""
        with self._lock:
            now = time.monotonic()
            if self._until is None:
                self._until = now + self.seconds
            remaining = self._until - now
        if remaining <= 0:
            return False
        time.sleep(min(FIRST_BACKOFF * 2**attempt, remaining))
        return True

    def succeeded(self) -> None:
        with self._lock:
            self._until = None


class _DeadlineSocket:
    """A connected socket whose reads and writes end at its connection's deadline."""

    def __init__(self, sock: socket.socket, conn: Any) -> None:
        self._sock = sock
        self._conn = conn

    def arm(self) -> None:
        remaining = self._conn.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request's deadline passed")
        timeout = self._conn.timeout
        self._sock.settimeout(remaining if timeout is None else min(timeout, remaining))

    def sendall(self, data: bytes, *args: Any) -> None:
        self.arm()
        self._sock.sendall(data, *args)

    def makefile(self, mode: str = "r", buffering: int | None = None, **_kw: Any) -> Any:
        # http.client reads the status line, headers and body through this file. The
        # socket's own file keeps it open until the response is read (HTTP/1.0 closes
        # the connection right after the headers).
        return io.BufferedReader(_DeadlineReader(self, self._sock.makefile("rb", buffering=0)))

    def __getattr__(self, name: str) -> Any:  # close, fileno, shutdown, settimeout...
        return getattr(self._sock, name)


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket, raw: Any) -> None:
        self._sock = sock
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.arm()
        return self._raw.readinto(buffer)  # type: ignore[no-any-return]

    def close(self) -> None:
        self._raw.close()
        super().close()


def _with_deadline(base: type) -> type:
    class Connection(base):  # type: ignore[valid-type,misc]
        deadline = math.inf

        def connect(self) -> None:
            super().connect()
            sock: Any = getattr(self, "sock")  # noqa: B009  (typed only in the base)
            self.sock = _DeadlineSocket(sock, self)

    Connection.__name__ = Connection.__qualname__ = f"Deadline{base.__name__}"
    return Connection


_CONNECTIONS = {
    scheme: _with_deadline(base) for scheme, base in httplib2.SCHEME_TO_CONNECTION.items()
}


class BoundedHttp(LaunchpadOAuthAwareHttp):  # type: ignore[misc]
    """launchpadlib's HTTP class with a deadline per request and the session's budget."""

    def __init__(self, budget: RetryBudget, *args: Any) -> None:
        super().__init__(*args)
        self.budget = budget

    def request(self, uri: str, *args: Any, **kwargs: Any) -> tuple[Any, bytes]:
        scheme = uri.partition(":")[0].lower()
        kwargs.setdefault("connection_type", _CONNECTIONS.get(scheme))
        attempt = 0
        while True:
            response, content = super().request(uri, *args, **kwargs)
            if response.status not in RETRY_STATUSES:
                if attempt:
                    self.budget.succeeded()
                return response, content
            if not self.budget.wait(attempt):
                raise RetriesExhausted(response, self.budget.seconds)
            attempt += 1

    def _conn_request(self, conn: Any, *args: Any) -> Any:
        # One deadline for the whole exchange, connect included; a reused connection
        # gets a fresh one per request.
        conn.deadline = time.monotonic() + (self.timeout or math.inf)
        try:
            return super()._conn_request(conn, *args)
        finally:
            conn.deadline = math.inf


class BoundedLaunchpad(Launchpad):  # type: ignore[misc]
    """Launchpad whose every HTTP client, the one logging in included, is bounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        timeout = kwargs.get("timeout")
        self.retry_budget = RetryBudget(timeout if timeout is not None else 30.0)
        super().__init__(*args, **kwargs)

    def httpFactory(self, credentials: Any, cache: Any, timeout: Any, proxy_info: Any) -> Any:  # noqa: N802
        return BoundedHttp(
            self.retry_budget,
            self,
            self.authorization_engine,
            credentials,
            cache,
            timeout,
            proxy_info,
        )


def anonymous_http(consumer: str, timeout: float, proxy_info: Any) -> BoundedHttp:
    """The HTTP client an anonymous session reads with, made without logging in (an
    anonymous token is no secret and needs no request): audit's first reads go out
    while the login is still under way. Its retry budget is its own."""
    from launchpadlib.credentials import AnonymousAccessToken, Credentials

    credentials = Credentials(consumer, access_token=AnonymousAccessToken())
    return BoundedHttp(RetryBudget(timeout), None, None, credentials, None, timeout, proxy_info)
