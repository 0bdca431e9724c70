"""lpsync.launchpad against the stand-in over real HTTP (launchpadlib is never mocked)."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

import pytest

from lpsync.errors import InvalidNameError, LaunchpadError, NotFoundError, UsageError
from lpsync.launchpad import (
    Blueprint,
    LaunchpadSession,
    default_cache_dir,
    open_launchpad,
    resolve_service_root,
)
from lpsync.sandbox import Sandbox

# -- configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("production", "https://api.launchpad.net/"),
        ("staging", "https://api.staging.launchpad.net/"),
        ("qastaging", "https://api.qastaging.launchpad.net/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://127.0.0.1:8080/devel/", "http://127.0.0.1:8080/"),
        ("https://lp.example/api/1.0", "https://lp.example/api/"),
    ],
)
def test_resolve_service_root(given: str, expected: str) -> None:
    assert resolve_service_root(given) == expected


@pytest.mark.parametrize("bad", ["launchpad", "ftp://x/", "http://", "http://h/?x=1"])
def test_resolve_service_root_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        resolve_service_root(bad)


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "lpsync"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/x")
    assert default_cache_dir() == Path("/home/x/.cache/lpsync")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert default_cache_dir() == tmp_path / f"lpsync-cache-{os.getuid()}"


@pytest.fixture
def no_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No $HOME nor $XDG_CACHE_HOME; the temp dir is ``tmp_path``. Returns the fallback."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path / f"lpsync-cache-{os.getuid()}"


def test_the_cache_fallback_without_home_is_private(no_home: Path) -> None:
    umask = os.umask(0o022)  # a usual umask: 0755 unless asked otherwise
    try:
        assert default_cache_dir() == no_home
    finally:
        os.umask(umask)
    assert stat.S_IMODE(no_home.stat().st_mode) == 0o700
    no_home.chmod(0o755)  # an earlier lpsync's, too open: made private again
    default_cache_dir()
    assert stat.S_IMODE(no_home.stat().st_mode) == 0o700


def test_a_cache_fallback_owned_by_another_user_is_refused(no_home: Path) -> None:
    if os.getuid() == 0:
        no_home.mkdir(mode=0o700)
        os.chown(no_home, 65534, 65534)  # nobody's
        expected = "owned by another user (uid 65534)"
    else:
        # Without root, another user's directory is one this user did not make: a
        # link planted to a directory someone else owns stands for it.
        no_home.symlink_to("/")
        expected = "not a directory (a symbolic link or a file)"
    with pytest.raises(UsageError, match=re.escape(expected)):
        default_cache_dir()


# -- login and single look-ups -------------------------------------------------------------


def test_login_is_two_requests_and_ignores_proxy(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that does not exist: loopback service roots must not use it.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9/")
    with open_launchpad(sandbox.service_root, tmp_path, timeout=5) as session:
        assert len(sandbox.requests) == 2
        assert session.get_blueprint("nova", "vnc-console-tls") is not None
    assert (tmp_path / sandbox.service_root.split("//")[1].rstrip("/")).is_dir()


def test_pull_costs_three_requests(sandbox: Sandbox, tmp_path: Path) -> None:
    with open_launchpad(sandbox.service_root, tmp_path, timeout=5) as session:
        bp = session.get_blueprint("nova", "unified-limits-nova")
        assert len(sandbox.requests) == 3
        assert session.milestone_series("nova", bp.milestone) == "antelope"
        assert len(sandbox.requests) == 4
    assert bp == Blueprint(
        project="nova",
        name="unified-limits-nova",
        title="Use unified limits for quota in nova",
        web_link="https://blueprints.launchpad.net/nova/+spec/unified-limits-nova",
        assignee="bob-nguyen",
        milestone="antelope-1",
        milestone_link=f"{sandbox.service_root}devel/nova/+milestone/antelope-1",
        definition_status="Approved",
        implementation_status="Good progress",
        lifecycle_status="Started",
    )


def test_get_blueprint_missing_and_unknown_project(lp_session, sandbox) -> None:
    bp = lp_session.get_blueprint("nova", "vnc-console-tls")
    assert bp.assignee is None and bp.milestone is None and bp.milestone_link is None
    assert lp_session.get_blueprint("nova", "no-such-blueprint") is None
    with pytest.raises(NotFoundError, match="'no-such-project' does not exist"):
        lp_session.get_blueprint("no-such-project", "x")
    with pytest.raises(InvalidNameError):
        lp_session.get_blueprint("nova", "../etc")
    assert len(sandbox.requests) == 3


def test_get_blueprint_in_a_group(lp_session, sandbox) -> None:
    bp = lp_session.get_blueprint("oslo", "yaml-source-driver")
    assert bp.project == "oslo.config"
    assert bp.web_link == "https://blueprints.launchpad.net/oslo.config/+spec/yaml-source-driver"
    # The 400 from getSpecification, then one page of the group's listing.
    assert [r.status for r in sandbox.requests] == [400, 200]
    sandbox.clear_requests()
    assert lp_session.get_blueprint("oslo", "kafka-driver-refresh").project == "oslo.messaging"
    assert lp_session.get_blueprint("oslo", "nope") is None
    assert len(sandbox.requests) == 2  # the group is remembered: one page each


def test_open_launchpad_on_a_data_directory(fixtures_dir: Path, tmp_path: Path) -> None:
    with open_launchpad(str(fixtures_dir), tmp_path, timeout=5) as session:
        assert session.service_root.startswith("http://127.0.0.1:")
        assert session.display_name("grace-o") == "Grace Okafor"


# -- bulk ---------------------------------------------------------------------------------


def test_get_blueprints_reads_pages(make_model, tmp_path: Path) -> None:
    with Sandbox.from_model(make_model(900)) as sb:
        with open_launchpad(sb.service_root, tmp_path, timeout=5) as session:
            names = [f"spec-{i:04d}" for i in range(0, 900, 7)] + ["nope"]
            found = session.get_blueprints("big", names)
        assert len(sb.requests) == 2 + 3  # login + ceil(900 / 300) pages
        assert all(r.status == 200 for r in sb.requests)
        assert found["nope"] is None
        assert found["spec-0007"].assignee == "dev2" and found["spec-0007"].milestone == "m1"
        assert found["spec-0000"].assignee is None and found["spec-0000"].milestone is None
        assert sum(bp is not None for bp in found.values()) == len(names) - 1


def test_get_blueprints_prefers_single_lookups_when_cheaper(make_model, tmp_path) -> None:
    with Sandbox.from_model(make_model(1500)) as sb:
        with open_launchpad(sb.service_root, tmp_path, timeout=5) as session:
            sb.clear_requests()
            # spec-1499 sorts last: 1 page, then 2 look-ups instead of 4 more pages.
            found = session.get_blueprints("big", ["spec-0001", "spec-1499", "nope"])
        queries = [r.query for r in sb.requests]
        assert len(queries) == 3 and sum("getSpecification" in q for q in queries) == 2
        assert found["spec-1499"].title == "Spec 1499" and found["nope"] is None


def test_get_blueprints_in_a_group_and_unknown_project(lp_session, sandbox) -> None:
    found = lp_session.get_blueprints(
        "oslo", ["yaml-source-driver", "rabbit-quorum-queues", "missing", "yaml-source-driver"]
    )
    assert list(found) == ["yaml-source-driver", "rabbit-quorum-queues", "missing"]
    assert found["rabbit-quorum-queues"].project == "oslo.messaging"
    assert found["missing"] is None
    assert len(sandbox.requests) == 1
    assert lp_session.get_blueprints("nova", []) == {}
    with pytest.raises(NotFoundError):
        lp_session.get_blueprints("no-such-project", ["a", "b"])


def test_display_names_once_per_person(lp_session, sandbox) -> None:
    people = ["alice-k", "ines", "alice-k", "nova-drivers", "nobody-here", "ines"]
    names = lp_session.display_names(people)
    assert names == {
        "alice-k": "Alice Kowalski",
        "ines": "Inês Duarte",
        "nova-drivers": "Nova Drivers",
        "nobody-here": None,
    }
    assert sorted(r.path for r in sandbox.requests) == [
        "/devel/~alice-k",
        "/devel/~ines",
        "/devel/~nobody-here",
        "/devel/~nova-drivers",
    ]
    sandbox.clear_requests()
    assert lp_session.display_name("ines") == "Inês Duarte"
    assert lp_session.display_names(["alice-k", "nobody-here"])["nobody-here"] is None
    assert sandbox.requests == []


def test_milestone_series(lp_session, sandbox) -> None:
    assert lp_session.milestone_series("oslo.config", "zed-3") == "zed"
    assert lp_session.milestone_series("nova", "no-such-milestone") is None
    assert len(sandbox.requests) == 2


# -- failures ----------------------------------------------------------------------------

TIMEOUT = 1.0
FAULTS = {
    "latency": {"latency": 3.0},
    "status500": {"status": 500},
    "hang": {"hang": True},
    "drop": {"drop": True},
    "malformed": {"malformed": True},
    # Headers at once, then the body a byte at a time: each wait for a byte is short,
    # so only a deadline over the whole response ends it.
    "trickle": {"trickle": 0.3},
    # launchpadlib alone retries these for 31 s: the session's budget is --timeout.
    "status502": {"status": 502},
}
EXPECTED = {
    "latency": "timed out",
    "status500": "HTTP 500",
    "hang": "timed out",
    "drop": "connection closed",
    "malformed": "not valid",
    "trickle": "timed out",
    "status502": f"HTTP 502 Bad Gateway, still after {TIMEOUT:g} s of retries",
}


def _check(info: pytest.ExceptionInfo, kind: str, sb: Sandbox, began: float) -> None:
    message = str(info.value)
    assert type(info.value) is LaunchpadError
    assert "\n" not in message and "Traceback" not in message
    assert sb.service_root in message
    assert EXPECTED[kind] in message, message
    assert time.monotonic() - began < TIMEOUT * 2 + 1.5


@pytest.mark.parametrize("kind", list(FAULTS))
def test_faults_on_get_specification(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    with open_launchpad(sandbox.service_root, tmp_path, timeout=TIMEOUT) as session:
        sandbox.add_fault("ws.op=getSpecification", **FAULTS[kind])
        began = time.monotonic()
        with pytest.raises(LaunchpadError) as info:
            session.get_blueprint("nova", "ironic-shards")
    _check(info, kind, sandbox, began)
    assert "getSpecification nova/ironic-shards" in str(info.value)


@pytest.mark.parametrize("kind", ["status500", "drop", "malformed", "hang", "trickle", "status502"])
def test_faults_on_listing_and_people(kind: str, sandbox: Sandbox, tmp_path: Path) -> None:
    with open_launchpad(sandbox.service_root, tmp_path, timeout=TIMEOUT) as session:
        sandbox.add_fault("all_specifications|~", **FAULTS[kind])
        began = time.monotonic()
        with pytest.raises(LaunchpadError) as info:
            session.get_blueprints("nova", ["ironic-shards", "vnc-console-tls"])
        _check(info, kind, sandbox, began)
        assert "/devel/nova/all_specifications" in str(info.value)
        if kind != "hang":
            with pytest.raises(LaunchpadError, match="person alice-k"):
                session.display_names(["alice-k", "ines"])


@pytest.mark.parametrize(
    ("kind", "fault"),
    [("status500", {"status": 404}), ("drop", {}), ("trickle", {}), ("status502", {})],
)
def test_faults_on_login(kind: str, fault: dict, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.add_fault("^/devel/$", **(fault or FAULTS[kind]))
    began = time.monotonic()
    with (
        pytest.raises(LaunchpadError) as info,
        open_launchpad(sandbox.service_root, tmp_path, timeout=TIMEOUT),
    ):
        pass
    assert "logging in" in str(info.value)
    if kind == "status500":
        assert "HTTP 404" in str(info.value)
    else:
        _check(info, kind, sandbox, began)


def test_connection_refused(tmp_path: Path, fixtures_dir: Path) -> None:
    sb = Sandbox(fixtures_dir).start()
    root = sb.service_root
    sb.stop()
    with (
        pytest.raises(LaunchpadError, match="connection refused"),
        open_launchpad(root, tmp_path, timeout=TIMEOUT),
    ):
        pass


def test_bulk_lookup_of_one_name_in_a_group_costs_one_listing_page(
    lp_session: LaunchpadSession, sandbox: Sandbox
) -> None:
    # No getSpecification that a group would answer with 400: the listing serves both.
    sandbox.clear_requests()
    found = lp_session.get_blueprints("oslo", ["rabbit-quorum-queues"])
    assert found["rabbit-quorum-queues"].project == "oslo.messaging"
    assert [r.path for r in sandbox.requests] == ["/devel/oslo/all_specifications"]


@pytest.mark.parametrize(
    "root",
    [
        "http://user:s3cret@127.0.0.1:1/",
        "https://s3cret@lp.example/",
        "http://user:s3cret@127.0.0.1:bad/",  # invalid port: refused for the password first
        "ftp://user:s3cret@lp.example/",
        "user:s3cret@lp.example",
    ],
)
def test_a_service_root_with_credentials_is_refused_and_never_printed(
    root: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from lpsync.cli import app

    result = CliRunner().invoke(
        app, ["pull", "nova/x", "--repo", str(tmp_path), "--service-root", root, "--no-commit"]
    )
    assert result.exit_code == 2, result.output
    assert "s3cret" not in result.output
    assert result.stderr.count("\n") == 1
    assert "***@" in result.stderr
    assert "a user name or password in the URL is not supported" in result.stderr


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>Launchpad</title></head><body>Sign in</body></html>",
        b"<!DOCTYPE html>\n<html><body><p>Welcome<br></body></html>",  # not even XML
    ],
    ids=["xhtml", "html"],
)
def test_a_web_page_at_the_service_root_is_named_as_such(
    page: bytes, sandbox: Sandbox, tmp_path: Path
) -> None:
    # A web server (or Launchpad's own web UI) answering 200 with a page, where the
    # web service should describe itself.
    sandbox.add_fault("^/devel/$", body=page, content_type="text/html; charset=UTF-8")
    with (
        pytest.raises(LaunchpadError) as info,
        open_launchpad(sandbox.service_root, tmp_path, timeout=TIMEOUT),
    ):
        pass
    message = str(info.value)
    assert message.startswith(f"Launchpad {sandbox.service_root}: logging in: ")
    assert "an HTML page (text/html), not a Launchpad web service description" in message
    assert "https://api.launchpad.net/" in message
    assert "\n" not in message and "attrib" not in message


@pytest.mark.parametrize(
    "root",
    [
        "http://127.0.0.1:1/?token=s3cret",
        "http://127.0.0.1:1/#s3cret",
        "http://127.0.0.1:1/devel?token=s3cret#more-s3cret",
        "http://user:pw@127.0.0.1:1/?token=s3cret",  # refused for the userinfo first
        "ftp://127.0.0.1:1/?token=s3cret",  # refused for the scheme
        "http://127.0.0.1:99999/?token=s3cret",  # refused for the port
    ],
)
def test_a_query_or_fragment_of_the_service_root_is_never_printed(
    root: str, tmp_path: Path, git_env: None
) -> None:
    import shutil

    from gitrepos import git
    from typer.testing import CliRunner

    from lpsync.cli import app

    repo = tmp_path / "demo"
    shutil.copytree(Path(__file__).parents[1] / "fixtures/demo-specs", repo)
    with open(repo / "setup.cfg", "a") as fh:  # push needs it before Launchpad
        fh.write("spec_url = https://specs.openstack.org/openstack/nova-specs/{path}\n")
    git(repo, "init", "-q", "-b", "master")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "demo")
    where = ["--repo", str(repo), "--cache-dir", str(tmp_path / "c")]
    commands = [
        ["audit"],
        ["pull", "nova/x"],
        ["move", "--dry-run"],
        ["status", "zed"],
        ["push", "nova/x", "--dry-run"],
        ["record", "--output", str(tmp_path / "rec")],
    ]
    runner = CliRunner()
    for args in commands:
        for env in ({}, {"LPSYNC_SERVICE_ROOT": root}):
            options = [] if env else ["--service-root", root]
            result = runner.invoke(app, [*args, *where, *options], env=env)
            output = result.output + result.stderr
            assert result.exit_code == 2, (args, output)
            assert "s3cret" not in output, (args, output)
            assert "service root" in output and "***" in output, (args, output)
