"""`lpsync pull` end to end: a real git repo in a temp dir, the stand-in over HTTP."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gitrepos import (
    INTERRUPTING_HOOK,
    assert_refused_as_found,
    git,
    lpsync_process,
    make_repo,
    snapshot,
    start_merge_conflict,
    start_rebase_conflict,
)
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import Sandbox

TEMPLATE = """\
..
  How to write a spec for this project: copy this file, name it after
  the blueprint, e.g. https://blueprints.launchpad.net/nova/+spec/example
  becomes example.rst.

==========================
 Title of the blueprint
==========================

https://blueprints.launchpad.net/nova/+spec/example

Say what the spec is about.

Problem description
===================

What is missing.

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  <launchpad-id or None>

Other contributors:
  <launchpad-id or None>

Milestones
----------

Target Milestone for completion:

Work Items
----------

The steps.
"""

# An existing spec that has drifted from its blueprint: old title, old assignee,
# old milestone. CRLF would hide nothing here; the byte-exact cases live in specdoc's tests.
EXISTING = """\
..
  How to write a spec for this project: copy this file, name it after
  the blueprint, e.g. https://blueprints.launchpad.net/nova/+spec/example
  becomes example.rst.

======================================
 Hot-plug vDPA ports into live guests
======================================

https://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug

vDPA ports can only be attached at boot today.

Problem description
===================

Operators want to add   vDPA ports later.\t

Implementation
==============

Assignee(s)
-----------

Primary assignee:
  bob-nguyen

Other contributors:
  chandra

Milestones
----------

Target Milestone for completion:
  zed-2

Work Items
----------

* Attach.
* Detach.
"""

SETUP_CFG = "[lpsync]\nproject = nova\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def repo(tmp_path: Path, git_env: None) -> Path:
    return make_repo(
        tmp_path / "nova-specs",
        {
            "setup.cfg": SETUP_CFG,
            "specs/template.rst": TEMPLATE,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
            "README.rst": "Nova specs\n",
        },
    )


@pytest.fixture
def lpsync(runner: CliRunner, sandbox: Sandbox, tmp_path: Path) -> Callable[..., object]:
    """Run the CLI against the stand-in with a cold cache; the log starts empty."""

    def run(*args: str, timeout: float = 5.0) -> object:
        sandbox.clear_requests()
        return runner.invoke(
            app,
            [
                "--service-root",
                sandbox.service_root,
                "--cache-dir",
                str(tmp_path / f"cache-{len(list(tmp_path.iterdir()))}"),
                "--timeout",
                str(timeout),
                *args,
            ],
        )

    return run


def committed_paths(repo: Path) -> list[str]:
    """The files the last commit touched."""
    return git(repo, "show", "--name-only", "--format=", "HEAD").split()


def _requests(sandbox: Sandbox) -> list[str]:
    return [f"{r.path}?{r.query}" if r.query else r.path for r in sandbox.requests]


# -- scaffolding ----------------------------------------------------------------------


def test_scaffold_a_new_spec_from_the_repo_template_on_its_own_branch(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 0, result.output

    # The milestone antelope-1 belongs to the antelope series: that is the folder.
    spec = repo / "specs/antelope/unified-limits-nova.rst"
    text = spec.read_text()
    assert "=====================================\n Use unified limits for quota in nova\n" in text
    assert "\nhttps://blueprints.launchpad.net/nova/+spec/unified-limits-nova\n" in text
    assert "Primary assignee:\n  bob-nguyen\n" in text
    assert "Target Milestone for completion: antelope-1\n" in text
    # The rest of the template stays as the author's starting point.
    assert "How to write a spec for this project" in text
    assert "Problem description\n===================\n\nWhat is missing.\n" in text

    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "bp/unified-limits-nova"
    assert committed_paths(repo) == ["specs/antelope/unified-limits-nova.rst"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "Add spec for blueprint unified-limits-nova"
    assert "Use unified limits for quota in nova" in message
    assert message.rstrip().endswith("Implements: blueprint unified-limits-nova")
    assert git(repo, "status", "--porcelain") == ""

    # Login 2 + getSpecification 1 + the milestone's series 1.
    assert len(sandbox.requests) == 4, _requests(sandbox)


def test_scaffold_into_release_given_costs_no_series_lookup(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    result = lpsync("pull", "nova/unified-limits-nova", "--release", "2023.1", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert (repo / "specs/2023.1/unified-limits-nova.rst").is_file()
    assert len(sandbox.requests) == 3, _requests(sandbox)


def test_scaffold_without_milestone_or_release_asks_for_release(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    before = snapshot(repo)
    result = lpsync("pull", "vnc-console-tls", "--repo", str(repo))
    assert result.exit_code == 2
    assert "--release" in result.stderr
    assert snapshot(repo) == before


def test_a_target_milestone_launchpad_does_not_have_is_named(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    sandbox.add_fault(r"^/devel/nova/\+milestone/antelope-1$", status=404)
    before = snapshot(repo)
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 2
    assert result.stderr == (
        "lpsync: error: blueprint unified-limits-nova targets milestone antelope-1, which "
        "Launchpad does not have (no nova/+milestone/antelope-1); pass --release SERIES\n"
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize("ref", ["vnc-console-tls", "unified-limits-nova"])  # no milestone, one
def test_a_layout_without_series_needs_neither_release_nor_milestone(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object], sandbox: Sandbox, ref: str
) -> None:
    repo = make_repo(
        tmp_path / "flat-specs",
        {
            "setup.cfg": SETUP_CFG + "layout = approved/{name}.rst\n",
            "specs/template.rst": TEMPLATE,
        },
    )
    result = lpsync("pull", ref, "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert (repo / f"specs/approved/{ref}.rst").is_file()
    assert not any("+milestone" in path for path in _requests(sandbox))  # no series asked


def test_scaffold_uses_the_packaged_template_when_the_repo_has_none(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
) -> None:
    bare = make_repo(tmp_path / "bare-specs", {"setup.cfg": SETUP_CFG})
    result = lpsync("pull", "vnc-console-tls", "--release", "antelope", "--repo", str(bare))
    assert result.exit_code == 0, result.output
    text = (bare / "specs/antelope/vnc-console-tls.rst").read_text()
    assert "TLS between proxy and compute VNC servers" in text
    assert "Proposed change\n===============" in text


# -- updating -------------------------------------------------------------------------


def test_update_changes_only_the_drifted_lines(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    diff = git(repo, "diff", "master", "bp/libvirt-vdpa-hotplug", "--unified=0", "--no-color")
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "- Hot-plug vDPA ports into live guests",
        "+ Support hot-plugging vDPA interfaces",
        "-  bob-nguyen",
        "+  alice-k",
        "-  zed-2",
        "+  zed-3",
    ]
    assert (
        "Operators want to add   vDPA ports later.\t\n"
        in (repo / "specs/zed/libvirt-vdpa-hotplug.rst").read_text()
    )
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        "Update spec for blueprint libvirt-vdpa-hotplug"
    )
    # Updating needs no series: login 2 + getSpecification 1, and the assignee once:
    # only the display name can tell whether "bob-nguyen" names alice-k (audit's rule).
    assert len(sandbox.requests) == 4, _requests(sandbox)
    assert sandbox.requests[-1].path == "/devel/~alice-k"


def test_a_spec_linking_the_blueprint_wins_over_a_file_named_after_it(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
) -> None:
    renamed = EXISTING.replace("Hot-plug vDPA ports into live guests", "Renamed spec title   ")
    repo = make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": SETUP_CFG,
            "specs/zed/vdpa.rst": EXISTING,
            "specs/zed/libvirt-vdpa-hotplug.rst": renamed.replace(
                "+spec/libvirt-vdpa-hotplug", "+spec/some-other-blueprint"
            ),
        },
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/vdpa.rst"]


def test_among_specs_linking_the_blueprint_the_one_named_after_it_is_pulled(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
) -> None:
    # cinder's group-snapshots.rst links generic-volume-group as its primary link, as
    # generic-volume-group.rst does; here the other one is even in a newer release.
    other = EXISTING.replace("Hot-plug vDPA ports into live guests", "vDPA follow-up work  ")
    repo = make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": SETUP_CFG,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
            "specs/antelope/vdpa-follow-up.rst": other,
        },
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/libvirt-vdpa-hotplug.rst"]


def test_a_mixed_case_link_is_the_specs_link_not_a_missing_one(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    link = "https://Blueprints.Launchpad.net/nova/+spec/libvirt-vdpa-hotplug"
    canonical = "https://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug"
    spec = EXISTING.replace(canonical, link)
    # Not named after the blueprint: only its link says whose spec it is.
    repo = make_repo(
        tmp_path / "nova-specs",
        {"setup.cfg": SETUP_CFG, "specs/template.rst": TEMPLATE, "specs/zed/vdpa.rst": spec},
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/vdpa.rst"]
    text = (repo / "specs/zed/vdpa.rst").read_text()
    assert text.lower().count(canonical) == 1  # not added a second time


@pytest.mark.parametrize("rerun_from", ["bp/libvirt-vdpa-hotplug", "master"])
def test_rerun_is_a_no_op_and_does_not_switch_branches(
    repo: Path, lpsync: Callable[..., object], rerun_from: str
) -> None:
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    git(repo, "switch", "-q", rerun_from)
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert snapshot(repo) == before


def test_an_existing_branch_gets_a_new_commit_on_top(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    # Somebody else's commit on top of lpsync's: a re-pull adds a commit, amends none.
    (repo / "notes.txt").write_text("review notes\n")
    git(repo, "add", "notes.txt")
    git(repo, "commit", "-q", "-m", "Reviewer's follow-up")
    git(repo, "switch", "-q", "master")
    first = git(repo, "rev-parse", "bp/libvirt-vdpa-hotplug").strip()
    key = ("nova", "libvirt-vdpa-hotplug")
    sandbox.data.blueprints[key] = replace(sandbox.data.blueprints[key], title="Hot-plug vDPA, v2")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert git(repo, "rev-parse", "HEAD~1").strip() == first
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "bp/libvirt-vdpa-hotplug"
    # A shorter title: the over- and underline follow its length.
    assert (
        "===================\n Hot-plug vDPA, v2\n===================\n"
        in (repo / "specs/zed/libvirt-vdpa-hotplug.rst").read_text()
    )


def test_dry_run_prints_the_diff_and_plan_and_changes_nothing(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--dry-run", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "--- a/specs/zed/libvirt-vdpa-hotplug.rst" in result.stdout
    assert "+ Support hot-plugging vDPA interfaces" in result.stdout
    assert "would create branch bp/libvirt-vdpa-hotplug" in result.stdout
    assert "would commit specs/zed/libvirt-vdpa-hotplug.rst" in result.stdout
    assert snapshot(repo) == before


def test_no_commit_writes_the_file_only(repo: Path, lpsync: Callable[..., object]) -> None:
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--no-commit", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "master"
    assert git(repo, "status", "--porcelain").strip() == "M specs/zed/libvirt-vdpa-hotplug.rst"
    assert "bp/" not in git(repo, "branch")


def test_file_mode_survives_an_update(repo: Path, lpsync: Callable[..., object]) -> None:
    spec = repo / "specs/zed/libvirt-vdpa-hotplug.rst"
    spec.chmod(0o640)
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    assert stat.S_IMODE(spec.stat().st_mode) == 0o640


def test_project_group_blueprint_found_among_members(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
) -> None:
    repo = make_repo(tmp_path / "oslo-specs", {"setup.cfg": "[lpsync]\nproject = oslo\n"})
    result = lpsync("pull", "rabbit-quorum-queues", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    text = (repo / "specs/zed/rabbit-quorum-queues.rst").read_text()
    assert "https://blueprints.launchpad.net/oslo.messaging/+spec/rabbit-quorum-queues" in text
    # Login 2, the group's getSpecification (400) 1, the group listing 1, the series 1.
    assert len(sandbox.requests) == 5, _requests(sandbox)


# -- git integration -------------------------------------------------------------------

CHANGE_ID_HOOK = """#!/bin/sh
# A stand-in for Gerrit's commit-msg hook: append a Change-Id footer.
printf '\\nChange-Id: I%s\\n' "$(git hash-object "$1")" >> "$1"
"""


def test_commit_msg_hook_runs_and_the_commit_carries_the_change_id(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text(CHANGE_ID_HOOK)
    hook.chmod(0o755)
    assert lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)).exit_code == 0
    message = git(repo, "log", "-1", "--format=%B")
    assert "\nChange-Id: I" in message
    assert "Related: blueprint libvirt-vdpa-hotplug" in message


def test_a_failing_hook_rolls_everything_back(repo: Path, lpsync: Callable[..., object]) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'spec lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(repo)
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 3
    assert "git commit" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(repo) == before
    assert not (repo / "specs/antelope").exists()


# -- refusals: exit 3, repo untouched --------------------------------------------------


def _stage_other_file(repo: Path) -> None:
    (repo / "README.rst").write_text("Nova specs, edited\n")
    git(repo, "add", "README.rst")


def _edit_spec(repo: Path) -> None:
    spec = repo / "specs/zed/libvirt-vdpa-hotplug.rst"
    spec.write_text(spec.read_text() + "\nAn unfinished thought.\n")


@pytest.mark.parametrize(
    ("make_state", "message"),
    [
        (_stage_other_file, "the index holds staged changes (README.rst)"),
        (_edit_spec, "specs/zed/libvirt-vdpa-hotplug.rst: has uncommitted changes"),
        (start_merge_conflict, "a merge is in progress"),
        (start_rebase_conflict, "rebase"),
    ],
)
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_refusals_leave_the_repo_as_found(
    repo: Path,
    lpsync: Callable[..., object],
    make_state: Callable[[Path], None],
    message: str,
    dry_run: list[str],
) -> None:
    # A dry run reports the refusal the run would meet, in the same words.
    args = ["pull", "libvirt-vdpa-hotplug", "--repo", str(repo), *dry_run]
    assert_refused_as_found(repo, make_state, lambda: lpsync(*args), message)


def test_untracked_files_elsewhere_do_not_matter(repo: Path, lpsync: Callable[..., object]) -> None:
    (repo / "notes.txt").write_text("scratch\n")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert (repo / "notes.txt").read_text() == "scratch\n"
    assert "notes.txt" not in git(repo, "show", "--name-only", "--format=", "HEAD")


# -- Launchpad failures and bad input --------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"hang": True},
        {"drop": True},
        {"malformed": True},
        {"latency": 3.0},
        {"body": b"[1, 2]"},
        {"body": b'{"name": "../../etc", "title": "x"}'},
    ],
    ids=["status-500", "hang", "drop", "malformed", "slow", "wrong-shape", "bad-name"],
)
def test_stand_in_faults_exit_3_and_leave_the_repo_unchanged(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, fault: dict[str, object]
) -> None:
    sandbox.add_fault("getSpecification", **fault)
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo), timeout=1.0)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("lpsync: error: Launchpad")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert snapshot(repo) == before


def test_unknown_blueprint_is_exit_1_naming_it(repo: Path, lpsync: Callable[..., object]) -> None:
    before = snapshot(repo)
    result = lpsync("pull", "no-such-blueprint", "--repo", str(repo))
    assert result.exit_code == 1
    assert "nova/no-such-blueprint" in result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize("ref", ["../../etc/passwd", "Bad_Name", "nova/../../x", ".hidden"])
def test_bad_names_are_exit_2_before_any_request(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, ref: str
) -> None:
    before = snapshot(repo)
    result = lpsync("pull", ref, "--repo", str(repo))
    assert result.exit_code == 2, result.output
    assert "not a valid Launchpad name" in result.stderr
    assert sandbox.requests == []
    assert snapshot(repo) == before


def test_a_bad_config_is_exit_2(repo: Path, lpsync: Callable[..., object]) -> None:
    (repo / "setup.cfg").write_text("[lpsync]\nproject = nova\nlayuot = x\n")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 2
    assert "setup.cfg [lpsync]: unknown key 'layuot'" in result.stderr


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
@pytest.mark.parametrize("rules", [".gitignore", ".git/info/exclude"])
def test_a_new_spec_in_an_ignored_folder_is_refused_naming_the_rule(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, rules: str, dry_run: list[str]
) -> None:
    (repo / rules).write_text("# release folders in the making\nspecs/antelope/\n")
    if rules == ".gitignore":
        git(repo, "add", ".gitignore")
        git(repo, "commit", "-q", "-m", "Ignore antelope")
    before = snapshot(repo)
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo), *dry_run)
    assert result.exit_code == 3
    assert result.stderr == (
        f"lpsync: error: specs/antelope/unified-limits-nova.rst: ignored by git "
        f"({rules}:2:specs/antelope/), so it cannot be committed; change that rule, "
        "or use --no-commit\n"
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize("link", ["specs/zed/libvirt-vdpa-hotplug.rst", "specs/zed"])
def test_a_symlink_leading_out_of_the_repo_is_named_not_the_layout(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object], sandbox: Sandbox, link: str
) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "zed").mkdir(parents=True)
    (outside / "zed/libvirt-vdpa-hotplug.rst").write_text(EXISTING)
    target = outside / "zed" if link == "specs/zed" else outside / "zed/libvirt-vdpa-hotplug.rst"
    repo = make_repo(
        tmp_path / "nova-specs",
        {"setup.cfg": SETUP_CFG, "specs/template.rst": TEMPLATE},
        symlinks={link: str(target)},
    )
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 2
    assert result.stderr == (
        f"lpsync: error: {link}: a symbolic link to {target}, outside the repository; "
        "lpsync writes specs only inside it\n"
    )
    assert snapshot(repo) == before
    assert (outside / "zed/libvirt-vdpa-hotplug.rst").read_text() == EXISTING


@pytest.mark.parametrize("title", ["", " \t\x07\n"])  # nothing left once cleaned
@pytest.mark.parametrize("ref", ["libvirt-vdpa-hotplug", "unified-limits-nova"])  # update, new
def test_an_empty_title_is_launchpads_fault_exit_3(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, ref: str, title: str
) -> None:
    key = ("nova", ref)
    sandbox.data.blueprints[key] = replace(sandbox.data.blueprints[key], title=title)
    before = snapshot(repo)
    result = lpsync("pull", ref, "--repo", str(repo))
    assert result.exit_code == 3
    assert (
        result.stderr == f"lpsync: error: blueprint nova/{ref} on Launchpad: its title is empty\n"
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_not_a_git_repo_is_exit_3_and_says_what_works_there(
    tmp_path: Path, lpsync: Callable[..., object], sandbox: Sandbox, dry_run: list[str]
) -> None:
    plain = tmp_path / "plain"
    (plain / "specs/zed").mkdir(parents=True)
    (plain / "setup.cfg").write_text(SETUP_CFG)
    (plain / "specs/zed/libvirt-vdpa-hotplug.rst").write_text(EXISTING)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(plain), *dry_run)
    assert result.exit_code == 3
    assert result.stderr == (
        f"lpsync: error: {plain}: not inside a git repository; "
        "--no-commit only writes the spec file\n"
    )
    assert sandbox.requests == []
    written = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(plain), "--no-commit")
    assert written.exit_code == 0, written.output
    assert "zed-3" in (plain / "specs/zed/libvirt-vdpa-hotplug.rst").read_text()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_a_repository_git_distrusts_is_refused_in_gits_terms(
    repo: Path,
    lpsync: Callable[..., object],
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    dry_run: list[str],
) -> None:
    before = snapshot(repo)
    # git's own switch (setup.c) that treats every repository as another user's: the
    # refusal a clone owned by someone else meets, without needing a second user.
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo), *dry_run)
    assert result.exit_code == 3
    assert result.stderr == (
        f"lpsync: error: {repo}: git refuses to work in a repository another user owns "
        f"(dubious ownership); if you trust it: git config --global --add safe.directory "
        f"{repo}\n"
    )
    assert sandbox.requests == []
    monkeypatch.delenv("GIT_TEST_ASSUME_DIFFERENT_OWNER")
    assert snapshot(repo) == before


@pytest.mark.parametrize("release", ["../../outside", "zed/../..", "/tmp"])
def test_a_release_that_would_leave_the_repo_is_exit_2(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, release: str
) -> None:
    before = snapshot(repo)
    result = lpsync("pull", "unified-limits-nova", "--release", release, "--repo", str(repo))
    assert result.exit_code == 2, result.output
    assert "not a valid series name" in result.stderr
    assert sandbox.requests == []
    assert snapshot(repo) == before


def test_a_spec_that_exists_only_on_its_branch_is_updated_there(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox
) -> None:
    assert lpsync("pull", "unified-limits-nova", "--repo", str(repo)).exit_code == 0
    git(repo, "switch", "-q", "master")
    key = ("nova", "unified-limits-nova")
    sandbox.data.blueprints[key] = replace(sandbox.data.blueprints[key], assignee="chandra")
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "updated" in result.stdout
    # lpsync's own unmerged commit is amended: still one review for the blueprint.
    assert git(repo, "log", "--format=%s", "bp/unified-limits-nova").splitlines() == [
        "Add spec for blueprint unified-limits-nova",
        "Initial specs",
    ]
    assert (
        "Primary assignee:\n  chandra\n"
        in (repo / "specs/antelope/unified-limits-nova.rst").read_text()
    )


def test_from_a_detached_head_the_branch_starts_at_that_commit(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-q", "--detach", head)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert git(repo, "rev-parse", "HEAD~1").strip() == head
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "bp/libvirt-vdpa-hotplug"


def test_a_failure_from_a_detached_head_goes_back_to_it(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    git(repo, "switch", "-q", "--detach", "HEAD")
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert result.stderr == "lpsync: error: git commit: failed with exit status 1\n"
    assert snapshot(repo) == before


def test_an_unreadable_template_is_one_line_naming_it(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    (repo / "specs/template.rst").write_bytes(b"\xff\xfe not text\n")
    git(repo, "commit", "-qam", "break the template")
    before = snapshot(repo)
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 2
    assert "specs/template.rst: template is not UTF-8 text" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(repo) == before


def test_a_spec_that_only_mentions_the_blueprint_is_not_its_spec(
    tmp_path: Path, lpsync: Callable[..., object]
) -> None:
    mention = EXISTING.replace("+spec/libvirt-vdpa-hotplug", "+spec/nova-manage-image-properties")
    mention += "\nReferences\n==========\n\nhttps://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug\n"
    repo = make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": SETUP_CFG,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
            "specs/zed/nova-manage-image-properties.rst": mention,
        },
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/libvirt-vdpa-hotplug.rst"]


def test_the_newest_release_copy_is_the_one_updated(
    tmp_path: Path, lpsync: Callable[..., object]
) -> None:
    # Codenames sort after numbers as text; by release, 2023.1 comes after zed.
    repo = make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": SETUP_CFG,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
            "specs/2023.1/libvirt-vdpa-hotplug.rst": EXISTING,
            "specs/yoga/libvirt-vdpa-hotplug.rst": EXISTING,
        },
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/2023.1/libvirt-vdpa-hotplug.rst"]


def test_specs_dir_behind_a_symlink_inside_the_repo(
    tmp_path: Path, lpsync: Callable[..., object]
) -> None:
    repo = make_repo(
        tmp_path / "specs-repo",
        {"setup.cfg": SETUP_CFG, "doc/specs/zed/libvirt-vdpa-hotplug.rst": EXISTING},
    )
    (repo / "specs").symlink_to("doc/specs")
    git(repo, "add", "specs")
    git(repo, "commit", "-qm", "link specs")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["doc/specs/zed/libvirt-vdpa-hotplug.rst"]


def test_a_failed_write_is_one_line_exit_3(repo: Path, lpsync: Callable[..., object]) -> None:
    (repo / "specs/antelope").write_text("a file where the release folder should be\n")
    result = lpsync("pull", "unified-limits-nova", "--no-commit", "--repo", str(repo))
    assert result.exit_code == 3
    assert "specs/antelope/unified-limits-nova.rst: cannot write" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("flag", ["--no-commit", "--dry-run", "--commit"])
def test_a_missing_repo_is_exit_2_and_nothing_is_created(
    tmp_path: Path, lpsync: Callable[..., object], flag: str
) -> None:
    missing = tmp_path / "no-such-repo"
    result = lpsync("pull", "nova/libvirt-vdpa-hotplug", flag, "--repo", str(missing))
    assert result.exit_code == 2
    assert "not a directory" in result.stderr
    assert not missing.exists()


def test_ctrl_c_during_the_commit_rolls_back(repo: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(INTERRUPTING_HOOK)
    hook.chmod(0o755)
    before = snapshot(repo)
    done = lpsync_process(
        "--service-root",
        sandbox.service_root,
        "--cache-dir",
        str(tmp_path / "c"),
        "pull",
        "libvirt-vdpa-hotplug",
        "--repo",
        str(repo),
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "lpsync: interrupted\n"  # not "git commit: failed", not exit 3
    assert snapshot(repo) == before


# SIGINT to lpsync alone (a supervisor's kill -INT, a CI timeout): git goes on and
# its commit lands a moment later, after lpsync has begun to roll back.
LATE_COMMIT_HOOK = """#!/bin/sh
kill -INT $(ps -o ppid= -p $PPID | tr -d ' ')
sleep 0.5
"""


def pull_in_a_process(repo: Path, sandbox: Sandbox, tmp_path: Path) -> Any:
    """``lpsync pull libvirt-vdpa-hotplug`` as its own process, for a hook to signal."""
    return lpsync_process(
        *("--service-root", sandbox.service_root, "--cache-dir", str(tmp_path / "c")),
        *("pull", "libvirt-vdpa-hotplug", "--repo", str(repo)),
    )


@pytest.mark.parametrize("hook_name", ["commit-msg", "post-commit"])  # before, after the ref
def test_an_interrupt_only_lpsync_gets_waits_for_git_then_rolls_back(
    repo: Path, sandbox: Sandbox, tmp_path: Path, hook_name: str
) -> None:
    hook = repo / ".git/hooks" / hook_name
    hook.write_text(LATE_COMMIT_HOOK)
    hook.chmod(0o755)
    before = snapshot(repo)
    done = pull_in_a_process(repo, sandbox, tmp_path)
    assert done.returncode == 130, done.stderr
    assert done.stderr == "lpsync: interrupted\n"
    assert snapshot(repo) == before


@pytest.mark.parametrize("branch", ["@", "@{-1}", "a b", "x..y", "HEAD"])
def test_a_bad_branch_is_exit_2_before_any_request(
    repo: Path, lpsync: Callable[..., object], sandbox: Sandbox, branch: str
) -> None:
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--branch", branch, "--repo", str(repo))
    assert result.exit_code == 2, result.output
    assert "not a valid git branch name" in result.stderr
    assert sandbox.requests == []
    assert snapshot(repo) == before


def test_an_intro_that_mentions_the_blueprint_does_not_make_the_spec_its_own(
    tmp_path: Path, lpsync: Callable[..., object]
) -> None:
    intro = EXISTING.replace(
        "+spec/libvirt-vdpa-hotplug\n",
        "+spec/pci-device-tracking-in-placement\n\nThis builds on the vDPA work\n"
        "(https://blueprints.launchpad.net/nova/+spec/libvirt-vdpa-hotplug).\n",
    )
    repo = make_repo(
        tmp_path / "specs-repo",
        {
            "setup.cfg": SETUP_CFG,
            "specs/antelope/pci-device-tracking-in-placement.rst": intro,
            "specs/zed/libvirt-vdpa-hotplug.rst": EXISTING,
        },
    )
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/libvirt-vdpa-hotplug.rst"]


def test_an_existing_branch_in_a_repo_with_autocrlf(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    git(repo, "config", "core.autocrlf", "true")
    for spec in (repo / "specs").rglob("*.rst"):
        spec.unlink()
    git(repo, "checkout", "-q", "--", ".")  # checked out again, now with CRLF
    git(repo, "branch", "bp/libvirt-vdpa-hotplug")
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert committed_paths(repo) == ["specs/zed/libvirt-vdpa-hotplug.rst"]
    text = (repo / "specs/zed/libvirt-vdpa-hotplug.rst").read_bytes()
    assert b" Support hot-plugging vDPA interfaces\r\n" in text


def test_a_failed_pull_in_a_repo_without_commits_leaves_head_on_its_branch(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    repo = tmp_path / "new-specs"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "master")
    (repo / "setup.cfg").write_text(SETUP_CFG)
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    result = lpsync("pull", "unified-limits-nova", "--repo", str(repo))
    assert result.exit_code == 3
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/master"
    assert git(repo, "status", "--porcelain") == "?? setup.cfg\n"


def test_a_hook_error_is_reported_in_gits_own_last_words(
    repo: Path, lpsync: Callable[..., object]
) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(
        "#!/bin/sh\necho first >&2\necho 'spec lint: bad title' >&2\necho >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    assert result.stderr == "lpsync: error: git commit: spec lint: bad title\n"


@pytest.mark.skipif(shutil.which("gpg") is None, reason="needs gpg, which git signs with")
def test_a_signing_failure_keeps_gits_words_for_the_cause(
    repo: Path, lpsync: Callable[..., object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signing asked for, and a real gpg with an empty keyring: no key to sign with.
    git(repo, "config", "commit.gpgsign", "true")
    keyring = tmp_path / "gnupg"
    keyring.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(keyring))
    before = snapshot(repo)
    result = lpsync("pull", "libvirt-vdpa-hotplug", "--repo", str(repo))
    assert result.exit_code == 3
    [line] = result.stderr.splitlines()
    assert line.startswith("lpsync: error: git commit: error: gpg failed to sign the data")
    assert line.endswith("; fatal: failed to write commit object")
    assert snapshot(repo) == before
