"""``lpsync push``: the blueprint's specification URL set to its spec's page, and
nothing else, signed with a credentials file; counted from the stand-in's log."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_audit import base_data, bp_url, git, make_repo, spec
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import RequestRecord, Sandbox

REVIEW = "https://review.opendev.org/c/openstack/nova-specs/+/923456"
KEY, SECRET = "spec-bot-key-7f3a", "spec-bot-secret-91c2"
PAGE = "https://specs.openstack.org/openstack/nova-specs/specs/zed/approved/{}.html"
CURRENT = {
    "in-step": PAGE.format("in-step"),
    "empty": None,
    "elsewhere": "https://wiki.openstack.org/wiki/Nova/Elsewhere",
    "stale-review": "https://review.opendev.org/c/openstack/nova-specs/+/912345",
}


@pytest.fixture
def launchpad() -> Iterator[Sandbox]:
    data = base_data()
    data.add_person(name="spec-bot", display_name="Spec Bot")
    data.add_token(person="spec-bot", key=KEY, secret=SECRET)
    for name, url in CURRENT.items():
        data.add_blueprint(
            project="nova", name=name, title=name.title(), specification_url=url, assignee="jdoe"
        )
    # Its spec is only proposed (test_a_review_of_an_unmerged_spec_is_kept).
    data.add_blueprint(project="nova", name="proposed", title="Proposed", specification_url=REVIEW)
    with Sandbox.from_model(data, page_size=2) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\n"
        "spec_url = https://specs.openstack.org/openstack/nova-specs/{path}\n",
    }
    for name in CURRENT:
        # "Jane Doe" makes audit look the assignee's display name up: a people read.
        files[f"specs/zed/approved/{name}.rst"] = spec(
            name.title(), bp_url("nova", name), "Jane Doe"
        )
    return make_repo(tmp_path / "repo", files)


@pytest.fixture
def creds(tmp_path: Path) -> Path:
    path = tmp_path / "lp-creds"
    path.write_text(
        "[1]\nconsumer_key = lpsync\nconsumer_secret = \n"
        f"access_token = {KEY}\naccess_secret = {SECRET}\n"
    )
    path.chmod(0o600)
    return path


def lpsync(server: Sandbox, tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["push", *args, "--service-root", server.service_root, "--cache-dir", str(tmp_path / "c")],
        env=env,
    )
    return result.exit_code, result.stdout, result.stderr


def writes(server: Sandbox) -> list[RequestRecord]:
    return [r for r in server.requests if r.method != "GET"]


def test_dry_run_prints_current_and_new_and_needs_no_credentials(
    launchpad: Sandbox, repo: Path, tmp_path: Path
) -> None:
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--dry-run")
    assert code == 0, err
    assert out.splitlines() == [
        f"nova/elsewhere: {CURRENT['elsewhere']} -> {PAGE.format('elsewhere')}",
        f"nova/empty: (none) -> {PAGE.format('empty')}",
        f"nova/in-step: up to date: {PAGE.format('in-step')}",
        f"nova/stale-review: {CURRENT['stale-review']} -> {PAGE.format('stale-review')}",
        "lpsync push: 4 blueprints, 3 to write, 1 up to date (dry run)",
    ]
    assert writes(launchpad) == []
    # Audit's bulk reads: login (2), one listing page (ws.size=300), one person.
    assert [r.path for r in launchpad.requests] == [
        "/devel/",
        "/devel/",
        "/devel/nova/all_specifications",
        "/devel/~jdoe",
    ]


def test_a_url_from_launchpad_cannot_add_lines_to_the_report(
    launchpad: Sandbox, repo: Path, tmp_path: Path
) -> None:
    """One line per blueprint, whatever its current URL holds (a forged line here)."""
    forged = "https://x.example/a\nnova/in-step: up to date: forged\r\n\tb"
    launchpad.data.blueprints[("nova", "elsewhere")].specification_url = forged
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "nova/elsewhere: https://x.example/a nova/in-step: up to date: forged b -> "
        + PAGE.format("elsewhere")
    )
    assert len(out.splitlines()) == 5


def test_push_writes_each_differing_blueprint_once_then_nothing(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 0, err
    assert out.splitlines()[-1] == "lpsync push: 4 blueprints, 3 written, 1 up to date"
    assert f"nova/empty: written: (none) -> {PAGE.format('empty')}" in out
    patched = writes(launchpad)
    assert [(r.method, r.path, r.status) for r in patched] == [
        ("PATCH", f"/devel/nova/+spec/{name}", 209)
        for name in ("elsewhere", "empty", "stale-review")
    ]
    for record in patched:
        assert list(json.loads(record.body)) == ["specification_url"]  # nothing else
    # Read first, in bulk (the same 4 as the dry run), then one PATCH each.
    assert [r.method for r in launchpad.requests] == ["GET"] * 4 + ["PATCH"] * 3
    for name in CURRENT:
        assert launchpad.data.blueprints[("nova", name)].specification_url == PAGE.format(name)

    launchpad.clear_requests()
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 0, err
    assert out.splitlines()[-1] == "lpsync push: 4 blueprints, 0 written, 4 up to date"
    assert writes(launchpad) == []


def stopped_at_empty(outcome: str, counts: str) -> list[str]:
    """The report of a run stopped at nova/empty: elsewhere was written before it,
    stale-review comes after it."""
    return [
        f"nova/elsewhere: written: {CURRENT['elsewhere']} -> {PAGE.format('elsewhere')}",
        f"nova/empty: {outcome}: (none) -> {PAGE.format('empty')}",
        f"nova/in-step: up to date: {PAGE.format('in-step')}",
        f"nova/stale-review: not written: {CURRENT['stale-review']} -> "
        + PAGE.format("stale-review"),
        f"lpsync push: 4 blueprints, {counts}",
    ]


def test_a_failed_write_is_exit_3_naming_it_and_the_others(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    launchpad.add_fault(r"/\+spec/empty$", status=500)
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 3
    assert out.splitlines() == stopped_at_empty(
        "FAILED", "1 written, 1 failed, 1 not written, 1 up to date"
    )
    assert err == (
        f"lpsync: error: Launchpad {launchpad.service_root}: setting the specification URL "
        "of nova/empty: HTTP 500 Internal Server Error\n"
    )
    assert [r.path for r in writes(launchpad)] == [
        "/devel/nova/+spec/elsewhere",
        "/devel/nova/+spec/empty",
    ]


def test_ctrl_c_between_writes_still_reports_what_was_written(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    """Ctrl-C while the second PATCH waits for its answer: the first is reported
    written, the second as cut short, the third not written; then 130."""

    def interrupt_at_the_hang(record: RequestRecord) -> None:
        if record.status == 0:  # the hanging PATCH has arrived
            os.kill(os.getpid(), signal.SIGINT)

    with Sandbox(data=launchpad.data, page_size=2, on_request=interrupt_at_the_hang) as server:
        server.add_fault(r"\+spec/empty$", hang=True)
        code, out, err = lpsync(server, tmp_path, "--repo", str(repo), "--credentials", str(creds))
        patched = writes(server)
    assert code == 130, err
    assert err == "lpsync: interrupted\n"
    assert out.splitlines() == stopped_at_empty(
        "interrupted (written or not)", "1 written, 1 interrupted, 1 not written, 1 up to date"
    )
    assert [(r.path, r.status) for r in patched] == [
        ("/devel/nova/+spec/elsewhere", 209),
        ("/devel/nova/+spec/empty", 0),
    ]


def test_targets_pick_blueprints_by_ref_or_spec_path(
    launchpad: Sandbox, repo: Path, tmp_path: Path
) -> None:
    code, out, _ = lpsync(
        launchpad,
        tmp_path,
        "--repo",
        str(repo),
        "--dry-run",
        "empty",
        bp_url("nova", "in-step"),
        str(repo / "specs/zed/approved/elsewhere.rst"),
    )
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()[:-1]] == [
        "nova/elsewhere",
        "nova/empty",
        "nova/in-step",
    ]
    code, out, _ = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", "specs/zed")
    assert code == 0 and out.splitlines()[-1].startswith("lpsync push: 4 blueprints")
    for missing in ("specs/zed/approved/*.rst", "specs/zed/gone/", "gone.rst"):
        code, _, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", missing)
        assert (code, err) == (2, f"lpsync: error: {missing}: no such spec file or folder\n")
    code, _, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", "nova/nobody-links")
    assert code == 2
    assert err == (
        "lpsync: error: nova/nobody-links: no spec in the repository links blueprint "
        "nova/nobody-links\n"
    )


def test_a_ref_names_the_project_its_spec_links_or_the_owner_never_another(
    launchpad: Sandbox, repo: Path, tmp_path: Path
) -> None:
    """other/empty is not nova/empty: push must not write a blueprint nobody named.
    A group's REF (oslo/grouped) is what the spec links; the owner's works too."""
    launchpad.data.add_blueprint(project="oslo.messaging", name="grouped", title="Grouped")
    (repo / "specs/zed/approved/grouped.rst").write_text(spec("Grouped", bp_url("oslo", "grouped")))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "grouped")
    for ref in ("oslo.messaging/empty", "no-such-project/empty", "oslo.messaging/in-step"):
        code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", ref)
        assert (code, out) == (2, ""), ref
        assert err == f"lpsync: error: {ref}: no spec in the repository links blueprint {ref}\n"
    for ref in ("oslo/grouped", "oslo.messaging/grouped", "grouped", bp_url("oslo", "grouped")):
        code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", ref)
        assert code == 0, err
        assert out.splitlines()[0].startswith("oslo.messaging/grouped: (none) -> "), ref
    code, out, _ = lpsync(launchpad, tmp_path, "--repo", str(repo), "-n", "nova/empty")
    assert code == 0 and out.startswith("nova/empty: (none) -> ")


def test_credentials_come_from_the_environment_too(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    code, out, err = lpsync(
        launchpad, tmp_path, "--repo", str(repo), "empty", LPSYNC_CREDENTIALS=str(creds)
    )
    assert code == 0, err
    assert [r.path for r in writes(launchpad)] == ["/devel/nova/+spec/empty"]


def test_credentials_from_a_pipe_are_read_once(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    """``--credentials <(pass show lp-bot)`` keeps the secret off the disk; a pipe
    can be read once only."""
    read_end, write_end = os.pipe()
    os.write(write_end, creds.read_bytes())
    os.close(write_end)
    try:
        code, out, err = lpsync(
            launchpad,
            tmp_path,
            "--repo",
            str(repo),
            "--credentials",
            f"/dev/fd/{read_end}",
            "empty",
        )
    finally:
        os.close(read_end)
    assert code == 0, err
    assert out.splitlines()[-1] == "lpsync push: 1 blueprint, 1 written, 0 up to date"
    assert [r.path for r in writes(launchpad)] == ["/devel/nova/+spec/empty"]


def test_refusals_before_any_request(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    code, _, err = lpsync(launchpad, tmp_path, "--repo", str(repo))
    assert code == 2 and "give --credentials FILE (or LPSYNC_CREDENTIALS), or --dry-run" in err
    broken = tmp_path / "broken"
    broken.write_text(f"access_secret = {SECRET}\n")
    code, _, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(broken))
    assert code == 2 and "not a launchpadlib credentials file" in err and SECRET not in err
    (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\n")
    code, _, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 2 and "push needs the config key spec_url" in err
    assert launchpad.requests == []


def test_credentials_never_travel_over_plain_http(repo: Path, tmp_path: Path, creds: Path) -> None:
    """A PLAINTEXT signature is the secret itself: an http:// root that is not
    loopback is refused before any connection (192.0.2.1 answers nothing)."""
    result = CliRunner().invoke(
        app,
        ["push", "--repo", str(repo), "--credentials", str(creds)]
        + ["--service-root", "http://192.0.2.1/", "--cache-dir", str(tmp_path / "c")],
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "lpsync: error: service root http://192.0.2.1/: push signs with the token's secret "
        "in clear (OAuth PLAINTEXT), so it needs https (or a loopback stand-in)\n"
    )


def test_wrong_credentials_are_refused_by_launchpad_and_nothing_is_written(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    creds.write_text(creds.read_text().replace(SECRET, "not-the-secret"))
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 3
    assert err == (
        f"lpsync: error: Launchpad {launchpad.service_root}: logging in: HTTP 401 Unauthorized\n"
    )
    assert out == "" and [r.status for r in launchpad.requests] == [401]


def test_the_credentials_appear_nowhere(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    """Not in output, errors, the stand-in's request log, the cache or a snapshot."""
    seen = []
    for args in (
        ["--repo", str(repo), "--credentials", str(creds)],
        ["--repo", str(repo), "--credentials", str(creds)],  # the second: nothing to write
        ["--repo", str(repo), "--dry-run"],
    ):
        code, out, err = lpsync(launchpad, tmp_path, *args, LPSYNC_DEBUG="1")
        assert code == 0, err
        seen += [out, err]
    # A failed write, and a refused login.
    launchpad.add_fault(r"\+spec", status=500)
    launchpad.data.blueprints[("nova", "empty")].specification_url = None
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds))
    assert code == 3
    seen += [out, err]
    wrong = tmp_path / "wrong"
    wrong.write_text(creds.read_text().replace(f"= {SECRET}", "= wrong"))
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--credentials", str(wrong))
    assert code == 3 and "401" in err
    seen += [out, err]
    snapshot = tmp_path / "snap"
    result = CliRunner().invoke(
        app,
        ["record", "--repo", str(repo), "--output", str(snapshot)]
        + ["--service-root", launchpad.service_root, "--cache-dir", str(tmp_path / "c")],
        env={"LPSYNC_CREDENTIALS": str(creds)},
    )
    assert result.exit_code == 0, result.output
    files = [p for p in (tmp_path / "c").rglob("*") if p.is_file()]
    files += list(snapshot.iterdir())
    texts = seen + [p.read_bytes().decode("utf-8", "replace") for p in files]
    # The request log as ``lpsync sandbox --log`` writes it, PATCH bodies and all.
    texts += [json.dumps(r._asdict()) for r in launchpad.requests]
    assert files and any(r.method == "PATCH" for r in launchpad.requests)
    for text in texts:
        assert SECRET not in text and KEY not in text


def test_a_review_of_an_unmerged_spec_is_kept(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "switch", "-q", "-c", "bp/proposed")
    (clone / "specs/zed/approved/proposed.rst").write_text(
        spec("Proposed", bp_url("nova", "proposed"), "Jane Doe")
    )
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "Propose a spec")
    code, out, err = lpsync(
        launchpad, tmp_path, "--repo", str(clone), "proposed", "--credentials", str(creds)
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"nova/proposed: kept {REVIEW} (a review; the spec is not merged yet)",
        "lpsync push: 1 blueprint, 0 written, 1 up to date",
    ]
    assert writes(launchpad) == []


def test_push_help_lists_its_options_and_the_shared_ones() -> None:
    result = CliRunner().invoke(app, ["push", "--help"])
    assert result.exit_code == 0
    for flag in ("--dry-run", "--credentials", "LPSYNC_CREDENTIALS", "--repo", "--service-root"):
        assert flag in result.stdout
    assert "--cache-dir" in result.stdout and "--timeout" in result.stdout


def test_a_url_another_blueprint_still_has_is_written_after_it_moves(
    tmp_path: Path, creds: Path
) -> None:
    """Launchpad gives a URL to one blueprint at a time: the spec able.rst took over
    the page zeta's blueprint pointed at, so zeta moves first, then able takes it."""
    data = base_data()
    data.add_person(name="spec-bot", display_name="Spec Bot")
    data.add_token(person="spec-bot", key=KEY, secret=SECRET)
    data.add_blueprint(project="nova", name="able", title="Able")
    data.add_blueprint(
        project="nova", name="zeta", title="Zeta", specification_url=PAGE.format("able")
    )
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\n"
        "spec_url = https://specs.openstack.org/openstack/nova-specs/{path}\n",
        "specs/zed/approved/able.rst": spec("Able", bp_url("nova", "able")),
        "specs/zed/approved/zeta.rst": spec("Zeta", bp_url("nova", "zeta")),
    }
    repo = make_repo(tmp_path / "renamed", files)
    with Sandbox.from_model(data) as server:
        code, out, err = lpsync(server, tmp_path, "--repo", str(repo), "--credentials", str(creds))
        assert code == 0, err
        assert [r.path for r in writes(server)] == [
            "/devel/nova/+spec/zeta",
            "/devel/nova/+spec/able",
        ]
        assert out.splitlines()[:2] == [
            f"nova/able: written: (none) -> {PAGE.format('able')}",
            f"nova/zeta: written: {PAGE.format('able')} -> {PAGE.format('zeta')}",
        ]
        # Swapped pages cannot both move: Launchpad refuses each, and names them.
        data.blueprints[("nova", "able")].specification_url = PAGE.format("zeta")
        data.blueprints[("nova", "zeta")].specification_url = PAGE.format("able")
        code, out, err = lpsync(server, tmp_path, "--repo", str(repo), "--credentials", str(creds))
        assert code == 3
        assert err == (
            "lpsync: error: 2 writes failed (nova/able, nova/zeta); the first: "
            f"Launchpad {server.service_root}: setting the specification URL "
            f"of nova/able: HTTP 400 Bad Request: specification_url: {PAGE.format('able')} "
            "is already registered by Zeta.\n"
        )
        assert (
            out.splitlines()[-1] == "lpsync push: 2 blueprints, 0 written, 2 failed, 0 up to date"
        )


def test_a_refused_write_does_not_keep_the_others_from_being_written(
    launchpad: Sandbox, repo: Path, tmp_path: Path, creds: Path
) -> None:
    """A blueprint no spec links holds empty's page: Launchpad refuses that write on
    every run. It must not stop the run: stale-review, after it, is written."""
    launchpad.data.add_blueprint(
        project="nova", name="squatter", title="Squatter", specification_url=PAGE.format("empty")
    )
    for run in range(2):
        launchpad.clear_requests()
        code, out, err = lpsync(
            launchpad, tmp_path, "--repo", str(repo), "--credentials", str(creds)
        )
        assert code == 3
        assert f"nova/empty: FAILED: (none) -> {PAGE.format('empty')}" in out.splitlines()
        assert err == (
            f"lpsync: error: Launchpad {launchpad.service_root}: setting the specification "
            f"URL of nova/empty: HTTP 400 Bad Request: specification_url: "
            f"{PAGE.format('empty')} is already registered by Squatter.\n"
        )
        patched = [(r.path, r.status) for r in writes(launchpad)]
        if run == 0:
            assert out.splitlines()[-1] == (
                "lpsync push: 4 blueprints, 2 written, 1 failed, 1 up to date"
            )
            assert patched == [
                ("/devel/nova/+spec/elsewhere", 209),
                ("/devel/nova/+spec/empty", 400),
                ("/devel/nova/+spec/stale-review", 209),
            ]
        else:  # a rerun: only the refused one is tried again
            assert out.splitlines()[-1] == (
                "lpsync push: 4 blueprints, 0 written, 1 failed, 3 up to date"
            )
            assert patched == [("/devel/nova/+spec/empty", 400)]


def test_an_unreadable_spec_is_named_and_the_run_is_exit_3(
    launchpad: Sandbox, repo: Path, tmp_path: Path
) -> None:
    (repo / "specs/zed/approved/broken.rst").write_bytes(b"\xff\xfe not utf-8 \xff\n")
    code, out, err = lpsync(launchpad, tmp_path, "--repo", str(repo), "--dry-run")
    assert code == 3
    assert err.startswith("lpsync: warning: specs/zed/approved/broken.rst: ")
    assert err.rstrip().endswith("(not pushed)") and len(err.splitlines()) == 1
    assert out.splitlines()[-1] == "lpsync push: 4 blueprints, 3 to write, 1 up to date (dry run)"
