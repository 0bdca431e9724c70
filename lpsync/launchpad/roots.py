"""Where lpsync talks to: service roots (by name or URL, credentials kept out of
messages) and the private cache directory."""

from __future__ import annotations

import ipaddress
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from lpsync.errors import UsageError

CONSUMER = "lpsync"


VERSION = "devel"


SERVICE_ROOTS = {
    "production": "https://api.launchpad.net/",
    "staging": "https://api.staging.launchpad.net/",
    "qastaging": "https://api.qastaging.launchpad.net/",
}


def resolve_service_root(service_root: str) -> str:
    """``production`` / ``staging`` / ``qastaging`` or an http(s) URL, returned as a URL
    with a trailing slash and no version segment (a trailing ``devel``, ``1.0`` or
    ``beta`` is stripped: launchpadlib adds the version itself)."""
    text = service_root.strip()
    if text in SERVICE_ROOTS:
        return SERVICE_ROOTS[text]
    shown = redact_url(service_root)  # never print a password or token given in the URL
    if _USERINFO_RE.match(service_root):
        raise UsageError(
            f"service root {shown!r}: a user name or password in the URL is not supported "
            "(lpsync reads Launchpad anonymously); remove the part before '@'"
        )
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (parsing the port is what validates it)
    except ValueError as exc:
        raise UsageError(f"service root {shown!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"service root {shown!r} is not production, staging, qastaging, "
            "an http(s) URL or a stand-in data directory"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"service root {shown!r} must not have a query or fragment")
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1] in ("devel", "1.0", "beta"):
        segments.pop()
    path = "/" + "".join(f"{s}/" for s in segments)
    return f"{parts.scheme}://{parts.netloc}{path}"


# The userinfo of a URL (``user:password@``), with or without a scheme before it.
_USERINFO_RE = re.compile(
    r"\A(?:(?P<scheme>\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*|[^/?#@\s:]+:[^/?#@\s]*)@"
)


# A query string or fragment: where a token or signed parameter rides.
_QUERY_RE = re.compile(r"([?#])[^#]*")


def redact_url(url: str) -> str:
    """``url`` with any user name and password, query string and fragment replaced by
    ``***``: each may carry a secret (``?token=...``)."""
    url = _USERINFO_RE.sub(lambda m: f"{m['scheme'] or ''}***@", url, count=1)
    return _QUERY_RE.sub(r"\1***", url)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/lpsync``, else ``~/.cache/lpsync``, else a temp dir (no $HOME)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "lpsync"
    home = os.environ.get("HOME")
    if home:
        return Path(home) / ".cache" / "lpsync"
    user = os.getuid() if hasattr(os, "getuid") else "user"
    return _private_dir(Path(tempfile.gettempdir()) / f"lpsync-cache-{user}")


def _private_dir(path: Path) -> Path:
    """``path`` as a directory only this user can use: made with mode 0700, or, when it
    exists, checked to be this user's own real directory. In a shared temp dir another
    user could make it first, to read or plant cached Launchpad answers."""
    import stat

    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise UsageError(f"cannot create the cache directory {path}: {exc.strerror}") from None
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(
            f"cache directory {path}: not a directory (a symbolic link or a file); "
            "remove it, or pass --cache-dir"
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise UsageError(
            f"cache directory {path}: owned by another user (uid {info.st_uid}); "
            "pass --cache-dir, or set $HOME"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)  # our own, but readable by others: make it private
    return path
