"""Audit's Launchpad reads, overlapped with reading the specs.

Reading 900 specs through docutils takes about as long as Launchpad needs to answer
everything audit asks (at 100 ms a request), so the two run side by side: the cheap
line scan of every spec's links starts the listings at once, and each person whose
display name is needed is asked for as soon as the spec and its blueprint are known.

One pool of ``POOL_SIZE`` = 16 threads runs these reads, and the session lets at
most ``launchpad.MAX_WORKERS`` = 16 requests be in flight at once, whoever asks (this
pool, or a listing fanning out over its remaining pages). Why 16: Launchpad publishes
no rate limit but answers a client that overloads its shared API servers with 503s,
so the bound is a fixed one lpsync already used for listing pages, never growing with
the repo; and at 100 ms a request, 16 in flight clear the ~90 display names of a
nova-sized audit in about 0.6 s, inside the time docutils takes to read the specs
that name them (8 would take 1.1 s and become the run's tail).
launchpadlib and httplib2 objects are not thread-safe: every task goes through
``LaunchpadSession``, whose JSON reads use one HTTP connection per worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from types import TracebackType
from typing import TYPE_CHECKING

from lpsync.errors import NotFoundError

if TYPE_CHECKING:
    from lpsync.launchpad import Blueprint, LaunchpadSession

POOL_SIZE = 16  # = launchpad.MAX_WORKERS: more threads would only wait

Listing = dict[str, "Blueprint | None"] | None  # None: no such project


class Prefetch:
    """Listings and people fetched in the background; answers wait for them."""

    def __init__(self, launchpad: LaunchpadSession) -> None:
        self.launchpad = launchpad
        self._pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="lpsync-lp")
        self._listings: dict[str, tuple[frozenset[str], Future[Listing]]] = {}
        self._people: dict[str, Future[str | None]] = {}
        # Blueprints of the listing pages in so far, per project (written by workers).
        self._arrived: dict[str, dict[str, Blueprint]] = {}
        self.news = 0  # bumped by every page that brings blueprints: a cheap "anything new?"

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # On a failure nothing more is worth asking: drop what has not started.
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)

    def _lookup(self, project: str, names: frozenset[str]) -> Listing:
        arrived = self._arrived.setdefault(project, {})

        def on_found(part: dict[str, Blueprint]) -> None:
            arrived.update(part)
            self.news += 1

        try:
            return self.launchpad.get_blueprints(project, sorted(names), on_found)
        except NotFoundError:
            return None

    def start_listings(self, wanted: dict[str, set[str]]) -> None:
        """Look the names up, one bulk read per project, starting now."""
        for project in sorted(wanted):
            names = frozenset(wanted[project])
            if names and project not in self._listings:
                self._listings[project] = (names, self._pool.submit(self._lookup, project, names))

    def known(self, project: str, name: str) -> tuple[bool, Blueprint | None]:
        """(True, blueprint or None) once the listing says; (False, None) while it
        has not (yet), or when it failed (``blueprints`` raises the failure)."""
        found = self._arrived.get(project, {}).get(name)
        if found is not None:
            return True, found
        entry = self._listings.get(project)
        if entry is None or not entry[1].done() or entry[1].exception() is not None:
            return False, None
        listing = entry[1].result()
        return True, listing.get(name) if listing else None

    def wait_listing(self, project: str) -> None:
        entry = self._listings.get(project)
        if entry is not None:
            wait([entry[1]])

    def person(self, name: str) -> None:
        """Ask for a display name now (the session memoises it for later)."""
        if name not in self._people:
            self._people[name] = self._pool.submit(self.launchpad.display_name, name)

    def _started(self) -> list[Future[Listing] | Future[str | None]]:
        return [*(future for _names, future in self._listings.values()), *self._people.values()]

    def counts(self) -> tuple[int, int]:
        """(reads finished, reads started): listings and display names."""
        started = self._started()
        return sum(future.done() for future in started), len(started)

    def wait_all(self, report: Callable[[int, int], None]) -> None:
        """Wait for every read started so far, calling ``report(done, started)`` as each
        finishes (failures too: ``blueprints`` and ``people_done`` raise them)."""
        started = self._started()
        done = sum(future.done() for future in started)
        report(done, len(started))
        for _future in as_completed([future for future in started if not future.done()]):
            done += 1
            report(done, len(started))

    def people_done(self) -> None:
        """Wait for the display names asked for; raise the first failure."""
        wait(self._people.values())
        for future in self._people.values():
            future.result()

    def blueprints(
        self, wanted: dict[str, set[str]]
    ) -> tuple[dict[tuple[str, str], Blueprint | None], set[str]]:
        """Every wanted name's Blueprint (None: no such blueprint), and the projects
        Launchpad does not have. Waits for the listings started; asks for any name the
        line scan did not foresee (it finds a superset, so normally none)."""
        later = {p: names for p, names in wanted.items() if p not in self._listings}
        for project, (asked, _future) in self._listings.items():
            extra = wanted.get(project, set()) - asked
            if extra:
                later[project] = extra
        extra_futures = {
            p: self._pool.submit(self._lookup, p, frozenset(n)) for p, n in later.items() if n
        }
        found: dict[tuple[str, str], Blueprint | None] = {}
        missing: set[str] = set()
        answers: Iterable[tuple[str, Future[Listing]]] = [
            *((p, f) for p, (_n, f) in self._listings.items() if p in wanted),
            *extra_futures.items(),
        ]
        for project, future in answers:
            got = future.result()
            if got is None:
                missing.add(project)
                continue
            for name, blueprint in got.items():
                if name in wanted[project]:
                    found[(project, name)] = blueprint
        return found, missing
