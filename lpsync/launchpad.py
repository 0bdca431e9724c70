"""The one module that talks to Launchpad.

Anonymous and read-only, always the ``devel`` web service (blueprint fields exist only
there). The one exception is ``push``: a session opened with a credentials file signs
its requests, and ``set_specification_url`` is its one write. launchpadlib is imported
lazily so ``lpsync --help`` never loads it.

Request costs (cold cache; see ``tests/test_launchpad.py``):

* ``open_launchpad``: 2 (WADL + service-root JSON).
* ``get_blueprint`` on a project: 1 (``getSpecification`` on a lazy project). On a
  project group: 1 (the ``getSpecification`` that answers 400, remembered per session)
  + ceil(total / 300) pages of the group's ``all_specifications``.
* ``get_blueprints``: the first listing page (``ws.size=300``), then whichever is
  cheaper: the remaining pages (fetched concurrently) or one ``getSpecification`` per
  still-missing name. At most ceil(total / 300) for a listing, never more than
  ceil(total / 75).
* ``display_name``: 1 per distinct person (memoised). ``milestone_series``: 1.
* ``set_specification_url``: 1 (a PATCH).
* ``pillar_kind``: 1. ``group_projects``, ``series_specifications``,
  ``milestone_series_all``: ceil(total / 300) listing pages.

Pages and people are read as JSON through the client's own HTTP class (one connection
per thread, since httplib2.Http is not thread-safe); no launchpadlib ``Entry`` is built
for them (~1.4 ms each).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from lpsync.blueprint import BLUEPRINT_TEXT, Blueprint, is_text, last_segment
from lpsync.errors import (
    LaunchpadError,
    LpsyncError,
    NotFoundError,
    RefusedError,
    UsageError,
)
from lpsync.names import check_name, is_valid_name

__all__ = [
    "Blueprint",
    "LaunchpadSession",
    "default_cache_dir",
    "open_launchpad",
    "resolve_service_root",
]

CONSUMER = "lpsync"
VERSION = "devel"
SERVICE_ROOTS = {
    "production": "https://api.launchpad.net/",
    "staging": "https://api.staging.launchpad.net/",
    "qastaging": "https://api.qastaging.launchpad.net/",
}
BATCH_SIZE = 300  # what we ask for; the server may answer with smaller pages
MAX_WORKERS = 16

T = TypeVar("T")


@dataclass(frozen=True)
class Answered:
    """What a session's bulk reads told their callers (for ``lpsync record``).

    ``blueprints``: per pillar asked, each name's Blueprint or None; None for a pillar
    that does not exist. ``people``: display names looked up. ``groups``: pillars known
    to be project groups."""

    blueprints: dict[str, dict[str, Blueprint | None] | None]
    people: dict[str, str | None]
    groups: frozenset[str]


class _IsGroup(Exception):
    """getSpecification was asked of a project group, which has none."""


# -- service root, cache dir ----------------------------------------------------------


def resolve_service_root(service_root: str) -> str:
    """``production`` / ``staging`` / ``qastaging`` or an http(s) URL, returned as a URL
    with a trailing slash and no version segment (a trailing ``devel``, ``1.0`` or
    ``beta`` is stripped: launchpadlib adds the version itself)."""
    text = service_root.strip()
    if text in SERVICE_ROOTS:
        return SERVICE_ROOTS[text]
    shown = redact_url(service_root)  # never print a password given in the URL
    if shown != service_root:
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


def redact_url(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``."""
    return _USERINFO_RE.sub(lambda m: f"{m['scheme'] or ''}***@", url, count=1)


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


# -- error translation ----------------------------------------------------------------


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


# -- the session ----------------------------------------------------------------------


class LaunchpadSession:
    """Read access to blueprints, people and milestones on one service root.

    Methods may be called from several threads: launchpadlib calls are serialised by a
    lock and the JSON reads use one connection per thread.
    """

    def __init__(
        self,
        lp: Any,
        service_root: str,
        timeout: float,
        proxy_info: Any,
        where: str | None = None,
    ) -> None:
        self.lp = lp
        self.service_root = service_root
        # What messages call the service: "Launchpad URL", or "sandbox DIR" for a
        # stand-in served from a data directory (its port means nothing to a reader).
        self.where = where or f"Launchpad {service_root}"
        # For "does not exist ...": "on Launchpad" or "in sandbox DIR".
        self.place = f"in {where}" if where else "on Launchpad"
        self.api = f"{service_root}{VERSION}/"
        self.timeout = timeout
        self._proxy_info = proxy_info
        self._lp_lock = threading.Lock()
        # However many threads ask (audit's pool, a listing's page fan-out), at most
        # MAX_WORKERS requests are in flight on this session at once.
        self._in_flight = threading.BoundedSemaphore(MAX_WORKERS)
        self._local = threading.local()
        self._groups: set[str] = set()  # pillars known to be project groups
        self._people: dict[str, str | None] = {}
        self._people_locks: dict[str, threading.Lock] = {}
        self._people_lock = threading.Lock()
        self._answered: dict[str, dict[str, Blueprint | None] | None] = {}

    # -- plumbing ------------------------------------------------------------------

    def _errors(self, what: str) -> Any:
        return _translate(self.where, self.timeout, what)

    def _http(self) -> Any:
        conn = getattr(self._local, "http", None)
        if conn is None:
            # The client's own HTTP class (OAuth-signed like every launchpadlib request),
            # one per thread, without the on-disk cache (not thread-safe).
            conn = self.lp.httpFactory(self.lp.credentials, None, self.timeout, self._proxy_info)
            self._local.http = conn
        return conn

    def _get_json(self, url: str, what: str, group_check: bool = False) -> Any | None:
        """GET ``url`` as JSON; None for a 404. Raises LaunchpadError otherwise, or
        _IsGroup (with ``group_check``) for a group's 400 to getSpecification."""
        path = urlsplit(url).path
        with self._errors(f"{what} ({path})"):
            # 502/503 are retried within the session's budget by the HTTP class itself.
            with self._in_flight:
                response, content = self._http().request(
                    url, "GET", headers={"Accept": "application/json", "User-Agent": CONSUMER}
                )
            if response.status == 404:
                return None
            if group_check and response.status == 400 and b"getSpecification" in content:
                raise _IsGroup
            if response.status != 200:
                reason = getattr(response, "reason", "") or ""
                raise LaunchpadError(
                    f"{self.where}: {what} ({path}): HTTP {response.status} {reason}".rstrip()
                )
            data = json.loads(content)
            if data is None and not group_check:  # only getSpecification may say null
                raise ValueError("empty (null) answer")
            return data

    def _pillar_url(self, project: str) -> str:
        return f"{self.api}{check_name(project, 'project')}"

    def _not_found(self, project: str) -> NotFoundError:
        where = "" if self.place.startswith("in ") else f" ({self.service_root})"
        return NotFoundError(f"project {project!r} does not exist {self.place}{where}")

    # -- blueprints ----------------------------------------------------------------

    def get_blueprint(self, project: str, name: str) -> Blueprint | None:
        """The blueprint ``name`` of ``project`` (or of a member of project group
        ``project``); None if there is none. Unknown project: NotFoundError."""
        check_name(name)
        if project not in self._groups:
            found = self._get_specification(project, name)
            if found is not _GROUP:
                return found  # type: ignore[return-value]
            self._groups.add(project)
        return self._list_specifications(project, {name}).get(name)

    def _get_specification(self, project: str, name: str) -> Blueprint | None | object:
        """1 request. Returns _GROUP when ``project`` turns out to be a project group."""
        from lazr.restfulclient.errors import BadRequest, NotFound

        with self._lp_lock, self._errors(f"getSpecification {project}/{name}"):
            lazy = self.lp.projects(check_name(project, "project"))  # no request
            try:
                spec = lazy.getSpecification(name=name)
            except NotFound:
                raise self._not_found(project) from None
            except BadRequest as exc:
                # A project group has no getSpecification: lazr.restful answers 400.
                if b"getSpecification" in (exc.content or b""):
                    return _GROUP
                raise
            if spec is None:
                return None
            return Blueprint.from_json(_entry_json(spec))

    def get_blueprints(
        self,
        project: str,
        names: Iterable[str],
        on_found: Callable[[dict[str, Blueprint]], None] | None = None,
    ) -> dict[str, Blueprint | None]:
        """Bulk look-up for audits: every name maps to its Blueprint or None.

        ``on_found``, when given, is called (from a worker thread) with the blueprints
        of each listing page of a project as the page arrives, so a caller can act on
        them before the last page is in; a group's answer comes only at the end."""
        wanted = list(dict.fromkeys(check_name(n) for n in names))
        if not wanted:
            return {}
        # Always start with the listing's first page: it costs what one getSpecification
        # costs, works for projects and groups alike, and tells the two apart.
        try:
            found = self._list_specifications(project, set(wanted), on_found)
        except NotFoundError:
            with self._people_lock:
                self._answered[project] = None
            raise
        result = {n: found.get(n) for n in wanted}
        with self._people_lock:
            known = self._answered.get(project) or {}
            self._answered[project] = known | result
        return result

    def answered(self) -> Answered:
        """A copy of everything ``get_blueprints`` and ``display_name`` answered."""
        with self._people_lock:
            return Answered(
                blueprints={k: None if v is None else dict(v) for k, v in self._answered.items()},
                people=dict(self._people),
                groups=frozenset(self._groups),
            )

    def _list_specifications(
        self,
        project: str,
        wanted: set[str],
        on_found: Callable[[dict[str, Blueprint]], None] | None = None,
    ) -> dict[str, Blueprint]:
        """Find ``wanted`` in the pillar's ``all_specifications``, stopping early."""
        with self._errors(f"all_specifications of {project}"):  # also bad page contents
            return self._search_listing(project, wanted, on_found)

    def _search_listing(
        self,
        project: str,
        wanted: set[str],
        on_found: Callable[[dict[str, Blueprint]], None] | None = None,
    ) -> dict[str, Blueprint]:
        base = f"{self._pillar_url(project)}/all_specifications"
        what = f"all_specifications of {project}"
        first = self._get_json(f"{base}?{urlencode({'ws.size': BATCH_SIZE})}", what)
        if first is None:
            raise self._not_found(project)
        self._collect(first, set(), {})  # checks the page's shape before it is read
        found: dict[str, Blueprint] = {}
        self._collect(first, wanted, found)
        if any(last_segment(e.get("target_link")) != project for e in first.get("entries", [])):
            self._groups.add(project)  # entries of other projects: a group's listing
        # In a group the first owner of a name wins, which only the last page settles.
        early = on_found if project not in self._groups else None
        if early is not None and found:
            early(dict(found))
        missing = wanted - set(found)
        if not missing or "next_collection_link" not in first:
            return found
        total = first.get("total_size")
        served = len(first.get("entries", [])) or 1
        if not isinstance(total, int):
            # No total (a total_size_link instead): follow the links one by one.
            page = first
            while missing and page.get("next_collection_link"):
                page = self._get_json(page["next_collection_link"], what) or {"entries": []}
                self._collect(page, wanted, found)
                missing = wanted - set(found)
            return found
        starts = list(range(served, total, served))
        if project not in self._groups and len(missing) < len(starts):
            # Cheaper to ask for each missing name than to read the remaining pages.
            names = sorted(missing)
            try:
                looked_up = self._map(lambda n: self._spec_json(project, n), names)
            except _IsGroup:
                self._groups.add(project)  # a one-member-looking group: read the pages
            else:
                found.update((n, bp) for n, bp in zip(names, looked_up, strict=True) if bp)
                return found

        def page_at(start: int) -> Any:
            query = urlencode({"ws.size": served, "ws.start": start})
            page = self._get_json(f"{base}?{query}", what)
            if early is not None and page is not None:
                part: dict[str, Blueprint] = {}
                self._collect(page, wanted, part)
                if part:
                    early(part)
            return page

        pages = self._map(page_at, starts)
        for page in pages:
            self._collect(page or {"entries": []}, wanted, found)
        return found

    def _spec_json(self, project: str, name: str) -> Blueprint | None:
        query = urlencode({"name": json.dumps(name), "ws.op": "getSpecification"})
        url = f"{self._pillar_url(project)}?{query}"
        rep = self._get_json(url, f"getSpecification {project}/{name}", group_check=True)
        return Blueprint.from_json(rep) if rep else None

    @staticmethod
    def _collect(page: object, wanted: set[str], found: dict[str, Blueprint]) -> None:
        entries = page.get("entries") if isinstance(page, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError("the answer is not a page of blueprints")
        for rep in entries:
            name = rep.get("name")
            if name in wanted and name not in found:  # first owner wins within a group
                found[name] = Blueprint.from_json(rep)

    def _map(self, fn: Callable[[Any], T], items: list[Any]) -> list[T]:
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(items))) as pool:
            return list(pool.map(fn, items))

    # -- the one write ------------------------------------------------------------------

    def set_specification_url(self, project: str, name: str, url: str) -> None:
        """PATCH the blueprint's ``specification_url`` (1 request), signed with the
        session's credentials. HTTP errors become a LaunchpadError with the status only."""
        from lazr.restfulclient.errors import HTTPError
        from lazr.uri import URI

        spec = f"{self._pillar_url(project)}/+spec/{check_name(name)}"
        what = f"setting the specification URL of {project}/{name}"
        with self._lp_lock, self._errors(what):
            try:
                # The Browser is launchpadlib's own: OAuth-signed, no extra GET first.
                self.lp._browser.patch(URI(spec), {"specification_url": url}, {})
            except HTTPError as exc:
                if getattr(exc.response, "status", None) != 400:
                    raise
                # Launchpad says what it refused (another blueprint has the URL, say);
                # the body of a 400 to a PATCH is its validation message.
                raise RefusedError(
                    f"{self.where}: {what}: HTTP 400 Bad Request: {_plain(exc.content)}"
                ) from None

    # -- people and milestones ---------------------------------------------------------

    def display_name(self, person: str) -> str | None:
        """The person's (or team's) display name; None if Launchpad has no such person.
        One request per distinct person for the session's lifetime; thread-safe."""
        check_name(person, "person")
        with self._people_lock:
            if person in self._people:
                return self._people[person]
            lock = self._people_locks.setdefault(person, threading.Lock())
        with lock:  # a second thread asking for the same person waits for the first
            with self._people_lock:
                if person in self._people:
                    return self._people[person]
            what = f"person {person}"
            rep = self._get_json(f"{self.api}~{person}", what)
            value = rep.get("display_name") if isinstance(rep, dict) else None
            if rep is not None and not isinstance(value, str):
                raise LaunchpadError(f"{self.where}: {what}: the answer has no display name")
            if value is not None and not is_text(value):
                raise LaunchpadError(
                    f"{self.where}: {what}: field 'display_name' is not "
                    "valid Unicode text (it holds a lone surrogate)"
                )
            with self._people_lock:
                self._people[person] = value
            return value

    def display_names(self, people: Iterable[str]) -> dict[str, str | None]:
        """Display names of ``people``, fetched concurrently, each person once."""
        unique = list(dict.fromkeys(people))
        return dict(zip(unique, self._map(self.display_name, unique), strict=True))

    def milestone_series(self, project: str, milestone: str) -> str | None:
        """The name of the series ``milestone`` of ``project`` belongs to (1 request);
        None if there is no such milestone."""
        check_name(milestone, "milestone")
        url = f"{self._pillar_url(project)}/+milestone/{milestone}"
        rep = self._get_json(url, f"milestone {project}/{milestone}")
        if not isinstance(rep, dict):
            return None
        return last_segment(rep.get("series_target_link"))

    def milestone_series_all(self, project: str) -> dict[str, str | None]:
        """Every milestone of ``project`` with its series name, from the project's
        ``all_milestones`` listing (ceil(total / 300) requests)."""
        found: dict[str, str | None] = {}
        url = f"{self._pillar_url(project)}/all_milestones"
        for rep in self._listing(url, f"all_milestones of {project}") or ():
            name = rep.get("name")
            series = last_segment(rep.get("series_target_link"))
            if not isinstance(name, str) or not is_valid_name(name):
                raise LaunchpadError(
                    f"{self.where}: all_milestones of {project}: "
                    f"milestone name {name!r} is not a valid Launchpad name"
                )
            if series is not None and not is_valid_name(series):
                raise LaunchpadError(
                    f"{self.where}: all_milestones of {project}: "
                    f"series name {series!r} is not a valid Launchpad name"
                )
            found[name] = series
        return found

    # -- pillars and series --------------------------------------------------------------

    def pillar_kind(self, pillar: str) -> str | None:
        """ "project" or "project_group" (1 request); None when there is neither."""
        rep = self._get_json(self._pillar_url(pillar), f"pillar {pillar}")
        if rep is None:
            return None
        kind = str(rep.get("resource_type_link", "")).rsplit("#", 1)[-1]
        if kind not in ("project", "project_group"):
            raise LaunchpadError(
                f"{self.where}: pillar {pillar}: neither a project "
                f"nor a project group ({kind or 'no type'})"
            )
        return kind

    def group_projects(self, group: str) -> list[str]:
        """The names of a project group's member projects (its ``projects`` listing)."""
        what = f"projects of {group}"
        names = []
        for rep in self._listing(f"{self._pillar_url(group)}/projects", what) or ():
            name = rep.get("name")
            if not isinstance(name, str) or not is_valid_name(name):
                raise LaunchpadError(f"{self.where}: {what}: {name!r} is not a valid name")
            names.append(name)
        return names

    def series_specifications(self, project: str, series: str) -> list[Blueprint] | None:
        """The blueprints targeted to ``series`` of ``project`` (the series'
        ``valid_specifications``: an accepted goal, not Obsolete or Superseded);
        None when the project has no such series. ceil(total / 300) requests."""
        url = f"{self._pillar_url(project)}/{check_name(series, 'series')}/valid_specifications"
        what = f"valid_specifications of {project} {series}"
        entries = self._listing(url, what)
        if entries is None:
            return None
        with self._errors(what):
            return [Blueprint.from_json(rep) for rep in entries]

    def _listing(self, url: str, what: str) -> list[dict[str, Any]] | None:
        """Every entry of a collection, page after page (``ws.size=300``); None for a
        404 on the first page."""
        entries: list[dict[str, Any]] = []
        next_url: str | None = f"{url}?{urlencode({'ws.size': BATCH_SIZE})}"
        with self._errors(what):
            while next_url:
                page = self._get_json(next_url, what)
                if page is None:
                    if not entries:
                        return None
                    raise ValueError("a page of the listing vanished")
                found = page.get("entries") if isinstance(page, dict) else None
                if not isinstance(found, list) or not all(isinstance(e, dict) for e in found):
                    raise ValueError("the answer is not a page of entries")
                entries += found
                nxt = page.get("next_collection_link")
                next_url = nxt if isinstance(nxt, str) else None
        return entries


_GROUP = object()


def _plain(content: bytes | str | None) -> str:
    """A server message as one short line of text (its HTML tags dropped)."""
    import re

    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content or ""
    text = " ".join(re.sub(r"<[^>]*>", "", text).split())
    return text[:200] or "(no reason given)"


def _entry_json(entry: Any) -> dict[str, Any]:
    """The JSON an Entry was built from: read fields by name without extra requests."""
    return {n: getattr(entry, n) for n in BLUEPRINT_TEXT}


# -- opening a session ------------------------------------------------------------------


@contextmanager
def open_launchpad(
    service_root: str | os.PathLike[str],
    cache_dir: Path | None = None,
    timeout: float = 30.0,
    credentials: Path | Any = None,
) -> Iterator[LaunchpadSession]:
    """Log in (2 requests on a cold cache) and yield a session: anonymously, or with
    a launchpadlib ``credentials`` file or the ``Credentials`` read from one
    (``load_credentials``; only ``push`` does, to write).

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
            _open_root(sandbox.service_root, cache_dir, timeout, credentials, where) as session,
        ):
            yield session
        return
    with _open_root(service_root, cache_dir, timeout, credentials) as session:
        yield session


@contextmanager
def _open_root(
    service_root: str,
    cache_dir: Path | None,
    timeout: float,
    credentials: Path | None,
    where: str | None = None,
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
    proxy_info = proxy_kw.get("proxy_info", _default_proxy_info())
    yield LaunchpadSession(lp, root, timeout, proxy_info, where)


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
