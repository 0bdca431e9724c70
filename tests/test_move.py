"""`lpsync move`: real git repos shaped like nova-specs and like oslo-specs, the
stand-in over HTTP."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clirun import lpsync_runner
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
from helpers_audit import bp_url, spec
from typer.testing import CliRunner

from lpsync.cli import app
from lpsync.sandbox import Sandbox, SandboxData

# name, definition status, implementation status
BLUEPRINTS = [
    ("done-thing", "Approved", "Implemented"),
    ("renamed-bp", "Approved", "Implemented"),  # its spec is misnamed old-name.rst
    ("reproposed", "Approved", "Implemented"),  # copies in zed and antelope
    ("earlier", "Approved", "Implemented"),  # already under implemented/
    ("ongoing", "Approved", "Started"),
    ("dead-thing", "Obsolete", "Unknown"),
    ("replaced-thing", "Superseded", "Not started"),
    ("dead-but-done", "Superseded", "Implemented"),  # implemented wins
    ("dead-again", "Obsolete", "Unknown"),  # re-proposed in zed and 2023.1, then dropped
]


@pytest.fixture(scope="module")
def move_sandbox() -> Iterator[Sandbox]:
    data = SandboxData()
    data.add_person(name="jdoe", display_name="Jane Doe")
    data.add_project(name="nova", display_name="Nova")
    data.add_series(project="nova", name="zed")
    for name, definition, impl in BLUEPRINTS:
        data.add_blueprint(
            project="nova",
            name=name,
            title=name.replace("-", " ").capitalize(),
            definition_status=definition,
            implementation_status=impl,
        )
    with Sandbox.from_model(data) as server:
        yield server


def nova_spec(name: str, file_name: str | None = None) -> str:
    return spec(name.replace("-", " ").capitalize(), bp_url("nova", name), "jdoe")


TEMPLATE = spec("Example", bp_url("nova", "example"), "<launchpad-id>")

NOVA_FILES = {
    "setup.cfg": "[lpsync]\nproject = nova\nlayout = {series}/approved/{name}.rst\n",
    "specs/zed-template.rst": TEMPLATE,
    "specs/2023.1-template.rst": TEMPLATE,
    "specs/zed/redirects": "approved/earlier.rst ../implemented/earlier.rst\n",
    "specs/zed/implemented/earlier.rst": nova_spec("earlier"),
    "specs/zed/approved/done-thing.rst": nova_spec("done-thing"),
    "specs/zed/approved/old-name.rst": nova_spec("renamed-bp"),
    "specs/zed/approved/dead-thing.rst": nova_spec("dead-thing"),
    "specs/zed/approved/ongoing.rst": nova_spec("ongoing"),
    "specs/zed/approved/reproposed.rst": nova_spec("reproposed"),
    "specs/zed/approved/dead-but-done.rst": nova_spec("dead-but-done"),
    "specs/2023.1/redirects": "",
    "specs/2023.1/approved/reproposed.rst": nova_spec("reproposed"),
    "specs/backlog/redirects": "approved/flavor-class.rst ../../abandoned/flavor-class.rst\n",
    "specs/backlog/approved/replaced-thing.rst": nova_spec("replaced-thing"),
    "specs/abandoned/flavor-class.rst": spec("Flavor class", bp_url("nova", "flavor-class")),
    # An old redirect that points at a spec about to move: the chain must not break.
    "specs/yoga/redirects": "approved/done-thing.rst ../../zed/approved/done-thing.rst\n",
}
# git cannot track an empty folder: nova keeps placeholder links to the template.
NOVA_LINKS = {
    "specs/zed/approved/zed-template.rst": "../../zed-template.rst",
    "specs/zed/implemented/zed-template.rst": "../../zed-template.rst",
    "specs/2023.1/approved/2023.1-template.rst": "../../2023.1-template.rst",
    "specs/2023.1/implemented/2023.1-template.rst": "../../2023.1-template.rst",
}


@pytest.fixture
def nova(tmp_path: Path, git_env: None) -> Path:
    return make_repo(tmp_path / "nova-specs", NOVA_FILES, NOVA_LINKS)


@pytest.fixture
def lpsync(move_sandbox: Sandbox, tmp_path: Path) -> Callable[..., object]:
    return lpsync_runner(move_sandbox, tmp_path, options_after=True)


def renames(repo: Path, rev: str = "HEAD") -> list[str]:
    out = git(repo, "show", "-M", "--name-status", "--format=", rev)
    return sorted(line for line in out.splitlines() if line.strip())


EXPECTED_RENAMES = [
    "M\tspecs/2023.1/redirects",
    "M\tspecs/backlog/redirects",
    "M\tspecs/yoga/redirects",
    "M\tspecs/zed/redirects",
    "R100\tspecs/2023.1/approved/reproposed.rst\tspecs/2023.1/implemented/reproposed.rst",
    "R100\tspecs/backlog/approved/replaced-thing.rst\tspecs/abandoned/replaced-thing.rst",
    "R100\tspecs/zed/approved/dead-but-done.rst\tspecs/zed/implemented/dead-but-done.rst",
    "R100\tspecs/zed/approved/dead-thing.rst\tspecs/abandoned/dead-thing.rst",
    "R100\tspecs/zed/approved/done-thing.rst\tspecs/zed/implemented/done-thing.rst",
    "R100\tspecs/zed/approved/old-name.rst\tspecs/zed/implemented/old-name.rst",
]


def test_moves_by_status_with_redirects_on_a_new_branch(
    nova: Path, lpsync: Callable[..., object], move_sandbox: Sandbox
) -> None:
    before = snapshot(nova)
    audited = lpsync("audit", "--repo", str(nova), "--format", "json")
    codes = [f["code"] for f in json.loads(audited.output)["findings"]]
    assert sorted(c for c in codes if c.startswith("LPS60")) == ["LPS602"] * 4 + ["LPS603"] * 2
    result = lpsync("move", "--repo", str(nova))
    assert result.exit_code == 0, result.output

    # git mv semantics: renames with the content byte for byte (R100), and the
    # redirects files in the same commit, on move/specs made from HEAD.
    assert renames(nova) == EXPECTED_RENAMES
    assert git(nova, "rev-parse", "--abbrev-ref", "HEAD").strip() == "move/specs"
    assert git(nova, "rev-parse", "HEAD~1").strip() == before.head.strip()
    assert git(nova, "status", "--porcelain") == ""
    moved = nova / "specs/zed/implemented/old-name.rst"  # misnamed: found by its link
    assert moved.read_bytes() == before.files["specs/zed/approved/old-name.rst"]

    # Existing lines kept in order, new ones appended sorted by file, in nova's form.
    assert (nova / "specs/zed/redirects").read_text() == (
        "approved/earlier.rst ../implemented/earlier.rst\n"
        "approved/dead-but-done.rst ../implemented/dead-but-done.rst\n"
        "approved/dead-thing.rst ../../abandoned/dead-thing.rst\n"
        "approved/done-thing.rst ../implemented/done-thing.rst\n"
        "approved/old-name.rst ../implemented/old-name.rst\n"
    )
    assert (nova / "specs/2023.1/redirects").read_text() == (
        "approved/reproposed.rst ../implemented/reproposed.rst\n"
    )
    assert (nova / "specs/backlog/redirects").read_text() == (
        "approved/flavor-class.rst ../../abandoned/flavor-class.rst\n"
        "approved/replaced-thing.rst ../../abandoned/replaced-thing.rst\n"
    )
    # The redirect that pointed at the moved spec now points at its new place.
    assert (nova / "specs/yoga/redirects").read_text() == (
        "approved/done-thing.rst ../../zed/implemented/done-thing.rst\n"
    )
    # Only the newest copy speaks: the zed copy of the re-proposed spec stays.
    assert (nova / "specs/zed/approved/reproposed.rst").is_file()
    assert (nova / "specs/zed/approved/ongoing.rst").is_file()

    message = git(nova, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "Move the implemented and abandoned specs"
    assert "* nova/renamed-bp: Implemented\n  specs/zed/approved/old-name.rst\n" in message
    assert "moved specs/zed/approved/old-name.rst -> specs/zed/implemented/old-name.rst" in (
        result.output
    )
    assert "specs/zed/redirects: + approved/dead-thing.rst ../../abandoned/dead-thing.rst" in (
        result.output
    )

    # Audit's bulk reads: login 2 + the project's one listing page; none per spec.
    paths = [r.path for r in move_sandbox.requests]
    assert paths == ["/devel/", "/devel/", "/devel/nova/all_specifications"], paths

    # lint finds every redirect sound (sources gone, targets there), and audit agrees
    # that each spec now sits where its blueprint's status says.
    redirects = [str(p) for p in sorted((nova / "specs").rglob("redirects"))]
    linted = lpsync("lint", *redirects, "--repo", str(nova), "--format", "json")
    assert json.loads(linted.output)["findings"] == [], linted.output
    audited = lpsync("audit", "--repo", str(nova), "--format", "json")
    codes = {f["code"] for f in json.loads(audited.output)["findings"]}
    assert not codes & {"LPS601", "LPS602", "LPS603", "LPS604"}, audited.output

    # A second run finds nothing to move and makes no commit.
    head = git(nova, "rev-parse", "HEAD")
    again = lpsync("move", "--repo", str(nova))
    assert again.exit_code == 0, again.output
    assert "nothing to move" in again.output
    assert git(nova, "rev-parse", "HEAD") == head
    assert git(nova, "status", "--porcelain") == ""


def test_a_dropped_re_proposal_is_abandoned_once_and_a_second_run_finds_nothing(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    # In abandoned/ the newest copy leaves its release folder: the zed copy it
    # outranked is still history, not the next copy to abandon (over the first).
    files = {
        "setup.cfg": NOVA_FILES["setup.cfg"],
        "specs/zed/approved/dead-again.rst": nova_spec("dead-again"),
        "specs/2023.1/approved/dead-again.rst": nova_spec("dead-again"),
        "specs/abandoned/flavor-class.rst": spec("Flavor class", bp_url("nova", "flavor-class")),
    }
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    first = lpsync("move", "--repo", str(repo))
    assert first.exit_code == 0, first.output
    assert renames(repo) == [
        "R100\tspecs/2023.1/approved/dead-again.rst\tspecs/abandoned/dead-again.rst"
    ]
    for args in (["--dry-run"], [], [str(repo / "specs/zed")], ["--release", "zed"]):
        again = lpsync("move", "--repo", str(repo), *args)
        assert again.exit_code == 0, again.output
        assert again.output.startswith("nothing to move"), again.output
    assert (repo / "specs/zed/approved/dead-again.rst").is_file()


def test_request_count_is_the_listing_pages_never_one_per_spec(
    tmp_path: Path, git_env: None
) -> None:
    # 700 blueprints (3 listing pages of 300); the 30 specs' blueprints are on the last.
    data = SandboxData()
    data.add_project(name="nova", display_name="Nova")
    files = {"setup.cfg": "[lpsync]\nproject = nova\n", "specs/abandoned/old.rst": "x\n"}
    for i in range(700):
        name = f"spec-{i:03d}"
        status = "Implemented" if i % 2 else "Started"
        data.add_blueprint(project="nova", name=name, title=name, implementation_status=status)
        if i >= 670:
            files[f"specs/zed/approved/{name}.rst"] = spec(name, bp_url("nova", name))
    files["specs/zed/implemented/keep.rst"] = spec("keep", bp_url("nova", "spec-999"))
    repo = make_repo(tmp_path / "big", files)
    with Sandbox.from_model(data) as server:
        args = ["move", "--repo", str(repo), "--service-root", server.service_root]
        result = CliRunner().invoke(app, [*args, "--cache-dir", str(tmp_path / "cache")])
        assert result.exit_code == 0, result.output
        assert result.output.count("moved ") == 15
        paths = [r.path for r in server.requests]
        assert paths == ["/devel/", "/devel/"] + ["/devel/nova/all_specifications"] * 3


def test_release_by_number_or_codename_moves_only_that_folder(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    # 2023.1 is antelope: the folder may be named either way.
    result = lpsync("move", "--repo", str(nova), "--release", "antelope")
    assert result.exit_code == 0, result.output
    assert git(nova, "rev-parse", "--abbrev-ref", "HEAD").strip() == "move/antelope"
    assert renames(nova) == [
        "M\tspecs/2023.1/redirects",
        "R100\tspecs/2023.1/approved/reproposed.rst\tspecs/2023.1/implemented/reproposed.rst",
    ]
    message = git(nova, "log", "-1", "--format=%s").strip()
    assert message == "Move the implemented specs of antelope"

    zed = lpsync("move", "--repo", str(nova), "--release", "zed", "--branch", "release/zed")
    assert zed.exit_code == 0, zed.output
    assert git(nova, "rev-parse", "--abbrev-ref", "HEAD").strip() == "release/zed"
    assert "specs/zed/approved/reproposed.rst" not in zed.output  # an older copy
    assert (nova / "specs/backlog/approved/replaced-thing.rst").is_file()  # not zed's


def test_unknown_release_folder_is_a_usage_error(nova: Path, lpsync: Callable[..., object]) -> None:
    result = lpsync("move", "--repo", str(nova), "--release", "2024.1")
    assert result.exit_code == 2
    assert "specs/2024.1 or caracal: no such release folder" in result.output


def test_dry_run_prints_moves_and_redirect_lines_and_changes_nothing(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    before = snapshot(nova)
    result = lpsync("move", "--repo", str(nova), "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(nova) == before
    assert (
        "would move specs/zed/approved/dead-thing.rst -> specs/abandoned/dead-thing.rst "
        "(nova/dead-thing: Obsolete)\n" in result.output
    )
    assert "specs/2023.1/redirects: + approved/reproposed.rst ../implemented/reproposed.rst\n" in (
        result.output
    )
    assert (
        "specs/yoga/redirects: approved/done-thing.rst ../../zed/approved/done-thing.rst => "
        "approved/done-thing.rst ../../zed/implemented/done-thing.rst\n" in result.output
    )
    assert result.output.count("would move") == 6


def test_no_commit_moves_in_the_work_tree_and_index_only(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    before = snapshot(nova)
    result = lpsync("move", "--repo", str(nova), "--no-commit")
    assert result.exit_code == 0, result.output
    assert git(nova, "rev-parse", "HEAD") == before.head
    assert git(nova, "branch", "--list", "move/*") == ""
    staged = git(nova, "diff", "--cached", "-M", "--name-status").splitlines()
    assert sorted(staged) == EXPECTED_RENAMES
    assert git(nova, "status", "--porcelain", "--untracked-files=all").count("\n") == 10


@pytest.mark.parametrize(
    ("link", "target", "message"),
    [
        # A folder linked out of the repo: the spec would leave it, and git would
        # stage it beyond the link, dropping the link from the index.
        ("specs/abandoned", "{outside}", "specs/abandoned: is or passes through a symbolic link"),
        ("specs/zed/implemented", "../2023.1/implemented", "specs/zed/implemented: is or passes"),
        # A redirects file linked elsewhere: written, it would turn into a copy of
        # whatever it pointed at.
        ("specs/zed/redirects", "{outside}/redirects", "specs/zed/redirects: a symbolic link"),
    ],
)
def test_a_folder_or_redirects_file_that_is_a_symlink_is_a_refusal(
    tmp_path: Path,
    git_env: None,
    lpsync: Callable[..., object],
    link: str,
    target: str,
    message: str,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "redirects").write_text("secret\n")
    files = {k: v for k, v in NOVA_FILES.items() if k != link and not k.startswith(f"{link}/")}
    links = {k: v for k, v in NOVA_LINKS.items() if not k.startswith(f"{link}/")}
    links[link] = target.format(outside=outside)
    repo = make_repo(tmp_path / "nova-specs", files, links)
    before = snapshot(repo)
    for args in (["--dry-run"], []):
        result = lpsync("move", "--repo", str(repo), *args)
        assert result.exit_code == 3, result.output
        assert result.output.startswith(f"lpsync: error: {message}"), result.output
        assert result.output.count("\n") == 1
        assert snapshot(repo) == before
    assert list(outside.iterdir()) == [outside / "redirects"]


def test_a_failed_commit_rolls_everything_back(nova: Path, lpsync: Callable[..., object]) -> None:
    hook = nova / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'spec lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(nova)
    result = lpsync("move", "--repo", str(nova))
    assert result.exit_code == 3, result.output
    assert "spec lint failed" in result.output
    assert snapshot(nova) == before  # files, index, HEAD, branches as they were


def test_ctrl_c_after_the_commit_landed_on_the_new_branch_rolls_it_all_back(
    nova: Path, move_sandbox: Sandbox, tmp_path: Path
) -> None:
    # Ctrl-C as git finishes: the commit is made, the post-commit hook still runs.
    hook = nova / ".git/hooks/post-commit"
    hook.write_text(INTERRUPTING_HOOK)
    hook.chmod(0o755)
    before = snapshot(nova)
    args = ["--service-root", move_sandbox.service_root, "--cache-dir", str(tmp_path / "c")]
    done = lpsync_process(*args, "move", "--repo", str(nova))
    assert done.returncode == 130, done.stderr
    assert done.stderr == "lpsync: interrupted\n"
    assert snapshot(nova) == before  # not left on move/specs with the specs untracked


def _edit_spec(repo: Path) -> None:
    with (repo / "specs/zed/approved/done-thing.rst").open("a") as fh:
        fh.write("An uncommitted edit.\n")


def _stage_other_file(repo: Path) -> None:
    (repo / "README.rst").write_text("staged\n")
    git(repo, "add", "README.rst")


def _take_index_lock(repo: Path) -> None:
    (repo / ".git/index.lock").write_text("")


def _occupy_a_target(repo: Path) -> None:
    (repo / "specs/zed/implemented/done-thing.rst").write_text("Someone else's spec.\n")
    git(repo, "add", "specs")
    git(repo, "commit", "-qm", "Another spec")


def _move_the_branch_on(repo: Path) -> None:
    git(repo, "branch", "move/specs")
    git(repo, "commit", "-q", "--allow-empty", "-m", "Later work")


@pytest.mark.parametrize(
    ("make_state", "message"),
    [
        (
            _edit_spec,
            "specs/zed/approved/done-thing.rst: has uncommitted changes; commit or stash them "
            "first",
        ),
        (_stage_other_file, "the index holds staged changes (README.rst); commit or unstage"),
        (start_merge_conflict, "a merge is in progress; finish or abort it first"),
        (start_rebase_conflict, "rebase"),
        (_take_index_lock, ".git/index.lock: git's lock file exists"),
        (
            _occupy_a_target,
            "specs/zed/implemented/done-thing.rst: already exists; "
            "cannot move specs/zed/approved/done-thing.rst there",
        ),
        (_move_the_branch_on, "branch move/specs exists and differs from HEAD"),
    ],
)
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_refusals_as_pull_makes_them_in_a_dry_run_too(
    nova: Path,
    lpsync: Callable[..., object],
    make_state: Callable[[Path], None],
    message: str,
    dry_run: list[str],
) -> None:
    # A dry run meets the refusal the run would, in the same words, and changes nothing.
    run = functools.partial(lpsync, "move", "--repo", str(nova), *dry_run)
    assert_refused_as_found(nova, make_state, run, message)


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_outside_a_git_repository_is_a_refusal(
    tmp_path: Path, lpsync: Callable[..., object], dry_run: list[str]
) -> None:
    plain = tmp_path / "plain"
    for name, text in NOVA_FILES.items():
        (plain / name).parent.mkdir(parents=True, exist_ok=True)
        (plain / name).write_text(text)
    result = lpsync("move", "--repo", str(plain), *dry_run)
    assert result.exit_code == 3, result.output
    assert result.stderr == f"lpsync: error: {plain}: not inside a git repository\n"
    assert (plain / "specs/zed/approved/done-thing.rst").is_file()


def test_signoff_hooks_and_config_apply_as_in_pull(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = dict(NOVA_FILES)
    files["setup.cfg"] += "signoff = true\n"
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    hook = repo / ".git/hooks/commit-msg"
    hook.write_text('#!/bin/sh\nprintf "\\nChange-Id: I0123\\n" >> "$1"\n')
    hook.chmod(0o755)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    message = git(repo, "log", "-1", "--format=%B")
    assert "Signed-off-by: Spec Author <author@example.org>" in message
    assert "Change-Id: I0123" in message


def test_a_repo_without_redirects_files_gets_none(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {k: v for k, v in NOVA_FILES.items() if not k.endswith("redirects")}
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert [line for line in renames(repo) if not line.startswith("R100")] == []
    assert not list((repo / "specs").rglob("redirects"))


def test_a_missing_redirects_file_is_created_in_a_repo_that_keeps_them(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {k: v for k, v in NOVA_FILES.items() if k != "specs/2023.1/redirects"}
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    result = lpsync("move", "--repo", str(repo), "--release", "2023.1")
    assert result.exit_code == 0, result.output
    assert "A\tspecs/2023.1/redirects" in renames(repo)
    assert (repo / "specs/2023.1/redirects").read_bytes() == (
        b"approved/reproposed.rst ../implemented/reproposed.rst\n"
    )


def test_redirects_keep_their_line_endings_and_separator_and_gain_a_final_newline(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = dict(NOVA_FILES)
    files["specs/zed/redirects"] = (
        "approved/a.rst\t../implemented/a.rst\r\napproved/b.rst   ../x/b.rst"
    )
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    result = lpsync("move", "--repo", str(repo), "--release", "zed")
    assert result.exit_code == 0, result.output
    assert (repo / "specs/zed/redirects").read_bytes() == (
        b"approved/a.rst\t../implemented/a.rst\r\n"
        b"approved/b.rst   ../x/b.rst\r\n"
        b"approved/dead-but-done.rst\t../implemented/dead-but-done.rst\r\n"
        b"approved/dead-thing.rst\t../../abandoned/dead-thing.rst\r\n"
        b"approved/done-thing.rst\t../implemented/done-thing.rst\r\n"
        b"approved/old-name.rst\t../implemented/old-name.rst\r\n"
    )


OSLO_FILES = {
    "setup.cfg": "[lpsync]\nproject = nova\n",
    "specs/template.rst": TEMPLATE,
    "specs/zed/done-thing.rst": nova_spec("done-thing"),
    "specs/zed/dead-thing.rst": nova_spec("dead-thing"),
}


def test_a_redirect_away_from_a_target_is_a_refusal_naming_its_line(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    # done-thing was once moved back from implemented/ to approved/, leaving a
    # redirect from its implemented page: kept, it would replace the spec moved there
    # (and, pointed at the new place, redirect the page to itself).
    files = dict(NOVA_FILES)
    files["specs/zed/redirects"] += "implemented/done-thing.rst ../approved/done-thing.rst\n"
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    before = snapshot(repo)
    for args in (["--dry-run"], []):
        result = lpsync("move", "--repo", str(repo), *args)
        assert result.exit_code == 3, result.output
        assert result.output == (
            "lpsync: error: specs/zed/redirects:2: redirects implemented/done-thing.rst away, "
            "and specs/zed/approved/done-thing.rst would move there; remove the line first\n"
        )
        assert snapshot(repo) == before


def test_a_spec_whose_name_no_redirect_line_can_hold_is_a_refusal(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = dict(NOVA_FILES)
    files["specs/zed/approved/done thing.rst"] = files.pop("specs/zed/approved/done-thing.rst")
    repo = make_repo(tmp_path / "nova-specs", files, NOVA_LINKS)
    before = snapshot(repo)
    result = lpsync("move", "--repo", str(repo), "--release", "zed")
    assert result.exit_code == 3, result.output
    assert result.output == (
        "lpsync: error: specs/zed/approved/done thing.rst: a file name with whitespace "
        "cannot be written as a redirect in specs/zed/redirects; rename the spec first\n"
    )
    assert snapshot(repo) == before


def test_links_to_a_moved_spec_follow_it_in_the_same_commit(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    # ironic lists specs as links into approved/: left alone they would dangle.
    links = dict(NOVA_LINKS)
    links["specs/not-implemented/dead-thing.rst"] = "../zed/approved/dead-thing.rst"
    links["specs/zed/done.rst"] = "approved/done-thing.rst"
    repo = make_repo(tmp_path / "nova-specs", NOVA_FILES, links)
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before = snapshot(repo)
    failed = lpsync("move", "--repo", str(repo), "--release", "zed")
    assert failed.exit_code == 3, failed.output
    assert snapshot(repo) == before
    assert os.readlink(repo / "specs/zed/done.rst") == "approved/done-thing.rst"

    hook.unlink()
    result = lpsync("move", "--repo", str(repo), "--release", "zed")
    assert result.exit_code == 0, result.output
    assert os.readlink(repo / "specs/zed/done.rst") == "implemented/done-thing.rst"
    assert os.readlink(repo / "specs/not-implemented/dead-thing.rst") == (
        "../abandoned/dead-thing.rst"
    )
    assert "specs/zed/done.rst: link approved/done-thing.rst => implemented/done-thing.rst" in (
        result.output
    )
    changed = renames(repo)
    assert "M\tspecs/not-implemented/dead-thing.rst" in changed
    assert "M\tspecs/zed/done.rst" in changed
    assert git(repo, "status", "--porcelain") == ""
    linted = lpsync("lint", "--repo", str(repo), "--format", "json")
    assert json.loads(linted.output)["errors"] == [], linted.output


def test_a_repo_without_those_folders_has_nothing_to_move(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object], move_sandbox: Sandbox
) -> None:
    repo = make_repo(tmp_path / "oslo-specs", OSLO_FILES)
    before = snapshot(repo)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "nothing to move: specs/ has no implemented folder" in result.output
    assert snapshot(repo) == before
    assert move_sandbox.requests == []  # decided before asking Launchpad


def test_a_flat_repo_with_an_abandoned_folder_abandons_dead_specs(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = dict(OSLO_FILES)
    files["setup.cfg"] += "abandoned_dir = attic\n"
    files["specs/attic/older.rst"] = spec("Older", bp_url("nova", "older"))
    repo = make_repo(tmp_path / "oslo-specs", files)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    # Implemented specs stay: the repo has no implemented folders to move them to.
    assert renames(repo) == ["R100\tspecs/zed/dead-thing.rst\tspecs/attic/dead-thing.rst"]


def test_config_folders_are_checked(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = dict(OSLO_FILES)
    files["setup.cfg"] += "implemented_dir = {series}/done\n"
    repo = make_repo(tmp_path / "oslo-specs", files)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 2
    assert "key 'implemented_dir': unknown placeholder {series} (allowed: {release})" in (
        result.output
    )


def test_configured_folders_follow_the_release_folder(
    tmp_path: Path, git_env: None, lpsync: Callable[..., object]
) -> None:
    files = {
        "setup.cfg": "[lpsync]\nproject = nova\nimplemented_dir = {release}/done\n",
        "specs/keystone/zed/approved/done-thing.rst": nova_spec("done-thing"),
        "specs/keystone/zed/done/earlier.rst": nova_spec("earlier"),
    }
    repo = make_repo(tmp_path / "keystone-specs", files)
    result = lpsync("move", "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert renames(repo) == [
        "R100\tspecs/keystone/zed/approved/done-thing.rst\tspecs/keystone/zed/done/done-thing.rst"
    ]


def test_an_unreadable_spec_is_named_and_the_others_still_move(
    nova: Path, lpsync: Callable[..., object]
) -> None:
    (nova / "specs/zed/approved/broken.rst").write_bytes(b"caf\xe9\n")
    result = lpsync("move", "--repo", str(nova), "--release", "zed", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "specs/zed/approved/broken.rst: not valid UTF-8 (byte 3) (not moved)" in result.output
    assert result.output.count("would move") == 4
