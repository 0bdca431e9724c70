"""``LaunchpadSession``: the reads (blueprints, people, milestones, pillars) and
``push``'s one write, over one service root."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode, urlsplit

from lpsync.blueprint import BLUEPRINT_TEXT, Blueprint, is_text, last_segment
from lpsync.errors import LaunchpadError, NotFoundError, RefusedError
from lpsync.launchpad.errors import _IsGroup, _plain, _translate
from lpsync.launchpad.roots import CONSUMER, VERSION
from lpsync.names import check_name, is_valid_name

BATCH_SIZE = 300  # what we ask for; the server may answer with smaller pages


MAX_WORKERS = 16


T = TypeVar("T")


class SessionFactory(Protocol):
    """Opens a session on first call (the CLI's: so checks that fail early cost no
    request) and returns that one afterwards. ``background=True``: the login's requests
    go on in a thread while the caller works; the session waits for them on first use."""

    def __call__(self, *, background: bool = False) -> LaunchpadSession: ...


@dataclass(frozen=True)
class Answered:
    """What a session's bulk reads told their callers (for ``lpsync record``).

    ``blueprints``: per pillar asked, each name's Blueprint or None; None for a pillar
    that does not exist. ``people``: display names looked up. ``groups``: pillars known
    to be project groups."""

    blueprints: dict[str, dict[str, Blueprint | None] | None]
    people: dict[str, str | None]
    groups: frozenset[str]


class LaunchpadSession:
    """Read access to blueprints, people and milestones on one service root.

    Methods may be called from several threads: launchpadlib calls are serialised by a
    lock and the JSON reads use one connection per thread.

    ``lp`` is the logged-in launchpadlib client, or a Future of it while the login is
    still under way (``open_launchpad(background=True)``): every read then waits for
    the login (an anonymous one's JSON reads only for their answer) and raises its
    failure, as opening the session would have.
    """

    def __init__(
        self,
        lp: Any,
        service_root: str,
        timeout: float,
        proxy_info: Any,
        where: str | None = None,
        early_http: Callable[[], Any] | None = None,
    ) -> None:
        self._login: Future[Any] | None = lp if isinstance(lp, Future) else None
        self._lp = None if self._login is not None else lp
        # While the login is under way, JSON reads may already go out through this
        # (anonymous sessions): their answers count only once the login has succeeded.
        self._early_http = early_http
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

    @property
    def lp(self) -> Any:
        """The launchpadlib client, once logged in (LaunchpadError if the login failed)."""
        if self._lp is None:
            assert self._login is not None
            self._lp = self._login.result()
        return self._lp

    def logged_in(self) -> None:
        """Wait for a login under way; raise its failure (LaunchpadError)."""
        _ = self.lp

    def _errors(self, what: str) -> Any:
        return _translate(self.where, self.timeout, what)

    def _http(self) -> Any:
        conn = getattr(self._local, "http", None)
        if conn is None:
            if self._lp is None and self._early_http is not None:
                conn = self._early_http()
            else:
                # The client's own HTTP class (OAuth-signed like every launchpadlib
                # request), one per thread, without the on-disk cache (not thread-safe).
                lp = self.lp
                conn = lp.httpFactory(lp.credentials, None, self.timeout, self._proxy_info)
            self._local.http = conn
        return conn

    def _get_json(self, url: str, what: str, group_check: bool = False) -> Any | None:
        """GET ``url`` as JSON; None for a 404. Raises LaunchpadError otherwise, or
        _IsGroup (with ``group_check``) for a group's 400 to getSpecification."""
        path = urlsplit(url).path
        with self._errors(f"{what} ({path})"):
            http = self._http()  # may wait for a login under way, holding no request slot
            try:
                # 502/503 are retried within the session's budget by the HTTP class.
                with self._in_flight:
                    response, content = http.request(
                        url, "GET", headers={"Accept": "application/json", "User-Agent": CONSUMER}
                    )
            finally:
                if self._login is not None:
                    self.logged_in()  # a failed login is what to tell, whatever came back
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


def _entry_json(entry: Any) -> dict[str, Any]:
    """The JSON an Entry was built from: read fields by name without extra requests."""
    return {n: getattr(entry, n) for n in BLUEPRINT_TEXT}
