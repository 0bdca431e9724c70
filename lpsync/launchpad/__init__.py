"""The one module that talks to Launchpad.

Anonymous and read-only, always the ``devel`` web service (blueprint fields exist only
there). The one exception is ``push``: a session opened with a credentials file signs
its requests, and ``set_specification_url`` is its one write. launchpadlib is imported
lazily so ``lpsync --help`` never loads it.

Request costs (cold cache; see ``tests/test_launchpad.py``):

* ``open_launchpad``: 2 (WADL + service-root JSON); with ``background=True`` they go
  on in a thread and the session's first read waits for them (audit's overlap).
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


The package: ``roots`` (service roots, the cache dir), ``errors`` (failures as one
line), ``session`` (``LaunchpadSession``) and ``login`` (``open_launchpad``).
"""

from __future__ import annotations

from lpsync.blueprint import Blueprint
from lpsync.launchpad.login import load_credentials, open_launchpad
from lpsync.launchpad.roots import (
    SERVICE_ROOTS,
    default_cache_dir,
    redact_url,
    resolve_service_root,
)
from lpsync.launchpad.session import (
    BATCH_SIZE,
    MAX_WORKERS,
    Answered,
    LaunchpadSession,
    SessionFactory,
)

__all__ = [
    "BATCH_SIZE",
    "MAX_WORKERS",
    "SERVICE_ROOTS",
    "Answered",
    "Blueprint",
    "LaunchpadSession",
    "SessionFactory",
    "default_cache_dir",
    "load_credentials",
    "open_launchpad",
    "redact_url",
    "resolve_service_root",
]
