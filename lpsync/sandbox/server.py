"""The stand-in's HTTP side: a stdlib ThreadingHTTPServer, fault injection, request log."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from lpsync.errors import LpsyncError
from lpsync.sandbox import oauth, resources
from lpsync.sandbox.faults import Fault, FaultSet, RequestLog, RequestRecord
from lpsync.sandbox.model import SandboxData
from lpsync.sandbox.resources import Reply, Site

# A hung request is released when the server stops, or after this long.
HANG_SECONDS = 120.0
# The WADL and root never change while a server runs; a client may reuse them this long.
ROOT_MAX_AGE = 3600
MALFORMED_BODY = b'{"total_size": 3, "entries": [{"self_link": "'


class Sandbox:
    """A local Launchpad web service (devel) for tests, demos and benchmarks.

    ``Sandbox(data_dir)`` loads the JSON files of ``data_dir``; ``Sandbox.from_model(data)``
    serves an in-memory :class:`SandboxData` (mutations are seen by later requests).
    Point launchpadlib at :attr:`service_root` with ``version="devel"``.
    """

    def __init__(
        self,
        data_dir: Path | str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 75,
        *,
        data: SandboxData | None = None,
        on_request: Callable[[RequestRecord], None] | None = None,
    ) -> None:
        if data is None:
            if data_dir is None:
                raise ValueError("Sandbox needs a data_dir or data")
            data = SandboxData.load(data_dir)
        self.data = data
        self.host = host
        self.port = port
        self.page_size = page_size
        self._log = RequestLog(on_request)
        self._faults = FaultSet()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.site: Site | None = None

    @classmethod
    def from_model(
        cls, data: SandboxData, host: str = "127.0.0.1", port: int = 0, page_size: int = 75
    ) -> Sandbox:
        return cls(host=host, port=port, page_size=page_size, data=data)

    # -- lifecycle ---------------------------------------------------------------------

    def _bind(self) -> _Server:
        if self._server is None:
            self._stopping.clear()
            try:
                server = _Server((self.host, self.port), _Handler)
            except (OSError, OverflowError) as exc:  # port in use, no such address
                reason = getattr(exc, "strerror", None) or str(exc)
                raise LpsyncError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
            server.sandbox = self
            self.port = server.server_address[1]
            host = self.host if ":" not in self.host else f"[{self.host}]"
            self.site = Site(self.data, f"http://{host}:{self.port}/", self.page_size)
            self._server = server
        return self._server

    def start(self) -> Sandbox:
        """Serve from a daemon thread; returns at once."""
        server = self._bind()
        if self._thread is None:
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve until KeyboardInterrupt (for ``lpsync sandbox``), then stop. If
        :meth:`start` already runs the server, this just waits for it."""
        if self._thread is not None:
            try:
                while self._thread is not None and self._thread.is_alive():
                    self._thread.join(0.2)
            except KeyboardInterrupt:
                pass
            finally:
                self.stop()
            return
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._stopping.set()
            server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop serving and release hung requests. Safe to call twice."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def service_root(self) -> str:
        """``http://HOST:PORT/`` with no version segment (what launchpadlib wants)."""
        self._bind()
        assert self.site is not None
        return self.site.root

    # -- request log and faults -------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of every request received so far, oldest first."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        self._log.clear()

    def add_fault(
        self,
        pattern: str,
        *,
        latency: float = 0,
        status: int | None = None,
        hang: bool = False,
        drop: bool = False,
        malformed: bool = False,
        body: bytes | None = None,
        times: int | None = None,
        trickle: float = 0.0,
        content_type: str = "application/json",
    ) -> None:
        """Misbehave on requests whose ``path?query`` matches ``pattern`` (``re.search``).

        Note: lpsync retries 502/503 for up to its timeout (plain launchpadlib: six
        times, ~31 s of sleeps), so a test wanting one server error should use e.g.
        500. httplib2 re-sends once after a dropped connection, so a ``drop`` fault
        usually sees two requests. ``trickle`` sends the headers, then the body one
        byte every ``trickle`` seconds.
        """
        fault = Fault(
            re.compile(pattern),
            latency,
            status,
            hang,
            drop,
            malformed,
            body,
            times,
            trickle,
            content_type,
        )
        self._faults.add(fault)

    def clear_faults(self) -> None:
        self._faults.clear()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Clients open one connection per request, many at once: socketserver's default
    # backlog of 5 overflows and stalls connects for a second.
    request_queue_size = 128
    sandbox: Sandbox

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that gave up (timeouts in fault tests) break pipes; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # One request per connection keeps the log, faults and shutdown simple.
    protocol_version = "HTTP/1.0"
    server_version = "lpsync-sandbox"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the request log replaces stderr chatter

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET  # noqa: N815

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        accept = self.headers.get("Accept", "")
        log = sandbox._log
        body = b""
        if self.command != "GET" and self.headers.get("Content-Length"):
            body = self.rfile.read(int(self.headers["Content-Length"]))

        def record(status: int) -> None:
            sent = body.decode("utf-8", "replace")
            log.add(RequestRecord(self.command, path, query, accept, status, sent))

        fault = sandbox._faults.take(path + (f"?{query}" if query else ""))
        if fault is not None:
            if fault.latency and sandbox._stopping.wait(fault.latency):
                fault = Fault(fault.pattern, drop=True)  # stopping: just go away
            if fault.hang or fault.drop:
                record(0)
                if fault.hang:
                    sandbox._stopping.wait(HANG_SECONDS)
                self.close_connection = True
                return
            if fault.malformed or fault.body is not None:
                body = MALFORMED_BODY if fault.malformed or fault.body is None else fault.body
                self._send(Reply(200, body, fault.content_type), record)
                return
            if fault.status is not None:
                self._send(Reply(fault.status, b"Injected fault", "text/plain"), record)
                return
        trickle = fault.trickle if fault is not None else 0.0
        with sandbox.data.lock:
            # As on Launchpad: a request signed with a bad token is refused whatever
            # it asks; an anonymous one may read but not write.
            signer = oauth.check(self.headers.get("Authorization"), sandbox.data.tokens)
        assert sandbox.site is not None
        try:
            if signer.refusal is not None:
                reply = Reply(401, signer.refusal.encode(), "text/plain")
            elif self.command == "PATCH":
                reply = sandbox.site.patch(path, body, signer.token, self.headers.get("If-Match"))
            elif self.command != "GET":
                reply = Reply(405, b"The stand-in writes only with PATCH", "text/plain")
            else:
                reply = sandbox.site.get(path, query, accept)
        except Exception as exc:  # a stand-in bug: answer like Launchpad's OOPS page
            reply = Reply(500, f"OOPS: {type(exc).__name__}: {exc}".encode(), "text/plain")
        self._send(reply, record, trickle)

    def _send(self, reply: Reply, record: Callable[[int], None], trickle: float = 0.0) -> None:
        etag = None
        status = reply.status
        body = reply.body
        if status == 200:
            etag = resources.etag(body)
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        # Log before answering, so a client that has its answer always finds it logged.
        record(status)
        self.send_response(status)
        if status != 304:
            # Exactly "application/json": launchpadlib compares it as a string.
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        if reply.cacheable:
            self.send_header("Cache-Control", f"max-age={ROOT_MAX_AGE}")
        self.end_headers()
        if self.command == "HEAD":
            return
        if not trickle:
            self.wfile.write(body)
            return
        self.wfile.flush()
        stopping = self.server.sandbox._stopping
        for i in range(len(body)):
            if stopping.wait(trickle):
                break
            try:
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            except OSError:  # the client gave up
                break
