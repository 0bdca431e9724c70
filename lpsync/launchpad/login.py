"""Opening a session: anonymous login (or ``push``'s credentials file), the WADL
and service root read once, and what went wrong said plainly."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lpsync.errors import LaunchpadError, UsageError
from lpsync.launchpad.errors import _translate
from lpsync.launchpad.roots import (
    CONSUMER,
    SERVICE_ROOTS,
    VERSION,
    _is_loopback,
    default_cache_dir,
    redact_url,
    resolve_service_root,
)
from lpsync.launchpad.session import LaunchpadSession


@contextmanager
def open_launchpad(
    service_root: str | os.PathLike[str],
    cache_dir: Path | None = None,
    timeout: float = 30.0,
    credentials: Path | Any = None,
    background: bool = False,
) -> Iterator[LaunchpadSession]:
    """Log in (2 requests on a cold cache) and yield a session: anonymously, or with
    a launchpadlib ``credentials`` file or the ``Credentials`` read from one
    (``load_credentials``; only ``push`` does, to write).

    ``background``: yield at once and log in from a thread, so the caller's own work
    (audit reading the specs) overlaps the login; the session's reads wait for it and
    raise its failure. What needs no request (the service root, the cache directory,
    the credentials, a sandbox's data) is still checked before this returns.

    ``service_root`` may also be a directory of stand-in data: a Sandbox then serves it
    on a loopback port for the duration of the ``with`` block, and messages name it
    ``sandbox DIR``.
    """
    service_root = os.fspath(service_root)
    if not service_root.strip():
        # Path("") is the current directory: never serve it as an empty Launchpad.
        raise UsageError(
            "service root is empty: give production, staging, qastaging, an http(s) URL "
            "or a sandbox data directory"
        )
    candidate = Path(service_root).expanduser()
    if "://" not in service_root and service_root not in SERVICE_ROOTS and candidate.is_dir():
        from lpsync.sandbox import Sandbox
        from lpsync.sandbox.model import FILES

        if not any((candidate / name).is_file() for name in FILES):
            # A typo (``fixtures`` for ``fixtures/launchpad``) must not read as a
            # Launchpad where no project exists.
            raise UsageError(
                f"sandbox {service_root}: no sandbox data: none of {', '.join(FILES)} "
                "is in this directory"
            )
        where = f"sandbox {service_root}"
        with (
            Sandbox(candidate) as sandbox,
            _open_root(
                sandbox.service_root, cache_dir, timeout, credentials, where, background
            ) as session,
        ):
            yield session
        return
    with _open_root(service_root, cache_dir, timeout, credentials, None, background) as session:
        yield session


@contextmanager
def _open_root(
    service_root: str,
    cache_dir: Path | None,
    timeout: float,
    credentials: Path | None,
    where: str | None = None,
    background: bool = False,
) -> Iterator[LaunchpadSession]:
    root = resolve_service_root(service_root)
    if credentials is not None and urlsplit(root).scheme != "https" and not _is_loopback(root):
        # A PLAINTEXT signature is the secret itself: never over plain HTTP.
        raise UsageError(
            f"service root {redact_url(root)}: push signs with the token's secret in "
            "clear (OAuth PLAINTEXT), so it needs https (or a loopback stand-in)"
        )
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the cache directory {cache}: {exc.strerror}") from None
    # Loopback never goes through a proxy; elsewhere keep launchpadlib's default (env).
    proxy_kw: dict[str, Any] = {"proxy_info": None} if _is_loopback(root) else {}
    signed = (
        load_credentials(Path(credentials))
        if isinstance(credentials, (str, os.PathLike))
        else credentials
    )

    def login() -> Any:
        with _translate(where or f"Launchpad {root}", timeout, "logging in"):
            from lpsync.lphttp import BoundedLaunchpad

            try:
                if signed is None:
                    lp = BoundedLaunchpad.login_anonymously(
                        CONSUMER,
                        service_root=root,
                        launchpadlib_dir=str(cache),
                        timeout=timeout,
                        version=VERSION,
                        **proxy_kw,
                    )
                else:
                    # No authorization engine and no credential store: a bad token is an
                    # error, never a browser flow or a prompt.
                    lp = BoundedLaunchpad(
                        signed,
                        None,
                        None,
                        service_root=root,
                        cache=str(cache / "signed" / urlsplit(root).netloc.replace(":", ",")),
                        timeout=timeout,
                        version=VERSION,
                        **proxy_kw,
                    )
            except Exception as exc:
                if not _in_wadl_parsing(exc):
                    raise
                what = _what_answered(root, timeout, proxy_kw)
                raise LaunchpadError(
                    f"{where or f'Launchpad {root}'}: logging in: the answer is {what}, not a "
                    "Launchpad web service description; give the web service's root (for "
                    "Launchpad itself https://api.launchpad.net/, not https://launchpad.net/)"
                ) from None
        return lp

    proxy_info = proxy_kw.get("proxy_info", _default_proxy_info())
    if not background:
        yield LaunchpadSession(login(), root, timeout, proxy_info, where)
        return
    pending = _in_thread(login)
    early_http = None
    if signed is None:
        from lpsync.lphttp import anonymous_http

        early_http = functools.partial(anonymous_http, CONSUMER, timeout, proxy_info)
    yield LaunchpadSession(pending, root, timeout, proxy_info, where, early_http)
    # Reached only when the caller's block succeeded (on a failure, that failure is what
    # counts, and the login's daemon thread is left to end): a login that failed fails
    # the command even if nothing was read, as it would have before the block.
    pending.result()


def _in_thread(work: Callable[[], Any]) -> Future[Any]:
    """``work()`` run in a daemon thread: a Ctrl-C, or a failure that ends the command
    first, never waits for a login that hangs until its timeout."""
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed over whole, raised where it is awaited
            future.set_exception(exc)

    threading.Thread(target=run, name="lpsync-login", daemon=True).start()
    return future


def load_credentials(path: Path) -> Any:
    """A launchpadlib ``Credentials`` from a credentials file (``[1]`` with
    ``consumer_key``, ``consumer_secret``, ``access_token``, ``access_secret``), as
    ``Launchpad.login_with(credentials_file=...)`` writes it. Errors name the file and
    never quote it: it holds a secret."""
    import configparser

    from launchpadlib.credentials import Credentials

    try:
        with open(path, encoding="utf-8") as fh:
            credentials = Credentials()
            credentials.load(fh)
    except OSError as exc:
        raise UsageError(f"credentials file {path}: cannot read: {exc.strerror}") from None
    except (configparser.Error, UnicodeDecodeError, ValueError) as exc:
        raise UsageError(
            f"credentials file {path}: not a launchpadlib credentials file "
            f"(section [1] with consumer_key, consumer_secret, access_token, access_secret; "
            f"{type(exc).__name__})"
        ) from None
    except Exception as exc:  # lazr's CredentialsFileError and the like
        raise UsageError(
            f"credentials file {path}: not a launchpadlib credentials file ({type(exc).__name__})"
        ) from None
    token = credentials.access_token
    if token is None or not token.key or not token.secret:
        raise UsageError(f"credentials file {path}: it holds no access token")
    return credentials


def _in_wadl_parsing(exc: BaseException) -> bool:
    """Whether the login failed reading the service description: a web server that
    answered 200 with a page (HTML, or any other XML) trips wadllib, which then fails
    with an AttributeError or a ParseError that says nothing about why."""
    if type(exc).__name__ == "ParseError":
        return True
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith("wadllib")


def _what_answered(root: str, timeout: float, proxy_kw: dict[str, Any]) -> str:
    """What the service root sends instead of a web service description, as "an HTML
    page (text/html)": one more request, on this failure's path only."""
    import httplib2

    try:
        response, _ = httplib2.Http(timeout=timeout, **proxy_kw).request(
            f"{root}{VERSION}/",
            headers={"Accept": "application/vnd.sun.wadl+xml", "User-Agent": CONSUMER},
        )
    except Exception:  # the first answer is what matters; this is only a closer look
        return "a document"
    kind = str(response.get("content-type", "")).split(";")[0].strip().lower()
    if not kind:
        return "a document without a content type"
    return f"{'an HTML page' if 'html' in kind else 'a document'} ({kind})"


def _default_proxy_info() -> Any:
    from httplib2 import proxy_info_from_environment

    return proxy_info_from_environment
