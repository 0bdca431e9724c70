"""``run_audit`` end to end: real git repos in temp dirs, the real launchpadlib talking
HTTP to the stand-in. One check per test, each on its own small repo."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers_audit import BLUEPRINTS, audit, audit_sandbox, bp_url, git, make_repo, spec

from lpsync.audit import AuditResult, run_audit
from lpsync.config import load_config
from lpsync.errors import LaunchpadError, UsageError
from lpsync.launchpad import open_launchpad
from lpsync.report import render, summary
from lpsync.sandbox import Sandbox, SandboxData

CONFIG = "[lpsync]\nproject = nova\n"
__all__ = ["audit", "audit_sandbox"]  # fixtures


def repo_with(tmp_path: Path, files: dict[str, str], **kwargs: dict[str, str]) -> Path:
    return make_repo(tmp_path / "repo", {"setup.cfg": CONFIG, **files}, **kwargs)


def codes(result: AuditResult) -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in result.findings]


def nova(name: str) -> str:
    return bp_url("nova", name)


# -- clean --------------------------------------------------------------------------


def test_clean_repo_exits_0(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/approved/clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "zed-1"),
            "specs/zed/approved/unassigned.rst": spec("Unassigned", nova("unassigned"), "anyone"),
            "specs/zed-template.rst": spec("Template", nova("example"), "<launchpad-id or None>"),
            "specs/zed/index.rst": "Zed\n===\n\n.. toctree::\n",
        },
    )
    result = audit(repo)
    assert (result.checked, result.findings, result.errors, result.exit_code) == (2, [], [], 0)


# -- url ------------------------------------------------------------------------------


def test_no_link(tmp_path: Path, audit) -> None:
    repo = repo_with(tmp_path, {"specs/zed/approved/clean.rst": spec("Clean blueprint", None)})
    result = audit(repo)
    assert codes(result) == [("specs/zed/approved/clean.rst", "LPS101")]
    assert result.findings[0].field == "url"
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://blueprints.launchpad.net/nova/+spec//retitled", "double slash"),
        # The host's case does not matter to a browser; lpsync must not miss the link
        # (LPS101) nor add the canonical one beside it.
        ("https://Blueprints.Launchpad.net/Nova/+spec/retitled", "uppercase project"),
        ("https://BLUEPRINTS.launchpad.NET/nova/+spec/retitled", "uppercase host"),
        ("HTTPS://blueprints.Launchpad.net/nova/+spec/retitled", "uppercase host"),
    ],
)
def test_malformed_link_is_followed_and_fixed_in_place(
    tmp_path: Path, audit, url: str, why: str
) -> None:
    files = {"specs/zed/approved/retitled.rst": spec("The new title", url, "jdoe")}
    repo = repo_with(tmp_path, files)
    result = audit(repo)
    assert codes(result) == [("specs/zed/approved/retitled.rst", "LPS102")]
    (finding,) = result.findings
    assert (finding.expected, finding.actual) == (nova("retitled"), url)
    assert why in finding.message
    audit(repo, fix=True)
    text = (repo / "specs/zed/approved/retitled.rst").read_text()
    assert text.count("launchpad.net/nova/+spec/retitled") == 1
    assert url not in text
    assert audit(repo).findings == []


def test_link_naming_another_blueprint_is_reported_and_followed(tmp_path: Path, audit) -> None:
    files = {"specs/zed/approved/short.rst": spec("Wrong", nova("retitled"), "jdoe")}
    repo = repo_with(tmp_path, files)
    result = audit(repo)
    assert sorted(f.code for f in result.findings) == ["LPS103", "LPS301"]
    title = next(f for f in result.findings if f.code == "LPS301")
    assert title.expected == "The new title"


def test_file_name_conventions_are_not_a_mismatch(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/approved/clean_x.rst": spec("x", None),
            "specs/zed/approved/Clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "zed-1"),
            "specs/zed/oslo.messaging-grouped.rst": spec(
                "Grouped",
                "https://blueprints.launchpad.net/oslo?searchtext=grouped",
                "jdoe",
                "zed-1",
            ),
        },
    )
    result = audit(
        repo,
        paths=[
            repo / "specs/zed/approved/Clean.rst",
            repo / "specs/zed/oslo.messaging-grouped.rst",
        ],
    )
    assert result.findings == []


# -- blueprint ------------------------------------------------------------------------


def test_missing_blueprint_and_missing_project(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/approved/ghost.rst": spec("Ghost", nova("ghost")),
            "specs/zed/approved/elsewhere.rst": spec("X", bp_url("no-such-project", "elsewhere")),
        },
    )
    result = audit(repo)
    assert codes(result) == [
        ("specs/zed/approved/elsewhere.rst", "LPS201"),
        ("specs/zed/approved/ghost.rst", "LPS201"),
    ]
    assert "project 'no-such-project' does not exist" in result.findings[0].message
    assert result.findings[1].blueprint == "nova/ghost"
    assert result.exit_code == 1


def test_project_group_search_url_follows_the_group(tmp_path: Path, audit) -> None:
    url = "https://blueprints.launchpad.net/oslo?searchtext=grouped"
    repo = repo_with(tmp_path, {"specs/zed/grouped.rst": spec("Old", url, "jdoe", "zed-1")})
    result = audit(repo)
    assert codes(result) == [("specs/zed/grouped.rst", "LPS301")]
    assert result.findings[0].blueprint == "oslo.messaging/grouped"


def test_a_spec_url_under_the_group_is_reported_and_fixed(tmp_path: Path, audit) -> None:
    url = "https://blueprints.launchpad.net/oslo/+spec/grouped"
    repo = repo_with(tmp_path, {"specs/zed/grouped.rst": spec("Grouped", url, "jdoe", "zed-1")})
    result = audit(repo, fix=True)
    assert codes(result) == [("specs/zed/grouped.rst", "LPS102")]
    assert result.findings[0].expected == bp_url("oslo.messaging", "grouped")
    assert bp_url("oslo.messaging", "grouped") in (repo / "specs/zed/grouped.rst").read_text()
    assert codes(audit(repo)) == []


# -- title ----------------------------------------------------------------------------


def test_title_compares_with_whitespace_collapsed(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/approved/retitled.rst": spec("The old title", nova("retitled"), "jdoe"),
            "specs/zed/approved/clean.rst": spec(
                "Clean  blueprint", nova("clean"), "jdoe", "zed-1"
            ),
        },
    )
    result = audit(repo)
    assert codes(result) == [("specs/zed/approved/retitled.rst", "LPS301")]
    finding = result.findings[0]
    assert (finding.field, finding.expected, finding.actual) == (
        "title",
        "The new title",
        "The old title",
    )
    assert finding.line == 4


# -- assignee -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "rroe",
        "* Richard Roe",
        "Richard Roe <rich@example.com>",
        "<rroe>",
        "Richard Roe (https://launchpad.net/~rroe)",
        "rroe@example.com",
    ],
)
def test_assignee_forms_that_match(tmp_path: Path, audit, text: str) -> None:
    repo = repo_with(
        tmp_path,
        {"specs/zed/approved/reassigned.rst": spec("Reassigned", nova("reassigned"), text)},
    )
    assert audit(repo).findings == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("jdoe", "LPS401"),
        ("Jane Doe", "LPS401"),
        ("TBD", "LPS401"),
        ("None", "LPS401"),
        ("<someone@example.com>", "LPS402"),
    ],
)
def test_assignee_drift(tmp_path: Path, audit, text: str, code: str) -> None:
    repo = repo_with(
        tmp_path,
        {"specs/zed/approved/reassigned.rst": spec("Reassigned", nova("reassigned"), text)},
    )
    result = audit(repo)
    assert codes(result) == [("specs/zed/approved/reassigned.rst", code)]
    finding = result.findings[0]
    assert (finding.field, finding.expected, finding.actual.strip()) == ("assignee", "rroe", text)


def test_no_assignee_field_against_an_assigned_blueprint(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path, {"specs/zed/approved/reassigned.rst": spec("Reassigned", nova("reassigned"))}
    )
    result = audit(repo)
    assert codes(result) == [("specs/zed/approved/reassigned.rst", "LPS401")]
    assert result.findings[0].actual is None


def test_display_name_fetched_once_per_person(
    audit_sandbox: Sandbox, tmp_path: Path, audit
) -> None:
    files = {
        f"specs/zed/approved/accented-{i}.rst": spec("Accented", nova("accented"), "Hervé Beraud")
        for i in range(3)
    }
    files["specs/zed/approved/clean.rst"] = spec("Clean blueprint", nova("clean"), "jdoe", "zed-1")
    result = audit(repo_with(tmp_path, files))
    assert [f.code for f in result.findings] == ["LPS103"] * 3
    people = [r for r in audit_sandbox.requests if r.path.startswith("/devel/~")]
    assert [r.path for r in people] == ["/devel/~hberaud"]


@pytest.mark.parametrize(
    ("text", "looked_up"),
    [
        ("rroe", []),  # the assignee's id: decided without a request
        ("Richard Roe (https://launchpad.net/~rroe)", []),
        ("https://launchpad.net/~jdoe", []),  # only somebody else's profile
        ("TBD", []),
        ("jdoe", ["/devel/~rroe"]),  # somebody else's id: the assignee's name decides
        ("Richard Roe", ["/devel/~rroe"]),
        ("someone@example.com", ["/devel/~rroe"]),
    ],
)
def test_the_assignee_is_looked_up_only_when_the_spec_does_not_give_their_id(
    audit_sandbox: Sandbox, tmp_path: Path, audit, text: str, looked_up: list[str]
) -> None:
    # What the README says under "Auditing specs": the blueprint's assignee (never the
    # person the spec names) is fetched when the spec does not give the assignee's id.
    files = {"specs/zed/approved/reassigned.rst": spec("Reassigned", nova("reassigned"), text)}
    audit(repo_with(tmp_path, files))
    people = [r.path for r in audit_sandbox.requests if r.path.startswith("/devel/~")]
    assert people == looked_up


def test_progress_covers_reading_and_every_launchpad_phase(tmp_path: Path, audit) -> None:
    files = {
        "specs/zed/approved/clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "zed-1"),
        "specs/zed/approved/reassigned.rst": spec("Reassigned", nova("reassigned"), "Roe"),
        "specs/zed/grouped.rst": spec(
            "Grouped", "https://blueprints.launchpad.net/oslo?searchtext=grouped", "jdoe", "zed-1"
        ),
    }
    events: list[tuple[str, int, int]] = []
    audit(repo_with(tmp_path, files), progress=lambda *event: events.append(event))
    stages = list(dict.fromkeys(stage for stage, _, _ in events))
    assert stages == ["reading specs", "asking Launchpad", "looking up people"]
    by_stage = {stage: [(d, t) for s, d, t in events if s == stage] for stage in stages}
    assert by_stage["reading specs"] == [(1, 3), (2, 3), (3, 3)]
    # The network overlaps the reading: its count of reads started grows, and it ends
    # with all of them done: the nova and oslo listings and rroe (for "Roe").
    asking = by_stage["asking Launchpad"]
    assert asking[-1] == (3, 3)
    assert all(done <= total for done, total in asking)
    assert [total for _, total in asking] == sorted(total for _, total in asking)
    assert by_stage["looking up people"][-1] == (1, 1)


# -- milestone ------------------------------------------------------------------------


def test_milestone(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/retargeted.rst": spec("Retargeted", nova("retargeted"), None, "Zed-1"),
            "specs/zed/clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "* ZED-1"),
            # No Milestones section: nothing to compare.
            "specs/zed/unassigned.rst": spec(
                "Unassigned", nova("unassigned"), milestone_field=False
            ),
        },
    )
    result = audit(repo)
    assert codes(result) == [("specs/zed/retargeted.rst", "LPS501")]
    finding = result.findings[0]
    assert (finding.expected, finding.actual.strip()) == ("zed-2", "Zed-1")


# -- status ---------------------------------------------------------------------------


def test_status_against_folders(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/implemented/started.rst": spec("Started", nova("started")),
            "specs/zed/approved/done.rst": spec("Done", nova("done")),
            "specs/zed/approved/dead.rst": spec("Dead", nova("dead")),
            "specs/abandoned/clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "zed-1"),
            "specs/abandoned/replaced.rst": spec("Replaced", nova("replaced")),
        },
    )
    result = audit(repo)
    assert codes(result) == [
        ("specs/abandoned/clean.rst", "LPS604"),
        ("specs/zed/approved/dead.rst", "LPS603"),
        ("specs/zed/approved/done.rst", "LPS602"),
        ("specs/zed/implemented/started.rst", "LPS601"),
    ]
    assert {f.field for f in result.findings} == {"status"}


def test_implemented_outside_implemented_folder_only_where_such_folders_exist(
    tmp_path: Path, audit
) -> None:
    repo = repo_with(tmp_path, {"specs/zed/done.rst": spec("Done", nova("done"))})
    assert audit(repo).findings == []


def test_newest_release_copy_is_authoritative(tmp_path: Path, audit) -> None:
    old = spec("Done (old wording)", nova("done"), "someone-else")
    repo = repo_with(
        tmp_path,
        {
            "specs/xena/approved/done.rst": old,
            "specs/yoga/approved/done.rst": old,
            "specs/zed/implemented/done.rst": spec("Done", nova("done")),
            "specs/2023.1/approved/started.rst": spec("Started", nova("started")),
            "specs/zed/implemented/started.rst": spec("Started", nova("started")),
        },
    )
    result = audit(repo)
    assert result.findings == []
    # Auditing one old copy alone still knows about the newer one.
    assert audit(repo, paths=[repo / "specs/xena"]).findings == []


def _two_specs_linking_one_blueprint(tmp_path: Path) -> Path:
    # cinder: group-snapshots.rst ("Group Snapshots") links generic-volume-group in its
    # preamble, as generic-volume-group.rst does. Here the other spec is even newer.
    return repo_with(
        tmp_path,
        {
            "specs/zed/retitled.rst": spec("The old title", nova("retitled"), "jdoe"),
            "specs/2023.1/group-snapshots.rst": spec("Group Snapshots", nova("retitled"), "rroe"),
        },
    )


def test_the_spec_named_after_the_blueprint_speaks_the_others_only_link_it(
    tmp_path: Path, audit
) -> None:
    repo = _two_specs_linking_one_blueprint(tmp_path)
    assert codes(audit(repo)) == [("specs/zed/retitled.rst", "LPS301")]
    # Audited alone, the linking spec still knows who speaks for the blueprint.
    alone = audit(repo, paths=[repo / "specs/2023.1/group-snapshots.rst"])
    assert (alone.checked, alone.findings) == (1, [])


def test_fix_rewrites_only_the_spec_that_speaks_for_the_blueprint(tmp_path: Path, audit) -> None:
    repo = _two_specs_linking_one_blueprint(tmp_path)
    before = (repo / "specs/2023.1/group-snapshots.rst").read_text()
    result = audit(repo, fix=True)
    assert result.fixed == ["specs/zed/retitled.rst"]
    assert (repo / "specs/2023.1/group-snapshots.rst").read_text() == before
    assert audit(repo).findings == []


CINDER_NEWTON = (
    Path(__file__).resolve().parents[1].parent / "shared/corpus/cinder-specs/specs/newton"
)


def test_cinders_two_specs_linking_generic_volume_group(tmp_path: Path) -> None:
    """The real case: group-snapshots.rst links generic-volume-group in its preamble,
    as generic-volume-group.rst does. Only the latter is checked, fixed and pulled."""
    from lpsync.pull import PullOptions, pull

    if not CINDER_NEWTON.is_dir():
        pytest.skip("corpus not present")
    names = ("generic-volume-group.rst", "group-snapshots.rst")
    files = {f"specs/newton/{n}": (CINDER_NEWTON / n).read_text(encoding="utf-8") for n in names}
    repo = make_repo(
        tmp_path / "cinder-specs", {"setup.cfg": "[lpsync]\nproject = cinder\n", **files}
    )
    data = SandboxData()
    data.add_person(name="xing-yang", display_name="Xing Yang")
    data.add_project(name="cinder", display_name="Cinder")
    data.add_blueprint(
        project="cinder",
        name="generic-volume-group",
        title="Generic volume groups",
        assignee="xing-yang",
    )
    snapshots = (repo / "specs/newton/group-snapshots.rst").read_bytes()
    with Sandbox.from_model(data) as server:
        server.start()
        with open_launchpad(server.service_root, cache_dir=tmp_path / "lpcache") as lp:
            result = run_audit(repo, load_config(repo), lp, fix=True)
            assert codes(result) == [("specs/newton/generic-volume-group.rst", "LPS301")]
            assert result.fixed == ["specs/newton/generic-volume-group.rst"]
            assert (repo / "specs/newton/group-snapshots.rst").read_bytes() == snapshots
            git(repo, "checkout", "-q", "--", ".")
            pulled = pull(repo, "generic-volume-group", lambda: lp, PullOptions(commit=False))
    assert pulled.path == "specs/newton/generic-volume-group.rst"
    assert (repo / "specs/newton/group-snapshots.rst").read_bytes() == snapshots


# -- files ----------------------------------------------------------------------------


def test_broken_symlink_is_reported_not_fatal(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {"specs/approved/clean.rst": spec("Clean blueprint", nova("clean"), "jdoe", "zed-1")},
        symlinks={
            "specs/not-implemented/clean.rst": "../approved/clean.rst",
            "specs/not-implemented/gone.rst": "specs/approved/gone.rst",
        },
    )
    result = audit(repo)
    assert result.checked == 1  # the good symlink points at a spec audited anyway
    # ironic-specs really has one: the repo's own mistake, a finding (exit 1), not the
    # "could not finish" of exit 3, which CI reads as Launchpad or the network failing.
    assert result.errors == []
    assert [(f.path, f.line, f.code, f.field, f.actual) for f in result.findings] == [
        ("specs/not-implemented/gone.rst", 1, "LPS104", "file", "specs/approved/gone.rst")
    ]
    assert "broken symlink" in result.findings[0].message
    assert result.exit_code == 1


def test_unreadable_spec_is_an_error_entry(tmp_path: Path, audit) -> None:
    repo = repo_with(tmp_path, {"specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe")})
    (repo / "specs/zed/bad.rst").write_bytes(b"\xff\xfe not utf-8\n")
    result = audit(repo)
    assert [e.path for e in result.errors] == ["specs/zed/bad.rst"]
    assert codes(result) == [("specs/zed/retitled.rst", "LPS301")]
    assert result.exit_code == 3  # 3 wins over 1


def test_paths_must_exist_inside_the_repo(tmp_path: Path, audit) -> None:
    repo = repo_with(tmp_path, {"specs/zed/clean.rst": spec("Clean blueprint", nova("clean"))})
    with pytest.raises(UsageError, match="not inside the repository"):
        audit(repo, paths=[tmp_path])
    with pytest.raises(UsageError, match="no such file"):
        audit(repo, paths=[repo / "specs/nope.rst"])


def test_paths_limit_the_audit(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe"),
            "specs/yoga/ghost.rst": spec("Ghost", nova("ghost")),
        },
    )
    result = audit(repo, paths=[repo / "specs/zed/retitled.rst"])
    assert (result.checked, codes(result)) == (1, [("specs/zed/retitled.rst", "LPS301")])


# -- Launchpad failures and request budget -------------------------------------------


def test_launchpad_failure_raises_and_writes_nothing(
    audit_sandbox: Sandbox, tmp_path: Path, audit
) -> None:
    repo = repo_with(tmp_path, {"specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe")})
    before = (repo / "specs/zed/retitled.rst").read_bytes()
    audit_sandbox.add_fault(r"specifications|getSpecification", status=500)
    with pytest.raises(LaunchpadError) as caught:
        audit(repo, fix=True)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 3
    assert (repo / "specs/zed/retitled.rst").read_bytes() == before
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"null",
        b'"a string"',
        b'{"entries": [1, 2]}',
        b'{"entries": {"name": "x"}}',
        b'{"entries": [{"name": "retitled", "title": 5, "target_link": "x/nova"}]}',
        b'{"entries": [{"name": "retitled", "target_link": "http://lp/devel/.."}]}',
    ],
    ids=["list", "null", "string", "numbers", "object", "int-title", "bad-name"],
)
def test_well_formed_json_of_the_wrong_shape_is_a_launchpad_error(
    audit_sandbox: Sandbox, tmp_path: Path, audit, body: bytes
) -> None:
    repo = repo_with(tmp_path, {"specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe")})
    before = (repo / "specs/zed/retitled.rst").read_bytes()
    audit_sandbox.add_fault(r"all_specifications", body=body)
    with pytest.raises(LaunchpadError) as caught:
        audit(repo, fix=True)
    assert "all_specifications of nova" in str(caught.value)
    assert (repo / "specs/zed/retitled.rst").read_bytes() == before


def test_request_budget(audit_sandbox: Sandbox, tmp_path: Path, audit) -> None:
    """At most 2 (login) + listing pages + people whose display name was needed."""
    files = {
        f"specs/zed/approved/{name}.rst": spec(title, nova(name), "Somebody Else")
        for name, title, *_ in BLUEPRINTS
    }
    for name, title in (("grouped", "Grouped"), ("grouped-too", "Grouped too")):
        files[f"specs/zed/{name}.rst"] = spec(
            title, f"https://blueprints.launchpad.net/oslo?searchtext={name}", "jdoe", "zed-1"
        )
    result = audit(repo_with(tmp_path, files))
    assert result.checked == len(BLUEPRINTS) + 2
    people = {r.path for r in audit_sandbox.requests if r.path.startswith("/devel/~")}
    assert people == {"/devel/~jdoe", "/devel/~rroe", "/devel/~hberaud"}
    pages = 2  # one listing page each for nova and the oslo group (page size 75)
    assert len(audit_sandbox.requests) <= 2 + pages + len(people), [
        (r.path, r.query) for r in audit_sandbox.requests
    ]


# -- --fix ----------------------------------------------------------------------------


def test_fix_rewrites_managed_fields_then_audit_is_clean(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/retitled.rst": spec("The old title", nova("retitled"), "jdoe"),
            "specs/zed/reassigned.rst": spec("Reassigned", nova("reassigned"), "TBD"),
            "specs/zed/retargeted.rst": spec("Retargeted", nova("retargeted"), None, "zed-1"),
            "specs/zed/clean.rst": spec(
                "Clean blueprint",
                "https://blueprints.launchpad.net/nova/+spec//clean",
                "jdoe",
                "zed-1",
            ),
            "specs/zed/ghost.rst": spec("Ghost", nova("ghost")),
        },
    )
    os.chmod(repo / "specs/zed/retitled.rst", 0o640)
    result = audit(repo, fix=True)
    assert result.fixed == [
        "specs/zed/clean.rst",
        "specs/zed/reassigned.rst",
        "specs/zed/retargeted.rst",
        "specs/zed/retitled.rst",
    ]
    assert result.exit_code == 1  # fixed findings still count
    assert stat.S_IMODE((repo / "specs/zed/retitled.rst").stat().st_mode) == 0o640
    # Nothing was committed, and nothing but managed lines changed.
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    diff = git(repo, "diff", "-U0", "--no-color")
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert sorted(changed) == sorted(
        [
            "-  TBD",
            "+  rroe",
            "-  zed-1",
            "+  zed-2",
            "-https://blueprints.launchpad.net/nova/+spec//clean",
            f"+{nova('clean')}",
            "- The old title",
            "+ The new title",
        ]
    ), diff
    again = audit(repo)
    assert codes(again) == [("specs/zed/ghost.rst", "LPS201")]
    assert not list(repo.rglob("*.lpsync-tmp")) and not list(repo.rglob("*.tmp"))


def test_fix_through_a_symlink_rewrites_the_target(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {"specs/approved/retitled.rst": spec("The old title", nova("retitled"), "jdoe")},
        symlinks={"specs/zed/retitled.rst": "../approved/retitled.rst"},
    )
    result = audit(repo, paths=[repo / "specs/zed/retitled.rst"], fix=True)
    assert result.fixed == ["specs/zed/retitled.rst"]
    assert (repo / "specs/zed/retitled.rst").is_symlink()
    assert "The new title" in (repo / "specs/approved/retitled.rst").read_text()


# -- several links, groups, history ---------------------------------------------------


def test_several_links_primary_is_the_one_naming_the_file(tmp_path: Path, audit) -> None:
    text = spec("Retargeted", nova("retargeted"), None, "zed-2").replace(
        nova("retargeted"),
        f"{nova('ghost')}\n{nova('retargeted')}\n{nova('clean')}",
    )
    repo = repo_with(tmp_path, {"specs/zed/retargeted.rst": text})
    result = audit(repo)
    # Only the ghost link is wrong; title, milestone come from the retargeted blueprint.
    assert [(f.code, f.line, f.blueprint) for f in result.findings] == [("LPS201", 7, "nova/ghost")]


def test_fix_keeps_an_oslo_group_search_url(tmp_path: Path, audit) -> None:
    url = "https://blueprints.launchpad.net/oslo?searchtext=grouped"
    repo = repo_with(tmp_path, {"specs/zed/grouped.rst": spec("Old", url, "jdoe", "zed-1")})
    result = audit(repo, fix=True)
    assert result.fixed == ["specs/zed/grouped.rst"]
    text = (repo / "specs/zed/grouped.rst").read_text()
    assert url in text and " Grouped\n" in text
    assert audit(repo).findings == []


def test_unverifiable_email_is_not_fixed(tmp_path: Path, audit) -> None:
    text = spec("Reassigned", nova("reassigned"), "<someone@example.com>")
    repo = repo_with(tmp_path, {"specs/zed/reassigned.rst": text})
    result = audit(repo, fix=True)
    assert [f.code for f in result.findings] == ["LPS402"]
    assert result.fixed == []
    assert (repo / "specs/zed/reassigned.rst").read_text() == text


def test_abandoned_but_implemented(tmp_path: Path, audit) -> None:
    repo = repo_with(
        tmp_path,
        {
            "specs/abandoned/done.rst": spec("Done", nova("done")),
            "specs/zed/implemented/.placeholder": "",
        },
    )
    assert codes(audit(repo)) == [("specs/abandoned/done.rst", "LPS602")]


def test_relative_paths_resolve_against_the_cwd_then_the_repo(
    tmp_path: Path, audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(tmp_path, {"specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe")})
    monkeypatch.chdir(repo / "specs")
    assert audit(repo, paths=[Path("zed")]).checked == 1
    monkeypatch.chdir(tmp_path)
    assert audit(repo, paths=[Path("specs/zed/retitled.rst")]).checked == 1


def test_fix_that_cannot_write_is_an_error_entry(
    tmp_path: Path, audit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lpsync.audit import fix as fix_module
    from lpsync.errors import LpsyncError

    def refuse(path: Path, text: str) -> None:
        raise LpsyncError(f"{path}: cannot write: Read-only file system")

    monkeypatch.setattr(fix_module, "write_atomic", refuse)
    repo = repo_with(tmp_path, {"specs/zed/retitled.rst": spec("Old", nova("retitled"), "jdoe")})
    result = audit(repo, fix=True)
    assert result.fixed == []
    assert [e.path for e in result.errors] == ["specs/zed/retitled.rst"]
    assert "Read-only file system" in result.errors[0].message
    assert result.exit_code == 3
    # The spec was checked: the summary must not say otherwise.
    line = summary(result)
    assert line.endswith("(incomplete: some specs were checked but could not be fixed)")
    assert "could not be checked" not in line


def test_request_budget_with_several_listing_pages(tmp_path: Path) -> None:
    from helpers_audit import base_data

    from lpsync.audit import run_audit
    from lpsync.config import load_config
    from lpsync.launchpad import open_launchpad

    data = base_data()
    for i in range(700):
        data.add_blueprint(project="nova", name=f"bp-{i:03d}", title=f"BP {i}", assignee="jdoe")
    repo = repo_with(
        tmp_path,
        {
            f"specs/zed/bp-{i:03d}.rst": spec(f"BP {i}", nova(f"bp-{i:03d}"), "jdoe")
            for i in range(0, 700, 7)
        },
    )
    with Sandbox.from_model(data) as server:
        server.start()
        with open_launchpad(server.service_root, cache_dir=tmp_path / "c") as lp:
            result = run_audit(repo, load_config(repo), lp)
        requests = server.requests
    assert (result.checked, result.findings) == (100, [])
    pages = [r for r in requests if "all_specifications" in r.path]
    assert len(pages) == 3  # ceil(700 / 300), fetched concurrently after the first
    assert len(requests) == 2 + len(pages)  # every assignee matched by id: no people


def test_fix_says_what_it_could_not_fix(tmp_path: Path, audit) -> None:
    # No Implementation section and no Assignee(s) section: nowhere to put the field.
    bare = f"==========\n Reassigned\n==========\n\n{nova('reassigned')}\n\nJust prose.\n"
    repo = repo_with(tmp_path, {"specs/zed/reassigned.rst": bare})
    result = audit(repo, fix=True)
    assert codes(result) == [("specs/zed/reassigned.rst", "LPS401")]
    assert result.unfixed == [
        "specs/zed/reassigned.rst: no Assignee(s) section to put the primary assignee in"
    ]
    text = render(result, "text")
    assert "not fixed: specs/zed/reassigned.rst: no Assignee(s) section" in text
    assert text.rstrip().endswith("1 finding, 1 not fixable")


def test_a_blueprint_mentioned_in_the_body_is_not_the_specs_own(tmp_path: Path, audit) -> None:
    text = (
        "=======================\n Implement rescue mode\n=======================\n\n"
        "https://bugs.launchpad.net/nova/+bug/1234\n\n"
        "Proposed change\n===============\n\n"
        f"Like {nova('retitled')} did before.\n"
    )
    repo = repo_with(tmp_path, {"specs/zed/rescue-mode.rst": text})
    result = audit(repo, fix=True)
    assert codes(result) == [("specs/zed/rescue-mode.rst", "LPS101")]
    assert result.fixed == []
    assert (repo / "specs/zed/rescue-mode.rst").read_text() == text


def test_fix_results_in_json_and_github_output(tmp_path: Path, audit) -> None:
    import json

    bare = f"==========\n Reassigned\n==========\n\n{nova('reassigned')}\n\nJust prose.\n"
    repo = repo_with(
        tmp_path,
        {
            "specs/zed/retitled.rst": spec("The old title", nova("retitled"), "jdoe"),
            "specs/zed/reassigned.rst": bare,
        },
    )
    result = audit(repo, fix=True)
    document = json.loads(render(result, "json"))
    assert document["fixed"] == ["specs/zed/retitled.rst"]
    assert document["not_fixed"] == [
        "specs/zed/reassigned.rst: no Assignee(s) section to put the primary assignee in"
    ]
    github = render(result, "github")
    assert "::notice file=specs/zed/retitled.rst,title=lpsync --fix::rewritten" in github
    assert "::notice title=lpsync --fix::not fixed: specs/zed/reassigned.rst" in github
    # Without --fix, version-1 readers see exactly the documented keys.
    plain = json.loads(render(audit(repo), "json"))
    assert set(plain) == {"version", "checked", "findings", "errors"}
