"""Shared fixtures: the Launchpad stand-in and clients talking to it over real HTTP.

* ``sandbox``: a :class:`lpsync.sandbox.Sandbox` serving ``fixtures/launchpad`` on a free
  loopback port for one test (stopped afterwards). ``sandbox.requests`` is its log.
* ``lp_client``: the real launchpadlib, logged in anonymously to ``sandbox`` (devel,
  no proxy, cache in ``tmp_path``). The login's 2 requests are cleared from the log.
* ``lp_session``: an :func:`lpsync.launchpad.open_launchpad` session on ``sandbox``
  (timeout 5 s), login requests cleared from the log.
* ``count_requests(sandbox)``: a context manager; ``with count_requests(sb) as log:``
  clears the log and, after the block, ``log.records`` / ``len(log)`` hold what the block
  sent.
* ``make_model(n_specs, ...)``: a generated in-memory data set (one project ``big``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lpsync.sandbox import RequestRecord, Sandbox, SandboxData

# Real git repos in temp dirs (the git_env fixture) for every test module.
pytest_plugins = ["gitrepos"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "launchpad"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(FIXTURES) as sb:
        yield sb


@pytest.fixture
def lp_client(sandbox: Sandbox, tmp_path: Path) -> Any:
    from launchpadlib.launchpad import Launchpad

    lp = Launchpad.login_anonymously(
        "lpsync-tests",
        service_root=sandbox.service_root,
        version="devel",
        launchpadlib_dir=str(tmp_path / "lpcache"),
        proxy_info=None,
        timeout=5,
    )
    sandbox.clear_requests()
    return lp


@pytest.fixture
def lp_session(sandbox: Sandbox, tmp_path: Path) -> Iterator[Any]:
    from lpsync.launchpad import open_launchpad

    with open_launchpad(sandbox.service_root, tmp_path / "lpcache", timeout=5) as session:
        sandbox.clear_requests()
        yield session


@dataclass
class RequestCount:
    records: list[RequestRecord] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)


@contextmanager
def _count_requests(sb: Sandbox) -> Iterator[RequestCount]:
    sb.clear_requests()
    counted = RequestCount()
    try:
        yield counted
    finally:
        counted.records = sb.requests


@pytest.fixture
def count_requests() -> Any:
    return _count_requests


def build_model(n_specs: int, *, people: int = 5, project: str = "big") -> SandboxData:
    """One project with ``n_specs`` blueprints ``spec-0000``…, cycling assignees."""
    data = SandboxData()
    for i in range(people):
        data.add_person(name=f"dev{i}", display_name=f"Developer {i}")
    data.add_project(name=project, display_name=project.title())
    data.add_series(project=project, name="main")
    data.add_milestone(project=project, name="m1", series="main")
    for i in range(n_specs):
        data.add_blueprint(
            project=project,
            name=f"spec-{i:04d}",
            title=f"Spec {i}",
            assignee=f"dev{i % people}" if i % 3 else None,
            milestone="m1" if i % 2 else None,
        )
    return data


@pytest.fixture
def make_model() -> Any:
    return build_model
