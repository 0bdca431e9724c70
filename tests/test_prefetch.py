"""audit's early reads: the login and listing pages while the specs are read, pages
handed over as they arrive, people asked while the specs are still being read, and
never a request more than audit needs."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from lpsync.launchpad import Blueprint, LaunchpadSession, open_launchpad
from lpsync.prefetch import Prefetch
from lpsync.sandbox import RequestRecord, Sandbox


def test_each_listing_page_is_handed_over_as_it_arrives(make_model, tmp_path: Path) -> None:
    seen: list[dict[str, Blueprint]] = []
    lock = threading.Lock()

    def on_found(part: dict[str, Blueprint]) -> None:
        with lock:
            seen.append(part)

    with Sandbox.from_model(make_model(900)) as sb:
        with open_launchpad(sb.service_root, tmp_path, timeout=5) as session:
            sb.clear_requests()
            names = [f"spec-{i:04d}" for i in range(0, 900, 7)] + ["nope"]
            found = session.get_blueprints("big", names, on_found)
        assert len(sb.requests) == 3  # the same ceil(900 / 300) pages as without
    assert len(seen) == 3  # one hand-over a page, none empty
    merged = {name: bp for part in seen for name, bp in part.items()}
    assert merged == {name: bp for name, bp in found.items() if bp is not None}


def test_a_groups_answer_is_handed_over_only_at_the_end(lp_session, sandbox) -> None:
    # In a group the first owner of a name wins: a page alone cannot settle it.
    seen: list[dict[str, Blueprint]] = []
    found = lp_session.get_blueprints("oslo", ["yaml-source-driver"], seen.append)
    assert seen == [] and found["yaml-source-driver"] is not None


def test_prefetch_knows_a_blueprint_once_its_page_is_in(make_model, tmp_path: Path) -> None:
    with Sandbox.from_model(make_model(900)) as sb:
        sb.add_fault("ws.start=600", latency=0.5)  # the last page is slow
        with open_launchpad(sb.service_root, tmp_path, timeout=5) as session:
            with Prefetch(session) as net:
                net.start_listings({"big": {"spec-0001", "spec-0899", "nope"}})
                net.wait_listing("nope-project")  # nothing started: returns at once
                for _ in range(200):  # the first page arrives long before the last
                    if net.known("big", "spec-0001")[0]:
                        break
                    threading.Event().wait(0.01)
                assert net.known("big", "spec-0001")[1] is not None
                assert net.known("big", "spec-0899") == (False, None)  # still on its way
                found, missing = net.blueprints({"big": {"spec-0001", "spec-0899", "nope"}})
                assert net.known("big", "nope") == (True, None)
            assert missing == set() and found[("big", "nope")] is None
            assert found[("big", "spec-0899")] is not None


def test_at_most_sixteen_requests_are_in_flight(make_model, tmp_path: Path) -> None:
    with Sandbox.from_model(make_model(10, people=80)) as sb:
        sb.add_fault("~dev", latency=0.05)
        with open_launchpad(sb.service_root, tmp_path, timeout=5) as session:
            active = peak = 0
            lock = threading.Lock()
            real = session._http

            class Counting:
                def __init__(self, http: object) -> None:
                    self.http = http

                def request(self, *args: object, **kwargs: object) -> object:
                    nonlocal active, peak
                    with lock:
                        active += 1
                        peak = max(peak, active)
                    try:
                        return self.http.request(*args, **kwargs)  # type: ignore[attr-defined]
                    finally:
                        with lock:
                            active -= 1

            session._http = lambda: Counting(real())  # type: ignore[method-assign]
            # Two pools of 16 threads at once (audit's, and say a listing's fan-out):
            # the session still lets only 16 requests out.
            with Prefetch(session) as one, Prefetch(session) as two:
                for i in range(40):
                    one.person(f"dev{i}")
                    two.person(f"dev{40 + i}")
                one.people_done()
                two.people_done()
    assert 8 < peak <= 16


def test_a_spec_whose_person_is_needed_is_read_as_soon_as_its_blueprint_is_known(
    make_model, tmp_path: Path
) -> None:
    # The last file names its assignee by another id (no display-name look to go by):
    # once the listing tells its blueprint, it is read next and its person asked for,
    # not after every other spec.
    from helpers_audit import bp_url, make_repo, spec

    from lpsync.audit import READING, run_audit
    from lpsync.config import load_config

    n = 60
    files = {"setup.cfg": "[lpsync]\nproject = big\n"}
    for i in range(n):
        name = f"spec-{i:04d}"
        written = "dev2" if i == n - 1 else f"dev{i % 5}"  # spec-0059's is dev4
        milestone = "m1" if i % 2 else None
        files[f"specs/zed/{name}.rst"] = spec(f"Spec {i}", bp_url("big", name), written, milestone)
    repo = make_repo(tmp_path / "repo", files)
    with Sandbox.from_model(make_model(n)) as sb:
        with open_launchpad(sb.service_root, tmp_path / "cache", timeout=5) as session:
            sb.clear_requests()
            asked_before_last: list[bool] = []

            def progress(stage: str, done: int, total: int) -> None:
                if stage != READING:
                    return
                if done == 1:  # let the listing come in while the first spec is "read"
                    for _ in range(500):
                        if any("all_specifications" in r.path for r in sb.requests):
                            break
                        threading.Event().wait(0.01)
                    threading.Event().wait(0.2)  # and be handed over
                if done == total - 1:
                    for _ in range(500):
                        if any(r.path == "/devel/~dev4" for r in sb.requests):
                            break
                        threading.Event().wait(0.01)
                    asked_before_last.append(any(r.path == "/devel/~dev4" for r in sb.requests))

            result = run_audit(repo, load_config(repo), session, progress=progress)
        people = [r.path for r in sb.requests if r.path.startswith("/devel/~")]
    assert asked_before_last == [True]
    assert people == ["/devel/~dev4"]  # only the person audit needs
    assert [f.code for f in result.findings] == ["LPS401"]


# -- the login overlaps the reading -------------------------------------------------


def _specs_repo(tmp_path: Path, n: int) -> Path:
    """``n`` specs of project ``big`` (make_model's), some naming their assignee by
    display name so that audit asks for people too."""
    from helpers_audit import bp_url, make_repo, spec

    files = {"setup.cfg": "[lpsync]\nproject = big\n", "specs/zed/.keep": ""}
    for i in range(n):
        name = f"spec-{i:04d}"
        assignee = f"Developer {i % 5}" if i % 2 else f"dev{i % 5}"
        milestone = "m1" if i % 2 else None
        files[f"specs/zed/{name}.rst"] = spec(f"Spec {i}", bp_url("big", name), assignee, milestone)
    return make_repo(tmp_path / "repo", files)


class _HeldLogin:
    """An ``on_request`` hook that holds the login's first request (the WADL) in the
    stand-in until ``release`` is set, and records whether it was: a login that audit
    waited for before reading a spec is still held when the bound runs out."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.released: list[bool] = []

    def __call__(self, record: RequestRecord) -> None:
        if record.path == "/devel/" and not self.released:
            self.released.append(self.release.wait(timeout=10))
        elif record.path.endswith("/all_specifications") and self.on_listing:
            self.release.set()

    on_listing = False  # release the login once a listing page is asked for


def test_audit_logs_in_while_it_reads_the_specs(make_model, tmp_path: Path) -> None:
    from lpsync.audit import READING, run_audit
    from lpsync.config import load_config

    repo = _specs_repo(tmp_path, 20)
    held = _HeldLogin()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == READING:
            held.release.set()  # a spec has been read (docutils) while the login is held

    with Sandbox(data=make_model(20), on_request=held) as sb, ExitStack() as stack:

        def session(*, background: bool = False) -> LaunchpadSession:
            opened = open_launchpad(sb.service_root, tmp_path / "c", 5, background=background)
            return stack.enter_context(opened)

        result = run_audit(repo, load_config(repo), session, progress=progress)
        overlapped = [(r.path, r.query) for r in sb.requests]
        sb.clear_requests()
        with open_launchpad(sb.service_root, tmp_path / "c2", timeout=5) as logged_in:
            again = run_audit(repo, load_config(repo), logged_in)
        sequential = [(r.path, r.query) for r in sb.requests]
    assert held.released == [True]
    assert result.checked == 20 and result.errors == []
    assert result.findings == again.findings
    # The very requests of an audit on a session logged in beforehand, login included.
    assert sorted(overlapped) == sorted(sequential)
    assert sum(path.startswith("/devel/~") for path, _q in overlapped) == 5


def test_an_anonymous_audit_asks_for_its_listing_while_it_logs_in(
    make_model, tmp_path: Path
) -> None:
    # The first listing page needs no login (the anonymous token is no secret): it
    # goes out as soon as the specs' links are scanned; its answer counts once the
    # login has succeeded.
    from lpsync.audit import run_audit
    from lpsync.config import load_config

    repo = _specs_repo(tmp_path, 20)
    held = _HeldLogin()
    held.on_listing = True
    with Sandbox(data=make_model(20), on_request=held) as sb, ExitStack() as stack:

        def session(*, background: bool = False) -> LaunchpadSession:
            opened = open_launchpad(sb.service_root, tmp_path / "c", 5, background=background)
            return stack.enter_context(opened)

        result = run_audit(repo, load_config(repo), session)
        paths = [r.path for r in sb.requests]
    assert held.released == [True]
    # The listing goes out before the login is done: before its second request (the
    # WADL may be asked for first, or the listing may even beat it out of the door).
    login = [i for i, p in enumerate(paths) if p == "/devel/"]
    assert len(login) == 2 and paths.index("/devel/big/all_specifications") < login[1]
    assert result.checked == 20


def test_the_audit_command_logs_in_while_it_reads_the_specs(
    make_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from lpsync.audit import read
    from lpsync.cli import app

    repo = _specs_repo(tmp_path, 20)
    held = _HeldLogin()
    real = read._read

    def reading(*args: Any, **kwargs: Any) -> Any:  # a spy: the real read, noted
        held.release.set()
        return real(*args, **kwargs)

    monkeypatch.setattr(read, "_read", reading)
    with Sandbox(data=make_model(20), on_request=held) as sb:
        args = ["--service-root", sb.service_root, "--cache-dir", str(tmp_path / "c")]
        result = CliRunner().invoke(app, [*args, "audit", "--repo", str(repo)])
    assert held.released == [True]
    assert result.exit_code == 0, result.output
    assert "20 specs" in result.stdout


@pytest.mark.parametrize("specs", [20, 0])
def test_a_login_that_fails_while_the_specs_are_read_fails_audit_as_before(
    make_model, tmp_path: Path, specs: int
) -> None:
    # The same one line and exit 3 as when the login came first; with no spec to
    # look up, too (nothing then waits for the session).
    from typer.testing import CliRunner

    from lpsync.cli import app

    repo = _specs_repo(tmp_path, specs)
    with Sandbox(data=make_model(20)) as sb:
        sb.add_fault("^/devel/$", status=404)
        args = ["--service-root", sb.service_root, "--cache-dir", str(tmp_path / "c")]
        result = CliRunner().invoke(app, [*args, "audit", "--repo", str(repo)])
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"lpsync: error: Launchpad {sb.service_root}: logging in: HTTP 404 Not Found\n"
    )


def test_when_launchpad_is_not_there_audit_says_so_about_the_login(tmp_path: Path) -> None:
    # The early listing fails too, but the login's failure is the one told.
    import socket

    from typer.testing import CliRunner

    from lpsync.cli import app

    repo = _specs_repo(tmp_path, 20)
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        root = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    args = ["--service-root", root, "--cache-dir", str(tmp_path / "c"), "--timeout", "5"]
    result = CliRunner().invoke(app, [*args, "audit", "--repo", str(repo)])
    assert result.exit_code == 3, result.output
    assert result.stderr == f"lpsync: error: Launchpad {root}: logging in: connection refused\n"
